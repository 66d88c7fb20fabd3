/**
 * 密钥恢复 (key recovery) from the KMC's escrow (docs/kmc.md), four eyes and every step audited:
 *
 *   request   a 密钥管理员 names the encryption certificate, the recipient — the new UKEY's PKCS#10 (补办: its
 *             signing key, proof of possession checked) or an authority's SM2 certificate (司法恢复) — and why;
 *   decide    another 密钥管理员 approves or refuses (compare-and-set from pending; the requester never decides);
 *   deliver   once: the KMC (the signer's device) re-envelopes the escrowed key for the recipient — the signer
 *             itself checks that the registry holds this approved, undelivered recovery — and the
 *             ENVELOPEDKEYBLOB is handed over, marked delivered by compare-and-set. It is never stored.
 *
 * Nobody sees the key in clear: the escrow opens only in the device, the envelope only with the recipient's key.
 */
import { parseCertificate, pemToDer } from '../../../ca/cert/parse.js';
import { parseCsr } from '../../../ca/csr.js';
import { KmcUnavailableError } from '../../../ca/kmc/port.js';
import { inspectSpki } from '../../../ca/spki.js';
import { AppError, validationFailed } from '../../../core/errors.js';
import type { Clock } from '../../clock.js';
import type { Config } from '../../config.js';
import type { Db } from '../../db/client.js';
import { auditRepository } from '../audit/repository.js';
import { certificateRepository } from '../certificates/repository.js';
import type { RequestMeta } from '../deps.js';
import type { StaffActor } from '../staff/staff-accounts.js';
import { kmcNotReady, kmcOf } from './kmc-access.js';
import { kmcRepository, type KmcRecoveryRow } from './repository.js';

type Deps = { db: Db; clock: Clock; config: Config };

export const RECOVERY_KIND_LABEL = { user: '用户密钥恢复（补办）', judicial: '司法密钥恢复' } as const;

export interface RecoveryInput {
  certificateId: string;
  kind: 'user' | 'judicial';
  /** user: the new UKEY's PKCS#10 (PEM or Base64 DER); judicial: the authority's SM2 certificate (PEM). */
  recipient: string;
  reason: string;
}

/** The recipient's SM2 public key: from a verified PKCS#10 (补办) or an authority's certificate (司法). */
function recipientKey(kind: RecoveryInput['kind'], text: string): Uint8Array {
  let spki: Uint8Array;
  if (kind === 'user') {
    const csr = parseCsr(text);
    if (!csr.ok) throw validationFailed({ recipient: `新 USB Key 的证书请求：${csr.reason}` });
    spki = csr.spki;
  } else {
    try {
      spki = parseCertificate(pemToDer(text)).spki;
    } catch {
      throw validationFailed({ recipient: '接收机构的证书不是 PEM 格式的 X.509 证书' });
    }
  }
  const info = inspectSpki(spki);
  if (!info.ok || info.algorithm !== 'sm2')
    throw validationFailed({ recipient: kind === 'user' ? '新 USB Key 的密钥必须是 SM2 密钥' : '接收机构的证书必须是 SM2 证书' });
  return info.publicKey;
}

export async function requestRecovery(deps: Deps, actor: StaffActor, input: RecoveryInput, meta: RequestMeta): Promise<KmcRecoveryRow> {
  const reason = input.reason.trim();
  if (!reason) throw validationFailed({ reason: '请填写恢复原因（补办的受理单号，或司法机关及文书编号）' });
  const recipient = recipientKey(input.kind, input.recipient);
  const now = deps.clock.now();
  return deps.db.transaction(async (tx) => {
    const cert = await certificateRepository.findById(tx, input.certificateId);
    if (!cert || cert.usage !== 'encryption') throw new AppError('NOT_FOUND', '找不到该加密证书');
    const key = await kmcRepository.forCertificate(tx, cert.id);
    if (!key) throw new AppError('CONFLICT', '该加密证书的私钥不在密钥管理中心托管，无法恢复');
    const row = await kmcRepository.insertRecovery(tx, {
      kmcKeyId: key.id,
      certificateId: cert.id,
      kind: input.kind,
      recipient: Buffer.from(recipient),
      recipientDocument: input.recipient.trim(),
      reason,
      status: 'pending',
      requestedBy: actor.id,
      requestedAt: now,
    });
    await auditRepository.record(tx, {
      actorType: 'staff',
      actorId: actor.id,
      action: 'kmc.recovery_request',
      targetType: 'certificate',
      targetId: cert.id,
      detail: { recoveryId: row.id, serial: cert.serial, kind: input.kind, reason },
      ip: meta.ip,
      at: now,
    });
    return row;
  });
}

