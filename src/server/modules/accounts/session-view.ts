/**
 * What an applicant's page learns of its session: the CSRF token, the organization logged in (mobile masked),
 * the password rule and whether SMS is a sandbox. One answer for GET /api/session and for the session the
 * page's HTML carries (plugins/web-app.ts), so the two never differ.
 */
import { maskMobile } from '../../../core/mobile.js';
import { PASSWORD_RULE_TEXT } from '../../../core/password-rule.js';
import type { Db } from '../../db/client.js';
import type { SessionRow } from '../sessions/repository.js';
import { organizationRepository, type OrganizationRow } from './repository.js';

export const publicOrg = (o: OrganizationRow) => ({ id: o.id, uscc: o.uscc, name: o.name, mobile: maskMobile(o.mobile) });

export async function orgSessionView(db: Db, smsSandbox: boolean, s: SessionRow) {
  const org = s.subjectId ? await organizationRepository.findById(db, s.subjectId) : undefined;
  return {
    csrfToken: s.csrfToken,
    organization: org ? publicOrg(org) : null,
    passwordRule: PASSWORD_RULE_TEXT,
    sandbox: { sms: smsSandbox },
  };
}
