import { describe, expect, it } from 'vitest';
import { oid } from '../der/der.js';
import { readTlv } from '../der/der.js';
import { decodeOid } from './parse.js';

const content = (der: Uint8Array) => {
  const t = readTlv(der, 0);
  return der.subarray(t.start, t.end);
};

describe('decodeOid', () => {
  it.each([
    '1.2.156.10197.1.301',
    '1.2.840.10045.3.1.7',
    '2.5.29.15',
    '0.9.2342.19200300.100.1.25',
    '2.999.1',
    // An arc past 2^53 (X.667 UUID OID): decoded exactly, not rounded.
    '2.25.329800735698586629295641978511506172918',
    '1.2.9007199254740993.5',
  ])('%s', (text) => {
    expect(decodeOid(content(oid(text)))).toBe(text);
  });
});
