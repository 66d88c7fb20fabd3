/**
 * Alipay 当面付 (alipay.trade.precreate: the payer scans qr_code) and 手机网站支付 (alipay.trade.wap.pay: the
 * phone's browser is sent to the gateway with the signed request as a GET URL, pays in Alipay's cashier, and
 * comes back to return_url), written to the Alipay Open Platform's
 * published protocol (opendocs.alipay.com): a request is a form of common parameters (app_id, method,
 * format=JSON, charset=utf-8, sign_type=RSA2, timestamp in Beijing time, version=1.0, notify_url,
 * biz_content) signed with SHA256withRSA over the parameters sorted by name, `k=v` joined by `&`, without
 * `sign` and empty values. The answer is `{"<method>_response": {...}, "sign": "..."}`, the signature
 * covering the response node's raw JSON text. A notification is a form signed the same way but without
 * `sign` and `sign_type`; we accept RSA2 only (an RSA/SHA1 notice is refused).
 *
 * Amounts are decimal yuan strings on the wire ("220.00"); they are converted to fen exactly, never through
 * a float.
 */
import { beijingDateTime, parseBeijingDateTime, privateKeyFrom, publicKeyFrom, rsaSign, rsaVerify } from './crypto.js';
import type { HttpTransport } from './http.js';
import {
  NoticeRejected,
  ProviderError,
  type CreatePaymentRequest,
  type CreatePhonePaymentRequest,
  type NoticeRequest,
  type PaymentProvider,
  type ProviderReply,
  type ProviderTrade,
  type RefundRequest,
  type VerifiedNotice,
} from './port.js';
import { fenToYuanText } from '../../../core/money.js';

export interface AlipayConfig {
  /** APPID of our application on the Alipay Open Platform. */
  appId: string;
  /** 卖家支付宝用户号 (2088…), checked in every notification. */
  sellerId: string;
  /** Our application private key (PEM), signs requests. */
  appPrivateKeyPem: string;
  /** 支付宝公钥 (PEM), verifies answers and notifications. */
  alipayPublicKeyPem: string;
  /** https://openapi.alipay.com/gateway.do */
  gateway: string;
  /**
   * Where the payer's browser is sent for alipay.trade.wap.pay: the same gateway in production; the
   * sandbox's browser-facing gateway on this site otherwise (its server-to-server one is in-process).
   */
  pageGateway?: string;
  notifyUrl: string;
  sandbox?: boolean;
}

/**
 * Alipay's amount text → fen, exactly: digits with at most two decimals ("220", "220.5", "220.00"). Anything
 * else ("220.001", "2.2e2", "-1", " 220", "0x10") is null.
 */
export function alipayAmountToFen(text: string): number | null {
  const m = /^(0|[1-9]\d{0,9})(?:\.(\d{1,2}))?$/.exec(text);
  if (!m) return null;
  return Number(m[1]) * 100 + Number((m[2] ?? '').padEnd(2, '0'));
}

/** The string an Alipay RSA2 signature covers: sorted `k=v` pairs, joined by `&`, empty values left out. */
export function alipaySignContent(params: Record<string, string>, exclude: readonly string[]): string {
  return Object.keys(params)
    .filter((k) => !exclude.includes(k) && params[k] !== '' && params[k] !== undefined)
    .sort()
    .map((k) => `${k}=${params[k]}`)
    .join('&');
}

/**
 * The raw JSON text of a top-level member's value (what Alipay's response signature covers), found by
 * scanning the text rather than re-serializing it: re-serializing could change escapes or number forms.
 */
export function rawJsonMember(text: string, name: string): string | null {
  const key = `"${name}"`;
  let i = text.indexOf(key);
  while (i >= 0) {
    let j = i + key.length;
    while (/\s/.test(text[j] ?? '')) j++;
    if (text[j] === ':') {
      j++;
      while (/\s/.test(text[j] ?? '')) j++;
      const start = j;
      if (text[j] !== '{') return null;
      let depth = 0;
      let inString = false;
      for (; j < text.length; j++) {
        const c = text[j];
        if (inString) {
          if (c === '\\') j++;
          else if (c === '"') inString = false;
        } else if (c === '"') inString = true;
        else if (c === '{' || c === '[') depth++;
        else if (c === '}' || c === ']') {
          depth--;
          if (depth === 0) return text.slice(start, j + 1);
        }
      }
      return null;
    }
    i = text.indexOf(key, i + 1);
  }
  return null;
}

