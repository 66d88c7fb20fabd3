/**
 * A cap on OCSP responses signed live (issue 16, item 11). A request with a nonce, several CertIDs, a CertID
 * hashed other than the pre-signed one, or a serial never issued here costs a signature — for SM2 some
 * hundred times a pre-signed answer (bench/ocsp-live-signing.ts) — so without a cap one client could take
 * the responder's CPU from every relying party's pre-signed checks.
 *
 * Two token buckets, in this process's memory (a cap on this process's CPU, so per process is the right
 * scope): one per client address (IPv6 by /64, modules/throttle/address-key.ts), and one for all addresses
 * together, so that many addresses cannot add up to the whole CPU either. The per-address buckets are kept
 * for at most MAX_ADDRESSES addresses, least recently used dropped first (a dropped address comes back with
 * a full bucket; the shared bucket still holds). What to answer over the cap is the route's choice
 * (routes/ca-publication.ts): the pre-signed answer without the nonce when there is one (RFC 8954 2.1 lets a
 * responder leave the nonce out, RFC 5019 2.2 need not honour it), else `tryLater` (RFC 6960 2.3).
 */
import { addressKey } from '../throttle/address-key.js';

export interface BucketPolicy {
  /** Signatures at once after a quiet spell. */
  burst: number;
  /** Signatures per second, sustained. */
  perSecond: number;
}

export interface LiveSigningPolicy {
  perAddress: BucketPolicy;
  total: BucketPolicy;
  maxAddresses: number;
}

/**
 * Per address: a client checking a few certificates with nonces (OpenSSL's default) is never capped; a loop
 * is held at 5 a second. All together: 100 a second, about a fifth of one core for SM2 here (the bench), the
 * rest left to pre-signed answers.
 */
export const LIVE_SIGNING_POLICY: LiveSigningPolicy = {
  perAddress: { burst: 20, perSecond: 5 },
  total: { burst: 50, perSecond: 20 },
  maxAddresses: 10_000,
};

interface Bucket {
  tokens: number;
  at: number;
}

function refill(b: Bucket, p: BucketPolicy, now: number): void {
  b.tokens = Math.min(p.burst, b.tokens + ((now - b.at) / 1000) * p.perSecond);
  b.at = now;
}

export class LiveSigningLimit {
  private readonly buckets = new Map<string, Bucket>();
  private readonly total: Bucket;
  constructor(
    readonly policy: LiveSigningPolicy = LIVE_SIGNING_POLICY,
    /** Monotonic milliseconds (tests pass their own). */
    private readonly now: () => number = () => performance.now(),
  ) {
    this.total = { tokens: policy.total.burst, at: now() };
  }

  /** Takes one live signature for this client address: false = over a cap, do not sign. */
  take(ip: string): boolean {
    const now = this.now();
    const key = addressKey(ip);
    const { perAddress, total, maxAddresses } = this.policy;
    const b = this.buckets.get(key) ?? { tokens: perAddress.burst, at: now };
    this.buckets.delete(key); // re-inserted below: the Map's order is least recently used first
    refill(b, perAddress, now);
    refill(this.total, total, now);
    const ok = b.tokens >= 1 && this.total.tokens >= 1;
    if (ok) {
      b.tokens -= 1;
      this.total.tokens -= 1;
    }
    this.buckets.set(key, b);
    if (this.buckets.size > maxAddresses) this.buckets.delete(this.buckets.keys().next().value!);
    return ok;
  }

  /** Addresses with a bucket (tests check the bound). */
  get addresses(): number {
    return this.buckets.size;
  }
}
