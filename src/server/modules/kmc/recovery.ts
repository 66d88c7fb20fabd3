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
import type { Db, DbOrTx } from '../../db/client.js';
import { auditRepository } from '../audit/repository.js';
import { certificateRepository, normalizeSerial, type CertificateRow } from '../certificates/repository.js';
import type { RequestMeta } from '../deps.js';
import type { StaffActor } from '../staff/staff-accounts.js';
import { kmcNotReady, kmcOf } from './kmc-access.js';
import { kmcRepository, type KmcRecoveryRow } from './repository.js';

type Deps = { db: Db; clock: Clock; config: Config };

export const RECOVERY_KIND_LABEL = { user: '用户密钥恢复（补办）', judicial: '司法密钥恢复' } as const;

export interface RecoveryInput {
  /** The encryption certificate: by id (from the registry), or by the serial of either certificate of the pair. */
  certificateId?: string;
  serial?: string;
  kind: 'user' | 'judicial';
  /**
   * user: the new UKEY's PKCS#10 (PEM or Base64 DER), or the new UKEY's signing certificate this CA issued;
   * judicial: the authority's SM2 certificate (PEM).
   */
  recipient: string;
  reason: string;
}

const looksLikeCertificate = (text: string) => /-----BEGIN CERTIFICATE-----/.test(text);

/**
 * The recipient's SM2 public key, when the text alone proves it: a verified PKCS#10 (补办) or an authority's
 * certificate (司法). A field message otherwise. A 补办 given the new UKEY's signing certificate is checked
 * against the registry afterwards (registeredSigningKey).
 */
function recipientKey(kind: RecoveryInput['kind'], text: string): { key: Uint8Array } | { certificate: Uint8Array } | { error: string } {
  let spki: Uint8Array;
  if (kind === 'user') {
    if (looksLikeCertificate(text)) {
      try {
        return { certificate: pemToDer(text) };
      } catch {
        return { error: '新 USB Key 的签名证书不是 PEM 格式的 X.509 证书' };
      }
    }
    const csr = parseCsr(text);
    if (!csr.ok) return { error: `新 USB Key 的证书请求：${csr.reason}` };
    spki = csr.spki;
  } else {
    try {
      spki = parseCertificate(pemToDer(text)).spki;
    } catch {
      return { error: '接收机构的证书不是 PEM 格式的 X.509 证书' };
    }
  }
  const info = inspectSpki(spki);
  if (!info.ok || info.algorithm !== 'sm2')
    return { error: kind === 'user' ? '新 USB Key 的密钥必须是 SM2 密钥' : '接收机构的证书必须是 SM2 证书' };
  return { key: info.publicKey };
}

/**
 * 补办 with the new UKEY's signing certificate: this CA issued it (the registry holds these very bytes) after
 * proof of possession at 制证, it is valid and a signing certificate, and it belongs to the same unit as the
 * encryption certificate — but is not the lost key's own signing certificate.
 */
async function registeredSigningKey(tx: DbOrTx, der: Uint8Array, enc: CertificateRow, now: Date): Promise<Uint8Array | string> {
  let serial: string | null;
  try {
    serial = normalizeSerial(parseCertificate(der).serialHex);
  } catch {
    return '新 USB Key 的签名证书不是 PEM 格式的 X.509 证书';
  }
  const row = serial ? await certificateRepository.findBySerial(tx, serial) : undefined;
  if (!row?.der || !Buffer.from(row.der).equals(Buffer.from(der))) return '新 USB Key 的签名证书不是本 CA 签发的证书';
  if (row.usage !== 'signing') return '请提供新 USB Key 的签名证书（不是加密证书）';
  if (row.id === enc.signingCertificateId) return '这是原 USB Key 的签名证书：请提供新 USB Key 的证书请求或新签发的签名证书';
  if (row.status !== 'issued' || row.notAfter.getTime() <= now.getTime()) return '新 USB Key 的签名证书已吊销或已过期';
  if (row.uscc !== enc.uscc) return '新 USB Key 的签名证书不属于该加密证书的单位';
  const info = inspectSpki(parseCertificate(der).spki);
  if (!info.ok || info.algorithm !== 'sm2') return '新 USB Key 的密钥必须是 SM2 密钥';
  return info.publicKey;
}

/**
 * The encryption certificate a request names: by id, or by serial — the encryption certificate's own, or its
 * signing certificate's (the serial the unit knows). A field message when it is none.
 */
