/**
 * parseCrl reads the fields the server serves a CRL by (times, number) and checks an operator's root CRL by
 * (issuer, AKI, signature), without walking the entries. Table-driven over CRLs built here, with openssl as
 * the oracle for what the bytes say; malformed input is refused with a RangeError.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifySignature } from '../signer/software.js';
import { makeTestPki, openssl, tempDir, type TestPki } from '../testing/fixtures.js';
import { buildCrl, type BuildCrlInput } from './build.js';
import { parseCrl } from './parse.js';

let pki: TestPki;
let tmp: Awaited<ReturnType<typeof tempDir>>;
const T = new Date('2026-11-20T08:00:00Z');
const DAY = 86_400_000;

beforeAll(async () => {
  pki = await makeTestPki('ecdsa-p256', T);
  tmp = await tempDir();
});
afterAll(() => tmp?.cleanup());

const input = (over: Partial<BuildCrlInput>): BuildCrlInput => ({
  issuerNameDer: pki.issuing.nameDer,
  authorityKeyId: pki.issuing.keyId,
  signer: pki.issuing.signer,
  thisUpdate: T,
  nextUpdate: new Date(T.getTime() + 7 * DAY),
  crlNumber: 1n,
  entries: [],
  ...over,
});

const serial = (n: number) => Buffer.from(n.toString(16).padStart(32, '0'), 'hex');

describe('parseCrl', () => {
  it.each([
    ['empty, number 1', {}],
    [
      'three entries, one with a reason',
      { entries: [1, 2, 3].map((n) => ({ serial: serial(n), revokedAt: T, reason: n === 2 ? 1 : undefined })) },
    ],
    ['a shard with its critical IDP', { distributionPoint: 'http://ca.example.cn/crl/ecdsa-p256/7.crl', crlNumber: 4711n }],
    ['a 20-octet CRL number', { crlNumber: (1n << 158n) + 12345n }],
    ['a number with the high bit set (sign octet)', { crlNumber: 0x80n }],
    [
      'GeneralizedTime from 2050 (RFC 5280 5.1.2.4)',
      { thisUpdate: new Date('2050-01-02T03:04:05Z'), nextUpdate: new Date('2050-01-09T03:04:05Z') },
    ],
    [
      '5,000 entries (the list is skipped by its length)',
      { entries: Array.from({ length: 5000 }, (_, n) => ({ serial: serial(n + 1), revokedAt: T })) },
    ],
  ] as [string, Partial<BuildCrlInput>][])('%s: the fields the bytes carry, as openssl reads them', async (name, over) => {
    const i = input(over);
    const der = await buildCrl(i);
    const p = parseCrl(der);
    expect(p.crlNumber).toBe(i.crlNumber);
    expect(p.thisUpdate).toEqual(i.thisUpdate);
    expect(p.nextUpdate).toEqual(i.nextUpdate);
    expect(Buffer.from(p.issuerNameDer).equals(Buffer.from(i.issuerNameDer))).toBe(true);
    expect(Buffer.from(p.authorityKeyId!).equals(Buffer.from(i.authorityKeyId))).toBe(true);
    expect(p.hasIssuingDistributionPoint).toBe(i.distributionPoint !== undefined);
    expect(verifySignature(pki.issuing.key.publicKeySpki, 'ecdsa-p256', p.tbs, p.signature)).toBe(true);
    const file = await tmp.file(`${name.replace(/\W+/g, '-')}.crl`, der);
    const out = (await openssl(['crl', '-inform', 'DER', '-in', file, '-noout', '-crlnumber', '-lastupdate', '-nextupdate'])).out;
    expect(BigInt(`0x${/crlNumber=0x([0-9A-F]+)/i.exec(out)![1]}`)).toBe(p.crlNumber);
    expect(new Date(/lastUpdate=(.+)/.exec(out)![1]!)).toEqual(p.thisUpdate);
    expect(new Date(/nextUpdate=(.+)/.exec(out)![1]!)).toEqual(p.nextUpdate);
  });

  it('a CRL without nextUpdate or extensions (RFC 5280 allows the syntax) reads as null, not as an error', () => {
    // SEQUENCE { SEQUENCE { AlgId, Name, UTCTime }, AlgId, BIT STRING } built by hand: v1, no extensions.
    const alg = Buffer.from('300a06082a8648ce3d040302', 'hex');
    const name = Buffer.from('300d310b300906035504061302434e', 'hex');
    const time = Buffer.concat([Buffer.from([0x17, 13]), Buffer.from('261120080000Z', 'latin1')]);
    const tbsBody = Buffer.concat([alg, name, time]);
    const tbs = Buffer.concat([Buffer.from([0x30, tbsBody.length]), tbsBody]);
    const sig = Buffer.from([0x03, 0x03, 0x00, 0x01, 0x02]);
    const body = Buffer.concat([tbs, alg, sig]);
    const p = parseCrl(Buffer.concat([Buffer.from([0x30, body.length]), body]));
    expect(p).toMatchObject({ crlNumber: null, nextUpdate: null, authorityKeyId: null, hasIssuingDistributionPoint: false });
    expect(p.thisUpdate).toEqual(T);
  });

  it.each([
    ['nothing', ''],
    ['not a SEQUENCE', '0400'],
    ['truncated', '3082ffff30'],
    ['an empty SEQUENCE', '3000'],
    ['bytes after the CRL', 'TRAILING'],
    ['a certificate-shaped SEQUENCE without times', '3010300a06082a8648ce3d0403023000030100'],
  ])('refuses %s', async (_name, hexOrTag) => {
    let der: Uint8Array;
    if (hexOrTag === 'TRAILING') der = Buffer.concat([await buildCrl(input({})), Buffer.from([0])]);
    else der = Buffer.from(hexOrTag, 'hex');
    expect(() => parseCrl(der)).toThrow(RangeError);
  });
});
