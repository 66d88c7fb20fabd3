/**
 * `npm run ca:root-crl`: signs the root CRL of each family (or one, with --family) with the root key and
 * writes it to <CA dir>/crl/<family>/root.crl. Run it on the machine that keeps root.key, before the previous
 * root CRL's nextUpdate (the command prints it), and copy the file into the CA directory of one server if the
 * root key lives elsewhere: that server's CA job stores it in the database, and every instance serves it.
 *
 *   CERTDESK_CA_DIR        the CA directory (made by npm run ca:init)
 *   CERTDESK_CA_KEK        … or CERTDESK_CA_KEK_FILE: the key the CA's key files are encrypted under
 *
 *   --family sm2|ecdsa-p256|rsa-2048     only this family (default: every family of the CA)
 *   --days N                             nextUpdate N days ahead (default 180, at most 365)
 *   --revoke SERIAL --reason REASON      first revoke the issuing CA certificate with that serial (hex);
 *                                        REASON: keyCompromise, cACompromise, affiliationChanged,
 *                                        superseded, cessationOfOperation or unspecified
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { CA_REVOCATION_REASONS, signRootCrl, type CaRevocationReason } from '../hierarchy/root-crl.js';
import { loadKek } from '../signer/key-file.js';
import type { KeyAlgorithm } from '../signer/port.js';

function fail(message: string): never {
  process.stderr.write(`ca:root-crl: ${message}\n`);
  process.exit(1);
}

async function main() {
  const { values } = parseArgs({
    options: { family: { type: 'string' }, days: { type: 'string' }, revoke: { type: 'string' }, reason: { type: 'string' } },
    strict: true,
  });
  const dir = process.env.CERTDESK_CA_DIR;
  if (!dir) fail('set CERTDESK_CA_DIR to the CA directory');
  const kek = loadKek({ value: process.env.CERTDESK_CA_KEK, file: process.env.CERTDESK_CA_KEK_FILE });
  const manifest = JSON.parse(await readFile(path.join(dir, 'manifest.json'), 'utf8').catch(() => fail(`no CA in ${dir}`))) as {
    families: KeyAlgorithm[];
  };
  const families = values.family ? [values.family as KeyAlgorithm] : manifest.families;
  if (values.family && !manifest.families.includes(values.family as KeyAlgorithm))
    fail(`--family: this CA has ${manifest.families.join(', ')}`);
  if (values.revoke && families.length !== 1) fail('--revoke needs --family (a serial belongs to one family)');
  if (values.revoke && !(values.reason && values.reason in CA_REVOCATION_REASONS))
    fail(`--reason: one of ${Object.keys(CA_REVOCATION_REASONS).join(', ')}`);
  const days = values.days === undefined ? undefined : Number(values.days);
  for (const family of families) {
    const r = await signRootCrl({
      dir,
      kek,
      family,
      days,
      revoke: values.revoke ? { serialHex: values.revoke, reason: values.reason as CaRevocationReason } : undefined,
    });
    process.stdout.write(
      `${family}: root CRL #${r.crlNumber} with ${r.revoked.length} revoked CA certificate(s) → ${r.file}\n` +
        `  next update ${r.nextUpdate.toISOString()}: sign the next one before then\n`,
    );
  }
}

main().catch((e: unknown) => fail((e as Error).message));
