import { afterAll, describe, expect, it } from 'vitest';
import { encodeTbs, keyIdentifier, signCertificate } from './cert/build.js';
import { encodeName } from './cert/name.js';
import { newSerial } from './cert/serial.js';
import { makePkcs12 } from './pkcs12.js';
import type { KeyAlgorithm } from './signer/port.js';
import { generateSigningKey, softwareSigner } from './signer/software.js';
import { opensslResult, tempDir } from './testing/openssl.js';

const tmp = tempDir();
afterAll(() => tmp.remove());

async function selfSigned(alg: KeyAlgorithm) {
  const key = await generateSigningKey(alg);
  const signer = softwareSigner(key);
  const name = encodeName({ C: 'CN', O: '南昌某某公司', CN: '南昌某某公司', uscc: '91360100MA35ABCD1X' });
  const tbs = encodeTbs({
    serial: newSerial(),
    issuer: name,
    subject: name,
    notBefore: new Date('2026-01-01T00:00:00Z'),
    notAfter: new Date('2027-01-01T00:00:00Z'),
    spki: key.publicKeySpki,
    signatureAlgorithm: signer.signatureAlgorithm,
    extensions: { keyUsage: ['digitalSignature'], subjectKeyId: keyIdentifier(key.publicKeySpki) },
  });
  return { key, certDer: await signCertificate(tbs, signer) };
}

describe('makePkcs12 (PBES2 PBKDF2-SHA256 + AES-256-CBC, HMAC-SHA256 MAC)', () => {
  it.each<KeyAlgorithm>(['ecdsa-p256', 'rsa-2048', 'sm2'])(
    '%s: openssl pkcs12 reads it with the password and the key matches',
    async (alg) => {
      const leaf = await selfSigned(alg);
      const ca = await selfSigned(alg);
      const p12 = await makePkcs12({
        key: leaf.key,
        certDer: leaf.certDer,
        chainDer: [ca.certDer],
        password: '密码 Pa55!',
        friendlyName: '南昌某某公司',
      });
      const file = tmp.write(`${alg}.p12`, p12);
      const info = await opensslResult(['pkcs12', '-info', '-nokeys', '-in', file, '-passin', 'pass:密码 Pa55!']);
      expect(info.code).toBe(0);
      expect(info.out).toContain('MAC: sha256');
      expect(info.out).toContain('PBES2, PBKDF2, AES-256-CBC');
      expect(info.out.match(/BEGIN CERTIFICATE/g)).toHaveLength(2);
      const keyOut = await opensslResult(['pkcs12', '-in', file, '-passin', 'pass:密码 Pa55!', '-nocerts', '-nodes']);
      expect(keyOut.code).toBe(0);
      const pkcs8 = Buffer.from(/-----BEGIN PRIVATE KEY-----([\s\S]*?)-----END/.exec(keyOut.out)![1]!.replace(/\s/g, ''), 'base64');
      expect(pkcs8.equals(Buffer.from(leaf.key.privateKeyPkcs8))).toBe(true);
      const wrong = await opensslResult(['pkcs12', '-info', '-nokeys', '-in', file, '-passin', 'pass:wrong']);
      expect(wrong.code).not.toBe(0);
      expect(wrong.out).toMatch(/mac verify error/i);
    },
  );
});
