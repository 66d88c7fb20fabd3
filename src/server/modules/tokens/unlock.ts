/**
 * 在线解锁 (issue 20): a UKEY whose user PIN is locked gets a new one without a trip to an office.
 *
 *   1. the organization names the token (its serial, read by the 证书助手): it must carry the organization's
 *      issued certificate as the registry recorded it at 制证 (certificates.token_serial);
 *   2. an SMS code to the organization's registered mobile (10 minutes, 5 tries each spent before comparing,
 *      a new code at most once a minute, sending throttled per organization and address);
 *   3. a face check of the 经办人 the certificate's order names (the existing face adapter; 3 checks per
 *      request, each counted before the provider is called). The 经办人, not the legal representative: the
 *      counter's 解锁 form (seed 004) names the 经办人 with an ID number as the person applying, the 经办人 is
 *      the person the organization authorized for its certificate business and the one at the PC with the
 *      key, and a PIN reset changes neither the certificate nor who holds it — the legal representative's
 *      consent was taken once, at issuance (法人核验);
 *   4. one authorization (ca/token-authorization.ts) bound to the token serial and the 证书助手 session the
 *      page is paired with, the SO PIN sealed to that session's key: handed out once (compare-and-set
 *      face_passed → granted); the agent refuses it a second time;
 *   5. the page reports the agent's outcome (granted → done).
 *
 * The whole request lives 30 minutes; a new request for the token closes the open one. Every step writes an
 * audit row (target: the token), in the same transaction as its state change.
 */
import { normalizeIdNumber } from '../../../core/id-number.js';
import { maskMobile } from '../../../core/mobile.js';
import { AppError, OutageError, validationFailed } from '../../../core/errors.js';
import { FaceError, type FaceVerifier } from '../../adapters/face/port.js';
import { hmac, randomDigits, safeEqual } from '../../crypto.js';
import type { DbOrTx } from '../../db/client.js';
import type { SessionRow } from '../sessions/repository.js';
import type { OrganizationRow } from '../accounts/repository.js';
import { auditRepository } from '../audit/repository.js';
import type { RequestMeta, UseCaseDeps } from '../deps.js';
import { sameIdentity, type Identity } from '../../../core/legal-person.js';
import { enqueueSms } from '../outbox/outbox.js';
import { takeSmsSend } from '../throttle/throttle.js';
import { agentBinding, authorizationForAgent, type AgentSession } from './agent-session.js';
import { tokenAuthority } from './authority.js';
import { tokenRepository, type TokenUnlockRow } from './repository.js';

export const UNLOCK_CODE_TTL_MS = 10 * 60_000;
export const UNLOCK_CODE_TRIES = 5;
export const UNLOCK_RESEND_MS = 60_000;
export const UNLOCK_TTL_MS = 30 * 60_000;
export const UNLOCK_FACE_TRIES = 3;

export interface UnlockDeps extends UseCaseDeps {
  verifier: FaceVerifier | null;
}

export interface UnlockView {
  id: string;
  status: TokenUnlockRow['status'];
  tokenSerial: string;
  codeAttemptsLeft: number;
  faceAttemptsLeft: number;
  expiresAt: Date;
}

const view = (r: TokenUnlockRow): UnlockView => ({
  id: r.id,
  status: r.status,
  tokenSerial: r.tokenSerial,
  codeAttemptsLeft: Math.max(0, UNLOCK_CODE_TRIES - r.codeAttempts),
  faceAttemptsLeft: Math.max(0, UNLOCK_FACE_TRIES - r.faceAttempts),
  expiresAt: r.expiresAt,
});

const codeHash = (secret: string, id: string, code: string) => hmac(secret, `ukey-unlock:${id}:${code}`);

/** The 经办人 as the certificate's order names them, or null (counter certificates carry no ID number). */
function agentOf(form: unknown): Identity | null {
  const a = (form as { agent?: { name?: unknown; idNumber?: unknown } } | null)?.agent;
  const name = typeof a?.name === 'string' ? a.name.trim() : '';
  const idNumber = typeof a?.idNumber === 'string' ? normalizeIdNumber(a.idNumber) : '';
  return name && idNumber ? { name, idNumber } : null;
}

