/** SQL for uploaded documents (table order_documents). */
import { and, desc, eq, gte, inArray, isNull, ne } from 'drizzle-orm';
import type { DbOrTx } from '../../db/client.js';
import { orderDocuments, orders } from '../../db/schema.js';
import type { OrderStatus } from '../../../core/workflow.js';
import type { OrderDocumentRow, OrderRow } from '../orders/repository.js';

export const documentRepository = {
  /** One document of one order (current or replaced); another order's document is not found. */
  async findInOrder(db: DbOrTx, orderId: string, documentId: string): Promise<OrderDocumentRow | undefined> {
    const [r] = await db
      .select()
      .from(orderDocuments)
      .where(and(eq(orderDocuments.id, documentId), eq(orderDocuments.orderId, orderId)));
    return r;
  },
  /**
   * Claims the order for a change of its documents: bumps updated_at only while the order is editable,
   * which also locks the row until commit — a submission (a compare-and-set on the same row) or a second
   * upload waits for this one instead of interleaving with it. No row = no longer editable.
   */
  async claimEditableOrder(db: DbOrTx, orderId: string, editable: readonly OrderStatus[], at: Date): Promise<OrderRow | undefined> {
    const [r] = await db
      .update(orders)
      .set({ updatedAt: at })
      .where(and(eq(orders.id, orderId), inArray(orders.status, [...editable])))
      .returning();
    return r;
  },
  /** Marks the slot's current file replaced (there is at most one: index order_documents_current_uq). */
  async retireCurrent(db: DbOrTx, orderId: string, slot: string, at: Date): Promise<OrderDocumentRow | undefined> {
    const [r] = await db
      .update(orderDocuments)
      .set({ replacedAt: at })
      .where(and(eq(orderDocuments.orderId, orderId), eq(orderDocuments.slot, slot), isNull(orderDocuments.replacedAt)))
      .returning();
    return r;
  },
  /**
   * The organization's current scans in one slot on its other orders, uploaded since `since`, newest first,
   * each with the order it belongs to. Only this organization's orders are searched: the ownership check of
   * 沿用 is this WHERE clause.
   */
  async currentInSlotOfOrganization(
    db: DbOrTx,
    q: { organizationId: string; slot: string; exceptOrderId: string; since: Date; documentId?: string; limit: number },
  ): Promise<{ document: OrderDocumentRow; order: OrderRow }[]> {
    return db
      .select({ document: orderDocuments, order: orders })
      .from(orderDocuments)
      .innerJoin(orders, eq(orders.id, orderDocuments.orderId))
      .where(
        and(
          eq(orders.organizationId, q.organizationId),
          ne(orders.id, q.exceptOrderId),
          eq(orderDocuments.slot, q.slot),
          isNull(orderDocuments.replacedAt),
          gte(orderDocuments.uploadedAt, q.since),
          q.documentId ? eq(orderDocuments.id, q.documentId) : undefined,
        ),
      )
      .orderBy(desc(orderDocuments.uploadedAt))
      .limit(q.limit);
  },
  async insert(db: DbOrTx, row: typeof orderDocuments.$inferInsert): Promise<OrderDocumentRow> {
    const [r] = await db.insert(orderDocuments).values(row).returning();
    return r!;
  },
};
