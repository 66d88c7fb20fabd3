/**
 * The throttle's counters (table `throttles`, one row per key). Every change is one statement, so two
 * instances counting the same key at once both count; the rules they apply are throttle.ts's.
 */
import { and, eq, sql } from 'drizzle-orm';
import type { DbOrTx } from '../../db/client.js';
import { throttles } from '../../db/schema.js';
import type { ThrottlePolicy } from './throttle.js';

/**
 * A count is stale (starts again at 1) after `windowMs` with neither a count nor a lock in force; greatest()
 * ignores a NULL locked_until.
 */
const staleSince = (quietSince: Date) => sql`greatest(${throttles.updatedAt}, ${throttles.lockedUntil}) < ${quietSince}`;

export const throttleRepository = {
  async lockedUntil(db: DbOrTx, key: string): Promise<Date | null> {
    const [row] = await db.select({ lockedUntil: throttles.lockedUntil }).from(throttles).where(eq(throttles.key, key));
    return row?.lockedUntil ?? null;
  },

  /**
   * Counts one attempt unless the key is locked, and sets the lock the new count earns — one upsert, so the
   * count and its lock cannot be separated. Returns the count, or undefined when the key was locked
   * (nothing counted). `firstLockMs` is the lock of a first count (0 unless the threshold is 1).
   */
  async take(db: DbOrTx, key: string, rule: ThrottlePolicy, now: Date, firstLockMs: number): Promise<number | undefined> {
    const stale = staleSince(new Date(now.getTime() - rule.windowMs));
    const next = sql`(case when ${stale} then 1 else ${throttles.failures} + 1 end)`;
    // lockDurationMs (throttle.ts) in SQL, so the lock is set by the same statement that counts the attempt.
    const lockMs = sql`least(${rule.baseLockMs}::float8 * power(2, least(${next} - ${rule.threshold}::int, 30)), ${rule.maxLockMs}::float8)`;
    const rows = await db
      .insert(throttles)
      .values({
        key,
        failures: 1,
        windowStartedAt: now,
        updatedAt: now,
        lockedUntil: firstLockMs > 0 ? new Date(now.getTime() + firstLockMs) : null,
      })
      .onConflictDoUpdate({
        target: throttles.key,
        set: {
          failures: next,
          windowStartedAt: sql`case when ${stale} then ${now} else ${throttles.windowStartedAt} end`,
          updatedAt: now,
          lockedUntil: sql`case when ${next} >= ${rule.threshold}::int then ${now}::timestamptz + ${lockMs} * interval '1 millisecond' else ${throttles.lockedUntil} end`,
        },
        // ON CONFLICT DO UPDATE locks the row and sees its latest version: a locked key counts nothing.
        setWhere: sql`${throttles.lockedUntil} is null or ${throttles.lockedUntil} <= ${now}`,
      })
      .returning({ failures: throttles.failures });
    return rows[0]?.failures;
  },

  /** Takes back count `n`; its lock goes too when nothing was counted after it. */
  async giveBack(db: DbOrTx, key: string, n: number): Promise<void> {
    await db
      .update(throttles)
      .set({
        failures: sql`greatest(${throttles.failures} - 1, 0)`,
        lockedUntil: sql`case when ${throttles.failures} = ${n}::int then null else ${throttles.lockedUntil} end`,
      })
      .where(eq(throttles.key, key));
  },

  /** Deletes the key if its count is still `n`; false when more was counted since. */
  async clearAt(db: DbOrTx, key: string, n: number): Promise<boolean> {
    const cleared = await db
      .delete(throttles)
      .where(and(eq(throttles.key, key), eq(throttles.failures, n)))
      .returning({ key: throttles.key });
    return cleared.length > 0;
  },

  /** Counts one event (no lock check); returns the count. */
  async count(db: DbOrTx, key: string, windowMs: number, now: Date): Promise<number> {
    const stale = staleSince(new Date(now.getTime() - windowMs));
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
    return row!.failures;
  },

  /** Locks the key until `until`, or keeps a longer lock already there (two instances locking at once). */
  async lockUntil(db: DbOrTx, key: string, until: Date): Promise<void> {
    await db
      .update(throttles)
      .set({ lockedUntil: sql`greatest(${throttles.lockedUntil}, ${until})` })
      .where(eq(throttles.key, key));
  },

  async delete(db: DbOrTx, key: string): Promise<void> {
    await db.delete(throttles).where(eq(throttles.key, key));
  },
};
