/**
 * 发放 (seeds 000 八 / 001 五): the key goes out by SF Express, freight collect (顺丰到付). The waybill number is
 * recorded, the order becomes 已发放, and the agent gets an SMS with the number (once: the status change is
 * compare-and-set and the SMS dedupe key names the event).
 */
import { AppError } from '../../../core/errors.js';
import type { Clock } from '../../clock.js';
import type { Db } from '../../db/client.js';
import type { RequestMeta } from '../deps.js';
import { enqueueOrderSms } from '../notifications/order-sms.js';
import { orderRepository, type OrderRow } from '../orders/repository.js';
import { ORDER_WORKFLOW } from '../orders/order-workflow.js';
import { applyTransition, staffParty } from '../workflow/engine.js';
import type { StaffActor } from '../staff/staff-accounts.js';
import { fulfilmentRepository } from './repository.js';

export async function shipOrder(
  deps: { db: Db; clock: Clock },
  actor: StaffActor,
  orderId: string,
  input: { trackingNo: string },
  meta: RequestMeta,
): Promise<OrderRow> {
  const now = deps.clock.now();
  return deps.db.transaction(async (tx) => {
    const order = await orderRepository.lockById(tx, orderId);
    if (!order) throw new AppError('NOT_FOUND', '找不到该订单');
    const updated = await applyTransition(ORDER_WORKFLOW, tx, order, 'ship', staffParty(actor), now, {
      set: { shippedAt: now },
      detail: { courier: 'SF', trackingNo: input.trackingNo },
      audit: { trackingNo: input.trackingNo },
      ip: meta.ip,
    });
    await fulfilmentRepository.addShipment(tx, {
      orderId: order.id,
      direction: 'outbound',
      courier: 'SF',
      trackingNo: input.trackingNo,
      enteredByType: 'staff',
      enteredById: actor.id,
      at: now,
    });
    await enqueueOrderSms(tx, updated, 'shipped', { orderNo: order.orderNo, trackingNo: input.trackingNo }, 'shipped', now);
    return updated;
  });
}
