/**
 * A seal's status as people read it, from the seal row and its certificate's registry row: a seal lives
 * and dies with the certificate it is bound to (revoked → 已吊销, expired → 已过期), and a seal made again
 * from another picture is 已替换.
 */
import { publicStatusOf } from '../../../core/certificates.js';
import type { CertificateRow } from '../certificates/repository.js';
import type { SealRow } from './repository.js';

export type SealStatus = 'valid' | 'revoked' | 'expired' | 'not_yet_valid' | 'superseded' | 'unknown';

export const SEAL_STATUS_LABEL: Record<SealStatus, string> = {
  valid: '有效',
  revoked: '已吊销（证书已吊销）',
  expired: '已过期',
  not_yet_valid: '尚未生效',
  superseded: '已替换（已重新制作）',
  unknown: '未知',
};

export const SEAL_KIND_LABEL: Record<string, string> = {
  company: '企业公章',
  'legal-person': '法人私章',
  signature: '法人手写签名',
  'in-gan-manager': '入赣负责人私章',
};

export function sealStatusOf(
  seal: Pick<SealRow, 'status' | 'validStart' | 'validEnd'>,
  cert: CertificateRow | undefined,
  now: Date,
): SealStatus {
  if (seal.status === 'superseded') return 'superseded';
  if (!cert) return 'unknown';
  const c = publicStatusOf(cert, now);
  if (c !== 'valid') return c;
  if (seal.validEnd.getTime() < now.getTime()) return 'expired';
  if (seal.validStart.getTime() > now.getTime()) return 'not_yet_valid';
  return 'valid';
}

/** The view of a seal that staff and the applicant see (no DER; the picture as a data URL). */
export function sealView(seal: SealRow, cert: CertificateRow | undefined, now: Date, picture?: Uint8Array) {
  const status = sealStatusOf(seal, cert, now);
  return {
    id: seal.id,
    kind: seal.kind,
    kindLabel: SEAL_KIND_LABEL[seal.kind] ?? seal.kind,
    esId: seal.esId,
    name: seal.name,
    sealType: seal.sealType,
    widthMm: seal.widthMm,
    heightMm: seal.heightMm,
    validStart: seal.validStart,
    validEnd: seal.validEnd,
    status,
    statusLabel: SEAL_STATUS_LABEL[status],
    createdAt: seal.createdAt,
    supersededAt: seal.supersededAt,
    bytes: seal.der.length,
    picture: picture ? `data:image/png;base64,${Buffer.from(picture).toString('base64')}` : undefined,
  };
}
