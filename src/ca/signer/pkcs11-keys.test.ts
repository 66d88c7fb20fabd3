/**
 * The PKCS#11 settings and reference files (pkcs11-keys.ts), and renewing a token-held OCSP key with
 * ca:renew's code (a new key generated in the token, the reference rewritten). Uses SoftHSM2.
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseCertificate, pemToDer } from '../cert/parse.js';
import { initCaHierarchy, loadCaHierarchy } from '../hierarchy/hierarchy.js';
import { renewCaKey } from '../hierarchy/renew.js';
import { sdfKeyReference } from '../sdf/ca-keys.js';
import { tempDir } from '../testing/openssl.js';
import {
  parsePkcs11KeyReference,
  parsePkcs11Roles,
  Pkcs11ConfigError,
  pkcs11KeyReference,
  pkcs11KeyStoreFromEnv,
  type Pkcs11KeyStore,
} from './pkcs11-keys.js';
import { verifySignature } from './software.js';

const LIBRARY = process.env.CERTDESK_TEST_PKCS11_LIB || '/usr/lib/softhsm/libsofthsm2.so';
const PIN = '5520-Keys-Pin';
const tmp = tempDir('certdesk-p11-keys-');
let env: Record<string, string>;
let store: Pkcs11KeyStore;

beforeAll(() => {
  if (!existsSync(LIBRARY))
    throw new Error(
      `SoftHSM2 is not installed (${LIBRARY} missing): apt-get install softhsm2 — the PKCS#11 CA keys cannot be tested without it`,
    );
  mkdirSync(tmp.path('tokens'));
  process.env.SOFTHSM2_CONF = tmp.write(
    'softhsm2.conf',
    `directories.tokendir = ${tmp.path('tokens')}\nobjectstore.backend = file\nlog.level = ERROR\n`,
  );
  execFileSync('softhsm2-util', ['--init-token', '--free', '--label', 'keys', '--pin', PIN, '--so-pin', '9911'], { env: process.env });
  env = {
    CERTDESK_PKCS11_MODULE: LIBRARY,
    CERTDESK_PKCS11_TOKEN_LABEL: 'keys',
    CERTDESK_PKCS11_PIN_FILE: tmp.write('pin', `${PIN}\n`),
    CERTDESK_CA_PKCS11_KEYS: 'ocsp',
  };
  store = pkcs11KeyStoreFromEnv(env)!;
});
afterAll(() => {
  store?.close();
  tmp.remove();
});

describe('PKCS#11 settings', () => {
  it('CERTDESK_CA_PKCS11_KEYS: issuing and/or ocsp; the root, SM2-only roles and repeats are refused', () => {
    expect(parsePkcs11Roles(' issuing, ocsp ')).toEqual(['issuing', 'ocsp']);
    expect(() => parsePkcs11Roles('root')).toThrow(/"root" is not one of issuing, ocsp/);
    expect(() => parsePkcs11Roles('seal')).toThrow(Pkcs11ConfigError);
    expect(() => parsePkcs11Roles('ocsp,ocsp')).toThrow(/ocsp given twice/);
  });

  it('the environment: nothing without a module; a module needs an absolute path, a token label and a PIN file; never a PIN in the environment or in JSON', () => {
    expect(pkcs11KeyStoreFromEnv({})).toBeUndefined();
    expect(() => pkcs11KeyStoreFromEnv({ CERTDESK_PKCS11_TOKEN_LABEL: 'keys' })).toThrow(/CERTDESK_PKCS11_MODULE must name/);
    expect(() => pkcs11KeyStoreFromEnv({ ...env, CERTDESK_PKCS11_MODULE: 'libsofthsm2.so' })).toThrow(/absolute/);
    expect(() => pkcs11KeyStoreFromEnv({ ...env, CERTDESK_PKCS11_TOKEN_LABEL: '' })).toThrow(/CERTDESK_PKCS11_TOKEN_LABEL/);
    expect(() => pkcs11KeyStoreFromEnv({ ...env, CERTDESK_PKCS11_PIN_FILE: '' })).toThrow(/CERTDESK_PKCS11_PIN_FILE must name/);
    expect(() => pkcs11KeyStoreFromEnv({ ...env, CERTDESK_PKCS11_PIN_FILE: tmp.path('none') })).toThrow(/cannot read/);
    expect(() => pkcs11KeyStoreFromEnv({ ...env, CERTDESK_PKCS11_PIN_FILE: tmp.write('empty', '\n') })).toThrow(/is empty/);
    expect(() => pkcs11KeyStoreFromEnv({ ...env, CERTDESK_PKCS11_PIN: PIN })).toThrow(/CERTDESK_PKCS11_PIN is not read/);
    const s = pkcs11KeyStoreFromEnv(env)!;
    expect(s.roles).toEqual(['ocsp']);
    expect(JSON.stringify(s)).not.toContain(PIN);
    expect(Object.values(s)).not.toContain(PIN);
  });

  it('reference files: written and read back; an SDF reference or a key file is not one; a malformed one is refused', () => {
    const text = pkcs11KeyReference('rsa-2048', 'certdesk-rsa-2048-ocsp-0a1b2c3d');
    expect(text).toBe('CERTDESK-PKCS11-KEY v1\nalgorithm: rsa-2048\nlabel: certdesk-rsa-2048-ocsp-0a1b2c3d\n');
    expect(parsePkcs11KeyReference(text)).toEqual({ algorithm: 'rsa-2048', label: 'certdesk-rsa-2048-ocsp-0a1b2c3d' });
    expect(parsePkcs11KeyReference(sdfKeyReference(1))).toBeUndefined();
    expect(parsePkcs11KeyReference('CERTDESK-ENCRYPTED-KEY v1\n...')).toBeUndefined();
    expect(() => parsePkcs11KeyReference('CERTDESK-PKCS11-KEY v1\nalgorithm: sm2\nlabel: x\n')).toThrow(/malformed/);
    expect(() => parsePkcs11KeyReference('CERTDESK-PKCS11-KEY v1\nalgorithm: ecdsa-p256\nlabel: a b\n')).toThrow(/malformed/);
  });
});

describe('an RSA CA with its OCSP responder key in the token', () => {
  it('ca:init makes it there; the key signs; ca:renew renews it to a new token key and the reference follows', async () => {
    const dir = tmp.path('ca');
    const kek = randomBytes(32);
    const h = await initCaHierarchy({ dir, kek, pkcs11: store, families: ['rsa-2048'], baseUrl: 'http://ca.example.cn' });
    const keyFile = path.join(dir, 'rsa-2048', 'ocsp.key');
    const before = parsePkcs11KeyReference(await readFile(keyFile, 'utf8'))!;
    expect(before.label).toMatch(/^certdesk-rsa-2048-ocsp-[0-9a-f]{8}$/);
    // The issuing CA's key was not asked for: a key file, encrypted.
    expect(await readFile(path.join(dir, 'rsa-2048', 'issuing.key'), 'utf8')).toMatch(/^CERTDESK-ENCRYPTED-KEY v1/);
    const ocsp = h.families['rsa-2048']!.ocsp;
    const data = Buffer.from('tbs');
    expect(verifySignature(parseCertificate(ocsp.certDer).spki, 'rsa-2048', data, await ocsp.signer.sign(data))).toBe(true);

    const r = await renewCaKey({ dir, kek, family: 'rsa-2048', kind: 'ocsp', pkcs11: store });
    const after = parsePkcs11KeyReference(await readFile(keyFile, 'utf8'))!;
    expect(after.label).not.toBe(before.label);
    expect(store.privateKeyFlags(after.label)).toEqual({ extractable: false, sensitive: true });
    const renewed = parseCertificate(pemToDer(await readFile(path.join(dir, 'rsa-2048', 'ocsp.pem'), 'latin1')));
    expect(Buffer.from(renewed.spki).equals(Buffer.from(parseCertificate(r.certDer).spki))).toBe(true);
    const loaded = await loadCaHierarchy({ dir, kek, pkcs11: store });
    expect(Buffer.from(loaded.families['rsa-2048']!.ocsp.signer.publicKeySpki).equals(Buffer.from(renewed.spki))).toBe(true);
  }, 120_000);

  it('a PKCS#11 setting on a CA with no ECDSA or RSA family is refused before anything is written', async () => {
    const dir = tmp.path('ca-sm2');
    await expect(
      initCaHierarchy({ dir, kek: randomBytes(32), pkcs11: store, families: ['sm2'], baseUrl: 'http://ca.example.cn' }),
    ).rejects.toThrow(/neither family/);
    expect(existsSync(dir)).toBe(false);
  });
});
