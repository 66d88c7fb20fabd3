/**
 * 沙箱支付服务：以微信支付 API v3 和支付宝开放平台的协议应答，并提供沙箱付款页（仅在沙箱模式下注册）.
 *
 * The payer API behind the sandbox payer page (/sandbox/pay/<channel>/<token>, a web page): what the trade
 * is, 确认支付 and 取消. Public, without a session: the token in the QR code is 192 random bits. After the
 * payer pays, the sandbox delivers the signed notification to our notify route (app.inject) the way the
 * provider would, and keeps delivering it with backoff until it is acknowledged.
 *
 * Also the Alipay gateway as a phone's browser reaches it: alipay.trade.wap.pay is a signed GET the payer's
 * browser opens; it goes to the sandbox's gateway handler, which checks it as Alipay would and sends the
 * browser on to the payer page (or shows Alipay's kind of error page).
 */
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { AppContext } from '../app.js';
import { AppError } from '../../core/errors.js';
import { paymentProvidersReady } from '../adapters/payment/configured.js';
import { deliverSandboxNotice, redeliverSandboxNotices } from '../adapters/payment/sandbox/delivery.js';
import { SANDBOX_ALIPAY_GATEWAY, sandboxPayService } from '../adapters/payment/sandbox/server.js';

/** How often the sandbox looks for notices to deliver again. */
const REDELIVERY_POLL_MS = 5_000;

const ZToken = z.object({ token: z.string().regex(/^[A-Za-z0-9_-]{22,64}$/) });

export const paymentSandboxRoutes =
  (ctx: AppContext): FastifyPluginAsyncZod =>
  async (app) => {
    const { db, clock, config } = ctx.deps;
    if (config.payments.kind !== 'sandbox') return;
    const service = sandboxPayService({ db, clock });

    let timer: NodeJS.Timeout | undefined;
    app.addHook('onReady', async () => {
      // The keys are in the database: load them before the first request, so notices verify from the start.
      await paymentProvidersReady(config, { db, clock });
      if (config.env === 'test') return;
      let busy = false;
      timer = setInterval(() => {
        if (busy) return;
        busy = true;
        redeliverSandboxNotices({ app, db, clock })
          .catch((e: unknown) => app.log.warn({ err: e }, 'sandbox payment notice redelivery failed'))
          .finally(() => (busy = false));
      }, REDELIVERY_POLL_MS);
      timer.unref();
    });
    app.addHook('onClose', async () => {
      if (timer) clearInterval(timer);
    });

    const notFound = () => new AppError('NOT_FOUND', '找不到这笔沙箱付款，请重新扫码');

    app.get(
      '/api/sandbox-pay/alipay/gateway.do',
      { schema: { tags: ['沙箱'], summary: '沙箱支付宝网关（手机网站支付 alipay.trade.wap.pay，由付款人浏览器打开）' } },
      async (req, reply) => {
        const query = req.url.includes('?') ? req.url.slice(req.url.indexOf('?')) : '';
        const r = await service.transport({ method: 'GET', url: SANDBOX_ALIPAY_GATEWAY + query, headers: {}, body: '' });
        reply.header('cache-control', 'no-store');
        for (const [k, v] of Object.entries(r.headers)) reply.header(k, v);
        return reply.status(r.status).send(r.body);
      },
    );

    app.get(
      '/api/sandbox-pay/:token',
      { schema: { tags: ['沙箱'], summary: '沙箱付款页：这笔付款的金额、内容和状态', params: ZToken } },
      async (req, reply) => {
        const v = await service.view(req.params.token);
        if (!v) throw notFound();
        reply.header('cache-control', 'no-store');
        return { ...v, sandbox: true };
      },
    );

    app.post(
      '/api/sandbox-pay/:token/pay',
      {
        config: { csrf: false },
        schema: { tags: ['沙箱'], summary: '沙箱付款页：确认支付（随后向商户发送已签名的支付通知）', params: ZToken },
      },
      async (req) => {
        const r = await service.pay(req.params.token);
        if (!r.ok) {
          if (r.reason === 'unknown') throw notFound();
          const message = r.reason === 'expired' ? '这笔付款已过期，请回到订单页重新发起付款' : '这笔付款已结束，不能再支付';
          throw new AppError('CONFLICT', message);
        }
        const delivery = await deliverSandboxNotice(app, db, clock, r.noticeId, r.trade.id).catch((e: unknown) => {
          req.log.warn({ err: e }, 'sandbox payment notice delivery failed; it will be redelivered');
          return null;
        });
        // Alipay WAP sends the browser back to return_url with signed return parameters; WeChat H5 back to the
        // redirect_url the merchant appended to h5_url (the payer page has it in its own address).
        const returnUrl = await service.alipayReturnUrl(r.trade);
        return { status: 'paid', notified: delivery?.acknowledged ?? false, returnUrl };
      },
    );

    app.post(
      '/api/sandbox-pay/:token/cancel',
      { config: { csrf: false }, schema: { tags: ['沙箱'], summary: '沙箱付款页：取消支付', params: ZToken } },
      async (req) => {
        const r = await service.cancel(req.params.token);
        if (!r.trade) throw notFound();
        const v = (await service.view(req.params.token))!;
        return { status: v.status };
      },
    );
  };
