/**
 * 工作队列: the statuses in which the caller's roles have work (core/workflow.ts queueStatuses — the
 * transition table decides, nothing else), in workflow order, each with how many orders wait and how many
 * of them are past their deadline (deadlines.ts).
 */
import type { StaffRole } from '../../../core/schemas.js';
import { ORDER_STATUSES, queueStatuses, STATUS_LABEL, STATUS_STEP, type OrderStatus } from '../../../core/workflow.js';
import type { Db } from '../../db/client.js';
import { calendarRepository } from '../calendar/repository.js';
import { catalogRepository } from '../catalog/repository.js';
import type { StaffActor } from '../staff/staff-accounts.js';
import { DEADLINE_RULES, overdueIfStartedBefore, ruleWorkingDays } from './deadlines.js';
import { staffOrderRepository, type OverdueCut } from './repository.js';

type Deps = { db: Db; clock: { now(): Date } };

export async function listQueues(deps: Deps, actor: StaffActor) {
  const rolesFor = (s: OrderStatus): StaffRole[] => actor.roles.filter((r) => queueStatuses(r).includes(s));
  const statuses = ORDER_STATUSES.filter((s) => rolesFor(s).length > 0);
  if (!statuses.length) return { queues: [] };

  const now = deps.clock.now();
  const cal = await calendarRepository.exceptions(deps.db);
  const projects = await catalogRepository.list(deps.db, { activeOnly: false });
  const cuts: OverdueCut[] = statuses.flatMap((status): OverdueCut[] => {
    const rule = DEADLINE_RULES[status];
    if (!rule) return [];
    if (rule.workingDays !== 'project') return [{ status, from: rule.from, before: overdueIfStartedBefore(now, rule.workingDays, cal) }];
    return projects.map((p) => ({
      status,
      from: rule.from,
      projectCode: p.code,
      before: overdueIfStartedBefore(now, ruleWorkingDays(rule, p.productionWorkingDays), cal),
    }));
  });
  const counts = await staffOrderRepository.queueCounts(deps.db, statuses, cuts);
  return {
    queues: statuses.map((status) => ({
      status,
      label: STATUS_LABEL[status],
      step: STATUS_STEP[status] ?? null,
      roles: rolesFor(status),
      count: counts.get(status)?.count ?? 0,
      overdueCount: counts.get(status)?.overdue ?? 0,
    })),
  };
}
