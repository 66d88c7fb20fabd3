/**
 * WeChat Pay API v3, Native payment (the payer scans a code_url) and H5 payment (a phone's browser is sent to
 * h5_url, WeChat's cashier, and back to our redirect_url), written to the published protocol
 * (pay.weixin.qq.com/doc/v3/merchant): every request carries
 *   Authorization: WECHATPAY2-SHA256-RSA2048 mchid="…",nonce_str="…",signature="…",timestamp="…",serial_no="…"
 * where signature = base64(SHA256withRSA(merchant key, "METHOD\nURL\nTIMESTAMP\nNONCE\nBODY\n")), URL being
 * the path with its query. Answers and notifications are signed by WeChat Pay over
 * "TIMESTAMP\nNONCE\nBODY\n" with the platform certificate's (or the WeChat Pay public key's) private key,
 * named by the Wechatpay-Serial header; we only accept serials configured here — never fetched on demand,
 * so a forged serial cannot bring its own key. A notification's resource is AEAD_AES_256_GCM-encrypted
 * with the APIv3 key.
 */
import type { KeyObject } from 'node:crypto';
import { aesGcmDecrypt, nonceStr, privateKeyFrom, publicKeyFrom, rfc3339Beijing, rsaSign, rsaVerify } from './crypto.js';
import { headerOf, type HttpResponse, type HttpTransport } from './http.js';
import {
  NoticeRejected,
  ProviderError,
  type CreatePaymentRequest,
  type CreatePhonePaymentRequest,
  type NoticeRequest,
  type PaymentProvider,
  type ProviderReply,
  type ProviderTrade,
  type ProviderTradeState,
  type RefundRequest,
  type VerifiedNotice,
} from './port.js';

export interface WechatPayConfig {
  /** 商户号 */
  mchid: string;
  /** The AppID bound to the merchant (公众号/小程序/移动应用). */
  appid: string;
  /** Serial number of the merchant API certificate whose key signs our requests. */
  mchSerial: string;
  /** The merchant API private key (PEM, PKCS#8 apiclient_key.pem). */
  mchPrivateKeyPem: string;
  /** The APIv3 key: 32 characters, decrypts notification resources. */
  apiV3Key: string;
  /** Wechatpay-Serial → PEM (a platform certificate, or the WeChat Pay public key under its PUB_KEY_ID). */
  platformKeys: Record<string, string>;
  /** https://api.mch.weixin.qq.com */
  baseUrl: string;
  /** Where WeChat Pay posts the payment notification. */
  notifyUrl: string;
  /** True when the other side is the sandbox provider. */
  sandbox?: boolean;
}

export const WECHAT_AUTH_SCHEMA = 'WECHATPAY2-SHA256-RSA2048';
/** Answers and notifications more than five minutes from our clock are refused (WeChat Pay's own advice). */
export const WECHAT_MAX_SKEW_SECONDS = 300;

/** The string a WeChat Pay API v3 request signature covers. */
export const wechatRequestMessage = (method: string, urlPath: string, timestamp: string, nonce: string, body: string) =>
  `${method}\n${urlPath}\n${timestamp}\n${nonce}\n${body}\n`;
/** The string a WeChat Pay answer / notification signature covers. */
export const wechatResponseMessage = (timestamp: string, nonce: string, body: string) => `${timestamp}\n${nonce}\n${body}\n`;

export function wechatAuthorization(opts: {
  mchid: string;
  serial: string;
  key: KeyObject;
  method: string;
  urlPath: string;
  body: string;
  timestamp: string;
  nonce: string;
}): string {
  const signature = rsaSign(wechatRequestMessage(opts.method, opts.urlPath, opts.timestamp, opts.nonce, opts.body), opts.key);
  return `${WECHAT_AUTH_SCHEMA} mchid="${opts.mchid}",nonce_str="${opts.nonce}",signature="${signature}",timestamp="${opts.timestamp}",serial_no="${opts.serial}"`;
}

