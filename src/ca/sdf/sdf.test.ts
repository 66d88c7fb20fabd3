/**
 * The SDF port against SoftSDF (../shared/tools/softsdf, a GM/T 0018 device nobody here wrote), its key store
 * made by its own softsdfinit in a temp dir; what the device signs is checked with GmSSL and OpenSSL.
 */
import { createECDH, createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EKU, encodeTbs, keyIdentifier, signCertificate } from '../cert/build.js';
import { encodeName } from '../cert/name.js';
import { certificatePem, pemToDer } from '../cert/parse.js';
import { newSerial } from '../cert/serial.js';
import { buildCrl, crlPem } from '../crl/build.js';
import { verifySignature } from '../signer/software.js';
import { spkiPublicKeyBits } from '../spki.js';
import { openssl, opensslVerifySm2, splitSigned, tempDir } from '../testing/fixtures.js';
import { gmssl, runTool, SHARED_TOOLS } from '../testing/oracles.js';
import { SdfAccessDeniedError, SdfError, SdfSession, sm2CipherDer } from './sdf.js';
import { openSdfSigner, sdfSigner, sm2Spki } from './signer.js';

const SOFTSDF = path.join(SHARED_TOOLS, 'softsdf');
const library = path.join(SOFTSDF, 'lib', 'libsoftsdf.so');
const PASSWORD = 'P@ssw0rd';

let tmp: Awaited<ReturnType<typeof tempDir>>;
let store: string;

beforeAll(async () => {
  tmp = await tempDir('certdesk-sdf-');
  store = path.join(tmp.dir, 'device');
  await (await import('node:fs/promises')).mkdir(store);
  const init = await runTool(path.join(SOFTSDF, 'bin', 'softsdfinit'), ['-kek', '1', '-key', '1', '-pass', PASSWORD], { cwd: store });
  expect(init.code, init.out).toBe(0);
  const second = await runTool(path.join(SOFTSDF, 'bin', 'softsdfinit'), ['-kek', '2', '-key', '2', '-pass', 'another-pass-2'], {
    cwd: store,
  });
  expect(second.code, second.out).toBe(0);
});
afterAll(() => tmp?.cleanup());

const open = () => SdfSession.open({ library, workingDirectory: store });

