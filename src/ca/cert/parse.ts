/**
 * Reading certificates back: the lint parses every TBS we encode (so it checks the bytes that get signed,
 * not the input that was meant), and the registry summarises certificates (its own and imported ones).
 * A small strict DER walker, enough for RFC 5280 certificates; @peculiar/x509 cross-checks it in tests.
 */
import { readTlv } from '../der/der.js';
import { nameFieldOfOid, type NameFields } from './name.js';
import type { RawExtension } from './build.js';

export interface ParsedTbs {
  /** 0-based version number (2 = v3). */
  version: number;
  /** Serial INTEGER contents as encoded (two's complement, may start with 0x00). */
  serialContent: Uint8Array;
  serialHex: string;
  signatureAlgorithmOid: string;
  /** The inner signature AlgorithmIdentifier DER. */
  signatureAlgorithm: Uint8Array;
  issuer: Uint8Array;
  notBefore: Date;
  notAfter: Date;
  subject: Uint8Array;
  subjectFields: NameFields;
  /** Every attribute of the subject, in order (for multi-valued or unknown ones). */
  subjectAttributes: { oid: string; tag: number; value: string }[];
  spki: Uint8Array;
  extensions: RawExtension[];
}

export interface CertificateSummary extends ParsedTbs {
  tbs: Uint8Array;
  outerSignatureAlgorithmOid: string;
  signature: Uint8Array;
}

export function decodeOid(content: Uint8Array): string {
  // Numbers while an arc fits in 2^53 (every OID we meet); BigInt only for a longer arc (e.g. UUID arcs).
  const arcs: (number | bigint)[] = [];
  let v = 0;
  let big: bigint | undefined;
  for (const b of content) {
    if (big !== undefined) big = (big << 7n) | BigInt(b & 0x7f);
    else if (v < 2 ** 45) v = v * 128 + (b & 0x7f);
    else big = (BigInt(v) << 7n) | BigInt(b & 0x7f);
    if (!(b & 0x80)) {
      arcs.push(big ?? v);
      v = 0;
      big = undefined;
    }
  }
  const first = arcs.shift() ?? 0;
  const head = typeof first === 'bigint' ? [2n, first - 80n] : first < 80 ? [Math.floor(first / 40), first % 40] : [2, first - 80];
  return [...head, ...arcs].join('.');
}

export function decodeString(tag: number, content: Uint8Array): string {
  const b = Buffer.from(content.buffer, content.byteOffset, content.length);
  if (tag === 0x1e) return Buffer.from(b).swap16().toString('utf16le'); // BMPString (UTF-16BE)
  if (tag === 0x0c) return b.toString('utf8');
  return b.toString('latin1');
}

export function decodeTime(tag: number, content: Uint8Array): Date {
  const s = Buffer.from(content).toString('latin1');
  const m =
    tag === 0x17 ? /^(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})Z$/.exec(s) : /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})Z$/.exec(s);
  if (!m) throw new RangeError(`bad time ${s}`);
  let year = Number(m[1]);
  if (tag === 0x17) year += year < 50 ? 2000 : 1900; // RFC 5280 4.1.2.5.1
  return new Date(Date.UTC(year, Number(m[2]) - 1, Number(m[3]), Number(m[4]), Number(m[5]), Number(m[6])));
}

/** Children of a constructed TLV whose contents span [start, end); `at` is where each child's header begins. */
export function children(buf: Uint8Array, start: number, end: number) {
  const out: { tag: number; start: number; end: number; headerLength: number; at: number }[] = [];
  for (let at = start; at < end;) {
    const t = readTlv(buf, at);
    if (t.end > end) throw new RangeError('DER child overruns its parent');
    out.push({ tag: t.tag, start: t.start, end: t.end, headerLength: t.headerLength, at });
    at = t.end;
  }
  return out;
}

const slice = (buf: Uint8Array, t: { start: number; end: number; headerLength: number }) => buf.subarray(t.start - t.headerLength, t.end);

export function parseName(name: Uint8Array): { fields: NameFields; attributes: { oid: string; tag: number; value: string }[] } {
  const outer = readTlv(name, 0);
  if (outer.tag !== 0x30) throw new RangeError('Name is not a SEQUENCE');
  const fields: NameFields = {};
  const attributes: { oid: string; tag: number; value: string }[] = [];
  for (const rdn of children(name, outer.start, outer.end)) {
    if (rdn.tag !== 0x31) throw new RangeError('RDN is not a SET');
    for (const atv of children(name, rdn.start, rdn.end)) {
      const [type, value] = children(name, atv.start, atv.end);
      if (!type || !value || type.tag !== 0x06) throw new RangeError('bad AttributeTypeAndValue');
      const o = decodeOid(name.subarray(type.start, type.end));
      const v = decodeString(value.tag, name.subarray(value.start, value.end));
      attributes.push({ oid: o, tag: value.tag, value: v });
      const f = nameFieldOfOid(o);
      if (f && fields[f] === undefined) fields[f] = v;
    }
  }
  return { fields, attributes };
}

