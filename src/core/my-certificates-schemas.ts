/**
 * Response shapes of 我的证书 (server/routes/my-certificates.ts): the organization's certificates, one with its
 * revocation requests, and the SMS code that confirms a revocation request. The pages' types come from here.
 */
import { z } from 'zod';
import { ZKeyType } from './orders-schemas.js';
import { ZInstant, type JsonOf } from './response.js';

export const MY_CERTIFICATE_STATUSES = ['valid', 'revoked', 'expired', 'not_yet_valid', 'revocation_pending'] as const;
export type MyCertificateStatus = (typeof MY_CERTIFICATE_STATUSES)[number];

const ZRequestSource = z.enum(['staff', 'applicant']);

export const ZMyCertificate = z.object({
  id: z.string(),
  serial: z.string(),
  serialDisplay: z.string(),
  /** The algorithm family ('sm2', 'ecdsa-p256', 'rsa-2048'; imported: what the CSV says). */
  family: z.string(),
  unitName: z.string(),
  projectCode: z.string(),
  projectName: z.string(),
  keyType: ZKeyType,
  keyTypeLabel: z.string(),
  source: z.string(),
  sourceLabel: z.string(),
  notBefore: ZInstant,
  notAfter: ZInstant,
  daysLeft: z.number(),
  status: z.enum(MY_CERTIFICATE_STATUSES),
  statusLabel: z.string(),
  renewed: z.boolean(),
  /** 在线续费 is offered (within 90 days of expiry), or one is open to resume. */
  canRenewOnline: z.boolean(),
  renewalOpen: z.boolean(),
  expiringSoon: z.boolean(),
  canRevoke: z.boolean(),
  orderId: z.string().nullable(),
  orderNo: z.string().nullable(),
  counterOrderNo: z.string().nullable(),
  counterBusinessLabel: z.string().nullable(),
  officeName: z.string().nullable(),
  revokedAt: ZInstant.nullable(),
  revocationReasonLabel: z.string().nullable(),
  /** When the organization (or staff) asked for the revocation that was approved, or is pending. */
  revocationRequestedAt: ZInstant.nullable(),
  revocationDeadline: ZInstant.nullable(),
  revocationRequestSource: ZRequestSource.nullable(),
  /** The latest refused request, if the certificate is still valid: the CA's reason. */
  revocationRefused: z.object({ requestedAt: ZInstant, decidedAt: ZInstant.nullable(), note: z.string().nullable() }).nullable(),
  /** The electronic seals a main key carries (empty until 制证 makes them). */
  seals: z.array(z.object({ kind: z.string(), kindLabel: z.string(), esId: z.string() })),
  /** An SM2 pair's encryption certificate (bidding and procurement projects), revoked and renewed with this one. */
  encryption: z
    .object({ id: z.string(), serial: z.string(), serialDisplay: z.string(), statusLabel: z.string(), notAfter: ZInstant })
    .nullable(),
});
export type MyCertificate = JsonOf<typeof ZMyCertificate>;

export const ZRevocationReason = z.object({ code: z.number(), key: z.string(), label: z.string(), applicant: z.boolean() });

export const ZMyCertificates = z.object({
  certificates: z.array(ZMyCertificate),
  expiring: z.array(ZMyCertificate),
  /** The reasons the organization may choose online. */
  reasons: z.array(ZRevocationReason),
  checkedAt: ZInstant,
});
export type MyCertificates = JsonOf<typeof ZMyCertificates>;

export const ZMyCertificateDetail = z.object({
  certificate: ZMyCertificate,
  requests: z.array(
    z.object({
      id: z.string(),
      source: ZRequestSource,
      reasonLabel: z.string(),
      note: z.string().nullable(),
      status: z.enum(['pending', 'approved', 'refused']),
      statusLabel: z.string(),
      requestedAt: ZInstant,
      deadline: ZInstant,
      decidedAt: ZInstant.nullable(),
      decisionNote: z.string().nullable(),
    }),
  ),
  reasons: z.array(ZRevocationReason),
});
export type MyCertificateDetail = JsonOf<typeof ZMyCertificateDetail>;

export const ZRevocationCodeSent = z.object({ maskedMobile: z.string(), expiresInSeconds: z.number(), resendAfterSeconds: z.number() });
export type RevocationCodeSent = JsonOf<typeof ZRevocationCodeSent>;
