/** The sandbox provider's SQL: its keys, trades, refunds and notifications to deliver. */
import { and, asc, eq, gt, isNull, lte, lt, sql } from 'drizzle-orm';
import type { Db, DbOrTx } from '../../../db/client.js';
import { sandboxPayKeys, sandboxPayNotices, sandboxPayRefunds, sandboxPayTrades } from '../../../db/schema.js';

class NotRefundable extends Error {}

export type SandboxTrade = typeof sandboxPayTrades.$inferSelect;
export type SandboxRefund = typeof sandboxPayRefunds.$inferSelect;
export type SandboxNotice = typeof sandboxPayNotices.$inferSelect;

export const sandboxPayRepository = {
  async keys(db: DbOrTx): Promise<Map<string, string>> {
    const rows = await db.select().from(sandboxPayKeys);
    return new Map(rows.map((r) => [r.name, r.value]));
  },
  /** Insert if absent: when two instances generate at once, the first insert wins and both re-read it. */
  async insertKeys(db: DbOrTx, values: Record<string, string>): Promise<void> {
    const rows = Object.entries(values).map(([name, value]) => ({ name, value }));
    if (rows.length) await db.insert(sandboxPayKeys).values(rows).onConflictDoNothing();
  },

  async tradeByNo(db: DbOrTx, channel: string, outTradeNo: string): Promise<SandboxTrade | undefined> {
    const [t] = await db
      .select()
      .from(sandboxPayTrades)
      .where(and(eq(sandboxPayTrades.channel, channel), eq(sandboxPayTrades.outTradeNo, outTradeNo)));
    return t;
  },
  async tradeByToken(db: DbOrTx, token: string): Promise<SandboxTrade | undefined> {
    const [t] = await db.select().from(sandboxPayTrades).where(eq(sandboxPayTrades.token, token));
    return t;
  },
  async tradeById(db: DbOrTx, id: string): Promise<SandboxTrade | undefined> {
    const [t] = await db.select().from(sandboxPayTrades).where(eq(sandboxPayTrades.id, id));
    return t;
  },
  /** Creates the trade unless one with this out_trade_no exists; returns what is stored either way. */
  async createTrade(db: DbOrTx, t: typeof sandboxPayTrades.$inferInsert): Promise<SandboxTrade> {
    await db.insert(sandboxPayTrades).values(t).onConflictDoNothing();
    return (await this.tradeByNo(db, t.channel, t.outTradeNo))!;
  },
  /** pending → paid, only before it expires (compare-and-set). */
  async markPaid(db: DbOrTx, id: string, transactionId: string, now: Date): Promise<SandboxTrade | undefined> {
    const [t] = await db
      .update(sandboxPayTrades)
      .set({ status: 'paid', transactionId, paidAt: now })
      .where(and(eq(sandboxPayTrades.id, id), eq(sandboxPayTrades.status, 'pending'), gt(sandboxPayTrades.expiresAt, now)))
      .returning();
    return t;
  },
  /** pending → cancelled (payer) or closed (merchant). */
  async endPending(db: DbOrTx, id: string, status: 'cancelled' | 'closed'): Promise<SandboxTrade | undefined> {
    const [t] = await db
      .update(sandboxPayTrades)
      .set({ status })
      .where(and(eq(sandboxPayTrades.id, id), sql`${sandboxPayTrades.status} in ('pending', 'cancelled')`))
      .returning();
    return t;
  },
  async refundByNo(db: DbOrTx, channel: string, outRefundNo: string): Promise<SandboxRefund | undefined> {
    const [r] = await db
      .select()
      .from(sandboxPayRefunds)
      .where(and(eq(sandboxPayRefunds.channel, channel), eq(sandboxPayRefunds.outRefundNo, outRefundNo)));
    return r;
  },
  /**
   * Records a refund and adds it to the trade if the trade still has that much left (compare-and-set), in one
   * transaction. undefined: this out_refund_no exists already (the caller re-reads it); null: not refundable.
   */
  async addRefund(db: Db, r: typeof sandboxPayRefunds.$inferInsert): Promise<SandboxRefund | undefined | null> {
    return db
      .transaction(async (tx) => {
        const [row] = await tx.insert(sandboxPayRefunds).values(r).onConflictDoNothing().returning();
        if (!row) return undefined;
        const [t] = await tx
          .update(sandboxPayTrades)
          .set({
            refundedFen: sql`${sandboxPayTrades.refundedFen} + ${r.amountFen}`,
            status: sql`case when ${sandboxPayTrades.refundedFen} + ${r.amountFen} >= ${sandboxPayTrades.amountFen} then 'refunded' else ${sandboxPayTrades.status} end`,
          })
          .where(
            and(
              eq(sandboxPayTrades.id, r.tradeId),
              sql`${sandboxPayTrades.status} in ('paid', 'refunded')`,
              sql`${sandboxPayTrades.refundedFen} + ${r.amountFen} <= ${sandboxPayTrades.amountFen}`,
            ),
          )
          .returning();
        if (!t) throw new NotRefundable();
        return row;
      })
      .catch((e: unknown) => {
        if (e instanceof NotRefundable) return null;
        throw e;
      });
  },

  async addNotice(db: DbOrTx, tradeId: string, now: Date): Promise<SandboxNotice> {
    const [n] = await db.insert(sandboxPayNotices).values({ tradeId, nextAttemptAt: now }).returning();
    return n!;
  },
  async dueNotices(db: DbOrTx, now: Date, maxAttempts: number, limit = 20): Promise<SandboxNotice[]> {
    return db
      .select()
      .from(sandboxPayNotices)
      .where(
        and(isNull(sandboxPayNotices.deliveredAt), lte(sandboxPayNotices.nextAttemptAt, now), lt(sandboxPayNotices.attempts, maxAttempts)),
      )
      .orderBy(asc(sandboxPayNotices.nextAttemptAt))
      .limit(limit);
  },
  /** Claims a due notice for one delivery attempt (so two instances do not deliver it at the same moment). */
  async claimNotice(db: DbOrTx, n: SandboxNotice, until: Date): Promise<boolean> {
    const rows = await db
      .update(sandboxPayNotices)
      .set({ nextAttemptAt: until })
      .where(
        and(eq(sandboxPayNotices.id, n.id), eq(sandboxPayNotices.nextAttemptAt, n.nextAttemptAt), isNull(sandboxPayNotices.deliveredAt)),
      )
      .returning({ id: sandboxPayNotices.id });
    return rows.length === 1;
  },
  async recordAttempt(
    db: DbOrTx,
    id: number,
    r: { delivered: boolean; status: number; answer: string; now: Date; next: Date },
  ): Promise<void> {
    await db
      .update(sandboxPayNotices)
      .set({
        attempts: sql`${sandboxPayNotices.attempts} + 1`,
        lastStatus: r.status,
        lastAnswer: r.answer.slice(0, 500),
        deliveredAt: r.delivered ? r.now : null,
        nextAttemptAt: r.next,
      })
      .where(eq(sandboxPayNotices.id, id));
  },
  async noticesOf(db: DbOrTx, tradeId: string): Promise<SandboxNotice[]> {
    return db.select().from(sandboxPayNotices).where(eq(sandboxPayNotices.tradeId, tradeId)).orderBy(asc(sandboxPayNotices.id));
  },
};
