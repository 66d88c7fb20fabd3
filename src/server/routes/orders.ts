/** The applicant's orders: catalog, key choice, create, read, save the form, submit, delete. */
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { FastifyRequest } from 'fastify';
import { z } from 'zod';
import { AppError } from '../../core/errors.js';
import { ZOrderDraft } from '../../core/order-form.js';
import { ZCatalog, ZFormSaved, ZKeyChoice, ZOk, ZOrderSummaries, ZOrderView } from '../../core/orders-schemas.js';
import { allowedKeyTypes } from '../../core/requirements.js';
import type { AppContext } from '../app.js';
import { catalogRepository } from '../modules/catalog/repository.js';
import { createOrder } from '../modules/orders/create-order.js';
import { keyHoldings } from '../modules/certificates/key-holdings.js';
import { applicantOrderView, orderSummary } from '../modules/order-views/applicant-order-view.js';
import { orderRepository } from '../modules/orders/repository.js';
import { saveOrderForm } from '../modules/orders/save-order-form.js';
import { deleteOrder } from '../modules/orders/delete-order.js';
import { submitOrder } from '../modules/review/submit-order.js';
import { metaOf, requireOrg, requireOwnedOrder } from './guards.js';

const ZId = z.object({ id: z.string().uuid('订单编号格式不正确') });
const tags = ['订单'];

/**
 * The address links and QR codes point at. The Host header is used only outside production (development,
 * tests): a client can forge it, so production refuses to start without CERTDESK_PUBLIC_URL (assertServable).
 */
export function baseUrlOf(ctx: AppContext, req: FastifyRequest): string {
  return ctx.deps.config.publicUrl ?? `${req.protocol}://${req.host}`;
}

export const orderRoutes =
  (ctx: AppContext): FastifyPluginAsyncZod =>
  async (app) => {
    const { deps } = ctx;
    const { db } = deps;

    app.get('/api/catalog', { schema: { tags: ['公共'], summary: '证书项目、锁类型与价格', response: { 200: ZCatalog } } }, async () => {
      const items = await catalogRepository.list(db, { activeOnly: true });
      return {
        items: items.map((p) => ({
          code: p.code,
          name: p.name,
          platform: p.platform,
          purpose: p.purpose,
          notFor: p.notFor,
          legalCheckRequired: p.legalCheckRequired,
          productionWorkingDays: p.productionWorkingDays,
          // A pair (签名证书 + 加密证书, docs/kmc.md): SM2 projects only, as 制证 issues it.
          dualCertificates: p.dualCertificates && p.certFamily === 'sm2',
          keys: p.keys.map((k) => ({
            keyType: k.keyType,
            withSeal: k.withSeal,
            priceFen: k.priceConfirmed ? k.priceFen : null,
            orderable: k.priceConfirmed && k.priceFen !== null,
          })),
        })),
      };
    });

    app.get(
      '/api/apply/key-choice',
      {
        schema: {
          tags,
          summary: '主副锁规则：本单位在该项目可选的锁类型，以及未完成的订单',
          querystring: z.object({ projectCode: z.string().max(64) }),
          response: { 200: ZKeyChoice },
        },
      },
      async (req) => {
        const org = await requireOrg(db, req);
        const project = await catalogRepository.get(db, req.query.projectCode);
        if (!project || !project.active) throw new AppError('NOT_FOUND', '该证书项目不存在或已停止在线受理');
        const offered = project.keys.filter((k) => k.active).map((k) => ({ kind: k.keyType }));
        const choice = allowedKeyTypes({ name: project.name, keys: offered }, await keyHoldings(db, org.id, project.code));
        // Orders of this project the applicant has not finished (e.g. the one just made, reached again with the
        // browser's back button): the wizard offers 继续填写 instead of a second order or a dead end.
        const unfinished = await orderRepository.unfinishedForProject(db, org.id, project.code);
        return { ...choice, unfinished: unfinished.map((o) => orderSummary(o, project.name)) };
      },
    );

    app.post(
      '/api/orders',
      {
        schema: {
          tags,
          summary: '新制申请：同意用户协议、选择项目和锁类型后创建订单',
          body: z.object({
            projectCode: z.string({ error: '请选择证书项目' }).min(1, '请选择证书项目').max(64),
            keyType: z.enum(['main', 'sub'], { error: '请选择主锁或副锁' }),
            agree: z.literal(true, { error: '请阅读并同意《江西CA数字证书用户协议》' }),
          }),
          response: { 201: ZOrderView },
        },
      },
      async (req, reply) => {
        const org = await requireOrg(db, req);
        const order = await createOrder(deps, org, req.body);
        return reply.status(201).send(await applicantOrderView({ ...deps, secret: deps.config.secret }, org, order, baseUrlOf(ctx, req)));
      },
    );

    app.get('/api/orders', { schema: { tags, summary: '我的订单', response: { 200: ZOrderSummaries } } }, async (req) => {
      const org = await requireOrg(db, req);
      const names = new Map((await catalogRepository.list(db, { activeOnly: false })).map((p) => [p.code, p.name]));
      const rows = await orderRepository.listForOrganization(db, org.id);
      return { items: rows.map((o) => orderSummary(o, names.get(o.projectCode) ?? o.projectCode)) };
    });

    app.get(
      '/api/orders/:id',
      { schema: { tags, summary: '订单详情', params: ZId, response: { 200: ZOrderView } } },
      async (req, reply) => {
        const { org, order } = await requireOwnedOrder(db, req, req.params.id);
        reply.header('cache-control', 'no-store');
        return applicantOrderView({ ...deps, secret: deps.config.secret }, org, order, baseUrlOf(ctx, req));
      },
    );

    app.put(
      '/api/orders/:id/form',
      {
        schema: {
          tags,
          summary: '保存订单信息（草稿，随填随存）',
          params: ZId,
          body: z.object({ formVersion: z.number().int().positive(), form: ZOrderDraft }),
          response: { 200: ZFormSaved },
        },
      },
      async (req) => {
        const { order } = await requireOwnedOrder(db, req, req.params.id);
        return saveOrderForm(deps, order, req.body);
      },
    );

    app.post(
      '/api/orders/:id/submit',
      { schema: { tags, summary: '提交申请 / 重新提交', params: ZId, response: { 200: ZOrderView } } },
      async (req) => {
        const { org, order } = await requireOwnedOrder(db, req, req.params.id);
        const updated = await submitOrder(deps, org, order, metaOf(req));
        return applicantOrderView({ ...deps, secret: deps.config.secret }, org, updated, baseUrlOf(ctx, req));
      },
    );

    app.post(
      '/api/orders/:id/delete',
      { schema: { tags, summary: '删除订单（草稿或资料审核失败）', params: ZId, response: { 200: ZOk } } },
      async (req) => {
        const { org, order } = await requireOwnedOrder(db, req, req.params.id);
        await deleteOrder(deps, org, order, metaOf(req));
        return { ok: true };
      },
    );
  };