export async function decideRecovery(
  deps: Deps,
  actor: StaffActor,
  id: string,
  decision: { approve: boolean; note?: string },
  meta: RequestMeta,
): Promise<KmcRecoveryRow> {
  const note = decision.note?.trim() || null;
  if (!decision.approve && !note) throw validationFailed({ note: '请填写驳回的原因' });
  const now = deps.clock.now();
  return deps.db.transaction(async (tx) => {
    const r = await kmcRepository.recovery(tx, id, true);
    if (!r) throw new AppError('NOT_FOUND', '找不到该密钥恢复申请');
    if (r.requestedBy === actor.id) throw new AppError('FORBIDDEN', '不能批准或驳回自己提出的密钥恢复申请：须由另一位密钥管理员处理');
    const status = decision.approve ? 'approved' : 'refused';
    if (!(await kmcRepository.decideRecovery(tx, id, { status, decidedBy: actor.id, decidedAt: now, decisionNote: note })))
      throw new AppError('CONFLICT', '该密钥恢复申请已处理，请刷新页面');
    await auditRepository.record(tx, {
      actorType: 'staff',
      actorId: actor.id,
      action: decision.approve ? 'kmc.recovery_approve' : 'kmc.recovery_refuse',
      targetType: 'certificate',
      targetId: r.certificateId,
      detail: { recoveryId: r.id, kind: r.kind, requestedBy: r.requestedBy, note },
      ip: meta.ip,
      at: now,
    });
    return { ...r, status, decidedBy: actor.id, decidedAt: now, decisionNote: note };
  });
}

/** The approved recovery's envelope, made now by the KMC and handed over once. */
export async function deliverRecovery(
  deps: Deps,
  actor: StaffActor,
  id: string,
  meta: RequestMeta,
): Promise<{ serial: string; envelope: Buffer }> {
  const r = await kmcRepository.recovery(deps.db, id);
  if (!r) throw new AppError('NOT_FOUND', '找不到该密钥恢复申请');
  if (r.status !== 'approved')
    throw new AppError('CONFLICT', r.status === 'pending' ? '密钥恢复申请尚未经另一位密钥管理员批准' : '该密钥恢复申请已被驳回');
  if (r.deliveredAt) throw new AppError('CONFLICT', '恢复的加密密钥信封只能下载一次，已经下载过');
  const key = await kmcRepository.forCertificate(deps.db, r.certificateId);
  const cert = await certificateRepository.findById(deps.db, r.certificateId);
  if (!key || !cert) throw new AppError('NOT_FOUND', '找不到托管的加密密钥');
  const kmc = kmcOf(deps.config.ca);
  if (!kmc) throw kmcNotReady(new KmcUnavailableError('no KMC configured'));
  let envelope: Uint8Array;
  try {
    envelope = await kmc.envelope(
      {
        kekIndex: key.kekIndex,
        wrappedKey: key.wrappedKey,
        iv: key.iv,
        encryptedPrivateKey: key.encryptedPrivateKey,
        publicKey: key.publicKey,
      },
      r.recipient,
    );
  } catch (e) {
    throw e instanceof AppError ? e : kmcNotReady(e);
  }
  const now = deps.clock.now();
  await deps.db.transaction(async (tx) => {
    if (!(await kmcRepository.markDelivered(tx, id, actor.id, now)))
      throw new AppError('CONFLICT', '恢复的加密密钥信封只能下载一次，已经下载过');
    await auditRepository.record(tx, {
      actorType: 'staff',
      actorId: actor.id,
      action: 'kmc.recovery_download',
      targetType: 'certificate',
      targetId: r.certificateId,
      detail: { recoveryId: r.id, kind: r.kind, serial: cert.serial, bytes: envelope.length },
      ip: meta.ip,
      at: now,
    });
  });
  return { serial: cert.serial, envelope: Buffer.from(envelope) };
}

/** The requests, newest first, for the 密钥管理员's list (no key material: the recipient is a public key). */
export async function listRecoveries(deps: { db: Db }) {
  const rows = await kmcRepository.recoveries(deps.db);
  return rows.map((r) => ({
    id: r.id,
    certificateId: r.certificateId,
    kind: r.kind,
    kindLabel: RECOVERY_KIND_LABEL[r.kind],
    reason: r.reason,
    status: r.status,
    requestedBy: r.requestedBy,
    requestedAt: r.requestedAt,
    decidedBy: r.decidedBy,
    decidedAt: r.decidedAt,
    decisionNote: r.decisionNote,
    deliveredAt: r.deliveredAt,
  }));
}
