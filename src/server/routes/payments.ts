/**
 * 付款：申请单位的支付页（开始付款、轮询状态）和支付通知（微信支付、支付宝）.
 *
 * The notify routes take the raw body (the signature covers its exact bytes: WeChat Pay API v3 signs
 * `timestamp\nnonce\nbody\n`, Alipay signs the form's parameters), verify it with the provider's adapter,
 * complete the payment in one transaction, and only after the commit answer "accepted" (WeChat: 200/204;
 * Alipay: the text `success`). Every refusal is the provider's "failed" answer — it redelivers — and
 * changes nothing; a notice that fails verification is counted per address, reason and hour with one audit
 * row per such count (modules/payments/notice-refusals.ts), so forged notices cannot flood the audit trail.
 */
import type { FastifyPluginAsyncZod, ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { AppContext } from '../app.js';
import { NoticeRejected, PAY_KINDS, type PayChannel } from '../adapters/payment/port.js';
import { paymentProviders as paymentProvidersFor } from '../modules/payments/providers.js';
import { closeAttempt, completePayment, paymentView, startPayment, type PaymentDeps } from '../modules/payments/payments.js';
import { paymentRepository } from '../modules/payments/repository.js';
import { completeRenewalPayment, isRenewalTrade } from '../modules/renewal/payment.js';
import { clip, recordNoticeRefusal } from '../modules/payments/notice-refusals.js';
import { requireOwnedOrder } from './guards.js';
import { baseUrlOf } from './orders.js';

const ZId = z.object({ id: z.string({ error: '订单编号格式不正确' }).uuid('订单编号格式不正确') });
const ZStart = z.object({
  channel: z.enum(['wechat', 'alipay'], { error: '请选择微信支付或支付宝' }),
  /** The form factor, the only other thing the client decides: a QR code to scan, or pay in this phone's browser. */
  kind: z.enum(PAY_KINDS, { error: '付款方式须为扫码付款（qr）或手机付款（h5）' }).default('qr'),
});

/** The payer's IP as WeChat Pay H5 wants it (an IPv4 client seen over IPv6 is written as IPv4). */
const payerIpOf = (ip: string) => ip.replace(/^::ffff:(?=\d+\.\d+\.\d+\.\d+$)/, '');

/**
 * Test-only pause points for the crash test (CERTDESK_TEST_NOTIFY_HANG=before-commit|after-commit, refused
 * outside NODE_ENV=test): the notify route stops there forever, so the test can SIGKILL the process while a
 * valid notice is in flight.
 */
const hangPoint = (ctx: AppContext) => (ctx.deps.config.env === 'test' ? process.env.CERTDESK_TEST_NOTIFY_HANG : undefined);
const forever = () => new Promise<never>(() => {});

export const paymentRoutes =
  (ctx: AppContext): FastifyPluginAsyncZod =>
  async (app) => {
    const { deps } = ctx;
    const { db, clock } = deps;
    const providers = paymentProvidersFor(deps.config, { db, clock });
    const pdeps: PaymentDeps = { db, clock, providers };

    app.get(
      '/api/orders/:id/payment',
      { schema: { tags: ['付款'], summary: '支付页：金额、所购内容、当前二维码和付款状态（页面轮询）', params: ZId } },
      async (req) => {
        const { org, order } = await requireOwnedOrder(db, req, req.params.id);
        const view = await paymentView(pdeps, org, order, req.log);
        if (view.paid) ctx.kickOutbox();
        return view;
      },
    );

    app.post(
      '/api/orders/:id/payments',
      {
        schema: {
          tags: ['付款'],
          summary:
            '开始付款：按目录价格生成所选渠道的支付二维码（qr）或手机支付链接（h5，微信H5支付/支付宝手机网站支付；金额由服务器确定）',
          params: ZId,
          body: ZStart,
        },
      },
      async (req, reply) => {
        const { org, order } = await requireOwnedOrder(db, req, req.params.id);
        const { channel, kind } = req.body;
        const phone = { payerIp: payerIpOf(req.ip), returnUrl: `${baseUrlOf(ctx, req)}/orders/${order.id}/pay` };
        await startPayment(pdeps, order, channel, kind, phone);
        const fresh = (await requireOwnedOrder(db, req, order.id)).order;
        return reply.status(201).send(await paymentView(pdeps, org, fresh, req.log));
      },
    );

    // The providers' notifications, in a scope of their own: raw bodies, no CSRF (the signature is the check).
    await app.register(async (scope) => {
      const app = scope.withTypeProvider<ZodTypeProvider>();
      app.removeContentTypeParser('application/json');
      app.addContentTypeParser('application/json', { parseAs: 'string', bodyLimit: 64 * 1024 }, (_req, body, done) => done(null, body));
      app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string', bodyLimit: 64 * 1024 }, (_req, body, done) =>
        done(null, body),
      );

      for (const channel of ['wechat', 'alipay'] as const satisfies readonly PayChannel[]) {
        app.post(
          `/api/payments/notify/${channel}`,
          {
            config: { csrf: false },
            schema: { tags: ['付款'], summary: `${channel === 'wechat' ? '微信支付' : '支付宝'}支付结果通知（由支付机构调用）` },
          },
          async (req, reply) => {
            const provider = providers[channel];
            const send = (accepted: boolean) => {
              const r = provider.reply(accepted);
              return reply.status(r.status).header('content-type', r.contentType).send(r.body);
            };
            const rawBody = typeof req.body === 'string' ? req.body : '';
            let notice;
            try {
              notice = provider.verifyNotice({ headers: req.headers, rawBody }, clock.now());
            } catch (e) {
              // Only notices that failed verification get here: a correctly signed one is never rate-limited.
              const reason = e instanceof NoticeRejected ? e.reason : 'verify_error';
              const detail = e instanceof NoticeRejected ? e.detail : { error: String(e) };
              const refused = await recordNoticeRefusal(deps, { channel, reason, detail, ip: req.ip });
              if (refused.first || refused.crossedLimit)
                req.log.warn({ channel, reason: clip(reason), overLimit: refused.overLimit }, 'payment notice refused');
              if (refused.overLimit) {
                const r = provider.reply(false);
                return reply
                  .status(429)
                  .header('retry-after', String(refused.retryAfterSeconds))
                  .header('content-type', r.contentType)
                  .send(r.body);
              }
              return send(false);
            }
            const hang = hangPoint(ctx);
            if (hang === 'before-commit') {
              req.log.warn({ hang }, 'test hang point reached');
              await forever();
            }
            // A renewal's code (modules/renewal/payment.ts): same providers, same route, its own completion.
            if (isRenewalTrade(notice.outTradeNo)) {
              const renewal = await completeRenewalPayment(pdeps, notice, 'notify', { ip: req.ip });
              if (!renewal.accepted)
                req.log.warn({ channel, reason: renewal.reason, outTradeNo: notice.outTradeNo }, 'payment notice refused');
              return send(renewal.accepted);
            }
            const result = await completePayment(pdeps, notice, 'notify', { ip: req.ip });
            if (!result.accepted) {
              req.log.warn({ channel, reason: result.reason, outTradeNo: notice.outTradeNo }, 'payment notice refused');
              return send(false);
            }
            if (hang === 'after-commit') {
              req.log.warn({ hang }, 'test hang point reached');
              await forever();
            }
            ctx.kickOutbox();
            // Other codes of this order can no longer be used: close them (best effort; the job retries).
            if (result.outcome === 'paid') {
              const attempts = await paymentRepository.attemptsOfOrder(
                db,
                (await paymentRepository.attemptByOutTradeNo(db, notice.outTradeNo))!.orderId,
              );
              for (const a of attempts) if (a.status === 'pending') void closeAttempt(pdeps, a, 'closed', req.log).catch(() => {});
            }
            return send(true);
          },
        );
      }
    });
  };
