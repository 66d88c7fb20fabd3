import { describe, expect, it } from 'vitest';
import type { StaffRole } from './schemas.js';
import {
  COUNTER_TRANSITIONS,
  checkCounterTransition,
  counterActions,
  counterMaterials,
  missingMaterials,
  type CounterAction,
  type CounterStatus,
  type KeyType,
} from './counter.js';

/** The seed's flow written out once more by hand: from, action, key type, who may, to. */
const FLOW: [CounterStatus, CounterAction, KeyType, StaffRole[], CounterStatus | null][] = [
  ['submitted', 'accept', 'main', ['受理', '管理员'], 'accepted'],
  ['accepted', 'approve', 'main', ['受理', '制证', '管理员'], 'approved'],
  ['accepted', 'return', 'sub', ['受理', '制证', '管理员'], 'submitted'],
  ['approved', 'produce', 'main', ['制证', '管理员'], 'produced'],
  ['produced', 'pay', 'sub', ['受理', '财务', '管理员'], 'handed_over'],
  ['handed_over', 'seal', 'main', ['制证', '管理员'], 'completed'],
  ['handed_over', 'finish', 'sub', ['受理', '管理员'], 'completed'],
  ['submitted', 'cancel', 'main', ['受理', '管理员'], 'cancelled'],
  ['accepted', 'cancel', 'main', ['受理', '管理员'], 'cancelled'],
  ['approved', 'cancel', 'sub', ['受理', '管理员'], 'cancelled'],
  // Not in the flow:
  ['handed_over', 'seal', 'sub', [], null],
  ['handed_over', 'finish', 'main', [], null],
  ['submitted', 'produce', 'main', [], null],
  ['produced', 'cancel', 'main', [], null],
  ['completed', 'cancel', 'main', [], null],
  ['cancelled', 'accept', 'main', [], null],
  ['approved', 'pay', 'main', [], null],
];
const ALL_ROLES: StaffRole[] = ['预审', '受理', '制证', '发放', '财务', '管理员'];

describe('counter flow table', () => {
  it.each(FLOW)('%s --%s (%s)--> by %j', (from, action, keyType, allowed, to) => {
    for (const role of ALL_ROLES) {
      const r = checkCounterTransition(from, action, keyType, [role]);
      if (to === null) expect(r).toMatchObject({ ok: false, code: 'CONFLICT' });
      else if (allowed.includes(role)) expect(r).toMatchObject({ ok: true, row: { to } });
      else expect(r).toMatchObject({ ok: false, code: 'FORBIDDEN' });
    }
  });
  it('has no row the hand-written table does not know', () => {
    for (const t of COUNTER_TRANSITIONS)
      for (const k of t.keyTypes ?? (['main', 'sub'] as const))
        expect(FLOW.some(([f, a, kt, , to]) => f === t.from && a === t.action && (kt === k || !t.keyTypes) && to === t.to)).toBe(true);
  });
  it('offers the buttons a role may press', () => {
    expect(counterActions('handed_over', 'main', ['受理']).map((a) => a.action)).toEqual([]);
    expect(counterActions('handed_over', 'main', ['制证']).map((a) => a.action)).toEqual(['seal']);
    expect(counterActions('submitted', 'main', ['受理']).map((a) => a.action)).toEqual(['accept', 'cancel']);
  });
});

describe('materials per business type (seed 004)', () => {
  it.each([
    ['new', 'main', ['application-form', 'business-license', 'agent-id', 'seal-impressions']],
    ['new', 'sub', ['application-form', 'business-license', 'agent-id']],
    ['reissue', 'main', ['application-form', 'business-license', 'agent-id', 'seal-impressions', 'reissue-explanation']],
    ['change', 'sub', ['application-form', 'business-license', 'agent-id', 'old-ukey']],
    ['renew', 'main', ['ukey', 'ukey-password', 'uscc-copy']],
  ] as const)('%s %s', (b, k, codes) => {
    expect(counterMaterials(b, k).map((m) => m.code)).toEqual(codes);
  });

  it.each([
    ['new', 'main', ['application-form', 'business-license', 'agent-id', 'seal-impressions'], {}, 0],
    ['new', 'main', ['application-form', 'business-license', 'agent-id'], {}, 1],
    ['reissue', 'sub', ['application-form', 'business-license', 'agent-id'], {}, 1],
    // 变更's old UKEY is handed back at 领取, not at 前台受理.
    ['change', 'sub', ['application-form', 'business-license', 'agent-id'], {}, 0],
    ['change', 'sub', ['application-form', 'business-license', 'agent-id'], { atHandover: true }, 1],
    ['renew', 'main', ['ukey'], {}, 1],
    ['renew', 'main', ['ukey', 'uscc-copy'], {}, 0],
    ['renew', 'main', ['ukey', 'ukey-password'], {}, 0],
    ['renew', 'main', ['uscc-copy', 'ukey-password'], {}, 1],
    ['renew', 'main', [], {}, 2],
  ] as const)('%s %s with %j → %i missing', (b, k, ticked, opts, n) => {
    expect(missingMaterials(b, k, ticked, opts)).toHaveLength(n);
  });
});
