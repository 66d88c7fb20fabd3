/**
 * The OCSP responses a serving process keeps in memory, and the revocation feed that keeps them honest.
 *
 * What can make a kept response wrong is a revocation approved by another process, so instead of re-reading
 * every entry on a timer (a burst of queries whenever many entries age together), a process asks the database
 * once per OCSP_FEED_INTERVAL_MS which certificates were revoked lately (the revocation feed, one indexed
 * query) and drops those entries. Memory is trusted only while the last such poll is younger than
 * OCSP_MEMORY_TTL_MS; past that a request waits for a poll, so a revocation is never answered `good` by any
 * instance for longer than that.
 */
import type { Clock } from '../../clock.js';
import type { Db } from '../../db/client.js';
import { ByteBudgetLru } from './byte-budget-lru.js';
import { revocationRepository } from './repository.js';

/**
 * The revocation feed (see the header): polled at most this often, and only while requests come in. The
 * process that approves a revocation replaces its own entry at once (presign); every other instance drops
 * its entry at its next poll.
 */
export const OCSP_FEED_INTERVAL_MS = 1_000;
/**
 * Memory is answered from without waiting only while the last completed feed poll started less than this
 * ago; older (a quiet spell, a database outage), a request first waits for a poll. So no instance answers a
 * revoked certificate `good` for longer than this after the revocation's commit. RFC 5019 lets caches keep
 * a response until its nextUpdate anyway; this bound is far tighter.
 */
export const OCSP_MEMORY_TTL_MS = 2_000; // issue 17: revocation visible on every instance within 2 s
/**
 * A poll asks for revocations stamped up to this long before the previous poll started: a revocation's
 * revoked_at is taken inside its transaction, which may commit after a poll has looked (and clocks of
 * instances differ a little). Seeing one twice is harmless.
 */
export const OCSP_FEED_OVERLAP_MS = 60_000;
/** A backstop under the feed: an entry is read from the database again at least this often. */
export const OCSP_MEMORY_RECHECK_MS = 5 * 60_000;
/**
 * What a remembered entry costs on the V8 heap beyond its variable-length bytes (Map slot, key string, the
 * objects and typed arrays of a parsed CertID); measured with bench/ocsp-memory.ts, rounded up.
 */
export const ENTRY_OVERHEAD_BYTES = 1024;

export interface CachedOcsp {
  der: Buffer;
  family: string;
  status: 'good' | 'revoked';
  thisUpdate: Date;
  nextUpdate: Date;
  lastModified: string;
  expires: string;
  /** When this process reads it from the database again (the backstop, OCSP_MEMORY_RECHECK_MS; monotonic ms). */
  until: number;
  refreshing?: boolean;
}

/** What a kept response costs against CERTDESK_OCSP_MEMORY_MB: its bytes, its key and strings, the bookkeeping. */
const cachedOcspBytes = (serial: string, e: CachedOcsp) =>
  ENTRY_OVERHEAD_BYTES + e.der.byteLength + (serial.length + e.family.length + e.lastModified.length + e.expires.length) * 2;

export class OcspCache {
  /**
   * serial → the response this process serves, least recently used dropped first within the configured bytes
   * (CERTDESK_OCSP_MEMORY_MB): a sweep over many certificates pushes out what it touched once, not the hot set
   * (issue 21: the old count bound emptied the whole map, hot set included, at 200,000 entries).
   */
  readonly memory: ByteBudgetLru<CachedOcsp>;
  /** The revocation feed: when the last completed poll started (monotonic ms, for freshness) and by the clock (the next poll's lower bound). */
  private feedFreshAt = -Infinity;
  private feedSince: Date;
  private feedPoll: Promise<void> | undefined;
  /** Completed feed polls (tests and the benchmark count them). */
  feedPolls = 0;

  constructor(
    private readonly deps: { db: Db; clock: Clock },
    budgetBytes: number,
  ) {
    // The first poll looks back to this cache's birth: nothing it kept can predate that.
    this.feedSince = deps.clock.now();
    this.memory = new ByteBudgetLru<CachedOcsp>(budgetBytes);
  }

