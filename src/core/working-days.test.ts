import { describe, expect, it } from 'vitest';
import { addWorkingDays, chinaDay, isWorkingDay, workingDaysBetween, type CalendarExceptions } from './working-days.js';

// National Day 2026 (State Council notice of 2025-11-04): 10-01..10-07 off, Sunday 09-20 and Saturday 10-10 worked (调休).
const ex: CalendarExceptions = new Map([
  ...['2026-10-01', '2026-10-02', '2026-10-05', '2026-10-06', '2026-10-07'].map((d) => [d, 'holiday'] as const),
  ['2026-09-20', 'workday'] as const,
  ['2026-10-10', 'workday'] as const,
]);
const cn = (s: string) => new Date(`${s}+08:00`);

describe('working days', () => {
  it('takes the China-time date of an instant', () => {
    expect(chinaDay(new Date('2026-11-20T16:30:00Z'))).toBe('2026-11-21');
    expect(chinaDay(new Date('2026-11-20T15:59:59Z'))).toBe('2026-11-20');
  });

  it.each([
    ['2026-11-16', true], // Monday
    ['2026-11-21', false], // Saturday
    ['2026-10-01', false], // holiday
    ['2026-10-10', true], // make-up Saturday
    ['2026-09-20', true], // make-up Sunday
  ])('%s working? %s', (day, w) => expect(isWorkingDay(day, ex)).toBe(w));

  it.each([
    ['Friday + 2 → end of Tuesday', '2026-11-20T15:00:00', 2, '2026-11-25T00:00:00'],
    ['Monday + 3 → end of Thursday', '2026-11-16T09:00:00', 3, '2026-11-20T00:00:00'],
    ['late at night counts as that day', '2026-11-16T23:59:00', 1, '2026-11-18T00:00:00'],
    ['across National Day: 09-30 + 2 → 10-09 (10-08 is a Thursday, 10-09 Friday)', '2026-09-30T10:00:00', 2, '2026-10-10T00:00:00'],
    ['a make-up Saturday is a working day', '2026-10-09T10:00:00', 1, '2026-10-11T00:00:00'],
    ['zero days: end of the same day', '2026-11-17T10:00:00', 0, '2026-11-18T00:00:00'],
  ])('%s', (_n, from, n, due) => {
    expect(addWorkingDays(cn(from), n, ex).toISOString()).toBe(cn(due).toISOString());
  });

  it('counts working days waited', () => {
    expect(workingDaysBetween(cn('2026-11-20T10:00:00'), cn('2026-11-23T09:00:00'), ex)).toBe(1); // Fri → Mon
    expect(workingDaysBetween(cn('2026-09-30T10:00:00'), cn('2026-10-08T10:00:00'), ex)).toBe(1);
    expect(workingDaysBetween(cn('2026-11-20T10:00:00'), cn('2026-11-20T18:00:00'), ex)).toBe(0);
    expect(workingDaysBetween(cn('2026-11-20T10:00:00'), cn('2026-11-10T18:00:00'), ex)).toBe(0);
  });
});
