/** 证书项目管理 (管理员): read and edit the catalog; prices travel as integer fen. */
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { ZStaffCatalog, ZStaffProjectSaved } from '../../core/catalog-schemas.js';
import type { AppContext } from '../app.js';
import { catalogRepository } from '../modules/catalog/repository.js';
import { updateProject } from '../modules/catalog/update-project.js';
import { enforceStaffAccess, metaOf, staffActor } from './guards.js';

const ZProjectEdit = z.object({
  purpose: z.string({ error: '请填写证书用途' }).trim().min(4, '证书用途至少4个字').max(500, '证书用途最多500字'),
  legalCheckRequired: z.boolean({ error: '请选择是否需要法人核验' }),
  productionWorkingDays: z
    .number({ error: '请填写制证工作日' })
    .int('制证工作日须为整数')
    .min(1, '制证工作日至少1天')
    .max(30, '制证工作日最多30天'),
  active: z.boolean(),
  keys: z
    .array(
      z.object({
        keyType: z.enum(['main', 'sub']),
        priceFen: z
          .number({ error: '请填写价格' })
          .int('价格以分为单位，须为整数')
          .min(0, '价格不能为负')
          .max(10_000_000, '价格过高，请核对'),
        active: z.boolean(),
      }),
    )
    .min(1, '至少保留一种锁'),
});

export const staffCatalogRoutes =
  (ctx: AppContext): FastifyPluginAsyncZod =>
  async (app) => {
    const { db } = ctx.deps;
    const tags = ['工作人员'];
    // Roles are checked before validation, so a caller without them learns nothing from field messages.
    enforceStaffAccess(app, db);
    app.get(
      '/api/staff/catalog',
      { config: { staffAccess: ['管理员'] }, schema: { tags, summary: '证书项目目录（含未确认价格）', response: { 200: ZStaffCatalog } } },
      async () => {
        return { items: await catalogRepository.list(db, { activeOnly: false }) };
      },
    );
    app.put(
      '/api/staff/catalog/:code',
      {
        config: { staffAccess: ['管理员'] },
        schema: {
          tags,
          summary: '修改证书项目（管理员）',
          params: z.object({ code: z.string().max(64) }),
          body: ZProjectEdit,
          response: { 200: ZStaffProjectSaved },
        },
      },
      async (req) => {
        await updateProject(ctx.deps, req.params.code, req.body, staffActor(req), metaOf(req));
        return { project: (await catalogRepository.get(db, req.params.code)) ?? null };
      },
    );
  };
