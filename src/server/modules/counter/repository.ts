/** SQL of counter business: offices, staff offices, counter orders, their events and payments. */
import { and, asc, desc, eq, gte, inArray, lt, ne, notInArray, or, sql } from 'drizzle-orm';
import type { DbOrTx } from '../../db/client.js';
import { certificates } from '../../db/schema-certificates.js';
import { counterEvents, counterOrders, counterPayments, counterScans, offices, staffOffices } from '../../db/schema-counter.js';
import { staff } from '../../db/schema.js';

export type OfficeRow = typeof offices.$inferSelect;
export type CounterOrderRow = typeof counterOrders.$inferSelect;
export type CounterPaymentRow = typeof counterPayments.$inferSelect;
export type CounterScanRow = typeof counterScans.$inferSelect;

export const officeRepository = {
  async seed(db: DbOrTx, rows: (typeof offices.$inferInsert)[]): Promise<void> {
    // Seeded once: an administrator's later edits are never overwritten.
    if (rows.length) await db.insert(offices).values(rows).onConflictDoNothing({ target: offices.code });
  },
  async list(db: DbOrTx): Promise<OfficeRow[]> {
    return db.select().from(offices).orderBy(asc(offices.sortOrder), asc(offices.code));
  },
  async get(db: DbOrTx, code: string): Promise<OfficeRow | undefined> {
    const [r] = await db.select().from(offices).where(eq(offices.code, code));
    return r;
  },
  async update(db: DbOrTx, code: string, set: Partial<typeof offices.$inferInsert>): Promise<OfficeRow | undefined> {
    const [r] = await db.update(offices).set(set).where(eq(offices.code, code)).returning();
    return r;
  },
  async officeOfStaff(db: DbOrTx, staffId: string): Promise<OfficeRow | undefined> {
    const [r] = await db
      .select({ office: offices })
      .from(staffOffices)
      .innerJoin(offices, eq(offices.code, staffOffices.officeCode))
      .where(eq(staffOffices.staffId, staffId));
    return r?.office;
  },
  async setStaffOffice(db: DbOrTx, staffId: string, officeCode: string | null, by: string, at: Date): Promise<void> {
    if (officeCode === null) {
      await db.delete(staffOffices).where(eq(staffOffices.staffId, staffId));
      return;
    }
    await db
      .insert(staffOffices)
      .values({ staffId, officeCode, updatedAt: at, updatedBy: by })
      .onConflictDoUpdate({ target: staffOffices.staffId, set: { officeCode, updatedAt: at, updatedBy: by } });
  },
  async staffWithOffices(db: DbOrTx) {
    return db
      .select({
        id: staff.id,
        username: staff.username,
        displayName: staff.displayName,
        roles: staff.roles,
        officeCode: staffOffices.officeCode,
      })
      .from(staff)
      .leftJoin(staffOffices, eq(staffOffices.staffId, staff.id))
      .where(sql`${staff.disabledAt} is null`)
      .orderBy(asc(staff.username));
  },
};

