/**
 * SMS about an order goes to the agent's mobile (经办人手机号, seed 000: "注册的经办人手机号将收到…短信"),
 * through the outbox, in the caller's transaction. The dedupe key names the order and the event, so one
 * event never produces two messages even if its transaction is retried or two requests race.
 */
import { normalizeMobile } from '../../../core/mobile.js';
import type { OrderDraft } from '../../../core/order-form.js';
import { formatOrderNumber } from '../../../core/order-number.js';
import type { SmsTemplate } from '../../adapters/sms/port.js';
import type { DbOrTx } from '../../db/client.js';
import { enqueueSms } from '../outbox/outbox.js';
import type { OrderRow } from '../orders/repository.js';

export function agentMobile(order: Pick<OrderRow, 'form'>): string | null {
  const m = normalizeMobile((order.form as OrderDraft).agent?.mobile ?? '');
  return /^1[3-9]\d{9}$/.test(m) ? m : null;
}

/** Enqueues the SMS; returns false (and sends nothing) when the order names no usable agent mobile. */
export async function enqueueOrderSms(
  tx: DbOrTx,
  order: Pick<OrderRow, 'id' | 'form'>,
  template: SmsTemplate,
  params: Record<string, string>,
  eventKey: string,
  now: Date,
): Promise<boolean> {
  const phoneNumber = agentMobile(order);
  if (!phoneNumber) return false;
  // The order number as people see it everywhere else (261207-7864-78599), not as stored.
  const shown = params.orderNo ? { ...params, orderNo: formatOrderNumber(params.orderNo) } : params;
  await enqueueSms(tx, `order-sms:${order.id}:${eventKey}`, { phoneNumber, template, params: shown }, now);
  return true;
}
