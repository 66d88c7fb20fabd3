/**
 * 在线续费 (issue 20; modules/renewal): the page on 我的证书 drives the 证书助手 on the customer's PC and these
 * routes, step by step. Every route is the logged-in organization's, for its own certificates and renewals
 * (another's is "not found"); the rules are the server's (modules/renewal/rules.ts).
 */
import type { FastifyPluginAsyncZod, ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import {
  ZRenewalChallenge,
  ZRenewalCodeSent,
  ZRenewalInfo,
  ZRenewalPayment,
  ZRenewalState,
  ZRenewalView,
} from '../../core/renewal-schemas.js';
import type { AppContext } from '../app.js';
import { PAY_CHANNEL_NAMES } from '../adapters/payment/port.js';
import type { PaymentDeps } from '../modules/payments/payments.js';
import { paymentProviders } from '../modules/payments/providers.js';
import { publisherFor } from '../modules/revocation/publication.js';
import { queryRenewalPayments, startRenewalPayment } from '../modules/renewal/payment.js';
import {
  confirmRenewal,
  issueRenewal,
  portalOrigin,
  renewalChallenge,
  renewalInfo,
  renewalOf,
  renewalProof,
  renewalView,
  sendRenewalCode,
  startRenewal,
} from '../modules/renewal/renewal.js';
import { metaOf, requireOrg } from './guards.js';

const ZId = z.object({ id: z.string({ error: '编号格式不正确' }).uuid('编号格式不正确') });
const base64 = (field: string, max: number) =>
  z
    .string({ error: `${field}必须填写` })
    .trim()
    .min(1, `${field}必须填写`)
    .max(max, `${field}过长`)
    .regex(/^[A-Za-z0-9+/]+={0,2}$/, `${field}必须是 Base64 编码`);

const ZStart = z.object({
  code: z
    .string({ error: '请输入短信中的6位验证码' })
    .trim()
    .regex(/^\d{6}$/, '请输入短信中的6位验证码'),
  tokenSerial: z.string({ error: '请选择 UKEY' }).trim().min(1, '请选择 UKEY').max(64, 'UKEY 序列号最多64个字符'),
});
const ZRequest = z.object({
  csr: z.string({ error: '缺少证书请求（csr）' }).min(100, '证书请求（csr）不完整').max(8192, '证书请求（csr）过长'),
  keyId: z.string({ error: '缺少新密钥标识（keyId）' }).regex(/^(?:[0-9a-f]{2}){1,64}$/, '新密钥标识（keyId）必须是十六进制'),
});
const ZProof = z.object({ signature: base64('UKEY 签名（signature）', 512) });
const ZPay = z.object({ channel: z.enum(['wechat', 'alipay'], { error: '请选择微信支付或支付宝' }) });
const ZConfirm = z.object({ certificate: base64('从 UKEY 读回的证书（certificate）', 16384) });

export const renewalRoutes =
  (ctx: AppContext): FastifyPluginAsyncZod =>
  async (scope) => {
    const app = scope.withTypeProvider<ZodTypeProvider>();
    const { deps } = ctx;
    const { db, clock } = deps;
    const providers = paymentProviders(deps.config, { db, clock });
    const pdeps: PaymentDeps = { db, clock, providers };
    const tags = ['申请单位'];
    const sandbox = { wechat: providers.wechat.sandbox, alipay: providers.alipay.sandbox };

    app.get(
      '/api/my-certificates/:id/renewal',
      {
        schema: {
          tags,
          summary: '在线续费：能否续费（到期前90天内、单位名称未变等）、价格、新证书到期日，以及未完成的续费',
          params: ZId,
          response: { 200: ZRenewalInfo },
        },
      },
      async (req) => {
        const org = await requireOrg(db, req);
        const info = await renewalInfo(deps, org, req.params.id);
        if (info.renewal?.status === 'proven') {
          await queryRenewalPayments(pdeps, info.renewal.id, req.log);
          return { ...(await renewalInfo(deps, org, req.params.id)), sandbox };
        }
        return { ...info, sandbox };
      },
    );

    app.post(
      '/api/my-certificates/:id/renewal-code',
      {
        schema: {
          tags,
          summary: '在线续费：获取短信验证码（发送到本单位注册手机号，10分钟内有效）',
          params: ZId,
          response: { 200: ZRenewalCodeSent },
        },
      },
      async (req) => {
        const org = await requireOrg(db, req);
        const r = await sendRenewalCode(deps, org, req.params.id, metaOf(req));
        ctx.kickOutbox();
        return r;
      },
    );

    app.post(
      '/api/my-certificates/:id/renewals',
      {
        schema: {
          tags,
          summary: '在线续费：凭短信验证码开始续费（每张证书同时只能有一笔未完成的续费）',
          params: ZId,
          body: ZStart,
          response: { 200: ZRenewalView },
        },
      },
      async (req) => {
        const org = await requireOrg(db, req);
        return startRenewal(deps, org, req.params.id, req.body, metaOf(req));
      },
    );

    app.get(
      '/api/renewals/:id',
      { schema: { tags, summary: '在线续费的当前状态（付款中时向支付机构查询）', params: ZId, response: { 200: ZRenewalState } } },
      async (req) => {
        const org = await requireOrg(db, req);
        let r = await renewalOf(deps, org, req.params.id);
        if (r.status === 'proven') {
          await queryRenewalPayments(pdeps, r.id, req.log);
          r = await renewalOf(deps, org, req.params.id);
        }
        return { ...(await renewalView(db, r, clock.now())), sandbox };
      },
    );

    app.post(
      '/api/renewals/:id/challenge',
      {
        schema: {
          tags,
          summary: '在线续费：提交 UKEY 上生成的新证书请求，取得原证书密钥须签名的挑战（含证书请求的 SHA-256）',
          params: ZId,
          body: ZRequest,
          response: { 200: ZRenewalChallenge },
        },
      },
      async (req) => {
        const org = await requireOrg(db, req);
        return renewalChallenge(deps, org, req.params.id, req.body, metaOf(req));
      },
    );

    app.post(
      '/api/renewals/:id/proof',
      {
        schema: {
          tags,
          summary: '在线续费：原证书密钥对挑战的签名（由证书助手在 UKEY 上完成），核验通过后可付款',
          params: ZId,
          body: ZProof,
          response: { 200: ZRenewalView },
        },
      },
      async (req) => {
        const org = await requireOrg(db, req);
        const origin = portalOrigin(deps.config, req.headers.origin);
        return renewalProof(deps, org, req.params.id, req.body, origin, metaOf(req));
      },
    );

    app.post(
      '/api/renewals/:id/payment',
      {
        schema: {
          tags,
          summary: '在线续费：微信支付或支付宝付款二维码（金额按证书项目价格）',
          params: ZId,
          body: ZPay,
          response: { 200: ZRenewalPayment },
        },
      },
      async (req) => {
        const org = await requireOrg(db, req);
        const a = await startRenewalPayment(pdeps, org, req.params.id, req.body.channel, metaOf(req));
        return {
          channel: a.channel,
          channelName: PAY_CHANNEL_NAMES[a.channel],
          codeUrl: a.codeUrl,
          amountFen: a.amountFen,
          expiresAt: a.expiresAt,
          sandbox: sandbox[a.channel],
        };
      },
    );

    app.post(
      '/api/renewals/:id/issue',
      {
        schema: {
          tags,
          summary: '在线续费：付款后签发新证书（有效期为原证书到期日后一年），返回待写入 UKEY 的证书',
          params: ZId,
          response: { 200: ZRenewalView },
        },
      },
      async (req) => {
        const org = await requireOrg(db, req);
        return issueRenewal(deps, org, req.params.id, metaOf(req));
      },
    );

    app.post(
      '/api/renewals/:id/confirm',
      {
        schema: {
          tags,
          summary: '在线续费：新证书已写入 UKEY（提交从 UKEY 读回的证书），续费完成，原证书作为“已被新证书替代”吊销',
          params: ZId,
          body: ZConfirm,
          response: { 200: ZRenewalView },
        },
      },
      async (req) => {
        const org = await requireOrg(db, req);
        const r = await confirmRenewal(deps, org, req.params.id, req.body, metaOf(req));
        // After the commit: the CRL and the OCSP answer follow now; if this fails, the CA job does it (the marker stays).
        if (r.revokedSerial)
          try {
            await (await publisherFor(deps)).afterChange(r.revokedSerial);
          } catch (err) {
            req.log.warn({ err, serial: r.revokedSerial }, 'republication after renewal failed; the CA job retries');
          }
        return r.view;
      },
    );
  };
