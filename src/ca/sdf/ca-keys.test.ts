/**
 * The device-key settings and reference files (ca-keys.ts), and the hierarchy's handling of a reference:
 * refused without the device, refused when the device key is not the certificate's. Uses SoftSDF.
 */
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFile } from 'node:fs/promises';
import { parseCertificate } from '../cert/parse.js';
import { CaHierarchyError, initCaHierarchy, loadCaHierarchy } from '../hierarchy/hierarchy.js';
import { renewCaKey } from '../hierarchy/renew.js';
import { verifySignature } from '../signer/software.js';
import { tempDir } from '../testing/fixtures.js';
import { runTool, SHARED_TOOLS } from '../testing/oracles.js';
import { parseSdfKeyReference, parseSdfRoles, SdfConfigError, sdfKeyReference, SdfKeyStore, sdfKeyStoreFromEnv } from './ca-keys.js';
import { SdfAccessDeniedError } from './sdf.js';

const SOFTSDF = path.join(SHARED_TOOLS, 'softsdf');
const library = path.join(SOFTSDF, 'lib', 'libsoftsdf.so');
const PASSWORD = 'Ca-Keys-Pass-1';
let tmp: Awaited<ReturnType<typeof tempDir>>;
let store: string;

beforeAll(async () => {
  tmp = await tempDir('certdesk-sdf-keys-');
  store = path.join(tmp.dir, 'hsm');
  await mkdir(store);
  for (const i of [5, 6, 7]) {
    const r = await runTool(path.join(SOFTSDF, 'bin', 'softsdfinit'), ['-kek', String(i), '-key', String(i), '-pass', PASSWORD], {
      cwd: store,
    });
    expect(r.code, r.out).toBe(0);
  }
});
afterAll(() => tmp?.cleanup());

describe('SDF settings', () => {
  it('CERTDESK_CA_SDF_KEYS: role=index pairs; unknown roles, the root, repeats and shared indexes are refused', () => {
    expect(parseSdfRoles('issuing=1, ocsp=2,seal=3,audit=4')).toEqual({ issuing: 1, ocsp: 2, seal: 3, audit: 4 });
    expect(() => parseSdfRoles('root=1')).toThrow(/role one of issuing, ocsp, seal, audit/);
    expect(() => parseSdfRoles('issuing:1')).toThrow(SdfConfigError);
    expect(() => parseSdfRoles('issuing=1,issuing=2')).toThrow(/issuing given twice/);
    expect(() => parseSdfRoles('issuing=1,ocsp=1')).toThrow(/key index 1 given to two roles/);
  });

  it('the environment: nothing without a library; a library needs an absolute path and a password; the password stays out of JSON', async () => {
    expect(sdfKeyStoreFromEnv({})).toBeUndefined();
    expect(() => sdfKeyStoreFromEnv({ CERTDESK_SDF_PASSWORD: 'x' })).toThrow(/CERTDESK_SDF_LIBRARY/);
    expect(() => sdfKeyStoreFromEnv({ CERTDESK_SDF_LIBRARY: 'libsdf.so', CERTDESK_SDF_PASSWORD: 'x' })).toThrow(/absolute/);
    expect(() => sdfKeyStoreFromEnv({ CERTDESK_SDF_LIBRARY: library })).toThrow(/CERTDESK_SDF_PASSWORD/);
    expect(() => sdfKeyStoreFromEnv({ CERTDESK_SDF_LIBRARY: library, CERTDESK_SDF_PASSWORD_FILE: path.join(tmp.dir, 'none') })).toThrow(
      /cannot read/,
    );
    const pwFile = await tmp.file('sdf-password', `${PASSWORD}\n`);
    const s = sdfKeyStoreFromEnv({
      CERTDESK_SDF_LIBRARY: library,
      CERTDESK_SDF_DIR: store,
      CERTDESK_SDF_PASSWORD_FILE: pwFile,
      CERTDESK_CA_SDF_KEYS: 'issuing=5',
    })!;
    expect(s.roles).toEqual({ issuing: 5 });
    expect(JSON.stringify(s)).not.toContain(PASSWORD);
    expect(JSON.stringify({ ...s })).not.toContain(PASSWORD);
    // The file's password (trailing newline dropped) opens the key.
    const signer = s.signer(5);
    expect(verifySignature(signer.publicKeySpki, 'sm2', Buffer.from('m'), await signer.sign(Buffer.from('m')))).toBe(true);
    s.close();
  });

  it('reference files: written and read back; a malformed one is refused; an encrypted key file is not a reference', () => {
    expect(parseSdfKeyReference(sdfKeyReference(42))).toBe(42);
    expect(parseSdfKeyReference('CERTDESK-ENCRYPTED-KEY v1\nalgorithm: sm2\n')).toBeUndefined();
    expect(() => parseSdfKeyReference('CERTDESK-SDF-KEY v1\nalgorithm: rsa-2048\nkey-index: 1\n')).toThrow(SdfConfigError);
    expect(() => parseSdfKeyReference('CERTDESK-SDF-KEY v1\nalgorithm: sm2\nkey-index: x\n')).toThrow(SdfConfigError);
  });
});

