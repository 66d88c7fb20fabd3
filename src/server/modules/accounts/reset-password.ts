/**
 * 忘记密码: an SMS code to the registered mobile, then a new password.
 * The code (6 digits, 10 minutes, 5 tries) is stored only as an HMAC; the SMS goes through the outbox in
 * the same transaction that creates the code. A successful reset ends every session of the organization.
 */
import type { z } from 'zod';
import { AppError, validationFailed } from '../../../core/errors.js';
import { maskMobile } from '../../../core/mobile.js';
import { passwordProblem, passwordProblemMessage } from '../../../core/password-rule.js';
import type { ZResetConfirmBody, ZResetRequestBody } from '../../../core/schemas.js';
import { hashPassword, hmac, randomDigits, safeEqual } from '../../crypto.js';
import { auditRepository } from '../audit/repository.js';
import type { RequestMeta, UseCaseDeps } from '../deps.js';
import { enqueueSms } from '../outbox/outbox.js';
import { sessionRepository } from '../sessions/repository.js';
import { SMS_ACCOUNT, SMS_ADDRESS } from '../throttle/throttle.js';
import { organizationRepository, passwordResetRepository } from './repository.js';

const CODE_TTL_MS = 10 * 60_000;
const MAX_TRIES = 5;
const HOTLINE = '400-800-1040';

export async function requestPasswordReset(
  deps: UseCaseDeps,
  input: z.output<typeof ZResetRequestBody>,
  meta: RequestMeta,
): Promise<{ maskedMobile: string; expiresInSeconds: number }> {
  const acctKey = `sms:reset:${input.uscc}`;
  const ipKey = `sms:ip:${meta.ip}`;
  await deps.throttle.check(ipKey);
  await deps.throttle.check(acctKey);
  await deps.captcha.consume(input.captchaId, input.captchaAnswer);
  // Counted before anything is looked up or sent, each in one atomic step, so requests sent together
  // cannot all pass the limits.
  const ipTry = await deps.throttle.take(ipKey, SMS_ADDRESS);

  const org = await organizationRepository.findByUscc(deps.db, input.uscc);
  if (!org || org.mobile !== input.mobile) {
    // A miss tells the asker whether a USCC is registered and whether a number is its mobile: it counts
    // against the address (taken above), so one source cannot probe many pairs — not against the account,
    // which would let anyone block a real user's reset.
    if (!org) throw validationFailed({ uscc: '该统一社会信用代码尚未注册，请先免费注册' });
    throw validationFailed({ mobile: `手机号与注册时填写的不一致。如注册手机号已停用，请致电客服热线 ${HOTLINE}` });
  }
  try {
    await deps.throttle.take(acctKey, SMS_ACCOUNT);
  } catch (e) {
    await deps.throttle.giveBack(ipKey, ipTry);
    throw e;
  }

  const code = randomDigits(6);
  const now = deps.clock.now();
  await deps.db.transaction(async (tx) => {
    await passwordResetRepository.expireOpen(tx, org.id, now);
    const id = await passwordResetRepository.insert(tx, {
      organizationId: org.id,
      codeHash: hmac(deps.config.secret, `reset:${org.id}:${code}`),
      createdAt: now,
      expiresAt: new Date(now.getTime() + CODE_TTL_MS),
    });
    await enqueueSms(tx, `password_reset:${id}`, { phoneNumber: org.mobile, template: 'password_reset', params: { code } }, now);
    await auditRepository.record(tx, {
      actorType: 'anonymous',
      action: 'organization.password_reset_requested',
      targetType: 'organization',
      targetId: org.id,
      ip: meta.ip,
      at: now,
    });
  });
  return { maskedMobile: maskMobile(org.mobile), expiresInSeconds: CODE_TTL_MS / 1000 };
}

export async function confirmPasswordReset(deps: UseCaseDeps, input: z.output<typeof ZResetConfirmBody>, meta: RequestMeta): Promise<void> {
  const fields: Record<string, string> = {};
  if (input.passwordConfirm !== input.password) fields.passwordConfirm = '两次填写的密码不一致';
  const org = await organizationRepository.findByUscc(deps.db, input.uscc);
  if (org) {
    const pw = passwordProblem(input.password, [org.uscc, org.mobile]);
    if (pw) fields.password = passwordProblemMessage(pw);
  }
  if (Object.keys(fields).length) throw validationFailed(fields);

  const now = deps.clock.now();
  const reset = org ? await passwordResetRepository.latestUsable(deps.db, org.id, now) : undefined;
  const dead = () => validationFailed({ code: '短信验证码已失效，请重新获取' });
  if (!org || !reset || reset.attempts >= MAX_TRIES) throw dead();
  // The try is spent before the comparison (atomically), so parallel guesses cannot exceed MAX_TRIES.
  const tries = await passwordResetRepository.takeAttempt(deps.db, reset.id, MAX_TRIES);
  if (tries === undefined) throw dead();
  if (!safeEqual(reset.codeHash, hmac(deps.config.secret, `reset:${org.id}:${input.code}`))) {
    const left = MAX_TRIES - tries;
    throw validationFailed({ code: left > 0 ? `短信验证码不正确，还可尝试${left}次` : '短信验证码错误次数过多，请重新获取' });
  }
  const passwordHash = await hashPassword(input.password);
  await deps.db.transaction(async (tx) => {
    if (!(await passwordResetRepository.markUsed(tx, reset.id, now))) throw new AppError('CONFLICT', '该验证码已使用，请重新获取');
    await organizationRepository.setPassword(tx, org.id, passwordHash, now);
    await sessionRepository.deleteForSubject(tx, 'org', org.id);
    await auditRepository.record(tx, {
      actorType: 'org',
      actorId: org.id,
      action: 'organization.password_reset',
      targetType: 'organization',
      targetId: org.id,
      ip: meta.ip,
      at: now,
    });
  });
  await deps.throttle.reset(`login:org:${org.uscc}`);
}
