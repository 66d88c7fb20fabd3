/**
 * Applies one row of the workflow table (core/workflow.ts): checks the actor and the row's guard, changes the
 * status compare-and-set, and writes the order's event row — all inside the caller's transaction, so a double
 * click or two staff at once change state once and the loser gets a clear message.
 */
import { AppError } from '../../../core/errors.js';
import {
  findTransition,
  STATUS_LABEL,
  STATUS_STEP,
  type Actor,
  type OrderAction,
  type OrderStatus,
  type Transition,
} from '../../../core/workflow.js';
import type { Tx } from '../../db/client.js';
import { guardRefusal } from './guards.js';
import { orderRepository, type OrderRow } from './repository.js';

export type ActingParty = Actor & { id: string | null };

const actorType = (a: ActingParty) => (a.kind === 'applicant' ? 'org' : a.kind);

/** A status as a conflict message names it: the label, and inside 正在受理 the step ("正在受理（纸质资料需补寄）"). */
export function statusName(s: string): string {
  const status = s as OrderStatus;
  const label = STATUS_LABEL[status] ?? s;
  return STATUS_STEP[status] ? `${label}（${STATUS_STEP[status]}）` : label;
}

/** The table row for (the order's status, action) if this actor may take it; else the error applyTransition throws. */
export function checkTransition(order: Pick<OrderRow, 'status'>, action: OrderAction, actor: Actor): Transition {
  const from = order.status as OrderStatus;
  const check = findTransition(from, action, actor);
  if (!check.ok) {
    if (check.reason === 'not_allowed') throw new AppError('FORBIDDEN', '您无权进行此操作');
    throw new AppError('CONFLICT', `订单当前状态为“${statusName(from)}”，不能进行此操作，请刷新页面`);
  }
  return check.transition;
}

export async function applyTransition(
  tx: Tx,
  order: OrderRow,
  action: OrderAction,
  actor: ActingParty,
  at: Date,
  opts: { reason?: string; detail?: Record<string, unknown>; set?: Partial<OrderRow>; publicEvent?: boolean } = {},
): Promise<OrderRow> {
  const from = order.status as OrderStatus;
  const row = checkTransition(order, action, actor);
  const refusal = await guardRefusal(tx, order, row.guard);
  if (refusal) throw new AppError('CONFLICT', refusal);
  const to = row.to;
  const updated = await orderRepository.setStatus(tx, order.id, from, to, at, opts.set ?? {});
  if (!updated) throw new AppError('CONFLICT', '订单状态已被更新，请刷新页面后查看');
  await orderRepository.addEvent(tx, {
    orderId: order.id,
    actorType: actorType(actor),
    actorId: actor.id,
    action: `order.${action}`,
    fromStatus: from,
    toStatus: to,
    reason: opts.reason ?? null,
    detail: opts.detail ?? {},
    public: opts.publicEvent ?? true,
    at,
  });
  return updated;
}
