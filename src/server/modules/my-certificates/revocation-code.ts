/**
 * The SMS code that confirms an organization's online revocation request (issue 7): sent to the
 * organization's registered mobile, bound to the organization and the certificate, stored only as an HMAC,
 * 10 minutes, 5 tries (each taken by one atomic UPDATE before comparing), used once (compare-and-set in the
 * request's own transaction), a new code expiring the older ones — the rules of 忘记密码's code
 * (modules/accounts/reset-password.ts). Sending is throttled per organization and per address like it.
 *
 * The same code, with purpose 'renew', confirms an online renewal (modules/renewal, issue 20): its own
 * template, its own HMAC domain, so a revocation code never starts a renewal or the other way round.
 */
import { AppError, validationFailed } from '../../../core/errors.js';
import { maskMobile } from '../../../core/mobile.js';
import type { Clock } from '../../clock.js';
import type { Config } from '../../config.js';
import type { DbOrTx } from '../../db/client.js';
import { hmac, randomDigits, safeEqual } from '../../crypto.js';
import { auditRepository } from '../audit/repository.js';
import type { RequestMeta, UseCaseDeps } from '../deps.js';
import type { OrganizationRow } from '../accounts/repository.js';
import { enqueueSms } from '../outbox/outbox.js';
import { takeSmsSend } from '../throttle/throttle.js';
import { myCertificatesRepository } from './repository.js';

export const REVOCATION_CODE_TTL_MS = 10 * 60_000;
export const REVOCATION_CODE_TRIES = 5;
/** A second code for the same certificate within a minute is refused (the first is probably on its way). */
export const REVOCATION_CODE_RESEND_MS = 60_000;

export type CodePurpose = 'revoke' | 'renew';

const PURPOSES = {
  revoke: { template: 'revocation_code', action: 'certificate.revoke_code_sent' },
  renew: { template: 'renewal_code', action: 'certificate.renew_code_sent' },
} as const satisfies Record<CodePurpose, { template: string; action: string }>;

const codeHash = (secret: string, purpose: CodePurpose, organizationId: string, certificateId: string, code: string) =>
  hmac(secret, `${purpose}:${organizationId}:${certificateId}:${code}`);

/** The checks both steps make before touching a code: the certificate is the organization's and revocable. */
export async function revocableCertificate(db: DbOrTx, organizationId: string, certificateId: string) {
  const cert = await myCertificatesRepository.ownCertificate(db, organizationId, certificateId);
  if (!cert) throw new AppError('NOT_FOUND', '找不到该证书');
  if (cert.status === 'revoked') throw new AppError('CONFLICT', '该证书已吊销');
  if (cert.status !== 'issued') throw new AppError('CONFLICT', '该证书尚未签发，不能申请吊销');
  if (await myCertificatesRepository.hasOpenRequest(db, certificateId))
    throw new AppError('CONFLICT', '该证书已有待处理的吊销申请，CA 将在24小时内处理');
  return cert;
}

export function sendRevocationCode(deps: UseCaseDeps, org: OrganizationRow, certificateId: string, meta: RequestMeta) {
  return sendCertificateCode(deps, org, certificateId, 'revoke', () => revocableCertificate(deps.db, org.id, certificateId), meta);
}

