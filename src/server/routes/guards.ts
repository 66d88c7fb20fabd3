import type { FastifyInstance, FastifyRequest } from 'fastify';
import { AppError } from '../../core/errors.js';
import { AUDITOR, isAuditor, type StaffRole } from '../../core/schemas.js';
import type { Db } from '../db/client.js';
import { organizationRepository, type OrganizationRow } from '../modules/accounts/repository.js';
import { orderRepository, type OrderRow } from '../modules/orders/repository.js';
import { staffRepository } from '../modules/staff/repository.js';
import type { StaffActor } from '../modules/staff/staff-accounts.js';
import { requireSubject } from '../plugins/session.js';

/**
 * Who may call a staff route, declared on the route itself (`config: { staffAccess }`):
 * 'public' = anyone (session, login, logout); 'any' = any logged-in, enabled staff member except an
 * 审计员 (who may only read and verify the audit log); a list of roles = a staff member holding one of them.
 */
export type StaffAccess = 'public' | 'any' | readonly StaffRole[];

declare module 'fastify' {
  interface FastifyContextConfig {
    staffAccess?: StaffAccess;
  }
}

/** The organization's own order or 404 — never another organization's, never a hint that it exists. */
export async function requireOwnedOrder(db: Db, req: FastifyRequest, id: string): Promise<{ org: OrganizationRow; order: OrderRow }> {
  const org = await requireOrg(db, req);
  const order = await orderRepository.findOwned(db, id, org.id);
  if (!order) throw new AppError('NOT_FOUND', '找不到该订单');
  return { org, order };
}

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
export async function requireStaff(db: Db, req: FastifyRequest, roles?: readonly StaffRole[]): Promise<StaffActor> {
  if (req.realm !== 'staff') throw new AppError('NOT_AUTHENTICATED', '请先登录工作人员账号');
  const s = await staffRepository.findById(db, requireSubject(req));
  if (!s || s.disabledAt) throw new AppError('NOT_AUTHENTICATED', '请先登录工作人员账号');
  // An 审计员 only reads and verifies the audit log: an account holding the role (however it got others,
  // which the accounts page refuses) has that role alone, and no 'any' route (business data) is open to it.
  const have: StaffRole[] = isAuditor(s.roles) ? [AUDITOR] : (s.roles as StaffRole[]);
  if (!roles && isAuditor(have)) throw new AppError('FORBIDDEN', '审计员只能查看和校验操作记录');
  if (roles && !roles.some((r) => have.includes(r))) throw new AppError('FORBIDDEN', `此操作需要以下角色之一：${roles.join('、')}`);
  return { id: s.id, roles: have };
}

const actors = new WeakMap<FastifyRequest, StaffActor>();

/**
 * Checks every staff route's `staffAccess` before the body is validated, so a caller without the right
 * role learns nothing from validation messages. A route that forgot to declare its access is closed, not
 * open (default deny); the HTTP tests list every /api/staff route against a role table.
 */
export function enforceStaffAccess(app: FastifyInstance, db: Db): void {
  app.addHook('preValidation', async (req) => {
    const access = req.routeOptions.config.staffAccess;
    if (access === 'public') return;
    if (access === undefined) {
      req.log.error({ url: req.routeOptions.url }, 'staff route without staffAccess: refused');
      throw new AppError('FORBIDDEN', '此操作未开放');
    }
    actors.set(req, await requireStaff(db, req, access === 'any' ? undefined : access));
  });
}

/** The staff member `enforceStaffAccess` let through. */
export function staffActor(req: FastifyRequest): StaffActor {
  const a = actors.get(req);
  if (!a) throw new AppError('NOT_AUTHENTICATED', '请先登录工作人员账号');
  return a;
}

export const metaOf = (req: FastifyRequest) => ({ ip: req.ip });
