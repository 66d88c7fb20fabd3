/**
 * OCSP responses (RFC 6960 4.2), encoded directly in DER: the responder pre-signs one response per
 * certificate and refreshes them ahead of nextUpdate, so building must be cheap and allocation-light.
 *
 *   OCSPResponse      ::= SEQUENCE { responseStatus ENUMERATED, responseBytes [0] EXPLICIT ResponseBytes OPTIONAL }
 *   ResponseBytes     ::= SEQUENCE { responseType OID (id-pkix-ocsp-basic), response OCTET STRING }
 *   BasicOCSPResponse ::= SEQUENCE { tbsResponseData ResponseData, signatureAlgorithm, signature BIT STRING,
 *                         certs [0] EXPLICIT SEQUENCE OF Certificate OPTIONAL }
 *   ResponseData      ::= SEQUENCE { version [0] DEFAULT v1, responderID ResponderID, producedAt GeneralizedTime,
 *                         responses SEQUENCE OF SingleResponse, responseExtensions [1] EXPLICIT Extensions OPTIONAL }
 *   SingleResponse    ::= SEQUENCE { certID CertID, certStatus CertStatus, thisUpdate GeneralizedTime,
 *                         nextUpdate [0] EXPLICIT GeneralizedTime OPTIONAL, singleExtensions [1] EXPLICIT OPTIONAL }
 *   CertStatus        ::= CHOICE { good [0] IMPLICIT NULL, revoked [1] IMPLICIT RevokedInfo, unknown [2] IMPLICIT NULL }
 *   RevokedInfo       ::= SEQUENCE { revocationTime GeneralizedTime, revocationReason [0] EXPLICIT CRLReason OPTIONAL }
 *
 * ResponderID is byName ([1] EXPLICIT Name, the responder certificate's subject), not byKey: both are RFC 6960
 * 4.2.1 choices, but GmSSL master's ocspverify (3.3.0-dev, commit 24ae4827) rejects every byKey response it is
 * given while it, OpenSSL `ocsp`, GnuTLS `ocsptool` and NSS all accept byName (issue 15; relying-parties.test.ts).
 */
import { createHash } from 'node:crypto';
import type { Signer } from '../signer/port.js';
import { bitString, enumerated, explicit, generalizedTime, octetString, oid, sequence, tlv } from '../der/der.js';
import type { OcspCertId } from './request.js';
import { OID_OCSP_NONCE } from './request.js';

export type OcspStatus = 'good' | 'revoked' | 'unknown';

export interface OcspSingleResponse {
  /** As parsed from the request: its `der` is echoed back exactly. */
  certId: Pick<OcspCertId, 'der'>;
  status: OcspStatus;
  /** Required when revoked. */
  revokedAt?: Date;
  /** RFC 5280 CRLReason, for revoked; left out when not given. */
  reason?: number;
  thisUpdate: Date;
  nextUpdate: Date;
}

export interface BuildOcspResponseInput {
  /** The delegated responder's certificate, DER, sent in `certs` so clients can check the delegation (RFC 6960 4.2.2.2). */
  responderCertDer: Uint8Array;
  /** The responder certificate's subject Name, DER (ResponderID byName, RFC 6960 4.2.1). */
  responderNameDer: Uint8Array;
  signer: Signer;
  producedAt: Date;
  responses: readonly OcspSingleResponse[];
  /** The request's nonce extnValue contents (OcspRequest.nonce), echoed verbatim (RFC 8954). */
  nonce?: Uint8Array;
}

const OID_BASIC = oid('1.3.6.1.5.5.7.48.1.1');
const NONCE_OID = oid(OID_OCSP_NONCE);
const SUCCESSFUL = Uint8Array.of(0x0a, 0x01, 0x00);
const GOOD = Uint8Array.of(0x80, 0x00);
const UNKNOWN = Uint8Array.of(0x82, 0x00);

/** Builds and signs a successful OCSPResponse with a BasicOCSPResponse; returns its DER. */
export async function buildOcspResponse(input: BuildOcspResponseInput): Promise<Uint8Array> {
  if (input.responses.length === 0) throw new RangeError('no responses');
  if (input.responderNameDer[0] !== 0x30) throw new RangeError('responderNameDer must be a DER Name (a SEQUENCE)');
  const singles = input.responses.map(singleResponse);
  const tbsParts = [explicit(1, input.responderNameDer), generalizedTime(input.producedAt), sequence(...singles)];
  if (input.nonce) tbsParts.push(explicit(1, sequence(sequence(NONCE_OID, octetString(input.nonce)))));
  const tbs = sequence(...tbsParts);
  const signature = await input.signer.sign(tbs);
  const basic = sequence(tbs, input.signer.signatureAlgorithm, bitString(signature), explicit(0, sequence(input.responderCertDer)));
  return sequence(SUCCESSFUL, explicit(0, sequence(OID_BASIC, octetString(basic))));
}

