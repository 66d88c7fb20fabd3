import { and, asc, eq } from 'drizzle-orm';
import type { DbOrTx } from '../../db/client.js';
import { projectKeys, projects } from '../../db/schema.js';

const mainFirst = (a: { keyType: string }, b: { keyType: string }) => (a.keyType === b.keyType ? 0 : a.keyType === 'main' ? -1 : 1);

export type ProjectRow = typeof projects.$inferSelect;
export type ProjectKeyRow = typeof projectKeys.$inferSelect;
export type CatalogProject = ProjectRow & { keys: ProjectKeyRow[] };

export const catalogRepository = {
  async count(db: DbOrTx): Promise<number> {
    return (await db.select({ code: projects.code }).from(projects)).length;
  },
  async insertProject(db: DbOrTx, p: typeof projects.$inferInsert, keys: (typeof projectKeys.$inferInsert)[]): Promise<void> {
    await db.insert(projects).values(p).onConflictDoNothing();
    if (keys.length) await db.insert(projectKeys).values(keys).onConflictDoNothing();
  },
  async list(db: DbOrTx, opts: { activeOnly: boolean }): Promise<CatalogProject[]> {
    const ps = await db
      .select()
      .from(projects)
      .where(opts.activeOnly ? eq(projects.active, true) : undefined)
      .orderBy(asc(projects.sortOrder));
    const ks = await db.select().from(projectKeys);
    return ps.map((p) => ({ ...p, keys: ks.filter((k) => k.projectCode === p.code && (!opts.activeOnly || k.active)).sort(mainFirst) }));
  },
  async get(db: DbOrTx, code: string): Promise<CatalogProject | undefined> {
    const [p] = await db.select().from(projects).where(eq(projects.code, code));
    if (!p) return undefined;
    const ks = await db.select().from(projectKeys).where(eq(projectKeys.projectCode, code));
    return { ...p, keys: ks.sort(mainFirst) };
  },
};

export const catalogWrites = {
  async updateProject(db: DbOrTx, code: string, set: Partial<typeof projects.$inferInsert>): Promise<boolean> {
    const rows = await db.update(projects).set(set).where(eq(projects.code, code)).returning({ code: projects.code });
    return rows.length === 1;
  },
  async updateKey(db: DbOrTx, code: string, keyType: 'main' | 'sub', set: Partial<typeof projectKeys.$inferInsert>): Promise<boolean> {
    const rows = await db
      .update(projectKeys)
      .set(set)
      .where(and(eq(projectKeys.projectCode, code), eq(projectKeys.keyType, keyType)))
      .returning({ code: projectKeys.projectCode });
    return rows.length === 1;
  },
};
