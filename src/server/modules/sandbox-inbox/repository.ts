/**
 * What the sandboxes "delivered" (tables `sandbox_sms`, `sandbox_mail`): written by the sandbox SMS gateway
 * and the sandbox mail server instead of sending, read by the development inbox (/dev/inbox).
 */
import { desc, eq } from 'drizzle-orm';
import type { DbOrTx } from '../../db/client.js';
import { sandboxMail, sandboxSms } from '../../db/schema.js';

export type SandboxSmsRow = typeof sandboxSms.$inferSelect;
export type SandboxMailRow = typeof sandboxMail.$inferSelect;
/** A stored e-mail without its raw source (the list does not need it). */
export type SandboxMailSummary = Omit<SandboxMailRow, 'raw'>;

export const sandboxInboxRepository = {
  async insertSms(db: DbOrTx, row: typeof sandboxSms.$inferInsert): Promise<void> {
    await db.insert(sandboxSms).values(row);
  },
  /** The newest messages first, at most `limit`; filtered in SQL, so a number's message never hides behind newer ones. */
  sms(db: DbOrTx, opts: { phone?: string; limit: number }): Promise<SandboxSmsRow[]> {
    return db
      .select()
      .from(sandboxSms)
      .where(opts.phone ? eq(sandboxSms.phoneNumber, opts.phone) : undefined)
      .orderBy(desc(sandboxSms.id))
      .limit(opts.limit);
  },
  async insertMail(db: DbOrTx, row: typeof sandboxMail.$inferInsert): Promise<void> {
    await db.insert(sandboxMail).values(row);
  },
  /** The newest e-mails first, at most `limit`, optionally to one address (lower case). */
  mail(db: DbOrTx, opts: { to?: string; limit: number }): Promise<SandboxMailSummary[]> {
    return db
      .select({
        id: sandboxMail.id,
        messageId: sandboxMail.messageId,
        to: sandboxMail.to,
        subject: sandboxMail.subject,
        text: sandboxMail.text,
        attachments: sandboxMail.attachments,
        receivedAt: sandboxMail.receivedAt,
      })
      .from(sandboxMail)
      .where(opts.to ? eq(sandboxMail.to, opts.to) : undefined)
      .orderBy(desc(sandboxMail.id))
      .limit(opts.limit);
  },
  async mailById(db: DbOrTx, id: number): Promise<SandboxMailRow | undefined> {
    const [row] = await db.select().from(sandboxMail).where(eq(sandboxMail.id, id));
    return row;
  },
};
