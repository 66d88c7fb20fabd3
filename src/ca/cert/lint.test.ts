import { describe, expect, it, vi } from 'vitest';
import { integer, octetString, oid, printableString, sequence, utf8String } from '../der/der.js';
import { generateSigningKey, softwareSigner } from '../signer/software.js';
import type { Signer } from '../signer/port.js';
import { EKU, EXT, encodeTbs, keyIdentifier, type CertificateInput } from './build.js';
import { CertificateLintError, issueCertificate } from './issue.js';
import { lintTbs } from './lint.js';
import { encodeName } from './name.js';
import { issuingCaProfile, ocspResponderProfile, subscriberProfile, type CertificateProfile } from './profiles.js';
import { newSerial } from './serial.js';

const issuerKey = await generateSigningKey('sm2');
const issuer = softwareSigner(issuerKey);
const subjectKey = await generateSigningKey('sm2');
const p256Key = await generateSigningKey('ecdsa-p256');
const issuerName = encodeName({ C: 'CN', O: '江西省数字证书有限公司', CN: '江西省数字证书有限公司 SM2 签发 CA' });
const at = new Date('2026-11-21T00:00:00Z');
const POLICY = '1.2.156.112570.1.1';

function good(): CertificateInput {
  return {
    serial: newSerial(),
    issuer: issuerName,
    subject: { C: 'CN', O: '南昌某某公司', CN: '南昌某某公司', uscc: '91360100MA35ABCD1X' },
    notBefore: at,
    notAfter: new Date('2027-11-20T23:59:59Z'),
    spki: subjectKey.publicKeySpki,
    signatureAlgorithm: issuer.signatureAlgorithm,
    extensions: {
      keyUsage: ['digitalSignature', 'nonRepudiation'],
      extKeyUsage: [EKU.clientAuth, EKU.emailProtection],
      subjectKeyId: keyIdentifier(subjectKey.publicKeySpki),
      authorityKeyId: keyIdentifier(issuerKey.publicKeySpki),
      crlDistributionPoint: 'http://ca.example.cn/crl/sm2/0.crl',
      ocspUrl: 'http://ca.example.cn/ocsp',
      policyOids: [POLICY],
      uscc: '91360100MA35ABCD1X',
    },
  };
}
const profile = subscriberProfile('sm2', { policyOids: [POLICY] });
const codes = (input: CertificateInput, p: CertificateProfile = profile) => lintTbs(encodeTbs(input), p).map((x) => x.code);
const withExt = (patch: Partial<CertificateInput['extensions']>): CertificateInput => {
  const g = good();
  return { ...g, extensions: { ...g.extensions, ...patch } };
};

