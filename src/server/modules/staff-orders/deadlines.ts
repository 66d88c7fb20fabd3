/**
 * The service levels behind the staff console's overdue flags, in one place so they are easy to change.
 * Pure: the calendar's exceptions and the time are passed in. A deadline is the end (24:00 China time) of
 * the n-th working day after the day its clock started (core/working-days.ts addWorkingDays); the order is
 * overdue from that instant on.
 */
import { addWorkingDays, chinaDay, type CalendarExceptions } from '../../../core/working-days.js';
import type { OrderStatus } from '../../../core/workflow.js';

/**
 * 预审 within 2 working days of submission (or resubmission). This is our own service level: the seeds
 * promise applicants no time for the pre-review of uploads.
 */
export const PRE_REVIEW_WORKING_DAYS = 2;

export interface DeadlineRule {
  /** What starts the clock: entering the status, or the start of production (falling back to entering the status). */
  from: 'status_changed' | 'production_started';
  /** A fixed number of working days, or the project's production time from the catalog. */
  workingDays: number | 'project';
}

/** Statuses with a deadline; the others have none (waiting on the applicant, the payment, or done). */
export const DEADLINE_RULES: Partial<Record<OrderStatus, DeadlineRule>> = {
  submitted: { from: 'status_changed', workingDays: PRE_REVIEW_WORKING_DAYS },
  // 制证: about 2 working days, 3 for 公共资源 (PRODUCT.md, from the seeds) — kept per project in the catalog.
  in_production: { from: 'production_started', workingDays: 'project' },
};

export interface DeadlineSubject {
  status: string;
  statusChangedAt: Date;
  productionStartedAt: Date | null;
  /** The order's project's production time (projects.production_working_days). */
  productionWorkingDays: number;
}

export const ruleWorkingDays = (rule: DeadlineRule, productionWorkingDays: number): number =>
  rule.workingDays === 'project' ? productionWorkingDays : rule.workingDays;

export function deadlineStart(rule: DeadlineRule, o: Pick<DeadlineSubject, 'statusChangedAt' | 'productionStartedAt'>): Date {
  return rule.from === 'production_started' ? (o.productionStartedAt ?? o.statusChangedAt) : o.statusChangedAt;
}

/** When the order's current step is due, or null when its status has no deadline. */
export function dueAt(o: DeadlineSubject, cal: CalendarExceptions): Date | null {
  const rule = DEADLINE_RULES[o.status as OrderStatus];
  if (!rule) return null;
  return addWorkingDays(deadlineStart(rule, o), ruleWorkingDays(rule, o.productionWorkingDays), cal);
}

export const isOverdue = (due: Date | null, now: Date): boolean => due !== null && now.getTime() >= due.getTime();

export function deadlineOf(o: DeadlineSubject, now: Date, cal: CalendarExceptions): { dueAt: Date | null; overdue: boolean } {
  const due = dueAt(o, cal);
  return { dueAt: due, overdue: isOverdue(due, now) };
}

const CN_OFFSET_MS = 8 * 3600_000;
const startOfChinaDay = (day: string) => new Date(new Date(`${day}T00:00:00Z`).getTime() - CN_OFFSET_MS);
function previousDay(day: string): string {
  const d = new Date(`${day}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() - 1);
  return d.toISOString().slice(0, 10);
}

/**
 * The overdue rule turned into a cut-off for counting in SQL: an order whose clock started before the
 * returned instant is overdue at `now`, one whose clock started at or after it is not. (A deadline depends
 * only on the China-time day the clock started, and a later day never has an earlier deadline, so the
 * overdue starts are exactly the days before some day D; D is found by stepping back from today.)
 */
export function overdueIfStartedBefore(now: Date, workingDays: number, cal: CalendarExceptions): Date {
  let day = chinaDay(now);
  // Bounded: n working days are found within n weeks plus the longest holiday; a year is far beyond that.
  for (let i = 0; i < 400; i++) {
    const prev = previousDay(day);
    if (isOverdue(addWorkingDays(startOfChinaDay(prev), workingDays, cal), now)) break;
    day = prev;
  }
  return startOfChinaDay(day);
}

const DAY_MS = 86_400_000;
const dayNumber = (day: string) => Math.floor(Date.parse(`${day}T00:00:00Z`) / DAY_MS);
/** Monday–Friday among the days numbered [a, b] (day 0 = 1970-01-01, a Thursday). */
function weekdaysIn(a: number, b: number): number {
  if (b < a) return 0;
  const upTo = (n: number) => {
    // Weekdays among days 0..n: whole weeks, then the rest counted one by one (at most 6 days).
    const weeks = Math.floor((n + 1) / 7);
    let count = weeks * 5;
    for (let d = weeks * 7; d <= n; d++) if ((d + 4) % 7 !== 0 && (d + 4) % 7 !== 6) count++;
    return count;
  };
  return upTo(b) - upTo(a - 1);
}

/**
 * Working days waited: the same count as core/working-days.ts workingDaysBetween (the working days from the
 * day after `from` up to and including the day of `to`), in time that does not grow with the wait: weekdays
 * by arithmetic, then the calendar's exceptions in the range. A list page of orders that waited for years
 * stays cheap.
 */
export function workingDaysWaited(from: Date, to: Date, cal: CalendarExceptions): number {
  const first = dayNumber(chinaDay(from)) + 1;
  const last = dayNumber(chinaDay(to));
  if (last < first) return 0;
  let n = weekdaysIn(first, last);
  for (const [day, kind] of cal) {
    const d = dayNumber(day);
    if (d < first || d > last) continue;
    const weekday = (d + 4) % 7 !== 0 && (d + 4) % 7 !== 6;
    if (kind === 'holiday' && weekday) n--;
    if (kind === 'workday' && !weekday) n++;
  }
  return n;
}
