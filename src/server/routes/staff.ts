/** The staff console's API (/api/staff/*): its own session realm; every route checks role. */
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { AppError } from '../../core/errors.js';
import { ZOrgRenameBody, ZStaffCreateBody, ZStaffLoginBody } from '../../core/schemas.js';
import type { AppContext } from '../app.js';
import { organizationRepository } from '../modules/accounts/repository.js';
import { auditRepository } from '../modules/audit/repository.js';
import { staffRepository } from '../modules/staff/repository.js';
import { renameOrganization } from '../modules/staff/rename-organization.js';
import { createStaff, logInStaff, publicStaff, setStaffDisabled } from '../modules/staff/staff-accounts.js';
import { metaOf, requireStaff } from './guards.js';

const ZId = z.object({ id: z.string().uuid('编号格式不正确') });

export const staffRoutes =
  (ctx: AppContext): FastifyPluginAsyncZod =>
  async (app) => {
    const { deps, sessions } = ctx;
    const { db } = deps;
    const tags = ['工作人员'];

    app.get('/api/staff/session', { schema: { tags, summary: '工作人员会话与 CSRF 令牌' } }, async (req, reply) => {
      const s = await sessions.ensure(req, reply);
      const me = s.subjectId ? await staffRepository.findById(db, s.subjectId) : undefined;
      reply.header('cache-control', 'no-store');
      return { csrfToken: s.csrfToken, staff: me && !me.disabledAt ? publicStaff(me) : null };
    });

    app.post('/api/staff/login', { schema: { tags, summary: '工作人员登录', body: ZStaffLoginBody } }, async (req, reply) => {
      const s = await logInStaff(deps, req.body, metaOf(req));
      const sess = await sessions.rotate(req, reply, s.id);
      return { staff: publicStaff(s), csrfToken: sess.csrfToken };
    });

    app.post('/api/staff/logout', { schema: { tags, summary: '工作人员退出' } }, async (req, reply) => {
      await sessions.destroy(req, reply);
      return { ok: true };
    });

    app.get('/api/staff/accounts', { schema: { tags, summary: '工作人员账号列表（管理员）' } }, async (req) => {
      await requireStaff(db, req, ['管理员']);
      return { items: (await staffRepository.list(db)).map(publicStaff) };
    });

    app.post(
      '/api/staff/accounts',
      { schema: { tags, summary: '新建工作人员账号（管理员）', body: ZStaffCreateBody } },
      async (req, reply) => {
        const actor = await requireStaff(db, req, ['管理员']);
        const s = await createStaff(deps, req.body, actor, metaOf(req));
        return reply.status(201).send({ staff: publicStaff(s) });
      },
    );

    for (const [verb, disabled] of [
      ['disable', true],
      ['enable', false],
    ] as const) {
      app.post(
        `/api/staff/accounts/:id/${verb}`,
        { schema: { tags, summary: disabled ? '停用工作人员账号' : '启用工作人员账号', params: ZId } },
        async (req) => {
          const actor = await requireStaff(db, req, ['管理员']);
          await setStaffDisabled(deps, req.params.id, disabled, actor, metaOf(req));
          return { ok: true };
        },
      );
    }

    app.get(
      '/api/staff/organizations',
      {
        schema: { tags, summary: '按统一社会信用代码或名称查找单位', querystring: z.object({ q: z.string().max(100).default('') }) },
      },
      async (req) => {
        await requireStaff(db, req);
        const rows = await organizationRepository.search(db, req.query.q, 50);
        return { items: rows.map((o) => ({ id: o.id, uscc: o.uscc, name: o.name, mobile: o.mobile, createdAt: o.createdAt })) };
      },
    );

    app.get('/api/staff/organizations/:id', { schema: { tags, summary: '单位详情与变更记录', params: ZId } }, async (req) => {
      const actor = await requireStaff(db, req);
      const o = await organizationRepository.findById(db, req.params.id);
      if (!o) throw new AppError('NOT_FOUND', '找不到该单位');
      // Viewing an organization's record is itself recorded (who saw what).
      await auditRepository.record(db, {
        actorType: 'staff',
        actorId: actor.id,
        action: 'organization.view',
        targetType: 'organization',
        targetId: o.id,
        ip: req.ip,
        at: deps.clock.now(),
      });
      const history = await auditRepository.forTarget(db, 'organization', o.id, 50);
      return {
        organization: { id: o.id, uscc: o.uscc, name: o.name, mobile: o.mobile, createdAt: o.createdAt },
        history: history.map((h) => ({
          id: h.id,
          action: h.action,
          actorType: h.actorType,
          actorId: h.actorId,
          detail: h.detail,
          at: h.at,
        })),
      };
    });

    app.post(
      '/api/staff/organizations/:id/rename',
      {
        schema: {
          tags,
          summary: '更正单位名称（管理员，需填写原因）',
          params: ZId,
          body: ZOrgRenameBody.extend({ expectedName: z.string().max(200) }),
        },
      },
      async (req) => {
        const actor = await requireStaff(db, req, ['管理员']);
        await renameOrganization(
          deps,
          { organizationId: req.params.id, expectedName: req.body.expectedName, name: req.body.name, reason: req.body.reason },
          actor,
          metaOf(req),
        );
        return { ok: true };
      },
    );

    app.get(
      '/api/staff/audit',
      {
        schema: { tags, summary: '操作记录（管理员）', querystring: z.object({ before: z.coerce.number().int().positive().optional() }) },
      },
      async (req) => {
        await requireStaff(db, req, ['管理员']);
        const rows = await auditRepository.recent(db, 50, req.query.before);
        const staffNames = new Map((await staffRepository.list(db)).map((s) => [s.id, s.displayName]));
        return {
          items: rows.map((r) => ({ ...r, actorName: r.actorType === 'staff' && r.actorId ? (staffNames.get(r.actorId) ?? null) : null })),
          next: rows.length === 50 ? rows[rows.length - 1]!.id : null,
        };
      },
    );
  };
