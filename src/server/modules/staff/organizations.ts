/**
 * The staff console's view of applicant organizations: search and detail. Both show personal data (the
 * registered mobile number), so both are recorded in the audit log — who looked at what, when.
 */
import { AppError } from '../../../core/errors.js';
import type { Db } from '../../db/client.js';
import { organizationRepository, type OrganizationRow } from '../accounts/repository.js';
import { auditRepository, type AuditRow } from '../audit/repository.js';
import type { RequestMeta } from '../deps.js';
import { auditLabeller } from './audit-log.js';
import type { StaffActor } from './staff-accounts.js';

type Deps = { db: Db; clock: { now(): Date } };

const HISTORY_LIMIT = 100;
const VIEWS_LIMIT = 20;
const SEARCH_LIMIT = 50;

export const staffOrganization = (o: OrganizationRow) => ({
  id: o.id,
  uscc: o.uscc,
  name: o.name,
  mobile: o.mobile,
  createdAt: o.createdAt,
});

export async function searchOrganizations(deps: Deps, q: string, actor: StaffActor, meta: RequestMeta) {
  const rows = await organizationRepository.search(deps.db, q, SEARCH_LIMIT);
  await auditRepository.record(deps.db, {
    actorType: 'staff',
    actorId: actor.id,
    action: 'organization.search',
    detail: { q: q.trim(), count: rows.length },
    ip: meta.ip,
    at: deps.clock.now(),
  });
  return { items: rows.map(staffOrganization), limit: SEARCH_LIMIT };
}

/**
 * An organization with its history. Views are listed apart from the other events: every look at the
 * record writes one, and they must not push the changes (register, rename, password reset) off the page.
 */
export async function viewOrganization(deps: Deps, id: string, actor: StaffActor, meta: RequestMeta) {
  const o = await organizationRepository.findById(deps.db, id);
  if (!o) throw new AppError('NOT_FOUND', '找不到该单位');
  await auditRepository.record(deps.db, {
    actorType: 'staff',
    actorId: actor.id,
    action: 'organization.view',
    targetType: 'organization',
    targetId: o.id,
    ip: meta.ip,
    at: deps.clock.now(),
  });
  const history = await auditRepository.forTarget(deps.db, 'organization', o.id, HISTORY_LIMIT, { exceptAction: 'organization.view' });
  const views = await auditRepository.forTarget(deps.db, 'organization', o.id, VIEWS_LIMIT, { action: 'organization.view' });
  const l = await auditLabeller(deps.db, [...history, ...views]);
  const row = (h: AuditRow) => ({
    id: h.id,
    action: h.action,
    actorType: h.actorType,
    actorId: h.actorId,
    actorName: l.actorName(h),
    detail: h.detail,
    ip: h.ip,
    at: h.at,
  });
  return { organization: staffOrganization(o), history: history.map(row), views: views.map(row) };
}
