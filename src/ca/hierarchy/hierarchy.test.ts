import { randomBytes } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { keyIdentifier } from '../cert/build.js';
import { issueCertificate } from '../cert/issue.js';
import { certificatePem, parseCertificate } from '../cert/parse.js';
import { SUBSCRIBER_EKU, subscriberProfile } from '../cert/profiles.js';
import { newSerial } from '../cert/serial.js';
import type { KeyAlgorithm } from '../signer/port.js';
import { generateSigningKey } from '../signer/software.js';
import { opensslResult, tempDir } from '../testing/openssl.js';
import { rmSync } from 'node:fs';
import { verifySignature } from '../signer/software.js';
import { addAuditSigner, addSealMaker, CaHierarchyError, initCaHierarchy, loadCaHierarchy } from './hierarchy.js';

const tmp = tempDir();
afterAll(() => tmp.remove());
const kek = new Uint8Array(randomBytes(32));
const now = new Date();
const families: KeyAlgorithm[] = ['sm2', 'ecdsa-p256', 'rsa-2048'];
const ready = initCaHierarchy({
  dir: tmp.path('ca'),
  kek,
  families,
  organization: '江西省数字证书有限公司',
  baseUrl: 'http://ca.example.cn/',
  now,
});

describe('CA hierarchy', () => {
  it('writes certificates and encrypted keys, refuses to overwrite, loads back without the root key', async () => {
    const h = await ready;
    expect(Object.keys(h.families).sort()).toEqual([...families].sort());
    const files = readdirSync(tmp.path('ca/sm2')).sort();
    expect(files).toEqual([
      'audit.key',
      'audit.pem',
      'issuing.key',
      'issuing.pem',
      'ocsp.key',
      'ocsp.pem',
      'root.key',
      'root.pem',
      'seal.key',
      'seal.pem',
    ]);
    // The seal maker is SM2 only (GM/T 0031 signs with SM2/SM3).
    expect(readdirSync(tmp.path('ca/ecdsa-p256')).sort()).toEqual([
      'issuing.key',
      'issuing.pem',
      'ocsp.key',
      'ocsp.pem',
      'root.key',
      'root.pem',
    ]);
    expect(h.families['ecdsa-p256']!.seal).toBeUndefined();
    expect(readFileSync(tmp.path('ca/sm2/issuing.key'), 'utf8')).toMatch(/^CERTDESK-ENCRYPTED-KEY v1/);
    await expect(initCaHierarchy({ dir: tmp.path('ca'), kek, baseUrl: 'http://x' })).rejects.toThrow(CaHierarchyError);
    const again = await loadCaHierarchy({ dir: tmp.path('ca'), kek });
    expect(again.families.sm2!.issuing.nameText).toBe('CN=江西省数字证书有限公司 SM2 签发 CA, O=江西省数字证书有限公司, C=CN');
    await expect(loadCaHierarchy({ dir: tmp.path('ca'), kek: new Uint8Array(randomBytes(32)) })).rejects.toThrow(
      /wrong key-encryption key/,
    );
    await expect(loadCaHierarchy({ dir: tmp.path('nothing'), kek })).rejects.toThrow(/ca:init/);
  });

  it.each(families)('%s: subscriber certificate verifies with openssl against root + issuing; OCSP responder too', async (family) => {
    const h = await ready;
    const f = h.families[family]!;
    const subscriberKey = await generateSigningKey(family);
    const notBefore = new Date(Math.floor(now.getTime() / 1000) * 1000);
    const { certDer } = await issueCertificate({
      profile: subscriberProfile(family, { policyOids: ['1.2.156.112570.1.1'] }),
      signer: f.issuing.signer,
      input: {
        serial: newSerial(),
        issuer: f.issuing.nameDer,
        subject: { C: 'CN', O: '南昌市某某科技有限公司', CN: '南昌市某某科技有限公司', uscc: '91360100MA35ABCD1X' },
        notBefore,
        notAfter: new Date(notBefore.getTime() + 365 * 86_400_000),
        spki: subscriberKey.publicKeySpki,
        signatureAlgorithm: f.issuing.signer.signatureAlgorithm,
        extensions: {
          keyUsage: ['digitalSignature', 'nonRepudiation'],
          extKeyUsage: SUBSCRIBER_EKU,
          uscc: '91360100MA35ABCD1X',
          subjectKeyId: keyIdentifier(subscriberKey.publicKeySpki),
          authorityKeyId: f.issuing.keyId,
          crlDistributionPoint: `http://ca.example.cn/crl/${family}/0.crl`,
          ocspUrl: 'http://ca.example.cn/ocsp',
          caIssuersUrl: `http://ca.example.cn/ca/${family}.cer`,
          policyOids: ['1.2.156.112570.1.1'],
        },
      },
    });
    expect(parseCertificate(certDer).subjectFields.uscc).toBe('91360100MA35ABCD1X');
    const leaf = tmp.write(`${family}-leaf.pem`, certificatePem(certDer));
    const root = path.join(h.dir, family, 'root.pem');
    const issuing = path.join(h.dir, family, 'issuing.pem');
    const text = await opensslResult(['x509', '-in', leaf, '-noout', '-text', '-nameopt', 'utf8,sep_comma_plus_space']);
    expect(text.code).toBe(0);
    for (const s of [
      'O=南昌市某某科技有限公司',
      'CN=南昌市某某科技有限公司',
      'serialNumber=91360100MA35ABCD1X',
      'Digital Signature, Non Repudiation',
      'TLS Web Client Authentication',
      `URI:http://ca.example.cn/crl/${family}/0.crl`,
      'OCSP - URI:http://ca.example.cn/ocsp',
      'Policy: 1.2.156.112570.1.1',
      family === 'sm2' ? 'SM2-with-SM3' : family === 'ecdsa-p256' ? 'ecdsa-with-SHA256' : 'sha256WithRSAEncryption',
    ])
      expect(text.out).toContain(s);
    const distid = family === 'sm2' ? ['-vfyopt', 'distid:1234567812345678'] : [];
    const ocspPem = path.join(h.dir, family, 'ocsp.pem');
    if (family !== 'sm2') {
      const ok = await opensslResult(['verify', '-CAfile', root, '-untrusted', issuing, leaf]);
      expect(ok.out).toContain(`${leaf}: OK`);
      const ocsp = await opensslResult(['verify', '-CAfile', root, '-untrusted', issuing, ocspPem]);
      expect(ocsp.out).toContain(': OK');
    } else {
      // OpenSSL 3.0's `verify -vfyopt distid:…` applies the ID to the target certificate only; the untrusted
      // intermediate is checked without it and fails (reproduced with a chain made entirely by openssl
      // x509 -req -sigopt distid:…). So the chain is proven link by link: root → issuing, issuing → leaf.
      const link1 = await opensslResult(['verify', ...distid, '-CAfile', root, issuing]);
      expect(link1.out).toContain(`${issuing}: OK`);
      const link2 = await opensslResult(['verify', ...distid, '-partial_chain', '-CAfile', issuing, leaf]);
      expect(link2.out).toContain(`${leaf}: OK`);
      const link3 = await opensslResult(['verify', ...distid, '-partial_chain', '-CAfile', issuing, ocspPem]);
      expect(link3.out).toContain(`${ocspPem}: OK`);
    }
    const ocspText = await opensslResult(['x509', '-in', ocspPem, '-noout', '-text']);
    expect(ocspText.out).toContain('OCSP Signing');
    expect(ocspText.out).toContain('OCSP No Check');
    if (family === 'sm2') {
      // Without the standard ID the SM2 signature does not verify: the ID really is 1234567812345678.
      const wrong = await opensslResult(['verify', '-vfyopt', 'distid:0000000000000000', '-partial_chain', '-CAfile', issuing, leaf]);
      expect(wrong.out).not.toContain(`${leaf}: OK`);
    }
  });
});

