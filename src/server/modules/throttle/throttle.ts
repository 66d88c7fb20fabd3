/**
 * Brute-force slowing, persisted in the database so every app instance sees the same counters.
 *
 * Each key (an account or a source address) counts failures. From the `threshold`-th failure on, the key
 * is locked for 30 s, doubling with each further failure and capped at 15 minutes — slow enough to make
 * guessing useless, short enough that an attacker can never lock a real user out for good: every lock
 * ends by itself, and while a key is locked its failures are not counted (the caller checks first).
 * The count is forgotten after `windowMs` without a failure and without a lock in force; measuring that
 * quiet time from the end of the last lock (not from the first failure) keeps the doubling going, so a
 * patient attacker is held at one guess per 15 minutes instead of getting a fresh set of fast guesses
 * every window. A success on the account resets the account's counter (not the address's).
 */
import { eq, sql } from 'drizzle-orm';
import { AppError } from '../../../core/errors.js';
import type { Clock } from '../../clock.js';
import type { Db } from '../../db/client.js';
import { throttles } from '../../db/schema.js';

export interface ThrottlePolicy {
  threshold: number;
  windowMs: number;
  baseLockMs: number;
  maxLockMs: number;
}

export const LOGIN_ACCOUNT: ThrottlePolicy = { threshold: 5, windowMs: 15 * 60_000, baseLockMs: 30_000, maxLockMs: 15 * 60_000 };
export const LOGIN_ADDRESS: ThrottlePolicy = { threshold: 20, windowMs: 15 * 60_000, baseLockMs: 30_000, maxLockMs: 15 * 60_000 };
export const SMS_ACCOUNT: ThrottlePolicy = { threshold: 5, windowMs: 60 * 60_000, baseLockMs: 60 * 60_000, maxLockMs: 60 * 60_000 };
export const SMS_ADDRESS: ThrottlePolicy = { threshold: 20, windowMs: 60 * 60_000, baseLockMs: 60 * 60_000, maxLockMs: 60 * 60_000 };

export function lockDurationMs(p: ThrottlePolicy, failures: number): number {
  if (failures < p.threshold) return 0;
  return Math.min(p.baseLockMs * 2 ** Math.min(failures - p.threshold, 30), p.maxLockMs);
}

export interface Throttle {
  /** Throws RATE_LIMITED while the key is locked. */
  check(key: string): Promise<void>;
  /** Counts one event (a failure, or a sent SMS) against the key. */
  hit(key: string, p: ThrottlePolicy): Promise<void>;
  reset(key: string): Promise<void>;
}

export function throttle(deps: { db: Db; clock: Clock }): Throttle {
  const { db, clock } = deps;
  return {
    async check(key) {
      const [row] = await db.select({ lockedUntil: throttles.lockedUntil }).from(throttles).where(eq(throttles.key, key));
      const now = clock.now();
      if (row?.lockedUntil && row.lockedUntil > now) {
        const secs = Math.ceil((row.lockedUntil.getTime() - now.getTime()) / 1000);
        throw new AppError('RATE_LIMITED', `尝试次数过多，请在${formatWait(secs)}后再试`, { retryAfterSeconds: secs });
      }
    },
    async hit(key, p) {
      const now = clock.now();
      const quietSince = new Date(now.getTime() - p.windowMs);
      // greatest() ignores a NULL locked_until: "quiet" = no failure and no lock for windowMs.
      const stale = sql`greatest(${throttles.updatedAt}, ${throttles.lockedUntil}) < ${quietSince}`;
      // One atomic upsert: concurrent failures on two instances both count.
      const [row] = await db
        .insert(throttles)
        .values({ key, failures: 1, windowStartedAt: now, updatedAt: now })
        .onConflictDoUpdate({
          target: throttles.key,
          set: {
            failures: sql`case when ${stale} then 1 else ${throttles.failures} + 1 end`,
            windowStartedAt: sql`case when ${stale} then ${now} else ${throttles.windowStartedAt} end`,
            updatedAt: now,
          },
        })
        .returning({ failures: throttles.failures });
      const lock = lockDurationMs(p, row!.failures);
      if (lock > 0) {
        const until = new Date(now.getTime() + lock);
        // Two instances locking at once: the longer lock wins, whichever write lands last.
        await db
          .update(throttles)
          .set({ lockedUntil: sql`greatest(${throttles.lockedUntil}, ${until})` })
          .where(eq(throttles.key, key));
      }
    },
    async reset(key) {
      await db.delete(throttles).where(eq(throttles.key, key));
    },
  };
}

export function formatWait(secs: number): string {
  return secs < 60 ? `${secs}秒` : `${Math.ceil(secs / 60)}分钟`;
}
