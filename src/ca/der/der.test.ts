import { afterAll, describe, expect, it } from 'vitest';
import { openssl, tempDir } from '../testing/openssl.js';
import * as der from './der.js';

const tmp = tempDir('certdesk-der-');
afterAll(() => tmp.remove());
const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');

/** Each case: the encoding, its exact bytes, and what `openssl asn1parse` prints for it. */
const CASES: [string, Uint8Array, string, RegExp][] = [
  ['INTEGER 0', der.integer(0), '020100', /INTEGER\s+:00/],
  ['INTEGER 127', der.integer(127), '02017f', /INTEGER\s+:7F/],
  ['INTEGER 128 (padding byte)', der.integer(128), '02020080', /INTEGER\s+:80/],
  ['INTEGER 2^64', der.integer(2n ** 64n), '0209010000000000000000', /INTEGER\s+:010000000000000000/],
  ['serial with top bit set', der.unsignedInteger(Uint8Array.of(0xff, 0x01)), '020300ff01', /INTEGER\s+:FF01/],
  ['serial with leading zeros', der.unsignedInteger(Uint8Array.of(0, 0, 0x05)), '020105', /INTEGER\s+:05/],
  ['BOOLEAN TRUE', der.boolean(true), '0101ff', /BOOLEAN\s+:255/],
  ['NULL', der.NULL, '0500', /NULL/],
  ['OID sm2-with-SM3', der.oid('1.2.156.10197.1.501'), '06082a811ccf55018375', /OBJECT\s+:SM2-with-SM3/],
  ['OID ecdsa-with-SHA256', der.oid('1.2.840.10045.4.3.2'), '06082a8648ce3d040302', /OBJECT\s+:ecdsa-with-SHA256/],
  ['OID 2.999.1 (first arc 2, large second arc)', der.oid('2.999.1'), '0603883701', /OBJECT\s+:2\.999\.1/],
  ['UTF8String Chinese', der.utf8String('江西'), '0c06e6b19fe8a5bf', /UTF8STRING\s+:/],
  ['PrintableString', der.printableString('CN'), '1302434e', /PRINTABLESTRING\s+:CN/],
  ['IA5String', der.ia5String('http://a'), '1608687474703a2f2f61', /IA5STRING\s+:http:\/\/a/],
  ['UTCTime 2049', der.time(new Date('2049-12-31T23:59:59Z')), '170d3439313233313233353935395a', /UTCTIME\s+:491231235959Z/],
  [
    'GeneralizedTime 2050',
    der.time(new Date('2050-01-01T00:00:00Z')),
    '180f32303530303130313030303030305a',
    /GENERALIZEDTIME\s+:20500101000000Z/,
  ],
  ['BIT STRING', der.bitString(Uint8Array.of(1, 2)), '0303000102', /BIT STRING/],
  ['OCTET STRING', der.octetString(Uint8Array.of(0xab)), '0401ab', /OCTET STRING\s+\[HEX DUMP\]:AB/],
  ['[0] EXPLICIT INTEGER 2', der.explicit(0, der.integer(2)), 'a003020102', /cont \[ 0 \]/],
  ['[6] IMPLICIT URI', der.implicitPrimitive(6, Buffer.from('x')), '860178', /cont \[ 6 \]/],
  ['ENUMERATED 1', der.enumerated(1), '0a0101', /ENUMERATED\s+:01/],
  [
    'AlgorithmIdentifier with NULL',
    der.algorithmIdentifier('1.2.840.113549.1.1.11', der.NULL),
    '300d06092a864886f70d01010b0500',
    /sha256WithRSAEncryption/,
  ],
  ['SET of one SEQUENCE', der.set(der.sequence(der.integer(1))), '3105300302010' + '1', /SET/],
  ['long form length (200 bytes)', der.octetString(new Uint8Array(200)), '0481c8' + '00'.repeat(200), /l= 200/],
  ['long form length (300 bytes)', der.octetString(new Uint8Array(300)), '0482012c' + '00'.repeat(300), /l= 300/],
];

describe('DER primitives', () => {
  it.each(CASES)('%s', async (name, bytes, expectedHex, asn1parse) => {
    expect(hex(bytes)).toBe(expectedHex);
    const file = tmp.write(`${name.replace(/\W+/g, '_')}.der`, bytes);
    const { stdout } = await openssl(['asn1parse', '-inform', 'DER', '-in', file]);
    expect(stdout).toMatch(asn1parse);
  });

  it.each([
    [Uint8Array.of(0x30, 0x03, 0x02, 0x01, 0x05), { tag: 0x30, start: 2, end: 5, headerLength: 2 }],
    [Uint8Array.of(0x04, 0x81, 0x01, 0xaa), { tag: 0x04, start: 3, end: 4, headerLength: 3 }],
  ])('readTlv %#', (buf, expected) => {
    expect(der.readTlv(buf)).toEqual(expected);
  });

  it.each([[Uint8Array.of(0x30, 0x05, 0x02)], [Uint8Array.of(0x04)], [Uint8Array.of(0x04, 0x80)]])(
    'readTlv refuses truncated or indefinite %#',
    (buf) => {
      expect(() => der.readTlv(buf)).toThrow(RangeError);
    },
  );
});