function singleResponse(r: OcspSingleResponse): Uint8Array {
  if (r.nextUpdate.getTime() <= r.thisUpdate.getTime()) throw new RangeError('nextUpdate must be after thisUpdate');
  let status: Uint8Array;
  if (r.status === 'good') status = GOOD;
  else if (r.status === 'unknown') status = UNKNOWN;
  else {
    if (!r.revokedAt) throw new RangeError('revoked needs revokedAt');
    const parts = [generalizedTime(r.revokedAt)];
    if (r.reason !== undefined) {
      if (!Number.isInteger(r.reason) || r.reason < 0 || r.reason > 10 || r.reason === 7) throw new RangeError(`bad reason ${r.reason}`);
      parts.push(explicit(0, enumerated(r.reason)));
    }
    status = tlv(0xa1, ...parts);
  }
  return sequence(r.certId.der, status, generalizedTime(r.thisUpdate), explicit(0, generalizedTime(r.nextUpdate)));
}

/** RFC 6960 4.2.1 OCSPResponseStatus values other than successful; these responses carry no responseBytes and are not signed. */
export const OCSP_ERROR_STATUS = { malformedRequest: 1, internalError: 2, tryLater: 3, sigRequired: 5, unauthorized: 6 } as const;
export type OcspErrorStatus = 'malformedRequest' | 'internalError' | 'tryLater' | 'unauthorized';

const ERROR_RESPONSES: Readonly<Record<OcspErrorStatus, Uint8Array>> = {
  malformedRequest: Uint8Array.of(0x30, 0x03, 0x0a, 0x01, 1),
  internalError: Uint8Array.of(0x30, 0x03, 0x0a, 0x01, 2),
  tryLater: Uint8Array.of(0x30, 0x03, 0x0a, 0x01, 3),
  unauthorized: Uint8Array.of(0x30, 0x03, 0x0a, 0x01, 6),
};

/** The unsigned error response (5 bytes; a fresh copy each call). */
export function ocspErrorResponse(status: OcspErrorStatus): Uint8Array {
  return ERROR_RESPONSES[status].slice();
}

const HASH_BY_OID: Readonly<Record<string, string>> = {
  '1.3.14.3.2.26': 'sha1',
  '2.16.840.1.101.3.4.2.1': 'sha256',
  '2.16.840.1.101.3.4.2.2': 'sha384',
  '2.16.840.1.101.3.4.2.3': 'sha512',
  '1.2.156.10197.1.401': 'sm3', // GM/T 0006 SM3, which SM2 clients may use in CertIDs
};

export interface OcspIssuer {
  /** The issuing CA's subject Name, DER. */
  nameDer: Uint8Array;
  /** The issuing CA's subjectPublicKey BIT STRING contents (without the unused-bits octet). */
  spkiKeyBytes: Uint8Array;
}

/**
 * Whether a CertID names this issuer (RFC 6960 4.1.1: issuerNameHash over the DER of the issuer's Name,
 * issuerKeyHash over its public key BIT STRING value). A request about another issuer gets `unauthorized`
 * (RFC 6960 2.3), never `good`. Hashes are cached per issuer and algorithm.
 */
export function certIdMatches(certId: Pick<OcspCertId, 'hashAlgorithm' | 'issuerNameHash' | 'issuerKeyHash'>, issuer: OcspIssuer): boolean {
  const alg = HASH_BY_OID[certId.hashAlgorithm];
  if (!alg) return false;
  const h = issuerHashes(issuer, alg);
  return bytesEqual(h.name, certId.issuerNameHash) && bytesEqual(h.key, certId.issuerKeyHash);
}

const hashCache = new WeakMap<OcspIssuer, Map<string, { name: Uint8Array; key: Uint8Array }>>();
function issuerHashes(issuer: OcspIssuer, alg: string) {
  let byAlg = hashCache.get(issuer);
  if (!byAlg) hashCache.set(issuer, (byAlg = new Map()));
  let h = byAlg.get(alg);
  if (!h) {
    h = { name: createHash(alg).update(issuer.nameDer).digest(), key: createHash(alg).update(issuer.spkiKeyBytes).digest() };
    byAlg.set(alg, h);
  }
  return h;
}

function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