export function parseTbs(tbs: Uint8Array): ParsedTbs {
  const outer = readTlv(tbs, 0);
  if (outer.tag !== 0x30 || outer.end !== tbs.length) throw new RangeError('TBSCertificate is not one SEQUENCE');
  const items = children(tbs, outer.start, outer.end);
  let i = 0;
  let version = 0;
  if (items[0]?.tag === 0xa0) {
    const v = readTlv(tbs, items[0].start);
    version = Number(BigInt('0x' + (Buffer.from(tbs.subarray(v.start, v.end)).toString('hex') || '0')));
    i = 1;
  }
  const [serial, sigAlg, issuer, validity, subject, spki, ...rest] = items.slice(i);
  if (!serial || !sigAlg || !issuer || !validity || !subject || !spki) throw new RangeError('TBSCertificate is missing fields');
  if (serial.tag !== 0x02) throw new RangeError('serial is not an INTEGER');
  const serialContent = tbs.subarray(serial.start, serial.end);
  const sigOid = readTlv(tbs, sigAlg.start);
  const [nb, na] = children(tbs, validity.start, validity.end);
  if (!nb || !na) throw new RangeError('bad validity');
  const subjectDer = slice(tbs, subject);
  const name = parseName(subjectDer);
  const extensions: RawExtension[] = [];
  for (const r of rest) {
    if (r.tag !== 0xa3) continue; // issuerUniqueID/subjectUniqueID: never ours, ignored
    const seq = readTlv(tbs, r.start);
    for (const ext of children(tbs, seq.start, seq.end)) {
      const parts = children(tbs, ext.start, ext.end);
      const extOid = parts[0];
      let critical = false;
      let valueTlv = parts[1];
      if (valueTlv?.tag === 0x01) {
        critical = tbs[valueTlv.start] !== 0;
        valueTlv = parts[2];
      }
      if (!extOid || !valueTlv || valueTlv.tag !== 0x04) throw new RangeError('bad Extension');
      extensions.push({
        oid: decodeOid(tbs.subarray(extOid.start, extOid.end)),
        critical,
        value: tbs.subarray(valueTlv.start, valueTlv.end),
      });
    }
  }
  let serialHex = Buffer.from(serialContent).toString('hex');
  while (serialHex.startsWith('00') && serialHex.length > 2) serialHex = serialHex.slice(2);
  return {
    version,
    serialContent,
    serialHex,
    signatureAlgorithmOid: decodeOid(tbs.subarray(sigOid.start, sigOid.end)),
    signatureAlgorithm: slice(tbs, sigAlg),
    issuer: slice(tbs, issuer),
    notBefore: decodeTime(nb.tag, tbs.subarray(nb.start, nb.end)),
    notAfter: decodeTime(na.tag, tbs.subarray(na.start, na.end)),
    subject: subjectDer,
    subjectFields: name.fields,
    subjectAttributes: name.attributes,
    spki: slice(tbs, spki),
    extensions,
  };
}

/** Accepts DER or PEM ("CERTIFICATE" label). */
export function pemToDer(input: Uint8Array | string, label = 'CERTIFICATE'): Uint8Array {
  const text = typeof input === 'string' ? input : input[0] === 0x2d ? Buffer.from(input).toString('latin1') : undefined;
  if (text === undefined) return input as Uint8Array;
  const m = new RegExp(`-----BEGIN ${label}-----([\\s\\S]*?)-----END ${label}-----`).exec(text);
  if (!m) throw new RangeError(`no PEM ${label} block`);
  return new Uint8Array(Buffer.from(m[1]!.replace(/\s+/g, ''), 'base64'));
}

/** Summary of a certificate (DER or PEM): the TBS fields plus the outer signature. */
export function parseCertificate(input: Uint8Array | string): CertificateSummary {
  const der = pemToDer(input);
  const outer = readTlv(der, 0);
  const [tbs, alg, sig] = children(der, outer.start, outer.end);
  if (!tbs || !alg || !sig || sig.tag !== 0x03) throw new RangeError('not a Certificate');
  const algOid = readTlv(der, alg.start);
  const tbsDer = slice(der, tbs);
  return {
    ...parseTbs(tbsDer),
    tbs: tbsDer,
    outerSignatureAlgorithmOid: decodeOid(der.subarray(algOid.start, algOid.end)),
    signature: der.subarray(sig.start + 1, sig.end),
  };
}

export const certificatePem = (der: Uint8Array): string =>
  `-----BEGIN CERTIFICATE-----\n${Buffer.from(der)
    .toString('base64')
    .replace(/.{1,64}/g, '$&\n')}-----END CERTIFICATE-----\n`;
