/**
 * SQL of the UKEY operations (issue 20): the organization's certificate on a token (by the token's serial,
 * recorded at 制证), and the 在线解锁 requests (db/schema-tokens.ts) with their compare-and-set moves.
 */
import { and, desc, eq, gt, inArray, lt, notInArray, sql } from 'drizzle-orm';
import type { DbOrTx } from '../../db/client.js';
import { certificates } from '../../db/schema-certificates.js';
import { orders } from '../../db/schema.js';
import { tokenUnlocks, type TokenUnlockStatus } from '../../db/schema-tokens.js';

export type TokenUnlockRow = typeof tokenUnlocks.$inferSelect;

const OPEN: TokenUnlockStatus[] = ['done', 'closed'];

export const tokenRepository = {
  /** The organization's newest issued certificate made on this token, with the order form it came from. */
  async certificateOnToken(db: DbOrTx, organizationId: string, tokenSerial: string) {
    const [r] = await db
      .select({
        id: certificates.id,
        serial: certificates.serial,
        notAfter: certificates.notAfter,
        orderId: certificates.orderId,
        form: orders.form,
      })
      .from(certificates)
      .leftJoin(orders, eq(orders.id, certificates.orderId))
      .where(
        and(eq(certificates.organizationId, organizationId), eq(certificates.tokenSerial, tokenSerial), eq(certificates.status, 'issued')),
      )
      .orderBy(desc(certificates.issuedAt))
      .limit(1);
    return r;
  },

  async find(db: DbOrTx, id: string, organizationId: string, lock = false): Promise<TokenUnlockRow | undefined> {
    const q = db
      .select()
      .from(tokenUnlocks)
      .where(and(eq(tokenUnlocks.id, id), eq(tokenUnlocks.organizationId, organizationId)));
    const [r] = lock ? await q.for('update') : await q;
    return r;
  },

  /** The newest request of the organization for this token (for the resend wait). */
  async latestForToken(db: DbOrTx, organizationId: string, tokenSerial: string): Promise<TokenUnlockRow | undefined> {
    const [r] = await db
      .select()
      .from(tokenUnlocks)
      .where(and(eq(tokenUnlocks.organizationId, organizationId), eq(tokenUnlocks.tokenSerial, tokenSerial)))
      .orderBy(desc(tokenUnlocks.createdAt))
      .limit(1);
    return r;
  },

  /** Closes the token's open requests (a new one replaces them); returns how many. */
  async closeOpen(db: DbOrTx, tokenSerial: string, now: Date): Promise<number> {
    const r = await db
      .update(tokenUnlocks)
      .set({ status: 'closed', updatedAt: now })
      .where(and(eq(tokenUnlocks.tokenSerial, tokenSerial), notInArray(tokenUnlocks.status, OPEN)))
      .returning({ id: tokenUnlocks.id });
    return r.length;
  },

  async insert(db: DbOrTx, row: typeof tokenUnlocks.$inferInsert): Promise<TokenUnlockRow> {
    const [r] = await db.insert(tokenUnlocks).values(row).returning();
    return r!;
  },

  /** Spends one code try before comparing, atomically; undefined when none is left or the code is dead. */
  async takeCodeAttempt(db: DbOrTx, id: string, maxTries: number, now: Date): Promise<number | undefined> {
    const [r] = await db
      .update(tokenUnlocks)
      .set({ codeAttempts: sql`${tokenUnlocks.codeAttempts} + 1`, updatedAt: now })
      .where(
        and(
          eq(tokenUnlocks.id, id),
          eq(tokenUnlocks.status, 'code_sent'),
          gt(tokenUnlocks.codeExpiresAt, now),
          lt(tokenUnlocks.codeAttempts, maxTries),
        ),
      )
      .returning({ attempts: tokenUnlocks.codeAttempts });
    return r?.attempts;
  },

  /** Spends one face check before starting it, atomically (status → face_started); undefined when none is left or the step is wrong. */
  async takeFaceAttempt(db: DbOrTx, id: string, maxTries: number, now: Date): Promise<number | undefined> {
    const [r] = await db
      .update(tokenUnlocks)
      .set({ faceAttempts: sql`${tokenUnlocks.faceAttempts} + 1`, status: 'face_started', faceBizToken: null, updatedAt: now })
      .where(
        and(
          eq(tokenUnlocks.id, id),
          // A check left unfinished on the provider's page may be started again (it counted already).
          inArray(tokenUnlocks.status, ['code_ok', 'face_started']),
          gt(tokenUnlocks.expiresAt, now),
          lt(tokenUnlocks.faceAttempts, maxTries),
        ),
      )
      .returning({ attempts: tokenUnlocks.faceAttempts });
    return r?.attempts;
  },

  /** Compare-and-set of the status (and the columns that go with the step); the row, or undefined when it moved. */
  async move(
    db: DbOrTx,
    id: string,
    from: TokenUnlockStatus,
    to: TokenUnlockStatus,
    now: Date,
    set: Partial<typeof tokenUnlocks.$inferInsert> = {},
  ): Promise<TokenUnlockRow | undefined> {
    const [r] = await db
      .update(tokenUnlocks)
      .set({ ...set, status: to, updatedAt: now })
      .where(and(eq(tokenUnlocks.id, id), eq(tokenUnlocks.status, from)))
      .returning();
    return r;
  },

  async setFaceToken(db: DbOrTx, id: string, provider: string, bizToken: string, now: Date): Promise<void> {
    await db
      .update(tokenUnlocks)
      .set({ faceProvider: provider, faceBizToken: bizToken, updatedAt: now })
      .where(and(eq(tokenUnlocks.id, id), eq(tokenUnlocks.status, 'face_started')));
  },
};