  /**
   * The kept response of a serial when it can be answered without waiting: memory is trusted (the feed is
   * fresh) and the entry is still valid. Synchronous: the hot path of every relying party's check.
   */
  memoryHit(serial: string, now: number): CachedOcsp | undefined {
    const mono = performance.now();
    const age = mono - this.feedFreshAt;
    if (age >= OCSP_MEMORY_TTL_MS) return undefined; // memory is not trusted until the feed has caught up
    if (age >= OCSP_FEED_INTERVAL_MS) void this.pollFeed().catch(() => undefined); // if it keeps failing, requests wait (above)
    const m = this.memory.get(serial);
    if (!m || m.nextUpdate.getTime() <= now) return undefined;
    // The backstop: past its recheck time the entry is still a valid signed answer (and the feed has not named
    // it); it is re-read in the background so the hot path never waits.
    if (m.until <= mono && !m.refreshing) {
      m.refreshing = true;
      void this.reload(serial).catch(() => (m.refreshing = false));
    }
    return m;
  }

  /** memoryHit, after waiting for the feed to catch up when memory is not trusted (header). */
  async trustedHit(serial: string, now: number): Promise<CachedOcsp | undefined> {
    const hit = this.memoryHit(serial, now);
    if (hit || performance.now() - this.feedFreshAt < OCSP_MEMORY_TTL_MS) return hit;
    await this.pollFeed();
    return this.memoryHit(serial, now);
  }

  /** The stored response of a serial, from memory or (one indexed lookup) the database; null if none is stored. */
  async storedResponse(serial: string, now: number): Promise<CachedOcsp | null> {
    return (await this.trustedHit(serial, now)) ?? this.reload(serial);
  }

  /**
   * One poll of the revocation feed (single flight): drops the kept answers of certificates revoked since the
   * previous poll (less the overlap). After a long quiet spell memory is simply emptied instead of asking for
   * weeks of revocations: every entry would be due for its backstop re-read by then anyway.
   */
  private pollFeed(): Promise<void> {
    return (this.feedPoll ??= (async () => {
      const startedMono = performance.now();
      const started = this.deps.clock.now();
      try {
        if (startedMono - this.feedFreshAt > OCSP_MEMORY_RECHECK_MS && this.feedFreshAt > -Infinity) this.memory.clear();
        else {
          const since = new Date(this.feedSince.getTime() - OCSP_FEED_OVERLAP_MS);
          for (const serial of await revocationRepository.revokedSince(this.deps.db, since)) {
            const m = this.memory.peek(serial);
            if (m && m.status !== 'revoked') this.memory.delete(serial);
          }
        }
        this.feedFreshAt = startedMono;
        this.feedSince = started;
        this.feedPolls++;
      } finally {
        this.feedPoll = undefined;
      }
    })());
  }

  private async reload(serial: string): Promise<CachedOcsp | null> {
    const r = await revocationRepository.storedOcsp(this.deps.db, serial);
    if (!r) {
      this.memory.delete(serial);
      return null;
    }
    return this.remember(serial, r.family, r.status, r.der, r.thisUpdate, r.nextUpdate);
  }

  remember(serial: string, family: string, status: CachedOcsp['status'], der: Uint8Array, thisUpdate: Date, nextUpdate: Date): CachedOcsp {
    // A copy of its own: the driver's bytes may be a view into a larger buffer (a pooled slab, a whole result)
    // that would stay alive as long as this entry, beyond what the budget counts.
    const own = Buffer.allocUnsafeSlow(der.byteLength);
    own.set(der);
    const e: CachedOcsp = {
      der: own,
      family,
      status,
      thisUpdate,
      nextUpdate,
      lastModified: thisUpdate.toUTCString(),
      expires: nextUpdate.toUTCString(),
      until: performance.now() + OCSP_MEMORY_RECHECK_MS,
    };
    this.memory.set(serial, e, cachedOcspBytes(serial, e));
    return e;
  }

  forget(serial: string): void {
    this.memory.delete(serial);
  }
}
