/**
 * 工作日历 (管理员): mark a day as a public holiday or a make-up working day (调休上班), or remove the mark
 * so the day follows the plain Monday–Friday rule again. Each change is one transaction with its audit row
 * (before and after), and counts at once for every deadline (calendarRepository.exceptions is read per request).
 */
import { AppError } from '../../../core/errors.js';
import type { DayKind } from '../../../core/working-days.js';
import type { Db } from '../../db/client.js';
import { auditRepository } from '../audit/repository.js';
import type { RequestMeta } from '../deps.js';
import type { StaffActor } from '../staff/staff-accounts.js';
import { calendarRepository, type CalendarDayRow } from './repository.js';

type Deps = { db: Db; clock: { now(): Date } };

export const calendarDay = (r: CalendarDayRow) => ({ day: r.day, kind: r.kind, name: r.name });

export async function listCalendarYear(deps: Deps, year: number) {
  return { year, days: (await calendarRepository.year(deps.db, year)).map(calendarDay) };
}

export async function setCalendarDay(
  deps: Deps,
  day: string,
  input: { kind: DayKind; name: string },
  actor: StaffActor,
  meta: RequestMeta,
) {
  const now = deps.clock.now();
  return deps.db.transaction(async (tx) => {
    const before = await calendarRepository.lock(tx, day);
    const row = await calendarRepository.upsert(tx, { day, kind: input.kind, name: input.name, updatedAt: now, updatedBy: actor.id });
    await auditRepository.record(tx, {
      actorType: 'staff',
      actorId: actor.id,
      action: 'calendar.set',
      targetType: 'calendar_day',
      targetId: day,
      detail: { day, kind: input.kind, name: input.name, before: before ? { kind: before.kind, name: before.name } : null },
      ip: meta.ip,
      at: now,
    });
    return calendarDay(row);
  });
}

export async function deleteCalendarDay(deps: Deps, day: string, actor: StaffActor, meta: RequestMeta): Promise<void> {
  const now = deps.clock.now();
  await deps.db.transaction(async (tx) => {
    const removed = await calendarRepository.remove(tx, day);
    if (!removed) throw new AppError('NOT_FOUND', `${day} 没有设置节假日或调休，无需删除`);
    await auditRepository.record(tx, {
      actorType: 'staff',
      actorId: actor.id,
      action: 'calendar.delete',
      targetType: 'calendar_day',
      targetId: day,
      detail: { day, before: { kind: removed.kind, name: removed.name } },
      ip: meta.ip,
      at: now,
    });
  });
}
