/** What an OCSP request asks: parsed, matched to one of our issuing CAs, and for GET, remembered by its path. */
import { hash } from 'node:crypto';
import { decodeOcspGetPath, parseOcspRequest, type OcspCertId, type OcspRequest } from '../../../ca/ocsp/request.js';
import { certIdMatches } from '../../../ca/ocsp/response.js';
import { ByteBudgetLru } from './byte-budget-lru.js';
import { ENTRY_OVERHEAD_BYTES } from './ocsp-cache.js';
import { certIdFor, serialHexOf, type IssuerEntry } from './ocsp-issuers.js';

/**
 * GET requests resolved before (resolveGetPath): only single-CertID requests about our issuers, keyed by
 * the SHA-256 of the path, bounded in bytes. 16 MiB holds some 12,000 requests, more than the
 * distinct certificates a busy relying-party population asks about within a few minutes.
 */
export const OCSP_ASKED_BUDGET_BYTES = 16 * 1024 * 1024;

/** What an OCSP request asks, once parsed and matched to an issuing CA; a pure function of its bytes. */
export type Asked =
  | { kind: 'error'; status: 'malformedRequest' | 'unauthorized' }
  // RFC 5019's common case: one CertID, no nonce. `canonical`: it is byte for byte the SHA-1 CertID the
  // pre-signed response names, so that response answers it.
  | { kind: 'single'; issuer: IssuerEntry; certId: OcspCertId; serial: string; canonical: boolean }
  | { kind: 'live'; issuer: IssuerEntry; request: OcspRequest };

export function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

export class OcspRequests {
  /** GET requests resolved before: see resolveGetPath. */
  readonly asked = new ByteBudgetLru<Asked & { kind: 'single' }>(OCSP_ASKED_BUDGET_BYTES);

  constructor(private readonly issuers: readonly IssuerEntry[]) {}

  issuerForCertId(certId: Pick<OcspCertId, 'hashAlgorithm' | 'issuerNameHash' | 'issuerKeyHash'>): IssuerEntry | undefined {
    for (const e of this.issuers) if (certIdMatches(certId, e.issuer)) return e;
    return undefined;
  }

  /** Parses an OCSP request and matches it to one of our issuing CAs (RFC 6960 2.3: another issuer → unauthorized). */
  resolveRequest(der: Uint8Array): Asked {
    let request: OcspRequest;
    try {
      request = parseOcspRequest(der);
    } catch {
      return { kind: 'error', status: 'malformedRequest' };
    }
    const first = request.certIds[0];
    if (!first) return { kind: 'error', status: 'malformedRequest' };
    // Only the delegated responder of the issuer the CertID names answers (RFC 6960 2.3 unauthorized otherwise).
    const issuer = this.issuerForCertId(first);
    if (!issuer || request.certIds.some((id) => id !== first && !certIdMatches(id, issuer.issuer)))
      return { kind: 'error', status: 'unauthorized' };
    if (request.nonce || request.certIds.length !== 1) return { kind: 'live', issuer, request };
    const serial = serialHexOf(first.serial);
    return { kind: 'single', issuer, certId: first, serial, canonical: bytesEqual(first.der, certIdFor(issuer, serial)) };
  }

  /**
   * A GET request (the URL-encoded base64 after /ocsp/, RFC 6960 A.1) resolved, and remembered when worth
   * it: a relying party asks about the same certificate again and again with the same bytes (RFC 5019 2.1.1),
   * and what they ask never changes, only the answer (read every time). Only a single CertID of ours without a
   * nonce is kept — garbage, other issuers' CertIDs and nonce requests (unique by design) are resolved each
   * time and never held — keyed by the SHA-256 of the path (a fixed 44 characters however long the path;
   * hashing the path, not the decoded DER, spares a hit the base64 decode: a third of its cost), within a
   * byte budget. Spellings of one request (%2F or /) are separate entries, each counted against the budget.
   */
  resolveGetPath(encoded: string): Asked {
    const key = hash('sha256', encoded, 'base64'); // one-shot: a third of createHash's cost on this hot path
    const kept = this.asked.get(key);
    if (kept) return kept;
    let der: Uint8Array;
    try {
      der = decodeOcspGetPath(encoded);
    } catch {
      return { kind: 'error', status: 'malformedRequest' };
    }
    const asked = this.resolveRequest(der);
    if (asked.kind === 'single')
      this.asked.set(key, asked, ENTRY_OVERHEAD_BYTES + key.length * 2 + asked.serial.length * 2 + asked.certId.der.length * 2);
    return asked;
  }
}
