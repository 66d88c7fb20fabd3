/** SQL of the refused-notification counters (payment_notice_refusals; see notice-refusals.ts). */
import { and, eq, lt, sql } from 'drizzle-orm';
import type { DbOrTx } from '../../db/client.js';
import { paymentNoticeRefusals } from '../../db/schema.js';

export type NoticeRefusalRow = typeof paymentNoticeRefusals.$inferSelect;

export const noticeRefusalRepository = {
  /**
   * Counts one refusal in its row (made on the first), in one atomic upsert: concurrent refusals on several
   * instances all count. Returns the row's count after it and the address's total over the window.
   */
  async count(
    db: DbOrTx,
    r: { address: string; windowStart: Date; channel: string; reason: string; at: Date },
  ): Promise<{ count: number; addressTotal: number }> {
    const [row] = await db
      .insert(paymentNoticeRefusals)
      .values({ ...r, count: 1, firstAt: r.at, lastAt: r.at })
      .onConflictDoUpdate({
        target: [
          paymentNoticeRefusals.address,
          paymentNoticeRefusals.windowStart,
          paymentNoticeRefusals.channel,
          paymentNoticeRefusals.reason,
        ],
        set: { count: sql`${paymentNoticeRefusals.count} + 1`, lastAt: r.at },
      })
      .returning({ count: paymentNoticeRefusals.count });
    const [total] = await db
      .select({ n: sql<number>`coalesce(sum(${paymentNoticeRefusals.count}), 0)::int` })
      .from(paymentNoticeRefusals)
      .where(and(eq(paymentNoticeRefusals.address, r.address), eq(paymentNoticeRefusals.windowStart, r.windowStart)));
    return { count: row!.count, addressTotal: Number(total!.n) };
  },
  async ofAddress(db: DbOrTx, address: string): Promise<NoticeRefusalRow[]> {
    return db.select().from(paymentNoticeRefusals).where(eq(paymentNoticeRefusals.address, address));
  },
  /** Counters of windows that started before `before` (their audit rows stay). */
  async purgeBefore(db: DbOrTx, before: Date): Promise<void> {
    await db.delete(paymentNoticeRefusals).where(lt(paymentNoticeRefusals.windowStart, before));
  },
};
