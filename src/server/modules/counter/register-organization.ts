/** 登记申请单位 at the counter, without a password: the unit claims the account online with 忘记密码 (SMS). */
import { AppError } from '../../../core/errors.js';
import { organizationRepository } from '../accounts/repository.js';
import { auditRepository } from '../audit/repository.js';
import type { RequestMeta } from '../deps.js';
import type { StaffActor } from '../staff/staff-accounts.js';
import type { CounterDeps } from './counter-access.js';
import { orgSummary, UNCLAIMED } from './counter-organization.js';
import { requireOffice } from './offices.js';

export async function registerOrganizationAtCounter(
  deps: CounterDeps,
  actor: StaffActor,
  input: { uscc: string; name: string; mobile: string },
  meta: RequestMeta,
) {
  await requireOffice(deps.db, actor);
  const now = deps.clock.now();
  return deps.db.transaction(async (tx) => {
    const org = await organizationRepository.insert(tx, {
      uscc: input.uscc,
      name: input.name,
      mobile: input.mobile,
      passwordHash: UNCLAIMED,
      // The paper application form carries the user agreement on its back (seed 004), signed at the counter.
      agreementAcceptedAt: now,
      createdAt: now,
      updatedAt: now,
    });
    if (!org)
      throw new AppError('CONFLICT', '该统一社会信用代码已登记', { fields: { uscc: '该统一社会信用代码已登记，请直接查询后办理' } });
    await auditRepository.record(tx, {
      actorType: 'staff',
      actorId: actor.id,
      action: 'counter.register_org',
      targetType: 'organization',
      targetId: org.id,
      detail: { uscc: org.uscc, name: org.name },
      ip: meta.ip,
      at: now,
    });
    return orgSummary(org);
  });
}
