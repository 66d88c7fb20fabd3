/**
 * Reads what a server needs from a signed CRL (RFC 5280 5.1) without walking its entries: the issuer, the
 * times, the CRL number, the signed part and its signature. The revokedCertificates list is skipped by its
 * length, so a million-entry CRL (~40 MB) is read in a few TLV steps.
 *
 * Used when a CRL is stored for serving (its HTTP headers come from these fields of the signed bytes, not
 * from bookkeeping beside them) and when an operator's root CRL is taken in (issuer and signature checked).
 */
import { readTlv } from '../der/der.js';
import { decodeOid, decodeTime } from '../cert/parse.js';

export interface ParsedCrl {
  /** The TBSCertList, DER (what the signature covers). */
  tbs: Uint8Array;
  /** The outer signatureAlgorithm AlgorithmIdentifier, DER. */
  signatureAlgorithm: Uint8Array;
  /** The signature value (the BIT STRING's contents after its unused-bits octet). */
  signature: Uint8Array;
  /** The issuer Name, DER. */
  issuerNameDer: Uint8Array;
  thisUpdate: Date;
  /** Optional in RFC 5280's syntax (5.1.2.5: conforming issuers MUST include it). */
  nextUpdate: Date | null;
  /** The cRLNumber extension (5.2.3), or null without one. */
  crlNumber: bigint | null;
  /** The authorityKeyIdentifier's keyIdentifier (5.2.1), or null without one. */
  authorityKeyId: Uint8Array | null;
  /** Whether an issuingDistributionPoint is present (5.2.5): a partial CRL (a shard) carries one. */
  hasIssuingDistributionPoint: boolean;
}

const TAG_UTC_TIME = 0x17;
const TAG_GENERALIZED_TIME = 0x18;
const isTime = (tag: number | undefined) => tag === TAG_UTC_TIME || tag === TAG_GENERALIZED_TIME;

function unsignedBig(content: Uint8Array): bigint {
  if (content.length === 0 || content.length > 21 || (content[0]! & 0x80) !== 0)
    throw new RangeError('CRL number is not a positive INTEGER of at most 20 octets');
  return BigInt(`0x${Buffer.from(content).toString('hex')}`);
}

/** Parses a CRL's DER; throws RangeError on anything that is not a well-formed CertificateList. */
export function parseCrl(der: Uint8Array): ParsedCrl {
  const outer = readTlv(der, 0);
  if (outer.tag !== 0x30 || outer.end !== der.length) throw new RangeError('a CRL is one DER SEQUENCE');
  const tbs = readTlv(der, outer.start);
  const alg = readTlv(der, tbs.end);
  const sig = readTlv(der, alg.end);
  if (tbs.tag !== 0x30 || alg.tag !== 0x30 || sig.tag !== 0x03 || sig.end !== outer.end) throw new RangeError('not a CertificateList');
  if (der[sig.start] !== 0) throw new RangeError('signature BIT STRING with unused bits');

  // Each field of the TBSCertList, checked to lie inside it.
  const field = (from: number) => {
    const t = readTlv(der, from);
    if (t.end > tbs.end) throw new RangeError('CRL field overruns TBSCertList');
    return t;
  };
  let item = field(tbs.start);
  if (item.tag === 0x02) item = field(item.end); // version v2
  if (item.tag !== 0x30) throw new RangeError('TBSCertList signature AlgorithmIdentifier missing');
  const issuer = field(item.end);
  if (issuer.tag !== 0x30) throw new RangeError('CRL issuer Name missing');
  const thisTlv = field(issuer.end);
  if (!isTime(thisTlv.tag)) throw new RangeError('CRL thisUpdate missing');
  const thisUpdate = decodeTime(thisTlv.tag, der.subarray(thisTlv.start, thisTlv.end));
  let at = thisTlv.end;
  let nextUpdate: Date | null = null;
  let crlNumber: bigint | null = null;
  let authorityKeyId: Uint8Array | null = null;
  let hasIssuingDistributionPoint = false;
  while (at < tbs.end) {
    const t = field(at);
    if (isTime(t.tag) && nextUpdate === null) nextUpdate = decodeTime(t.tag, der.subarray(t.start, t.end));
    else if (t.tag === 0xa0) {
      // crlExtensions [0] EXPLICIT Extensions
      const exts = readTlv(der, t.start);
      for (let e = exts.start; e < exts.end;) {
        const ext = readTlv(der, e);
        const id = readTlv(der, ext.start);
        let value = readTlv(der, id.end);
        if (value.tag === 0x01) value = readTlv(der, value.end); // critical
        if (id.tag !== 0x06 || value.tag !== 0x04) throw new RangeError('bad CRL Extension');
        const oid = decodeOid(der.subarray(id.start, id.end));
        if (oid === '2.5.29.20') {
          const n = readTlv(der, value.start);
          if (n.tag !== 0x02) throw new RangeError('CRL number is not an INTEGER');
          crlNumber = unsignedBig(der.subarray(n.start, n.end));
        } else if (oid === '2.5.29.35') {
          const aki = readTlv(der, value.start);
          for (let k = aki.start; k < aki.end;) {
            const f = readTlv(der, k);
            if (f.tag === 0x80) authorityKeyId = der.subarray(f.start, f.end);
            k = f.end;
          }
        } else if (oid === '2.5.29.28') hasIssuingDistributionPoint = true;
        e = ext.end;
      }
    }
    // revokedCertificates (a SEQUENCE) is skipped whole, by its length.
    at = t.end;
  }
  return {
    tbs: der.subarray(outer.start, tbs.end),
    signatureAlgorithm: der.subarray(tbs.end, alg.end),
    signature: der.subarray(sig.start + 1, sig.end),
    issuerNameDer: der.subarray(issuer.start - issuer.headerLength, issuer.end),
    thisUpdate,
    nextUpdate,
    crlNumber,
    authorityKeyId,
    hasIssuingDistributionPoint,
  };
}
