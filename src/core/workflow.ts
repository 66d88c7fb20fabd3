/**
 * The order workflow, defined once, as data (docs/principles.md 1). Every status change in the
 * system is one row of TRANSITIONS; the server applies it compare-and-set with an event row, and the web
 * derives the staff console's buttons and the applicant's next step from the same table.
 *
 * Status labels are the seeds' own words (seed 001 explains each one). 正在受理 covers four internal steps
 * (waiting for the paper, paper received, paper failed — re-send requested, paper passed — in production):
 * applicants see 正在受理 with the step as a sub-label; staff queues work on the steps.
 */
import { ONLINE_FLOW } from './content/flow.js';
import { ORDER_STATUSES as ORDER_STATUS_INFO, type OrderStatusCode } from './content/order-statuses.js';
import type { StaffRole } from './schemas.js';
import { actorMay, type Actor, type TransitionRow } from './transitions.js';

export type { Actor } from './transitions.js';

export const ORDER_STATUSES = [
  'draft',
  'submitted',
  'review_passed',
  'review_failed',
  'paper_awaiting',
  'paper_received',
  'paper_failed',
  'in_production',
  'produced',
  'shipped',
  'deleted',
  'cancelled',
] as const;
export type OrderStatus = (typeof ORDER_STATUSES)[number];

/** The status as the seeds name it to applicants (null before submission and after an end). */
export const PUBLIC_STATUS: Record<OrderStatus, OrderStatusCode | null> = {
  draft: null,
  submitted: 'submitted',
  review_passed: 'review_passed',
  review_failed: 'review_failed',
  paper_awaiting: 'accepting',
  paper_received: 'accepting',
  paper_failed: 'accepting',
  in_production: 'accepting',
  produced: 'produced',
  shipped: 'shipped',
  deleted: null,
  cancelled: null,
};

const seedStatus = (code: OrderStatusCode) => ORDER_STATUS_INFO.find((s) => s.code === code)!;
const seedLabel = (s: OrderStatus) => seedStatus(PUBLIC_STATUS[s]!).label;
const seedMeaning = (s: OrderStatus) => seedStatus(PUBLIC_STATUS[s]!).meaning;

/** Labels: the six the applicant knows from the seeds, plus the ones before submission and after an end. */
export const STATUS_LABEL: Record<OrderStatus, string> = {
  draft: '草稿',
  submitted: seedLabel('submitted'),
  review_passed: seedLabel('review_passed'),
  review_failed: seedLabel('review_failed'),
  paper_awaiting: seedLabel('paper_awaiting'),
  paper_received: seedLabel('paper_received'),
  paper_failed: seedLabel('paper_failed'),
  in_production: seedLabel('in_production'),
  produced: seedLabel('produced'),
  shipped: seedLabel('shipped'),
  deleted: '已删除',
  cancelled: '已取消',
};

/** The step inside 正在受理, shown next to the label (and as the staff queue's name). */
export const STATUS_STEP: Partial<Record<OrderStatus, string>> = {
  paper_awaiting: '等待邮寄纸质资料',
  paper_received: '已收到纸质资料，正在审核',
  paper_failed: '纸质资料需补寄',
  in_production: '纸质资料合格，正在制证',
};

/**
 * Where an order stands on the seeds' online flow (content/flow.ts ONLINE_FLOW, 0-based): the step being done
 * now. A rejection sends the applicant back a step (fix the uploads; mail the missing paper); 已发放 is past the
 * last step (every step done); a deleted or cancelled order has left the flow (null).
 */
export const FLOW_STEP: Record<OrderStatus, number | null> = {
  draft: 2,
  submitted: 3,
  review_failed: 2,
  review_passed: 4,
  paper_awaiting: 5,
  paper_failed: 5,
  paper_received: 6,
  in_production: 7,
  produced: 8,
  shipped: ONLINE_FLOW.length,
  deleted: null,
  cancelled: null,
};

/** The transitions that send an order back to redo a step (FLOW_STEP goes down only on these). */
export const SENDS_BACK: readonly OrderAction[] = ['reject', 'fail_paper'];

/** What each status means to the applicant (seed 001, 三、上传资料说明). */
export const STATUS_MEANING: Record<OrderStatus, string> = {
  draft: '订单尚未提交：请填写订单信息、完成法人核验并上传资料后提交。',
  submitted: seedMeaning('submitted'),
  review_passed: seedMeaning('review_passed'),
  review_failed: seedMeaning('review_failed'),
  paper_awaiting: '已付款，请邮寄纸质资料并在订单中填写快递单号。',
  paper_received: '已收到您邮寄的纸质资料，正在审核。',
  paper_failed: '纸质资料有问题，工作人员会电话通知补寄，请经办人接听南昌来电并按要求补寄。',
  in_production: '纸质资料合格，正在制作证书和电子签章。',
  produced: seedMeaning('produced'),
  shipped: seedMeaning('shipped'),
  deleted: '订单已删除，记录仍保留；如需办理请重新申请。',
  cancelled: '订单已取消。',
};

export type OrderAction =
  | 'submit'
  | 'resubmit'
  | 'delete'
  | 'approve'
  | 'reject'
  | 'pay'
  | 'receive_paper'
  | 'pass_paper'
  | 'fail_paper'
  | 'produce'
  | 'ship'
  | 'cancel';

