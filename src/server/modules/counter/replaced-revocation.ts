/**
 * The replaced certificate's revocation, asked through the registry's four-eyes flow (pending: a different
 * 制证/管理员 approves it in 吊销): 补办 asks at 前台受理 (the key is lost), 变更 when the old UKEY is handed
 * back at 领取.
 */
import { BUSINESS_LABEL } from '../../../core/counter.js';
import { formatOrderNumber } from '../../../core/order-number.js';
import { revocationReasonLabel } from '../../../core/revocation-reasons.js';
import type { Tx } from '../../db/client.js';
import { auditRepository } from '../audit/repository.js';
import { revocationRepository } from '../revocation/repository.js';
import type { StaffActor } from '../staff/staff-accounts.js';
import type { CounterOrderRow } from './repository.js';

/** The request's id, or null when there is nothing to ask (no replaced certificate, or it is no longer issued). */
export async function requestReplacedRevocation(
  tx: Tx,
  order: CounterOrderRow,
  actor: StaffActor,
  at: Date,
  ip: string,
): Promise<string | null> {
  if (!order.replacesCertificateId || order.revocationReason === null) return null;
  const cert = await revocationRepository.lockCertificate(tx, order.replacesCertificateId);
  if (!cert || cert.status !== 'issued') return null;
  const note = `柜台${BUSINESS_LABEL[order.business]}（业务编号 ${formatOrderNumber(order.orderNo)}）`;
  const req = await revocationRepository.insertRequest(tx, {
    certificateId: cert.id,
    serial: cert.serial,
    source: 'staff',
    reason: order.revocationReason,
    note,
    requestedByStaff: actor.id,
    requestedByOrg: null,
    requestedAt: at,
  });
  // Already an open request for it (e.g. the unit asked online): that one stands.
  if (!req) return null;
  await auditRepository.record(tx, {
    actorType: 'staff',
    actorId: actor.id,
    action: 'certificate.revoke_request',
    targetType: 'certificate',
    targetId: cert.id,
    detail: {
      serial: cert.serial,
      reason: order.revocationReason,
      reasonLabel: revocationReasonLabel(order.revocationReason),
      note,
      requestId: req.id,
    },
    ip,
    at,
  });
  return req.id;
}
