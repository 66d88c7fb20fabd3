/** SQL for 发票: one row per paid order (waiting → due at 制证完成 → issued). */
import { and, asc, desc, eq, gt, inArray, lt, or } from 'drizzle-orm';
import type { DbOrTx } from '../../db/client.js';
import { invoices, orders, organizations } from '../../db/schema.js';
import type { InvoiceStatus } from '../../../core/fulfilment.js';

export type InvoiceRow = typeof invoices.$inferSelect;

/** Where a page of the list ends: the sort value of its last row and that row's order id (keyset pagination). */
export interface InvoiceCursor {
  v: string;
  id: string;
}

export const invoiceRepository = {
  /**
   * Creates the invoice task of a paid order; a second call for the same order changes nothing. Callers set
   * createdAt from the clock (millisecond precision), so list cursors compare equal to what they read.
   */
  async create(db: DbOrTx, row: typeof invoices.$inferInsert): Promise<InvoiceRow | undefined> {
    const [r] = await db.insert(invoices).values(row).onConflictDoNothing({ target: invoices.orderId }).returning();
    return r;
  },
  async find(db: DbOrTx, orderId: string): Promise<InvoiceRow | undefined> {
    const [r] = await db.select().from(invoices).where(eq(invoices.orderId, orderId));
    return r;
  },
  async lock(db: DbOrTx, orderId: string): Promise<InvoiceRow | undefined> {
    const [r] = await db.select().from(invoices).where(eq(invoices.orderId, orderId)).for('update');
    return r;
  },
  /** waiting → due with its deadline (制证完成); an invoice already issued early stays issued. */
  async makeDue(db: DbOrTx, orderId: string, dueAt: Date): Promise<InvoiceRow | undefined> {
    const [r] = await db
      .update(invoices)
      .set({ status: 'due', dueAt })
      .where(and(eq(invoices.orderId, orderId), eq(invoices.status, 'waiting')))
      .returning();
    return r;
  },
  /** Compare-and-set: only an invoice not yet issued can be issued, so two clicks issue (and e-mail) once. */
  async markIssued(
    db: DbOrTx,
    orderId: string,
    set: { invoiceNo: string; storageKey: string | null; issuedAt: Date; issuedBy: string },
  ): Promise<InvoiceRow | undefined> {
    const [r] = await db
      .update(invoices)
      .set({ status: 'issued', ...set })
      .where(and(eq(invoices.orderId, orderId), inArray(invoices.status, ['waiting', 'due'])))
      .returning();
    return r;
  },
  /**
   * One page of an invoice list with the order and organization it belongs to. Due invoices come
   * earliest deadline first (the overdue on top), waiting ones oldest payment first, issued ones newest
   * first; ties are broken by order id, which the cursor carries.
   */
  async list(db: DbOrTx, status: InvoiceStatus, limit: number, after?: InvoiceCursor) {
    const sortCol = status === 'due' ? invoices.dueAt : status === 'waiting' ? invoices.createdAt : invoices.issuedAt;
    const ascending = status !== 'issued';
    const cmp = ascending ? gt : lt;
    const keyset = after
      ? or(cmp(sortCol, new Date(after.v)), and(eq(sortCol, new Date(after.v)), cmp(invoices.orderId, after.id)))
      : undefined;
    const rows = await db
      .select({
        invoice: invoices,
        orderNo: orders.orderNo,
        organizationName: organizations.name,
      })
      .from(invoices)
      .innerJoin(orders, eq(orders.id, invoices.orderId))
      .innerJoin(organizations, eq(organizations.id, orders.organizationId))
      .where(and(eq(invoices.status, status), keyset))
      .orderBy(ascending ? asc(sortCol) : desc(sortCol), ascending ? asc(invoices.orderId) : desc(invoices.orderId))
      .limit(limit);
    return rows;
  },
};
