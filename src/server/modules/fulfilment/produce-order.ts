/**
 * 制证完成 (制证): the certificate (and for a main key the seal) is made — through the production port — and
 * the invoice falls due: seeds 000/001 "证书发票将在证书制作后3个工作日内发送至发票接收人邮箱", counted on the
 * working-day calendar (weekends, public holidays and 调休 make-up days).
 */
import { calendarRepository } from '../calendar/repository.js';
import { AppError } from '../../../core/errors.js';
import { addWorkingDays } from '../../../core/working-days.js';
import type { Clock } from '../../clock.js';
import type { Db } from '../../db/client.js';
import { auditRepository } from '../audit/repository.js';
import type { RequestMeta } from '../deps.js';
import { invoiceRepository } from '../invoices/repository.js';
import { orderRepository, type OrderRow } from '../orders/repository.js';
import { applyTransition, checkTransition } from '../orders/transition.js';
import type { StaffActor } from '../staff/staff-accounts.js';
import type { CertificateProduction } from './production-port.js';

/** 发票: within 3 working days of 制证完成. */
export const INVOICE_WORKING_DAYS = 3;

export async function produceOrder(
  deps: { db: Db; clock: Clock; production: CertificateProduction },
  actor: StaffActor,
  orderId: string,
  meta: RequestMeta,
): Promise<OrderRow> {
  const now = deps.clock.now();
  const party = { kind: 'staff' as const, roles: actor.roles, id: actor.id };
  return deps.db.transaction(async (tx) => {
    const order = await orderRepository.lockById(tx, orderId);
    if (!order) throw new AppError('NOT_FOUND', '找不到该订单');
    // Production runs only for an order that may take the step now.
    checkTransition(order, 'produce', party);
    const result = await deps.production.produce(order, { tx, staffId: actor.id, at: now });
    const updated = await applyTransition(tx, order, 'produce', party, now, { set: { producedAt: now }, detail: { production: result } });
    const dueAt = addWorkingDays(now, INVOICE_WORKING_DAYS, await calendarRepository.exceptions(tx));
    await invoiceRepository.makeDue(tx, order.id, dueAt);
    await auditRepository.record(tx, {
      actorType: 'staff',
      actorId: actor.id,
      action: 'order.produce',
      targetType: 'order',
      targetId: order.id,
      detail: { orderNo: order.orderNo, method: result.method, seal: result.seal },
      ip: meta.ip,
      at: now,
    });
    return updated;
  });
}
