/**
 * Response shapes of 吊销 (server/routes/revocation.ts): staff request it and a second person approves; an
 * organization asks for its own certificate online. The staff and applicant pages' types come from here.
 */
import { z } from 'zod';
import { ZInstant, type JsonOf } from './response.js';

const ZRequestStatus = z.enum(['pending', 'approved', 'refused']);
const ZCertStatus = z.enum(['pending', 'issued', 'revoked', 'failed']);

/** A revocation request as stored. */
export const ZRevocationRequest = z.object({
  id: z.string(),
  certificateId: z.string(),
  /** Copied from the certificate for the queue (the registry key people type). */
  serial: z.string(),
  source: z.enum(['staff', 'applicant']),
  reason: z.number(),
  note: z.string().nullable(),
  requestedByStaff: z.string().nullable(),
  requestedByOrg: z.string().nullable(),
  requestedAt: ZInstant,
  status: ZRequestStatus,
  decidedBy: z.string().nullable(),
  decidedAt: ZInstant.nullable(),
  decisionNote: z.string().nullable(),
});

const ZReason = z.object({ code: z.number(), key: z.string(), label: z.string(), applicant: z.boolean() });

/** GET /api/staff/revocations: the queue (24-hour promise) or what was decided. */
export const ZRevocationQueue = z.object({
  requests: z.array(
    ZRevocationRequest.extend({
      unitName: z.string(),
      uscc: z.string(),
      family: z.string(),
      certificateStatus: ZCertStatus,
      revokedAt: ZInstant.nullable(),
      reasonLabel: z.string(),
      requestedByName: z.string().nullable(),
      decidedByName: z.string().nullable(),
      deadline: ZInstant,
      overdue: z.boolean(),
      /** Requested by the caller (who may not approve it). */
      mine: z.boolean(),
    }),
  ),
  reasons: z.array(ZReason).readonly(),
  me: z.string(),
  canApprove: z.boolean(),
});
export type RevocationQueue = JsonOf<typeof ZRevocationQueue>;

/** A certificate's requests: when requested, when revoked, within the 24-hour promise or not. */
export const ZRevocationHistory = z.object({
  status: ZCertStatus,
  revokedAt: ZInstant.nullable(),
  revocationReason: z.number().nullable(),
  requests: z.array(ZRevocationRequest.extend({ reasonLabel: z.string(), deadline: ZInstant, withinPromise: z.boolean().nullable() })),
});
export type RevocationHistory = JsonOf<typeof ZRevocationHistory>;

export const ZStaffRevocationRequested = z.object({ request: ZRevocationRequest.extend({ reasonLabel: z.string() }) });
export const ZRevocationApproved = z.object({ request: ZRevocationRequest, revokedAt: ZInstant.nullable() });
export const ZRevocationRefused = z.object({ request: ZRevocationRequest });

/** GET /api/certificates: the organization's certificates and their open requests. */
export const ZOrgCertificates = z.object({
  certificates: z.array(
    z.object({
      id: z.string(),
      serial: z.string(),
      family: z.string(),
      unitName: z.string(),
      projectCode: z.string(),
      keyType: z.enum(['main', 'sub']),
      status: ZCertStatus,
      notBefore: ZInstant,
      notAfter: ZInstant,
      revokedAt: ZInstant.nullable(),
      revocationReason: z.number().nullable(),
      revocationReasonLabel: z.string().nullable(),
      revocationRequestedAt: ZInstant.nullable(),
    }),
  ),
  reasons: z.array(ZReason),
});
export type OrgCertificates = JsonOf<typeof ZOrgCertificates>;

export const ZApplicantRevocationRequested = z.object({
  request: z.object({ id: z.string(), status: ZRequestStatus, reason: z.number(), reasonLabel: z.string(), requestedAt: ZInstant }),
});
