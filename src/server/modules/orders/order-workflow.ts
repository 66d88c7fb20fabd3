/**
 * The online order's workflow table (core/workflow.ts) bound to the orders and order_events tables, for the
 * engine (modules/workflow/engine.ts): every online step — the applicant's, staff's and the system's — goes
 * through `applyTransition(ORDER_WORKFLOW, …)`, which writes the order's event and the audit row with it.
 */
import { statusName, TRANSITIONS, type OrderAction, type OrderStatus, type Transition } from '../../../core/workflow.js';
import type { Workflow } from '../workflow/engine.js';
import { guardRefusal } from './guards.js';
import { orderRepository, type OrderRow } from './repository.js';

const EVENT_ACTOR = { applicant: 'org', staff: 'staff', system: 'system' } as const;

export const ORDER_WORKFLOW: Workflow<OrderRow, OrderAction, Transition> = {
  name: 'order',
  targetType: 'order',
  row: (order, action) => TRANSITIONS.find((t) => t.from === order.status && t.action === action),
  refusals: {
    conflict: (order) => `订单当前状态为“${statusName(order.status)}”，不能进行此操作，请刷新页面`,
    forbidden: () => '您无权进行此操作',
    stale: '订单状态已被更新，请刷新页面后查看',
  },
  guard: (tx, order, row) => guardRefusal(tx, order, row.guard),
  move: (tx, order, to, at, set) => orderRepository.setStatus(tx, order.id, order.status as OrderStatus, to as OrderStatus, at, set),
  writeEvent: (tx, e) =>
    orderRepository.addEvent(tx, {
      orderId: e.recordId,
      actorType: EVENT_ACTOR[e.actor.kind],
      actorId: e.actor.id,
      action: `order.${e.action}`,
      fromStatus: e.from,
      toStatus: e.to,
      reason: e.reason,
      detail: e.detail,
      public: e.public,
      at: e.at,
    }),
  auditName: (order) => ({ orderNo: order.orderNo }),
};
