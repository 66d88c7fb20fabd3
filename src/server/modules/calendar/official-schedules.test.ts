import { describe, expect, it } from 'vitest';
import { isWorkingDay } from '../../../core/working-days.js';
import { OFFICIAL_SCHEDULES, scheduleDays } from './official-schedules.js';

const weekday = (day: string) => new Date(`${day}T00:00:00Z`).getUTCDay();

describe('official holiday schedules', () => {
  it('2026 is the State Council’s notice: 元旦3, 春节9, 清明3, 劳动5, 端午3, 中秋3, 国庆7 days, six make-up working days', () => {
    const days = scheduleDays(OFFICIAL_SCHEDULES.find((s) => s.key === '2026')!);
    const count = (name: string) => days.filter((d) => d.kind === 'holiday' && d.name === name).length;
    expect([count('元旦'), count('春节'), count('清明节'), count('劳动节'), count('端午节'), count('中秋节'), count('国庆节')]).toEqual([
      3, 9, 3, 5, 3, 3, 7,
    ]);
    const workdays = days.filter((d) => d.kind === 'workday').map((d) => d.day);
    expect(workdays.sort()).toEqual(['2026-01-04', '2026-02-14', '2026-02-28', '2026-05-09', '2026-09-20', '2026-10-10']);
    // The weekdays the notice states: 1月1日(周四), 2月15日(周日), 4月4日(周六), 5月1日(周五), 6月19日(周五), 9月25日(周五), 10月1日(周四).
    expect(['2026-01-01', '2026-02-15', '2026-04-04', '2026-05-01', '2026-06-19', '2026-09-25', '2026-10-01'].map(weekday)).toEqual([
      4, 0, 6, 5, 5, 5, 4,
    ]);
    // Make-up working days are weekend days, or marking them would change nothing.
    for (const d of workdays) expect([0, 6]).toContain(weekday(d));
    const ex = new Map(days.map((d) => [d.day, d.kind]));
    expect(isWorkingDay('2026-10-08', ex)).toBe(true);
    expect(isWorkingDay('2026-10-07', ex)).toBe(false);
    expect(isWorkingDay('2026-10-10', ex)).toBe(true);
  });

  it('2027 holds only the statutory holidays on fixed dates, until the notice is entered', () => {
    const days = scheduleDays(OFFICIAL_SCHEDULES.find((s) => s.key.startsWith('2027'))!);
    expect(days.map((d) => d.day)).toEqual(['2027-01-01', '2027-05-01', '2027-05-02', '2027-10-01', '2027-10-02', '2027-10-03']);
    expect(days.every((d) => d.kind === 'holiday')).toBe(true);
  });

  it('no day appears twice across the schedules', () => {
    const all = OFFICIAL_SCHEDULES.flatMap((s) => scheduleDays(s).map((d) => d.day));
    expect(new Set(all).size).toBe(all.length);
  });
});
