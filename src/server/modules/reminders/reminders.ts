/**
 * Expiry reminders (issue 7): an SMS to the organization's registered mobile 90, 30 and 7 days before a
 * certificate expires, through the outbox, once each, telling where and how to renew (the counters, with
 * the UKEY and its password; the offices' addresses online under 现场办理).
 *
 * A certificate is in stage 90 while 30 < days left ≤ 90, stage 30 while 7 < days left ≤ 30, stage 7 while
 * 0 < days left ≤ 7. Each run sends the stage the certificate is in now, if that stage was not sent: a
 * certificate first seen at 20 days left (the job was down, or it was imported late) gets the 30-day
 * reminder only, never a stale 90-day one. Not for revoked certificates (only issued ones are read), renewed
 * ones (a later certificate of the same organization, project and key type issued within the renewal
 * window), nor while a revocation request is open.
 *
 * Once each: the reminder row (primary key certificate + stage) and the outbox row are written in one
 * transaction, and the outbox dedupe key is the same pair — a restart, a second run or a second instance
 * finds the row and sends nothing. Messages go out between 09:00 and 20:00 China time only.
 */
import { KEY_TYPE_LABEL } from '../../../core/certificates.js';
import type { Clock } from '../../clock.js';
import type { Db } from '../../db/client.js';
import { enqueueSms } from '../outbox/outbox.js';
import { remindersRepository } from './repository.js';

export const REMINDER_STAGES = [90, 30, 7] as const;
export type ReminderStage = (typeof REMINDER_STAGES)[number];
const DAY_MS = 24 * 3600_000;
const BATCH = 200;
/** China time (UTC+8, no daylight saving): reminders are sent from 09:00 to 20:00. */
export const SEND_FROM_HOUR = 9;
export const SEND_UNTIL_HOUR = 20;

/** The stage a certificate with `daysLeft` (fractional) is in, or null outside 0–90 days. */
export function stageOf(msLeft: number): ReminderStage | null {
  if (msLeft <= 0) return null;
  if (msLeft <= 7 * DAY_MS) return 7;
  if (msLeft <= 30 * DAY_MS) return 30;
  if (msLeft <= 90 * DAY_MS) return 90;
  return null;
}

/** The lower end (exclusive) of each stage's window, in days left. */
const STAGE_FLOOR: Record<ReminderStage, number> = { 90: 30, 30: 7, 7: 0 };

const chinaTime = (d: Date) => new Date(d.getTime() + 8 * 3600_000);
export const chinaDate = (d: Date) => {
  const c = chinaTime(d);
  return `${c.getUTCFullYear()}年${c.getUTCMonth() + 1}月${c.getUTCDate()}日`;
};
export function inSendingHours(now: Date): boolean {
  const h = chinaTime(now).getUTCHours();
  return h >= SEND_FROM_HOUR && h < SEND_UNTIL_HOUR;
}

export const reminderDedupeKey = (certificateId: string, stage: ReminderStage) => `expiry:${certificateId}:${stage}`;

/** One pass: enqueues every reminder due now. Returns how many were enqueued by this call. */
export async function sendDueReminders(deps: { db: Db; clock: Clock }): Promise<{ enqueued: number; quiet: boolean }> {
  const now = deps.clock.now();
  if (!inSendingHours(now)) return { enqueued: 0, quiet: true };
  let enqueued = 0;
  for (const stage of REMINDER_STAGES) {
    const after = new Date(now.getTime() + STAGE_FLOOR[stage] * DAY_MS);
    const upTo = new Date(now.getTime() + stage * DAY_MS);
    for (;;) {
      const due = await remindersRepository.due(deps.db, stage, after, upTo, BATCH);
      for (const c of due) {
        const dedupeKey = reminderDedupeKey(c.id, stage);
        const sent = await deps.db.transaction(async (tx) => {
          if (
            !(await remindersRepository.record(tx, {
              certificateId: c.id,
              stage,
              phoneNumber: c.mobile,
              notAfter: c.notAfter,
              dedupeKey,
              createdAt: now,
            }))
          )
            return false;
          await enqueueSms(
            tx,
            dedupeKey,
            {
              phoneNumber: c.mobile,
              template: 'expiry_reminder',
              params: {
                unit: c.unitName,
                project: c.projectName ?? c.projectCode,
                keyType: KEY_TYPE_LABEL[c.keyType] ?? c.keyType,
                date: chinaDate(c.notAfter),
                days: String(Math.max(1, Math.ceil((c.notAfter.getTime() - now.getTime()) / DAY_MS))),
              },
            },
            now,
          );
          return true;
        });
        if (sent) enqueued++;
      }
      if (due.length < BATCH) break;
    }
  }
  return { enqueued, quiet: false };
}
