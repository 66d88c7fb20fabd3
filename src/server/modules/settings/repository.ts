/** SQL for the administrator's settings (table settings: one jsonb value per key). */
import { eq } from 'drizzle-orm';
import type { DbOrTx } from '../../db/client.js';
import { settings } from '../../db/schema.js';

export type SettingRow = typeof settings.$inferSelect;

export const settingsRepository = {
  async find(db: DbOrTx, key: string): Promise<SettingRow | undefined> {
    const [r] = await db.select().from(settings).where(eq(settings.key, key));
    return r;
  },
  /** Reads the row and locks it (when it exists) until the transaction ends: the before of an audited edit. */
  async lock(db: DbOrTx, key: string): Promise<SettingRow | undefined> {
    const [r] = await db.select().from(settings).where(eq(settings.key, key)).for('update');
    return r;
  },
  async put(db: DbOrTx, row: { key: string; value: unknown; updatedAt: Date; updatedBy: string }): Promise<void> {
    await db
      .insert(settings)
      .values(row)
      .onConflictDoUpdate({ target: settings.key, set: { value: row.value, updatedAt: row.updatedAt, updatedBy: row.updatedBy } });
  },
};