export const counterRepository = {
  async insert(db: DbOrTx, row: typeof counterOrders.$inferInsert): Promise<CounterOrderRow> {
    const [r] = await db.insert(counterOrders).values(row).returning();
    return r!;
  },
  async findById(db: DbOrTx, id: string, lock = false): Promise<CounterOrderRow | undefined> {
    const q = db.select().from(counterOrders).where(eq(counterOrders.id, id));
    const [r] = lock ? await q.for('update') : await q;
    return r;
  },
  /** Compare-and-set on the status the caller saw; null when someone else moved the order first. */
  async moveStatus(
    db: DbOrTx,
    id: string,
    from: string,
    to: string,
    at: Date,
    set: Partial<typeof counterOrders.$inferInsert> = {},
  ): Promise<CounterOrderRow | undefined> {
    const [r] = await db
      .update(counterOrders)
      .set({ ...set, status: to, statusChangedAt: at, updatedAt: at })
      .where(and(eq(counterOrders.id, id), eq(counterOrders.status, from)))
      .returning();
    return r;
  },
  /** Materials are ticked only while the order is at the status the caller saw. */
  async setMaterials(db: DbOrTx, id: string, status: string, materials: CounterOrderRow['materials'], at: Date) {
    const [r] = await db
      .update(counterOrders)
      .set({ materials, updatedAt: at })
      .where(and(eq(counterOrders.id, id), eq(counterOrders.status, status)))
      .returning();
    return r;
  },
  async set(db: DbOrTx, id: string, set: Partial<typeof counterOrders.$inferInsert>): Promise<void> {
    await db.update(counterOrders).set(set).where(eq(counterOrders.id, id));
  },
  async insertEvent(db: DbOrTx, e: typeof counterEvents.$inferInsert): Promise<void> {
    await db.insert(counterEvents).values(e);
  },
  async events(db: DbOrTx, id: string) {
    return db
      .select({ event: counterEvents, actorName: staff.displayName })
      .from(counterEvents)
      .leftJoin(staff, eq(staff.id, counterEvents.actorId))
      .where(eq(counterEvents.counterOrderId, id))
      .orderBy(asc(counterEvents.id));
  },
  async openOrderReplacing(db: DbOrTx, certificateId: string) {
    const [r] = await db
      .select({ id: counterOrders.id })
      .from(counterOrders)
      .where(and(eq(counterOrders.replacesCertificateId, certificateId), ne(counterOrders.status, 'cancelled')));
    return r;
  },
  /** Main-key counter orders of the organization and project that are still open (for the main/sub rule). */
  /** One office's orders opened on a day (from ≤ created_at < to), oldest first, with the payment. */
  async ofOfficeBetween(db: DbOrTx, officeCode: string, from: Date, to: Date) {
    return db
      .select({ order: counterOrders, payment: counterPayments })
      .from(counterOrders)
      .leftJoin(counterPayments, eq(counterPayments.counterOrderId, counterOrders.id))
      .where(and(eq(counterOrders.officeCode, officeCode), gte(counterOrders.createdAt, from), lt(counterOrders.createdAt, to)))
      .orderBy(asc(counterOrders.createdAt))
      .limit(1000);
  },
  /** Open orders of the office opened earlier (still to finish). */
  async openOfOfficeBefore(db: DbOrTx, officeCode: string, before: Date) {
    return db
      .select({ order: counterOrders, payment: counterPayments })
      .from(counterOrders)
      .leftJoin(counterPayments, eq(counterPayments.counterOrderId, counterOrders.id))
      .where(
        and(
          eq(counterOrders.officeCode, officeCode),
          lt(counterOrders.createdAt, before),
          notInArray(counterOrders.status, ['completed', 'cancelled']),
        ),
      )
      .orderBy(asc(counterOrders.createdAt))
      .limit(500);
  },
  async recentOfOrganization(db: DbOrTx, organizationId: string) {
    return db
      .select()
      .from(counterOrders)
      .where(eq(counterOrders.organizationId, organizationId))
      .orderBy(desc(counterOrders.createdAt))
      .limit(50);
  },

  // ——— scans ———
  async retireScan(db: DbOrTx, counterOrderId: string, material: string, at: Date): Promise<void> {
    await db
      .update(counterScans)
      .set({ retiredAt: at })
      .where(
        and(eq(counterScans.counterOrderId, counterOrderId), eq(counterScans.material, material), sql`${counterScans.retiredAt} is null`),
      );
  },
  async insertScan(db: DbOrTx, row: typeof counterScans.$inferInsert): Promise<CounterScanRow> {
    const [r] = await db.insert(counterScans).values(row).returning();
    return r!;
  },
  async currentScans(db: DbOrTx, counterOrderId: string): Promise<CounterScanRow[]> {
    return db
      .select()
      .from(counterScans)
      .where(and(eq(counterScans.counterOrderId, counterOrderId), sql`${counterScans.retiredAt} is null`));
  },
  async scan(db: DbOrTx, counterOrderId: string, scanId: string): Promise<CounterScanRow | undefined> {
    const [r] = await db
      .select()
      .from(counterScans)
      .where(and(eq(counterScans.id, scanId), eq(counterScans.counterOrderId, counterOrderId)));
    return r;
  },

  // ——— payments ———
  /** Null when the receipt number is already used (counter_payments_receipt_uq) or the order was paid. */
  async insertPayment(db: DbOrTx, row: typeof counterPayments.$inferInsert): Promise<CounterPaymentRow | null> {
    const r = await db.insert(counterPayments).values(row).onConflictDoNothing().returning();
    return r[0] ?? null;
  },
  async paymentOf(db: DbOrTx, counterOrderId: string): Promise<CounterPaymentRow | undefined> {
    const [r] = await db.select().from(counterPayments).where(eq(counterPayments.counterOrderId, counterOrderId));
    return r;
  },
  async paymentsOfOffice(db: DbOrTx, officeCode: string, from: Date, to: Date) {
    return db
      .select()
      .from(counterPayments)
      .where(and(eq(counterPayments.officeCode, officeCode), gte(counterPayments.paidAt, from), lt(counterPayments.paidAt, to)));
  },
  /** Counter payments in a period, with the order and office, for 收款对账. */
  async paidBetween(db: DbOrTx, from: Date, to: Date) {
    return db
      .select({ payment: counterPayments, order: counterOrders, officeName: offices.name })
      .from(counterPayments)
      .innerJoin(counterOrders, eq(counterOrders.id, counterPayments.counterOrderId))
      .innerJoin(offices, eq(offices.code, counterPayments.officeCode))
      .where(and(gte(counterPayments.paidAt, from), lt(counterPayments.paidAt, to)))
      .orderBy(asc(counterPayments.paidAt));
  },

  // ——— certificates the counter works on ———
  /** The organization's certificates a counter order may replace: issued, matched by organization or USCC. */
  async replaceableCertificates(db: DbOrTx, organizationId: string, uscc: string) {
    return db
      .select()
      .from(certificates)
      .where(
        and(
          or(eq(certificates.organizationId, organizationId), eq(certificates.uscc, uscc)),
          inArray(certificates.status, ['issued']),
          // The counter replaces a key: its signing certificate (an encryption certificate goes with it).
          eq(certificates.usage, 'signing'),
        ),
      )
      .orderBy(desc(certificates.createdAt))
      .limit(100);
  },
  async certificate(db: DbOrTx, id: string) {
    const [r] = await db.select().from(certificates).where(eq(certificates.id, id));
    return r;
  },
  /** Whether a certificate already has a successor (a live certificate that replaces it). */
  async successorOf(db: DbOrTx, id: string) {
    const [r] = await db
      .select({ id: certificates.id, serial: certificates.serial })
      .from(certificates)
      .where(and(eq(certificates.replacesId, id), ne(certificates.status, 'failed')));
    return r;
  },
  async liveForCounterOrder(db: DbOrTx, counterOrderId: string, lock = false) {
    const q = db
      .select()
      .from(certificates)
      .where(and(eq(certificates.counterOrderId, counterOrderId), ne(certificates.status, 'failed')));
    const [r] = lock ? await q.for('update') : await q;
    return r;
  },
};
