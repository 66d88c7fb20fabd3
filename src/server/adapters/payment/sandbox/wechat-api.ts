/**
 * The sandbox's WeChat Pay API v3: the calls CertDesk makes (Native and H5 下单, 查询订单, 关闭订单, 申请退款),
 * with the request signature checked against the merchant's public key and every answer signed with the
 * platform key, as WeChat Pay does. Trades are kept by repository.ts; the payer pays on the sandbox page.
 */
import { isIP } from 'node:net';
import { nonceStr, rfc3339Beijing, rsaSign, rsaVerify } from '../crypto.js';
import { headerOf, type HttpRequest, type HttpResponse } from '../http.js';
import { WECHAT_MAX_SKEW_SECONDS, parseWechatAuthorization, wechatRequestMessage, wechatResponseMessage } from '../wechatpay.js';
import { effectiveStatus, sandboxCodeUrl, type Loose, type ParsedSandboxKeys, type SandboxContext } from './context.js';
import { sandboxPayRepository as repo } from './repository.js';

/** Where the sandbox "is" (never resolved: the transport hands requests over in-process). */
export const SANDBOX_WECHAT_BASE = 'https://api.mch.wechatpay.sandbox.certdesk.invalid';

/** One authenticated call: its parsed body, the keys, the time, and how to answer (signed). */
interface Call {
  ctx: SandboxContext;
  k: ParsedSandboxKeys;
  now: Date;
  url: URL;
  body: Loose;
  json(status: number, body: unknown): HttpResponse;
  fail(status: number, code: string, message: string): HttpResponse;
}

type Handler = (call: Call, m: RegExpExecArray) => Promise<HttpResponse>;

/** Every answer is signed with the platform key, as WeChat Pay does (《应答签名》). */
function signedAnswer(k: ParsedSandboxKeys, now: Date, status: number, body: string): HttpResponse {
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
}

/** 《签名验证》: the merchant, its certificate serial, the time and the signature — a reason when refused. */
function refusal(k: ParsedSandboxKeys, req: HttpRequest, urlPath: string, now: Date): string | null {
  const auth = parseWechatAuthorization(headerOf(req.headers, 'authorization'));
  if (!auth) return 'Authorization 缺失或格式错误';
  if (auth.mchid !== k.raw.wechat.mchid) return '商户号与签名不符';
  if (auth.serial_no !== k.raw.wechat.mchSerial) return '商户证书序列号不正确';
  if (!/^\d{1,12}$/.test(auth.timestamp ?? '') || Math.abs(Number(auth.timestamp) - now.getTime() / 1000) > WECHAT_MAX_SKEW_SECONDS)
    return '时间戳与服务器时间相差过大';
  const signed = wechatRequestMessage(req.method, urlPath, auth.timestamp!, auth.nonce_str ?? '', req.body);
  return rsaVerify(signed, auth.signature ?? '', k.mchPublic) ? null : '签名错误';
}

