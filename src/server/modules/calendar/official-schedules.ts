/**
 * The published holiday schedules the calendar starts with. Each year the State Council publishes
 * 国务院办公厅关于…年部分节假日安排的通知: which days are off (放假调休) and which weekend days are worked
 * (上班, the make-up days of 调休). Only what is certain is here; an administrator enters the rest (and any
 * later change) in the staff console (工作日历). Every day of a holiday span is listed, weekends included, so
 * the administrator's list shows the whole span with its name.
 *
 * A schedule is loaded once (table calendar_seeds, by key); when a year's notice becomes known, add it
 * under a new key: days an administrator already entered are kept as they are.
 */
export interface OfficialSchedule {
  key: string;
  source: string;
  holidays: { name: string; from: string; to: string; workdays: string[] }[];
}

export const OFFICIAL_SCHEDULES: readonly OfficialSchedule[] = [
  {
    key: '2026',
    // Published 2025-11-04 (新华社全文).
    source: '国务院办公厅关于2026年部分节假日安排的通知',
    holidays: [
      { name: '元旦', from: '2026-01-01', to: '2026-01-03', workdays: ['2026-01-04'] },
      { name: '春节', from: '2026-02-15', to: '2026-02-23', workdays: ['2026-02-14', '2026-02-28'] },
      { name: '清明节', from: '2026-04-04', to: '2026-04-06', workdays: [] },
      { name: '劳动节', from: '2026-05-01', to: '2026-05-05', workdays: ['2026-05-09'] },
      { name: '端午节', from: '2026-06-19', to: '2026-06-21', workdays: [] },
      { name: '中秋节', from: '2026-09-25', to: '2026-09-27', workdays: [] },
      { name: '国庆节', from: '2026-10-01', to: '2026-10-07', workdays: ['2026-09-20', '2026-10-10'] },
    ],
  },
  {
    // The 2027 notice is not known to this code. What is certain without it: the statutory holidays on
    // fixed Gregorian dates (全国年节及纪念日放假办法, as revised with effect from 2025: 元旦 1 January,
    // 劳动节 1–2 May, 国庆节 1–3 October). The lunar holidays (春节, 端午节, 中秋节), 清明节, the days off in
    // lieu and the make-up working days of 2027 must be entered by an administrator from the notice.
    key: '2027-statutory-fixed-dates',
    source: '全国年节及纪念日放假办法（固定日期的法定节假日；2027年调休安排以国务院办公厅通知为准）',
    holidays: [
      { name: '元旦', from: '2027-01-01', to: '2027-01-01', workdays: [] },
      { name: '劳动节', from: '2027-05-01', to: '2027-05-02', workdays: [] },
      { name: '国庆节', from: '2027-10-01', to: '2027-10-03', workdays: [] },
    ],
  },
];

function* daysFrom(from: string, to: string): Generator<string> {
  for (let d = new Date(`${from}T00:00:00Z`); d.toISOString().slice(0, 10) <= to; d.setUTCDate(d.getUTCDate() + 1))
    yield d.toISOString().slice(0, 10);
}

/** The calendar_days rows of a schedule: every day of each holiday span, then its make-up working days. */
export function scheduleDays(s: OfficialSchedule): { day: string; kind: 'holiday' | 'workday'; name: string }[] {
  return s.holidays.flatMap((h) => [
    ...[...daysFrom(h.from, h.to)].map((day) => ({ day, kind: 'holiday' as const, name: h.name })),
    ...h.workdays.map((day) => ({ day, kind: 'workday' as const, name: `${h.name}调休上班` })),
  ]);
}
