/**
 * 吊销: a request (by 制证/受理/管理员, or online by the certificate's own organization) that a DIFFERENT
 * staff member (制证 or 管理员) approves or refuses — four eyes on a step that cannot be undone. Approval,
 * in one transaction: the request decided (compare-and-set from pending), the certificate issued → revoked
 * (compare-and-set, RFC 5280 5.3.1 reason), its stored OCSP answer dropped, the CRL shard marked for
 * republication (the outbox-style marker), audit rows. The CRL and the new OCSP answer are signed after
 * the commit (Publisher.afterChange), or by the CA job if the process dies first.
 */
import { REVOCATION_PROMISE_MS, REVOCATION_REASONS, revocationReasonLabel } from '../../../core/revocation-reasons.js';
import { AppError } from '../../../core/errors.js';
import type { StaffRole } from '../../../core/schemas.js';
import type { Clock } from '../../clock.js';
import type { Config } from '../../config.js';
import type { Db } from '../../db/client.js';
import { auditRepository } from '../audit/repository.js';
import { certificateRepository } from '../certificates/repository.js';
import type { RequestMeta } from '../deps.js';
import { checkRevocationCode, revocableCertificate, useRevocationCode } from '../my-certificates/revocation-code.js';
import type { StaffActor } from '../staff/staff-accounts.js';
import { COMPLETE_CRL, shardOfSerialHex } from './crl-scopes.js';
import { revocationRepository, type RevocationRequestRow } from './repository.js';

export const REVOCATION_REQUESTERS = ['制证', '受理', '管理员'] as const satisfies readonly StaffRole[];
export const REVOCATION_APPROVERS = ['制证', '管理员'] as const satisfies readonly StaffRole[];

type Deps = { db: Db; clock: Clock };
/** An organization's request is confirmed by the SMS code sent to its registered mobile (issue 7). */
export type Requester = { kind: 'staff'; actor: StaffActor } | { kind: 'applicant'; organizationId: string; code: string | undefined };

function checkReason(reason: number, requester: Requester) {
  const r = REVOCATION_REASONS.find((x) => x.code === reason);
  if (!r || (requester.kind === 'applicant' && !r.applicant))
    throw new AppError('VALIDATION_FAILED', '请选择吊销原因', { fields: { reason: '请选择列表中的吊销原因' } });
}

export async function requestRevocation(
  deps: Deps & { config?: Pick<Config, 'secret'> },
  requester: Requester,
  certificateId: string,
  input: { reason: number; note?: string },
  meta: RequestMeta,
): Promise<RevocationRequestRow> {
  checkReason(input.reason, requester);
  const note = input.note?.trim() || null;
  let codeId: string | null = null;
  if (requester.kind === 'applicant') {
    // Ownership and state first (another's certificate is a 404, a second request a 409, no try spent), then the code.
    await revocableCertificate(deps.db, requester.organizationId, certificateId);
    if (!deps.config) throw new Error('requestRevocation: an applicant request needs config.secret to check the SMS code');
    codeId = await checkRevocationCode({ ...deps, config: deps.config }, requester.organizationId, certificateId, requester.code);
  }
  const now = deps.clock.now();
  return deps.db.transaction(async (tx) => {
    const cert = await revocationRepository.lockCertificate(tx, certificateId);
    // An organization sees only its own certificates: another's is "not found", not "forbidden".
    if (!cert || (requester.kind === 'applicant' && cert.organizationId !== requester.organizationId))
      throw new AppError('NOT_FOUND', '找不到该证书');
    if (cert.status === 'revoked') throw new AppError('CONFLICT', '该证书已吊销');
    if (cert.status !== 'issued') throw new AppError('CONFLICT', '该证书尚未签发，不能申请吊销');
    // A pair is revoked together, through its signing certificate (docs/kmc.md).
    if (cert.usage === 'encryption') throw new AppError('CONFLICT', '加密证书与签名证书成对吊销：请对其签名证书申请吊销');
    const row = await revocationRepository.insertRequest(tx, {
      certificateId,
      serial: cert.serial,
      source: requester.kind,
      reason: input.reason,
      note,
      requestedByStaff: requester.kind === 'staff' ? requester.actor.id : null,
      requestedByOrg: requester.kind === 'applicant' ? requester.organizationId : null,
      requestedAt: now,
    });
    if (!row) throw new AppError('CONFLICT', '该证书已有待处理的吊销申请');
    if (codeId) await useRevocationCode(tx, codeId, now);
    await auditRepository.record(tx, {
      actorType: requester.kind === 'staff' ? 'staff' : 'org',
      actorId: requester.kind === 'staff' ? requester.actor.id : requester.organizationId,
      action: 'certificate.revoke_request',
      targetType: 'certificate',
      targetId: certificateId,
      detail: { serial: cert.serial, reason: input.reason, reasonLabel: revocationReasonLabel(input.reason), note, requestId: row.id },
      ip: meta.ip,
      at: now,
    });
    return row;
  });
}

