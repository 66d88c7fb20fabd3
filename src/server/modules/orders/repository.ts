import { and, asc, desc, eq, inArray, isNull, notInArray, sql } from 'drizzle-orm';
import type { DbOrTx } from '../../db/client.js';
import { legalChecks, orderDocuments, orderEvents, orders } from '../../db/schema.js';
import { EDITABLE, ENDED, type OrderStatus } from '../../../core/workflow.js';

export type OrderRow = typeof orders.$inferSelect;
export type OrderEventRow = typeof orderEvents.$inferSelect;
export type OrderDocumentRow = typeof orderDocuments.$inferSelect;

export const orderRepository = {
  async insert(db: DbOrTx, row: typeof orders.$inferInsert): Promise<OrderRow | undefined> {
    const [r] = await db.insert(orders).values(row).onConflictDoNothing().returning();
    return r;
  },
  async findById(db: DbOrTx, id: string): Promise<OrderRow | undefined> {
    const [r] = await db.select().from(orders).where(eq(orders.id, id));
    return r;
  },
  /**
   * Reads the order and locks its row until the transaction ends, so that checks made on it (documents
   * complete, form valid) still hold when the status changes; uploads lock the same row.
   */
  async lockById(db: DbOrTx, id: string): Promise<OrderRow | undefined> {
    const [r] = await db.select().from(orders).where(eq(orders.id, id)).for('update');
    return r;
  },
  /**
   * Serializes, until the transaction ends, whatever opens an order of this organization for this project —
   * online and at the counter alike — so each main/sub key check sees the orders the others created.
   */
  async lockOrganizationProject(tx: DbOrTx, organizationId: string, projectCode: string): Promise<void> {
    await tx.execute(sql`select pg_advisory_xact_lock(hashtext(${`order:${organizationId}:${projectCode}`}))`);
  },
  /** The organization's own order, or nothing — the ownership check every applicant route uses. */
  async findOwned(db: DbOrTx, id: string, organizationId: string): Promise<OrderRow | undefined> {
    const [r] = await db
      .select()
      .from(orders)
      .where(and(eq(orders.id, id), eq(orders.organizationId, organizationId)));
    return r;
  },
  async findByLegalToken(db: DbOrTx, tokenHash: string): Promise<OrderRow | undefined> {
    const [r] = await db.select().from(orders).where(eq(orders.legalCheckTokenHash, tokenHash));
    return r;
  },
  async listForOrganization(db: DbOrTx, organizationId: string): Promise<OrderRow[]> {
    return db
      .select()
      .from(orders)
      .where(and(eq(orders.organizationId, organizationId), isNull(orders.deletedAt)))
      .orderBy(desc(orders.createdAt));
  },
  /**
   * The organization's unfinished orders of a project (草稿 or 资料审核失败: the applicant still has work to do
   * on them), newest first — what 新制申请 offers to continue instead of starting again.
   */
  async unfinishedForProject(db: DbOrTx, organizationId: string, projectCode: string): Promise<OrderRow[]> {
    return db
      .select()
      .from(orders)
      .where(and(eq(orders.organizationId, organizationId), eq(orders.projectCode, projectCode), inArray(orders.status, [...EDITABLE])))
      .orderBy(desc(orders.createdAt));
  },
  /** The organization's most recently changed orders (any status: a deleted draft's data is still its own). */
  async recentlyChanged(db: DbOrTx, organizationId: string, limit: number): Promise<OrderRow[]> {
    return db.select().from(orders).where(eq(orders.organizationId, organizationId)).orderBy(desc(orders.updatedAt)).limit(limit);
  },
  /** Main-key orders of the organization for a project that are not over (any status but deleted/cancelled). */
  /** Saves the draft form only if nobody saved since `expectedVersion` and the order is still editable. */
  async saveForm(
    db: DbOrTx,
    id: string,
    expectedVersion: number,
    editable: readonly OrderStatus[],
    form: Record<string, unknown>,
    at: Date,
  ) {
    const [r] = await db
      .update(orders)
      .set({ form, formVersion: sql`${orders.formVersion} + 1`, updatedAt: at })
      .where(and(eq(orders.id, id), eq(orders.formVersion, expectedVersion), inArray(orders.status, [...editable])))
      .returning();
    return r;
  },
  /** Compare-and-set status change: zero rows means someone else changed the order first. */
  async setStatus(db: DbOrTx, id: string, from: OrderStatus, to: OrderStatus, at: Date, extra: Partial<typeof orders.$inferInsert> = {}) {
    const [r] = await db
      .update(orders)
      .set({ status: to, updatedAt: at, statusChangedAt: at, ...extra })
      .where(and(eq(orders.id, id), eq(orders.status, from)))
      .returning();
    return r;
  },
  async update(db: DbOrTx, id: string, set: Partial<typeof orders.$inferInsert>): Promise<void> {
    await db.update(orders).set(set).where(eq(orders.id, id));
  },
  /**
   * Remembers which identity data (applicationFormIdentity) the application form was last printed with —
   * unless the order has ended meanwhile (a deleted order prints nothing). Undefined: it had ended.
   */
  async recordApplicationFormPrint(db: DbOrTx, id: string, identity: string, at: Date): Promise<OrderRow | undefined> {
    const [r] = await db
      .update(orders)
      .set({ applicationFormPrintedIdentity: identity, applicationFormPrintedAt: at })
      .where(and(eq(orders.id, id), notInArray(orders.status, [...ENDED])))
      .returning();
    return r;
  },
  async addEvent(db: DbOrTx, e: typeof orderEvents.$inferInsert): Promise<void> {
    await db.insert(orderEvents).values(e);
  },
  async events(db: DbOrTx, orderId: string, publicOnly: boolean): Promise<OrderEventRow[]> {
    return db
      .select()
      .from(orderEvents)
      .where(and(eq(orderEvents.orderId, orderId), publicOnly ? eq(orderEvents.public, true) : undefined))
      .orderBy(asc(orderEvents.id));
  },
  async currentDocuments(db: DbOrTx, orderId: string): Promise<OrderDocumentRow[]> {
    return db
      .select()
      .from(orderDocuments)
      .where(and(eq(orderDocuments.orderId, orderId), isNull(orderDocuments.replacedAt)));
  },
  /** The most recent check that reached a verdict (a check still running or that never started hides nothing). */
  async latestFinishedLegalCheck(db: DbOrTx, orderId: string) {
    const [r] = await db
      .select()
      .from(legalChecks)
      .where(and(eq(legalChecks.orderId, orderId), inArray(legalChecks.status, ['passed', 'failed'])))
      .orderBy(desc(legalChecks.startedAt))
      .limit(1);
    return r;
  },
};
