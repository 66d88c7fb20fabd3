/**
 * Correcting an organization's name is staff work (the seeds: the applicant phones the hotline). The
 * change is compare-and-set against the name the administrator saw, and recorded with who, why, old and new.
 */
import { AppError, validationFailed } from '../../../core/errors.js';
import type { Db } from '../../db/client.js';
import { organizationRepository } from '../accounts/repository.js';
import { auditRepository } from '../audit/repository.js';
import type { RequestMeta } from '../deps.js';
import type { StaffActor } from './staff-accounts.js';

export async function renameOrganization(
  deps: { db: Db; clock: { now(): Date } },
  input: { organizationId: string; expectedName: string; name: string; reason: string },
  actor: StaffActor,
  meta: RequestMeta,
): Promise<void> {
  const now = deps.clock.now();
  await deps.db.transaction(async (tx) => {
    const org = await organizationRepository.findById(tx, input.organizationId);
    if (!org) throw new AppError('NOT_FOUND', '找不到该单位');
    // Staleness first: an administrator working from an outdated page must reload, whatever they typed.
    if (org.name !== input.expectedName) throw new AppError('CONFLICT', `单位名称已被他人修改为「${org.name}」，请刷新后再改`);
    if (org.name === input.name) throw validationFailed({ name: '新名称与原名称相同' });
    // The UPDATE itself is the compare-and-set: a concurrent rename between the read and here changes zero rows.
    if (!(await organizationRepository.rename(tx, org.id, input.expectedName, input.name, now)))
      throw new AppError('CONFLICT', '单位名称已被他人修改，请刷新后再改');
    await auditRepository.record(tx, {
      actorType: 'staff',
      actorId: actor.id,
      action: 'organization.rename',
      targetType: 'organization',
      targetId: org.id,
      detail: { from: input.expectedName, to: input.name, reason: input.reason },
      ip: meta.ip,
      at: now,
    });
  });
}
