import type { z } from 'zod';
import { AppError } from '../../../core/errors.js';
import type { ZLoginBody } from '../../../core/schemas.js';
import { dummyPasswordHash, verifyPassword } from '../../crypto.js';
import { auditRepository } from '../audit/repository.js';
import type { RequestMeta, UseCaseDeps } from '../deps.js';
import { takeLoginAttempt } from '../throttle/throttle.js';
import { organizationRepository, type OrganizationRow } from './repository.js';

export const BAD_LOGIN = '统一社会信用代码或密码不正确';

/**
 * 登录 with USCC + password + captcha. Unknown account and wrong password look the same (same message, a
 * password hash verified either way); failures count against the account and the source address.
 * The caller rotates the session on success.
 */
export async function logIn(deps: UseCaseDeps, input: z.output<typeof ZLoginBody>, meta: RequestMeta): Promise<OrganizationRow> {
  const acctKey = `login:org:${input.uscc}`;
  const ipKey = `login:ip:${meta.ip}`;
  await deps.throttle.check(ipKey);
  await deps.throttle.check(acctKey);
  await deps.captcha.consume(input.captchaId, input.captchaAnswer);
  const tries = await takeLoginAttempt(deps, acctKey, ipKey);

  const org = await organizationRepository.findByUscc(deps.db, input.uscc);
  const ok = await verifyPassword(input.password, org?.passwordHash ?? (await dummyPasswordHash()));
  const now = deps.clock.now();
  if (!org || !ok) {
    await auditRepository.record(deps.db, {
      actorType: 'anonymous',
      action: 'organization.login_failed',
      targetType: 'organization',
      targetId: org?.id ?? null,
      detail: { uscc: input.uscc },
      ip: meta.ip,
      at: now,
    });
    throw new AppError('BAD_CREDENTIALS', BAD_LOGIN);
  }
  await deps.throttle.succeed(acctKey, tries.account);
  await deps.throttle.giveBack(ipKey, tries.address);
  await auditRepository.record(deps.db, {
    actorType: 'org',
    actorId: org.id,
    action: 'organization.login',
    targetType: 'organization',
    targetId: org.id,
    ip: meta.ip,
    at: now,
  });
  return org;
}
