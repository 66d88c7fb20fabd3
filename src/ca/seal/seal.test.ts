/**
 * The GM/T 0031 (version 4) seal: build → DER → parse round-trips; the real openssl reads the DER
 * (asn1parse) and verifies the maker's SM2 signature over SES_SealInfo with SM3 and the standard ID
 * (pkeyutl -pkeyopt distid:1234567812345678); a changed picture, a foreign maker or malformed input fail.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseCertificate } from '../cert/parse.js';
import { octetString, oid, sequence } from '../der/der.js';
import { makeTestPki, openssl, opensslVerifySm2, tempDir, type TestPki } from '../testing/fixtures.js';
import { makeSeals, sealNameOf, type SealMaker } from './make.js';
import { encodeSealInfo, makeSeal, parseSeal, SealFormatError, verifySealSignature, type SealInfoInput } from './seal.js';

let pki: TestPki;
let maker: SealMaker;
let leafDer: Uint8Array;
let tmp: Awaited<ReturnType<typeof tempDir>>;

// A real (tiny) PNG: 1×1 red pixel with alpha.
const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8DwHwAFBQIAX8jx0gAAAABJRU5ErkJggg==', 'base64');

beforeAll(async () => {
  pki = await makeTestPki('sm2');
  maker = { certDer: pki.responder.der, signer: pki.responder.signer };
  leafDer = (await pki.issueLeaf({ cn: '南昌市某某科技有限公司' })).der;
  tmp = await tempDir('certdesk-seal-');
}, 60_000);
afterAll(() => tmp?.cleanup());

const input = (over: Partial<SealInfoInput> = {}): SealInfoInput => ({
  esId: 'CD20261121000000ABCDEF0123456789',
  type: 1,
  name: '南昌市某某科技有限公司电子公章',
  certs: [leafDer],
  createDate: new Date('2026-11-21T04:00:00Z'),
  validStart: new Date('2026-11-21T00:00:00Z'),
  validEnd: new Date('2027-11-20T23:59:59Z'),
  picture: { type: 'png', data: PNG, widthMm: 42, heightMm: 42 },
  ...over,
});

describe('SESeal (GM/T 0031 v4)', () => {
  it('round-trips: build → DER → parse gives back every field', async () => {
    const ext = { oid: '1.2.156.112570.99.1', critical: true, value: Buffer.from('ext') };
    const der = await makeSeal(input({ extDatas: [ext, { ...ext, critical: false }] }), maker);
    const s = parseSeal(der);
    expect(s.header).toEqual({ id: 'ES', version: 4, vid: 'CertDesk' });
    expect(s).toMatchObject({
      esId: 'CD20261121000000ABCDEF0123456789',
      type: 1,
      name: '南昌市某某科技有限公司电子公章',
      certListType: 1,
      createDate: new Date('2026-11-21T04:00:00Z'),
      validStart: new Date('2026-11-21T00:00:00Z'),
      validEnd: new Date('2027-11-20T23:59:59Z'),
      signAlgId: '1.2.156.10197.1.501',
    });
    expect(s.certs.map((c) => Buffer.from(c).toString('hex'))).toEqual([Buffer.from(leafDer).toString('hex')]);
    expect(s.picture).toMatchObject({ type: 'png', widthMm: 42, heightMm: 42 });
    expect(Buffer.from(s.picture.data).equals(PNG)).toBe(true);
    expect(s.extDatas.map((e) => [e.oid, e.critical, Buffer.from(e.value).toString()])).toEqual([
      ['1.2.156.112570.99.1', true, 'ext'],
      ['1.2.156.112570.99.1', false, 'ext'],
    ]);
    expect(Buffer.from(s.makerCertDer).equals(Buffer.from(maker.certDer))).toBe(true);
    // What was signed is exactly the encoder's SES_SealInfo.
    expect(Buffer.from(s.sealInfoDer).equals(Buffer.from(encodeSealInfo(input({ extDatas: [ext, { ...ext, critical: false }] }))))).toBe(
      true,
    );
    expect(verifySealSignature(s)).toMatchObject({ ok: true, reason: '制章人签名有效' });
  });

  it('openssl asn1parse reads the DER: header ES/4, the name, GeneralizedTimes, the picture, the maker certificate, SM2-with-SM3', async () => {
    const der = await makeSeal(input(), maker);
    const file = await tmp.file('seal.der', der);
    const r = await openssl(['asn1parse', '-inform', 'DER', '-in', file]);
    expect(r.code, r.out).toBe(0);
    expect(r.out).toMatch(/IA5STRING\s+:ES\n/);
    expect(r.out).toMatch(/INTEGER\s+:04\n/);
    expect(r.out).toMatch(/IA5STRING\s+:CertDesk\n/);
    expect(r.out).toMatch(/IA5STRING\s+:CD20261121000000ABCDEF0123456789\n/);
    expect(r.out).toMatch(/GENERALIZEDTIME\s+:20261121040000Z/);
    expect(r.out).toMatch(/GENERALIZEDTIME\s+:20271120235959Z/);
    expect(r.out).toMatch(/IA5STRING\s+:png\n/);
    expect(r.out).toMatch(/OBJECT\s+:SM2-with-SM3/);
    expect(r.out).toMatch(/BIT STRING/);
    // openssl prints UTF8STRING in its escaped form; the Chinese name's bytes are there.
    expect(r.out).toContain('UTF8STRING');
    // The whole structure is consumed: the top-level SEQUENCE spans the file exactly.
    expect(r.out.split('\n')[0]).toMatch(
      new RegExp(`^\\s*0:d=0\\s+hl=\\d+\\s+l=\\s*${der.length - (der[1]! & 0x80 ? 2 + (der[1]! & 0x7f) : 2)} cons: SEQUENCE`),
    );
    // The maker certificate inside the OCTET STRING is a certificate openssl reads.
    const s = parseSeal(der);
    const cert = await tmp.file('maker.der', s.makerCertDer);
    const x = await openssl(['x509', '-inform', 'DER', '-in', cert, '-noout', '-subject']);
    expect(x.out).toContain('OCSP Responder sm2');
  });

  it('the signature verifies independently: openssl pkeyutl SM3 + distid 1234567812345678 over SES_SealInfo (and not with another ID)', async () => {
    const s = parseSeal(await makeSeal(input(), maker));
    const spki = parseCertificate(s.makerCertDer).spki;
    expect(await opensslVerifySm2(spki, s.sealInfoDer, s.signature, tmp.dir)).toBe(true);
    expect(await opensslVerifySm2(spki, s.sealInfoDer, s.signature, tmp.dir, '0000000000000000')).toBe(false);
  });

  it('a tampered picture (or name) fails the maker signature; a foreign maker is not trusted', async () => {
    const der = Buffer.from(await makeSeal(input(), maker));
    // Flip a byte inside the PNG data (the IDAT payload) in place: the DER stays well-formed.
    const at = der.indexOf(PNG) + 40;
    const tampered = Buffer.from(der);
    tampered[at] = tampered[at]! ^ 0x01;
    const t = parseSeal(tampered);
    expect(Buffer.from(t.picture.data).equals(PNG)).toBe(false);
    expect(verifySealSignature(t)).toMatchObject({ ok: false, reason: expect.stringContaining('制章人签名验证失败') });
    const nameAt = der.indexOf(Buffer.from('电子公章'));
    const renamed = Buffer.from(der);
    renamed.write('电子私章', nameAt);
    expect(verifySealSignature(parseSeal(renamed)).ok).toBe(false);
    // A seal made by someone else's key (self-consistent) is not ours.
    const other = { certDer: pki.issuing.der, signer: pki.issuing.signer };
    const foreign = parseSeal(await makeSeal(input(), other));
    expect(verifySealSignature(foreign).ok).toBe(true);
    expect(verifySealSignature(foreign, { trustedMakers: [maker.certDer] })).toMatchObject({
      ok: false,
      reason: '制章人证书不是本 CA 的制章人证书',
    });
    expect(verifySealSignature(parseSeal(der), { trustedMakers: [maker.certDer] }).ok).toBe(true);
  });

  it('refuses to sign with a key that is not SM2', async () => {
    const ecdsa = await makeTestPki('ecdsa-p256');
    await expect(makeSeal(input(), { certDer: ecdsa.responder.der, signer: ecdsa.responder.signer })).rejects.toThrow(/SM2/);
  });

  const good = () => makeSeal(input(), maker).then((d) => Buffer.from(d));
  it.each<[string, () => Promise<Uint8Array>, RegExp]>([
    ['empty', async () => new Uint8Array(0), /电子印章数据为空/],
    ['not DER', async () => Buffer.from('hello, seal'), /外层结构（SESeal）类型不正确/],
    ['truncated', async () => (await good()).subarray(0, 200), /编码不完整|超出/],
    ['trailing bytes', async () => Buffer.concat([await good(), Buffer.from([0])]), /含有多余的内容/],
    [
      'header id not ES',
      async () => {
        const d = await good();
        const i = d.indexOf(Buffer.from([0x16, 0x02, 0x45, 0x53]));
        d[i + 2] = 0x58;
        return d;
      },
      /头信息的标识应为“ES”/,
    ],
    [
      'version 2',
      async () => {
        const d = await good();
        const i = d.indexOf(Buffer.from([0x16, 0x02, 0x45, 0x53, 0x02, 0x01, 0x04]));
        d[i + 6] = 0x02;
        return d;
      },
      /仅支持第 4 版电子印章，此印章为第 2 版/,
    ],
    ['a certificate instead of a seal', async () => leafDer, /类型不正确/],
    [
      'no signature value',
      async () => sequence(encodeSealInfo(input()), octetString(maker.certDer), oid('1.2.156.10197.1.501')),
      /缺少签名值/,
    ],
  ])('malformed: %s → a Chinese SealFormatError', async (_name, make, message) => {
    const der = await make();
    let err: unknown;
    try {
      parseSeal(der);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(SealFormatError);
    expect((err as Error).message).toMatch(message);
  });

  it('fuzz: any corrupted or truncated seal is a SealFormatError or parses; verification never throws', async () => {
    const der = Buffer.from(await makeSeal(input({ extDatas: [{ oid: '1.2.3.4', critical: true, value: Buffer.from('x') }] }), maker));
    let parsed = 0;
    for (let i = 0; i < 300; i++) {
      const d = Buffer.from(der);
      const at = Math.floor(Math.random() * d.length);
      if (i % 4 === 0) d[at] = Math.floor(Math.random() * 256);
      else if (i % 4 === 1) d[at] = d[at]! ^ (1 << (i % 8));
      const candidate = i % 4 === 2 ? d.subarray(0, at) : i % 4 === 3 ? Buffer.concat([d.subarray(0, at), d.subarray(at + 1)]) : d;
      try {
        const s = parseSeal(candidate);
        // The signature check is pure-JS SM2 (slow): a sample of the parsed ones is enough.
        if (parsed++ < 12) expect(typeof verifySealSignature(s, { trustedMakers: [maker.certDer] }).ok).toBe('boolean');
      } catch (e) {
        expect(e, String(e)).toBeInstanceOf(SealFormatError);
      }
    }
    expect(parsed).toBeGreaterThan(0);
  });

  it('a signature algorithm other than SM2-with-SM3 is reported', async () => {
    const s = parseSeal(await makeSeal(input(), maker));
    expect(verifySealSignature({ ...s, signAlgId: '1.2.840.10045.4.3.2' })).toMatchObject({
      ok: false,
      reason: expect.stringContaining('不是 SM2/SM3'),
    });
  });
});

describe('makeSeals: one per impression, bound to the certificate and valid as long as it', () => {
  it('company → type 1, legal-person, signature and 入赣负责人 → type 2; validity = the certificate’s; each verifies', async () => {
    const cert = parseCertificate(leafDer);
    const now = new Date();
    const made = await makeSeals({
      certificate: leafDer,
      images: [
        { kind: 'company', png: PNG, widthMm: 41.6, heightMm: 42.2 },
        { kind: 'legal-person', png: PNG, widthMm: 20, heightMm: 20 },
        { kind: 'signature', png: PNG, widthMm: 35, heightMm: 14 },
        { kind: 'in-gan-manager', png: PNG, widthMm: 20, heightMm: 20 },
      ],
      maker,
      names: { unit: '南昌市某某科技有限公司', legalPerson: '张三', inGanManager: '李四' },
      now,
    });
    expect(made.map((m) => [m.kind, m.type, m.name])).toEqual([
      ['company', 1, '南昌市某某科技有限公司电子公章'],
      ['legal-person', 2, '张三（南昌市某某科技有限公司法定代表人）电子私章'],
      ['signature', 2, '张三（南昌市某某科技有限公司法定代表人）电子签名'],
      ['in-gan-manager', 2, '李四（南昌市某某科技有限公司入赣负责人）电子私章'],
    ]);
    expect(new Set(made.map((m) => m.esId)).size).toBe(4);
    for (const m of made) {
      const s = parseSeal(m.der);
      expect(s.validStart).toEqual(cert.notBefore);
      expect(s.validEnd).toEqual(cert.notAfter);
      expect(Buffer.from(s.certs[0]!).equals(Buffer.from(leafDer))).toBe(true);
      expect(verifySealSignature(s, { trustedMakers: [maker.certDer] }).ok).toBe(true);
      expect(s.esId).toMatch(/^CD\d{14}[0-9A-F]{16}$/);
    }
    expect(parseSeal(made[0]!.der).picture).toMatchObject({ widthMm: 42, heightMm: 42 });
    expect(sealNameOf('company', { unit: 'U', legalPerson: 'L' }).type).toBe(1);
  });

  it('refuses a picture that is not a PNG and two images of one kind', async () => {
    const base = { certificate: leafDer, maker, names: { unit: 'U', legalPerson: 'L' }, now: new Date() };
    await expect(
      makeSeals({ ...base, images: [{ kind: 'company', png: Buffer.from('GIF89a....'), widthMm: 40, heightMm: 40 }] }),
    ).rejects.toThrow(/not a PNG/);
    await expect(
      makeSeals({
        ...base,
        images: [
          { kind: 'company', png: PNG, widthMm: 40, heightMm: 40 },
          { kind: 'company', png: PNG, widthMm: 40, heightMm: 40 },
        ],
      }),
    ).rejects.toThrow(/two images/);
  });
});
