/** SQL for what happens after payment: courier shipments and the call log. */
import { and, asc, count, desc, eq } from 'drizzle-orm';
import type { DbOrTx } from '../../db/client.js';
import { orderCalls, orderEvents, shipments } from '../../db/schema.js';

export type ShipmentRow = typeof shipments.$inferSelect;
export type OrderCallRow = typeof orderCalls.$inferSelect;

/**
 * `shipments.courier` holds 'SF' or 'EMS', or — for another courier — `other:<the name the applicant typed>`,
 * so a typed name can never be mistaken for one of the codes.
 */
export const courierColumn = (courier: 'SF' | 'EMS' | 'other', name?: string) => (courier === 'other' ? `other:${name ?? ''}` : courier);
export const fulfilmentRepository = {
  async addShipment(db: DbOrTx, row: typeof shipments.$inferInsert): Promise<ShipmentRow> {
    const [r] = await db.insert(shipments).values(row).returning();
    return r!;
  },
  /** An order's shipments, both ways, oldest first. */
  async shipments(db: DbOrTx, orderId: string): Promise<ShipmentRow[]> {
    return db.select().from(shipments).where(eq(shipments.orderId, orderId)).orderBy(asc(shipments.at), asc(shipments.id));
  },
  async addCall(db: DbOrTx, row: typeof orderCalls.$inferInsert): Promise<OrderCallRow> {
    const [r] = await db.insert(orderCalls).values(row).returning();
    return r!;
  },
  /** How many events of this action the order has (e.g. the number of the paper failure being recorded). */
  async countEvents(db: DbOrTx, orderId: string, action: string): Promise<number> {
    const [r] = await db
      .select({ n: count() })
      .from(orderEvents)
      .where(and(eq(orderEvents.orderId, orderId), eq(orderEvents.action, action)));
    return Number(r?.n ?? 0);
  },
  /** The latest event of this action (e.g. the last paper failure, to show what is missing). */
  async lastEvent(db: DbOrTx, orderId: string, action: string) {
    const [r] = await db
      .select()
      .from(orderEvents)
      .where(and(eq(orderEvents.orderId, orderId), eq(orderEvents.action, action)))
      .orderBy(desc(orderEvents.id))
      .limit(1);
    return r;
  },
};