async function encryptionCertificateFor(tx: DbOrTx, input: RecoveryInput): Promise<CertificateRow | string> {
  if (input.certificateId) {
    const cert = await certificateRepository.findById(tx, input.certificateId);
    return cert?.usage === 'encryption' ? cert : '找不到该加密证书';
  }
  const serial = normalizeSerial(input.serial ?? '');
  if (!serial) return '证书序列号只能是十六进制数字（可带空格或冒号）';
  const cert = await certificateRepository.findBySerial(tx, serial);
  if (!cert) return '找不到该序列号的证书';
  if (cert.usage === 'encryption') return cert;
  const enc = await certificateRepository.encryptionOf(tx, cert.id);
  return enc ?? '该证书没有加密证书（只有双证书项目签发加密证书），无法恢复密钥';
}

export async function requestRecovery(deps: Deps, actor: StaffActor, input: RecoveryInput, meta: RequestMeta): Promise<KmcRecoveryRow> {
  const reason = input.reason.trim();
  // Every field the text alone decides is checked first, all together, so the form shows each wrong one at once.
  const fields: Record<string, string> = {};
  if (!reason) fields.reason = '请填写恢复原因（补办的受理单号，或司法机关及文书编号）';
  if (!input.certificateId && !input.serial?.trim()) fields.serial = '请填写加密证书（或其签名证书）的序列号';
  const given = recipientKey(input.kind, input.recipient);
  if ('error' in given) fields.recipient = given.error;
  if (Object.keys(fields).length) throw validationFailed(fields);
  const now = deps.clock.now();
  return deps.db.transaction(async (tx) => {
    const cert = await encryptionCertificateFor(tx, input);
    if (typeof cert === 'string') {
      if (input.certificateId) throw new AppError('NOT_FOUND', cert);
      throw validationFailed({ serial: cert });
    }
    const key = await kmcRepository.forCertificate(tx, cert.id);
    if (!key) throw new AppError('CONFLICT', '该加密证书的私钥不在密钥管理中心托管，无法恢复');
    const recipient =
      'certificate' in given ? await registeredSigningKey(tx, given.certificate, cert, now) : (given as { key: Uint8Array }).key;
    if (typeof recipient === 'string') throw validationFailed({ recipient });
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

/** Who receives the key, in words for the approver: the subject of the PKCS#10 or of the certificate given. */
function recipientLabel(kind: KmcRecoveryRow['kind'], document: string): string {
  const name = (f: { CN?: string; O?: string }) => [f.O, f.CN].filter(Boolean).join(' / ') || '（未写名称）';
  try {
    if (looksLikeCertificate(document)) {
      const c = parseCertificate(pemToDer(document));
      return `${kind === 'user' ? '新 USB Key 的签名证书' : '接收机构证书'}：${name(c.subjectFields)}`;
    }
    const csr = parseCsr(document);
    return csr.ok ? `新 USB Key 的证书请求：${name(csr.subject)}` : '新 USB Key 的证书请求';
  } catch {
    return RECOVERY_KIND_LABEL[kind];
  }
}

/**
 * The requests, newest first, for the 密钥管理员's page: the certificate's unit and serial, who asked and who
 * decided, whether the reader asked (then another must decide). No key material: the recipient is a public key.
 */
export async function listRecoveries(deps: { db: Db }, me: string) {
  const rows = await kmcRepository.recoveries(deps.db);
  const ids = new Set<string>();
  for (const r of rows) for (const id of [r.requestedBy, r.decidedBy, r.deliveredBy]) if (id) ids.add(id);
  const names = await kmcRepository.staffNames(deps.db, [...ids]);
  const nameOf = (id: string | null) => (id ? (names.get(id) ?? null) : null);
  return rows.map((r) => ({
    id: r.id,
    certificateId: r.certificateId,
    serial: r.serial,
    unitName: r.unitName,
    uscc: r.uscc,
    certificateStatus: r.certificateStatus,
    kind: r.kind,
    kindLabel: RECOVERY_KIND_LABEL[r.kind],
    recipientLabel: recipientLabel(r.kind, r.recipientDocument),
    reason: r.reason,
    status: r.status,
    requestedBy: r.requestedBy,
    requestedByName: nameOf(r.requestedBy),
    requestedAt: r.requestedAt,
    decidedBy: r.decidedBy,
    decidedByName: nameOf(r.decidedBy),
    decidedAt: r.decidedAt,
    decisionNote: r.decisionNote,
    deliveredAt: r.deliveredAt,
    deliveredByName: nameOf(r.deliveredBy),
    mine: r.requestedBy === me,
  }));
}
