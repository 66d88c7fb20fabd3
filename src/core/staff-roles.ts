/**
 * The staff roles (岗位). No zod here: the staff console's shell imports it (schemas.ts's ZStaffRole checks them).
 * 密钥管理员: key recovery (密钥恢复) from the KMC's escrow, requested by one and approved by another (docs/kmc.md).
 */
export const STAFF_ROLES = ['预审', '受理', '制证', '发放', '财务', '管理员', '审计员', '密钥管理员'] as const;
export type StaffRole = (typeof STAFF_ROLES)[number];
/**
 * 审计员 (安全审计员): may only read the audit log (操作记录) and verify its integrity — no business data, no
 * settings. Separation of duties: it is never combined with another role.
 */
export const AUDITOR: StaffRole = '审计员';
/** An auditor's account: the one role that sees nothing but 操作记录. */
export const isAuditor = (roles: readonly string[]) => roles.includes(AUDITOR);
