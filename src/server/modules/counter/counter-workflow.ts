/**
 * The counter's workflow table (core/counter.ts) bound to the counter_orders and counter_events tables, for
 * the engine (modules/workflow/engine.ts): every counter step goes through
 * `applyTransition(COUNTER_WORKFLOW, …)`, which writes the counter event and the audit row with it.
 */
import { COUNTER_REFUSALS, counterRow, type CounterAction, type CounterStatus, type CounterTransition } from '../../../core/counter.js';
import type { Workflow } from '../workflow/engine.js';
import { counterRepository, type CounterOrderRow } from './repository.js';

export const COUNTER_WORKFLOW: Workflow<CounterOrderRow, CounterAction, CounterTransition> = {
  name: 'counter',
  targetType: 'counter_order',
  row: (order, action) => counterRow(order.status as CounterStatus, action, order.keyType),
  refusals: {
    conflict: (order) => COUNTER_REFUSALS.conflict(order.status as CounterStatus),
    forbidden: COUNTER_REFUSALS.forbidden,
    stale: '该业务已被其他人处理，请刷新页面',
  },
  move: (tx, order, to, at, set) => counterRepository.moveStatus(tx, order.id, order.status, to, at, set),
  writeEvent: (tx, e) =>
    counterRepository.insertEvent(tx, {
      counterOrderId: e.recordId,
      actorId: e.actor.id,
      action: e.action,
      fromStatus: e.from,
      toStatus: e.to,
      reason: e.reason,
      detail: e.detail,
      at: e.at,
    }),
  auditName: (order) => ({ orderNo: order.orderNo }),
};
