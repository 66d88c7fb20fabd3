/** SQL for 法人核验: the legal_checks rows and the order columns they drive. */
import { and, count, desc, eq, gte, inArray, ne, notInArray, sql } from 'drizzle-orm';
import { ENDED } from '../../../core/workflow.js';
import type { DbOrTx } from '../../db/client.js';
import { legalChecks, orders } from '../../db/schema.js';
import type { AttemptCounts } from './limits.js';

export type LegalCheckRow = typeof legalChecks.$inferSelect;

/** Rows that count as attempts: every check that reached the provider ('error' rows did not). */
const COUNTED = ['started', 'passed', 'failed'] as const;

export const legalCheckRepository = {
  /** Serializes the checks of one order until the transaction ends (the attempt limits count them). */
  async lockOrder(tx: DbOrTx, orderId: string): Promise<void> {
    await tx.execute(sql`select pg_advisory_xact_lock(hashtext(${`legal-check:${orderId}`}))`);
  },
  async counts(db: DbOrTx, orderId: string, dayStart: Date): Promise<AttemptCounts> {
    const base = and(eq(legalChecks.orderId, orderId), inArray(legalChecks.status, [...COUNTED]));
    const [total] = await db.select({ n: count() }).from(legalChecks).where(base);
    const [today] = await db
      .select({ n: count() })
      .from(legalChecks)
      .where(and(base, gte(legalChecks.startedAt, dayStart)));
    return { today: Number(today?.n ?? 0), total: Number(total?.n ?? 0) };
  },
  async insert(db: DbOrTx, row: typeof legalChecks.$inferInsert): Promise<LegalCheckRow> {
    const [r] = await db.insert(legalChecks).values(row).returning();
    return r!;
  },
  async setBizToken(db: DbOrTx, id: string, bizToken: string): Promise<void> {
    await db.update(legalChecks).set({ bizToken }).where(eq(legalChecks.id, id));
  },
  async markError(db: DbOrTx, id: string, reason: string, at: Date): Promise<void> {
    await db
      .update(legalChecks)
      .set({ status: 'error', failureReason: reason, finishedAt: at })
      .where(and(eq(legalChecks.id, id), eq(legalChecks.status, 'started')));
  },
  /** The check with this BizToken — only if it belongs to this order (a BizToken from another order finds nothing). */
  async findForOrder(db: DbOrTx, orderId: string, bizToken: string): Promise<LegalCheckRow | undefined> {
    const [r] = await db
      .select()
      .from(legalChecks)
      .where(and(eq(legalChecks.orderId, orderId), eq(legalChecks.bizToken, bizToken)));
    return r;
  },
  /** Compare-and-set from 'started': zero rows means another finish got there first. */
  async finish(db: DbOrTx, id: string, status: 'passed' | 'failed', failureReason: string | null, at: Date) {
    const [r] = await db
      .update(legalChecks)
      .set({ status, failureReason, finishedAt: at })
      .where(and(eq(legalChecks.id, id), eq(legalChecks.status, 'started')))
      .returning();
    return r;
  },
  /** The newest check that reached the provider. */
  async latest(db: DbOrTx, orderId: string): Promise<LegalCheckRow | undefined> {
    const [r] = await db
      .select()
      .from(legalChecks)
      .where(and(eq(legalChecks.orderId, orderId), inArray(legalChecks.status, [...COUNTED])))
      .orderBy(desc(legalChecks.startedAt))
      .limit(1);
    return r;
  },
  /** The newest finished failure, for "why did it fail" on both pages. */
  async latestFailure(db: DbOrTx, orderId: string): Promise<LegalCheckRow | undefined> {
    const [r] = await db
      .select()
      .from(legalChecks)
      .where(and(eq(legalChecks.orderId, orderId), eq(legalChecks.status, 'failed')))
      .orderBy(desc(legalChecks.finishedAt))
      .limit(1);
    return r;
  },
  /** 认证成功 on a live order; false when the order ended (deleted) meanwhile. */
  async markOrderPassed(db: DbOrTx, orderId: string, at: Date): Promise<boolean> {
    const rows = await db
      .update(orders)
      .set({ legalCheckStatus: 'passed', legalCheckAt: at, updatedAt: at })
      .where(and(eq(orders.id, orderId), notInArray(orders.status, [...ENDED])))
      .returning({ id: orders.id });
    return rows.length === 1;
  },
  /** A failure never overwrites an earlier 认证成功. */
  async markOrderFailed(db: DbOrTx, orderId: string, at: Date): Promise<void> {
    await db
      .update(orders)
      .set({ legalCheckStatus: 'failed', updatedAt: at })
      .where(and(eq(orders.id, orderId), ne(orders.legalCheckStatus, 'passed')));
  },
};
