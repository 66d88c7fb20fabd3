/**
 * 电子签章印模提取与质量检查. The applicant sees what was cut out of the uploaded 电子签章采集表 and why an
 * impression will not do (their own order only: another organization's is a 404); any staff member sees
 * the same with the measurements (each view audited); 制证 re-extracts with an adjusted crop and ink
 * threshold and confirms which impressions the electronic seal is made from.
 */
import type { FastifyReply } from 'fastify';
import type { FastifyPluginAsyncZod, ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { StaffRole } from '../../core/schemas.js';
import type { AppContext } from '../app.js';
import { fileStoreFor } from '../adapters/storage/configured.js';
import {
  confirmSealImages,
  readSealImage,
  reExtract,
  sealImagesForApplicant,
  sealImagesForStaff,
  type SealImageDeps,
} from '../modules/seal-images/seal-images.js';
import { enforceStaffAccess, metaOf, requireOwnedOrder, staffActor } from './guards.js';

const ZOrderId = z.string({ error: '订单编号格式不正确' }).uuid('订单编号格式不正确');
const ZId = z.object({ id: ZOrderId });
const KINDS = ['company-seal', 'legal-person-seal', 'legal-person-signature', 'in-gan-manager-seal'] as const;
const ZKind = z.enum(KINDS, { error: '印模种类不正确' });
const ZImageParams = z.object({
  id: ZOrderId,
  extractionId: z.string({ error: '提取结果编号格式不正确' }).uuid('提取结果编号格式不正确'),
  kind: ZKind,
  box: z.enum(['0', '1'], { error: '采集格只能是 0（左）或 1（右）' }).transform(Number),
});

const mm = (what: string) =>
  z
    .number({ error: `${what}须为数字（毫米）` })
    .min(-3, `${what}不能小于 -3 毫米`)
    .max(100, `${what}不能大于 100 毫米`);
const ZCrop = z.object(
  {
    x: mm('裁剪区域左边'),
    y: mm('裁剪区域上边'),
    width: mm('裁剪区域宽度').min(3, '裁剪区域宽度至少 3 毫米'),
    height: mm('裁剪区域高度').min(3, '裁剪区域高度至少 3 毫米'),
  },
  { error: '裁剪区域须包含 x、y、width、height（毫米）' },
);
export const ZExtractBody = z.object({
  documentId: z.string({ error: '请指明电子签章采集表' }).uuid('电子签章采集表编号格式不正确'),
  threshold: z.number({ error: '红色阈值须为数字' }).min(0.05, '红色阈值不能小于 0.05').max(0.6, '红色阈值不能大于 0.6'),
  crops: z
    .record(z.string().regex(/^[a-z-]+:[01]$/, '采集格的写法是“种类:0”或“种类:1”'), ZCrop, { error: '裁剪区域格式不正确' })
    .default({}),
});
export const ZConfirmBody = z.object({
  extractionId: z.string({ error: '请指明要确认的提取结果' }).uuid('提取结果编号格式不正确'),
  picks: z.partialRecord(ZKind, z.union([z.literal(0), z.literal(1)], { error: '只能选择左格（0）或右格（1）' }), {
    error: '请为每种印模选择左格或右格',
  }),
  expectedVersion: z.number({ error: '请刷新页面后再确认' }).int('请刷新页面后再确认').min(1, '请刷新页面后再确认').nullable(),
});

const PRODUCE = ['制证'] as const satisfies readonly StaffRole[];

function sendPng(reply: FastifyReply, png: Buffer) {
  return reply.header('cache-control', 'no-store').header('x-content-type-options', 'nosniff').type('image/png').send(png);
}

export const sealImageRoutes =
  (ctx: AppContext): FastifyPluginAsyncZod =>
  async (app) => {
    const { db, clock, config } = ctx.deps;
    const deps: SealImageDeps = { db, clock, store: fileStoreFor(config, db) };

    app.get(
      '/api/orders/:id/seal-images',
      { schema: { tags: ['证件'], summary: '电子签章采集表的印模提取结果与质量检查（上传后即可查看）', params: ZId } },
      async (req) => {
        const { order } = await requireOwnedOrder(db, req, req.params.id);
        return sealImagesForApplicant(deps, order);
      },
    );

    app.get(
      '/api/orders/:id/seal-images/:extractionId/:kind/:box',
      { schema: { tags: ['证件'], summary: '提取出的印模图片（透明背景 PNG）', params: ZImageParams } },
      async (req, reply) => {
        const { order } = await requireOwnedOrder(db, req, req.params.id);
        return sendPng(reply, await readSealImage(db, order.id, req.params.extractionId, req.params.kind, req.params.box));
      },
    );

    await app.register(async (scope) => {
      const app = scope.withTypeProvider<ZodTypeProvider>();
      enforceStaffAccess(app, db);
      const tags = ['工作人员'];

      app.get(
        '/api/staff/orders/:id/seal-images',
        {
          config: { staffAccess: 'any' },
          schema: { tags, summary: '电子签章印模：提取结果、质量问题与确认情况（查看被记录）', params: ZId },
        },
        async (req) => sealImagesForStaff(deps, staffActor(req), req.params.id, metaOf(req)),
      );

      app.get(
        '/api/staff/orders/:id/seal-images/:extractionId/:kind/:box',
        {
          config: { staffAccess: 'any' },
          schema: { tags, summary: '提取出的印模图片（透明背景 PNG）', params: ZImageParams },
          exposeHeadRoute: false,
        },
        async (req, reply) =>
          sendPng(reply, await readSealImage(db, req.params.id, req.params.extractionId, req.params.kind, req.params.box)),
      );

      app.post(
        '/api/staff/orders/:id/seal-images/extract',
        {
          config: { staffAccess: PRODUCE },
          schema: { tags, summary: '按调整后的裁剪区域和红色阈值重新提取印模（制证）', params: ZId, body: ZExtractBody },
        },
        async (req, reply) => {
          const { documentId, threshold, crops } = req.body;
          const run = await reExtract(deps, staffActor(req), req.params.id, { documentId, params: { threshold, crops } }, metaOf(req));
          return reply.status(201).send({ run });
        },
      );

      app.post(
        '/api/staff/orders/:id/seal-images/confirm',
        {
          config: { staffAccess: PRODUCE },
          schema: { tags, summary: '确认用于制作电子签章的印模（制证）', params: ZId, body: ZConfirmBody },
        },
        async (req) => ({
          confirmation: await confirmSealImages(
            deps,
            staffActor(req),
            req.params.id,
            {
              extractionId: req.body.extractionId,
              picks: req.body.picks as Record<string, number>,
              expectedVersion: req.body.expectedVersion,
            },
            metaOf(req),
          ),
        }),
      );
    });
  };
