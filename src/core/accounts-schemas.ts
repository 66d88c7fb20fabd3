/**
 * Response shapes of the account routes — the applicant's (server/routes/accounts.ts) and the staff
 * console's accounts, organizations and audit log (server/routes/staff.ts). Requests: core/schemas.ts.
 */
import { z } from 'zod';
import { ZStaffRole } from './schemas.js';
import { ZInstant, type JsonOf } from './response.js';

/** The logged-in organization as its own pages see it (the mobile number masked). */
export const ZPublicOrg = z.object({ id: z.string(), uscc: z.string(), name: z.string(), mobile: z.string() });
export type PublicOrg = JsonOf<typeof ZPublicOrg>;

export const ZOrgSession = z.object({
  csrfToken: z.string(),
  organization: ZPublicOrg.nullable(),
  passwordRule: z.string(),
  sandbox: z.object({ sms: z.boolean() }),
});
export type OrgSession = JsonOf<typeof ZOrgSession>;

export const ZCaptchaImage = z.object({ captchaId: z.string(), svg: z.string() });
export type CaptchaImage = JsonOf<typeof ZCaptchaImage>;

/** 注册 and 登录: the organization and the new session's CSRF token. */
export const ZOrgLoggedIn = z.object({ organization: ZPublicOrg, csrfToken: z.string() });
export type OrgLoggedIn = JsonOf<typeof ZOrgLoggedIn>;
export const ZMe = z.object({ organization: ZPublicOrg });
export const ZResetRequested = z.object({ maskedMobile: z.string(), expiresInSeconds: z.number() });
export const ZPasswordRule = z.object({ text: z.string() });

export const ZPublicStaff = z.object({
  id: z.string(),
  username: z.string(),
  displayName: z.string(),
  roles: z.array(ZStaffRole),
  disabled: z.boolean(),
  createdAt: ZInstant,
});
export type PublicStaff = JsonOf<typeof ZPublicStaff>;
export const ZStaffSession = z.object({ csrfToken: z.string(), staff: ZPublicStaff.nullable() });
export type StaffSession = JsonOf<typeof ZStaffSession>;
export const ZStaffLoggedIn = z.object({ staff: ZPublicStaff, csrfToken: z.string() });
export const ZStaffAccounts = z.object({ items: z.array(ZPublicStaff) });
export type StaffAccounts = JsonOf<typeof ZStaffAccounts>;
export const ZStaffCreated = z.object({ staff: ZPublicStaff });

/** An organization as staff see it (the mobile number in full: every look is audited). */
export const ZStaffOrganization = z.object({ id: z.string(), uscc: z.string(), name: z.string(), mobile: z.string(), createdAt: ZInstant });
export type StaffOrganization = JsonOf<typeof ZStaffOrganization>;
export const ZOrganizationSearch = z.object({ items: z.array(ZStaffOrganization), limit: z.number() });
export type OrganizationSearch = JsonOf<typeof ZOrganizationSearch>;

const ZActorType = z.enum(['staff', 'org', 'system', 'anonymous']);
const ZOrganizationHistoryRow = z.object({
  id: z.number(),
  action: z.string(),
  actorType: ZActorType,
  actorId: z.string().nullable(),
  actorName: z.string().nullable(),
  detail: z.record(z.string(), z.unknown()),
  ip: z.string().nullable(),
  at: ZInstant,
});
export const ZOrganizationDetail = z.object({
  organization: ZStaffOrganization,
  history: z.array(ZOrganizationHistoryRow),
  /** Looks at the record, listed apart so they do not push the changes off the page. */
  views: z.array(ZOrganizationHistoryRow),
});
export type OrganizationDetail = JsonOf<typeof ZOrganizationDetail>;

/** 操作记录, newest first; `next`: the id to pass as `before` for the following page. */
export const ZAuditPage = z.object({
  items: z.array(
    ZOrganizationHistoryRow.extend({
      targetType: z.string().nullable(),
      targetId: z.string().nullable(),
      targetLabel: z.string().nullable(),
    }),
  ),
  next: z.number().nullable(),
});
export type AuditPage = JsonOf<typeof ZAuditPage>;

/** 校验操作记录: the hash chain and the signed checkpoints, and the first row that was changed. */
export const ZAuditVerification = z.object({
  ok: z.boolean(),
  /** Rows checked (from the start or the last retention cut). */
  rows: z.number(),
  fromSeq: z.number(),
  lastSeq: z.number(),
  checkpoints: z.number(),
  lastCheckpoint: z.object({ seq: z.number(), signedAt: z.string() }).nullable(),
  /** Rows after the last checkpoint: linked, not yet signed. */
  unpinned: z.number(),
  broken: z.object({ id: z.number().nullable(), seq: z.number().nullable(), reason: z.string() }).nullable(),
  /** The certificate the checkpoints were checked against (null: the CA has no audit signer yet). */
  certificate: z.object({ sha256: z.string() }).nullable(),
});
export type AuditVerification = JsonOf<typeof ZAuditVerification>;
