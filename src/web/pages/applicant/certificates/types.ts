/** 我的证书 as GET /api/my-certificates answers (modules/my-certificates/my-certificates.ts). */
import type { RevocationReason } from '../../../../core/revocation-reasons.js';

export type MyCertificateStatus = 'valid' | 'revoked' | 'expired' | 'not_yet_valid' | 'revocation_pending';

export interface MyCertificate {
  id: string;
  serial: string;
  serialDisplay: string;
  unitName: string;
  projectCode: string;
  projectName: string;
  keyType: 'main' | 'sub';
  keyTypeLabel: string;
  source: string;
  sourceLabel: string;
  notBefore: string;
  notAfter: string;
  daysLeft: number;
  status: MyCertificateStatus;
  statusLabel: string;
  renewed: boolean;
  /** 在线续费 is offered (within 90 days of expiry), or one is open to resume. */
  canRenewOnline: boolean;
  renewalOpen: boolean;
  expiringSoon: boolean;
  canRevoke: boolean;
  orderId: string | null;
  orderNo: string | null;
  counterOrderNo: string | null;
  counterBusinessLabel: string | null;
  officeName: string | null;
  revokedAt: string | null;
  revocationReasonLabel: string | null;
  revocationRequestedAt: string | null;
  revocationDeadline: string | null;
  revocationRequestSource: 'staff' | 'applicant' | null;
  revocationRefused: { requestedAt: string; decidedAt: string | null; note: string | null } | null;
  /** The electronic seals a main key carries (empty until 制证 makes them). */
  seals: { kind: string; kindLabel: string; esId: string }[];
  /** An SM2 pair's encryption certificate (bidding and procurement projects), revoked and renewed with this one. */
  encryption: { id: string; serial: string; serialDisplay: string; statusLabel: string; notAfter: string } | null;
}

export interface MyCertificates {
  certificates: MyCertificate[];
  expiring: MyCertificate[];
  reasons: RevocationReason[];
  checkedAt: string;
}

export const STATUS_COLOR: Record<MyCertificateStatus, string> = {
  valid: 'success',
  revocation_pending: 'warning',
  revoked: 'error',
  expired: 'default',
  not_yet_valid: 'processing',
};
