/**
 * PKCS#11 signing against SoftHSM2 (Debian's softhsm2; CI installs it). A missing library FAILS this test
 * with a message saying what to install — the HSM path must not silently go untested.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeTbs, keyIdentifier, signCertificate } from '../cert/build.js';
import { encodeName } from '../cert/name.js';
import { certificatePem } from '../cert/parse.js';
import { newSerial } from '../cert/serial.js';
import { opensslResult, tempDir } from '../testing/openssl.js';
import { Pkcs11Token, rawEcdsaToDer, type HsmAlgorithm } from './pkcs11.js';
import { generateSigningKey, verifySignature } from './software.js';

const LIBRARY = process.env.CERTDESK_TEST_PKCS11_LIB || '/usr/lib/softhsm/libsofthsm2.so';
const tmp = tempDir('certdesk-hsm-');
let token: Pkcs11Token;

beforeAll(() => {
  if (!existsSync(LIBRARY))
    throw new Error(
      `SoftHSM2 is not installed (${LIBRARY} missing): apt-get install softhsm2 — the PKCS#11 signer cannot be tested without it`,
    );
  mkdirSync(tmp.path('tokens'));
  const conf = tmp.write('softhsm2.conf', `directories.tokendir = ${tmp.path('tokens')}\nobjectstore.backend = file\nlog.level = ERROR\n`);
  process.env.SOFTHSM2_CONF = conf;
  execFileSync('softhsm2-util', ['--init-token', '--free', '--label', 't', '--pin', '1234', '--so-pin', '5678'], { env: process.env });
  token = Pkcs11Token.open({ library: LIBRARY, tokenLabel: 't', pin: '1234' });
});
afterAll(() => {
  token?.close();
  tmp.remove();
});

describe('rawEcdsaToDer', () => {
  it.each([
    ['01'.repeat(32) + '02'.repeat(32), '3044022001010101010101010101010101010101010101010101010101010101010101010220' + '02'.repeat(32)],
    ['80' + '00'.repeat(31) + '00'.repeat(31) + '05', '3026022100' + '80' + '00'.repeat(31) + '020105'],
  ])('%s', (raw, der) => {
    expect(Buffer.from(rawEcdsaToDer(Buffer.from(raw, 'hex'))).toString('hex')).toBe(der);
  });
});

describe.each<HsmAlgorithm>(['ecdsa-p256', 'rsa-2048'])('PKCS#11 signer on SoftHSM2: %s', (alg) => {
  it('generates a non-extractable key, signs, and openssl verifies a certificate it issued', async () => {
    const label = `issuing-${alg}`;
    const spki = token.generateKeyPair(label, alg);
    expect(token.privateKeyFlags(label)).toEqual({ extractable: false, sensitive: true });
    const signer = token.signer(label, alg);
    const data = Buffer.from('to be signed');
    expect(verifySignature(spki, alg, data, await signer.sign(data))).toBe(true);

    // A CA certificate for the HSM key, signed by itself, then a leaf signed by the HSM key.
    const caName = encodeName({ C: 'CN', O: '江西省数字证书有限公司', CN: `HSM ${alg} CA` });
    const now = new Date(Math.floor(Date.now() / 1000) * 1000);
    const later = new Date(now.getTime() + 86_400_000);
    const caTbs = encodeTbs({
      serial: newSerial(),
      issuer: caName,
      subject: caName,
      notBefore: now,
      notAfter: later,
      spki,
      signatureAlgorithm: signer.signatureAlgorithm,
      extensions: {
        basicConstraints: { ca: true },
        keyUsage: ['keyCertSign', 'cRLSign'],
        subjectKeyId: keyIdentifier(spki),
        authorityKeyId: keyIdentifier(spki),
      },
    });
    const caDer = await signCertificate(caTbs, signer);
    const leafKey = await generateSigningKey(alg);
    const leafTbs = encodeTbs({
      serial: newSerial(),
      issuer: caName,
      subject: { C: 'CN', O: '南昌某某公司', CN: '南昌某某公司', uscc: '91360100MA35ABCD1X' },
      notBefore: now,
      notAfter: later,
      spki: leafKey.publicKeySpki,
      signatureAlgorithm: signer.signatureAlgorithm,
      extensions: {
        keyUsage: ['digitalSignature', 'nonRepudiation'],
        subjectKeyId: keyIdentifier(leafKey.publicKeySpki),
        authorityKeyId: keyIdentifier(spki),
      },
    });
    const leafDer = await signCertificate(leafTbs, signer);
    const ca = tmp.write(`${alg}-ca.pem`, certificatePem(caDer));
    const leaf = tmp.write(`${alg}-leaf.pem`, certificatePem(leafDer));
    const r = await opensslResult(['verify', '-check_ss_sig', '-CAfile', ca, leaf]);
    expect(r.out).toContain(`${leaf}: OK`);
  });
});
