/** 财务：按日、按渠道的收款与对账导出，取消订单和退款（第二人批准）. */
import type { FastifyPluginAsyncZod, ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { StaffRole } from '../../core/schemas.js';
import type { AppContext } from '../app.js';
import { paymentProviders as paymentProvidersFor } from '../modules/payments/providers.js';
import {
  CANCEL_APPROVERS,
  CANCEL_REQUESTERS,
  CANCELLABLE,
  decideCancellation,
  requestCancellation,
  sendRefund,
} from '../modules/payments/cancellation.js';
import { chinaDay } from '../../core/working-days.js';
import { financeCsv, financeReport, FLAG_NAMES } from '../modules/payments/finance.js';
import { paymentRepository } from '../modules/payments/repository.js';
import { orderRepository } from '../modules/orders/repository.js';
import type { OrderStatus } from '../../core/workflow.js';
import { enforceStaffAccess, metaOf, staffActor } from './guards.js';

const FINANCE = ['财务', '管理员'] as const satisfies readonly StaffRole[];
const ZId = z.object({ id: z.string({ error: '编号格式不正确' }).uuid('编号格式不正确') });
const ZDay = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, '日期格式应为 YYYY-MM-DD');
const ZRange = z
  .object({
    from: ZDay.optional(),
    to: ZDay.optional(),
    channel: z.enum(['wechat', 'alipay', 'counter'], { error: '渠道只能是微信支付、支付宝或现场缴费' }).optional(),
  })
  .refine((q) => !q.from || !q.to || q.from <= q.to, { message: '开始日期不能晚于结束日期', path: ['to'] })
  .refine((q) => !q.from || !q.to || Date.parse(q.to) - Date.parse(q.from) <= 366 * 86_400_000, {
    message: '一次最多查询一年',
    path: ['to'],
  });
const ZReason = z.object({ reason: z.string({ error: '请填写取消原因' }).trim().min(2, '请填写取消原因').max(200, '取消原因最多200个字') });
const ZDecision = z.object({ note: z.string().trim().max(200, '说明最多200个字').optional() });
const ZRefuse = z.object({
  note: z.string({ error: '请填写不批准的原因' }).trim().min(1, '请填写不批准的原因').max(200, '说明最多200个字'),
});