/** Splits an Authorization header into its fields; null when it is not WECHATPAY2-SHA256-RSA2048. */
export function parseWechatAuthorization(header: string | undefined): Record<string, string> | null {
  if (!header?.startsWith(`${WECHAT_AUTH_SCHEMA} `)) return null;
  const out: Record<string, string> = {};
  for (const m of header.slice(WECHAT_AUTH_SCHEMA.length + 1).matchAll(/(\w+)="([^"]*)"/g)) out[m[1]!] = m[2]!;
  return out;
}

/** The fields of the decrypted transaction resource we read (《支付成功回调通知》). */
interface WechatTransaction {
  mchid?: unknown;
  appid?: unknown;
  out_trade_no?: unknown;
  transaction_id?: unknown;
  trade_state?: unknown;
  success_time?: unknown;
  amount?: { total?: unknown; payer_total?: unknown; currency?: unknown };
}

const TRADE_STATES: Record<string, ProviderTradeState> = {
  SUCCESS: 'paid',
  REFUND: 'refunded',
  NOTPAY: 'pending',
  USERPAYING: 'pending',
  PAYERROR: 'pending',
  CLOSED: 'closed',
  REVOKED: 'closed',
};

/**
 * 《支付通知》: success is 200 or 204 without a body; anything else (4xx/5xx with code FAIL) makes WeChat Pay
 * deliver again later. A refusal is the sender's problem (or one a later delivery may not have), so it is a
 * 400: a 500 from us always means a fault of ours.
 */
export function wechatNoticeReply(accepted: boolean): ProviderReply {
  return accepted
    ? { status: 204, contentType: 'application/json', body: '' }
    : { status: 400, contentType: 'application/json', body: JSON.stringify({ code: 'FAIL', message: '失败' }) };
}

