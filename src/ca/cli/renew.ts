/**
 * `npm run ca:renew`: renews the OCSP responder of each family (`--ocsp`, one year; `--family f` for one) or
 * the SM2 seal maker (`--seal-maker`, five years) with a new key signed by the issuing CA (hierarchy/renew.ts).
 * Then copy the new `<family>/ocsp.{pem,key}` or `sm2/seal.{pem,key}` to every server's CA directory if it is
 * not shared, and restart the servers one by one: each loads the hierarchy once (docs/OPERATIONS.md).
 *
 *   CERTDESK_CA_DIR     the CA directory (made by npm run ca:init)
 *   CERTDESK_CA_KEK     … or CERTDESK_CA_KEK_FILE
 *   CERTDESK_SDF_*      the SDF device when the CA keeps keys there (docs/ca-sdf.md); a device-held key is
 *                       renewed to another device key: --sdf-key-index N
 *   CERTDESK_PKCS11_*   the PKCS#11 token when the CA keeps ECDSA/RSA keys there (docs/ca-pkcs11.md); a
 *                       token-held OCSP key is renewed to a new key generated in the token
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { fingerprint } from '../hierarchy/hierarchy.js';
import { renewCaKey } from '../hierarchy/renew.js';
import { sdfKeyStoreFromEnv } from '../sdf/ca-keys.js';
import { pkcs11KeyStoreFromEnv } from '../signer/pkcs11-keys.js';
import { loadKek } from '../signer/key-file.js';
import type { KeyAlgorithm } from '../signer/port.js';
import { parseCertificate } from '../cert/parse.js';

function fail(message: string): never {
  process.stderr.write(`ca:renew: ${message}\n`);
  process.exit(1);
}

async function main() {
  const { values } = parseArgs({
    options: {
      family: { type: 'string' },
      ocsp: { type: 'boolean' },
      'seal-maker': { type: 'boolean' },
      'sdf-key-index': { type: 'string' },
    },
    strict: true,
  });
  if (!values.ocsp === !values['seal-maker']) fail('say what to renew: --ocsp (OCSP responders) or --seal-maker');
  const dir = process.env.CERTDESK_CA_DIR;
  if (!dir) fail('set CERTDESK_CA_DIR to the CA directory');
  const kek = loadKek({ value: process.env.CERTDESK_CA_KEK, file: process.env.CERTDESK_CA_KEK_FILE });
  // A CA with keys in an SDF device (docs/ca-sdf.md): the issuing CA's key there signs the new certificate, and
  // a device-held key is renewed to the device key --sdf-key-index names.
  let sdf;
  try {
    sdf = sdfKeyStoreFromEnv(process.env);
  } catch (e) {
    fail((e as Error).message);
  }
  let pkcs11;
  try {
    pkcs11 = pkcs11KeyStoreFromEnv(process.env);
  } catch (e) {
    fail((e as Error).message);
  }
  const indexText = values['sdf-key-index'];
  if (indexText !== undefined && !/^\d{1,10}$/.test(indexText)) fail("--sdf-key-index: the new key's index in the device, a number");
  if (indexText !== undefined && !sdf) fail('--sdf-key-index needs the device: CERTDESK_SDF_LIBRARY and the password (docs/ca-sdf.md)');
  const sdfKeyIndex = indexText === undefined ? undefined : Number(indexText);
  const manifest = JSON.parse(await readFile(path.join(dir, 'manifest.json'), 'utf8').catch(() => fail(`no CA in ${dir}`))) as {
    families: KeyAlgorithm[];
  };
  if (values.family && !manifest.families.includes(values.family as KeyAlgorithm))
    fail(`--family: this CA has ${manifest.families.join(', ')}`);
  const jobs: [KeyAlgorithm, 'ocsp' | 'seal'][] = values.ocsp
    ? (values.family ? [values.family as KeyAlgorithm] : manifest.families).map((f) => [f, 'ocsp'])
    : [['sm2', 'seal']];
  for (const [family, kind] of jobs) {
    const r = await renewCaKey({ dir, kek, family, kind, sdf, pkcs11, ...(family === 'sm2' ? { sdfKeyIndex } : {}) });
    process.stdout.write(
      `${family}: ${kind === 'ocsp' ? 'OCSP responder' : 'seal maker'} renewed → ${path.join(dir, family, `${kind}.pem`)}\n` +
        `  valid to ${parseCertificate(r.certDer).notAfter.toISOString()}, SHA-256 ${fingerprint(r.certDer)}\n` +
        `  the previous certificate is kept as ${r.previous}\n`,
    );
  }
  sdf?.close();
  pkcs11?.close();
  process.stdout.write('Restart each server (one at a time) so it loads the new key (docs/OPERATIONS.md).\n');
}

main().catch((e: unknown) => fail((e as Error).message));
