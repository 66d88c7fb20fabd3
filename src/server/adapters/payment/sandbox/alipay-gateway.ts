/**
 * The sandbox's Alipay Open Platform gateway: the methods CertDesk calls (当面付 precreate, 手机网站支付 wap.pay,
 * query, close, refund), with the RSA2 request signature checked against the application's public key and
 * every answer node signed with the "Alipay" key, as the real gateway does. wap.pay is a page the payer's
 * browser opens: it goes on to the sandbox payer page, or gets an error page.
 */
import { fenToYuanText } from '../../../../core/money.js';
import { alipayAmountToFen, alipaySignContent } from '../alipay.js';
import { beijingDateTime, parseBeijingDateTime, rsaSign, rsaVerify } from '../crypto.js';
import type { HttpRequest, HttpResponse } from '../http.js';
import { effectiveStatus, sandboxCodeUrl, type Loose, type ParsedSandboxKeys, type SandboxContext } from './context.js';
import { newAlipayTradeNo } from './notices.js';
import { sandboxPayRepository as repo, type SandboxTrade } from './repository.js';

/** Where the sandbox "is" (never resolved: the transport hands requests over in-process). */
export const SANDBOX_ALIPAY_GATEWAY = 'https://openapi.alipay.sandbox.certdesk.invalid/gateway.do';

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

/** One verified call: its parameters and biz_content, and how to answer (a signed node, or the page's error). */
interface Call {
  ctx: SandboxContext;
  now: Date;
  params: Record<string, string>;
  biz: Loose;
  outTradeNo: string;
  wap: boolean;
  respond(node: Record<string, unknown>): HttpResponse;
  invalid(subCode: string, subMsg: string): HttpResponse;
  business(subCode: string, subMsg: string): HttpResponse;
}

