/**
 * 取消订单并退款: a paid order that is not yet 制证完成 can be cancelled. One staff member (受理, 财务 or 管理员)
 * asks with a reason; a DIFFERENT one (财务 or 管理员) approves — four eyes on money going out. Approval, in
 * one transaction: the request decided compare-and-set, the order moved to 已取消 (workflow row 'cancel',
 * compare-and-set + event) and a refund row per paid attempt. The refund itself goes to the provider after
 * the commit (sendRefund; the job retries), idempotent per out_refund_no.
 *
 * Why not after 制证完成: from then on a certificate exists (and a key has been written); cancelling it is a
 * revocation, which the CA issue's revocation flow handles, not a payment matter.
 */
import { AppError } from '../../../core/errors.js';
import type { StaffRole } from '../../../core/schemas.js';
import { statusName, type OrderStatus } from '../../../core/workflow.js';
import type { Db } from '../../db/client.js';
import { describeError } from '../../logging.js';
import { auditRepository } from '../audit/repository.js';
import type { RequestMeta } from '../deps.js';
import { orderRepository } from '../orders/repository.js';
import { ORDER_WORKFLOW } from '../orders/order-workflow.js';
import { applyTransition } from '../workflow/engine.js';
import type { StaffActor } from '../staff/staff-accounts.js';
import type { PaymentDeps } from './payments.js';
import { paymentRepository, type CancellationRow } from './repository.js';

export const CANCEL_REQUESTERS = ['受理', '财务', '管理员'] as const satisfies readonly StaffRole[];
export const CANCEL_APPROVERS = ['财务', '管理员'] as const satisfies readonly StaffRole[];
/** Paid and no certificate made yet (see above). */
export const CANCELLABLE: readonly OrderStatus[] = ['paper_awaiting', 'paper_received', 'paper_failed', 'in_production'];

export async function requestCancellation(
  deps: { db: Db; clock: { now(): Date } },
  actor: StaffActor,
  orderId: string,
  reason: string,
  meta: RequestMeta,
): Promise<CancellationRow> {
  const text = reason.trim();
  if (text.length < 2) throw new AppError('VALIDATION_FAILED', '请填写取消原因', { fields: { reason: '请填写取消原因' } });
  const now = deps.clock.now();
  return deps.db.transaction(async (tx) => {
    const order = await orderRepository.lockById(tx, orderId);
    if (!order) throw new AppError('NOT_FOUND', '找不到该订单');
    if (!CANCELLABLE.includes(order.status as OrderStatus))
      throw new AppError('CONFLICT', `订单当前状态为“${statusName(order.status)}”，不能取消（只有已付款且尚未制证完成的订单可以取消）`);
    const row = await paymentRepository.insertCancellation(tx, { orderId, reason: text, requestedBy: actor.id, requestedAt: now });
    if (!row) throw new AppError('CONFLICT', '该订单已有待批准的取消申请');
    await auditRepository.record(tx, {
      actorType: 'staff',
      actorId: actor.id,
      action: 'order.cancel_request',
      targetType: 'order',
      targetId: orderId,
      detail: { orderNo: order.orderNo, reason: text, cancellationId: row.id },
      ip: meta.ip,
      at: now,
    });
    return row;
  });
}

