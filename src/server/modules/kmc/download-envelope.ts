/**
 * 制证 takes the encryption key's envelope (GM/T 0016 ENVELOPEDKEYBLOB) to write it to the UKEY — once: the row
 * gives it up and forgets it in one compare-and-set, with the audit row in the same transaction. Another copy
 * only comes through key recovery (密钥恢复), approved by two key administrators.
 */
import { AppError } from '../../../core/errors.js';
import type { Db } from '../../db/client.js';
import { auditRepository } from '../audit/repository.js';
import { certificateRepository } from '../certificates/repository.js';
import type { RequestMeta } from '../deps.js';
import type { StaffActor } from '../staff/staff-accounts.js';
import { kmcRepository } from './repository.js';

export async function downloadEnvelope(
  deps: { db: Db; clock: { now(): Date } },
  actor: StaffActor,
  certificateId: string,
  meta: RequestMeta,
): Promise<{ serial: string; envelope: Buffer }> {
  return deps.db.transaction(async (tx) => {
    const cert = await certificateRepository.findById(tx, certificateId);
    if (!cert || cert.usage !== 'encryption') throw new AppError('NOT_FOUND', '找不到该加密证书');
    if (cert.status !== 'issued') throw new AppError('CONFLICT', '加密证书未签发或已吊销，不能下载其加密密钥');
    const now = deps.clock.now();
    const envelope = await kmcRepository.takeEnvelope(tx, certificateId, actor.id, now);
    if (!envelope) {
      const key = await kmcRepository.forCertificate(tx, certificateId);
      throw new AppError(
        'CONFLICT',
        key?.envelopeDownloadedAt
          ? '加密密钥信封只能下载一次，已于此前下载写入 USB Key；如需再次写入，请办理密钥恢复'
          : '此加密证书没有待下载的加密密钥信封（系统生成的密钥已随 PKCS#12 交付）',
      );
    }
    await auditRepository.record(tx, {
      actorType: 'staff',
      actorId: actor.id,
      action: 'kmc.envelope_download',
      targetType: 'certificate',
      targetId: certificateId,
      detail: { serial: cert.serial, signingCertificateId: cert.signingCertificateId, bytes: envelope.length },
      ip: meta.ip,
      at: now,
    });
    return { serial: cert.serial, envelope };
  });
}
