import type { FastifyRequest } from 'fastify';
import { AppError } from '../../core/errors.js';
import type { StaffRole } from '../../core/schemas.js';
import type { Db } from '../db/client.js';
import { organizationRepository, type OrganizationRow } from '../modules/accounts/repository.js';
import { staffRepository } from '../modules/staff/repository.js';
import type { StaffActor } from '../modules/staff/staff-accounts.js';
import { requireSubject } from '../plugins/session.js';

/** The logged-in organization, loaded fresh so a rename by staff shows at once. */
export async function requireOrg(db: Db, req: FastifyRequest): Promise<OrganizationRow> {
  const org = await organizationRepository.findById(db, requireSubject(req));
  if (!org) throw new AppError('NOT_AUTHENTICATED', '请先登录');
  return org;
}

/**
 * The logged-in staff member, with roles read from the database on every request, so a role change or a
 * disabled account takes effect immediately. `roles` = any of these; 管理员 is not a wildcard.
 */
export async function requireStaff(db: Db, req: FastifyRequest, roles?: StaffRole[]): Promise<StaffActor> {
  if (req.realm !== 'staff') throw new AppError('NOT_AUTHENTICATED', '请先登录工作人员账号');
  const s = await staffRepository.findById(db, requireSubject(req));
  if (!s || s.disabledAt) throw new AppError('NOT_AUTHENTICATED', '请先登录工作人员账号');
  const have = s.roles as StaffRole[];
  if (roles && !roles.some((r) => have.includes(r))) throw new AppError('FORBIDDEN', `此操作需要以下角色之一：${roles.join('、')}`);
  return { id: s.id, roles: have };
}

export const metaOf = (req: FastifyRequest) => ({ ip: req.ip });