describe('SDF session on SoftSDF', () => {
  it('exports the SM2 signing and encryption public keys the device holds (its own PEM files say the same)', async () => {
    const s = open();
    try {
      const sign = s.exportSignPublicKey(1);
      const enc = s.exportEncPublicKey(1);
      expect(sign[0]).toBe(0x04);
      expect(sign).toHaveLength(65);
      expect(Buffer.from(sign).equals(Buffer.from(enc))).toBe(false);
      const filePoint = (pem: string) => spkiPublicKeyBits(pemToDer(pem, 'PUBLIC KEY'));
      expect(Buffer.from(filePoint(await readFile(path.join(store, 'sm2signpub-1.pem'), 'latin1'))).equals(Buffer.from(sign))).toBe(true);
      expect(Buffer.from(filePoint(await readFile(path.join(store, 'sm2encpub-1.pem'), 'latin1'))).equals(Buffer.from(enc))).toBe(true);
      expect(() => s.exportSignPublicKey(9)).toThrow(expect.objectContaining({ sdr: 'SDR_KEYNOTEXIST' }));
      // The adapter entered the key store only for the calls: the process's own directory is unchanged.
      expect(process.cwd()).not.toBe(store);
    } finally {
      s.close();
    }
  });

  it('InternalSign_ECC over e = SM3(Z‖M): GmSSL sm2verify and OpenSSL accept the signature, a changed message fails', async () => {
    const { signer, close } = openSdfSigner({ library, workingDirectory: store, keyIndex: 1, password: PASSWORD });
    try {
      const message = Buffer.from('CertDesk 签名 via SDF');
      const signature = await signer.sign(message);
      const pub = await tmp.file('sign-1.pub.pem', await readFile(path.join(store, 'sm2signpub-1.pem')));
      const msg = await tmp.file('msg.bin', message);
      const sig = await tmp.file('msg.sig', signature);
      for (const v of ['3.1.1', 'master'] as const) {
        const ok = await gmssl(v, ['sm2verify', '-pubkey', pub, '-in', msg, '-sig', sig]);
        expect(ok.code, ok.out).toBe(0);
        expect(ok.out).toContain('verify : success');
      }
      const other = await tmp.file('msg2.bin', Buffer.from('CertDesk 签名 via SDF!'));
      const bad = await gmssl('3.1.1', ['sm2verify', '-pubkey', pub, '-in', other, '-sig', sig]);
      expect(bad.out).not.toContain('verify : success');
      expect(await opensslVerifySm2(signer.publicKeySpki, message, signature, tmp.dir)).toBe(true);
      expect(verifySignature(signer.publicKeySpki, 'sm2', message, signature)).toBe(true);
      // SM2 signatures are randomised: two signatures of one message differ and both verify.
      const again = await signer.sign(message);
      expect(Buffer.from(again).equals(Buffer.from(signature))).toBe(false);
      expect(verifySignature(signer.publicKeySpki, 'sm2', message, again)).toBe(true);
      // Many at once go through the one session one at a time, all valid.
      const many = await Promise.all(Array.from({ length: 20 }, (_, i) => signer.sign(Buffer.from(`m${i}`))));
      many.forEach((sg, i) => expect(verifySignature(signer.publicKeySpki, 'sm2', Buffer.from(`m${i}`), sg)).toBe(true));
    } finally {
      close();
    }
  });

  it('a wrong password is a typed error naming no password, the session stays usable, the right one then works', async () => {
    const s = open();
    try {
      let err: unknown;
      try {
        s.getPrivateKeyAccessRight(1, 'Wr0ng-Secret-42');
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(SdfAccessDeniedError);
      expect(err).toBeInstanceOf(SdfError);
      const e = err as SdfAccessDeniedError;
      expect(e.call).toBe('SDF_GetPrivateKeyAccessRight');
      expect(e.message).toContain('key index 1');
      expect(`${e.message} ${e.stack} ${JSON.stringify(e)}`).not.toContain('Wr0ng-Secret-42');
      // No access right: the device refuses to sign.
      await expect(s.internalSign(1, createHash('sm3').update('x').digest())).rejects.toThrow(SdfError);
      // Key 2's password does not open key 1.
      expect(() => s.getPrivateKeyAccessRight(1, 'another-pass-2')).toThrow(SdfAccessDeniedError);
      expect(() => s.getPrivateKeyAccessRight(1, '')).toThrow(SdfAccessDeniedError);
      const signer = sdfSigner(s, 1, PASSWORD);
      expect(verifySignature(signer.publicKeySpki, 'sm2', Buffer.from('a'), await signer.sign(Buffer.from('a')))).toBe(true);
    } finally {
      s.close();
    }
  });

  it('two keys in one session sign each with its own key', async () => {
    const s = open();
    try {
      const one = sdfSigner(s, 1, PASSWORD);
      const two = sdfSigner(s, 2, 'another-pass-2');
      const m = Buffer.from('which key?');
      const sig2 = await two.sign(m);
      expect(verifySignature(two.publicKeySpki, 'sm2', m, sig2)).toBe(true);
      expect(verifySignature(one.publicKeySpki, 'sm2', m, sig2)).toBe(false);
    } finally {
      s.close();
    }
  });

  it('GenerateRandom, GenerateKeyPair_ECC (public key = d·G), SM4 under a KEK-wrapped session key', () => {
    const s = open();
    try {
      const r1 = s.generateRandom(32);
      const r2 = s.generateRandom(32);
      expect(r1).toHaveLength(32);
      expect(Buffer.from(r1).equals(Buffer.from(r2))).toBe(false);

      const pair = s.generateKeyPairEcc();
      const ecdh = createECDH('SM2');
      ecdh.setPrivateKey(pair.privateKey);
      expect(ecdh.getPublicKey().equals(Buffer.from(pair.publicKey))).toBe(true);

      const key = s.generateKeyWithKek(1);
      expect(key.wrapped.length).toBeGreaterThanOrEqual(32);
      const iv = s.generateRandom(16);
      const plain = Buffer.concat([pair.privateKey, Buffer.alloc(16, 7)]); // 48 bytes: a multiple of the block
      const enc = s.encrypt(key, plain, iv);
      expect(Buffer.from(enc).equals(plain)).toBe(false);
      expect(Buffer.from(s.decrypt(key, enc, iv)).equals(plain)).toBe(true);
      // The wrapped key, imported again (as the KMC will after a restart), decrypts the same ciphertext.
      const again = s.importKeyWithKek(1, key.wrapped);
      expect(Buffer.from(s.decrypt(again, enc, iv)).equals(plain)).toBe(true);
      // Under the other KEK the wrapped key does not come back as the same key.
      let other: Uint8Array | undefined;
      try {
        other = s.decrypt(s.importKeyWithKek(2, key.wrapped), enc, iv);
      } catch (e) {
        expect(e).toBeInstanceOf(SdfError);
      }
      if (other) expect(Buffer.from(other).equals(plain)).toBe(false);
      expect(() => s.generateKeyWithKek(99)).toThrow(expect.objectContaining({ sdr: 'SDR_KEYNOTEXIST' }));
      s.destroyKey(key);
      s.destroyKey(again);
    } finally {
      s.close();
    }
  });

  it('ExternalEncrypt_ECC to the device’s encryption key: GmSSL sm2decrypt with that private key gets the data back', async () => {
    const s = open();
    try {
      const sessionKey = s.generateRandom(16);
      const c = s.externalEncryptEcc(s.exportEncPublicKey(1), sessionKey);
      expect(c.ciphertext).toHaveLength(16);
      const file = await tmp.file('envelope-key.der', sm2CipherDer(c));
      // SoftSDF writes its key files in GmSSL master's PKCS#8 encoding, which 3.1.1 cannot read: master decrypts.
      for (const v of ['master'] as const) {
        const out = path.join(tmp.dir, `envelope-key-${v}.bin`);
        const r = await gmssl(v, ['sm2decrypt', '-key', path.join(store, 'sm2enc-1.pem'), '-pass', PASSWORD, '-in', file, '-out', out]);
        expect(r.code, r.out).toBe(0);
        expect(Buffer.from(await readFile(out)).equals(Buffer.from(sessionKey))).toBe(true);
      }
      // Not to the signing key: its private key does not open it.
      const wrong = await gmssl('master', ['sm2decrypt', '-key', path.join(store, 'sm2sign-1.pem'), '-pass', PASSWORD, '-in', file]);
      expect(wrong.code).not.toBe(0);
      expect(() => s.externalEncryptEcc(Buffer.alloc(65, 4), sessionKey)).toThrow(SdfError);
    } finally {
      s.close();
    }
  });

  it('a library that is not there is a typed error; a closed session refuses calls', () => {
    expect(() => SdfSession.open({ library: path.join(tmp.dir, 'no-such-libsdf.so') })).toThrow(SdfError);
    const s = open();
    s.close();
    expect(() => s.generateRandom(8)).toThrow(expect.objectContaining({ sdr: 'SDR_STEPERR' }));
  });
});

describe('a CA key held in SoftSDF', () => {
  it('signs a certificate and a CRL that GmSSL (certverify, crlverify) and OpenSSL verify', async () => {
    const { signer, close } = openSdfSigner({ library, workingDirectory: store, keyIndex: 1, password: PASSWORD });
    try {
      expect(Buffer.from(signer.publicKeySpki).equals(Buffer.from(sm2Spki(spkiPublicKeyBits(signer.publicKeySpki))))).toBe(true);
      const notBefore = new Date(Math.floor(Date.now() / 1000) * 1000 - 3600_000);
      const notAfter = new Date(notBefore.getTime() + 365 * 86400_000);
      const caName = encodeName({ C: 'CN', O: 'CertDesk Test', CN: 'CertDesk SDF Root CA' });
      const caKeyId = keyIdentifier(signer.publicKeySpki);
      const root = await signCertificate(
        encodeTbs({
          serial: newSerial(),
          issuer: caName,
          subject: caName,
          notBefore,
          notAfter,
          spki: signer.publicKeySpki,
          signatureAlgorithm: signer.signatureAlgorithm,
          extensions: {
            basicConstraints: { ca: true },
            keyUsage: ['keyCertSign', 'cRLSign'],
            subjectKeyId: caKeyId,
            authorityKeyId: caKeyId,
          },
        }),
        signer,
      );
      // The leaf's key: the device's key #2 (any SM2 public key will do).
      const s2 = open();
      const leafSpki = sm2Spki(s2.exportSignPublicKey(2));
      s2.close();
      const leaf = await signCertificate(
        encodeTbs({
          serial: newSerial(),
          issuer: caName,
          subject: encodeName({ C: 'CN', O: 'CertDesk Test', CN: 'SDF leaf' }),
          notBefore,
          notAfter,
          spki: leafSpki,
          signatureAlgorithm: signer.signatureAlgorithm,
          extensions: {
            keyUsage: ['digitalSignature'],
            extKeyUsage: [EKU.clientAuth],
            subjectKeyId: keyIdentifier(leafSpki),
            authorityKeyId: caKeyId,
          },
        }),
        signer,
      );
      const rootPem = await tmp.file('sdf-root.pem', certificatePem(root));
      const leafPem = await tmp.file('sdf-leaf.pem', certificatePem(leaf));
      for (const v of ['3.1.1', 'master'] as const) {
        // Master verifies a TLCP server chain unless told which kind: this leaf is a client certificate.
        const r = await gmssl(v, ['certverify', ...(v === 'master' ? ['-client'] : []), '-in', leafPem, '-cacert', rootPem]);
        expect(r.code, r.out).toBe(0);
        expect(r.out).toContain('Verification success');
      }
      const self = await gmssl('3.1.1', ['certverify', '-in', rootPem, '-cacert', rootPem]);
      expect(self.code, self.out).toBe(0);
      const o = await openssl(['verify', '-vfyopt', 'distid:1234567812345678', '-CAfile', rootPem, leafPem]);
      expect(o.out).toContain(': OK');

      const crl = await buildCrl({
        issuerNameDer: caName,
        authorityKeyId: caKeyId,
        signer,
        thisUpdate: notBefore,
        nextUpdate: new Date(notBefore.getTime() + 7 * 86400_000),
        crlNumber: 1n,
        entries: [{ serial: Buffer.from('0badc0de', 'hex'), revokedAt: notBefore }],
      });
      const crlFile = await tmp.file('sdf.crl', crl);
      const parsed = await openssl(['crl', '-in', await tmp.file('sdf.crl.pem', crlPem(crl)), '-noout', '-text']);
      expect(parsed.out).toMatch(/Signature Algorithm: SM2-with-SM3[\s\S]*Serial Number: 0BADC0DE/);
      // OpenSSL 3.0 checks SM2 CRL signatures with the empty ID in its CRL path; its pkeyutl with the standard ID does.
      const { tbs, signature } = splitSigned(crl);
      expect(await opensslVerifySm2(signer.publicKeySpki, tbs, signature, tmp.dir)).toBe(true);
      expect(await opensslVerifySm2(signer.publicKeySpki, Buffer.concat([tbs, Buffer.of(0)]), signature, tmp.dir)).toBe(false);
      for (const v of ['3.1.1', 'master'] as const) {
        const c = await gmssl(v, ['crlverify', '-in', crlFile, '-cacert', rootPem]);
        expect(c.code, c.out).toBe(0);
        expect(c.out).toMatch(/Verification success/i);
      }
      // A CRL signed by another key fails the same check (the oracle can say no).
      const { signer: other, close: closeOther } = openSdfSigner({
        library,
        workingDirectory: store,
        keyIndex: 2,
        password: 'another-pass-2',
      });
      const forged = await buildCrl({
        issuerNameDer: caName,
        authorityKeyId: caKeyId,
        signer: other,
        thisUpdate: notBefore,
        nextUpdate: new Date(notBefore.getTime() + 7 * 86400_000),
        crlNumber: 2n,
        entries: [],
      });
      closeOther();
      const forgedFile = await tmp.file('forged.crl', forged);
      const f = await gmssl('master', ['crlverify', '-in', forgedFile, '-cacert', rootPem]);
      expect(f.out).not.toMatch(/Verification success/i);
    } finally {
      close();
    }
  });
});
