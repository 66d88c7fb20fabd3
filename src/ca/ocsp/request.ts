/**
 * OCSP requests (RFC 6960 4.1), read with a strict DER walk. Requests are small and the parse only has to
 * find the CertIDs and the nonce; keeping each CertID's exact bytes lets the response echo it back exactly
 * (RFC 6960 4.2.2.3: the CertID of a SingleResponse identifies the certificate as the client did).
 *
 *   OCSPRequest ::= SEQUENCE { tbsRequest TBSRequest, optionalSignature [0] EXPLICIT Signature OPTIONAL }
 *   TBSRequest  ::= SEQUENCE { version [0] EXPLICIT Version DEFAULT v1, requestorName [1] EXPLICIT GeneralName
 *                   OPTIONAL, requestList SEQUENCE OF Request, requestExtensions [2] EXPLICIT Extensions OPTIONAL }
 *   Request     ::= SEQUENCE { reqCert CertID, singleRequestExtensions [0] EXPLICIT Extensions OPTIONAL }
 *   CertID      ::= SEQUENCE { hashAlgorithm AlgorithmIdentifier, issuerNameHash OCTET STRING,
 *                   issuerKeyHash OCTET STRING, serialNumber CertificateSerialNumber }
 */
import { readTlv, TAG } from '../der/der.js';

export interface OcspCertId {
  /** The hash algorithm's OID, dotted (1.3.14.3.2.26 SHA-1, 2.16.840.1.101.3.4.2.1 SHA-256, ...). */
  hashAlgorithm: string;
  issuerNameHash: Uint8Array;
  issuerKeyHash: Uint8Array;
  /** The serial number's unsigned magnitude (no leading zero bytes). */
  serial: Uint8Array;
  /** The CertID exactly as the client sent it, DER, for echoing back in the response. */
  der: Uint8Array;
}

export interface OcspRequest {
  certIds: OcspCertId[];
  /**
   * The nonce extension's extnValue contents exactly as sent (normally the DER of Nonce ::= OCTET STRING,
   * RFC 8954), echoed verbatim: clients (OpenSSL's OCSP_check_nonce) compare these bytes.
   */
  nonce?: Uint8Array;
}

/** Why a request was refused; the responder answers malformedRequest (RFC 6960 2.3). */
export class OcspRequestError extends Error {
  readonly status = 'malformedRequest' as const;
  constructor(message: string) {
    super(`malformed OCSP request: ${message}`);
    this.name = 'OcspRequestError';
  }
}

export const OID_OCSP_NONCE = '1.3.6.1.5.5.7.48.1.2';
/** Upper bound for a request (a handful of CertIDs); anything bigger is not a request we serve. */
const MAX_REQUEST_BYTES = 16 * 1024;
/** RFC 5019 2.1.1 allows one CertID per request; we accept a few (OpenSSL can send several). */
const MAX_CERT_IDS = 32;

export function parseOcspRequest(der: Uint8Array): OcspRequest {
  if (der.length === 0) throw new OcspRequestError('empty body');
  if (der.length > MAX_REQUEST_BYTES) throw new OcspRequestError('too large');
  const top = tlvAt(der, 0, TAG.SEQUENCE, 'OCSPRequest');
  if (top.end !== der.length) throw new OcspRequestError('trailing bytes after OCSPRequest');
  const tbs = tlvAt(der, top.start, TAG.SEQUENCE, 'tbsRequest');
  if (tbs.end < top.end) {
    const sig = tlvAt(der, tbs.end, 0xa0, 'optionalSignature');
    if (sig.end !== top.end) throw new OcspRequestError('unexpected field after optionalSignature');
  }

  let at = tbs.start;
  let field = tlvAt(der, at, undefined, 'tbsRequest field');
  if (field.tag === 0xa0) {
    // version [0] EXPLICIT: only v1 (0) exists.
    const v = tlvAt(der, field.start, TAG.INTEGER, 'version');
    if (v.end - v.start !== 1 || der[v.start] !== 0) throw new OcspRequestError('unsupported version');
    at = field.end;
    field = tlvAt(der, at, undefined, 'tbsRequest field');
  }
  if (field.tag === 0xa1) {
    at = field.end; // requestorName: not used (no signed requests needed, RFC 6960 4.1.2)
    field = tlvAt(der, at, undefined, 'tbsRequest field');
  }
  if (field.tag !== TAG.SEQUENCE) throw new OcspRequestError('requestList missing');
  const certIds: OcspCertId[] = [];
  for (let r = field.start; r < field.end;) {
    const request = tlvAt(der, r, TAG.SEQUENCE, 'Request', field.end);
    if (certIds.length === MAX_CERT_IDS) throw new OcspRequestError('too many CertIDs');
    certIds.push(parseCertId(der, request.start, request.end));
    r = request.end;
  }
  if (certIds.length === 0) throw new OcspRequestError('empty requestList');
  at = field.end;

  let nonce: Uint8Array | undefined;
  if (at < tbs.end) {
    const exts = tlvAt(der, at, 0xa2, 'requestExtensions', tbs.end);
    if (exts.end !== tbs.end) throw new OcspRequestError('unexpected field after requestExtensions');
    const seq = tlvAt(der, exts.start, TAG.SEQUENCE, 'Extensions', exts.end);
    for (let e = seq.start; e < seq.end;) {
      const ext = tlvAt(der, e, TAG.SEQUENCE, 'Extension', seq.end);
      const id = tlvAt(der, ext.start, TAG.OID, 'extnID', ext.end);
      let v = tlvAt(der, id.end, undefined, 'extension field', ext.end);
      if (v.tag === TAG.BOOLEAN) v = tlvAt(der, v.end, undefined, 'extnValue', ext.end);
      if (v.tag !== TAG.OCTET_STRING || v.end !== ext.end) throw new OcspRequestError('bad Extension');
      if (oidText(der.subarray(id.start, id.end)) === OID_OCSP_NONCE) {
        if (nonce) throw new OcspRequestError('two nonce extensions');
        nonce = der.slice(v.start, v.end);
        // RFC 8954 2.1: a Nonce of 0 or more than 32 octets MUST be rejected with malformedRequest.
        const inner = nonce[0] === TAG.OCTET_STRING ? safeTlv(nonce, 0) : undefined;
        const n = inner && inner.end === nonce.length ? inner.end - inner.start : nonce.length;
        if (n < 1 || n > 32) throw new OcspRequestError('nonce must be 1 to 32 octets (RFC 8954)');
      }
      e = ext.end;
    }
  }
  return nonce ? { certIds, nonce } : { certIds };
}

