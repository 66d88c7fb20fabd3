import { describe, expect, it } from 'vitest';
import { STAFF_ROLES, type StaffRole } from './schemas.js';
import { ONLINE_FLOW } from './content/flow.js';
import {
  FLOW_STEP,
  ORDER_STATUSES,
  SENDS_BACK,
  TRANSITIONS,
  availableActions,
  findTransition,
  queueStatuses,
  type Actor,
  type OrderAction,
  type OrderStatus,
} from './workflow.js';

const applicant: Actor = { kind: 'applicant' };
const system: Actor = { kind: 'system' };
const staff = (...roles: StaffRole[]): Actor => ({ kind: 'staff', roles });

/** The whole workflow, written out once more by hand: each row must match the table exactly. */
const EXPECTED: [OrderStatus, OrderAction, 'applicant' | 'system' | StaffRole, OrderStatus][] = [
  ['draft', 'submit', 'applicant', 'submitted'],
  ['draft', 'delete', 'applicant', 'deleted'],
  ['review_failed', 'resubmit', 'applicant', 'submitted'],
  ['review_failed', 'delete', 'applicant', 'deleted'],
  ['submitted', 'approve', '预审', 'review_passed'],
  ['submitted', 'reject', '预审', 'review_failed'],
  ['review_passed', 'pay', 'system', 'paper_awaiting'],
  ['paper_awaiting', 'receive_paper', '受理', 'paper_received'],
  ['paper_failed', 'receive_paper', '受理', 'paper_received'],
  ['paper_received', 'pass_paper', '受理', 'in_production'],
  ['paper_received', 'fail_paper', '受理', 'paper_failed'],
  ['in_production', 'produce', '制证', 'produced'],
  ['produced', 'ship', '发放', 'shipped'],
  ['paper_awaiting', 'cancel', 'system', 'cancelled'],
  ['paper_received', 'cancel', 'system', 'cancelled'],
  ['paper_failed', 'cancel', 'system', 'cancelled'],
  ['in_production', 'cancel', 'system', 'cancelled'],
];

const actorFor = (who: (typeof EXPECTED)[number][2]): Actor => (who === 'applicant' ? applicant : who === 'system' ? system : staff(who));
const ALL_ACTORS: [string, Actor][] = [
  ['applicant', applicant],
  ['system', system],
  ...STAFF_ROLES.map((r): [string, Actor] => [r, staff(r)]),
];

describe('the workflow table', () => {
  it('holds exactly the transitions of the spec', () => {
    expect(TRANSITIONS.map((t) => [t.from, t.action, typeof t.by === 'string' ? t.by : t.by.join('|'), t.to])).toEqual(EXPECTED);
  });

  it.each(EXPECTED)('%s --%s--> by %s → %s', (from, action, who, to) => {
    const r = findTransition(from, action, actorFor(who));
    expect(r).toEqual({ ok: true, transition: expect.objectContaining({ to }) });
  });

  it.each(EXPECTED)('%s --%s--> is refused to everyone but %s', (from, action, who) => {
    for (const [name, actor] of ALL_ACTORS) {
      if (name === who) continue;
      expect(findTransition(from, action, actor)).toEqual({ ok: false, reason: 'not_allowed' });
    }
    // 管理员 is not a wildcard, and holding several other roles does not help.
    if (who !== 'applicant' && who !== 'system') {
      const others = STAFF_ROLES.filter((r) => r !== who);
      expect(findTransition(from, action, staff(...others))).toEqual({ ok: false, reason: 'not_allowed' });
    }
  });

  it('refuses every action from every status it does not start from', () => {
    const actions = [...new Set(EXPECTED.map((e) => e[1]))];
    for (const status of ORDER_STATUSES)
      for (const action of actions) {
        if (EXPECTED.some(([f, a]) => f === status && a === action)) continue;
        for (const [, actor] of ALL_ACTORS)
          expect(findTransition(status, action, actor)).toEqual({ ok: false, reason: 'no_such_transition' });
      }
  });

  it('ends: deleted, cancelled and shipped orders offer nobody anything', () => {
    for (const s of ['deleted', 'cancelled', 'shipped'] as const)
      for (const [, a] of ALL_ACTORS) expect(availableActions(s, a)).toEqual([]);
  });

  it('derives the buttons and the queues from the table', () => {
    expect(availableActions('submitted', staff('预审')).map((t) => t.label)).toEqual(['预审通过', '退回修改']);
    expect(availableActions('submitted', applicant)).toEqual([]);
    expect(availableActions('paper_received', staff('受理', '制证')).map((t) => t.action)).toEqual(['pass_paper', 'fail_paper']);
    expect(queueStatuses('预审')).toEqual(['submitted']);
    expect(queueStatuses('受理')).toEqual(['paper_awaiting', 'paper_failed', 'paper_received']);
    expect(queueStatuses('制证')).toEqual(['in_production']);
    expect(queueStatuses('发放')).toEqual(['produced']);
    expect(queueStatuses('管理员')).toEqual([]);
  });

  it('every status is reachable from draft', () => {
    const seen = new Set<OrderStatus>(['draft']);
    for (let changed = true; changed;) {
      changed = false;
      for (const t of TRANSITIONS) {
        if (seen.has(t.from) && !seen.has(t.to)) {
          seen.add(t.to);
          changed = true;
        }
      }
    }
    expect([...ORDER_STATUSES].filter((s) => !seen.has(s))).toEqual([]);
  });
});

describe('where an order stands on the online flow (FLOW_STEP, for 我的工作台)', () => {
  it.each([
    ['draft', '下载模板、法人核验、上传证件、提交申请'],
    ['submitted', '工作人员预审证件'],
    ['review_failed', '下载模板、法人核验、上传证件、提交申请'],
    ['review_passed', '付款'],
    ['paper_awaiting', '邮寄纸质资料'],
    ['paper_failed', '邮寄纸质资料'],
    ['paper_received', '审核纸质资料'],
    ['in_production', '制作证书和电子签章'],
    ['produced', '寄回数字证书'],
  ] as const)('%s is at 「%s」', (status, title) => {
    expect(ONLINE_FLOW[FLOW_STEP[status]!]!.title).toBe(title);
  });

  it('已发放 is past the last step, deleted and cancelled orders have left the flow', () => {
    expect(FLOW_STEP.shipped).toBe(ONLINE_FLOW.length);
    expect(FLOW_STEP.deleted).toBeNull();
    expect(FLOW_STEP.cancelled).toBeNull();
  });

  it('every transition of the table moves forward on the flow, except those that send the order back', () => {
    for (const t of TRANSITIONS) {
      const from = FLOW_STEP[t.from];
      const to = FLOW_STEP[t.to];
      if (from === null || to === null) continue;
      if (SENDS_BACK.includes(t.action)) expect(to, `${t.from} → ${t.to}`).toBeLessThan(from);
      else expect(to, `${t.from} → ${t.to}`).toBeGreaterThan(from);
    }
  });
});
