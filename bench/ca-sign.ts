/**
 * Certificate build-and-sign rate against raw signing with the same pre-loaded key (issue 6 goal: build and
 * sign at least 0.25x the raw signing rate), per family. For reference: raw SM2 through sm-crypto alone
 * (its own SM3 + Z per call) and through node:crypto (which signs SM2 with an empty ID, so the CA cannot
 * use it — shown only to put the sm-crypto figure in context).
 *
 *   npx tsx bench/ca-sign.ts            (one core; ~3 s per case)
 */
import { generateKeyPairSync, sign as nodeSign } from 'node:crypto';
import { sm2 } from 'sm-crypto';
import { encodeTbs, EKU, keyIdentifier, signCertificate, type CertificateInput } from '../src/ca/cert/build.js';
import { encodeName } from '../src/ca/cert/name.js';
import { newSerial } from '../src/ca/cert/serial.js';
import type { KeyAlgorithm } from '../src/ca/signer/port.js';
import { generateSigningKey, softwareSigner } from '../src/ca/signer/software.js';
import { spkiPublicKeyBits } from '../src/ca/spki.js';

const SECONDS = Number(process.env.BENCH_SECONDS || 3);

async function rate(name: string, fn: () => Promise<unknown> | unknown): Promise<number> {
  for (let i = 0; i < 50; i++) await fn(); // warm-up
  let n = 0;
  const t0 = performance.now();
  const end = t0 + SECONDS * 1000;
  while (performance.now() < end) {
    for (let i = 0; i < 20; i++) await fn();
    n += 20;
  }
  const perSec = n / ((performance.now() - t0) / 1000);
  console.log(`${name.padEnd(58)}${perSec.toFixed(0).padStart(9)} /s`);
  return perSec;
}

const issuerName = encodeName({ C: 'CN', O: '江西省数字证书有限公司', CN: '江西省数字证书有限公司 签发 CA' });
const at = new Date('2026-11-21T00:00:00Z');
const summary: string[] = [];

for (const family of ['ecdsa-p256', 'sm2'] as KeyAlgorithm[]) {
  const issuerKey = await generateSigningKey(family);
  const subjectKey = await generateSigningKey(family);
  const signer = softwareSigner(issuerKey);
  const aki = keyIdentifier(issuerKey.publicKeySpki);
  const input = (): CertificateInput => ({
    serial: newSerial(),
    issuer: issuerName,
    subject: { C: 'CN', O: '江西赣江新区示范科技发展有限责任公司', CN: '江西赣江新区示范科技发展有限责任公司', uscc: '91360100MA35XQ7T6B' },
    notBefore: at,
    notAfter: new Date('2027-11-20T23:59:59Z'),
    spki: subjectKey.publicKeySpki,
    signatureAlgorithm: signer.signatureAlgorithm,
    extensions: {
      keyUsage: ['digitalSignature', 'nonRepudiation'],
      extKeyUsage: [EKU.clientAuth],
      subjectKeyId: keyIdentifier(subjectKey.publicKeySpki),
      authorityKeyId: aki,
      crlDistributionPoint: 'https://ca.example.cn/crl/x/0.crl',
      ocspUrl: 'https://ca.example.cn/ocsp',
      caIssuersUrl: 'https://ca.example.cn/ca/x.cer',
      policyOids: ['1.2.156.112570.1.1'],
    },
  });
  const sampleTbs = encodeTbs(input());
  const raw = await rate(`${family}: raw sign of a ${sampleTbs.length}-byte TBS (pre-loaded key)`, () => signer.sign(sampleTbs));
  const encodeOnly = await rate(`${family}: encodeTbs only (serial + name + extensions)`, () => encodeTbs(input()));
  const built = await rate(`${family}: encodeTbs + signCertificate`, () => signCertificate(encodeTbs(input()), signer));
  summary.push(
    `${family}: build-and-sign ${built.toFixed(0)}/s = ${(built / raw).toFixed(2)}x raw ${raw.toFixed(0)}/s (goal ≥ 0.25x); encode alone ${encodeOnly.toFixed(0)}/s`,
  );
}

// SM2 reference: sm-crypto doing everything itself vs node:crypto (empty ID: not usable by the CA).
{
  const key = await generateSigningKey('sm2');
  const data = Buffer.alloc(700, 7);
  const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'SM2' });
  const pkcs8 = Buffer.from(key.privateKeyPkcs8);
  const privHex = pkcs8.subarray(pkcs8.length - 32 - 2 - 66 - 2 - 32, pkcs8.length - 2 - 66 - 2).toString('hex');
  const pubHex = Buffer.from(spkiPublicKeyBits(key.publicKeySpki)).toString('hex');
  const ourSigner = softwareSigner(key);
  const ours = await rate('sm2: CertDesk signer (node SM3 + OpenSSL kG + BigInt)', () => ourSigner.sign(data));
  const smc = await rate('sm2: sm-crypto doSignature(hash: true, der: true, userId)', () =>
    sm2.doSignature(Array.from(data), privHex, { hash: true, der: true, publicKey: pubHex, userId: '1234567812345678' }),
  );
  const node = await rate('sm2: node:crypto sign (empty ID — reference only)', () => nodeSign(null, data, privateKey));
  summary.push(`sm2 raw: CertDesk signer ${ours.toFixed(0)}/s, sm-crypto alone ${smc.toFixed(0)}/s, node:crypto ${node.toFixed(0)}/s`);
}
console.log('\n' + summary.join('\n'));
