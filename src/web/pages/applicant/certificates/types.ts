/** 我的证书: the status colours; the shapes are core/my-certificates-schemas.ts's. */
import type { MyCertificateStatus } from '../../../../core/my-certificates-schemas.js';

export const STATUS_COLOR: Record<MyCertificateStatus, string> = {
  valid: 'success',
  revocation_pending: 'warning',
  revoked: 'error',
  expired: 'default',
  not_yet_valid: 'processing',
};
