/**
 * The OCSP answer for a request, at the least cost it can be had: from the kept responses, the registry's
 * stored one (one indexed lookup), or a signature within the route's live-signing cap.
 */
import type { Clock } from '../../clock.js';
import type { Db } from '../../db/client.js';
import type { CachedOcsp, OcspCache } from './ocsp-cache.js';
import { certIdFor, serialHexOf } from './ocsp-issuers.js';
import type { OcspPresigner } from './ocsp-presign.js';
import { bytesEqual, type Asked } from './ocsp-requests.js';
import { statusOfRow, type OcspSigning } from './ocsp-signing.js';
import type { UnknownAnswers } from './ocsp-unknown.js';
import { revocationRepository } from './repository.js';

/** The answer to a single CertID without a nonce (OcspAnswers.answerSingle), for the route to send. */
export type SingleAnswer =
  /** The pre-signed response (HTTP-cacheable, RFC 5019). */
  | { kind: 'stored'; stored: CachedOcsp }
  /** Signed for this request (a CertID hashed otherwise) or a kept `unknown`: not for HTTP caches. */
  | { kind: 'signed'; der: Uint8Array }
  /** A signature was needed and the live-signing cap said no (RFC 6960 2.3). */
  | { kind: 'tryLater' };

export class OcspAnswers {
  constructor(
    private readonly deps: { db: Db; clock: Clock },
    private readonly cache: OcspCache,
    private readonly unknown: UnknownAnswers,
    private readonly presigner: OcspPresigner,
    private readonly signing: OcspSigning,
  ) {}

  /**
   * The answer to one CertID without a nonce (RFC 5019's common case), costing as little as it can:
   * - the response kept in memory: no query, no signature;
   * - a serial looked up lately and found never issued here (OCSP_UNKNOWN_TTL_MS): no query; its signed
   *   `unknown` if one is kept for this CertID, else a signature if `mayTakeSignature` allows one;
   * - otherwise ONE lookup (revocationRepository.ocspLookup: the registry row with its stored response).
   *   Nothing found: remembered as never issued, then `unknown` as above. Found without a valid stored
   *   response (issued a moment ago, or expired and no longer refreshed): pre-signed now and stored.
   * `mayTakeSignature` is the route's per-client and total cap on live signing (live-signing-limit.ts): every
   * signature this answer makes for a serial never issued, or for a CertID hashed otherwise, takes from it;
   * over the cap the answer is `tryLater`, which costs nothing. Pre-signing one of our own certificates does
   * not (its answer is stored and serves everyone after).
   */
  async answerSingle(asked: Asked & { kind: 'single' }, mayTakeSignature: () => boolean): Promise<SingleAnswer> {
    const { issuer, certId, serial, canonical } = asked;
    const now = this.deps.clock.now().getTime();
    if (this.unknown.knownNotIssued(issuer.family, serial, now)) return this.answerUnknown(asked, now, false, mayTakeSignature);
    let stored = await this.cache.trustedHit(serial, now);
    if (stored && stored.family !== issuer.family)
      stored = undefined; // serials are unique: not this issuer's
    else if (!stored) {
      const found = await this.lookUp(asked, now);
      if (found === 'not issued') return this.answerUnknown(asked, now, true, mayTakeSignature);
      stored = found;
    }
    if (stored && canonical) return { kind: 'stored', stored };
    if (!mayTakeSignature()) return { kind: 'tryLater' };
    // A CertID hashed otherwise than the pre-signed one (or, rarely, not this issuer's after all): signed live.
    return { kind: 'signed', der: await this.signing.signLive(issuer, [certId]) };
  }

  /**
   * The one lookup of a serial not in memory: its stored response while valid, else pre-signed now; 'not
   * issued' when this issuer holds no certificate with it (a stored answer for a pending or failed row goes).
   */
  private async lookUp({ issuer, serial }: Asked & { kind: 'single' }, now: number): Promise<CachedOcsp | undefined | 'not issued'> {
    const row = await revocationRepository.ocspLookup(this.deps.db, serial);
    const ours = row && row.family === issuer.family && row.issuerKeyId === issuer.keyIdHex;
    if (!row || !ours || statusOfRow(row).status === 'unknown') {
      if (ours && row.stored?.der) {
        // A stored answer for a row that is no certificate (pending / failed): never served.
        await revocationRepository.dropOcsp(this.deps.db, serial);
        this.cache.forget(serial);
      }
      return 'not issued';
    }
    const st = row.stored;
    return st?.der && st.family === issuer.family && st.nextUpdate.getTime() > now
      ? this.cache.remember(serial, st.family, st.status, st.der, st.thisUpdate, st.nextUpdate)
      : ((await this.presigner.presignRow(serial, issuer, row)) ?? undefined);
  }

  private async answerUnknown(
    { issuer, certId, serial }: Asked & { kind: 'single' },
    now: number,
    lookedUp: boolean,
    mayTakeSignature: () => boolean,
  ): Promise<SingleAnswer> {
    const der = await this.unknown.answer(issuer, certId, serial, now, lookedUp, mayTakeSignature);
    return der ? { kind: 'signed', der } : { kind: 'tryLater' };
  }

  /**
   * Over the live-signing cap, a single CertID of ours asked with a nonce may still get its pre-signed answer
   * without the nonce (RFC 8954 2.1, RFC 5019 2.2): that answer while valid, or null.
   */
  async storedWithoutNonce(asked: Asked & { kind: 'live' }): Promise<CachedOcsp | null> {
    const [only] = asked.request.certIds;
    if (!only || asked.request.certIds.length !== 1) return null;
    const serial = serialHexOf(only.serial);
    const now = this.deps.clock.now().getTime();
    if (!bytesEqual(only.der, certIdFor(asked.issuer, serial))) return null;
    const stored = await this.cache.storedResponse(serial, now);
    return stored && stored.nextUpdate.getTime() > now && stored.family === asked.issuer.family ? stored : null;
  }
}