function parseCertId(der: Uint8Array, start: number, end: number): OcspCertId {
  const certId = tlvAt(der, start, TAG.SEQUENCE, 'CertID', end);
  const alg = tlvAt(der, certId.start, TAG.SEQUENCE, 'hashAlgorithm', certId.end);
  const algOid = tlvAt(der, alg.start, TAG.OID, 'hashAlgorithm OID', alg.end);
  if (algOid.end < alg.end) {
    const params = tlvAt(der, algOid.end, TAG.NULL, 'hashAlgorithm parameters', alg.end);
    if (params.end !== alg.end) throw new OcspRequestError('bad hashAlgorithm');
  }
  const nameHash = tlvAt(der, alg.end, TAG.OCTET_STRING, 'issuerNameHash', certId.end);
  const keyHash = tlvAt(der, nameHash.end, TAG.OCTET_STRING, 'issuerKeyHash', certId.end);
  const serial = tlvAt(der, keyHash.end, TAG.INTEGER, 'serialNumber', certId.end);
  if (serial.end !== certId.end) throw new OcspRequestError('unexpected field in CertID');
  if (serial.end === serial.start) throw new OcspRequestError('empty serialNumber');
  if (der[serial.start]! & 0x80) throw new OcspRequestError('negative serialNumber');
  let s = serial.start;
  while (s < serial.end - 1 && der[s] === 0) s++;
  if (certId.end !== end) throw new OcspRequestError('unexpected field in Request');
  return {
    hashAlgorithm: oidText(der.subarray(algOid.start, algOid.end)),
    issuerNameHash: der.slice(nameHash.start, nameHash.end),
    issuerKeyHash: der.slice(keyHash.start, keyHash.end),
    serial: der.slice(s, serial.end),
    der: der.slice(start, certId.end),
  };
}

/**
 * RFC 6960 A.1: a GET request is `{url}/{url-encoding of base-64 encoding of the DER encoding of the
 * OCSPRequest}`. Pass everything after the responder's base path (base64 may contain '/', which some
 * clients leave unescaped, so the router must hand over the rest of the path, not one segment). '%2F',
 * '%2B', '%3D' and unescaped '+', '/', '=' are all accepted; URL-safe base64 too.
 */
export function decodeOcspGetPath(urlPathSegment: string): Uint8Array {
  let text: string;
  try {
    text = decodeURIComponent(urlPathSegment.charCodeAt(0) === 0x2f ? urlPathSegment.replace(/^\/+/, '') : urlPathSegment);
  } catch {
    throw new OcspRequestError('bad URL encoding');
  }
  // Every GET pays for this (the responder's hot path): the rare whitespace and URL-safe rewrites only when needed.
  if (/[\s_-]/.test(text)) text = text.replace(/\s/g, '').replace(/-/g, '+').replace(/_/g, '/');
  let unpadded = text.length;
  while (unpadded > 0 && text.charCodeAt(unpadded - 1) === 0x3d) unpadded--;
  if (!text || !/^[A-Za-z0-9+/]+={0,2}$/.test(text) || unpadded % 4 === 1) throw new OcspRequestError('bad base64');
  const der = Buffer.from(text, 'base64');
  if (der.length === 0) throw new OcspRequestError('empty request');
  return new Uint8Array(der.buffer, der.byteOffset, der.byteLength);
}

function safeTlv(buf: Uint8Array, at: number) {
  try {
    return readTlv(buf, at);
  } catch {
    return undefined;
  }
}

function tlvAt(buf: Uint8Array, at: number, tag: number | undefined, what: string, limit = buf.length) {
  if (at >= limit) throw new OcspRequestError(`${what} missing`);
  let t;
  try {
    t = readTlv(buf, at);
  } catch {
    throw new OcspRequestError(`${what} truncated`);
  }
  if (t.end > limit) throw new OcspRequestError(`${what} overruns its container`);
  if (tag !== undefined && t.tag !== tag)
    throw new OcspRequestError(`${what}: expected tag 0x${tag.toString(16)}, got 0x${t.tag.toString(16)}`);
  return t;
}

/** Dotted text of OID contents (X.690 8.19). */
export function oidText(contents: Uint8Array): string {
  if (contents.length === 0) throw new OcspRequestError('empty OID');
  const arcs: bigint[] = [];
  let v = 0n;
  for (const b of contents) {
    v = (v << 7n) | BigInt(b & 0x7f);
    if (!(b & 0x80)) {
      arcs.push(v);
      v = 0n;
    }
  }
  const first = arcs.shift()!;
  const head = first < 80n ? [first / 40n, first % 40n] : [2n, first - 80n];
  return [...head, ...arcs].join('.');
}