export async function decideRevocation(
  deps: Deps,
  actor: StaffActor,
  requestId: string,
  decision: { approve: boolean; note?: string },
  meta: RequestMeta,
): Promise<{ request: RevocationRequestRow; serial: string; revokedAt: Date | null }> {
  const now = deps.clock.now();
  const note = decision.note?.trim() || null;
  if (!decision.approve && !note) throw new AppError('VALIDATION_FAILED', '请填写不批准的原因', { fields: { note: '请填写不批准的原因' } });
  return deps.db.transaction(async (tx) => {
    const first = await revocationRepository.requestById(tx, requestId);
    if (!first) throw new AppError('NOT_FOUND', '找不到该吊销申请');
    // Lock order: certificate, then request (as requestRevocation does).
    const cert = await revocationRepository.lockCertificate(tx, first.certificateId);
    const r = await revocationRepository.requestById(tx, requestId, true);
    if (!cert || !r) throw new AppError('NOT_FOUND', '找不到该吊销申请');
    if (r.status !== 'pending') throw new AppError('CONFLICT', '该吊销申请已处理，请刷新页面');
    if (r.requestedByStaff === actor.id) throw new AppError('FORBIDDEN', '不能批准或驳回自己提出的吊销申请，请由另一位制证或管理员处理');
    const status = decision.approve ? 'approved' : 'refused';
    if (!(await revocationRepository.decide(tx, r.id, { status, decidedBy: actor.id, decidedAt: now, decisionNote: note })))
      throw new AppError('CONFLICT', '该吊销申请已处理，请刷新页面');
    let revokedAt: Date | null = null;
    let encryptionSerial: string | undefined;
    if (decision.approve) {
      const revoked = await revocationRepository.revokeCertificate(tx, cert.id, now, r.reason);
      if (!revoked) throw new AppError('CONFLICT', '该证书已吊销或不是有效证书');
      revokedAt = now;
      // An SM2 pair goes together: its encryption certificate is revoked in the same transaction (docs/kmc.md).
      const pair = await revocationRepository.revokeEncryptionOf(tx, cert.id, now, r.reason);
      encryptionSerial = pair?.serial;
      for (const c of [cert, ...(pair ? [pair] : [])]) {
        // A stored `good` must not outlive this commit; the new answer is signed after it.
        await revocationRepository.dropOcsp(tx, c.serial);
        // Both CRLs that list it: the issuing CA's complete CRL (new certificates' CRL DP) and its shard (older ones').
        await revocationRepository.markDirty(tx, c.family, COMPLETE_CRL, now);
        await revocationRepository.markDirty(tx, c.family, shardOfSerialHex(c.serial), now);
      }
    }
    await auditRepository.record(tx, {
      actorType: 'staff',
      actorId: actor.id,
      action: decision.approve ? 'certificate.revoke_approve' : 'certificate.revoke_refuse',
      targetType: 'certificate',
      targetId: cert.id,
      detail: {
        serial: cert.serial,
        requestId: r.id,
        reason: r.reason,
        reasonLabel: revocationReasonLabel(r.reason),
        requestedBy: r.requestedByStaff ?? r.requestedByOrg,
        note,
        ...(encryptionSerial ? { encryptionSerial } : {}),
      },
      ip: meta.ip,
      at: now,
    });
    return { request: { ...r, status, decidedBy: actor.id, decidedAt: now, decisionNote: note }, serial: cert.serial, revokedAt };
  });
}

/** The queue or the history, with the 24-hour promise (seed 004) measured from the request. */
export async function listRevocations(deps: Deps, which: 'pending' | 'decided', me: string) {
  const rows = await revocationRepository.list(deps.db, which);
  const ids = new Set<string>();
  for (const r of rows) for (const id of [r.requestedByStaff, r.decidedBy]) if (id) ids.add(id);
  const names = await revocationRepository.staffNames(deps.db, [...ids]);
  const now = deps.clock.now().getTime();
  return rows.map((r) => {
    const deadline = new Date(r.requestedAt.getTime() + REVOCATION_PROMISE_MS);
    const doneAt = r.revokedAt ?? r.decidedAt;
    return {
      ...r,
      reasonLabel: revocationReasonLabel(r.reason),
      requestedByName: r.requestedByStaff ? (names.get(r.requestedByStaff) ?? null) : '申请单位（在线）',
      decidedByName: r.decidedBy ? (names.get(r.decidedBy) ?? null) : null,
      deadline,
      overdue: doneAt ? doneAt.getTime() > deadline.getTime() : now > deadline.getTime(),
      mine: r.requestedByStaff === me,
    };
  });
}

/** The certificate's requests, for the registry's detail (when requested, when revoked, within 24 hours?). */
export async function revocationHistory(deps: Deps, certificateId: string) {
  const cert = await certificateRepository.findById(deps.db, certificateId);
  if (!cert) throw new AppError('NOT_FOUND', '找不到该证书');
  const reqs = await revocationRepository.requestsOfCertificate(deps.db, certificateId);
  return {
    status: cert.status,
    revokedAt: cert.revokedAt,
    revocationReason: cert.revocationReason,
    requests: reqs.map((r) => ({
      ...r,
      reasonLabel: revocationReasonLabel(r.reason),
      deadline: new Date(r.requestedAt.getTime() + REVOCATION_PROMISE_MS),
      withinPromise:
        r.status === 'approved' && r.decidedAt ? r.decidedAt.getTime() - r.requestedAt.getTime() <= REVOCATION_PROMISE_MS : null,
    })),
  };
}