describe('lintTbs', () => {
  it('a good subscriber TBS has no problems', () => {
    expect(codes(good())).toEqual([]);
  });

  it.each<[string, CertificateInput, string]>([
    ['short serial', { ...good(), serial: Uint8Array.of(1, 2, 3, 4, 5, 6, 7, 8) }, 'serial.length'],
    ['validity over a year', { ...good(), notAfter: new Date('2028-01-01T00:00:00Z') }, 'validity.long'],
    ['notAfter before notBefore', { ...good(), notAfter: new Date('2026-01-01T00:00:00Z') }, 'validity.order'],
    ['no USCC', { ...good(), subject: { C: 'CN', O: '南昌某某公司', CN: '南昌某某公司' } }, 'subject.uscc'],
    ['no O', { ...good(), subject: { C: 'CN', CN: '南昌某某公司', uscc: '91360100MA35ABCD1X' } }, 'subject.O'],
    ['malformed USCC', { ...good(), subject: { C: 'CN', O: 'x', CN: 'x', uscc: '91360100MA35ABCDIO' } }, 'subject.uscc.format'],
    ['keyCertSign on a subscriber', withExt({ keyUsage: ['digitalSignature', 'nonRepudiation', 'keyCertSign'] }), 'ku.value'],
    ['a CA subscriber', withExt({ basicConstraints: { ca: true } }), 'bc.ca'],
    ['no CRL distribution point', withExt({ crlDistributionPoint: undefined }), 'ext.missing'],
    ['no OCSP URL', withExt({ ocspUrl: undefined }), 'ext.missing'],
    ['wrong EKU', withExt({ extKeyUsage: [EKU.serverAuth] }), 'eku.value'],
    // clientAuth alone: NSS refuses it for e-mail signing (vfychain -u 4, −8101), docs/certificate-profile.md.
    ['clientAuth alone', withExt({ extKeyUsage: [EKU.clientAuth] }), 'eku.value'],
    ['no GM/T 0015 USCC extension', withExt({ uscc: undefined }), 'ext.missing'],
    ['USCC extension differs from serialNumber', withExt({ uscc: '91360100MA35ABCD2X' }), 'ext.uscc'],
    [
      'USCC extension as UTF8String',
      withExt({ uscc: undefined, extra: [{ oid: EXT.gmt0015Uscc, critical: false, value: utf8String('91360100MA35ABCD1X') }] }),
      'ext.uscc',
    ],
    [
      'USCC extension marked critical',
      withExt({ uscc: undefined, extra: [{ oid: EXT.gmt0015Uscc, critical: true, value: printableString('91360100MA35ABCD1X') }] }),
      'ext.critical',
    ],
    ['policy missing', withExt({ policyOids: ['1.2.3.4'] }), 'policy.missing'],
    ['ocsp-nocheck on a subscriber', withExt({ ocspNoCheck: true }), 'ext.ocspNoCheck'],
    [
      'duplicate extension',
      withExt({ extra: [{ oid: EXT.subjectKeyId, critical: false, value: octetString(Uint8Array.of(1, 2, 3)) }] }),
      'ext.duplicate',
    ],
    ['unknown critical extension', withExt({ extra: [{ oid: '1.2.3.4.5', critical: true, value: sequence() }] }), 'ext.critical'],
    [
      'P-256 key under the SM2 profile',
      { ...good(), spki: p256Key.publicKeySpki, extensions: { ...good().extensions, subjectKeyId: Uint8Array.of(1) } },
      'key.family',
    ],
    [
      'SM2 subject key not on the curve (last byte of y changed)',
      { ...good(), spki: Uint8Array.from(subjectKey.publicKeySpki, (b, i) => (i === subjectKey.publicKeySpki.length - 1 ? b ^ 1 : b)) },
      'key.unsupported',
    ],
    [
      'ECDSA signature algorithm under an SM2 issuer',
      { ...good(), signatureAlgorithm: sequence(oid('1.2.840.10045.4.3.2')) },
      'sig.family',
    ],
  ])('%s → %s', (_name, input, code) => {
    expect(codes(input)).toContain(code);
  });

  it.each<[string, Partial<Record<'O' | 'CN' | 'OU' | 'L', string>>, string]>([
    ['zero-width space in O', { O: '南昌某某\u200b公司' }, 'O 含有不可见字符或控制字符（U+200B）'],
    ['zero-width joiner in CN', { CN: '南昌\u200d某某公司' }, 'CN 含有不可见字符或控制字符（U+200D）'],
    ['byte-order mark in CN', { CN: '\ufeff南昌某某公司' }, 'CN 含有不可见字符或控制字符（U+FEFF）'],
    ['right-to-left override in O', { O: '南昌\u202e司公某某' }, 'O 含有不可见字符或控制字符（U+202E）'],
    ['soft hyphen in OU', { OU: '财务\u00ad部' }, 'OU 含有不可见字符或控制字符（U+00AD）'],
    [
      'newline in O (a control character, even where the RA allows whitespace)',
      { O: '南昌某某\n公司' },
      'O 含有不可见字符或控制字符（U+000A）',
    ],
    ['NUL in L', { L: '南昌\u0000市' }, 'L 含有不可见字符或控制字符（U+0000）'],
  ])('refuses a subject with an invisible or control character: %s', (_name, patch, message) => {
    const input = { ...good(), subject: { ...(good().subject as object), ...patch } };
    const problems = lintTbs(encodeTbs(input), profile);
    expect(problems.map((p) => p.code)).toEqual(['subject.invisible']);
    expect(problems[0]!.message).toBe(`证书主题 ${message}：不能签发`);
  });

  it('a subject with an invisible character is never signed', async () => {
    const sign = vi.spyOn(issuer, 'sign');
    await expect(
      issueCertificate({
        input: { ...good(), subject: { C: 'CN', O: '南昌某某\u200b公司', CN: '南昌某某公司', uscc: '91360100MA35ABCD1X' } },
        profile,
        signer: issuer,
      }),
    ).rejects.toBeInstanceOf(CertificateLintError);
    expect(sign).not.toHaveBeenCalled();
    sign.mockRestore();
  });

  it('CA and OCSP profiles: basic constraints, path length and nocheck', () => {
    const ca = {
      ...withExt({
        basicConstraints: { ca: true, pathLength: 1 },
        keyUsage: ['digitalSignature', 'keyCertSign', 'cRLSign'],
        extKeyUsage: undefined,
      }),
    };
    expect(codes(ca, issuingCaProfile('sm2'))).toEqual(['bc.pathLength']);
    const ocsp = withExt({ keyUsage: ['digitalSignature'], extKeyUsage: [EKU.ocspSigning] });
    expect(codes(ocsp, ocspResponderProfile('sm2'))).toContain('ext.missing');
    expect(codes({ ...ocsp, extensions: { ...ocsp.extensions, ocspNoCheck: true } }, ocspResponderProfile('sm2'))).toEqual([]);
  });

  it('a renewal may run past a year exactly up to the end the validity rule gives (latestNotAfter), not a second more', () => {
    const renewedEnd = new Date('2028-11-20T23:59:59Z'); // a year past the old certificate's expiry
    const renewal = subscriberProfile('sm2', { policyOids: [POLICY], latestNotAfter: renewedEnd });
    expect(codes({ ...good(), notAfter: renewedEnd })).toContain('validity.long'); // without the rule's end: over a year
    expect(codes({ ...good(), notAfter: renewedEnd }, renewal)).toEqual([]);
    expect(codes({ ...good(), notAfter: new Date(renewedEnd.getTime() + 1000) }, renewal)).toEqual(['validity.long']);
    expect(codes({ ...good(), notAfter: new Date('2026-01-01T00:00:00Z') }, renewal)).toEqual(['validity.order']);
  });

  it('a TBS that is not DER gives one problem, not an exception', () => {
    expect(lintTbs(sequence(integer(1)), profile).map((p) => p.code)).toEqual(['tbs.unparseable']);
  });
});

describe('issueCertificate', () => {
  it('signs a good TBS once', async () => {
    const sign = vi.fn(issuer.sign);
    const spy: Signer = { ...issuer, sign };
    const { certDer } = await issueCertificate({ input: good(), profile, signer: spy });
    expect(certDer.length).toBeGreaterThan(300);
    expect(sign).toHaveBeenCalledTimes(1);
  });

  it('a deliberately broken profile or input signs nothing', async () => {
    const sign = vi.fn(issuer.sign);
    const spy: Signer = { ...issuer, sign };
    const broken: CertificateProfile = { ...profile, maxValidityDays: 30 };
    await expect(issueCertificate({ input: good(), profile: broken, signer: spy })).rejects.toThrow(CertificateLintError);
    const err = await issueCertificate({ input: withExt({ keyUsage: ['keyCertSign'] }), profile, signer: spy }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CertificateLintError);
    expect((err as CertificateLintError).message).toMatch(/密钥用法应为 digitalSignature\+nonRepudiation/);
    await expect(issueCertificate({ input: good(), profile: subscriberProfile('ecdsa-p256'), signer: spy })).rejects.toThrow(
      CertificateLintError,
    );
    expect(sign).not.toHaveBeenCalled();
  });
});