/** Sends a code for `purpose` once `eligible` (the purpose's own checks) has returned the certificate. */
export async function sendCertificateCode(
  deps: UseCaseDeps,
  org: OrganizationRow,
  certificateId: string,
  purpose: CodePurpose,
  eligible: () => Promise<{ id: string; serial: string }>,
  meta: RequestMeta,
): Promise<{ maskedMobile: string; expiresInSeconds: number; resendAfterSeconds: number }> {
  const acctKey = `sms:${purpose}:${org.id}`;
  const ipKey = `sms:ip:${meta.ip}`;
  await deps.throttle.check(ipKey);
  await deps.throttle.check(acctKey);
  const cert = await eligible();
  const now = deps.clock.now();
  const last = await myCertificatesRepository.latestCode(deps.db, org.id, cert.id, purpose);
  await takeSmsSend(deps, { account: acctKey, address: ipKey }, { lastSentAt: last?.createdAt, now, resendMs: REVOCATION_CODE_RESEND_MS });
  const code = randomDigits(6);
  await deps.db.transaction(async (tx) => {
    await myCertificatesRepository.expireOpenCodes(tx, org.id, cert.id, purpose, now);
    const id = await myCertificatesRepository.insertCode(tx, {
      organizationId: org.id,
      certificateId: cert.id,
      purpose,
      codeHash: codeHash(deps.config.secret, purpose, org.id, cert.id, code),
      createdAt: now,
      expiresAt: new Date(now.getTime() + REVOCATION_CODE_TTL_MS),
    });
    await enqueueSms(
      tx,
      `${PURPOSES[purpose].template}:${id}`,
      { phoneNumber: org.mobile, template: PURPOSES[purpose].template, params: { code, serialTail: cert.serial.toUpperCase().slice(-6) } },
      now,
    );
    await auditRepository.record(tx, {
      actorType: 'org',
      actorId: org.id,
      action: PURPOSES[purpose].action,
      targetType: 'certificate',
      targetId: cert.id,
      detail: { serial: cert.serial, mobile: maskMobile(org.mobile) },
      ip: meta.ip,
      at: now,
    });
  });
  return {
    maskedMobile: maskMobile(org.mobile),
    expiresInSeconds: REVOCATION_CODE_TTL_MS / 1000,
    resendAfterSeconds: REVOCATION_CODE_RESEND_MS / 1000,
  };
}

/**
 * Checks the code (spending one try first) and returns its id, to be marked used in the request's
 * transaction with `useRevocationCode`. A wrong, expired or spent code is a VALIDATION_FAILED naming the
 * `code` field; nothing else changes.
 */
export function checkRevocationCode(
  deps: { db: DbOrTx; clock: Clock; config: Pick<Config, 'secret'> },
  organizationId: string,
  certificateId: string,
  code: string | undefined,
): Promise<string> {
  return checkCertificateCode(deps, 'revoke', organizationId, certificateId, code);
}

export async function checkCertificateCode(
  deps: { db: DbOrTx; clock: Clock; config: Pick<Config, 'secret'> },
  purpose: CodePurpose,
  organizationId: string,
  certificateId: string,
  code: string | undefined,
): Promise<string> {
  if (!code || !/^\d{6}$/.test(code)) throw validationFailed({ code: '请输入短信中的6位验证码' });
  const now = deps.clock.now();
  const dead = () => validationFailed({ code: '短信验证码已失效，请重新获取' });
  const row = await myCertificatesRepository.latestCode(deps.db, organizationId, certificateId, purpose);
  if (!row || row.usedAt || row.expiresAt <= now || row.attempts >= REVOCATION_CODE_TRIES) throw dead();
  const tries = await myCertificatesRepository.takeAttempt(deps.db, row.id, REVOCATION_CODE_TRIES, now);
  if (tries === undefined) throw dead();
  if (!safeEqual(row.codeHash, codeHash(deps.config.secret, purpose, organizationId, certificateId, code))) {
    const left = REVOCATION_CODE_TRIES - tries;
    throw validationFailed({ code: left > 0 ? `短信验证码不正确，还可尝试${left}次` : '短信验证码错误次数过多，请重新获取' });
  }
  return row.id;
}

export const useRevocationCode = (tx: DbOrTx, codeId: string, now: Date) => useCertificateCode(tx, codeId, now);

/** Inside the request's transaction: the code confirms this request only (a racing second use finds it used). */
export async function useCertificateCode(tx: DbOrTx, codeId: string, now: Date): Promise<void> {
  if (!(await myCertificatesRepository.markCodeUsed(tx, codeId, now))) throw validationFailed({ code: '该验证码已使用，请重新获取' });
}