describe('a hierarchy with the issuing CA key in the device', () => {
  it('loads only with the device, and only when the device key is the certificate’s', async () => {
    const kek = new Uint8Array(randomBytes(32));
    const dir = path.join(tmp.dir, 'ca');
    const sdf = new SdfKeyStore(library, store, PASSWORD, { issuing: 5 });
    const h = await initCaHierarchy({ dir, kek, sdf, families: ['sm2'], baseUrl: 'http://ca.example.cn' });
    sdf.close();
    const opened: SdfKeyStore[] = [];
    const device = (password = PASSWORD) => {
      const st = new SdfKeyStore(library, store, password);
      opened.push(st);
      return st;
    };
    try {
      const loaded = await loadCaHierarchy({ dir, kek, sdf: device() });
      const spki = (x: typeof h) => Buffer.from(x.families.sm2!.issuing.signer.publicKeySpki);
      expect(spki(loaded).equals(spki(h))).toBe(true);
      await expect(loadCaHierarchy({ dir, kek })).rejects.toThrow(/SDF device key index 5; set CERTDESK_SDF_LIBRARY/);
      await expect(loadCaHierarchy({ dir, kek, sdf: device('wrong-one') })).rejects.toThrow(SdfAccessDeniedError);
      // The reference pointed at another device key: refused, not signed with the wrong key.
      await writeFile(path.join(dir, 'sm2', 'issuing.key'), sdfKeyReference(6));
      const err = await loadCaHierarchy({ dir, kek, sdf: device() }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(CaHierarchyError);
      expect((err as Error).message).toMatch(/index 6 does not match its certificate/);
    } finally {
      for (const st of opened) st.close();
    }
  });

  it('a device key that is not there stops creation before anything is written', async () => {
    const sdf = new SdfKeyStore(library, store, PASSWORD, { issuing: 5, audit: 99 });
    const dir = path.join(tmp.dir, 'ca-missing');
    try {
      await expect(
        initCaHierarchy({ dir, kek: new Uint8Array(randomBytes(32)), sdf, families: ['sm2'], baseUrl: 'http://x' }),
      ).rejects.toThrow(/key index 99/);
      expect(existsSync(dir)).toBe(false);
    } finally {
      sdf.close();
    }
  });

  it('is refused for a CA without the SM2 family', async () => {
    const sdf = new SdfKeyStore(library, store, PASSWORD, { issuing: 5 });
    await expect(
      initCaHierarchy({
        dir: path.join(tmp.dir, 'ca-ecc'),
        kek: new Uint8Array(randomBytes(32)),
        sdf,
        families: ['ecdsa-p256'],
        baseUrl: 'http://x',
      }),
    ).rejects.toThrow(/no SM2 family/);
    sdf.close();
  });

  it('ca:renew: a key-file OCSP responder under a device issuing CA renews to a key file; a device key only to another device key', async () => {
    const kek = new Uint8Array(randomBytes(32));
    const dir = path.join(tmp.dir, 'ca-renew');
    const sdf = new SdfKeyStore(library, store, PASSWORD, { issuing: 5, seal: 6 });
    try {
      const h = await initCaHierarchy({ dir, kek, sdf, families: ['sm2'], baseUrl: 'http://ca.example.cn' });
      const issuingSpki = h.families.sm2!.issuing.signer.publicKeySpki;
      const signedByIssuing = (der: Uint8Array) => {
        const c = parseCertificate(der);
        return verifySignature(issuingSpki, 'sm2', c.tbs, c.signature);
      };
      // Without the device the CA cannot even be opened: a clear refusal, nothing written.
      await expect(renewCaKey({ dir, kek, family: 'sm2', kind: 'ocsp' })).rejects.toThrow(/set CERTDESK_SDF_LIBRARY/);
      const ocsp = await renewCaKey({ dir, kek, sdf, family: 'sm2', kind: 'ocsp' });
      expect(signedByIssuing(ocsp.certDer)).toBe(true);
      expect(await readFile(path.join(dir, 'sm2', 'ocsp.key'), 'utf8')).toMatch(/^CERTDESK-ENCRYPTED-KEY v1/);
      await expect(renewCaKey({ dir, kek, sdf, family: 'sm2', kind: 'ocsp', sdfKeyIndex: 7 })).rejects.toThrow(/is a key file/);
      // The seal maker's key is device key 6: never silently replaced by a key file.
      await expect(renewCaKey({ dir, kek, sdf, family: 'sm2', kind: 'seal' })).rejects.toThrow(
        /device key index 6; renew it to a new device key/,
      );
      await expect(renewCaKey({ dir, kek, sdf, family: 'sm2', kind: 'seal', sdfKeyIndex: 6 })).rejects.toThrow(/is the key being renewed/);
      expect(await readFile(path.join(dir, 'sm2', 'seal.key'), 'utf8')).toBe(sdfKeyReference(6));
      const seal = await renewCaKey({ dir, kek, sdf, family: 'sm2', kind: 'seal', sdfKeyIndex: 7 });
      expect(signedByIssuing(seal.certDer)).toBe(true);
      expect(await readFile(path.join(dir, 'sm2', 'seal.key'), 'utf8')).toBe(sdfKeyReference(7));
      const again = await loadCaHierarchy({ dir, kek, sdf });
      expect(Buffer.from(parseCertificate(again.families.sm2!.seal!.certDer).spki).equals(Buffer.from(sdf.signer(7).publicKeySpki))).toBe(
        true,
      );
    } finally {
      sdf.close();
    }
  });
});
