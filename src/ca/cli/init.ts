/**
 * `npm run ca:init`: creates the CA hierarchy (root, issuing CA and OCSP responder per family; the SM2 family
 * also the seal maker, 制章人, whose key signs electronic seals) in
 * CERTDESK_CA_DIR, keys encrypted under CERTDESK_CA_KEK / CERTDESK_CA_KEK_FILE. Reads the environment itself:
 * the CA core imports nothing from the server. Prints certificate fingerprints, never key material.
 *
 *   CERTDESK_CA_DIR            where to create it (must not hold a CA already)
 *   CERTDESK_CA_KEK            32 random bytes, base64 (openssl rand -base64 32) — what the server accepts
 *   CERTDESK_CA_KEK_FILE       … or a file holding it
 *   CERTDESK_PUBLIC_URL        base URL put in the certificates (CRL, OCSP, CA certificates)
 *   CERTDESK_CA_FAMILIES       optional, default sm2,ecdsa-p256
 *   CERTDESK_CA_ORGANIZATION   optional, default 江西省数字证书有限公司
 *   CERTDESK_CA_POLICY_OID     the CA's CPS OID, asserted by the issuing CAs (default anyPolicy, 2.5.29.32.0)
 *
 *   CERTDESK_SDF_LIBRARY, CERTDESK_SDF_DIR, CERTDESK_SDF_PASSWORD / _FILE, CERTDESK_CA_SDF_KEYS
 *                              SM2 keys in an SDF device instead of key files (issue 19, docs/ca-sdf.md):
 *                              e.g. CERTDESK_CA_SDF_KEYS=issuing=1,ocsp=2,seal=3,audit=4
 *   CERTDESK_PKCS11_MODULE, CERTDESK_PKCS11_TOKEN_LABEL, CERTDESK_PKCS11_PIN_FILE, CERTDESK_CA_PKCS11_KEYS
 *                              ECDSA/RSA keys generated in a PKCS#11 HSM instead of key files (issue 17,
 *                              docs/ca-pkcs11.md): e.g. CERTDESK_CA_PKCS11_KEYS=issuing,ocsp
 *
 * `npm run ca:init -- --add-seal-maker` adds the seal maker to an existing CA made before seals existed
 * (same CERTDESK_CA_DIR and KEK; the SM2 issuing CA's key signs its certificate). `--add-audit-signer` adds
 * the audit signer (the key that signs the audit chain's checkpoints) to a CA made before it existed.
 * `--add-token-authority` creates the UKEY token authority's key (ca/token-authority-key.ts: it signs the
 * one-time authorizations of 制证 and 在线解锁, and the tokens' SO PINs derive from it) and prints its public
 * key; `--token-authority-key` prints that public key again (for the 证书助手's CERTDESK_AGENT_AUTHORITY_KEY).
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { addAuditSigner, addSealMaker, ANY_POLICY_OID, fingerprint, FAMILY_NAME, initCaHierarchy } from '../hierarchy/hierarchy.js';
import { sdfKeyStoreFromEnv, type SdfKeyStore, type SdfRole } from '../sdf/ca-keys.js';
import { loadKek } from '../signer/key-file.js';
import { parsePkcs11KeyReference, pkcs11KeyStoreFromEnv, type Pkcs11KeyStore } from '../signer/pkcs11-keys.js';
import type { KeyAlgorithm } from '../signer/port.js';
import { createTokenAuthority, hasTokenAuthority, loadTokenAuthority, tokenAuthorityPublicPem } from '../token-authority-key.js';

const FAMILIES: readonly KeyAlgorithm[] = ['sm2', 'ecdsa-p256', 'rsa-2048'];

function fail(message: string): never {
  process.stderr.write(`ca:init: ${message}\n`);
  process.exit(1);
}

async function main() {
  const env = process.env;
  const dir = env.CERTDESK_CA_DIR;
  if (!dir) fail('set CERTDESK_CA_DIR to the directory the CA is to be created in');
  const baseUrl = env.CERTDESK_PUBLIC_URL;
  if (!baseUrl || !/^https?:\/\//.test(baseUrl)) fail('set CERTDESK_PUBLIC_URL (http(s)://…): it goes into the certificates');
  let kek;
  try {
    kek = loadKek({ value: env.CERTDESK_CA_KEK, file: env.CERTDESK_CA_KEK_FILE });
  } catch (e) {
    fail((e as Error).message);
  }
  // The server reads the same variables and takes only 32 bytes in base64 (certificates/ca-config.ts): a CA
  // made under a passphrase or a hex key here would be one the server cannot open.
  const text = env.CERTDESK_CA_KEK || (env.CERTDESK_CA_KEK_FILE ? readFileSync(env.CERTDESK_CA_KEK_FILE, 'utf8') : '');
  if (!(kek instanceof Uint8Array) || !/^[A-Za-z0-9+/_-]{43}=?$/.test(text.trim()))
    fail('the KEK must be 32 random bytes in base64 (openssl rand -base64 32), as the server expects');
  let sdf: SdfKeyStore | undefined;
  try {
    sdf = sdfKeyStoreFromEnv(env);
  } catch (e) {
    fail((e as Error).message);
  }
  let pkcs11: Pkcs11KeyStore | undefined;
  try {
    pkcs11 = pkcs11KeyStoreFromEnv(env);
  } catch (e) {
    fail((e as Error).message);
  }
  try {
    await run(dir, baseUrl, kek, sdf, pkcs11);
  } catch (e) {
    // A token that refuses (module, label, PIN) is the operator's to fix: the message, no stack, never the PIN.
    if ((e as Error).name === 'Pkcs11Error') fail(`the PKCS#11 token refused: ${(e as Error).message}`);
    throw e;
  } finally {
    sdf?.close();
    pkcs11?.close();
  }
}

async function run(dir: string, baseUrl: string, kek: Uint8Array, sdf: SdfKeyStore | undefined, pkcs11: Pkcs11KeyStore | undefined) {
  const env = process.env;
  const inDevice = (role: SdfRole) => {
    const index = sdf?.roles[role];
    return index === undefined ? '' : ` (SDF key index ${index})`;
  };
  // The token key's label, read back from the reference ca:init wrote.
  const inToken = (family: KeyAlgorithm, role: SdfRole) => {
    try {
      const ref = parsePkcs11KeyReference(readFileSync(path.join(path.resolve(dir), family, `${role}.key`), 'utf8'));
      return ref ? ` (PKCS#11 key ${ref.label})` : '';
    } catch {
      return '';
    }
  };
  if (process.argv.includes('--add-token-authority') || process.argv.includes('--token-authority-key')) {
    if (process.argv.includes('--add-token-authority') && hasTokenAuthority(dir))
      fail('the token authority key exists already: a new one would leave every issued UKEY with an SO PIN nobody can derive');
    const keys = process.argv.includes('--add-token-authority') ? await createTokenAuthority(dir, kek) : await loadTokenAuthority(dir, kek);
    process.stdout.write(`Token authority public key (CERTDESK_AGENT_AUTHORITY_KEY of the 证书助手):\n${tokenAuthorityPublicPem(keys)}`);
    return;
  }
  if (process.argv.includes('--add-audit-signer')) {
    const h = await addAuditSigner({ dir, kek, baseUrl, sdf, pkcs11 });
    const a = h.families.sm2!.audit!;
    process.stdout.write(
      `Audit signer added in ${path.resolve(dir)}:\n  audit    ${a.nameText}\n           SHA-256 ${fingerprint(a.certDer)}\n`,
    );
    return;
  }
  if (process.argv.includes('--add-seal-maker')) {
    const h = await addSealMaker({ dir, kek, baseUrl, sdf, pkcs11 });
    const s = h.families.sm2!.seal!;
    process.stdout.write(
      `Seal maker added in ${path.resolve(dir)}:\n  seal     ${s.nameText}\n           SHA-256 ${fingerprint(s.certDer)}\n`,
    );
    return;
  }
  const families = (env.CERTDESK_CA_FAMILIES || 'sm2,ecdsa-p256')
    .split(',')
    .map((f) => f.trim())
    .filter(Boolean) as KeyAlgorithm[];
  const bad = families.filter((f) => !FAMILIES.includes(f));
  if (bad.length || !families.length) fail(`CERTDESK_CA_FAMILIES: a comma-separated list of ${FAMILIES.join(', ')}`);
  const policyOid = env.CERTDESK_CA_POLICY_OID || ANY_POLICY_OID;
  if (!/^[0-2](\.(0|[1-9]\d*))+$/.test(policyOid)) fail('CERTDESK_CA_POLICY_OID must be a dotted OID such as 1.2.156.xxx');
  const h = await initCaHierarchy({
    dir,
    kek,
    sdf,
    pkcs11,
    policyOid,
    families: [...new Set(families)],
    organization: env.CERTDESK_CA_ORGANIZATION || '江西省数字证书有限公司',
    baseUrl,
  });
  const out = [`CA created in ${path.resolve(dir)} for ${h.organization}`];
  for (const f of Object.values(h.families)) {
    out.push(`${FAMILY_NAME[f.family]} (${f.family}):`);
    out.push(`  root     ${f.root.nameText}\n           SHA-256 ${fingerprint(f.root.certDer)}`);
    const dev = (role: SdfRole) => (f.family === 'sm2' ? inDevice(role) : inToken(f.family, role));
    out.push(`  issuing  ${f.issuing.nameText}${dev('issuing')}\n           SHA-256 ${fingerprint(f.issuing.certDer)}`);
    out.push(`  ocsp     ${f.ocsp.nameText}${dev('ocsp')}\n           SHA-256 ${fingerprint(f.ocsp.certDer)}`);
    if (f.seal) out.push(`  seal     ${f.seal.nameText}${dev('seal')}\n           SHA-256 ${fingerprint(f.seal.certDer)}`);
    if (f.audit) out.push(`  audit    ${f.audit.nameText}${dev('audit')}\n           SHA-256 ${fingerprint(f.audit.certDer)}`);
  }
  out.push('Keep the KEK apart from this directory. Now sign the root CRLs: npm run ca:root-crl (see docs/OPERATIONS.md).');
  out.push('root.key is needed only for that and to re-sign the issuing CA: it can then be moved offline.');
  process.stdout.write(out.join('\n') + '\n');
}

main().catch((e: unknown) => fail((e as Error).message));
