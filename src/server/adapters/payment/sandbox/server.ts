/**
 * The sandbox payment provider: it plays WeChat Pay API v3 and the Alipay Open Platform gateway for the
 * calls CertDesk makes, over the same HTTP shapes and signatures. It checks the merchant's request
 * signatures (it knows the merchant public keys), keeps its trades in its own tables, answers signed, and
 * when the payer presses 确认支付 on the sandbox payer page it records the trade as paid and queues a signed
 * notification to the trade's notify_url (delivered by routes/payment-sandbox.ts).
 *
 * The adapters reach it in-process through `sandboxTransport`: the real wechatPayProvider/alipayProvider
 * sign and verify exactly as they would against the real providers.
 */
import { randomBytes } from 'node:crypto';
import { isIP } from 'node:net';
import type { Clock } from '../../../clock.js';
import type { Db } from '../../../db/client.js';
import {
  beijingDateTime,
  nonceStr,
  parseBeijingDateTime,
  privateKeyFrom,
  publicKeyFrom,
  rfc3339Beijing,
  rsaSign,
  rsaVerify,
} from '../crypto.js';
import { headerOf, type HttpRequest, type HttpResponse, type HttpTransport } from '../http.js';
import type { PayChannel } from '../port.js';
import { WECHAT_MAX_SKEW_SECONDS, parseWechatAuthorization, wechatRequestMessage, wechatResponseMessage } from '../wechatpay.js';
import { alipayAmountToFen, alipaySignContent } from '../alipay.js';
import { fenToYuanText } from '../../../../core/money.js';
import { sandboxKeys, type SandboxKeys } from './keys.js';
import { newAlipayTradeNo, newWechatTransactionId } from './notices.js';
import { sandboxPayRepository as repo, type SandboxTrade } from './repository.js';

/** Where the sandbox "is" (never resolved: the transport hands requests over in-process). */
export const SANDBOX_WECHAT_BASE = 'https://api.mch.wechatpay.sandbox.certdesk.invalid';
export const SANDBOX_ALIPAY_GATEWAY = 'https://openapi.alipay.sandbox.certdesk.invalid/gateway.do';
/**
 * The gateway as a phone's browser reaches it (alipay.trade.wap.pay is a signed GET the payer's browser
 * opens): a route on this site (routes/payment-sandbox.ts) that hands the request to the same handler.
 */
export const SANDBOX_ALIPAY_PAGE_GATEWAY = '/api/sandbox-pay/alipay/gateway.do';
/** The payer page's path; the QR code holds `${SANDBOX_PAY_PATH}/<channel>/<token>` (relative). */
export const SANDBOX_PAY_PATH = '/sandbox/pay';

export const sandboxCodeUrl = (channel: PayChannel, token: string) => `${SANDBOX_PAY_PATH}/${channel}/${token}`;
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

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- request JSON as received; every field is checked before use
type Loose = Record<string, any>;

const json = (status: number, body: unknown): { status: number; body: string } => ({ status, body: JSON.stringify(body) });

const escapeHtml = (t: string) => t.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
/** Alipay's answer to a page request it refuses: an error page in the payer's browser, naming the code. */
function errorPage(code: string, msg: string): HttpResponse {
  return {
    status: 400,
    headers: { 'content-type': 'text/html; charset=utf-8' },
    body:
      '<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width">' +
      `<title>支付宝（沙箱）</title></head><body><h1>支付宝（沙箱）：支付请求有误</h1><p>${escapeHtml(msg)}</p>` +
      `<p>错误码：${escapeHtml(code)}</p><p>请回到商户页面重新发起付款。</p></body></html>`,
  };
}

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

/** A trade's status as the payer and the merchant see it now (an unpaid trade past its expiry is closed). */
export function effectiveStatus(t: SandboxTrade, now: Date): string {
  if ((t.status === 'pending' || t.status === 'cancelled') && t.expiresAt <= now) return 'expired';
  return t.status;
}

