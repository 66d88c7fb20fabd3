/**
 * 电话通知补寄 (seeds 000 七 / 001 五: "工作人员将电话通知补寄资料"): 受理 staff log every call to the agent —
 * when, whether it got through, what was said — so the next colleague knows where things stand, and seed
 * 001's "联系不上经办人所以无法制作证书" is visible rather than a guess. Staff only: the applicant never sees it.
 */
import { AppError, validationFailed } from '../../../core/errors.js';
import { CALL_OUTCOMES, type CallOutcome } from '../../../core/fulfilment.js';
import { statusName, type OrderStatus } from '../../../core/workflow.js';
import type { Clock } from '../../clock.js';
import type { Db } from '../../db/client.js';
import { auditRepository } from '../audit/repository.js';
import type { RequestMeta } from '../deps.js';
import { orderRepository } from '../orders/repository.js';
import type { StaffActor } from '../staff/staff-accounts.js';
import { fulfilmentRepository, type OrderCallRow } from './repository.js';

/** Paid and not yet shipped: the orders 受理 may have to phone about. */
export const CALLABLE: readonly OrderStatus[] = ['paper_awaiting', 'paper_received', 'paper_failed', 'in_production', 'produced'];
/** A call logged a little after the fact is normal; one "made" in the future is a typo. */
const FUTURE_SLACK_MS = 5 * 60_000;

export async function recordCall(
  deps: { db: Db; clock: Clock },
  actor: StaffActor,
  orderId: string,
  input: { calledAt: string; outcome: CallOutcome; note?: string },
  meta: RequestMeta,
): Promise<OrderCallRow> {
  const now = deps.clock.now();
  const calledAt = new Date(input.calledAt);
  if (calledAt.getTime() > now.getTime() + FUTURE_SLACK_MS) throw validationFailed({ calledAt: '通话时间不能晚于现在' });
  return deps.db.transaction(async (tx) => {
    const order = await orderRepository.lockById(tx, orderId);
    if (!order) throw new AppError('NOT_FOUND', '找不到该订单');
    if (!CALLABLE.includes(order.status as OrderStatus))
      throw new AppError('CONFLICT', `订单当前状态为“${statusName(order.status)}”，不在受理阶段，不能登记电话记录`);
    const note = input.note?.trim() || null;
    const call = await fulfilmentRepository.addCall(tx, {
      orderId: order.id,
      staffId: actor.id,
      calledAt,
      outcome: input.outcome,
      note,
      at: now,
    });
    await orderRepository.addEvent(tx, {
      orderId: order.id,
      actorType: 'staff',
      actorId: actor.id,
      action: 'order.call',
      reason: note,
      detail: { callId: call.id, calledAt: calledAt.toISOString(), outcome: input.outcome, outcomeLabel: CALL_OUTCOMES[input.outcome] },
      public: false,
      at: now,
    });
    await auditRepository.record(tx, {
      actorType: 'staff',
      actorId: actor.id,
      action: 'order.call',
      targetType: 'order',
      targetId: order.id,
      detail: { orderNo: order.orderNo, outcome: input.outcome, calledAt: calledAt.toISOString() },
      ip: meta.ip,
      at: now,
    });
    return call;
  });
}
