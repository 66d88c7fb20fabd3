import { describe, expect, it } from 'vitest';
import { addWorkingDays, workingDaysBetween, type CalendarExceptions } from '../../../core/working-days.js';
import { scheduleDays, OFFICIAL_SCHEDULES } from '../calendar/official-schedules.js';
import { deadlineOf, dueAt, isOverdue, overdueIfStartedBefore, PRE_REVIEW_WORKING_DAYS, workingDaysWaited } from './deadlines.js';

// The 2026 calendar as the State Council published it (the one seeded at start).
const cal2026: CalendarExceptions = new Map(scheduleDays(OFFICIAL_SCHEDULES.find((s) => s.key === '2026')!).map((d) => [d.day, d.kind]));
const cn = (s: string) => new Date(`${s}+08:00`);
const order = (status: string, statusChangedAt: string, opts: { productionStartedAt?: string; productionWorkingDays?: number } = {}) => ({
  status,
  statusChangedAt: cn(statusChangedAt),
  productionStartedAt: opts.productionStartedAt ? cn(opts.productionStartedAt) : null,
  productionWorkingDays: opts.productionWorkingDays ?? 2,
});

describe('deadlines', () => {
  it('预审: 2 working days after submission (our own service level)', () => {
    expect(PRE_REVIEW_WORKING_DAYS).toBe(2);
    // Friday → Monday, Tuesday: due at the end of Tuesday.
    expect(dueAt(order('submitted', '2026-11-20T10:00:00'), cal2026)!.toISOString()).toBe(cn('2026-11-25T00:00:00').toISOString());
  });

  it.each([
    // [what, order, due]
    [
      '制证 from the production start, the project’s 2 days',
      order('in_production', '2026-11-19T09:00:00', { productionStartedAt: '2026-11-20T10:00:00' }),
      '2026-11-25T00:00:00',
    ],
    ['制证 falls back to entering the status', order('in_production', '2026-11-16T09:00:00'), '2026-11-19T00:00:00'],
    ['公共资源: 3 days', order('in_production', '2026-11-20T10:00:00', { productionWorkingDays: 3 }), '2026-11-26T00:00:00'],
    // 国庆节 2026: 10-01..10-07 off, Saturday 10-10 worked.
    ['across National Day', order('in_production', '2026-09-30T10:00:00'), '2026-10-10T00:00:00'],
    ['the make-up Saturday counts', order('submitted', '2026-10-09T10:00:00'), '2026-10-13T00:00:00'],
    // 春节 2026: 02-15..02-23 off, Saturday 02-14 worked.
    ['Spring Festival', order('submitted', '2026-02-13T16:00:00'), '2026-02-25T00:00:00'],
  ])('%s', (_what, o, due) => {
    expect(dueAt(o, cal2026)!.toISOString()).toBe(cn(due).toISOString());
  });

  it('has no deadline where the rules set none', () => {
    for (const s of [
      'draft',
      'review_passed',
      'review_failed',
      'paper_awaiting',
      'paper_received',
      'paper_failed',
      'produced',
      'shipped',
      'deleted',
    ])
      expect(deadlineOf(order(s, '2020-01-01T10:00:00'), cn('2026-11-20T10:00:00'), cal2026)).toEqual({ dueAt: null, overdue: false });
  });

  it('is overdue from the deadline instant on', () => {
    const due = cn('2026-11-25T00:00:00');
    expect(isOverdue(due, new Date(due.getTime() - 1))).toBe(false);
    expect(isOverdue(due, due)).toBe(true);
    expect(isOverdue(null, due)).toBe(false);
  });

  it('the SQL cut-off agrees with the per-order rule at every hour of three weeks around a holiday', () => {
    for (const n of [1, 2, 3]) {
      for (const now of [cn('2026-10-08T09:00:00'), cn('2026-10-10T08:00:00'), cn('2026-10-12T00:00:00'), cn('2026-11-23T09:30:00')]) {
        const cut = overdueIfStartedBefore(now, n, cal2026);
        for (let t = now.getTime() - 21 * 86_400_000; t <= now.getTime(); t += 3_600_000) {
          const start = new Date(t);
          expect(start < cut, `${n} days, start ${start.toISOString()}, now ${now.toISOString()}`).toBe(
            isOverdue(addWorkingDays(start, n, cal2026), now),
          );
        }
      }
    }
  });

  it('counts working days waited like workingDaysBetween, however long the wait', () => {
    const pairs: [string, string][] = [
      ['2026-11-20T10:00:00', '2026-11-23T09:00:00'],
      ['2026-09-30T10:00:00', '2026-10-12T10:00:00'],
      ['2026-11-20T10:00:00', '2026-11-20T18:00:00'],
      ['2026-11-20T10:00:00', '2026-11-10T18:00:00'],
      ['2026-01-01T00:00:00', '2026-12-31T23:59:59'],
      ['2021-03-04T05:06:07', '2026-11-20T10:00:00'],
    ];
    for (let i = 0; i < 200; i++) {
      const a = Date.UTC(2025, 10, 1) + ((i * 7_919_113_117) % (500 * 86_400_000));
      const b = a + ((i * 104_729_000) % (90 * 86_400_000));
      pairs.push([new Date(a + 8 * 3600_000).toISOString().slice(0, 19), new Date(b + 8 * 3600_000).toISOString().slice(0, 19)]);
    }
    for (const [from, to] of pairs)
      expect(workingDaysWaited(cn(from), cn(to), cal2026), `${from} → ${to}`).toBe(workingDaysBetween(cn(from), cn(to), cal2026));
  });
});
