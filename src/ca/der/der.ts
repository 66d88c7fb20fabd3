/**
 * DER (X.690) encoding for the CA's hot paths: certificates, CRLs and OCSP responses are assembled from
 * these pieces directly, because the general-purpose builders spend milliseconds per object in JavaScript
 * (docs/ca-core.md). Every artefact built from them is checked with the openssl tool in tests.
 *
 * Values are Uint8Array (Buffers are fine); `tlv` copies once into a buffer of the exact size.
 */

/** Length octets: short form below 128, long form above (X.690 8.1.3). */
export function lengthBytes(n: number): Uint8Array {
  if (n < 0x80) return Uint8Array.of(n);
  const out: number[] = [];
  for (let v = n; v > 0; v = Math.floor(v / 256)) out.unshift(v & 0xff);
  return Uint8Array.of(0x80 | out.length, ...out);
}

/** Concatenates the parts into one new buffer. */
export function concat(parts: readonly Uint8Array[]): Uint8Array {
  let size = 0;
  for (const p of parts) size += p.length;
  const out = Buffer.allocUnsafe(size);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** One TLV with the given identifier octet; the contents are the concatenated parts. */
export function tlv(tag: number, ...contents: Uint8Array[]): Uint8Array {
  let size = 0;
  for (const c of contents) size += c.length;
  const len = lengthBytes(size);
  const out = Buffer.allocUnsafe(1 + len.length + size);
  out[0] = tag;
  out.set(len, 1);
  let at = 1 + len.length;
  for (const c of contents) {
    out.set(c, at);
    at += c.length;
  }
  return out;
}

export const TAG = {
  BOOLEAN: 0x01,
  INTEGER: 0x02,
  BIT_STRING: 0x03,
  OCTET_STRING: 0x04,
  NULL: 0x05,
  OID: 0x06,
  ENUMERATED: 0x0a,
  UTF8_STRING: 0x0c,
  PRINTABLE_STRING: 0x13,
  IA5_STRING: 0x16,
  UTC_TIME: 0x17,
  GENERALIZED_TIME: 0x18,
  SEQUENCE: 0x30,
  SET: 0x31,
} as const;

export const sequence = (...c: Uint8Array[]) => tlv(TAG.SEQUENCE, ...c);
export const set = (...c: Uint8Array[]) => tlv(TAG.SET, ...c);
export const octetString = (bytes: Uint8Array) => tlv(TAG.OCTET_STRING, bytes);
export const NULL = Uint8Array.of(0x05, 0x00);
export const boolean = (v: boolean) => Uint8Array.of(0x01, 0x01, v ? 0xff : 0x00);
export const utf8String = (s: string) => tlv(TAG.UTF8_STRING, Buffer.from(s, 'utf8'));
export const printableString = (s: string) => tlv(TAG.PRINTABLE_STRING, Buffer.from(s, 'latin1'));
export const ia5String = (s: string) => tlv(TAG.IA5_STRING, Buffer.from(s, 'latin1'));
/** BIT STRING with no unused bits (signatures, public keys, DER-encoded key usage is separate). */
export const bitString = (bytes: Uint8Array) => tlv(TAG.BIT_STRING, Uint8Array.of(0), bytes);
/** [n] EXPLICIT (constructed context-specific). */
export const explicit = (n: number, ...c: Uint8Array[]) => tlv(0xa0 | n, ...c);
/** [n] IMPLICIT primitive: the contents of the underlying type, retagged. */
export const implicitPrimitive = (n: number, contents: Uint8Array) => tlv(0x80 | n, contents);

/**
 * INTEGER from its unsigned big-endian magnitude (serial numbers): leading zero bytes dropped, one 0x00
 * added when the top bit is set, so the value stays positive (RFC 5280 4.1.2.2).
 */
export function unsignedInteger(magnitude: Uint8Array): Uint8Array {
  let i = 0;
  while (i < magnitude.length - 1 && magnitude[i] === 0) i++;
  const m = magnitude.subarray(i);
  return (m[0] ?? 0) & 0x80 ? tlv(TAG.INTEGER, Uint8Array.of(0), m) : tlv(TAG.INTEGER, m.length ? m : Uint8Array.of(0));
}

/** INTEGER from a small non-negative number or bigint (versions, CRL numbers). */
export function integer(value: number | bigint): Uint8Array {
  let v = BigInt(value);
  if (v < 0n) throw new RangeError('negative INTEGER not supported');
  const bytes: number[] = [];
  do {
    bytes.unshift(Number(v & 0xffn));
    v >>= 8n;
  } while (v > 0n);
  return unsignedInteger(Uint8Array.from(bytes));
}

export const enumerated = (value: number) => tlv(TAG.ENUMERATED, integer(value).subarray(2));

const oidCache = new Map<string, Uint8Array>();
/** OBJECT IDENTIFIER from dotted text; encodings are cached (the same few OIDs recur in every object). */
export function oid(dotted: string): Uint8Array {
  const hit = oidCache.get(dotted);
  if (hit) return hit;
  const arcs = dotted.split('.').map((a) => BigInt(a));
  if (arcs.length < 2) throw new RangeError(`bad OID ${dotted}`);
  const body: number[] = [];
  const push = (v: bigint) => {
    const chunk: number[] = [Number(v & 0x7fn)];
    for (v >>= 7n; v > 0n; v >>= 7n) chunk.unshift(Number(v & 0x7fn) | 0x80);
    body.push(...chunk);
  };
  push(arcs[0]! * 40n + arcs[1]!);
  for (const a of arcs.slice(2)) push(a);
  const enc = tlv(TAG.OID, Uint8Array.from(body));
  oidCache.set(dotted, enc);
  return enc;
}

const pad = (n: number, w = 2) => String(n).padStart(w, '0');

/**
 * RFC 5280 4.1.2.5: UTCTime through 2049, GeneralizedTime from 2050, both in UTC with seconds and no
 * fractions. CRLs and OCSP use GeneralizedTime where their ASN.1 says so (use generalizedTime then).
 */
export function time(d: Date): Uint8Array {
  return d.getUTCFullYear() < 2050 ? utcTime(d) : generalizedTime(d);
}

export function utcTime(d: Date): Uint8Array {
  const s = `${pad(d.getUTCFullYear() % 100)}${pad(d.getUTCMonth() + 1)}${pad(d.getUTCDate())}${pad(d.getUTCHours())}${pad(d.getUTCMinutes())}${pad(d.getUTCSeconds())}Z`;
  return tlv(TAG.UTC_TIME, Buffer.from(s, 'latin1'));
}

export function generalizedTime(d: Date): Uint8Array {
  const s = `${pad(d.getUTCFullYear(), 4)}${pad(d.getUTCMonth() + 1)}${pad(d.getUTCDate())}${pad(d.getUTCHours())}${pad(d.getUTCMinutes())}${pad(d.getUTCSeconds())}Z`;
  return tlv(TAG.GENERALIZED_TIME, Buffer.from(s, 'latin1'));
}

/** AlgorithmIdentifier. */
export const algorithmIdentifier = (algOid: string, params?: Uint8Array) =>
  params ? sequence(oid(algOid), params) : sequence(oid(algOid));

/** Reads one TLV at `at`: its tag, where its contents start and end. Enough for walking DER we produced or parsed. */
export function readTlv(buf: Uint8Array, at = 0): { tag: number; start: number; end: number; headerLength: number } {
  const tag = buf[at];
  let lenByte = buf[at + 1];
  if (tag === undefined || lenByte === undefined) throw new RangeError('truncated DER');
  let len = 0;
  let start = at + 2;
  if (lenByte & 0x80) {
    const n = lenByte & 0x7f;
    if (n === 0 || n > 4) throw new RangeError('unsupported DER length');
    for (let i = 0; i < n; i++) {
      lenByte = buf[start + i];
      if (lenByte === undefined) throw new RangeError('truncated DER');
      len = len * 256 + lenByte;
    }
    start += n;
  } else len = lenByte;
  const end = start + len;
  if (end > buf.length) throw new RangeError('truncated DER');
  return { tag, start, end, headerLength: start - at };
}

/** r || s (each n bytes) → DER SEQUENCE { INTEGER r, INTEGER s }. */
export function rawEcdsaToDer(raw: Uint8Array): Uint8Array {
  if (raw.length % 2) throw new RangeError('raw ECDSA signature of odd length');
  const half = raw.length / 2;
  return sequence(unsignedInteger(raw.subarray(0, half)), unsignedInteger(raw.subarray(half)));
}