async function personFor(db: DbOrTx, organizationId: string, tokenSerial: string) {
  const cert = await tokenRepository.certificateOnToken(db, organizationId, tokenSerial);
  if (!cert)
    throw new AppError('NOT_FOUND', '这个 UKEY 上没有本单位在 CA 登记的有效证书，不能在线解锁：请携带 UKEY 和经办人身份证到服务网点办理');
  const person = agentOf(cert.form);
  if (!person)
    throw new AppError(
      'CONFLICT',
      '这张证书的订单中没有经办人的身份证信息，无法在线核验身份：请携带 UKEY 和经办人身份证到服务网点办理解锁',
    );
  return { cert, person };
}

async function openRequest(db: DbOrTx, org: OrganizationRow, id: string, now: Date): Promise<TokenUnlockRow> {
  const row = await tokenRepository.find(db, id, org.id);
  if (!row) throw new AppError('NOT_FOUND', '找不到这次在线解锁申请');
  if (row.status === 'done') throw new AppError('CONFLICT', '这次在线解锁已经完成');
  if (row.status === 'closed' || row.expiresAt <= now) throw new AppError('CONFLICT', '这次在线解锁申请已失效（30分钟内有效），请重新申请');
  return row;
}

const audit = (
  db: DbOrTx,
  org: OrganizationRow,
  row: Pick<TokenUnlockRow, 'id' | 'tokenSerial'>,
  action: string,
  meta: RequestMeta,
  at: Date,
  detail = {},
) =>
  auditRepository.record(db, {
    actorType: 'org',
    actorId: org.id,
    action,
    targetType: 'token',
    targetId: row.tokenSerial,
    detail: { unlockId: row.id, ...detail },
    ip: meta.ip,
    at,
  });

/** Step 1–2: the token is the organization's; an SMS code goes to its registered mobile. */
export async function requestUnlock(
  deps: UnlockDeps,
  org: OrganizationRow,
  tokenSerial: string,
  meta: RequestMeta,
): Promise<{ id: string; maskedMobile: string; expiresInSeconds: number; resendAfterSeconds: number }> {
  const acctKey = `sms:ukey-unlock:${org.id}`;
  const ipKey = `sms:ip:${meta.ip}`;
  await deps.throttle.check(ipKey);
  await deps.throttle.check(acctKey);
  const { cert } = await personFor(deps.db, org.id, tokenSerial);
  const now = deps.clock.now();
  const last = await tokenRepository.latestForToken(deps.db, org.id, tokenSerial);
  await takeSmsSend(deps, { account: acctKey, address: ipKey }, { lastSentAt: last?.createdAt, now, resendMs: UNLOCK_RESEND_MS });
  const code = randomDigits(6);
  const id = crypto.randomUUID();
  await deps.db.transaction(async (tx) => {
    const closed = await tokenRepository.closeOpen(tx, tokenSerial, now);
    await tokenRepository.insert(tx, {
      id,
      organizationId: org.id,
      certificateId: cert.id,
      tokenSerial,
      status: 'code_sent',
      codeHash: codeHash(deps.config.secret, id, code),
      codeExpiresAt: new Date(now.getTime() + UNLOCK_CODE_TTL_MS),
      expiresAt: new Date(now.getTime() + UNLOCK_TTL_MS),
      createdAt: now,
      updatedAt: now,
    });
    await enqueueSms(
      tx,
      `ukey_unlock_code:${id}`,
      { phoneNumber: org.mobile, template: 'ukey_unlock_code', params: { code, tokenTail: tokenSerial.slice(-6) } },
      now,
    );
    await audit(tx, org, { id, tokenSerial }, 'token.unlock_requested', meta, now, {
      certificateSerial: cert.serial,
      mobile: maskMobile(org.mobile),
      ...(closed ? { closedEarlier: closed } : {}),
    });
  });
  return {
    id,
    maskedMobile: maskMobile(org.mobile),
    expiresInSeconds: UNLOCK_CODE_TTL_MS / 1000,
    resendAfterSeconds: UNLOCK_RESEND_MS / 1000,
  };
}

