/** SQL for uploaded documents (table order_documents). */
import { and, eq, inArray, isNull } from 'drizzle-orm';
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
  async insert(db: DbOrTx, row: typeof orderDocuments.$inferInsert): Promise<OrderDocumentRow> {
    const [r] = await db.insert(orderDocuments).values(row).returning();
    return r!;
  },
};
