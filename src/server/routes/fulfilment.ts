/**
 * After payment: the applicant's tracking number for the paper originals and recipient changes; 受理's
 * paper review and call log, 制证, 发放 and recipient corrections on the staff side. A staff route that takes a
 * workflow step has the roles of its row in the table (rolesFor); the others declare theirs (checked before the
 * body is validated, guards.ts); applicant routes load the order through
 * requireOwnedOrder, so another organization's order is a 404.
 */
import type { FastifyPluginAsyncZod, ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { StaffRole } from '../../core/schemas.js';
import { ZProduceBody } from '../../core/certificates.js';
import {
  ZCallBody,
  ZPaperFailBody,
  ZPaperPassBody,
  ZPaperShipmentBody,
  ZRecipient,
  ZShipBody,
  ZStaffRecipientBody,
} from '../../core/fulfilment.js';
import { ZCallRecorded, ZOrderProduced, ZOrderStep, ZRecipientCorrected } from '../../core/fulfilment-schemas.js';
import { ZOrderView } from '../../core/orders-schemas.js';
import { rolesFor } from '../../core/transitions.js';
import { STATUS_LABEL, TRANSITIONS, type OrderStatus } from '../../core/workflow.js';
import type { AppContext } from '../app.js';
import { changeRecipient } from '../modules/fulfilment/change-recipient.js';
import { enterPaperShipment } from '../modules/fulfilment/enter-paper-shipment.js';
import { produceOrder } from '../modules/fulfilment/produce-order.js';
import { makeSealsAfterIssue } from '../modules/seals/make-seals.js';
import { recordCall } from '../modules/fulfilment/record-call.js';
import { failPaper, passPaper, receivePaper } from '../modules/fulfilment/review-paper.js';
import { shipOrder } from '../modules/fulfilment/ship-order.js';
import { applicantOrderView } from '../modules/order-views/applicant-order-view.js';
import type { OrderRow } from '../modules/orders/repository.js';
import { enforceStaffAccess, metaOf, requireOwnedOrder, staffActor } from './guards.js';
import { producedCertificateReply } from './produced-certificate.js';
import { baseUrlOf } from './orders.js';

const ZId = z.object({ id: z.string({ error: '订单编号格式不正确' }).uuid('订单编号格式不正确') });
/** The phone log is no workflow step: its roles are declared here (受理 phones about missing paper). */
const CALLERS = ['受理'] as const satisfies readonly StaffRole[];
/** A recipient correction comes from 受理 (on the phone with the agent), 发放 (about to ship) or an administrator. */
const RECIPIENT_FIXERS = ['受理', '发放', '管理员'] as const satisfies readonly StaffRole[];

/** What a staff step answers: the order's new status (the console reloads the order page). */
const stepResult = (o: OrderRow) => ({
  order: { id: o.id, orderNo: o.orderNo, status: o.status, statusLabel: STATUS_LABEL[o.status as OrderStatus], updatedAt: o.updatedAt },
});

export const fulfilmentRoutes =
  (ctx: AppContext): FastifyPluginAsyncZod =>
  async (app) => {
    const { deps } = ctx;
    const { db } = deps;
    const view = (org: Parameters<typeof applicantOrderView>[1], order: OrderRow, req: Parameters<typeof baseUrlOf>[1]) =>
      applicantOrderView({ ...deps, secret: deps.config.secret }, org, order, baseUrlOf(ctx, req));

    // ——— the applicant ———

    app.post(
      '/api/orders/:id/paper-shipment',
      {
        schema: {
          tags: ['订单'],
          summary: '填写纸质资料的快递单号（付款后邮寄，或补寄时）',
          params: ZId,
          body: ZPaperShipmentBody,
          response: { 201: ZOrderView },
        },
      },
      async (req, reply) => {
        const { org, order } = await requireOwnedOrder(db, req, req.params.id);
        await enterPaperShipment(deps, org, order.id, req.body);
        const fresh = (await requireOwnedOrder(db, req, order.id)).order;
        return reply.status(201).send(await view(org, fresh, req));
      },
    );

    app.put(
      '/api/orders/:id/recipient',
      { schema: { tags: ['订单'], summary: '修改证书接收人（证书寄出前）', params: ZId, body: ZRecipient, response: { 200: ZOrderView } } },
      async (req) => {
        const { org, order } = await requireOwnedOrder(db, req, req.params.id);
        const updated = await changeRecipient(deps, order.id, req.body, { by: 'applicant', org });
        return view(org, updated, req);
      },
    );

    // Staff routes in a scope of their own: its access hook must not see the applicant routes above.
    await app.register(async (scope) => {
      const app = scope.withTypeProvider<ZodTypeProvider>();
      enforceStaffAccess(app, db);
      const tags = ['工作人员'];

      // ——— 受理 ———

      app.post(
        '/api/staff/orders/:id/paper/receive',
        {
          config: { staffAccess: rolesFor(TRANSITIONS, 'receive_paper') },
          schema: { tags, summary: '已收到纸质资料（受理）', params: ZId, response: { 200: ZOrderStep } },
        },
        async (req) => stepResult(await receivePaper(deps, staffActor(req), req.params.id, metaOf(req))),
      );

      app.post(
        '/api/staff/orders/:id/paper/pass',
        {
          config: { staffAccess: rolesFor(TRANSITIONS, 'pass_paper') },
          schema: {
            tags,
            summary: '纸质资料合格（纸质资料清单须全部勾选），转制证（受理）',
            params: ZId,
            body: ZPaperPassBody,
            response: { 200: ZOrderStep },
          },
        },
        async (req) => stepResult(await passPaper(deps, staffActor(req), req.params.id, req.body, metaOf(req))),
      );

      app.post(
        '/api/staff/orders/:id/paper/fail',
        {
          config: { staffAccess: rolesFor(TRANSITIONS, 'fail_paper') },
          schema: {
            tags,
            summary: '纸质资料不合格：选择需补寄的资料，短信通知经办人（受理）',
            params: ZId,
            body: ZPaperFailBody,
            response: { 200: ZOrderStep },
          },
        },
        async (req) => {
          const updated = await failPaper(deps, staffActor(req), req.params.id, req.body, metaOf(req));
          ctx.kickOutbox();
          return stepResult(updated);
        },
      );

      app.post(
        '/api/staff/orders/:id/calls',
        {
          config: { staffAccess: CALLERS },
          schema: { tags, summary: '登记电话通知记录（受理）', params: ZId, body: ZCallBody, response: { 201: ZCallRecorded } },
        },
        async (req, reply) => {
          const call = await recordCall(deps, staffActor(req), req.params.id, req.body, metaOf(req));
          return reply
            .status(201)
            .send({ call: { id: call.id, calledAt: call.calledAt, outcome: call.outcome, note: call.note, at: call.at } });
        },
      );

      // ——— 制证, 发放 ———

      app.post(
        '/api/staff/orders/:id/produce',
        {
          config: { staffAccess: rolesFor(TRANSITIONS, 'produce') },
          schema: {
            tags,
            summary: '签发证书并制证完成（制证）：上传 USB Key 的证书请求，或系统生成密钥（返回一次性 PKCS#12）',
            params: ZId,
            body: ZProduceBody,
            response: { 200: ZOrderProduced },
          },
        },
        async (req) => {
          const actor = staffActor(req);
          const r = await produceOrder(deps, actor, req.params.id, req.body.key, metaOf(req));
          const seals = await makeSealsAfterIssue(deps, actor, r.order, metaOf(req), req.log);
          return { ...stepResult(r.order), ...producedCertificateReply(r), ...(seals ? { seals } : {}) };
        },
      );

      app.post(
        '/api/staff/orders/:id/ship',
        {
          config: { staffAccess: rolesFor(TRANSITIONS, 'ship') },
          schema: {
            tags,
            summary: '发放：录入顺丰运单号（顺丰到付），短信通知经办人（发放）',
            params: ZId,
            body: ZShipBody,
            response: { 200: ZOrderStep },
          },
        },
        async (req) => {
          const updated = await shipOrder(deps, staffActor(req), req.params.id, req.body, metaOf(req));
          ctx.kickOutbox();
          return stepResult(updated);
        },
      );

      app.post(
        '/api/staff/orders/:id/recipient',
        {
          config: { staffAccess: RECIPIENT_FIXERS },
          schema: {
            tags,
            summary: '更正证书接收人（受理、发放、管理员；须填写原因）',
            params: ZId,
            body: ZStaffRecipientBody,
            response: { 200: ZRecipientCorrected },
          },
        },
        async (req) => {
          const { reason, ...recipient } = req.body;
          const updated = await changeRecipient(deps, req.params.id, recipient, {
            by: 'staff',
            actor: staffActor(req),
            reason,
            meta: metaOf(req),
          });
          return { ...stepResult(updated), recipient: (updated.form as { recipient?: unknown }).recipient ?? null };
        },
      );
    });
  };