/** 《Native下单》 and 《H5下单》: the same trade fields; H5 also needs the payer's IP and the H5 scene. */
const createTransaction: Handler = async ({ ctx, k, now, body, json, fail }, m) => {
  const h5 = m[1] === 'h5';
  if (body.appid !== k.raw.wechat.appid) return fail(400, 'APPID_MCHID_NOT_MATCH', 'appid 与 mchid 不匹配');
  if (body.mchid !== k.raw.wechat.mchid) return fail(400, 'MCH_NOT_EXISTS', '商户号不存在');
  const total = body.amount?.total;
  if (!Number.isSafeInteger(total) || total <= 0) return fail(400, 'PARAM_ERROR', 'amount.total 必须为正整数（分）');
  if (typeof body.out_trade_no !== 'string' || !/^[0-9A-Za-z_*|-]{6,32}$/.test(body.out_trade_no))
    return fail(400, 'PARAM_ERROR', 'out_trade_no 格式错误');
  if (typeof body.description !== 'string' || !body.description || Buffer.byteLength(body.description) > 127)
    return fail(400, 'PARAM_ERROR', 'description 格式错误');
  if (typeof body.notify_url !== 'string' || !/^https?:\/\//.test(body.notify_url)) return fail(400, 'PARAM_ERROR', 'notify_url 格式错误');
  const expires = typeof body.time_expire === 'string' ? new Date(body.time_expire) : new Date(now.getTime() + 2 * 3600_000);
  if (Number.isNaN(expires.getTime())) return fail(400, 'PARAM_ERROR', 'time_expire 格式错误');
  if (h5) {
    // 《H5下单》: scene_info.payer_client_ip and h5_info.type are required.
    const ip = body.scene_info?.payer_client_ip;
    if (typeof ip !== 'string' || !isIP(ip)) return fail(400, 'PARAM_ERROR', 'scene_info.payer_client_ip 格式错误');
    if (!['Wap', 'iOS', 'Android'].includes(body.scene_info?.h5_info?.type))
      return fail(400, 'PARAM_ERROR', 'scene_info.h5_info.type 格式错误');
  }
  const t = await repo.createTrade(ctx.db, {
    channel: 'wechat',
    outTradeNo: body.out_trade_no,
    token: ctx.newToken(),
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
  return json(200, h5 ? { h5_url: sandboxCodeUrl('wechat', t.token) } : { code_url: sandboxCodeUrl('wechat', t.token) });
};

/** 《查询订单》 by the merchant's order number. */
const queryTransaction: Handler = async ({ ctx, k, now, url, json, fail }, m) => {
  if (url.searchParams.get('mchid') !== k.raw.wechat.mchid) return fail(400, 'PARAM_ERROR', 'mchid 不正确');
  const t = await repo.tradeByNo(ctx.db, 'wechat', decodeURIComponent(m[1]!));
  if (!t) return fail(404, 'ORDER_NOT_EXIST', '订单不存在');
  const s = effectiveStatus(t, now);
  const state =
    { pending: 'NOTPAY', cancelled: 'NOTPAY', expired: 'CLOSED', closed: 'CLOSED', paid: 'SUCCESS', refunded: 'REFUND' }[s] ?? 'NOTPAY';
  return json(200, {
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
  });
};

/** 《关闭订单》: 204 with no body; a paid trade cannot be closed. */
const closeTransaction: Handler = async ({ ctx, k, now, body, fail }, m) => {
  if (body.mchid !== k.raw.wechat.mchid) return fail(400, 'PARAM_ERROR', 'mchid 不正确');
  const t = await repo.tradeByNo(ctx.db, 'wechat', decodeURIComponent(m[1]!));
  if (!t) return fail(404, 'ORDER_NOT_EXIST', '订单不存在');
  if (t.status === 'paid' || t.status === 'refunded') return fail(400, 'ORDERPAID', '订单已支付，不能关闭');
  await repo.endPending(ctx.db, t.id, 'closed');
  return signedAnswer(k, now, 204, '');
};

/** 《申请退款》: idempotent by out_refund_no; never more than was paid. */
const refund: Handler = async ({ ctx, body, json, fail }) => {
  const t = typeof body.out_trade_no === 'string' ? await repo.tradeByNo(ctx.db, 'wechat', body.out_trade_no) : undefined;
  if (!t) return fail(404, 'RESOURCE_NOT_EXISTS', '订单不存在');
  if (typeof body.out_refund_no !== 'string' || !body.out_refund_no) return fail(400, 'PARAM_ERROR', 'out_refund_no 缺失');
  const amount = body.amount?.refund;
  if (!Number.isSafeInteger(amount) || amount <= 0) return fail(400, 'PARAM_ERROR', 'amount.refund 必须为正整数');
  if (body.amount?.total !== t.amountFen) return fail(400, 'PARAM_ERROR', 'amount.total 与订单金额不一致');
  let r = await repo.refundByNo(ctx.db, 'wechat', body.out_refund_no);
  if (!r) {
    const added = await repo.addRefund(ctx.db, {
      channel: 'wechat',
      outRefundNo: body.out_refund_no,
      tradeId: t.id,
      amountFen: amount,
      refundId: `5030${nonceStr(24).replace(/\D/g, '0')}`,
    });
    if (added === null) return fail(400, 'NOT_ENOUGH', '订单未支付或可退金额不足');
    r = added ?? (await repo.refundByNo(ctx.db, 'wechat', body.out_refund_no));
  }
  if (!r || r.tradeId !== t.id || r.amountFen !== amount) return fail(400, 'INVALID_REQUEST', '退款单号已用于另一笔退款');
  return json(200, {
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
  });
};

const ROUTES: { method: string; path: RegExp; handle: Handler }[] = [
  { method: 'POST', path: /^\/v3\/pay\/transactions\/(native|h5)$/, handle: createTransaction },
  { method: 'GET', path: /^\/v3\/pay\/transactions\/out-trade-no\/([^/]+)$/, handle: queryTransaction },
  { method: 'POST', path: /^\/v3\/pay\/transactions\/out-trade-no\/([^/]+)\/close$/, handle: closeTransaction },
  { method: 'POST', path: /^\/v3\/refund\/domestic\/refunds$/, handle: refund },
];

/** The sandbox's WeChat Pay API: one request in, its signed answer out. */
export function wechatSandbox(ctx: SandboxContext): (req: HttpRequest) => Promise<HttpResponse> {
  return async (req) => {
    const k = await ctx.keys();
    const url = new URL(req.url);
    const urlPath = url.pathname.slice(new URL(SANDBOX_WECHAT_BASE).pathname.replace(/\/$/, '').length) + url.search;
    const now = ctx.clock.now();
    const json = (status: number, body: unknown) => signedAnswer(k, now, status, JSON.stringify(body));
    const fail = (status: number, code: string, message: string) => json(status, { code, message });

    const refused = refusal(k, req, urlPath, now);
    if (refused) return fail(401, 'SIGN_ERROR', refused);
    let body: Loose = {};
    if (req.body) {
      try {
        body = JSON.parse(req.body) as Loose;
      } catch {
        return fail(400, 'PARAM_ERROR', '请求体不是 JSON');
      }
    }
    const path = url.pathname.replace(/^.*(?=\/v3\/)/, '');
    for (const route of ROUTES) {
      const m = route.method === req.method ? route.path.exec(path) : null;
      if (m) return route.handle({ ctx, k, now, url, body, json, fail }, m);
    }
    return fail(404, 'NOT_FOUND', '沙箱不支持该接口');
  };
}
