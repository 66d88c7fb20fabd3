import 'reflect-metadata';
import { X509Certificate } from '@peculiar/x509';
import { afterAll, describe, expect, it } from 'vitest';
import { generateSigningKey, softwareSigner, verifySignature } from '../signer/software.js';
import type { KeyAlgorithm } from '../signer/port.js';
import { encodeTbs, EKU, keyIdentifier, keyUsageBits, signCertificate, type CertificateInput } from './build.js';
import { encodeName } from './name.js';
import { certificatePem, parseCertificate, parseTbs } from './parse.js';
import { newSerial } from './serial.js';
import { opensslResult, tempDir } from '../testing/openssl.js';

const tmp = tempDir();
afterAll(() => tmp.remove());

describe('keyUsageBits', () => {
  it.each([
    [['digitalSignature'], '03020780'],
    [['digitalSignature', 'nonRepudiation'], '030206c0'],
    [['keyCertSign', 'cRLSign'], '03020106'],
    [['digitalSignature', 'keyCertSign', 'cRLSign'], '03020186'],
    [['decipherOnly'], '0303070080'],
  ] as const)('%j → %s', (usages, hex) => {
    expect(Buffer.from(keyUsageBits(usages)).toString('hex')).toBe(hex);
  });
});

describe.each<KeyAlgorithm>(['sm2', 'ecdsa-p256', 'rsa-2048'])('%s self-signed certificate', (alg) => {
  it('encodes a TBS that parses back, signs it, and openssl reads and verifies it', async () => {
    const key = await generateSigningKey(alg);
    const signer = softwareSigner(key);
    const name = encodeName({ C: 'CN', O: '江西省数字证书有限公司', CN: `测试根 ${alg}`, uscc: '91360100MA35XXXX0A' });
    const ski = keyIdentifier(key.publicKeySpki);
    const input: CertificateInput = {
      serial: newSerial(),
      issuer: name,
      subject: name,
      notBefore: new Date('2026-01-01T00:00:00Z'),
      notAfter: new Date('2056-01-01T00:00:00Z'), // GeneralizedTime after 2049
      spki: key.publicKeySpki,
      signatureAlgorithm: signer.signatureAlgorithm,
      extensions: {
        basicConstraints: { ca: true, pathLength: 1 },
        keyUsage: ['keyCertSign', 'cRLSign'],
        extKeyUsage: [EKU.clientAuth],
        subjectKeyId: ski,
        authorityKeyId: ski,
        crlDistributionPoint: 'http://ca.example.cn/crl/a.crl',
        ocspUrl: 'http://ca.example.cn/ocsp',
        caIssuersUrl: 'http://ca.example.cn/ca.cer',
        policyOids: ['1.2.156.999.1.1'],
      },
    };
    const tbs = encodeTbs(input);
    const parsed = parseTbs(tbs);
    expect(parsed.version).toBe(2);
    expect(parsed.subjectFields).toEqual({ C: 'CN', O: '江西省数字证书有限公司', CN: `测试根 ${alg}`, uscc: '91360100MA35XXXX0A' });
    expect(parsed.notAfter.toISOString()).toBe('2056-01-01T00:00:00.000Z');
    expect(parsed.extensions.map((e) => e.oid)).toHaveLength(8);
    const der = await signCertificate(tbs, signer);
    const summary = parseCertificate(certificatePem(der));
    expect(summary.serialHex).toBe(Buffer.from(input.serial).toString('hex'));
    expect(verifySignature(key.publicKeySpki, alg, summary.tbs, summary.signature)).toBe(true);

    const x = new X509Certificate(new Uint8Array(der));
    expect(x.serialNumber.toLowerCase()).toBe(summary.serialHex);
    expect(x.notAfter.toISOString()).toBe('2056-01-01T00:00:00.000Z');

    const file = tmp.write(`${alg}.pem`, certificatePem(der));
    const text = await opensslResult(['x509', '-in', file, '-noout', '-text', '-nameopt', 'utf8,sep_comma_plus_space']);
    expect(text.code).toBe(0);
    expect(text.out).toContain('O=江西省数字证书有限公司');
    expect(text.out).toContain('serialNumber=91360100MA35XXXX0A');
    expect(text.out).toContain('CA:TRUE, pathlen:1');
    expect(text.out).toContain('Certificate Sign, CRL Sign');
    expect(text.out).toContain('URI:http://ca.example.cn/crl/a.crl');
    expect(text.out).toContain('OCSP - URI:http://ca.example.cn/ocsp');
    expect(text.out).toContain('Policy: 1.2.156.999.1.1');
    const verify = await opensslResult([
      'verify',
      ...(alg === 'sm2' ? ['-vfyopt', 'distid:1234567812345678'] : []),
      '-CAfile',
      file,
      '-attime',
      String(Date.parse('2030-01-01') / 1000),
      file,
    ]);
    expect(verify.out).toContain(': OK');
  });
});
