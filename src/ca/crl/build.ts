/**
 * Certificate revocation lists (RFC 5280 section 5), encoded directly in DER.
 *
 * Why not a library: @peculiar/x509's CRL generator re-concatenates the list per entry (quadratic: 100,000
 * entries took 522 s here) and writes an empty crlEntryExtensions SEQUENCE for entries without a reason,
 * which RFC 5280 5.1.2.6 forbids ("if present, [it] MUST contain at least one extension" — X.690 DER of an
 * OPTIONAL SEQUENCE OF SIZE (1..MAX)). Here every entry is encoded once, straight into one buffer sized in
 * advance, so the time grows linearly with the number of entries.
 *
 * Sharding (Let's Encrypt style): the revoked certificates of one issuing CA are split by serial number
 * over a fixed number of shards (`shardOf`), each shard its own CRL at `<base>/crl/<family>/<shard>.crl`
 * (`crlShardUrl`), carrying a critical issuingDistributionPoint with that URL; the certificate's CRL
 * distribution point names the same URL. The shard count is fixed per issuing CA when it starts issuing
 * (the URL is inside every certificate) and chosen so that no shard grows past ~100,000 entries.
 */
import type { Signer } from '../signer/port.js';
import { bitString, boolean, explicit, implicitPrimitive, integer, lengthBytes, octetString, oid, sequence } from '../der/der.js';

/** RFC 5280 5.3.1 CRLReason values (7 is not used). */
export const CRL_REASON = {
  unspecified: 0,
  keyCompromise: 1,
  cACompromise: 2,
  affiliationChanged: 3,
  superseded: 4,
  cessationOfOperation: 5,
  certificateHold: 6,
  removeFromCRL: 8,
  privilegeWithdrawn: 9,
  aACompromise: 10,
} as const;

export interface CrlEntry {
  /** The serial number's unsigned big-endian magnitude. */
  serial: Uint8Array;
  revokedAt: Date;
  /** RFC 5280 5.3.1 CRLReason; leave out for unspecified (5.3.1: "the reason code CRL entry extension SHOULD be absent instead of using the unspecified (0) reasonCode value"). */
  reason?: number;
}

export interface BuildCrlInput {
  /** The issuing CA's subject Name, DER (the CRL issuer, RFC 5280 5.1.2.3). */
  issuerNameDer: Uint8Array;
  /** The issuing CA's subject key identifier, which the CRL's authorityKeyIdentifier repeats (5.2.1, MUST). */
  authorityKeyId: Uint8Array;
  signer: Signer;
  thisUpdate: Date;
  nextUpdate: Date;
  /** Monotonically increasing per CRL scope (5.2.3, MUST); at most 20 octets. */
  crlNumber: bigint;
  entries: Iterable<CrlEntry>;
  /** For a shard: its URL, written as a critical issuingDistributionPoint (5.2.5). */
  distributionPoint?: string;
}

const OID_CRL_NUMBER = oid('2.5.29.20');
const OID_AKI = oid('2.5.29.35');
const OID_IDP = oid('2.5.29.28');
const VERSION_2 = integer(1); // RFC 5280 5.1.2.1: v2 (integer 1), required when extensions are present.

// The reason code entry extension, whole, is 14 bytes: Extensions SEQUENCE { Extension SEQUENCE {
// extnID 2.5.29.21, extnValue OCTET STRING { ENUMERATED reason } } }; only the last byte varies.
const REASON_EXTENSIONS = Uint8Array.of(0x30, 0x0c, 0x30, 0x0a, 0x06, 0x03, 0x55, 0x1d, 0x15, 0x04, 0x03, 0x0a, 0x01, 0x00);

/** Builds and signs a v2 CRL; returns its DER. */
export async function buildCrl(input: BuildCrlInput): Promise<Uint8Array> {
  // Sizes first (the entries are materialised once so an iterator may be given), so the one buffer is exact.
  const list = Array.isArray(input.entries) ? (input.entries as CrlEntry[]) : [...input.entries];
  let entriesSize = 0;
  for (const e of list) entriesSize += 2 + entryContentSize(e);
  const encoder = new CrlEncoder(input, entriesSize);
  encoder.add(list);
  return encoder.finish();
}

