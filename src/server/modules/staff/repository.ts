import { and, asc, eq, isNull } from 'drizzle-orm';
import type { DbOrTx } from '../../db/client.js';
import { staff } from '../../db/schema.js';

export type StaffRow = typeof staff.$inferSelect;

export const staffRepository = {
  async findByUsername(db: DbOrTx, username: string): Promise<StaffRow | undefined> {
    const [row] = await db.select().from(staff).where(eq(staff.username, username));
    return row;
  },
  async findById(db: DbOrTx, id: string): Promise<StaffRow | undefined> {
    const [row] = await db.select().from(staff).where(eq(staff.id, id));
    return row;
  },
  async insert(db: DbOrTx, row: typeof staff.$inferInsert): Promise<StaffRow | undefined> {
    const [created] = await db.insert(staff).values(row).onConflictDoNothing({ target: staff.username }).returning();
    return created;
  },
  async list(db: DbOrTx): Promise<StaffRow[]> {
    return db.select().from(staff).orderBy(asc(staff.createdAt), asc(staff.username));
  },
  /** Compare-and-set: disables an account that is still enabled. */
  async disable(db: DbOrTx, id: string, at: Date): Promise<boolean> {
    const rows = await db
      .update(staff)
      .set({ disabledAt: at })
      .where(and(eq(staff.id, id), isNull(staff.disabledAt)))
      .returning({ id: staff.id });
    return rows.length === 1;
  },
  async enable(db: DbOrTx, id: string): Promise<boolean> {
    const rows = await db.update(staff).set({ disabledAt: null }).where(eq(staff.id, id)).returning({ id: staff.id });
    return rows.length === 1;
  },
  async hasAnyAdmin(db: DbOrTx): Promise<boolean> {
    const all = await db.select({ roles: staff.roles }).from(staff).where(isNull(staff.disabledAt));
    return all.some((r) => r.roles.includes('管理员'));
  },
};
