import { and, asc, eq, inArray, isNotNull, isNull } from 'drizzle-orm';
import type { DbOrTx } from '../../db/client.js';
import { organizations, staff } from '../../db/schema.js';

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
  /** Compare-and-set: enables an account that is still disabled. */
  async enable(db: DbOrTx, id: string): Promise<boolean> {
    const rows = await db
      .update(staff)
      .set({ disabledAt: null })
      .where(and(eq(staff.id, id), isNotNull(staff.disabledAt)))
      .returning({ id: staff.id });
    return rows.length === 1;
  },
  /** Names and codes of organizations, for labelling audit rows in the staff console. */
  async organizationLabels(db: DbOrTx, ids: string[]): Promise<Map<string, { name: string; uscc: string }>> {
    if (!ids.length) return new Map();
    const rows = await db
      .select({ id: organizations.id, name: organizations.name, uscc: organizations.uscc })
      .from(organizations)
      .where(inArray(organizations.id, ids));
    return new Map(rows.map((r) => [r.id, { name: r.name, uscc: r.uscc }]));
  },
  async hasAnyAdmin(db: DbOrTx): Promise<boolean> {
    const all = await db.select({ roles: staff.roles }).from(staff).where(isNull(staff.disabledAt));
    return all.some((r) => r.roles.includes('管理员'));
  },
};