describe('seal maker (制章人)', () => {
  it('is issued by the SM2 issuing CA: digitalSignature + nonRepudiation, no EKU, not a CA, 5 years; openssl verifies it', async () => {
    const h = await ready;
    const seal = h.families.sm2!.seal!;
    expect(seal.nameText).toBe('CN=江西省数字证书有限公司 SM2 电子印章制章人, O=江西省数字证书有限公司, C=CN');
    const c = parseCertificate(seal.certDer);
    expect(c.notAfter.getTime() - c.notBefore.getTime()).toBeGreaterThan(4.9 * 365 * 86_400_000);
    const pemFile = path.join(h.dir, 'sm2', 'seal.pem');
    const text = await opensslResult(['x509', '-in', pemFile, '-noout', '-text']);
    expect(text.out).toContain('Digital Signature, Non Repudiation');
    expect(text.out).not.toContain('Extended Key Usage');
    expect(text.out).not.toContain('CA:TRUE');
    expect(text.out).toContain('SM2-with-SM3');
    const v = await opensslResult([
      'verify',
      '-vfyopt',
      'distid:1234567812345678',
      '-partial_chain',
      '-CAfile',
      path.join(h.dir, 'sm2', 'issuing.pem'),
      pemFile,
    ]);
    expect(v.out).toContain(`${pemFile}: OK`);
    // Its signer is the key of that certificate.
    const data = new TextEncoder().encode('SES_SealInfo');
    expect(verifySignature(c.spki, 'sm2', data, await seal.signer.sign(data))).toBe(true);
  });

  it('can be added to a hierarchy made before seals existed, once', async () => {
    const dir = tmp.path('old-ca');
    await initCaHierarchy({ dir, kek, families: ['sm2'], baseUrl: 'http://ca.example.cn', now });
    rmSync(path.join(dir, 'sm2', 'seal.pem'));
    rmSync(path.join(dir, 'sm2', 'seal.key'));
    expect((await loadCaHierarchy({ dir, kek })).families.sm2!.seal).toBeUndefined();
    const h = await addSealMaker({ dir, kek });
    expect(h.families.sm2!.seal!.nameText).toContain('电子印章制章人');
    expect(parseCertificate(h.families.sm2!.seal!.certDer).issuer).toEqual(h.families.sm2!.issuing.nameDer);
    await expect(addSealMaker({ dir, kek })).rejects.toThrow(CaHierarchyError);
  });
});