/** Step 2: the SMS code (one try spent before comparing). */
export async function confirmUnlockCode(
  deps: UnlockDeps,
  org: OrganizationRow,
  id: string,
  code: string,
  meta: RequestMeta,
): Promise<UnlockView> {
  if (!/^\d{6}$/.test(code)) throw validationFailed({ code: '请输入短信中的6位验证码' });
  const now = deps.clock.now();
  const row = await openRequest(deps.db, org, id, now);
  if (row.status !== 'code_sent') throw new AppError('CONFLICT', '短信验证码已验证过，请继续下一步');
  const dead = () => validationFailed({ code: '短信验证码已失效，请重新申请在线解锁' });
  if (row.codeExpiresAt <= now || row.codeAttempts >= UNLOCK_CODE_TRIES) throw dead();
  const tries = await tokenRepository.takeCodeAttempt(deps.db, id, UNLOCK_CODE_TRIES, now);
  if (tries === undefined) throw dead();
  if (!safeEqual(row.codeHash, codeHash(deps.config.secret, id, code))) {
    const left = UNLOCK_CODE_TRIES - tries;
    await audit(deps.db, org, row, 'token.unlock_code_wrong', meta, now, { attemptsLeft: left });
    throw validationFailed({ code: left > 0 ? `短信验证码不正确，还可尝试${left}次` : '短信验证码错误次数过多，请重新申请在线解锁' });
  }
  return deps.db.transaction(async (tx) => {
    const moved = await tokenRepository.move(tx, id, 'code_sent', 'code_ok', now);
    if (!moved) throw new AppError('CONFLICT', '短信验证码已验证过，请继续下一步');
    await audit(tx, org, moved, 'token.unlock_code_ok', meta, now);
    return view(moved);
  });
}

/** Step 3: the 经办人's face check starts (counted first); the browser goes to the provider's page. */
export async function startUnlockFace(
  deps: UnlockDeps,
  org: OrganizationRow,
  id: string,
  opts: { baseUrl: string },
  meta: RequestMeta,
): Promise<{ redirectUrl: string; faceAttemptsLeft: number }> {
  if (!deps.verifier) throw new AppError('CONFLICT', '人脸核身服务暂未开通，请携带 UKEY 到服务网点办理解锁');
  const now = deps.clock.now();
  const row = await openRequest(deps.db, org, id, now);
  if (row.status !== 'code_ok' && row.status !== 'face_started')
    throw new AppError('CONFLICT', row.status === 'code_sent' ? '请先输入短信验证码' : '经办人人脸核身已通过，请继续重置口令');
  const { person } = await personFor(deps.db, org.id, row.tokenSerial);
  const attempts = await tokenRepository.takeFaceAttempt(deps.db, id, UNLOCK_FACE_TRIES, now);
  if (attempts === undefined) throw new AppError('RATE_LIMITED', '人脸核身次数已用完，请携带 UKEY 和经办人身份证到服务网点办理解锁');
  await audit(deps.db, org, row, 'token.unlock_face_started', meta, now, { attempt: attempts });
  try {
    const started = await deps.verifier.start({
      name: person.name,
      idNumber: person.idNumber,
      redirectUrl: `${opts.baseUrl}/certificates/ukey-unlock?request=${id}`,
      extra: id,
    });
    await tokenRepository.setFaceToken(deps.db, id, deps.verifier.name, started.bizToken, now);
    return { redirectUrl: started.url, faceAttemptsLeft: UNLOCK_FACE_TRIES - attempts };
  } catch (e) {
    await tokenRepository.move(deps.db, id, 'face_started', 'code_ok', deps.clock.now());
    if (e instanceof FaceError) throw new OutageError('face', e);
    throw e;
  }
}