export type CrlHeader = Omit<BuildCrlInput, 'entries'>;

/**
 * The most an entry of `serialOctets` magnitude octets (leading zeros dropped) can take: SEQUENCE header,
 * INTEGER with a possible sign octet, a UTCTime, and the reason extension. For sizing a buffer from counts.
 */
export const CRL_ENTRY_OVERHEAD_MAX = 2 + 3 + 15;
export const CRL_REASON_EXTENSION_SIZE = 14;

/**
 * A CRL built incrementally: entries are added in pages (as they stream from the database) and written once,
 * straight into one buffer; `finish` wraps and signs. The buffer is sized from `entriesCapacity` (an upper
 * bound computed from counts, see CRL_ENTRY_OVERHEAD_MAX) and grows only if more entries arrive than
 * announced, so memory is the CRL itself plus one page — 1,000,000 entries need no per-entry objects at all.
 *
 * Layout: room in front for the outer, TBS and revokedCertificates headers and the fixed head fields (their
 * lengths are known only at the end, so they are written backwards from the first entry), the entries, then
 * the extensions, the signature algorithm and a signature of up to 1,024 bytes (RSA-8192).
 */
export class CrlEncoder {
  private buf: Buffer;
  private readonly head: Uint8Array[];
  private readonly headSize: number;
  private readonly extensions: Uint8Array;
  private readonly tail: number;
  private readonly front: number;
  private at: number;
  private count = 0;

  constructor(
    private readonly input: CrlHeader,
    entriesCapacity: number,
  ) {
    const { signer } = input;
    if (input.nextUpdate.getTime() <= input.thisUpdate.getTime()) throw new RangeError('nextUpdate must be after thisUpdate');
    if (input.crlNumber < 0n || input.crlNumber >= 1n << 159n) throw new RangeError('crlNumber must fit in 20 octets'); // 5.2.3
    this.head = [VERSION_2, signer.signatureAlgorithm, input.issuerNameDer, crlTime(input.thisUpdate), crlTime(input.nextUpdate)];
    this.headSize = this.head.reduce((n, h) => n + h.length, 0);
    const extensions = [
      extension(OID_AKI, false, sequence(implicitPrimitive(0, input.authorityKeyId))),
      extension(OID_CRL_NUMBER, false, integer(input.crlNumber)),
    ];
    if (input.distributionPoint !== undefined) {
      // IssuingDistributionPoint ::= SEQUENCE { distributionPoint [0] DistributionPointName { fullName [0]
      // GeneralNames { uniformResourceIdentifier [6] IA5String } } } — critical (5.2.5, MUST).
      const uri = implicitPrimitive(6, Buffer.from(input.distributionPoint, 'latin1'));
      extensions.push(extension(OID_IDP, true, sequence(explicit(0, explicit(0, uri)))));
    }
    this.extensions = explicit(0, sequence(...extensions));
    this.front = 6 + 6 + this.headSize + 6; // three headers of at most 6 bytes (lengths < 2^32) and the head
    this.tail = this.extensions.length + signer.signatureAlgorithm.length + 1_100;
    this.buf = Buffer.allocUnsafe(this.front + Math.max(0, entriesCapacity) + this.tail);
    this.at = this.front;
  }

  /** Entries written so far. */
  get entries(): number {
    return this.count;
  }

  /** Encodes a page of entries (validating each: serial length, date, reason). */
  add(page: Iterable<CrlEntry>): void {
    for (const e of page) {
      const size = entryContentSize(e);
      if (this.at + 2 + size + this.tail > this.buf.length) this.grow(2 + size);
      this.at = writeEntry(this.buf, this.at, e, size);
      this.count++;
    }
  }

  private grow(need: number): void {
    const bigger = Buffer.allocUnsafe(Math.max(this.buf.length + need + this.tail, Math.ceil(this.buf.length * 1.25)));
    this.buf.copy(bigger, 0, 0, this.at);
    this.buf = bigger;
  }

