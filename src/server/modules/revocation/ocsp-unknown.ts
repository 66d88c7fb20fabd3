/**
 * The `unknown` answers a process keeps for serials this CA never issued: anyone can ask about any serial, so
 * what is kept costs no database lookup and no signature when asked again, and is bounded in bytes.
 */
import { hash } from 'node:crypto';
import type { OcspCertId } from '../../../ca/ocsp/request.js';
import { ByteBudgetLru } from './byte-budget-lru.js';
import { ENTRY_OVERHEAD_BYTES } from './ocsp-cache.js';
import type { IssuerEntry } from './ocsp-issuers.js';
import type { OcspSigning } from './ocsp-signing.js';

/**
 * A serial this CA never issued costs one lookup (OcspAnswers.answerSingle) and is answered `unknown`, signed
 * live within the live-signing cap. That it was not found, and the signed answer, are kept this long per
 * process, so a client (or an attacker) asking about it again and again costs no database lookups and no
 * signature. A certificate issued in this process drops its entry at once (presign); another instance may
 * still say `unknown` for this long — never `good` for something not issued.
 */
export const OCSP_UNKNOWN_TTL_MS = 60_000;
/**
 * Anyone can ask about any serial, so the kept `unknown` answers are bounded in bytes (least recently used
 * dropped first), not by count: a serial may be up to the request's 16 KB. 16 MiB holds some 10,000 answers.
 */
export const OCSP_UNKNOWN_BUDGET_BYTES = 16 * 1024 * 1024;
/** At most this many CertID variants (hash algorithms) kept per unknown serial; a client uses one. */
const OCSP_UNKNOWN_VARIANTS = 4;

interface KeptUnknown {
  /**
   * Until when (clock ms) this serial is taken as never issued by this issuer without asking the database
   * again (OCSP_UNKNOWN_TTL_MS after the lookup that found nothing): a serial asked again costs no query,
   * whether or not a signature could be spent on it then.
   */
  notIssuedUntil: number;
  /** SHA-256 of the CertID DER (base64) → the signed answer and until when it is kept (clock ms). */
  variants: Map<string, { der: Uint8Array; until: number }>;
}

/** A kept `unknown` answer's key among its serial's variants: the CertID's SHA-256, whatever the CertID's length. */
const certIdKey = (certId: OcspCertId) => hash('sha256', certId.der, 'base64');
/** The kept `unknown` entries are per issuer (family) and serial: a serial is unknown to one issuer at a time. */
const unknownKey = (family: string, serialHex: string) => `${family}:${serialHex}`;

export class UnknownAnswers {
  /** family:serial → not issued (for a while) and its CertID variants' signed `unknown` answers: see OCSP_UNKNOWN_TTL_MS. */
  readonly kept = new ByteBudgetLru<KeptUnknown>(OCSP_UNKNOWN_BUDGET_BYTES);

  constructor(private readonly signing: OcspSigning) {}

  /** Whether the serial was looked up lately and found never issued by this issuer (no query needed). */
  knownNotIssued(family: string, serialHex: string, now: number): boolean {
    const k = this.kept.size === 0 ? undefined : this.kept.get(unknownKey(family, serialHex));
    return k !== undefined && k.notIssuedUntil > now;
  }

  /** Issued (or revoked) after all: an `unknown` this process kept for it is wrong from now on. */
  forget(family: string, serialHex: string): void {
    this.kept.delete(unknownKey(family, serialHex));
  }

  /**
   * `unknown` for a serial never issued by this issuer: the kept answer for this CertID, or one signed within
   * the cap (null: the cap said no). `lookedUp`: the database was just asked and found nothing, so the serial
   * is kept as not issued for another OCSP_UNKNOWN_TTL_MS.
   */
  async answer(
    e: IssuerEntry,
    certId: OcspCertId,
    serialHex: string,
    now: number,
    lookedUp: boolean,
    mayTakeSignature: () => boolean,
  ): Promise<Uint8Array | null> {
    const ukey = unknownKey(e.family, serialHex);
    const kept: KeptUnknown = (!lookedUp && this.kept.peek(ukey)) || { notIssuedUntil: now + OCSP_UNKNOWN_TTL_MS, variants: new Map() };
    const key = certIdKey(certId);
    const hit = kept.variants.get(key);
    if (hit && hit.until > now) return hit.der;
    const allowed = mayTakeSignature();
    if (allowed) {
      const der = await this.signing.sign(e, [{ certId, status: 'unknown' }]);
      kept.variants.delete(key);
      if (kept.variants.size >= OCSP_UNKNOWN_VARIANTS) kept.variants.delete(kept.variants.keys().next().value!);
      kept.variants.set(key, { der, until: now + OCSP_UNKNOWN_TTL_MS });
    }
    let bytes = ENTRY_OVERHEAD_BYTES + ukey.length * 2;
    for (const [k, v] of kept.variants) bytes += ENTRY_OVERHEAD_BYTES + k.length * 2 + v.der.length;
    // Kept even without an answer: asked again within the TTL, it costs no lookup (tryLater or a signature).
    this.kept.set(ukey, kept, bytes);
    return allowed ? kept.variants.get(key)!.der : null;
  }
}