export function wechatPayProvider(cfg: WechatPayConfig, transport: HttpTransport, now: () => Date = () => new Date()): PaymentProvider {
  const mchKey = privateKeyFrom(cfg.mchPrivateKeyPem);
  const platform = new Map(Object.entries(cfg.platformKeys).map(([serial, pem]) => [serial, publicKeyFrom(pem)]));
  if (Buffer.byteLength(cfg.apiV3Key, 'utf8') !== 32) throw new Error('WeChat Pay APIv3 key must be 32 bytes');

  /** Checks a Wechatpay-Signature over "timestamp\nnonce\nbody\n"; returns the reason when it fails. */
  function checkSigned(headers: Record<string, string | string[] | undefined>, body: string, at: Date): string | null {
    const serial = headerOf(headers, 'wechatpay-serial');
    const signature = headerOf(headers, 'wechatpay-signature');
    const timestamp = headerOf(headers, 'wechatpay-timestamp');
    const nonce = headerOf(headers, 'wechatpay-nonce');
    if (!serial || !signature || !timestamp || !nonce) return 'missing_signature_headers';
    const key = platform.get(serial);
    if (!key) return 'unknown_serial';
    if (!/^\d{1,12}$/.test(timestamp)) return 'bad_timestamp';
    if (Math.abs(Number(timestamp) - Math.floor(at.getTime() / 1000)) > WECHAT_MAX_SKEW_SECONDS) return 'stale_timestamp';
    // Header values are Latin-1 on the wire; the signature covers the body's exact UTF-8 text.
    if (!rsaVerify(wechatResponseMessage(timestamp, nonce, body), signature, key)) return 'bad_signature';
    return null;
  }

  async function call(method: 'GET' | 'POST', urlPath: string, payload?: unknown): Promise<HttpResponse> {
    const body = payload === undefined ? '' : JSON.stringify(payload);
    const timestamp = String(Math.floor(now().getTime() / 1000));
    const authorization = wechatAuthorization({
      mchid: cfg.mchid,
      serial: cfg.mchSerial,
      key: mchKey,
      method,
      urlPath,
      body,
      timestamp,
      nonce: nonceStr(),
    });
    const res = await transport({
      method,
      url: cfg.baseUrl.replace(/\/+$/, '') + urlPath,
      headers: {
        authorization,
        accept: 'application/json',
        'user-agent': 'CertDesk/1.0',
        ...(payload === undefined ? {} : { 'content-type': 'application/json' }),
      },
      body,
    });
    // Every answer, error answers included, is signed; an unsigned or wrongly signed one is not believed.
    const problem = checkSigned(res.headers, res.body, now());
    if (problem) throw new ProviderError('wechat', 'BAD_RESPONSE', `response signature: ${problem}`, res.status);
    if (res.status >= 300) {
      let err: { code?: string; message?: string } = {};
      try {
        err = JSON.parse(res.body) as typeof err;
      } catch {
        /* keep the status */
      }
      throw new ProviderError('wechat', err.code ?? `HTTP_${res.status}`, err.message ?? res.body.slice(0, 200), res.status);
    }
    return res;
  }

  const json = (res: HttpResponse): Record<string, unknown> => {
    try {
      return JSON.parse(res.body) as Record<string, unknown>;
    } catch {
      throw new ProviderError('wechat', 'BAD_RESPONSE', 'not JSON', res.status);
    }
  };
  /** The fields Native and H5 orders share (《Native下单》《H5下单》). */
  const order = (req: CreatePaymentRequest) => ({
    appid: cfg.appid,
    mchid: cfg.mchid,
    description: req.description,
    out_trade_no: req.outTradeNo,
    time_expire: rfc3339Beijing(req.expiresAt),
    notify_url: cfg.notifyUrl,
    amount: { total: req.amountFen, currency: 'CNY' },
  });
  const tradePath = (no: string) => `/v3/pay/transactions/out-trade-no/${encodeURIComponent(no)}`;

  return {
    channel: 'wechat',
    sandbox: cfg.sandbox ?? false,

    async create(req: CreatePaymentRequest) {
      const res = await call('POST', '/v3/pay/transactions/native', order(req));
      const codeUrl = json(res).code_url;
      if (typeof codeUrl !== 'string' || !codeUrl) throw new ProviderError('wechat', 'BAD_RESPONSE', 'no code_url', res.status);
      return { codeUrl };
    },

    async createForPhone(req: CreatePhonePaymentRequest) {
      const res = await call('POST', '/v3/pay/transactions/h5', {
        ...order(req),
        scene_info: { payer_client_ip: req.payerIp, h5_info: { type: 'Wap' } },
      });
      const h5Url = json(res).h5_url;
      if (typeof h5Url !== 'string' || !h5Url) throw new ProviderError('wechat', 'BAD_RESPONSE', 'no h5_url', res.status);
      // 《H5调起支付》: the merchant appends redirect_url (URL-encoded) for the way back after the cashier; its
      // domain must be the H5 payment domain configured at 商户平台, and h5_url lives five minutes.
      return { payUrl: `${h5Url}${h5Url.includes('?') ? '&' : '?'}redirect_url=${encodeURIComponent(req.returnUrl)}` };
    },

    async query(outTradeNo: string): Promise<ProviderTrade> {
      let res: HttpResponse;
      try {
        res = await call('GET', `${tradePath(outTradeNo)}?mchid=${encodeURIComponent(cfg.mchid)}`);
      } catch (e) {
        if (e instanceof ProviderError && e.code === 'ORDER_NOT_EXIST') return { outTradeNo, state: 'not_found' };
        throw e;
      }
      const t = json(res) as WechatTransaction;
      if (t.mchid !== cfg.mchid || t.out_trade_no !== outTradeNo)
        throw new ProviderError('wechat', 'BAD_RESPONSE', 'answer is about another merchant or trade', res.status);
      const state = TRADE_STATES[String(t.trade_state)];
      if (!state) throw new ProviderError('wechat', 'BAD_RESPONSE', `unknown trade_state ${String(t.trade_state)}`, res.status);
      const out: ProviderTrade = { outTradeNo, state };
      if (state === 'paid' || state === 'refunded') {
        if (typeof t.transaction_id === 'string') out.transactionId = t.transaction_id;
        if (Number.isSafeInteger(t.amount?.total)) out.amountFen = t.amount!.total as number;
        if (typeof t.success_time === 'string' && !Number.isNaN(Date.parse(t.success_time))) out.paidAt = new Date(t.success_time);
      }
      return out;
    },

    async close(outTradeNo: string) {
      await call('POST', `${tradePath(outTradeNo)}/close`, { mchid: cfg.mchid });
    },

    async refund(req: RefundRequest) {
      // out_refund_no makes the request idempotent at WeChat Pay: a retry returns the same refund.
      const res = await call('POST', '/v3/refund/domestic/refunds', {
        out_trade_no: req.outTradeNo,
        out_refund_no: req.outRefundNo,
        reason: req.reason.slice(0, 80),
        amount: { refund: req.amountFen, total: req.totalFen, currency: 'CNY' },
      });
      const r = json(res);
      if (typeof r.refund_id !== 'string') throw new ProviderError('wechat', 'BAD_RESPONSE', 'no refund_id', res.status);
      if (r.status === 'ABNORMAL' || r.status === 'CLOSED')
        throw new ProviderError('wechat', `REFUND_${String(r.status)}`, 'refund failed', res.status);
      return { refundId: r.refund_id, state: r.status === 'SUCCESS' ? 'success' : 'processing' };
    },

    verifyNotice(req: NoticeRequest, at: Date): VerifiedNotice {
      const problem = checkSigned(req.headers, req.rawBody, at);
      if (problem) throw new NoticeRejected(problem, { serial: headerOf(req.headers, 'wechatpay-serial') });
      let notice: {
        event_type?: unknown;
        resource?: { algorithm?: unknown; ciphertext?: unknown; associated_data?: unknown; nonce?: unknown };
      };
      try {
        notice = JSON.parse(req.rawBody) as typeof notice;
      } catch {
        throw new NoticeRejected('bad_body');
      }
      const r = notice.resource;
      if (!r || r.algorithm !== 'AEAD_AES_256_GCM' || typeof r.ciphertext !== 'string' || typeof r.nonce !== 'string')
        throw new NoticeRejected('bad_resource');
      let t: WechatTransaction;
      try {
        t = JSON.parse(
          aesGcmDecrypt(cfg.apiV3Key, r.nonce, typeof r.associated_data === 'string' ? r.associated_data : '', r.ciphertext),
        ) as WechatTransaction;
      } catch {
        throw new NoticeRejected('decrypt_failed');
      }
      if (t.mchid !== cfg.mchid) throw new NoticeRejected('foreign_mchid', { mchid: t.mchid });
      if (t.appid !== cfg.appid) throw new NoticeRejected('foreign_appid', { appid: t.appid });
      if (typeof t.out_trade_no !== 'string' || !t.out_trade_no) throw new NoticeRejected('no_out_trade_no');
      const total = t.amount?.total;
      if (typeof total !== 'number' || !Number.isSafeInteger(total) || total < 0) throw new NoticeRejected('bad_amount', { total });
      if (t.amount?.currency !== undefined && t.amount.currency !== 'CNY')
        throw new NoticeRejected('bad_currency', { currency: t.amount.currency });
      const state = typeof t.trade_state === 'string' ? t.trade_state : '';
      const paid = state === 'SUCCESS';
      if (paid && (typeof t.transaction_id !== 'string' || !t.transaction_id)) throw new NoticeRejected('no_transaction_id');
      const paidAt = typeof t.success_time === 'string' ? new Date(t.success_time) : new Date(NaN);
      if (paid && Number.isNaN(paidAt.getTime())) throw new NoticeRejected('bad_success_time', { success_time: t.success_time });
      return {
        channel: 'wechat',
        outTradeNo: t.out_trade_no,
        paid,
        providerState: state,
        transactionId: typeof t.transaction_id === 'string' ? t.transaction_id : '',
        amountFen: total,
        paidAt: Number.isNaN(paidAt.getTime()) ? at : paidAt,
      };
    },

    reply: wechatNoticeReply,
  };
}