  /** Wraps the entries (TBS, signature) and signs; returns the CRL's DER (a view of the encoder's buffer). */
  async finish(): Promise<Uint8Array> {
    const { buf, front } = this;
    const entriesSize = this.at - front;
    const revokedHeader = this.count ? Uint8Array.from([0x30, ...lengthBytes(entriesSize)]) : new Uint8Array(0);
    const tbsContent = this.headSize + revokedHeader.length + entriesSize + this.extensions.length;
    const tbsHeader = Uint8Array.from([0x30, ...lengthBytes(tbsContent)]);
    let start = front - revokedHeader.length;
    buf.set(revokedHeader, start);
    for (let i = this.head.length - 1; i >= 0; i--) {
      start -= this.head[i]!.length;
      buf.set(this.head[i]!, start);
    }
    start -= tbsHeader.length;
    buf.set(tbsHeader, start);
    let at = this.at;
    buf.set(this.extensions, at);
    at += this.extensions.length;
    if (at - start !== tbsHeader.length + tbsContent) throw new Error('CRL size mismatch');

    const signature = bitString(await this.input.signer.sign(buf.subarray(start, at)));
    const alg = this.input.signer.signatureAlgorithm;
    if (at + alg.length + signature.length > buf.length) throw new Error('signature too long');
    buf.set(alg, at);
    at += alg.length;
    buf.set(signature, at);
    at += signature.length;
    const outerHeader = Uint8Array.from([0x30, ...lengthBytes(at - start)]);
    start -= outerHeader.length;
    buf.set(outerHeader, start);
    return buf.subarray(start, at);
  }
}

/** PEM with the label OpenSSL expects for a CRL (RFC 7468 section 6: `X509 CRL`). */
export function crlPem(der: Uint8Array): string {
  const b64 = Buffer.from(der.buffer, der.byteOffset, der.byteLength).toString('base64');
  return `-----BEGIN X509 CRL-----\n${b64.replace(/.{1,64}/g, '$&\n')}-----END X509 CRL-----\n`;
}

/**
 * Which shard a serial belongs to: the serial (as an unsigned integer) modulo the shard count. Serials carry
 * at least 64 random bits, so the shards fill evenly; the rule depends only on the serial, so a certificate's
 * shard (and the CRL URL in it) never changes.
 */
export function shardOf(serialMagnitude: Uint8Array, shardCount: number): number {
  if (!Number.isInteger(shardCount) || shardCount < 1 || shardCount > 2 ** 20) throw new RangeError('shardCount must be 1..1048576');
  let r = 0;
  for (const b of serialMagnitude) r = (r * 256 + b) % shardCount; // exact: r * 256 + b < 2^29
  return r;
}

/** The shard count that keeps every shard under `maxPerShard` entries for an expected number of revocations (with 2x headroom). */
export function shardCountFor(expectedRevoked: number, maxPerShard = 100_000): number {
  return Math.max(1, Math.ceil((2 * expectedRevoked) / maxPerShard));
}

/** The URL of a shard's CRL: `<base>/crl/<family>/<shard>.crl` (the same string goes in the certificate's CRL DP and the CRL's IDP). */
export function crlShardUrl(baseUrl: string, family: string, shard: number): string {
  return `${baseUrl.replace(/\/+$/, '')}/crl/${encodeURIComponent(family)}/${shard}.crl`;
}

function extension(id: Uint8Array, critical: boolean, value: Uint8Array): Uint8Array {
  return critical ? sequence(id, boolean(true), octetString(value)) : sequence(id, octetString(value));
}

/** RFC 5280 5.1.2.4 / 5.1.2.6: UTCTime through 2049, GeneralizedTime from 2050. */
function crlTime(d: Date): Uint8Array {
  const out = Buffer.allocUnsafe(timeSize(d.getTime()));
  writeTime(out, 0, d.getTime());
  return out;
}

const Y1950 = Date.UTC(1950, 0, 1);
const Y2050 = Date.UTC(2050, 0, 1);
const Y10000 = Date.UTC(10000, 0, 1);

