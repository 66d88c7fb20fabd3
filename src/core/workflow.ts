/**
 * The order workflow, defined once, as data (ARCHITECTURE.md principle 1). Every status change in the
 * system is one row of TRANSITIONS; the server applies it compare-and-set with an event row, and the web
 * derives its buttons and the applicant's next step from the same table.
 *
 * Status labels are the seeds' own words (seed 001 explains each one).
 */
import { ORDER_STATUSES as ORDER_STATUS_INFO, type OrderStatusCode } from './content/order-statuses.js';
import type { StaffRole } from './schemas.js';

export const ORDER_STATUSES = [
  'draft',
  'submitted',
  'review_passed',
  'review_failed',
  'accepting',
  'produced',
  'shipped',
  'deleted',
  'cancelled',
] as const;
export type OrderStatus = (typeof ORDER_STATUSES)[number];

const seedStatus = (code: OrderStatusCode) => ORDER_STATUS_INFO.find((s) => s.code === code)!;

/** Labels: the six the applicant knows from the seeds, plus the ones before submission and after an end. */
export const STATUS_LABEL: Record<OrderStatus, string> = {
  draft: '草稿',
  submitted: seedStatus('submitted').label,
  review_passed: seedStatus('review_passed').label,
  review_failed: seedStatus('review_failed').label,
  accepting: seedStatus('accepting').label,
  produced: seedStatus('produced').label,
  shipped: seedStatus('shipped').label,
  deleted: '已删除',
  cancelled: '已取消',
};

/** What each status means to the applicant (seed 001, 三、上传资料说明). */
export const STATUS_MEANING: Record<OrderStatus, string> = {
  draft: '订单尚未提交：请填写订单信息、完成法人核验并上传资料后提交。',
  submitted: seedStatus('submitted').meaning,
  review_passed: seedStatus('review_passed').meaning,
  review_failed: seedStatus('review_failed').meaning,
  accepting: seedStatus('accepting').meaning,
  produced: seedStatus('produced').meaning,
  shipped: seedStatus('shipped').meaning,
  deleted: '订单已删除，记录仍保留；如需办理请重新申请。',
  cancelled: '订单已取消。',
};

export type Actor = { kind: 'applicant' } | { kind: 'staff'; roles: readonly StaffRole[] } | { kind: 'system' };

export type OrderAction = 'submit' | 'resubmit' | 'delete';

export interface Transition {
  from: OrderStatus;
  action: OrderAction;
  /** Who may take it: the applicant, staff holding one of these roles, or the system (payments, jobs). */
  by: 'applicant' | 'system' | readonly StaffRole[];
  to: OrderStatus;
  /** The button text people see. */
  label: string;
}

export const TRANSITIONS: readonly Transition[] = [
  { from: 'draft', action: 'submit', by: 'applicant', to: 'submitted', label: '提交' },
  { from: 'draft', action: 'delete', by: 'applicant', to: 'deleted', label: '删除订单' },
  { from: 'review_failed', action: 'resubmit', by: 'applicant', to: 'submitted', label: '重新提交' },
  { from: 'review_failed', action: 'delete', by: 'applicant', to: 'deleted', label: '删除订单' },
];

function actorMay(t: Transition, actor: Actor): boolean {
  if (t.by === 'applicant') return actor.kind === 'applicant';
  if (t.by === 'system') return actor.kind === 'system';
  return actor.kind === 'staff' && t.by.some((r) => actor.roles.includes(r));
}

export type TransitionCheck = { ok: true; transition: Transition } | { ok: false; reason: 'no_such_transition' | 'not_allowed' };

/** Looks up (from, action) and checks the actor; guards (document completeness…) are the server's. */
export function findTransition(from: OrderStatus, action: OrderAction, actor: Actor): TransitionCheck {
  const t = TRANSITIONS.find((x) => x.from === from && x.action === action);
  if (!t) return { ok: false, reason: 'no_such_transition' };
  if (!actorMay(t, actor)) return { ok: false, reason: 'not_allowed' };
  return { ok: true, transition: t };
}

/** The actions an actor can take on an order in this status (drives the buttons). */
export function availableActions(from: OrderStatus, actor: Actor): Transition[] {
  return TRANSITIONS.filter((t) => t.from === from && actorMay(t, actor));
}

/** Orders in these statuses can still be edited by the applicant. */
export const EDITABLE: readonly OrderStatus[] = ['draft', 'review_failed'];
/** Orders in these statuses are over: they hold no key and block nothing. */
export const ENDED: readonly OrderStatus[] = ['deleted', 'cancelled'];
