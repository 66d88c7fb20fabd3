/** SQL of the payments module: attempts, refunds, cancellation requests and the finance report. */
import { and, asc, desc, eq, gte, inArray, isNull, lt, lte, or, sql } from 'drizzle-orm';
import type { DbOrTx } from '../../db/client.js';
import {
  orderCancellations,
  orders,
  organizations,
  paymentAttempts,
  paymentRefunds,
  projects,
  projectKeys,
  staff,
} from '../../db/schema.js';

export type AttemptRow = typeof paymentAttempts.$inferSelect;
export type RefundRow = typeof paymentRefunds.$inferSelect;
export type CancellationRow = typeof orderCancellations.$inferSelect;

export const paymentRepository = {
  async insertAttempt(db: DbOrTx, a: typeof paymentAttempts.$inferInsert): Promise<AttemptRow> {
    const [r] = await db.insert(paymentAttempts).values(a).returning();
    return r!;
  },
  async attemptByOutTradeNo(db: DbOrTx, outTradeNo: string, lock = false): Promise<AttemptRow | undefined> {
    const q = db.select().from(paymentAttempts).where(eq(paymentAttempts.outTradeNo, outTradeNo));
    const [r] = lock ? await q.for('update') : await q;
    return r;
  },
  async attemptsOfOrder(db: DbOrTx, orderId: string): Promise<AttemptRow[]> {
    return db.select().from(paymentAttempts).where(eq(paymentAttempts.orderId, orderId)).orderBy(desc(paymentAttempts.createdAt));
  },
  async updateAttempt(
    db: DbOrTx,
    id: string,
    set: Partial<AttemptRow>,
    onlyIfStatus?: AttemptRow['status'],
  ): Promise<AttemptRow | undefined> {
    const [r] = await db
      .update(paymentAttempts)
      .set(set)
      .where(and(eq(paymentAttempts.id, id), onlyIfStatus ? eq(paymentAttempts.status, onlyIfStatus) : undefined))
      .returning();
    return r;
  },
  /**
   * Claims an attempt for an active query: sets queried_at only if the last query is older than `before`,
   * so several pollers and job instances query the provider once per interval.
   */
  async claimQuery(db: DbOrTx, id: string, now: Date, before: Date): Promise<boolean> {
    const r = await db
      .update(paymentAttempts)
      .set({ queriedAt: now })
      .where(
        and(
          eq(paymentAttempts.id, id),
          eq(paymentAttempts.status, 'pending'),
          or(isNull(paymentAttempts.queriedAt), lt(paymentAttempts.queriedAt, before)),
        ),
      )
      .returning({ id: paymentAttempts.id });
    return r.length > 0;
  },
  async pendingAttempts(db: DbOrTx, createdBefore: Date, limit = 100): Promise<AttemptRow[]> {
    return db
      .select()
      .from(paymentAttempts)
      .where(and(eq(paymentAttempts.status, 'pending'), lt(paymentAttempts.createdAt, createdBefore)))
      .orderBy(asc(paymentAttempts.createdAt))
      .limit(limit);
  },

  async insertRefund(db: DbOrTx, r: typeof paymentRefunds.$inferInsert): Promise<RefundRow | undefined> {
    const [row] = await db.insert(paymentRefunds).values(r).onConflictDoNothing().returning();
    return row;
  },
  async refundsOfOrder(db: DbOrTx, orderId: string): Promise<RefundRow[]> {
    return db.select().from(paymentRefunds).where(eq(paymentRefunds.orderId, orderId)).orderBy(asc(paymentRefunds.createdAt));
  },
  async refundById(db: DbOrTx, id: string): Promise<RefundRow | undefined> {
    const [r] = await db.select().from(paymentRefunds).where(eq(paymentRefunds.id, id));
    return r;
  },
  async dueRefunds(db: DbOrTx, now: Date, limit = 50): Promise<RefundRow[]> {
    return db
      .select()
      .from(paymentRefunds)
      .where(and(inArray(paymentRefunds.status, ['pending', 'processing']), lte(paymentRefunds.nextTryAt, now)))
      .orderBy(asc(paymentRefunds.nextTryAt))
      .limit(limit);
  },
  /** Claims a due refund for one sender (moves next_try_at on), so two job instances do not send it at once. */
  async claimRefund(db: DbOrTx, id: string, now: Date, until: Date): Promise<RefundRow | undefined> {
    const [r] = await db
      .update(paymentRefunds)
      .set({ nextTryAt: until, tries: sql`${paymentRefunds.tries} + 1` })
      .where(and(eq(paymentRefunds.id, id), inArray(paymentRefunds.status, ['pending', 'processing']), lte(paymentRefunds.nextTryAt, now)))
      .returning();
    return r;
  },
  async updateRefund(db: DbOrTx, id: string, set: Partial<RefundRow>): Promise<void> {
    await db.update(paymentRefunds).set(set).where(eq(paymentRefunds.id, id));
  },

  async insertCancellation(db: DbOrTx, c: typeof orderCancellations.$inferInsert): Promise<CancellationRow | undefined> {
    const [r] = await db.insert(orderCancellations).values(c).onConflictDoNothing().returning();
    return r;
  },
  async cancellationById(db: DbOrTx, id: string, lock = false): Promise<CancellationRow | undefined> {
    const q = db.select().from(orderCancellations).where(eq(orderCancellations.id, id));
    const [r] = lock ? await q.for('update') : await q;
    return r;
  },
  async cancellationsOfOrder(db: DbOrTx, orderId: string): Promise<CancellationRow[]> {
    return db
      .select()
      .from(orderCancellations)
      .where(eq(orderCancellations.orderId, orderId))
      .orderBy(desc(orderCancellations.requestedAt));
  },
  async decideCancellation(db: DbOrTx, id: string, set: Partial<CancellationRow>): Promise<boolean> {
    const r = await db
      .update(orderCancellations)
      .set(set)
      .where(and(eq(orderCancellations.id, id), eq(orderCancellations.status, 'pending')))
      .returning({ id: orderCancellations.id });
    return r.length > 0;
  },
  async pendingCancellations(db: DbOrTx) {
    return db
      .select({
        id: orderCancellations.id,
        orderId: orderCancellations.orderId,
        orderNo: orders.orderNo,
        unitName: organizations.name,
        status: orders.status,
        reason: orderCancellations.reason,
        requestedBy: orderCancellations.requestedBy,
        requestedByName: staff.displayName,
        requestedAt: orderCancellations.requestedAt,
      })
      .from(orderCancellations)
      .innerJoin(orders, eq(orders.id, orderCancellations.orderId))
      .innerJoin(organizations, eq(organizations.id, orders.organizationId))
      .leftJoin(staff, eq(staff.id, orderCancellations.requestedBy))
      .where(eq(orderCancellations.status, 'pending'))
      .orderBy(asc(orderCancellations.requestedAt))
      .limit(200);
  },
  async staffName(db: DbOrTx, id: string | null): Promise<string | null> {
    if (!id) return null;
    const [r] = await db.select({ n: staff.displayName }).from(staff).where(eq(staff.id, id));
    return r?.n ?? null;
  },

  /** Paid attempts in [from, to), with their order, unit and the catalog's current price. */
  async paidBetween(db: DbOrTx, from: Date, to: Date, channel?: 'wechat' | 'alipay') {
    return db
      .select({
        attempt: paymentAttempts,
        orderNo: orders.orderNo,
        orderStatus: orders.status,
        orderPaidAt: orders.paidAt,
        unitName: organizations.name,
        projectName: projects.name,
        keyType: orders.keyType,
        catalogFen: projectKeys.priceFen,
      })
      .from(paymentAttempts)
      .innerJoin(orders, eq(orders.id, paymentAttempts.orderId))
      .innerJoin(organizations, eq(organizations.id, orders.organizationId))
      .innerJoin(projects, eq(projects.code, orders.projectCode))
      .leftJoin(projectKeys, and(eq(projectKeys.projectCode, orders.projectCode), eq(projectKeys.keyType, orders.keyType)))
      .where(
        and(
          eq(paymentAttempts.status, 'paid'),
          gte(paymentAttempts.paidAt, from),
          lt(paymentAttempts.paidAt, to),
          channel ? eq(paymentAttempts.channel, channel) : undefined,
        ),
      )
      .orderBy(asc(paymentAttempts.paidAt))
      .limit(20_000);
  },
  async paidAttemptsOfOrders(db: DbOrTx, orderIds: string[]): Promise<AttemptRow[]> {
    if (!orderIds.length) return [];
    return db
      .select()
      .from(paymentAttempts)
      .where(and(inArray(paymentAttempts.orderId, orderIds), eq(paymentAttempts.status, 'paid')));
  },
  async refundsOfAttempts(db: DbOrTx, attemptIds: string[]): Promise<RefundRow[]> {
    if (!attemptIds.length) return [];
    return db.select().from(paymentRefunds).where(inArray(paymentRefunds.attemptId, attemptIds));
  },
  async unfinishedRefunds(db: DbOrTx) {
    return db
      .select({ refund: paymentRefunds, orderNo: orders.orderNo })
      .from(paymentRefunds)
      .innerJoin(orders, eq(orders.id, paymentRefunds.orderId))
      .where(inArray(paymentRefunds.status, ['pending', 'processing', 'failed']))
      .orderBy(asc(paymentRefunds.createdAt))
      .limit(500);
  },
};