/** 《统一收单线下交易预创建》 and 《手机网站支付》: the trade made (or found again, unchanged). */
async function createTrade(call: Call): Promise<HttpResponse> {
  const { ctx, now, params, biz, outTradeNo, wap, respond, invalid, business } = call;
  const fen = typeof biz.total_amount === 'string' ? alipayAmountToFen(biz.total_amount) : null;
  if (!fen) return invalid('isv.invalid-parameter', 'total_amount 格式错误');
  if (typeof biz.subject !== 'string' || !biz.subject) return invalid('isv.missing-parameter', '缺少 subject');
  if (!params.notify_url || !/^https?:\/\//.test(params.notify_url)) return invalid('isv.invalid-parameter', 'notify_url 格式错误');
  if (wap && biz.product_code !== 'QUICK_WAP_WAY') return invalid('isv.invalid-parameter', 'product_code 必须为 QUICK_WAP_WAY');
  if (wap && params.return_url !== undefined && !/^https?:\/\//.test(params.return_url))
    return invalid('isv.invalid-parameter', 'return_url 格式错误');
  const expires = typeof biz.time_expire === 'string' ? parseBeijingDateTime(biz.time_expire) : new Date(now.getTime() + 2 * 3600_000);
  if (!expires) return invalid('isv.invalid-parameter', 'time_expire 格式错误');
  const t = await repo.createTrade(ctx.db, {
    channel: 'alipay',
    outTradeNo,
    token: ctx.newToken(),
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

/** 《统一收单线下交易查询》 */
async function queryTrade({ now, respond }: Call, t: SandboxTrade): Promise<HttpResponse> {
  const s = effectiveStatus(t, now);
  const status = s === 'paid' ? 'TRADE_SUCCESS' : s === 'refunded' || s === 'closed' || s === 'expired' ? 'TRADE_CLOSED' : 'WAIT_BUYER_PAY';
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

/** 《统一收单交易关闭接口》: a paid trade cannot be closed. */
async function closeTrade({ ctx, respond, business }: Call, t: SandboxTrade): Promise<HttpResponse> {
  if (t.status === 'paid' || t.status === 'refunded') return business('ACQ.TRADE_STATUS_ERROR', '交易状态不合法');
  await repo.endPending(ctx.db, t.id, 'closed');
  return respond({ code: '10000', msg: 'Success', trade_no: t.transactionId ?? '', out_trade_no: t.outTradeNo });
}

/** 《统一收单交易退款接口》: idempotent by out_request_no; never more than was paid. */
async function refundTrade({ ctx, biz, respond, invalid, business }: Call, t: SandboxTrade): Promise<HttpResponse> {
  const fen = typeof biz.refund_amount === 'string' ? alipayAmountToFen(biz.refund_amount) : null;
  if (!fen) return invalid('isv.invalid-parameter', 'refund_amount 格式错误');
  // Without out_request_no Alipay treats the request as a full refund identified by the trade itself.
  const outRequestNo = typeof biz.out_request_no === 'string' && biz.out_request_no ? biz.out_request_no : t.outTradeNo;
  let r = await repo.refundByNo(ctx.db, 'alipay', outRequestNo);
  let changed = false;
  if (!r) {
    const added = await repo.addRefund(ctx.db, {
      channel: 'alipay',
      outRefundNo: outRequestNo,
      tradeId: t.id,
      amountFen: fen,
      refundId: t.transactionId ?? '',
    });
    if (added === null) return business('ACQ.TRADE_STATUS_ERROR', '交易状态不合法或退款金额超限');
    changed = !!added;
    r = added ?? (await repo.refundByNo(ctx.db, 'alipay', outRequestNo));
  }
  if (!r || r.tradeId !== t.id || r.amountFen !== fen) return business('ACQ.REQUEST_AMOUNT_EXCEED', '退款请求号已用于另一笔退款');
  const after = (await repo.tradeById(ctx.db, t.id))!;
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

/** The methods on an existing trade, by name. */
const ON_TRADE: Record<string, (call: Call, t: SandboxTrade) => Promise<HttpResponse>> = {
  'alipay.trade.query': queryTrade,
  'alipay.trade.close': closeTrade,
  'alipay.trade.refund': refundTrade,
};

/** The common parameters (《公共请求参数》) and the signature — a refusal, or null when they hold. */
function refusal(k: ParsedSandboxKeys, params: Record<string, string>, now: Date): [string, string] | null {
  if (params.app_id !== k.raw.alipay.appId) return ['isv.invalid-app-id', '无效的AppID参数'];
  if (params.sign_type !== 'RSA2') return ['isv.invalid-signature-type', '无效的签名类型'];
  if (!params.sign || !rsaVerify(alipaySignContent(params, ['sign']), params.sign, k.appPublic))
    return ['isv.invalid-signature', '验签出错'];
  const ts = parseBeijingDateTime(params.timestamp ?? '');
  if (!ts || Math.abs(ts.getTime() - now.getTime()) > 30 * 60_000) return ['isv.invalid-timestamp', '非法的时间戳参数'];
  if (params.charset !== 'utf-8' || params.format !== 'JSON' || params.version !== '1.0')
    return ['isv.invalid-parameter', 'charset/format/version 不正确'];
  return null;
}

/** The sandbox's Alipay gateway: one request (query string and/or form body) in, its answer out. */
export function alipaySandbox(ctx: SandboxContext): (req: HttpRequest) => Promise<HttpResponse> {
  return async (req) => {
    const k = await ctx.keys();
    const now = ctx.clock.now();
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

    const refused = refusal(k, params, now);
    if (refused) return invalid(...refused);
    let biz: Loose;
    try {
      biz = JSON.parse(params.biz_content ?? '') as Loose;
    } catch {
      return invalid('isv.invalid-parameter', 'biz_content 不是 JSON');
    }
    const outTradeNo = typeof biz.out_trade_no === 'string' ? biz.out_trade_no : '';
    if (!/^[0-9A-Za-z_-]{1,64}$/.test(outTradeNo)) return invalid('isv.missing-parameter', '缺少 out_trade_no');
    const call: Call = { ctx, now, params, biz, outTradeNo, wap, respond, invalid, business };
    if (method === 'alipay.trade.precreate' || wap) return createTrade(call);
    const t = await repo.tradeByNo(ctx.db, 'alipay', outTradeNo);
    if (!t) return business('ACQ.TRADE_NOT_EXIST', '交易不存在');
    const onTrade = Object.hasOwn(ON_TRADE, method) ? ON_TRADE[method] : undefined;
    return onTrade ? onTrade(call, t) : invalid('isv.invalid-method', '不存在的方法名');
  };
}
