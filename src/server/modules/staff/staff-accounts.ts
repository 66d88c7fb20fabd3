/**
 * Staff accounts: log in, create, disable, enable. Every change is an audit row written in the same
 * transaction; disabling also ends the person's sessions at once.
 */
import type { z } from 'zod';
import { AppError, validationFailed } from '../../../core/errors.js';
import { passwordProblem, passwordProblemMessage } from '../../../core/password-rule.js';
import { ZStaffCreateBody, type StaffRole, type ZStaffLoginBody } from '../../../core/schemas.js';
import { dummyPasswordHash, hashPassword, verifyPassword } from '../../crypto.js';
import type { Db } from '../../db/client.js';
import { auditRepository } from '../audit/repository.js';
import type { RequestMeta, UseCaseDeps } from '../deps.js';
import { sessionRepository, type SessionRow } from '../sessions/repository.js';
import { takeLoginAttempt } from '../throttle/throttle.js';
import { staffRepository, type StaffRow } from './repository.js';

export interface StaffActor {
  id: string;
  roles: StaffRole[];
}

export function publicStaff(s: StaffRow) {
  return {
    id: s.id,
    username: s.username,
    displayName: s.displayName,
    roles: s.roles as StaffRole[],
    disabled: !!s.disabledAt,
    createdAt: s.createdAt,
  };
}

/**
 * What a staff page learns of its session: the CSRF token and the person (null when anonymous or disabled). One
 * answer for GET /api/staff/session and for the session the page's HTML carries (plugins/web-app.ts).
 */
export async function staffSessionView(db: Db, s: SessionRow) {
  const me = s.subjectId ? await staffRepository.findById(db, s.subjectId) : undefined;
  return { csrfToken: s.csrfToken, staff: me && !me.disabledAt ? publicStaff(me) : null };
}

export async function logInStaff(deps: UseCaseDeps, input: z.output<typeof ZStaffLoginBody>, meta: RequestMeta): Promise<StaffRow> {
  const acctKey = `login:staff:${input.username.toLowerCase()}`;
  const ipKey = `login:ip:${meta.ip}`;
  await deps.throttle.check(ipKey);
  await deps.throttle.check(acctKey);
  await deps.captcha.consume(input.captchaId, input.captchaAnswer);
  const tries = await takeLoginAttempt(deps, acctKey, ipKey);
  const s = await staffRepository.findByUsername(deps.db, input.username.toLowerCase());
  const ok = await verifyPassword(input.password, s?.passwordHash ?? (await dummyPasswordHash()));
  const now = deps.clock.now();
  if (!s || !ok) {
    await auditRepository.record(deps.db, {
      actorType: 'anonymous',
      action: 'staff.login_failed',
      targetType: 'staff',
      targetId: s?.id ?? null,
      detail: { username: input.username },
      ip: meta.ip,
      at: now,
    });
    throw new AppError('BAD_CREDENTIALS', '用户名或密码不正确');
  }
  if (s.disabledAt) {
    await auditRepository.record(deps.db, {
      actorType: 'anonymous',
      action: 'staff.login_disabled',
      targetType: 'staff',
      targetId: s.id,
      detail: { username: s.username },
      ip: meta.ip,
      at: now,
    });
    throw new AppError('ACCOUNT_DISABLED', '该工作人员账号已停用，请联系管理员');
  }
  await deps.throttle.succeed(acctKey, tries.account);
  await deps.throttle.giveBack(ipKey, tries.address);
  await auditRepository.record(deps.db, {
    actorType: 'staff',
    actorId: s.id,
    action: 'staff.login',
    targetType: 'staff',
    targetId: s.id,
    ip: meta.ip,
    at: now,
  });
  return s;
}

/** Used by the web route (admin) and by the create-admin command (actor null). */
export async function createStaff(
  deps: { db: Db; clock: { now(): Date } },
  input: z.output<typeof ZStaffCreateBody>,
  actor: StaffActor | null,
  meta: RequestMeta,
): Promise<StaffRow> {
  // Separation of duties: the 审计员 holds no other role (checked here too, for the create-admin command).
  const roles = ZStaffCreateBody.shape.roles.safeParse(input.roles);
  if (!roles.success) throw validationFailed({ roles: roles.error.issues[0]!.message });
  const pw = passwordProblem(input.password, [input.username]);
  // The shared message speaks of the USCC and mobile (the applicant's identifiers); a staff account's is its username.
  if (pw) throw validationFailed({ password: pw === 'same_as_identifier' ? '密码不能包含用户名' : passwordProblemMessage(pw) });
  const passwordHash = await hashPassword(input.password);
  const now = deps.clock.now();
  return deps.db.transaction(async (tx) => {
    const s = await staffRepository.insert(tx, {
      username: input.username,
      displayName: input.displayName,
      roles: [...new Set(input.roles)],
      passwordHash,
      createdAt: now,
      createdBy: actor?.id ?? null,
    });
    if (!s) throw new AppError('CONFLICT', '该用户名已被使用', { fields: { username: '该用户名已被使用' } });
    await auditRepository.record(tx, {
      actorType: actor ? 'staff' : 'system',
      actorId: actor?.id ?? null,
      action: 'staff.create',
      targetType: 'staff',
      targetId: s.id,
      detail: { username: s.username, displayName: s.displayName, roles: s.roles },
      ip: meta.ip,
      at: now,
    });
    return s;
  });
}

export async function logOutStaff(deps: { db: Db; clock: { now(): Date } }, staffId: string | null, meta: RequestMeta): Promise<void> {
  if (!staffId) return;
  await auditRepository.record(deps.db, {
    actorType: 'staff',
    actorId: staffId,
    action: 'staff.logout',
    targetType: 'staff',
    targetId: staffId,
    ip: meta.ip,
    at: deps.clock.now(),
  });
}

/**
 * Disables or enables a staff account (compare-and-set on its current state). Disabling deletes the
 * person's sessions in the same transaction, so their open console stops working at its next request.
 * Nobody can disable themselves, which also keeps at least one enabled administrator.
 */
export async function setStaffDisabled(
  deps: { db: Db; clock: { now(): Date } },
  id: string,
  disabled: boolean,
  actor: StaffActor,
  meta: RequestMeta,
): Promise<void> {
  if (disabled && id === actor.id) throw new AppError('BAD_REQUEST', '不能停用自己的账号');
  const now = deps.clock.now();
  await deps.db.transaction(async (tx) => {
    const target = await staffRepository.findById(tx, id);
    if (!target) throw new AppError('NOT_FOUND', '找不到该工作人员');
    const changed = disabled ? await staffRepository.disable(tx, id, now) : await staffRepository.enable(tx, id);
    if (!changed) throw new AppError('CONFLICT', '该账号状态已被他人修改，请刷新');
    if (disabled) await sessionRepository.deleteForSubject(tx, 'staff', id);
    await auditRepository.record(tx, {
      actorType: 'staff',
      actorId: actor.id,
      action: disabled ? 'staff.disable' : 'staff.enable',
      targetType: 'staff',
      targetId: id,
      detail: { username: target.username },
      ip: meta.ip,
      at: now,
    });
  });
}
