/**
 * An administrator edits the catalog: what a project is for, whether 法人核验 is required, production time,
 * whether it is offered, and each key's price (in fen) and availability. Setting a price confirms it, so
 * keys the seeds gave no price for become orderable only once an administrator has decided one.
 * The whole edit is one transaction with one audit row carrying the before and after.
 */
import { AppError } from '../../../core/errors.js';
import type { Db } from '../../db/client.js';
import { auditRepository } from '../audit/repository.js';
import type { RequestMeta } from '../deps.js';
import type { StaffActor } from '../staff/staff-accounts.js';
import { catalogRepository, catalogWrites } from './repository.js';

export interface ProjectEdit {
  purpose: string;
  legalCheckRequired: boolean;
  productionWorkingDays: number;
  active: boolean;
  keys: { keyType: 'main' | 'sub'; priceFen: number; active: boolean }[];
}

export async function updateProject(
  deps: { db: Db; clock: { now(): Date } },
  code: string,
  edit: ProjectEdit,
  actor: StaffActor,
  meta: RequestMeta,
): Promise<void> {
  const now = deps.clock.now();
  await deps.db.transaction(async (tx) => {
    const before = await catalogRepository.get(tx, code);
    if (!before) throw new AppError('NOT_FOUND', '找不到该证书项目');
    for (const k of edit.keys)
      if (!before.keys.some((b) => b.keyType === k.keyType))
        throw new AppError('VALIDATION_FAILED', '该项目不提供这种锁', {
          fields: { keys: `该项目不提供${k.keyType === 'main' ? '主锁' : '副锁'}` },
        });
    await catalogWrites.updateProject(tx, code, {
      purpose: edit.purpose,
      legalCheckRequired: edit.legalCheckRequired,
      productionWorkingDays: edit.productionWorkingDays,
      active: edit.active,
      updatedAt: now,
      updatedBy: actor.id,
    });
    for (const k of edit.keys)
      await catalogWrites.updateKey(tx, code, k.keyType, { priceFen: k.priceFen, priceConfirmed: true, active: k.active });
    await auditRepository.record(tx, {
      actorType: 'staff',
      actorId: actor.id,
      action: 'catalog.update',
      targetType: 'project',
      targetId: code,
      detail: {
        before: {
          purpose: before.purpose,
          legalCheckRequired: before.legalCheckRequired,
          productionWorkingDays: before.productionWorkingDays,
          active: before.active,
          keys: before.keys.map(({ keyType, priceFen, priceConfirmed, active }) => ({ keyType, priceFen, priceConfirmed, active })),
        },
        after: edit,
      },
      ip: meta.ip,
      at: now,
    });
  });
}
