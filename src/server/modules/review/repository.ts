/** SQL for 预审: the per-document verdicts (document_reviews) and the review and submission events they go with. */
import { and, asc, desc, eq, inArray, lt, max, sql } from 'drizzle-orm';
import type { DbOrTx } from '../../db/client.js';
import { documentReviews, orderEvents } from '../../db/schema.js';
import type { OrderEventRow } from '../orders/repository.js';

export type DocumentReviewRow = typeof documentReviews.$inferSelect;

/** The order events that record a review decision, and those that record a submission. */
export const REVIEW_ACTIONS = ['order.approve', 'order.reject'] as const;
export const SUBMIT_ACTIONS = ['order.submit', 'order.resubmit'] as const;

export const reviewRepository = {
  async insertVerdicts(db: DbOrTx, rows: (typeof documentReviews.$inferInsert)[]): Promise<void> {
    if (rows.length) await db.insert(documentReviews).values(rows);
  },
  /** The verdicts of one round, one per slot. */
  async verdicts(db: DbOrTx, orderId: string, round: number): Promise<DocumentReviewRow[]> {
    return db
      .select()
      .from(documentReviews)
      .where(and(eq(documentReviews.orderId, orderId), eq(documentReviews.round, round)))
      .orderBy(asc(documentReviews.id));
  },
  /** The latest round that was reviewed — before `before` when given; null when none was. */
  async lastReviewedRound(db: DbOrTx, orderId: string, before?: number): Promise<number | null> {
    const [r] = await db
      .select({ round: max(documentReviews.round) })
      .from(documentReviews)
      .where(and(eq(documentReviews.orderId, orderId), before === undefined ? undefined : lt(documentReviews.round, before)));
    return r?.round ?? null;
  },
  /** The approve/reject event of a round (its detail carries the round, the decision and the order-level reason). */
  async decisionEvent(db: DbOrTx, orderId: string, round: number): Promise<OrderEventRow | undefined> {
    const [r] = await db
      .select()
      .from(orderEvents)
      .where(
        and(
          eq(orderEvents.orderId, orderId),
          inArray(orderEvents.action, [...REVIEW_ACTIONS]),
          sql`${orderEvents.detail}->>'round' = ${String(round)}`,
        ),
      )
      .orderBy(desc(orderEvents.id))
      .limit(1);
    return r;
  },
  /** Every submission of the order, oldest first (the n-th one started round n). */
  async submissions(db: DbOrTx, orderId: string): Promise<OrderEventRow[]> {
    return db
      .select()
      .from(orderEvents)
      .where(and(eq(orderEvents.orderId, orderId), inArray(orderEvents.action, [...SUBMIT_ACTIONS])))
      .orderBy(asc(orderEvents.id));
  },
};