/** Step 3, back from the provider: a pass counts only for the 经办人 the order names. */
export async function finishUnlockFace(deps: UnlockDeps, org: OrganizationRow, id: string, meta: RequestMeta): Promise<UnlockView> {
  if (!deps.verifier) throw new AppError('CONFLICT', '人脸核身服务暂未开通，请携带 UKEY 到服务网点办理解锁');
  const now = deps.clock.now();
  const row = await openRequest(deps.db, org, id, now);
  if (row.status !== 'face_started' || !row.faceBizToken) return view(row);
  const { person } = await personFor(deps.db, org.id, row.tokenSerial);
  let result;
  try {
    result = await deps.verifier.result(row.faceBizToken);
  } catch (e) {
    throw new OutageError('face', e);
  }
  if (result.state === 'incomplete') return view(row);
  const passed = result.state === 'passed' && sameIdentity(result, person);
  const reason = result.state === 'failed' ? `${result.code} ${result.reason}` : passed ? null : '核验通过的身份不是订单中的经办人';
  return deps.db.transaction(async (tx) => {
    const moved = await tokenRepository.move(tx, id, 'face_started', passed ? 'face_passed' : 'code_ok', now);
    if (!moved) return view((await tokenRepository.find(tx, id, org.id))!);
    await audit(tx, org, moved, passed ? 'token.unlock_face_passed' : 'token.unlock_face_failed', meta, now, {
      provider: row.faceProvider,
      ...(reason ? { reason } : {}),
    });
    return view(moved);
  });
}

/** Step 4: the one authorization, for the agent paired with this page's session. */
export async function grantUnlock(
  deps: UnlockDeps,
  org: OrganizationRow,
  id: string,
  session: SessionRow,
  input: { agent: AgentSession; origin: string },
  meta: RequestMeta,
): Promise<{ authorization: string; expiresAt: string }> {
  const keys = await tokenAuthority(deps.config.ca);
  const now = deps.clock.now();
  return deps.db.transaction(async (tx) => {
    const row = await tokenRepository.find(tx, id, org.id, true);
    if (!row) throw new AppError('NOT_FOUND', '找不到这次在线解锁申请');
    if (row.status === 'granted' || row.status === 'done')
      throw new AppError('CONFLICT', '这次在线解锁的授权已经发出，不能再次申请；如未完成，请重新申请在线解锁');
    if (row.status === 'closed' || row.expiresAt <= now)
      throw new AppError('CONFLICT', '这次在线解锁申请已失效（30分钟内有效），请重新申请');
    if (row.status !== 'face_passed') throw new AppError('CONFLICT', '请先完成短信验证和经办人人脸核身');
    const a = authorizationForAgent(keys, {
      purpose: 'reset',
      serial: row.tokenSerial,
      origin: input.origin,
      binding: agentBinding(deps.config.secret, session),
      agent: input.agent,
      now,
    });
    const moved = await tokenRepository.move(tx, id, 'face_passed', 'granted', now, {
      grantJti: a.jti,
      agentKey: a.agentKey,
      grantedAt: now,
    });
    if (!moved) throw new AppError('CONFLICT', '这次在线解锁的授权已经发出，不能再次申请');
    await audit(tx, org, moved, 'token.unlock_granted', meta, now, { jti: a.jti, agentKey: a.agentKey, expiresAt: a.expiresAt });
    return { authorization: a.authorization, expiresAt: a.expiresAt };
  });
}

/** Step 5: what the agent answered, as the page reports it (the request ends either way). */
export async function finishUnlock(
  deps: UnlockDeps,
  org: OrganizationRow,
  id: string,
  outcome: { reset: boolean; error?: string },
  meta: RequestMeta,
): Promise<UnlockView> {
  const now = deps.clock.now();
  return deps.db.transaction(async (tx) => {
    const row = await tokenRepository.find(tx, id, org.id, true);
    if (!row) throw new AppError('NOT_FOUND', '找不到这次在线解锁申请');
    const moved = await tokenRepository.move(tx, id, 'granted', 'done', now, { doneAt: now });
    if (!moved) throw new AppError('CONFLICT', row.status === 'done' ? '这次在线解锁已经完成' : '这次在线解锁尚未获得授权');
    await audit(tx, org, moved, outcome.reset ? 'token.unlock_done' : 'token.unlock_agent_failed', meta, now, {
      jti: moved.grantJti,
      ...(outcome.error ? { agentError: outcome.error } : {}),
    });
    return view(moved);
  });
}

export async function unlockStatus(deps: UnlockDeps, org: OrganizationRow, id: string): Promise<UnlockView> {
  const row = await tokenRepository.find(deps.db, id, org.id);
  if (!row) throw new AppError('NOT_FOUND', '找不到这次在线解锁申请');
  return view(row);
}