export function sandboxPayService(deps: { db: Db; clock: Clock }): SandboxPayService {
  const { db, clock } = deps;
  const keysP = sandboxKeys(db);
  let parsedKeys: Promise<ReturnType<typeof parse>> | undefined;
  const parse = (k: SandboxKeys) => ({
    raw: k,
    mchPublic: publicKeyFrom(k.wechat.mchPublicPem),
    platformPrivate: privateKeyFrom(k.wechat.platformPrivatePem),
    appPublic: publicKeyFrom(k.alipay.appPublicPem),
    alipayPrivate: privateKeyFrom(k.alipay.alipayPrivatePem),
  });
  const keys = () => (parsedKeys ??= keysP.then(parse));
  const newToken = () => randomBytes(24).toString('base64url');

  // ---- WeChat Pay API v3 ----
  async function wechat(req: HttpRequest): Promise<HttpResponse> {
    const k = await keys();
    const url = new URL(req.url);
    const urlPath = url.pathname.slice(new URL(SANDBOX_WECHAT_BASE).pathname.replace(/\/$/, '').length) + url.search;
    const now = clock.now();
    const answer = ({ status, body }: { status: number; body: string }): HttpResponse => {
      // Every answer is signed with the platform key, as WeChat Pay does (《应答签名》).
      const timestamp = String(Math.floor(now.getTime() / 1000));
      const nonce = nonceStr();
      return {
        status,
        headers: {
          'content-type': 'application/json',
          'request-id': `sandbox-${nonceStr(16)}`,
          'wechatpay-serial': k.raw.wechat.platformSerial,
          'wechatpay-timestamp': timestamp,
          'wechatpay-nonce': nonce,
          'wechatpay-signature': rsaSign(wechatResponseMessage(timestamp, nonce, body), k.platformPrivate),
        },
        body,
      };
    };
    const fail = (status: number, code: string, message: string) => answer(json(status, { code, message }));

    const auth = parseWechatAuthorization(headerOf(req.headers, 'authorization'));
    if (!auth) return fail(401, 'SIGN_ERROR', 'Authorization 缺失或格式错误');
    if (auth.mchid !== k.raw.wechat.mchid) return fail(401, 'SIGN_ERROR', '商户号与签名不符');
    if (auth.serial_no !== k.raw.wechat.mchSerial) return fail(401, 'SIGN_ERROR', '商户证书序列号不正确');
    if (!/^\d{1,12}$/.test(auth.timestamp ?? '') || Math.abs(Number(auth.timestamp) - now.getTime() / 1000) > WECHAT_MAX_SKEW_SECONDS)
      return fail(401, 'SIGN_ERROR', '时间戳与服务器时间相差过大');
    const signed = wechatRequestMessage(req.method, urlPath, auth.timestamp!, auth.nonce_str ?? '', req.body);
    if (!rsaVerify(signed, auth.signature ?? '', k.mchPublic)) return fail(401, 'SIGN_ERROR', '签名错误');

    let body: Loose = {};
    if (req.body) {
      try {
        body = JSON.parse(req.body) as Loose;
      } catch {
        return fail(400, 'PARAM_ERROR', '请求体不是 JSON');
      }
    }
    const path = url.pathname.replace(/^.*(?=\/v3\/)/, '');
    let m: RegExpExecArray | null;

    const h5 = path === '/v3/pay/transactions/h5';
    if (req.method === 'POST' && (path === '/v3/pay/transactions/native' || h5)) {
      if (body.appid !== k.raw.wechat.appid) return fail(400, 'APPID_MCHID_NOT_MATCH', 'appid 与 mchid 不匹配');
      if (body.mchid !== k.raw.wechat.mchid) return fail(400, 'MCH_NOT_EXISTS', '商户号不存在');
      const total = body.amount?.total;
      if (!Number.isSafeInteger(total) || total <= 0) return fail(400, 'PARAM_ERROR', 'amount.total 必须为正整数（分）');
      if (typeof body.out_trade_no !== 'string' || !/^[0-9A-Za-z_*|-]{6,32}$/.test(body.out_trade_no))
        return fail(400, 'PARAM_ERROR', 'out_trade_no 格式错误');
      if (typeof body.description !== 'string' || !body.description || Buffer.byteLength(body.description) > 127)
        return fail(400, 'PARAM_ERROR', 'description 格式错误');
      if (typeof body.notify_url !== 'string' || !/^https?:\/\//.test(body.notify_url))
        return fail(400, 'PARAM_ERROR', 'notify_url 格式错误');
      const expires = typeof body.time_expire === 'string' ? new Date(body.time_expire) : new Date(now.getTime() + 2 * 3600_000);
      if (Number.isNaN(expires.getTime())) return fail(400, 'PARAM_ERROR', 'time_expire 格式错误');
      if (h5) {
        // 《H5下单》: scene_info.payer_client_ip and h5_info.type are required.
        const ip = body.scene_info?.payer_client_ip;
        if (typeof ip !== 'string' || !isIP(ip)) return fail(400, 'PARAM_ERROR', 'scene_info.payer_client_ip 格式错误');
        if (!['Wap', 'iOS', 'Android'].includes(body.scene_info?.h5_info?.type))
          return fail(400, 'PARAM_ERROR', 'scene_info.h5_info.type 格式错误');
      }
      const t = await repo.createTrade(db, {
        channel: 'wechat',
        outTradeNo: body.out_trade_no,
        token: newToken(),
        amountFen: total,
        description: body.description,
        notifyUrl: body.notify_url,
        tradeType: h5 ? 'h5' : 'qr',
        expiresAt: expires,
      });
      if (t.status === 'paid' || t.status === 'refunded') return fail(400, 'ORDERPAID', '该订单已支付');
      if (t.status === 'closed') return fail(400, 'ORDER_CLOSED', '订单已关闭');
      if (t.amountFen !== total || t.description !== body.description || t.tradeType !== (h5 ? 'h5' : 'qr'))
        return fail(400, 'OUT_TRADE_NO_USED', '商户订单号重复');
      // The sandbox's h5_url is its payer page; the merchant appends redirect_url as it would to WeChat's.
      return answer(json(200, h5 ? { h5_url: sandboxCodeUrl('wechat', t.token) } : { code_url: sandboxCodeUrl('wechat', t.token) }));
    }

    if ((m = /^\/v3\/pay\/transactions\/out-trade-no\/([^/]+)$/.exec(path)) && req.method === 'GET') {
      if (url.searchParams.get('mchid') !== k.raw.wechat.mchid) return fail(400, 'PARAM_ERROR', 'mchid 不正确');
      const t = await repo.tradeByNo(db, 'wechat', decodeURIComponent(m[1]!));
      if (!t) return fail(404, 'ORDER_NOT_EXIST', '订单不存在');
      const s = effectiveStatus(t, now);
      const state =
        { pending: 'NOTPAY', cancelled: 'NOTPAY', expired: 'CLOSED', closed: 'CLOSED', paid: 'SUCCESS', refunded: 'REFUND' }[s] ?? 'NOTPAY';
      return answer(
        json(200, {
          appid: k.raw.wechat.appid,
          mchid: k.raw.wechat.mchid,
          out_trade_no: t.outTradeNo,
          trade_state: state,
          trade_state_desc: state,
          ...(t.paidAt
            ? {
                transaction_id: t.transactionId,
                trade_type: t.tradeType === 'h5' ? 'MWEB' : 'NATIVE',
                bank_type: 'OTHERS',
                success_time: rfc3339Beijing(t.paidAt),
                payer: { openid: 'oSandboxPayer0000000000000000' },
              }
            : {}),
          amount: { total: t.amountFen, ...(t.paidAt ? { payer_total: t.amountFen } : {}), currency: 'CNY', payer_currency: 'CNY' },
        }),
      );
    }

    if ((m = /^\/v3\/pay\/transactions\/out-trade-no\/([^/]+)\/close$/.exec(path)) && req.method === 'POST') {
      if (body.mchid !== k.raw.wechat.mchid) return fail(400, 'PARAM_ERROR', 'mchid 不正确');
      const t = await repo.tradeByNo(db, 'wechat', decodeURIComponent(m[1]!));
      if (!t) return fail(404, 'ORDER_NOT_EXIST', '订单不存在');
      if (t.status === 'paid' || t.status === 'refunded') return fail(400, 'ORDERPAID', '订单已支付，不能关闭');
      await repo.endPending(db, t.id, 'closed');
      return answer({ status: 204, body: '' });
    }

    if (path === '/v3/refund/domestic/refunds' && req.method === 'POST') {
      const t = typeof body.out_trade_no === 'string' ? await repo.tradeByNo(db, 'wechat', body.out_trade_no) : undefined;
      if (!t) return fail(404, 'RESOURCE_NOT_EXISTS', '订单不存在');
      if (typeof body.out_refund_no !== 'string' || !body.out_refund_no) return fail(400, 'PARAM_ERROR', 'out_refund_no 缺失');
      const refund = body.amount?.refund;
      if (!Number.isSafeInteger(refund) || refund <= 0) return fail(400, 'PARAM_ERROR', 'amount.refund 必须为正整数');
      if (body.amount?.total !== t.amountFen) return fail(400, 'PARAM_ERROR', 'amount.total 与订单金额不一致');
      let r = await repo.refundByNo(db, 'wechat', body.out_refund_no);
      if (!r) {
        const added = await repo.addRefund(db, {
          channel: 'wechat',
          outRefundNo: body.out_refund_no,
          tradeId: t.id,
          amountFen: refund,
          refundId: `5030${nonceStr(24).replace(/\D/g, '0')}`,
        });
        if (added === null) return fail(400, 'NOT_ENOUGH', '订单未支付或可退金额不足');
        r = added ?? (await repo.refundByNo(db, 'wechat', body.out_refund_no));
      }
      if (!r || r.tradeId !== t.id || r.amountFen !== refund) return fail(400, 'INVALID_REQUEST', '退款单号已用于另一笔退款');
      return answer(
        json(200, {
          refund_id: r.refundId,
          out_refund_no: r.outRefundNo,
          transaction_id: t.transactionId,
          out_trade_no: t.outTradeNo,
          channel: 'ORIGINAL',
          user_received_account: '支付用户零钱',
          status: 'SUCCESS',
          create_time: rfc3339Beijing(r.createdAt),
          success_time: rfc3339Beijing(r.createdAt),
          amount: { total: t.amountFen, refund: r.amountFen, payer_total: t.amountFen, payer_refund: r.amountFen, currency: 'CNY' },
        }),
      );
    }
    return fail(404, 'NOT_FOUND', '沙箱不支持该接口');
  }

  // ---- Alipay Open Platform gateway ----
  async function alipay(req: HttpRequest): Promise<HttpResponse> {
    const k = await keys();
    const now = clock.now();
    const params: Record<string, string> = {};
    for (const [key, v] of new URL(req.url).searchParams) params[key] = v;
    for (const [key, v] of new URLSearchParams(req.body)) params[key] = v;
    const method = params.method ?? '';
    // 手机网站支付 is a page the payer's browser opens (GET): Alipay answers it with its cashier, or an error page.
    const wap = method === 'alipay.trade.wap.pay';
    if (wap !== (req.method === 'GET'))
      return errorPage('isv.invalid-method', wap ? 'alipay.trade.wap.pay 须由浏览器打开' : '不存在的方法名');
    const nodeName = /^[a-z.]+$/.test(method) ? `${method.replaceAll('.', '_')}_response` : 'error_response';
    const respond = (node: Record<string, unknown>): HttpResponse => {
      if (wap) return errorPage(String(node.sub_code ?? node.code), String(node.sub_msg ?? node.msg));
      const raw = JSON.stringify(node);
      // The signature covers the response node's JSON text exactly as sent (《同步响应验签》).
      return {
        status: 200,
        headers: { 'content-type': 'application/json;charset=utf-8' },
        body: `{"${nodeName}":${raw},"sign":"${rsaSign(raw, k.alipayPrivate)}"}`,
      };
    };
    const fail = (code: string, msg: string, subCode: string, subMsg: string) => respond({ code, msg, sub_code: subCode, sub_msg: subMsg });
    const invalid = (subCode: string, subMsg: string) => fail('40002', 'Invalid Arguments', subCode, subMsg);
    const business = (subCode: string, subMsg: string) => fail('40004', 'Business Failed', subCode, subMsg);

    if (params.app_id !== k.raw.alipay.appId) return invalid('isv.invalid-app-id', '无效的AppID参数');
    if (params.sign_type !== 'RSA2') return invalid('isv.invalid-signature-type', '无效的签名类型');
    if (!params.sign || !rsaVerify(alipaySignContent(params, ['sign']), params.sign, k.appPublic))
      return invalid('isv.invalid-signature', '验签出错');
    const ts = parseBeijingDateTime(params.timestamp ?? '');
    if (!ts || Math.abs(ts.getTime() - now.getTime()) > 30 * 60_000) return invalid('isv.invalid-timestamp', '非法的时间戳参数');
    if (params.charset !== 'utf-8' || params.format !== 'JSON' || params.version !== '1.0')
      return invalid('isv.invalid-parameter', 'charset/format/version 不正确');
    let biz: Loose;
    try {
      biz = JSON.parse(params.biz_content ?? '') as Loose;
    } catch {
      return invalid('isv.invalid-parameter', 'biz_content 不是 JSON');
    }
    const outTradeNo = typeof biz.out_trade_no === 'string' ? biz.out_trade_no : '';
    if (!/^[0-9A-Za-z_-]{1,64}$/.test(outTradeNo)) return invalid('isv.missing-parameter', '缺少 out_trade_no');

    if (method === 'alipay.trade.precreate' || wap) {
      const fen = typeof biz.total_amount === 'string' ? alipayAmountToFen(biz.total_amount) : null;
      if (!fen) return invalid('isv.invalid-parameter', 'total_amount 格式错误');
      if (typeof biz.subject !== 'string' || !biz.subject) return invalid('isv.missing-parameter', '缺少 subject');
      if (!params.notify_url || !/^https?:\/\//.test(params.notify_url)) return invalid('isv.invalid-parameter', 'notify_url 格式错误');
      if (wap && biz.product_code !== 'QUICK_WAP_WAY') return invalid('isv.invalid-parameter', 'product_code 必须为 QUICK_WAP_WAY');
      if (wap && params.return_url !== undefined && !/^https?:\/\//.test(params.return_url))
        return invalid('isv.invalid-parameter', 'return_url 格式错误');
      const expires = typeof biz.time_expire === 'string' ? parseBeijingDateTime(biz.time_expire) : new Date(now.getTime() + 2 * 3600_000);
      if (!expires) return invalid('isv.invalid-parameter', 'time_expire 格式错误');
      const t = await repo.createTrade(db, {
        channel: 'alipay',
        outTradeNo,
        token: newToken(),
        amountFen: fen,
        description: biz.subject,
        notifyUrl: params.notify_url,
        tradeType: wap ? 'h5' : 'qr',
        returnUrl: wap ? (params.return_url ?? null) : null,
        expiresAt: expires,
      });
      if (t.status === 'paid' || t.status === 'refunded') return business('ACQ.TRADE_HAS_SUCCESS', '交易已被支付');
      if (t.status === 'closed') return business('ACQ.TRADE_HAS_CLOSE', '交易已经关闭');
      if (t.amountFen !== fen || t.tradeType !== (wap ? 'h5' : 'qr')) return business('ACQ.CONTEXT_INCONSISTENT', '交易信息被篡改');
      // The payer's browser goes on to the cashier (the sandbox payer page); the same URL opened again, too.
      if (wap) return { status: 302, headers: { location: sandboxCodeUrl('alipay', t.token) }, body: '' };
      return respond({ code: '10000', msg: 'Success', out_trade_no: outTradeNo, qr_code: sandboxCodeUrl('alipay', t.token) });
    }

    const t = await repo.tradeByNo(db, 'alipay', outTradeNo);
    if (!t) return business('ACQ.TRADE_NOT_EXIST', '交易不存在');

    if (method === 'alipay.trade.query') {
      const s = effectiveStatus(t, now);
      const status =
        s === 'paid' ? 'TRADE_SUCCESS' : s === 'refunded' || s === 'closed' || s === 'expired' ? 'TRADE_CLOSED' : 'WAIT_BUYER_PAY';
      return respond({
        code: '10000',
        msg: 'Success',
        trade_no: t.transactionId ?? newAlipayTradeNo(t.createdAt),
        out_trade_no: t.outTradeNo,
        buyer_logon_id: 'san***@sandbox.com',
        trade_status: status,
        total_amount: fenToYuanText(t.amountFen),
        ...(t.paidAt ? { send_pay_date: beijingDateTime(t.paidAt), buyer_pay_amount: fenToYuanText(t.amountFen) } : {}),
      });
    }
    if (method === 'alipay.trade.close') {
      if (t.status === 'paid' || t.status === 'refunded') return business('ACQ.TRADE_STATUS_ERROR', '交易状态不合法');
      await repo.endPending(db, t.id, 'closed');
      return respond({ code: '10000', msg: 'Success', trade_no: t.transactionId ?? '', out_trade_no: t.outTradeNo });
    }
    if (method === 'alipay.trade.refund') {
      const fen = typeof biz.refund_amount === 'string' ? alipayAmountToFen(biz.refund_amount) : null;
      if (!fen) return invalid('isv.invalid-parameter', 'refund_amount 格式错误');
      // Without out_request_no Alipay treats the request as a full refund identified by the trade itself.
      const outRequestNo = typeof biz.out_request_no === 'string' && biz.out_request_no ? biz.out_request_no : t.outTradeNo;
      let r = await repo.refundByNo(db, 'alipay', outRequestNo);
      let changed = false;
      if (!r) {
        const added = await repo.addRefund(db, {
          channel: 'alipay',
          outRefundNo: outRequestNo,
          tradeId: t.id,
          amountFen: fen,
          refundId: t.transactionId ?? '',
        });
        if (added === null) return business('ACQ.TRADE_STATUS_ERROR', '交易状态不合法或退款金额超限');
        changed = !!added;
        r = added ?? (await repo.refundByNo(db, 'alipay', outRequestNo));
      }
      if (!r || r.tradeId !== t.id || r.amountFen !== fen) return business('ACQ.REQUEST_AMOUNT_EXCEED', '退款请求号已用于另一笔退款');
      const after = (await repo.tradeById(db, t.id))!;
      return respond({
        code: '10000',
        msg: 'Success',
        trade_no: t.transactionId,
        out_trade_no: t.outTradeNo,
        buyer_logon_id: 'san***@sandbox.com',
        fund_change: changed ? 'Y' : 'N',
        refund_fee: fenToYuanText(after.refundedFen),
      });
    }
    return invalid('isv.invalid-method', '不存在的方法名');
  }

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
      const k = await keys();
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
