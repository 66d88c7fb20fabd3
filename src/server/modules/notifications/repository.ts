/** SMS texts an administrator edited (table `sms_templates`, one row per template key; no row = the default). */
import { eq } from 'drizzle-orm';
import type { DbOrTx } from '../../db/client.js';
import { smsTemplates } from '../../db/schema.js';

export type SmsTemplateRow = typeof smsTemplates.$inferSelect;

export const smsTemplateRepository = {
  async find(db: DbOrTx, key: string): Promise<SmsTemplateRow | undefined> {
    const [row] = await db.select().from(smsTemplates).where(eq(smsTemplates.key, key));
    return row;
  },
  all(db: DbOrTx): Promise<SmsTemplateRow[]> {
    return db.select().from(smsTemplates);
  },
  async save(db: DbOrTx, row: { key: string; text: string; updatedAt: Date; updatedBy: string }): Promise<void> {
    const { text, updatedAt, updatedBy } = row;
    await db.insert(smsTemplates).values(row).onConflictDoUpdate({ target: smsTemplates.key, set: { text, updatedAt, updatedBy } });
  },
};