/**
 * A condition the server checks before applying a row, beyond who may take it (modules/orders/guards.ts
 * holds the checks; the staff console shows why a guarded action is not possible yet):
 * - `seals_ready`: a main key goes out only with its electronic seals — every confirmed impression made into
 *   an active seal of the order's issued certificate, from the confirmed picture.
 */
export type TransitionGuard = 'seals_ready';

export interface Transition extends TransitionRow<OrderStatus, OrderAction> {
  guard?: TransitionGuard;
}

export const TRANSITIONS: readonly Transition[] = [
  // The applicant (issue 3): submit, fix and resubmit, or delete.
  { from: 'draft', action: 'submit', by: 'applicant', to: 'submitted', label: '提交' },
  { from: 'draft', action: 'delete', by: 'applicant', to: 'deleted', label: '删除订单' },
  { from: 'review_failed', action: 'resubmit', by: 'applicant', to: 'submitted', label: '重新提交' },
  { from: 'review_failed', action: 'delete', by: 'applicant', to: 'deleted', label: '删除订单' },
  // 预审: the uploads pass or fail (guards: every document judged; a rejection names what failed).
  { from: 'submitted', action: 'approve', by: ['预审'], to: 'review_passed', label: '预审通过' },
  { from: 'submitted', action: 'reject', by: ['预审'], to: 'review_failed', label: '退回修改' },
  // 付款: the payment module moves the order once, when a verified payment notice arrives.
  { from: 'review_passed', action: 'pay', by: 'system', to: 'paper_awaiting', label: '确认付款' },
  // 受理: the paper originals arrive and are checked; missing paper is asked for by phone and re-sent.
  { from: 'paper_awaiting', action: 'receive_paper', by: ['受理'], to: 'paper_received', label: '已收到纸质资料' },
  { from: 'paper_failed', action: 'receive_paper', by: ['受理'], to: 'paper_received', label: '已收到补寄资料' },
  { from: 'paper_received', action: 'pass_paper', by: ['受理'], to: 'in_production', label: '纸质资料合格' },
  { from: 'paper_received', action: 'fail_paper', by: ['受理'], to: 'paper_failed', label: '纸质资料不合格' },
  // 制证 and 发放.
  { from: 'in_production', action: 'produce', by: ['制证'], to: 'produced', label: '制证完成' },
  { from: 'produced', action: 'ship', by: ['发放'], to: 'shipped', label: '发放（顺丰寄出）', guard: 'seals_ready' },
  // 取消订单并退款 (payments issue): paid, no certificate made yet. One staff member asks with a reason, a
  // different 财务/管理员 approves; the payments module then applies the row as the system (both names go in
  // the event), so it is no one role's button or queue.
  { from: 'paper_awaiting', action: 'cancel', by: 'system', to: 'cancelled', label: '取消订单（第二人批准）' },
  { from: 'paper_received', action: 'cancel', by: 'system', to: 'cancelled', label: '取消订单（第二人批准）' },
  { from: 'paper_failed', action: 'cancel', by: 'system', to: 'cancelled', label: '取消订单（第二人批准）' },
  { from: 'in_production', action: 'cancel', by: 'system', to: 'cancelled', label: '取消订单（第二人批准）' },
];

export type TransitionCheck = { ok: true; transition: Transition } | { ok: false; reason: 'no_such_transition' | 'not_allowed' };

/** Looks up (from, action) and checks the actor; guards (document completeness…) are the server's. */
export function findTransition(from: OrderStatus, action: OrderAction, actor: Actor): TransitionCheck {
  const t = TRANSITIONS.find((x) => x.from === from && x.action === action);
  if (!t) return { ok: false, reason: 'no_such_transition' };
  if (!actorMay(t.by, actor)) return { ok: false, reason: 'not_allowed' };
  return { ok: true, transition: t };
}

/** The actions an actor can take on an order in this status (drives the buttons). */
export function availableActions(from: OrderStatus, actor: Actor): Transition[] {
  return TRANSITIONS.filter((t) => t.from === from && actorMay(t.by, actor));
}

/** The statuses in which a role has work to do (the staff queues). */
export function queueStatuses(role: StaffRole): OrderStatus[] {
  return [...new Set(TRANSITIONS.filter((t) => Array.isArray(t.by) && (t.by as readonly StaffRole[]).includes(role)).map((t) => t.from))];
}

/** A status as a conflict message names it: the label, and inside 正在受理 the step ("正在受理（纸质资料需补寄）"). */
export function statusName(s: string): string {
  const status = s as OrderStatus;
  const label = STATUS_LABEL[status] ?? s;
  return STATUS_STEP[status] ? `${label}（${STATUS_STEP[status]}）` : label;
}

/** Orders in these statuses can still be edited by the applicant. */
export const EDITABLE: readonly OrderStatus[] = ['draft', 'review_failed'];
/** Orders in these statuses are over: they hold no key and block nothing. */
export const ENDED: readonly OrderStatus[] = ['deleted', 'cancelled'];
/** Paid and not yet shipped: the applicant may still correct the certificate recipient. */
export const RECIPIENT_EDITABLE: readonly OrderStatus[] = [
  'draft',
  'submitted',
  'review_passed',
  'review_failed',
  'paper_awaiting',
  'paper_received',
  'paper_failed',
  'in_production',
  'produced',
];
