import { and, desc, eq, gt, ilike, isNull, lt, or, sql } from 'drizzle-orm';
import type { DbOrTx } from '../../db/client.js';
import { organizations, passwordResets } from '../../db/schema.js';

export type OrganizationRow = typeof organizations.$inferSelect;

export const organizationRepository = {
  async findByUscc(db: DbOrTx, uscc: string): Promise<OrganizationRow | undefined> {
    const [row] = await db.select().from(organizations).where(eq(organizations.uscc, uscc));
    return row;
  },
  async findById(db: DbOrTx, id: string): Promise<OrganizationRow | undefined> {
    const [row] = await db.select().from(organizations).where(eq(organizations.id, id));
    return row;
  },
  /** Inserts unless the USCC exists; returns undefined on a duplicate (the unique index decides races). */
  async insert(db: DbOrTx, row: typeof organizations.$inferInsert): Promise<OrganizationRow | undefined> {
    const [created] = await db.insert(organizations).values(row).onConflictDoNothing({ target: organizations.uscc }).returning();
    return created;
  },
  async setPassword(db: DbOrTx, id: string, passwordHash: string, at: Date): Promise<void> {
    await db.update(organizations).set({ passwordHash, updatedAt: at }).where(eq(organizations.id, id));
  },
  /** Compare-and-set rename: only if the name is still what the caller saw. */
  async rename(db: DbOrTx, id: string, from: string, to: string, at: Date): Promise<boolean> {
    const rows = await db
      .update(organizations)
      .set({ name: to, updatedAt: at })
      .where(and(eq(organizations.id, id), eq(organizations.name, from)))
      .returning({ id: organizations.id });
    return rows.length === 1;
  },
  /** Staff search by USCC prefix or name fragment, newest first, keyset by (created_at, id). */
  async search(db: DbOrTx, q: string, limit: number): Promise<OrganizationRow[]> {
    const term = q.trim();
    const where = term
      ? or(
          ilike(organizations.uscc, `${term.toUpperCase().replace(/[%_\\]/g, '')}%`),
          ilike(organizations.name, `%${term.replace(/[%_\\]/g, '')}%`),
        )
      : undefined;
    return db.select().from(organizations).where(where).orderBy(desc(organizations.createdAt), desc(organizations.id)).limit(limit);
  },
  async count(db: DbOrTx): Promise<number> {
    const [r] = await db.select({ n: sql<number>`count(*)::int` }).from(organizations);
    return r?.n ?? 0;
  },
};

export const passwordResetRepository = {
  async insert(db: DbOrTx, row: typeof passwordResets.$inferInsert): Promise<string> {
    const [r] = await db.insert(passwordResets).values(row).returning({ id: passwordResets.id });
    return r!.id;
  },
  /** A new code replaces the earlier ones: they expire now (so "the newest" never depends on timestamps). */
  async expireOpen(db: DbOrTx, organizationId: string, now: Date): Promise<void> {
    await db
      .update(passwordResets)
      .set({ expiresAt: now })
      .where(and(eq(passwordResets.organizationId, organizationId), isNull(passwordResets.usedAt), gt(passwordResets.expiresAt, now)));
  },
  /** The newest code that is still usable for the organization. */
  async latestUsable(db: DbOrTx, organizationId: string, now: Date) {
    const [row] = await db
      .select()
      .from(passwordResets)
      .where(and(eq(passwordResets.organizationId, organizationId), isNull(passwordResets.usedAt), gt(passwordResets.expiresAt, now)))
      .orderBy(desc(passwordResets.createdAt))
      .limit(1);
    return row;
  },
  /**
   * Spends one of the code's tries before the code is compared, in one atomic statement, so concurrent
   * guesses cannot all read the same count and exceed the limit. Returns the tries used including this
   * one, or undefined when the code is spent, used or out of tries.
   */
  async takeAttempt(db: DbOrTx, id: string, maxTries: number): Promise<number | undefined> {
    const [row] = await db
      .update(passwordResets)
      .set({ attempts: sql`${passwordResets.attempts} + 1` })
      .where(and(eq(passwordResets.id, id), isNull(passwordResets.usedAt), lt(passwordResets.attempts, maxTries)))
      .returning({ attempts: passwordResets.attempts });
    return row?.attempts;
  },
  /** Compare-and-set: a code can be used once even if two requests race. */
  async markUsed(db: DbOrTx, id: string, at: Date): Promise<boolean> {
    const rows = await db
      .update(passwordResets)
      .set({ usedAt: at })
      .where(and(eq(passwordResets.id, id), isNull(passwordResets.usedAt)))
      .returning({ id: passwordResets.id });
    return rows.length === 1;
  },
};
