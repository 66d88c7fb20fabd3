/**
 * Counter business (现场办理, seed 004): a clerk at an office looks up (or registers) the organization, opens a
 * counter order of type 新办/补办/变更/续费 and takes it through the seed's flow, defined once in core/counter.ts,
 * one verb per file here (open-order, tick-materials, act-on-order, produce, pay-at-counter; the read views in
 * counter-queries). Every status change goes through the workflow engine (counter-workflow.ts): one
 * compare-and-set UPDATE plus a counter_events row and an audit row in one transaction; the order row is
 * locked first (loadForActor with lock), so two clicks give one change.
 *
 * Who may work on a counter order: a clerk works on their own office's orders, 管理员/财务 on every office's.
 * Every counter use case loads its order through here, so the office check is in one place.
 */
import type { StaffRole } from '../../../core/schemas.js';
import { AppError } from '../../../core/errors.js';
import type { Clock } from '../../clock.js';
import type { Config } from '../../config.js';
import type { Db, DbOrTx } from '../../db/client.js';
import type { StaffActor } from '../staff/staff-accounts.js';
import { counterRepository, officeRepository, type CounterOrderRow } from './repository.js';

export type CounterDeps = { db: Db; clock: Clock; config: Config };

/** Roles that see every office's counter orders (the others see their own office's). */
const ALL_OFFICES: readonly StaffRole[] = ['管理员', '财务'];
const seesAllOffices = (actor: StaffActor) => actor.roles.some((r) => ALL_OFFICES.includes(r));

/** The counter order, if this staff member may work on it: their own office's, or any for 管理员/财务. */
export async function loadForActor(db: DbOrTx, actor: StaffActor, id: string, lock = false): Promise<CounterOrderRow> {
  const order = await counterRepository.findById(db, id, lock);
  if (!order) throw new AppError('NOT_FOUND', '找不到该柜台业务');
  if (seesAllOffices(actor)) return order;
  const office = await officeRepository.officeOfStaff(db, actor.id);
  // Another office's order is "not found", not a hint that it exists.
  if (!office || office.code !== order.officeCode) throw new AppError('NOT_FOUND', '找不到该柜台业务');
  return order;
}
