/**
 * Working days in China: Monday–Friday, except public holidays, plus the weekend days the State Council
 * declares working days (调休). The exceptions come from the calendar an administrator keeps; days are
 * China-time calendar dates ("2026-10-01"). Used for production deadlines (2 or 3 working days) and the
 * invoice deadline (3 working days after 制证完成).
 */
export type DayKind = 'holiday' | 'workday';
export type CalendarExceptions = ReadonlyMap<string, DayKind>;

const CN_OFFSET_MS = 8 * 3600_000;

/** The China-time calendar date of an instant, as YYYY-MM-DD. */
export function chinaDay(at: Date): string {
  return new Date(at.getTime() + CN_OFFSET_MS).toISOString().slice(0, 10);
}

/** The instant a China-time calendar date (YYYY-MM-DD) begins. */
export function chinaMidnight(day: string): Date {
  return new Date(Date.parse(`${day}T00:00:00Z`) - CN_OFFSET_MS);
}

function nextDay(day: string): string {
  const d = new Date(`${day}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + 1);
  return d.toISOString().slice(0, 10);
}

export function isWorkingDay(day: string, ex: CalendarExceptions): boolean {
  const kind = ex.get(day);
  if (kind) return kind === 'workday';
  const dow = new Date(`${day}T00:00:00Z`).getUTCDay();
  return dow !== 0 && dow !== 6;
}

/**
 * The instant `n` working days after `from`: the end (24:00 China time) of the n-th working day after the
 * day of `from`. An order that entered production on Friday with 2 working days is due at the end of Tuesday.
 */
export function addWorkingDays(from: Date, n: number, ex: CalendarExceptions): Date {
  let day = chinaDay(from);
  for (let left = n; left > 0;) {
    day = nextDay(day);
    if (isWorkingDay(day, ex)) left--;
  }
  return new Date(new Date(`${nextDay(day)}T00:00:00Z`).getTime() - CN_OFFSET_MS);
}

/** Whole working days from the day after `from` up to and including the day of `to` (0 if `to` is not later). */
export function workingDaysBetween(from: Date, to: Date, ex: CalendarExceptions): number {
  const end = chinaDay(to);
  let n = 0;
  for (let day = nextDay(chinaDay(from)); day <= end; day = nextDay(day)) if (isWorkingDay(day, ex)) n++;
  return n;
}