export const financeRoutes =
  (ctx: AppContext): FastifyPluginAsyncZod =>
  async (outer) => {
    const { deps } = ctx;
    const { db, clock } = deps;
    const providers = paymentProvidersFor(deps.config, { db, clock });
    const pdeps = { db, clock, providers };

    await outer.register(async (scope) => {
      const app = scope.withTypeProvider<ZodTypeProvider>();
      enforceStaffAccess(app, db);
      const tags = ['工作人员'];

      const range = (q: z.infer<typeof ZRange>) => {
        const today = chinaDay(clock.now());
        const to = q.to ?? today;
        const from = q.from ?? to;
        return { from, to, channel: q.channel };
      };

      app.get(
        '/api/staff/finance/payments',
        {
          config: { staffAccess: FINANCE },
          schema: { tags, summary: '收款对账：按日、按渠道的收款、合计和异常（财务、管理员）', querystring: ZRange },
        },
        async (req) => ({ ...(await financeReport(db, range(req.query))), flagNames: FLAG_NAMES }),
      );

      app.get(
        '/api/staff/finance/payments.csv',
        {
          config: { staffAccess: FINANCE },
          schema: { tags, summary: '收款对账导出 CSV（UTF-8 带 BOM，Excel 可直接打开）', querystring: ZRange },
        },
        async (req, reply) => {
          const q = range(req.query);
          const csv = financeCsv(await financeReport(db, q));
          const name = `收款对账_${q.from}_${q.to}${q.channel ? `_${q.channel}` : ''}.csv`;
          return reply
            .header('content-type', 'text/csv; charset=utf-8')
            .header(
              'content-disposition',
              `attachment; filename="payments_${q.from}_${q.to}.csv"; filename*=UTF-8''${encodeURIComponent(name)}`,
            )
            .header('cache-control', 'no-store')
            .send(csv);
        },
      );

      app.get(
        '/api/staff/finance/cancellations',
        { config: { staffAccess: FINANCE }, schema: { tags, summary: '待批准的取消订单申请（财务、管理员）' } },
        async (req) => {
          const me = staffActor(req).id;
          const rows = await paymentRepository.pendingCancellations(db);
          return { cancellations: rows.map((r) => ({ ...r, mine: r.requestedBy === me })) };
        },
      );

      app.get(
        '/api/staff/orders/:id/cancellation',
        { config: { staffAccess: CANCEL_REQUESTERS }, schema: { tags, summary: '订单的取消申请和退款记录', params: ZId } },
        async (req) => {
          const order = await orderRepository.findById(db, req.params.id);
          if (!order) return { cancellable: false, requests: [], refunds: [] };
          const me = staffActor(req);
          const requests = await paymentRepository.cancellationsOfOrder(db, order.id);
          const names = new Map<string, string | null>();
          for (const r of requests)
            for (const id of [r.requestedBy, r.decidedBy])
              if (id && !names.has(id)) names.set(id, await paymentRepository.staffName(db, id));
          return {
            cancellable: CANCELLABLE.includes(order.status as OrderStatus),
            canApprove: me.roles.some((r) => (CANCEL_APPROVERS as readonly string[]).includes(r)),
            me: me.id,
            requests: requests.map((r) => ({
              ...r,
              requestedByName: names.get(r.requestedBy) ?? null,
              decidedByName: r.decidedBy ? (names.get(r.decidedBy) ?? null) : null,
            })),
            refunds: (await paymentRepository.refundsOfOrder(db, order.id)).map((r) => ({
              id: r.id,
              channel: r.channel,
              amountFen: r.amountFen,
              kind: r.kind,
              status: r.status,
              refundId: r.refundId,
              outRefundNo: r.outRefundNo,
              lastError: r.lastError,
              createdAt: r.createdAt,
              completedAt: r.completedAt,
            })),
          };
        },
      );

      app.post(
        '/api/staff/orders/:id/cancellation',
        {
          config: { staffAccess: CANCEL_REQUESTERS },
          schema: { tags, summary: '申请取消已付款订单并退款（受理、财务、管理员；须另一位财务或管理员批准）', params: ZId, body: ZReason },
        },
        async (req, reply) => {
          const c = await requestCancellation(deps, staffActor(req), req.params.id, req.body.reason, metaOf(req));
          return reply.status(201).send({ cancellation: c });
        },
      );

      app.post(
        '/api/staff/cancellations/:id/approve',
        {
          config: { staffAccess: CANCEL_APPROVERS },
          schema: { tags, summary: '批准取消订单：订单转为已取消并原路退款（财务、管理员；不能是申请人）', params: ZId, body: ZDecision },
        },
        async (req) => {
          const r = await decideCancellation(deps, staffActor(req), req.params.id, { approve: true, note: req.body?.note }, metaOf(req));
          // After the commit: the refund goes to the provider now; the job retries if this fails.
          for (const id of r.refundIds) await sendRefund(pdeps, id, req.log);
          return { cancellation: r.cancellation, refunds: await paymentRepository.refundsOfOrder(db, r.cancellation.orderId) };
        },
      );

      app.post(
        '/api/staff/cancellations/:id/refuse',
        {
          config: { staffAccess: CANCEL_APPROVERS },
          schema: { tags, summary: '不批准取消订单（财务、管理员；须填写原因）', params: ZId, body: ZRefuse },
        },
        async (req) => ({
          cancellation: (
            await decideCancellation(deps, staffActor(req), req.params.id, { approve: false, note: req.body.note }, metaOf(req))
          ).cancellation,
        }),
      );
    });
  };