/** The common parameters + biz_content of a request, signed. */
export function alipaySignedForm(params: Record<string, string>, key: ReturnType<typeof privateKeyFrom>): Record<string, string> {
  return { ...params, sign: rsaSign(alipaySignContent(params, ['sign']), key) };
}

const PAID = new Set(['TRADE_SUCCESS', 'TRADE_FINISHED']);

/** 《异步通知说明》: Alipay stops delivering only when the answer is exactly "success". */
export function alipayNoticeReply(accepted: boolean): ProviderReply {
  return { status: 200, contentType: 'text/plain; charset=utf-8', body: accepted ? 'success' : 'fail' };
}

export function alipayProvider(cfg: AlipayConfig, transport: HttpTransport, now: () => Date = () => new Date()): PaymentProvider {
  const appKey = privateKeyFrom(cfg.appPrivateKeyPem);
  const alipayKey = publicKeyFrom(cfg.alipayPublicKeyPem);

  /** A method's common parameters and biz_content (plus notify_url / return_url when given), signed. */
  const signed = (method: string, biz: Record<string, unknown>, extra: Record<string, string> = {}) =>
    alipaySignedForm(
      {
        app_id: cfg.appId,
        method,
        format: 'JSON',
        charset: 'utf-8',
        sign_type: 'RSA2',
        timestamp: beijingDateTime(now()),
        version: '1.0',
        ...extra,
        biz_content: JSON.stringify(biz),
      },
      appKey,
    );

  /** Calls one method; returns its response node when code is 10000, throws ProviderError otherwise. */
  async function call(method: string, biz: Record<string, unknown>, withNotify = false): Promise<Record<string, unknown>> {
    const form = signed(method, biz, withNotify ? { notify_url: cfg.notifyUrl } : {});
    const res = await transport({
      method: 'POST',
      url: cfg.gateway,
      headers: { 'content-type': 'application/x-www-form-urlencoded;charset=utf-8', accept: 'application/json' },
      body: new URLSearchParams(form).toString(),
    });
    if (res.status !== 200) throw new ProviderError('alipay', `HTTP_${res.status}`, res.body.slice(0, 200), res.status);
    const nodeName = `${method.replaceAll('.', '_')}_response`;
    const raw = rawJsonMember(res.body, nodeName) ?? rawJsonMember(res.body, 'error_response');
    let parsed: { sign?: unknown };
    let node: Record<string, unknown>;
    try {
      parsed = JSON.parse(res.body) as { sign?: unknown };
      node = JSON.parse(raw ?? 'null') as Record<string, unknown>;
    } catch {
      throw new ProviderError('alipay', 'BAD_RESPONSE', 'not JSON', res.status);
    }
    if (!raw || !node) throw new ProviderError('alipay', 'BAD_RESPONSE', `no ${nodeName}`, res.status);
    // Alipay signs every answer it makes with the app's key known; an unsigned one is only possible for
    // an error before it knew the app (then nothing in it is believed anyway).
    if (typeof parsed.sign === 'string') {
      if (!rsaVerify(raw, parsed.sign, alipayKey)) throw new ProviderError('alipay', 'BAD_RESPONSE', 'response signature', res.status);
    } else if (node.code === '10000') throw new ProviderError('alipay', 'BAD_RESPONSE', 'unsigned response', res.status);
    if (node.code !== '10000') {
      const code = typeof node.sub_code === 'string' ? node.sub_code : String(node.code);
      throw new ProviderError('alipay', code, String(node.sub_msg ?? node.msg ?? ''), res.status);
    }
    return node;
  }

  return {
    channel: 'alipay',
    sandbox: cfg.sandbox ?? false,

    async create(req: CreatePaymentRequest) {
      const r = await call(
        'alipay.trade.precreate',
        {
          out_trade_no: req.outTradeNo,
          total_amount: fenToYuanText(req.amountFen),
          subject: req.description,
          time_expire: beijingDateTime(req.expiresAt),
        },
        true,
      );
      if (typeof r.qr_code !== 'string' || !r.qr_code) throw new ProviderError('alipay', 'BAD_RESPONSE', 'no qr_code');
      return { codeUrl: r.qr_code };
    },

    // A page method: nothing is sent from here. The trade exists at Alipay once the payer's browser opens
    // the URL; it carries its own timestamp, so it is made when the payer taps, not kept for long.
    async createForPhone(req: CreatePhonePaymentRequest) {
      const form = signed(
        'alipay.trade.wap.pay',
        {
          out_trade_no: req.outTradeNo,
          total_amount: fenToYuanText(req.amountFen),
          subject: req.description,
          product_code: 'QUICK_WAP_WAY',
          time_expire: beijingDateTime(req.expiresAt),
          quit_url: req.returnUrl,
        },
        { notify_url: cfg.notifyUrl, return_url: req.returnUrl },
      );
      const gateway = cfg.pageGateway ?? cfg.gateway;
      return { payUrl: `${gateway}${gateway.includes('?') ? '&' : '?'}${new URLSearchParams(form).toString()}` };
    },

    async query(outTradeNo: string): Promise<ProviderTrade> {
      let r: Record<string, unknown>;
      try {
        r = await call('alipay.trade.query', { out_trade_no: outTradeNo });
      } catch (e) {
        if (e instanceof ProviderError && e.code === 'ACQ.TRADE_NOT_EXIST') return { outTradeNo, state: 'not_found' };
        throw e;
      }
      if (r.out_trade_no !== outTradeNo) throw new ProviderError('alipay', 'BAD_RESPONSE', 'answer is about another trade');
      const status = String(r.trade_status);
      const state = status === 'WAIT_BUYER_PAY' ? 'pending' : PAID.has(status) ? 'paid' : status === 'TRADE_CLOSED' ? 'closed' : undefined;
      if (!state) throw new ProviderError('alipay', 'BAD_RESPONSE', `unknown trade_status ${status}`);
      const out: ProviderTrade = { outTradeNo, state };
      if (state === 'paid') {
        if (typeof r.trade_no === 'string') out.transactionId = r.trade_no;
        const fen = typeof r.total_amount === 'string' ? alipayAmountToFen(r.total_amount) : null;
        if (fen !== null) out.amountFen = fen;
        const at = typeof r.send_pay_date === 'string' ? parseBeijingDateTime(r.send_pay_date) : null;
        if (at) out.paidAt = at;
      }
      return out;
    },

    async close(outTradeNo: string) {
      try {
        await call('alipay.trade.close', { out_trade_no: outTradeNo });
      } catch (e) {
        // A precreated trade nobody scanned does not exist at Alipay yet: nothing to close, nobody can pay it.
        if (e instanceof ProviderError && e.code === 'ACQ.TRADE_NOT_EXIST') return;
        throw e;
      }
    },

    async refund(req: RefundRequest) {
      // out_request_no makes a retry the same refund (Alipay answers it again with fund_change=N).
      const r = await call('alipay.trade.refund', {
        out_trade_no: req.outTradeNo,
        refund_amount: fenToYuanText(req.amountFen),
        out_request_no: req.outRefundNo,
        refund_reason: req.reason.slice(0, 80),
      });
      if (typeof r.trade_no !== 'string') throw new ProviderError('alipay', 'BAD_RESPONSE', 'no trade_no');
      return { refundId: r.trade_no, state: 'success' };
    },

    verifyNotice(req: NoticeRequest): VerifiedNotice {
      const params: Record<string, string> = {};
      for (const [k, v] of new URLSearchParams(req.rawBody)) {
        if (k in params) throw new NoticeRejected('duplicate_parameter', { name: k });
        params[k] = v;
      }
      if (params.sign_type !== 'RSA2') throw new NoticeRejected('sign_type_not_rsa2', { sign_type: params.sign_type });
      if (!params.sign || !rsaVerify(alipaySignContent(params, ['sign', 'sign_type']), params.sign, alipayKey))
        throw new NoticeRejected('bad_signature');
      if (params.app_id !== cfg.appId) throw new NoticeRejected('foreign_app_id', { app_id: params.app_id });
      if (params.seller_id !== cfg.sellerId) throw new NoticeRejected('foreign_seller_id', { seller_id: params.seller_id });
      if (!params.out_trade_no) throw new NoticeRejected('no_out_trade_no');
      const amountFen = alipayAmountToFen(params.total_amount ?? '');
      if (amountFen === null) throw new NoticeRejected('bad_amount', { total_amount: params.total_amount });
      const status = params.trade_status ?? '';
      const paid = PAID.has(status);
      if (paid && !params.trade_no) throw new NoticeRejected('no_trade_no');
      const paidAt = parseBeijingDateTime(params.gmt_payment ?? '') ?? parseBeijingDateTime(params.notify_time ?? '');
      if (paid && !paidAt) throw new NoticeRejected('bad_gmt_payment', { gmt_payment: params.gmt_payment });
      return {
        channel: 'alipay',
        outTradeNo: params.out_trade_no,
        paid,
        providerState: status,
        transactionId: params.trade_no ?? '',
        amountFen,
        paidAt: paidAt ?? new Date(0),
      };
    },

    reply: alipayNoticeReply,
  };
}
