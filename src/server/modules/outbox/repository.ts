/**
 * The outbox (table `outbox`): rows written in the transaction that causes them, claimed by workers with a
 * lease, and what became of them — sent, retried later, or given up (`dead`) and sent again by 管理员.
 */
import { and, desc, eq, inArray, sql } from 'drizzle-orm';
import type { DbOrTx } from '../../db/client.js';
import { outbox } from '../../db/schema.js';

export type OutboxRow = typeof outbox.$inferSelect;

export const outboxRepository = {
  /** Queues a message; a second one with the same dedupe key is a no-op (the event already queued it). */
  async enqueue(
    db: DbOrTx,
    row: { channel: OutboxRow['channel']; dedupeKey: string; payload: Record<string, unknown>; at: Date },
  ): Promise<void> {
    await db
      .insert(outbox)
      .values({ channel: row.channel, dedupeKey: row.dedupeKey, payload: row.payload, createdAt: row.at, nextAttemptAt: row.at })
      .onConflictDoNothing({ target: outbox.dedupeKey });
  },

  /**
   * Claims up to `limit` due messages of these channels until `lease` runs out, counting the attempt:
   * FOR UPDATE SKIP LOCKED, so workers on several instances never claim the same row.
   */
  async claimDue(db: DbOrTx, channels: OutboxRow['channel'][], now: Date, lease: Date, limit = 20): Promise<OutboxRow[]> {
    const res = await db.execute(sql`
      update ${outbox} set locked_until = ${lease}, attempts = attempts + 1
      where id in (
        select id from ${outbox}
        where status = 'pending' and channel in ${channels} and next_attempt_at <= ${now}
          and (locked_until is null or locked_until < ${now})
        order by id limit ${limit} for update skip locked)
      returning id`);
    const ids = (res as unknown as { rows: { id: number | string }[] }).rows.map((r) => Number(r.id));
    if (!ids.length) return [];
    return db
      .select()
      .from(outbox)
      .where(sql`${outbox.id} in ${ids}`);
  },

  async markSent(
    db: DbOrTx,
    id: number,
    set: { sentAt: Date; providerMessageId: string; payload: Record<string, unknown> },
  ): Promise<void> {
    await db
      .update(outbox)
      .set({ status: 'sent', lockedUntil: null, lastError: null, ...set })
      .where(eq(outbox.id, id));
  },

  /** A failed attempt: retried at `nextAttemptAt`, or `dead`; only while the row is still pending. */
  async markFailed(
    db: DbOrTx,
    id: number,
    set: { status: 'pending' | 'dead'; lastError: string; nextAttemptAt: Date; payload?: Record<string, unknown> },
  ): Promise<void> {
    await db
      .update(outbox)
      .set({ lockedUntil: null, ...set })
      .where(and(eq(outbox.id, id), eq(outbox.status, 'pending')));
  },

  /** The newest dead messages first. */
  dead(db: DbOrTx, limit: number): Promise<OutboxRow[]> {
    return db.select().from(outbox).where(eq(outbox.status, 'dead')).orderBy(desc(outbox.id)).limit(limit);
  },

  async lockById(db: DbOrTx, id: number): Promise<OutboxRow | undefined> {
    const [row] = await db.select().from(outbox).where(eq(outbox.id, id)).for('update');
    return row;
  },

  /** dead → pending with a fresh retry window (compare-and-set on the status); undefined if it was not dead. */
  async resend(db: DbOrTx, id: number, at: Date, by: string): Promise<OutboxRow | undefined> {
    const [row] = await db
      .update(outbox)
      .set({ status: 'pending', attempts: 0, nextAttemptAt: at, lockedUntil: null, resentAt: at, resentBy: by })
      .where(and(eq(outbox.id, id), eq(outbox.status, 'dead')))
      .returning();
    return row;
  },

  /** Messages waiting to be sent and those given up on, by channel (health and metrics); sent ones grow for ever and are not counted. */
  async unsentCounts(db: DbOrTx): Promise<{ status: 'pending' | 'dead'; channel: string; count: number }[]> {
    const rows = await db
      .select({ status: outbox.status, channel: outbox.channel, count: sql<number>`count(*)::int` })
      .from(outbox)
      .where(inArray(outbox.status, ['pending', 'dead']))
      .groupBy(outbox.status, outbox.channel);
    return rows.map((r) => ({ status: r.status as 'pending' | 'dead', channel: r.channel, count: Number(r.count) }));
  },
};
