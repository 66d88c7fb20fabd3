/**
 * Messages the outbox gave up on (`dead`: refused by the provider, or still failing after RETRY_WINDOW_MS),
 * for 管理员 to see and send again. Sending again is compare-and-set (dead → pending, a fresh retry window)
 * with an audit row in the same transaction. A code SMS cannot be sent again: its code was scrubbed when it
 * died, and a code delivered that late would be expired anyway; the user asks for a new one.
 */
import type { z } from 'zod';
import type { ZDeadMessage } from '../../../core/settings-schemas.js';
import { AppError } from '../../../core/errors.js';
import { SMS_TEMPLATE_NAMES, SMS_TEMPLATES, type SmsMessage } from '../../adapters/sms/port.js';
import type { Clock } from '../../clock.js';
import type { Db } from '../../db/client.js';
import { auditRepository } from '../audit/repository.js';
import type { RequestMeta } from '../deps.js';
import type { StaffActor } from '../staff/staff-accounts.js';
import type { EmailPayload } from './outbox.js';
import { outboxRepository, type OutboxRow } from './repository.js';

/** One dead message as 管理员 sees it (core/settings-schemas.ts). */
export type DeadMessage = z.output<typeof ZDeadMessage>;

/** Why a code SMS cannot be sent again: short for the list, whole in the refusal. */
const CODE_SMS = '验证码短信不能重发';
const CODE_SMS_WHY = '验证码短信不能重发（验证码已作废），请让用户重新获取验证码';

function cannotResend(row: OutboxRow): string | null {
  if (row.channel !== 'sms') return null;
  const msg = row.payload as unknown as SmsMessage;
  return (SMS_TEMPLATES[msg.template]?.sensitive.length ?? 0) > 0 ? CODE_SMS : null;
}

function view(row: OutboxRow): DeadMessage {
  const sms = row.payload as unknown as SmsMessage;
  const mail = row.payload as unknown as EmailPayload;
  return {
    id: row.id,
    channel: row.channel,
    to: row.channel === 'sms' ? sms.phoneNumber : mail.to,
    what: row.channel === 'sms' ? (SMS_TEMPLATE_NAMES[sms.template] ?? sms.template) : mail.subject,
    attempts: row.attempts,
    lastError: row.lastError,
    createdAt: row.createdAt,
    resentAt: row.resentAt,
    cannotResend: cannotResend(row),
  };
}

/** The newest dead messages first (at most `limit`). */
export async function deadMessages(db: Db, limit = 200): Promise<DeadMessage[]> {
  return (await outboxRepository.dead(db, limit)).map(view);
}

export async function resendDeadMessage(
  deps: { db: Db; clock: Clock },
  id: number,
  actor: StaffActor,
  meta: RequestMeta,
): Promise<DeadMessage> {
  const now = deps.clock.now();
  return deps.db.transaction(async (tx) => {
    const row = await outboxRepository.lockById(tx, id);
    if (!row) throw new AppError('NOT_FOUND', '没有这条消息');
    if (row.status !== 'dead') throw new AppError('CONFLICT', row.status === 'sent' ? '这条消息已发送成功' : '这条消息正在重发');
    if (cannotResend(row)) throw new AppError('CONFLICT', CODE_SMS_WHY);
    const updated = await outboxRepository.resend(tx, id, now, actor.id);
    if (!updated) throw new AppError('CONFLICT', '这条消息正在重发');
    await auditRepository.record(tx, {
      actorType: 'staff',
      actorId: actor.id,
      action: 'outbox.resend',
      targetType: 'outbox',
      targetId: String(id),
      detail: { channel: row.channel, lastError: row.lastError, attempts: row.attempts },
      ip: meta.ip,
      at: now,
    });
    return view(updated);
  });
}
