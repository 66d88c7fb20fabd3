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
 *
 * Guessable secrets (passwords, the 法人核验 identity) use `take`: the attempt is counted before the secret
 * is compared, in one atomic upsert that refuses it if the key is locked — so a burst of parallel guesses
 * cannot all pass a read-then-count check. A right answer is then taken back (`giveBack`, `succeed`).
 */
import { and, eq, sql } from 'drizzle-orm';
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
  /**
   * Counts one attempt before it is evaluated, atomically: throws RATE_LIMITED (counting nothing) while
   * the key is locked, and locks it in the same statement once the count reaches the threshold. Returns
   * the attempt's number in the count, for `giveBack` / `succeed`.
   */
  take(key: string, p: ThrottlePolicy): Promise<number>;
  /**
   * Takes back attempt number `n` (it turned out not to be a wrong guess, or was not evaluated). If nothing
   * was counted after it, the lock it may have set goes too; otherwise the attempts counted since earned
   * their lock, which stays.
   */
  giveBack(key: string, n: number): Promise<void>;
  /**
   * A right answer on attempt `n`: the counter is cleared — unless attempts were counted after it (a burst
   * in flight), then only this one is taken back, so the burst stays under the limit.
   */
  succeed(key: string, n: number): Promise<void>;
  reset(key: string): Promise<void>;
}

function lockedError(until: Date, now: Date): AppError {
  const secs = Math.max(1, Math.ceil((until.getTime() - now.getTime()) / 1000));
  return new AppError('RATE_LIMITED', `尝试次数过多，请在${formatWait(secs)}后再试`, { retryAfterSeconds: secs });
}

export function throttle(deps: { db: Db; clock: Clock }): Throttle {
  const { db, clock } = deps;
  async function giveBack(key: string, n: number): Promise<void> {
    await db
      .update(throttles)
      .set({
        failures: sql`greatest(${throttles.failures} - 1, 0)`,
        lockedUntil: sql`case when ${throttles.failures} = ${n}::int then null else ${throttles.lockedUntil} end`,
      })
      .where(eq(throttles.key, key));
  }
  return {
    async check(key) {
      const [row] = await db.select({ lockedUntil: throttles.lockedUntil }).from(throttles).where(eq(throttles.key, key));
      const now = clock.now();
      if (row?.lockedUntil && row.lockedUntil > now) throw lockedError(row.lockedUntil, now);
    },
    async take(key, p) {
      const now = clock.now();
      const quietSince = new Date(now.getTime() - p.windowMs);
      const stale = sql`greatest(${throttles.updatedAt}, ${throttles.lockedUntil}) < ${quietSince}`;
      const next = sql`(case when ${stale} then 1 else ${throttles.failures} + 1 end)`;
      // lockDurationMs in SQL, so the lock is set by the same statement that counts the attempt.
      const lockMs = sql`least(${p.baseLockMs}::float8 * power(2, least(${next} - ${p.threshold}::int, 30)), ${p.maxLockMs}::float8)`;
      const firstLock = lockDurationMs(p, 1);
      const rows = await db
        .insert(throttles)
        .values({
          key,
          failures: 1,
          windowStartedAt: now,
          updatedAt: now,
          lockedUntil: firstLock > 0 ? new Date(now.getTime() + firstLock) : null,
        })
        .onConflictDoUpdate({
          target: throttles.key,
          set: {
            failures: next,
            windowStartedAt: sql`case when ${stale} then ${now} else ${throttles.windowStartedAt} end`,
            updatedAt: now,
            lockedUntil: sql`case when ${next} >= ${p.threshold}::int then ${now}::timestamptz + ${lockMs} * interval '1 millisecond' else ${throttles.lockedUntil} end`,
          },
          // ON CONFLICT DO UPDATE locks the row and sees its latest version: a locked key counts nothing.
          setWhere: sql`${throttles.lockedUntil} is null or ${throttles.lockedUntil} <= ${now}`,
        })
        .returning({ failures: throttles.failures });
      if (rows[0]) return rows[0].failures;
      const [row] = await db.select({ lockedUntil: throttles.lockedUntil }).from(throttles).where(eq(throttles.key, key));
      throw lockedError(row?.lockedUntil ?? now, now);
    },
    giveBack,
    async succeed(key, n) {
      const cleared = await db
        .delete(throttles)
        .where(and(eq(throttles.key, key), eq(throttles.failures, n)))
        .returning({ key: throttles.key });
      if (cleared.length === 0) await giveBack(key, n);
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

/**
 * One password guess, counted against the source address and the account before the password is checked.
 * Refused by the account after passing the address, it is taken back from the address (never evaluated).
 */
export async function takeLoginAttempt(
  deps: { throttle: Throttle },
  accountKey: string,
  addressKey: string,
): Promise<{ account: number; address: number }> {
  const address = await deps.throttle.take(addressKey, LOGIN_ADDRESS);
  try {
    return { account: await deps.throttle.take(accountKey, LOGIN_ACCOUNT), address };
  } catch (e) {
    await deps.throttle.giveBack(addressKey, address);
    throw e;
  }
}