function timeSize(ms: number): number {
  if (!(ms >= Y1950 && ms < Y10000)) throw new RangeError('date invalid or out of range'); // NaN fails too
  return ms < Y2050 ? 15 : 17;
}

function writeTwo(buf: Uint8Array, at: number, v: number): void {
  buf[at] = 0x30 + ((v / 10) | 0);
  buf[at + 1] = 0x30 + (v % 10);
}

/**
 * Writes the Time TLV for `ms` (already range-checked by timeSize). The civil date comes from the epoch
 * arithmetic of H. Hinnant's days_from_civil inverse rather than six Date getters: this runs once per entry.
 */
function writeTime(buf: Uint8Array, at: number, ms: number): number {
  const secs = Math.floor(ms / 1000);
  const days = Math.floor(secs / 86400);
  const sod = secs - days * 86400;
  const z = days + 719468;
  const era = Math.floor(z / 146097);
  const doe = z - era * 146097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const day = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const month = mp < 10 ? mp + 3 : mp - 9;
  const year = yoe + era * 400 + (month <= 2 ? 1 : 0);
  if (ms < Y2050) {
    buf[at++] = 0x17;
    buf[at++] = 13;
    writeTwo(buf, at, year % 100);
    at += 2;
  } else {
    buf[at++] = 0x18;
    buf[at++] = 15;
    writeTwo(buf, at, (year / 100) | 0);
    writeTwo(buf, at + 2, year % 100);
    at += 4;
  }
  writeTwo(buf, at, month);
  writeTwo(buf, at + 2, day);
  writeTwo(buf, at + 4, (sod / 3600) | 0);
  writeTwo(buf, at + 6, ((sod % 3600) / 60) | 0);
  writeTwo(buf, at + 8, sod % 60);
  buf[at + 10] = 0x5a; // 'Z'
  return at + 11;
}

/** Index of the first significant byte of a serial magnitude (DER INTEGERs are minimal: leading zeros dropped). */
function firstSignificant(m: Uint8Array): number {
  let i = 0;
  while (i < m.length - 1 && m[i] === 0) i++;
  return i;
}

/** The entry's content length; validates the entry (serial length, date, reason). */
function entryContentSize(e: CrlEntry): number {
  const m = e.serial;
  let serialLen = 1;
  if (m.length > 0) {
    const first = firstSignificant(m);
    serialLen = m.length - first + (m[first]! & 0x80 ? 1 : 0);
  }
  if (serialLen > 20) throw new RangeError('serial longer than 20 octets'); // RFC 5280 4.1.2.2
  let size = 2 + serialLen + timeSize(e.revokedAt.getTime());
  const r = e.reason;
  if (r !== undefined) {
    if (!Number.isInteger(r) || r < 0 || r > 10 || r === 7) throw new RangeError(`bad CRL reason ${r}`);
    if (r !== CRL_REASON.unspecified) size += REASON_EXTENSIONS.length;
  }
  return size;
}

/** revokedCertificates entry: SEQUENCE { userCertificate INTEGER, revocationDate Time, crlEntryExtensions only with a reason }. */
function writeEntry(buf: Uint8Array, at: number, e: CrlEntry, contentSize: number): number {
  buf[at++] = 0x30;
  buf[at++] = contentSize;
  const m = e.serial;
  buf[at++] = 0x02;
  if (m.length === 0) {
    buf[at++] = 1;
    buf[at++] = 0;
  } else {
    const first = firstSignificant(m);
    const pad = m[first]! & 0x80 ? 1 : 0;
    buf[at++] = m.length - first + pad;
    if (pad) buf[at++] = 0;
    for (let i = first; i < m.length; i++) buf[at++] = m[i]!;
  }
  at = writeTime(buf, at, e.revokedAt.getTime());
  if (e.reason !== undefined && e.reason !== CRL_REASON.unspecified) {
    for (let i = 0; i < REASON_EXTENSIONS.length - 1; i++) buf[at++] = REASON_EXTENSIONS[i]!;
    buf[at++] = e.reason;
  }
  return at;
}
