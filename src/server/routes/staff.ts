/**
 * The staff console's API (/api/staff/*): its own session realm (cookie cd_staff). Every route declares
 * who may call it (`config.staffAccess`), checked before the body is validated; see guards.ts.
 */
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { ZOrgRenameBody, ZStaffCreateBody, ZStaffLoginBody } from '../../core/schemas.js';
import {
  ZAuditPage,
  ZAuditVerification,
  ZOrganizationDetail,
  ZOrganizationSearch,
  ZStaffAccounts,
  ZStaffCreated,
  ZStaffLoggedIn,
  ZStaffSession,
} from '../../core/accounts-schemas.js';
import { ZOk } from '../../core/orders-schemas.js';
import type { AppContext } from '../app.js';
import { staffRepository } from '../modules/staff/repository.js';
import { auditLog } from '../modules/staff/audit-log.js';
import { verifyAuditTrailIn } from '../modules/audit/checkpoints.js';
import { searchOrganizations, viewOrganization } from '../modules/staff/organizations.js';
import { renameOrganization } from '../modules/staff/rename-organization.js';
import { createStaff, logInStaff, logOutStaff, publicStaff, setStaffDisabled, staffSessionView } from '../modules/staff/staff-accounts.js';
import { enforceStaffAccess, metaOf, staffActor } from './guards.js';

const ZId = z.object({ id: z.string({ error: '编号格式不正确' }).uuid('编号格式不正确') });
const ADMIN = ['管理员'] as const;
/** 操作记录 and its verification: the administrator, and the 审计员 who may do nothing else. */
const AUDIT_READERS = ['管理员', '审计员'] as const;

export const staffRoutes =
  (ctx: AppContext): FastifyPluginAsyncZod =>
  async (app) => {
    const { deps, sessions } = ctx;
    const { db } = deps;
    const tags = ['工作人员'];
    enforceStaffAccess(app, db);

    app.get(
      '/api/staff/session',
      { config: { staffAccess: 'public' }, schema: { tags, summary: '工作人员会话与 CSRF 令牌', response: { 200: ZStaffSession } } },
      async (req, reply) => {
        const s = await sessions.ensure(req, reply);
        reply.header('cache-control', 'no-store');
        return staffSessionView(db, s);
      },
    );

    app.post(
      '/api/staff/login',
      {
        config: { staffAccess: 'public' },
        schema: { tags, summary: '工作人员登录', body: ZStaffLoginBody, response: { 200: ZStaffLoggedIn } },
      },
      async (req, reply) => {
        const s = await logInStaff(deps, req.body, metaOf(req));
        const sess = await sessions.rotate(req, reply, s.id);
        return { staff: publicStaff(s), csrfToken: sess.csrfToken };
      },
    );

    app.post(
      '/api/staff/logout',
      { config: { staffAccess: 'public' }, schema: { tags, summary: '工作人员退出', response: { 200: ZOk } } },
      async (req, reply) => {
        await logOutStaff(deps, req.session?.subjectId ?? null, metaOf(req));
        await sessions.destroy(req, reply);
        return { ok: true };
      },
    );

    app.get(
      '/api/staff/accounts',
      { config: { staffAccess: ADMIN }, schema: { tags, summary: '工作人员账号列表（管理员）', response: { 200: ZStaffAccounts } } },
      async () => ({
        items: (await staffRepository.list(db)).map(publicStaff),
      }),
    );

    app.post(
      '/api/staff/accounts',
      {
        config: { staffAccess: ADMIN },
        schema: { tags, summary: '新建工作人员账号（管理员）', body: ZStaffCreateBody, response: { 201: ZStaffCreated } },
      },
      async (req, reply) => {
        const s = await createStaff(deps, req.body, staffActor(req), metaOf(req));
        return reply.status(201).send({ staff: publicStaff(s) });
      },
    );

    for (const [verb, disabled] of [
      ['disable', true],
      ['enable', false],
    ] as const) {
      app.post(
        `/api/staff/accounts/:id/${verb}`,
        {
          config: { staffAccess: ADMIN },
          schema: {
            tags,
            summary: disabled ? '停用工作人员账号（管理员）' : '启用工作人员账号（管理员）',
            params: ZId,
            response: { 200: ZOk },
          },
        },
        async (req) => {
          await setStaffDisabled(deps, req.params.id, disabled, staffActor(req), metaOf(req));
          return { ok: true };
        },
      );
    }

    app.get(
      '/api/staff/organizations',
      {
        config: { staffAccess: 'any' },
        schema: {
          tags,
          summary: '按统一社会信用代码或名称查找单位',
          querystring: z.object({ q: z.string().max(100, '查询内容最多100个字').default('') }),
          response: { 200: ZOrganizationSearch },
        },
      },
      async (req) => searchOrganizations(deps, req.query.q, staffActor(req), metaOf(req)),
    );

    app.get(
      '/api/staff/organizations/:id',
      {
        config: { staffAccess: 'any' },
        schema: { tags, summary: '单位详情与变更记录（查看本身也被记录）', params: ZId, response: { 200: ZOrganizationDetail } },
      },
      async (req) => viewOrganization(deps, req.params.id, staffActor(req), metaOf(req)),
    );

    app.post(
      '/api/staff/organizations/:id/rename',
      {
        config: { staffAccess: ADMIN },
        schema: {
          tags,
          summary: '更正单位名称（管理员，需填写原因）',
          params: ZId,
          body: ZOrgRenameBody.extend({
            expectedName: z.string({ error: '缺少原名称，请刷新页面后重试' }).max(200, '原名称过长，请刷新页面后重试'),
          }),
          response: { 200: ZOk },
        },
      },
      async (req) => {
        await renameOrganization(
          deps,
          { organizationId: req.params.id, expectedName: req.body.expectedName, name: req.body.name, reason: req.body.reason },
          staffActor(req),
          metaOf(req),
        );
        return { ok: true };
      },
    );

    app.get(
      '/api/staff/audit',
      {
        config: { staffAccess: AUDIT_READERS },
        schema: {
          tags,
          summary: '操作记录（管理员、审计员，新的在前，按 before 翻页）',
          querystring: z.object({
            before: z.coerce.number({ error: '翻页参数不正确' }).int('翻页参数不正确').positive('翻页参数不正确').optional(),
          }),
          response: { 200: ZAuditPage },
        },
      },
      async (req) => auditLog(deps, req.query.before),
    );

    app.get(
      '/api/staff/audit/verify',
      {
        config: { staffAccess: AUDIT_READERS },
        schema: {
          tags,
          summary: '校验操作记录的完整性（管理员、审计员；哈希链与 CA 审计密钥签名的检查点，指出第一条被改动的记录）',
          response: { 200: ZAuditVerification },
        },
      },
      async (req, reply) => {
        const r = await verifyAuditTrailIn(db, deps.config.ca);
        reply.header('cache-control', 'no-store');
        return r;
      },
    );
  };
