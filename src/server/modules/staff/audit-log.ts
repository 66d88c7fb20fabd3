/**
 * The audit log as the staff console shows it: newest first, keyset-paginated by id (stable while new
 * rows arrive, unlike OFFSET), with actor and target names resolved for people to read.
 */
import type { Db } from '../../db/client.js';
import { auditRepository, type AuditRow } from '../audit/repository.js';
import { staffRepository } from './repository.js';

export const AUDIT_PAGE = 50;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export interface AuditLabeller {
  /** Staff by display name, organizations by unit name; null for anonymous and system rows. */
  actorName(r: AuditRow): string | null;
  /** 「姓名（用户名）」 for staff, 「单位名称（统一社会信用代码）」 for organizations. */
  targetLabel(r: AuditRow): string | null;
}

export async function auditLabeller(db: Db, rows: AuditRow[]): Promise<AuditLabeller> {
  const staffById = new Map((await staffRepository.list(db)).map((s) => [s.id, s]));
  const orgIds = new Set<string>();
  for (const r of rows) {
    if (r.actorType === 'org' && r.actorId && UUID.test(r.actorId)) orgIds.add(r.actorId);
    if (r.targetType === 'organization' && r.targetId && UUID.test(r.targetId)) orgIds.add(r.targetId);
  }
  const orgs = await staffRepository.organizationLabels(db, [...orgIds]);
  return {
    actorName(r) {
      if (!r.actorId) return null;
      if (r.actorType === 'staff') return staffById.get(r.actorId)?.displayName ?? null;
      if (r.actorType === 'org') return orgs.get(r.actorId)?.name ?? null;
      return null;
    },
    targetLabel(r) {
      if (!r.targetId) return null;
      if (r.targetType === 'staff') {
        const s = staffById.get(r.targetId);
        return s ? `${s.displayName}（${s.username}）` : null;
      }
      if (r.targetType === 'organization') {
        const o = orgs.get(r.targetId);
        return o ? `${o.name}（${o.uscc}）` : null;
      }
      return null;
    },
  };
}

export async function auditLog(deps: { db: Db }, before: number | undefined, pageSize = AUDIT_PAGE) {
  // One row more than the page tells whether there is a next page without a count query.
  const rows = await auditRepository.recent(deps.db, pageSize + 1, before);
  const page = rows.slice(0, pageSize);
  const l = await auditLabeller(deps.db, page);
  return {
    items: page.map((r) => ({
      id: r.id,
      action: r.action,
      actorType: r.actorType,
      actorId: r.actorId,
      actorName: l.actorName(r),
      targetType: r.targetType,
      targetId: r.targetId,
      targetLabel: l.targetLabel(r),
      detail: r.detail,
      ip: r.ip,
      at: r.at,
    })),
    next: rows.length > pageSize ? page[page.length - 1]!.id : null,
  };
}
