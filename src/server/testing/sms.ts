/**
 * Test helpers for the SMS path: run the outbox worker until the sandbox gateway has recorded the expected
 * number of messages for a phone, and read the code out of the newest one — the way a person reads the
 * SMS, not by peeking at the outbox. On PostgreSQL another test file's worker may deliver our row first,
 * so this polls instead of expecting our own runOnce to do it.
 */
import { asc, eq } from 'drizzle-orm';
import type { Db } from '../db/client.js';
import { sandboxSms } from '../db/schema.js';
import type { OutboxWorker } from '../modules/outbox/outbox.js';

export type SandboxSmsRow = typeof sandboxSms.$inferSelect;

export async function smsFor(t: { db: Db; outbox: OutboxWorker }, phone: string, atLeast = 1): Promise<SandboxSmsRow[]> {
  for (let i = 0; i < 100; i++) {
    await t.outbox.runOnce();
    const rows = await t.db.select().from(sandboxSms).where(eq(sandboxSms.phoneNumber, phone)).orderBy(asc(sandboxSms.id));
    if (rows.length >= atLeast) return rows;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`the sandbox gateway never received SMS no. ${atLeast} for ${phone}`);
}

/** The code in the `nth` SMS (1-based) the phone received, read from the message text. */
export async function smsCode(t: { db: Db; outbox: OutboxWorker }, phone: string, nth = 1): Promise<string> {
  const rows = await smsFor(t, phone, nth);
  const m = /验证码(\d{6})/.exec(rows[nth - 1]!.text);
  if (!m) throw new Error(`no code in SMS: ${rows[nth - 1]!.text}`);
  return m[1]!;
}
