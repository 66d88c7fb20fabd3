/**
 * SQL of 在线续费: renewals and their compare-and-set status moves, their events, their payment attempts, and
 * the registry reads the rules need (the certificate's successor, a counter order open on it).
 */
import { and, desc, eq, gt, inArray, isNull, lt, ne, notInArray, sql } from 'drizzle-orm';
import type { DbOrTx } from '../../db/client.js';
import { certificates } from '../../db/schema-certificates.js';
import { counterOrders } from '../../db/schema-counter.js';
import { renewalEvents, renewalPayments, renewals, type RenewalPaymentStatus, type RenewalStatus } from '../../db/schema-renewals.js';

export type RenewalRow = typeof renewals.$inferSelect;
export type RenewalPaymentRow = typeof renewalPayments.$inferSelect;

/** A renewal in one of these has ended; any other status is open. */
const ENDED: RenewalStatus[] = ['completed', 'cancelled'];

export const renewalRepository = {
  async insert(db: DbOrTx, row: typeof renewals.$inferInsert): Promise<RenewalRow | undefined> {
    // The partial unique index (one open renewal per certificate) turns a racing second start into "nothing".
    const [r] = await db.insert(renewals).values(row).onConflictDoNothing().returning();
    return r;
  },
  async findById(db: DbOrTx, id: string, lock = false): Promise<RenewalRow | undefined> {
    const q = db.select().from(renewals).where(eq(renewals.id, id));
    const [r] = lock ? await q.for('update') : await q;
    return r;
  },
  /** The certificate's open renewal, if any. */
  async openFor(db: DbOrTx, certificateId: string): Promise<RenewalRow | undefined> {
    const [r] = await db
      .select()
      .from(renewals)
      .where(and(eq(renewals.certificateId, certificateId), notInArray(renewals.status, ENDED)));
    return r;
  },
  /** The certificate's latest renewal (open or finished), for the page. */
  async latestFor(db: DbOrTx, certificateId: string): Promise<RenewalRow | undefined> {
    const [r] = await db
      .select()
      .from(renewals)
      .where(eq(renewals.certificateId, certificateId))
      .orderBy(desc(renewals.createdAt))
      .limit(1);
    return r;
  },
  /** Compare-and-set: moves the renewal from `from` only; undefined when it had moved on. */
  async move(
    db: DbOrTx,
    id: string,
    from: RenewalStatus,
    to: RenewalStatus,
    set: Partial<typeof renewals.$inferInsert>,
    at: Date,
  ): Promise<RenewalRow | undefined> {
    const [r] = await db
      .update(renewals)
      .set({ ...set, status: to, statusChangedAt: at, updatedAt: at })
      .where(and(eq(renewals.id, id), eq(renewals.status, from)))
      .returning();
    return r;
  },
  /** Stores a new request and its challenge (only while the renewal is still 'started'). */
  async setChallenge(
    db: DbOrTx,
    id: string,
    v: { csr: Buffer; csrSha256: string; newKeyId: string; challenge: Buffer; challengeExpiresAt: Date },
    at: Date,
  ): Promise<RenewalRow | undefined> {
    const [r] = await db
      .update(renewals)
      .set({ ...v, challengeUsedAt: null, proofAttempts: 0, updatedAt: at })
      .where(and(eq(renewals.id, id), eq(renewals.status, 'started')))
      .returning();
    return r;
  },
  /** Spends one proof try before the signature is checked, atomically; undefined when none is left or the challenge is dead. */
  async takeProofAttempt(db: DbOrTx, id: string, maxTries: number, now: Date): Promise<number | undefined> {
    const [r] = await db
      .update(renewals)
      .set({ proofAttempts: sql`${renewals.proofAttempts} + 1` })
      .where(
        and(
          eq(renewals.id, id),
          eq(renewals.status, 'started'),
          isNull(renewals.challengeUsedAt),
          gt(renewals.challengeExpiresAt, now),
          lt(renewals.proofAttempts, maxTries),
        ),
      )
      .returning({ attempts: renewals.proofAttempts });
    return r?.attempts;
  },
  async addEvent(db: DbOrTx, row: typeof renewalEvents.$inferInsert): Promise<void> {
    await db.insert(renewalEvents).values(row);
  },
  async events(db: DbOrTx, renewalId: string) {
    return db.select().from(renewalEvents).where(eq(renewalEvents.renewalId, renewalId)).orderBy(renewalEvents.at, renewalEvents.id);
  },

  // --- the registry, as the rules read it -----------------------------------------------------------------
  /** A live certificate that already replaces this one (a renewal, 补办 or 变更), if any. */
  async successorOf(db: DbOrTx, certificateId: string) {
    const [r] = await db
      .select({ id: certificates.id, serial: certificates.serial, status: certificates.status })
      .from(certificates)
      .where(and(eq(certificates.replacesId, certificateId), ne(certificates.status, 'failed')));
    return r;
  },
  /** The renewed certificate's row (pending, issued or revoked), locked: a retried issuance finds it. */
  async liveSuccessor(db: DbOrTx, certificateId: string) {
    const [r] = await db
      .select()
      .from(certificates)
      .where(and(eq(certificates.replacesId, certificateId), ne(certificates.status, 'failed')))
      .for('update');
    return r;
  },
  /** A counter order (续费/补办/变更) still open on this certificate. */
  async openCounterOrder(db: DbOrTx, certificateId: string) {
    const [r] = await db
      .select({ id: counterOrders.id, orderNo: counterOrders.orderNo })
      .from(counterOrders)
      .where(and(eq(counterOrders.replacesCertificateId, certificateId), notInArray(counterOrders.status, ['cancelled', 'completed'])));
    return r;
  },

  // --- payments ---------------------------------------------------------------------------------------------
  async insertPayment(db: DbOrTx, row: typeof renewalPayments.$inferInsert): Promise<RenewalPaymentRow> {
    const [r] = await db.insert(renewalPayments).values(row).returning();
    return r!;
  },
  async paymentsOf(db: DbOrTx, renewalId: string): Promise<RenewalPaymentRow[]> {
    return db.select().from(renewalPayments).where(eq(renewalPayments.renewalId, renewalId)).orderBy(desc(renewalPayments.createdAt));
  },
  async paymentByOutTradeNo(db: DbOrTx, outTradeNo: string, lock = false): Promise<RenewalPaymentRow | undefined> {
    const q = db.select().from(renewalPayments).where(eq(renewalPayments.outTradeNo, outTradeNo));
    const [r] = lock ? await q.for('update') : await q;
    return r;
  },
  async updatePayment(
    db: DbOrTx,
    id: string,
    set: Partial<typeof renewalPayments.$inferInsert>,
    onlyFrom?: RenewalPaymentStatus,
  ): Promise<RenewalPaymentRow | undefined> {
    const [r] = await db
      .update(renewalPayments)
      .set(set)
      .where(and(eq(renewalPayments.id, id), onlyFrom ? eq(renewalPayments.status, onlyFrom) : undefined))
      .returning();
    return r;
  },
  /** Claims the right to ask the provider about this attempt now (at most once per interval, across instances). */
  async claimQuery(db: DbOrTx, id: string, now: Date, notSince: Date): Promise<boolean> {
    const r = await db
      .update(renewalPayments)
      .set({ queriedAt: now })
      .where(
        and(
          eq(renewalPayments.id, id),
          eq(renewalPayments.status, 'pending'),
          sql`(${renewalPayments.queriedAt} is null or ${renewalPayments.queriedAt} < ${notSince})`,
        ),
      )
      .returning({ id: renewalPayments.id });
    return r.length === 1;
  },
  async pendingPayments(db: DbOrTx, renewalId: string): Promise<RenewalPaymentRow[]> {
    return db
      .select()
      .from(renewalPayments)
      .where(and(eq(renewalPayments.renewalId, renewalId), inArray(renewalPayments.status, ['pending'])));
  },
};