describe('audit signer (审计日志签名)', () => {
  it('is issued by the SM2 issuing CA, not a CA; openssl verifies it and a signature it makes with the standard SM2 ID', async () => {
    const h = await ready;
    const a = h.families.sm2!.audit!;
    expect(a.nameText).toBe('CN=江西省数字证书有限公司 SM2 审计日志签名, O=江西省数字证书有限公司, C=CN');
    const pemFile = path.join(h.dir, 'sm2', 'audit.pem');
    const text = await opensslResult(['x509', '-in', pemFile, '-noout', '-text']);
    expect(text.out).toContain('Digital Signature, Non Repudiation');
    expect(text.out).not.toContain('CA:TRUE');
    const v = await opensslResult([
      'verify',
      '-vfyopt',
      'distid:1234567812345678',
      '-partial_chain',
      '-CAfile',
      path.join(h.dir, 'sm2', 'issuing.pem'),
      pemFile,
    ]);
    expect(v.out).toContain(`${pemFile}: OK`);
    // A checkpoint-like message, signed by the key and checked by openssl against the certificate's key.
    const t = tempDir();
    try {
      const data = 'certdesk-audit-checkpoint-v1\nperiodic\n42\n' + 'ab'.repeat(32) + '\n';
      t.write('msg', data);
      t.write('sig', await a.signer.sign(new TextEncoder().encode(data)));
      await opensslResult(['x509', '-in', pemFile, '-pubkey', '-noout', '-out', t.path('pub.pem')]);
      const ok = await opensslResult([
        'dgst',
        '-sm3',
        '-verify',
        t.path('pub.pem'),
        '-sigopt',
        'distid:1234567812345678',
        '-signature',
        t.path('sig'),
        t.path('msg'),
      ]);
      expect(ok.out).toContain('Verified OK');
      t.write('msg', data.replace('42', '43'));
      const bad = await opensslResult([
        'dgst',
        '-sm3',
        '-verify',
        t.path('pub.pem'),
        '-sigopt',
        'distid:1234567812345678',
        '-signature',
        t.path('sig'),
        t.path('msg'),
      ]);
      expect(bad.out).not.toContain('Verified OK');
    } finally {
      t.remove();
    }
  });

  it('can be added to a hierarchy made before the audit chain existed, once', async () => {
    const dir = tmp.path('old-ca-audit');
    await initCaHierarchy({ dir, kek, families: ['sm2'], baseUrl: 'http://ca.example.cn', now });
    rmSync(path.join(dir, 'sm2', 'audit.pem'));
    rmSync(path.join(dir, 'sm2', 'audit.key'));
    expect((await loadCaHierarchy({ dir, kek })).families.sm2!.audit).toBeUndefined();
    const h = await addAuditSigner({ dir, kek });
    expect(parseCertificate(h.families.sm2!.audit!.certDer).issuer).toEqual(h.families.sm2!.issuing.nameDer);
    await expect(addAuditSigner({ dir, kek })).rejects.toThrow(CaHierarchyError);
  });
});
