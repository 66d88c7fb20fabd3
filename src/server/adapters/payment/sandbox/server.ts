/**
 * The sandbox payment provider: it plays WeChat Pay API v3 and the Alipay Open Platform gateway for the
 * calls CertDesk makes, over the same HTTP shapes and signatures. It checks the merchant's request
 * signatures (it knows the merchant public keys), keeps its trades in its own tables, answers signed, and
 * when the payer presses 确认支付 on the sandbox payer page it records the trade as paid and queues a signed
 * notification to the trade's notify_url (delivered by routes/payment-sandbox.ts).
 *
 * The adapters reach it in-process through `sandboxTransport`: the real wechatPayProvider/alipayProvider
 * sign and verify exactly as they would against the real providers. The provider side is one module per
 * protocol (wechat-api.ts, alipay-gateway.ts, one function per call); this one wires them to the transport
 * and is the payer's side: the view, 确认支付, 取消 and Alipay's return to the merchant.
 */
import type { Clock } from '../../../clock.js';
import type { Db } from '../../../db/client.js';
import { fenToYuanText } from '../../../../core/money.js';
import { alipaySignContent } from '../alipay.js';
import { beijingDateTime, rsaSign } from '../crypto.js';
import type { HttpTransport } from '../http.js';
import type { PayChannel } from '../port.js';
import { SANDBOX_ALIPAY_GATEWAY, alipaySandbox } from './alipay-gateway.js';
import { effectiveStatus, sandboxContext } from './context.js';
import { newAlipayTradeNo, newWechatTransactionId } from './notices.js';
import { sandboxPayRepository as repo, type SandboxTrade } from './repository.js';
import { SANDBOX_WECHAT_BASE, wechatSandbox } from './wechat-api.js';

export { SANDBOX_ALIPAY_GATEWAY, SANDBOX_WECHAT_BASE };
export { SANDBOX_PAY_PATH, sandboxCodeUrl } from './context.js';
/**
 * The gateway as a phone's browser reaches it (alipay.trade.wap.pay is a signed GET the payer's browser
 * opens): a route on this site (routes/payment-sandbox.ts) that hands the request to the same handler.
 */
export const SANDBOX_ALIPAY_PAGE_GATEWAY = '/api/sandbox-pay/alipay/gateway.do';

/** The token at the end of a sandbox code URL or h5_url (relative or absolute, with its query), or null. */
export function sandboxTokenOf(codeUrl: string): string | null {
  const m = /\/sandbox\/pay\/(?:wechat|alipay)\/([A-Za-z0-9_-]{22,64})(?:\?.*)?$/.exec(codeUrl);
  return m ? m[1]! : null;
}

/** What the payer page shows: never more than the payer would see at the real provider. */
export interface SandboxPayView {
  channel: PayChannel;
  amountFen: number;
  description: string;
  /** pending | paid | cancelled | closed | expired | refunded */
  status: string;
  expiresAt: string;
  merchant: string;
  /** qr: scanned on another phone; h5: this phone's browser came from the merchant and goes back after paying. */
  tradeType: 'qr' | 'h5';
  /** Alipay WAP: the merchant's return_url (also its quit_url), for 返回商户 after 取消. */
  merchantUrl: string | null;
}

export type PayOutcome =
  { ok: true; trade: SandboxTrade; noticeId: number } | { ok: false; reason: 'unknown' | 'expired' | 'not_pending'; trade?: SandboxTrade };

export interface SandboxPayService {
  transport: HttpTransport;
  view(token: string): Promise<SandboxPayView | null>;
  /** The payer pays: pending and not expired → paid, and a notification is queued (one transaction). */
  pay(token: string): Promise<PayOutcome>;
  cancel(token: string): Promise<{ ok: boolean; trade?: SandboxTrade }>;
  /**
   * Where Alipay sends the payer's browser after a WAP trade is paid: its return_url with the signed
   * synchronous return parameters (method=alipay.trade.wap.pay.return). Null for other trades.
   */
  alipayReturnUrl(trade: SandboxTrade): Promise<string | null>;
}

export function sandboxPayService(deps: { db: Db; clock: Clock }): SandboxPayService {
  const ctx = sandboxContext(deps);
  const { db, clock } = ctx;
  const wechat = wechatSandbox(ctx);
  const alipay = alipaySandbox(ctx);

  const transport: HttpTransport = async (req) => {
    if (req.url.startsWith(SANDBOX_WECHAT_BASE + '/')) return wechat(req);
    if (req.url.split('?')[0] === SANDBOX_ALIPAY_GATEWAY) return alipay(req);
    return { status: 404, headers: {}, body: 'not the sandbox' };
  };

  return {
    transport,
    async view(token) {
      const t = await repo.tradeByToken(db, token);
      if (!t) return null;
      return {
        channel: t.channel as PayChannel,
        amountFen: t.amountFen,
        description: t.description,
        status: effectiveStatus(t, clock.now()),
        expiresAt: t.expiresAt.toISOString(),
        merchant: '江西省数字证书有限公司（沙箱）',
        tradeType: t.tradeType,
        merchantUrl: t.channel === 'alipay' && t.tradeType === 'h5' ? t.returnUrl : null,
      };
    },
    async pay(token) {
      const t = await repo.tradeByToken(db, token);
      if (!t) return { ok: false, reason: 'unknown' };
      const now = clock.now();
      if (effectiveStatus(t, now) === 'expired') return { ok: false, reason: 'expired', trade: t };
      const transactionId = t.channel === 'wechat' ? newWechatTransactionId() : newAlipayTradeNo(now);
      // Paid and the notification queued in one transaction: a crash cannot leave a paid trade unannounced.
      const r = await db.transaction(async (tx) => {
        const paid = await repo.markPaid(tx, t.id, transactionId, now);
        if (!paid) return null;
        const n = await repo.addNotice(tx, paid.id, now);
        return { trade: paid, noticeId: n.id };
      });
      if (!r) return { ok: false, reason: 'not_pending', trade: (await repo.tradeById(db, t.id))! };
      return { ok: true, ...r };
    },
    async alipayReturnUrl(t) {
      if (t.channel !== 'alipay' || t.tradeType !== 'h5' || !t.returnUrl || t.status !== 'paid' || !t.transactionId) return null;
      const k = await ctx.keys();
      // 《手机网站支付 同步通知》: the return parameters are signed like a notification (sign_type left out).
      const params: Record<string, string> = {
        charset: 'utf-8',
        out_trade_no: t.outTradeNo,
        method: 'alipay.trade.wap.pay.return',
        total_amount: fenToYuanText(t.amountFen),
        trade_no: t.transactionId,
        auth_app_id: k.raw.alipay.appId,
        version: '1.0',
        app_id: k.raw.alipay.appId,
        sign_type: 'RSA2',
        seller_id: k.raw.alipay.sellerId,
        timestamp: beijingDateTime(clock.now()),
      };
      params.sign = rsaSign(alipaySignContent(params, ['sign', 'sign_type']), k.alipayPrivate);
      return `${t.returnUrl}${t.returnUrl.includes('?') ? '&' : '?'}${new URLSearchParams(params).toString()}`;
    },
    async cancel(token) {
      const t = await repo.tradeByToken(db, token);
      if (!t || t.status !== 'pending') return { ok: false, trade: t };
      const ended = await repo.endPending(db, t.id, 'cancelled');
      return { ok: !!ended, trade: ended ?? t };
    },
  };
}