export async function decideCancellation(
  deps: { db: Db; clock: { now(): Date } },
  actor: StaffActor,
  cancellationId: string,
  decision: { approve: boolean; note?: string },
  meta: RequestMeta,
): Promise<{ cancellation: CancellationRow; refundIds: string[] }> {
  const now = deps.clock.now();
  const note = decision.note?.trim() || null;
  if (!decision.approve && !note) throw new AppError('VALIDATION_FAILED', '请填写不批准的原因', { fields: { note: '请填写不批准的原因' } });
  return deps.db.transaction(async (tx) => {
    const first = await paymentRepository.cancellationById(tx, cancellationId);
    if (!first) throw new AppError('NOT_FOUND', '找不到该取消申请');
    const order = await orderRepository.lockById(tx, first.orderId);
    const c = await paymentRepository.cancellationById(tx, cancellationId, true);
    if (!order || !c) throw new AppError('NOT_FOUND', '找不到该取消申请');
    if (c.status !== 'pending') throw new AppError('CONFLICT', '该取消申请已处理，请刷新页面');
    // Four eyes: whoever asked may not decide, whatever roles they hold.
    if (c.requestedBy === actor.id) throw new AppError('FORBIDDEN', '不能批准或驳回自己提出的取消申请，请由另一位财务或管理员处理');
    const status = decision.approve ? 'approved' : 'refused';
    if (!(await paymentRepository.decideCancellation(tx, c.id, { status, decidedBy: actor.id, decidedAt: now, decisionNote: note })))
      throw new AppError('CONFLICT', '该取消申请已处理，请刷新页面');
    const refundIds: string[] = [];
    if (decision.approve) {
      if (!CANCELLABLE.includes(order.status as OrderStatus))
        throw new AppError('CONFLICT', `订单当前状态为“${statusName(order.status)}”，已不能取消`);
      // The workflow's 'cancel' row is taken by the system on the approver's say-so: both names are in the event.
      await applyTransition(ORDER_WORKFLOW, tx, order, 'cancel', { kind: 'system', id: actor.id }, now, {
        reason: c.reason,
        ip: meta.ip,
        detail: { cancellationId: c.id, requestedBy: c.requestedBy, approvedBy: actor.id },
      });
      for (const a of await paymentRepository.attemptsOfOrder(tx, order.id)) {
        if (a.status !== 'paid') continue;
        const r = await paymentRepository.insertRefund(tx, {
          attemptId: a.id,
          orderId: order.id,
          channel: a.channel,
          outRefundNo: `RF${a.outTradeNo.slice(2)}`,
          amountFen: a.paidFen ?? a.amountFen,
          kind: 'cancel',
          reason: `订单取消：${c.reason}`.slice(0, 80),
          nextTryAt: now,
          createdAt: now,
        });
        if (r) refundIds.push(r.id);
      }
    }
    await auditRepository.record(tx, {
      actorType: 'staff',
      actorId: actor.id,
      action: decision.approve ? 'order.cancel_approve' : 'order.cancel_refuse',
      targetType: 'order',
      targetId: order.id,
      detail: { orderNo: order.orderNo, cancellationId: c.id, reason: c.reason, note, refundIds },
      ip: meta.ip,
      at: now,
    });
    return { cancellation: { ...c, status, decidedBy: actor.id, decidedAt: now, decisionNote: note }, refundIds };
  });
}

/**
 * Sends one refund to its provider (after the commit that created it). Claiming moves next_try_at on first,
 * so two senders do not overlap; the provider sees the same out_refund_no on every retry and refunds once.
 */
export async function sendRefund(deps: PaymentDeps, refundId: string, log?: { warn(o: object, m: string): void }): Promise<void> {
  const now = deps.clock.now();
  const backoffMin = (tries: number) => Math.min(60, 2 ** Math.max(0, tries - 1));
  const r0 = await paymentRepository.refundById(deps.db, refundId);
  if (!r0) return;
  const claimed = await paymentRepository.claimRefund(deps.db, refundId, now, new Date(now.getTime() + backoffMin(r0.tries + 1) * 60_000));
  if (!claimed) return;
  const attempt = (await paymentRepository.attemptsOfOrder(deps.db, claimed.orderId)).find((a) => a.id === claimed.attemptId);
  if (!attempt) return;
  try {
    const res = await deps.providers[claimed.channel].refund({
      outTradeNo: attempt.outTradeNo,
      outRefundNo: claimed.outRefundNo,
      amountFen: claimed.amountFen,
      totalFen: attempt.paidFen ?? attempt.amountFen,
      reason: claimed.reason,
    });
    await paymentRepository.updateRefund(deps.db, claimed.id, {
      status: res.state === 'success' ? 'success' : 'processing',
      refundId: res.refundId,
      lastError: null,
      completedAt: res.state === 'success' ? deps.clock.now() : null,
    });
  } catch (e) {
    // Never e.message: a failed query's message lists its parameters.
    const msg = describeError(e);
    log?.warn({ err: e, outRefundNo: claimed.outRefundNo }, 'refund failed; retried later');
    // After many tries a person must look (财务's page lists failed refunds); until then the job retries.
    await paymentRepository.updateRefund(deps.db, claimed.id, {
      lastError: msg.slice(0, 500),
      ...(claimed.tries >= 10 ? { status: 'failed' } : {}),
    });
  }
}
