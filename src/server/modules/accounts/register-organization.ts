import type { z } from 'zod';
import { AppError, validationFailed, type FieldErrors } from '../../../core/errors.js';
import { passwordProblem, passwordProblemMessage } from '../../../core/password-rule.js';
import type { ZRegisterBody } from '../../../core/schemas.js';
import { hashPassword } from '../../crypto.js';
import { auditRepository } from '../audit/repository.js';
import type { RequestMeta, UseCaseDeps } from '../deps.js';
import { organizationRepository, type OrganizationRow } from './repository.js';

export const USCC_TAKEN_MESSAGE = '该统一社会信用代码已注册。如忘记密码，请点击“忘记密码”用注册手机号找回';

/** 免费注册: checks the fields, then the captcha, then creates the account (the USCC is the login name). */
export async function registerOrganization(
  deps: UseCaseDeps,
  input: z.output<typeof ZRegisterBody>,
  meta: RequestMeta,
): Promise<OrganizationRow> {
  const fields: FieldErrors = {};
  const pw = passwordProblem(input.password, [input.uscc, input.mobile]);
  if (pw) fields.password = passwordProblemMessage(pw);
  if (input.passwordConfirm !== input.password) fields.passwordConfirm = '两次填写的密码不一致';
  if (Object.keys(fields).length) throw validationFailed(fields);

  await deps.captcha.consume(input.captchaId, input.captchaAnswer);

  if (await organizationRepository.findByUscc(deps.db, input.uscc)) {
    throw new AppError('USCC_TAKEN', USCC_TAKEN_MESSAGE, { fields: { uscc: USCC_TAKEN_MESSAGE } });
  }
  const passwordHash = await hashPassword(input.password);
  const now = deps.clock.now();
  return deps.db.transaction(async (tx) => {
    const org = await organizationRepository.insert(tx, {
      uscc: input.uscc,
      name: input.name,
      mobile: input.mobile,
      passwordHash,
      agreementAcceptedAt: now,
      createdAt: now,
      updatedAt: now,
    });
    // A concurrent registration of the same USCC lost the race at the unique index.
    if (!org) throw new AppError('USCC_TAKEN', USCC_TAKEN_MESSAGE, { fields: { uscc: USCC_TAKEN_MESSAGE } });
    await auditRepository.record(tx, {
      actorType: 'org',
      actorId: org.id,
      action: 'organization.register',
      targetType: 'organization',
      targetId: org.id,
      detail: { uscc: org.uscc, name: org.name },
      ip: meta.ip,
      at: now,
    });
    return org;
  });
}
