/**
 * `npm run ca:reissue-issuing`: re-issues each family's issuing CA certificate (or one, with --family) for the
 * same key, asserting the CA's certificate policy (hierarchy/reissue.ts says what changes and what does not).
 * Run it where the root key is kept, like ca:root-crl, then copy the new `<family>/issuing.pem` to every
 * server's CA directory and restart them (each loads the hierarchy once, at first use).
 *
 *   CERTDESK_CA_DIR          the CA directory (made by npm run ca:init)
 *   CERTDESK_CA_KEK          … or CERTDESK_CA_KEK_FILE: the key the CA's key files are encrypted under
 *   CERTDESK_CA_POLICY_OID   the CA's CPS OID (required here: re-issuing is done to assert it)
 *
 *   --family sm2|ecdsa-p256|rsa-2048     only this family (default: every family of the CA)
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { fingerprint } from '../hierarchy/hierarchy.js';
import { reissueIssuingCa } from '../hierarchy/reissue.js';
import { loadKek } from '../signer/key-file.js';
import type { KeyAlgorithm } from '../signer/port.js';

function fail(message: string): never {
  process.stderr.write(`ca:reissue-issuing: ${message}\n`);
  process.exit(1);
}

async function main() {
  const { values } = parseArgs({ options: { family: { type: 'string' } }, strict: true });
  const dir = process.env.CERTDESK_CA_DIR;
  if (!dir) fail('set CERTDESK_CA_DIR to the CA directory');
  const policyOid = process.env.CERTDESK_CA_POLICY_OID ?? '';
  if (!/^[0-2](\.(0|[1-9]\d*))+$/.test(policyOid)) fail('set CERTDESK_CA_POLICY_OID to the CA’s CPS OID (dotted, e.g. 1.2.156.xxx)');
  const kek = loadKek({ value: process.env.CERTDESK_CA_KEK, file: process.env.CERTDESK_CA_KEK_FILE });
  const manifest = JSON.parse(await readFile(path.join(dir, 'manifest.json'), 'utf8').catch(() => fail(`no CA in ${dir}`))) as {
    families: KeyAlgorithm[];
  };
  if (values.family && !manifest.families.includes(values.family as KeyAlgorithm))
    fail(`--family: this CA has ${manifest.families.join(', ')}`);
  const families = values.family ? [values.family as KeyAlgorithm] : manifest.families;
  for (const family of families) {
    const r = await reissueIssuingCa({ dir, kek, family, policyOid });
    process.stdout.write(
      `${family}: issuing CA re-issued for the same key with policy ${policyOid} → ${path.join(dir, family, 'issuing.pem')}\n` +
        `  SHA-256 ${fingerprint(r.certDer)}\n  the previous certificate is kept as ${r.previous}\n`,
    );
  }
  process.stdout.write('Copy the new issuing.pem to every server’s CA directory and restart them (docs/OPERATIONS.md).\n');
}

main().catch((e: unknown) => fail((e as Error).message));
