/**
 * The payment port: what the payments module asks of a provider (WeChat Pay API v3 Native and H5, Alipay
 * 当面付 precreate and 手机网站支付 wap.pay), implemented by a real adapter per provider and used in development and tests against the
 * sandbox provider, which speaks the same protocols with locally generated keys. So the real request
 * signing and the real notification verification run in every test and demo.
 *
 * Amounts are fen (integers) everywhere on this side of the adapter; the Alipay adapter converts its
 * decimal strings exactly (never through a float).
 */

export type PayChannel = 'wechat' | 'alipay';
export const PAY_CHANNEL_NAMES: Record<PayChannel, string> = { wechat: '微信支付', alipay: '支付宝' };

export interface CreatePaymentRequest {
  /** Our merchant order number for this attempt (out_trade_no): unique per attempt, ≤ 32 chars, [0-9A-Za-z_-]. */
  outTradeNo: string;
  amountFen: number;
  /** What it buys, shown to the payer (WeChat description / Alipay subject), ≤ 127 bytes of UTF-8. */
  description: string;
  /** After this the provider refuses to take the payment (WeChat time_expire / Alipay timeout_express). */
  expiresAt: Date;
}

export interface CreatedPayment {
  /** The text to show as a QR code (WeChat code_url / Alipay qr_code). */
  codeUrl: string;
}

/**
 * How the payer pays: qr = scanning a QR code with a phone (Native / precreate); h5 = in the phone's own
 * browser (WeChat Pay H5 / Alipay 手机网站支付), the browser sent to the provider's cashier and back.
 */
export type PayKind = 'qr' | 'h5';
export const PAY_KINDS = ['qr', 'h5'] as const satisfies readonly PayKind[];

export interface CreatePhonePaymentRequest extends CreatePaymentRequest {
  /** The payer's IP as our server saw it (WeChat H5 scene_info.payer_client_ip; WeChat compares it). */
  payerIp: string;
  /** Where the payer's browser comes back after paying or giving up: the order's pay page (absolute URL). */
  returnUrl: string;
}

export interface CreatedPhonePayment {
  /** Where to send the phone's browser: WeChat's h5_url with our redirect_url, or Alipay's signed gateway URL. */
  payUrl: string;
}

export type ProviderTradeState = 'pending' | 'paid' | 'closed' | 'refunded' | 'not_found';

export interface ProviderTrade {
  outTradeNo: string;
  state: ProviderTradeState;
  /** 微信支付订单号 / 支付宝交易号, once paid. */
  transactionId?: string;
  /** What was paid, in fen, once paid. */
  amountFen?: number;
  paidAt?: Date;
}

/** A notification exactly as it arrived over HTTP: the raw body is what the signature covers. */
export interface NoticeRequest {
  headers: Record<string, string | string[] | undefined>;
  rawBody: string;
}

/**
 * A notification whose signature, freshness, merchant identity and (WeChat) ciphertext have been checked.
 * Whether it matches one of our attempts, its amount, and the order's status are the module's checks.
 */
export interface VerifiedNotice {
  channel: PayChannel;
  outTradeNo: string;
  /** The provider said the trade succeeded (WeChat trade_state SUCCESS; Alipay TRADE_SUCCESS/TRADE_FINISHED). */
  paid: boolean;
  /** The provider's state word as it came (for logs and refusals). */
  providerState: string;
  transactionId: string;
  amountFen: number;
  paidAt: Date;
}

/** Thrown by verifyNotice: the reason is for logs and the audit trail, never shown to the caller. */
export class NoticeRejected extends Error {
  constructor(
    readonly reason: string,
    readonly detail: Record<string, unknown> = {},
  ) {
    super(reason);
  }
}

export interface RefundRequest {
  outTradeNo: string;
  /** Our refund number (out_refund_no / out_request_no): unique; retries reuse it, so a refund happens once. */
  outRefundNo: string;
  amountFen: number;
  totalFen: number;
  reason: string;
}

export interface RefundResult {
  /** The provider's refund id (WeChat refund_id; Alipay has none of its own: its trade_no is used). */
  refundId: string;
  state: 'success' | 'processing';
}

export interface ProviderReply {
  status: number;
  contentType: string;
  body: string;
}

export interface PaymentProvider {
  readonly channel: PayChannel;
  /** True for the sandbox: pages say so. */
  readonly sandbox: boolean;
  create(req: CreatePaymentRequest): Promise<CreatedPayment>;
  /** Starts a payment in the phone's browser (WeChat Pay H5 / Alipay alipay.trade.wap.pay). */
  createForPhone(req: CreatePhonePaymentRequest): Promise<CreatedPhonePayment>;
  /** Active query, for a notification that is late. */
  query(outTradeNo: string): Promise<ProviderTrade>;
  /** Closes an unpaid attempt (expired or replaced), so it can no longer be paid. */
  close(outTradeNo: string): Promise<void>;
  refund(req: RefundRequest): Promise<RefundResult>;
  /** Verifies a payment notification; throws NoticeRejected on any failure. Pure: changes nothing. */
  verifyNotice(req: NoticeRequest, now: Date): VerifiedNotice;
  /** What to answer the provider: accepted only after the commit; refused so that it retries or gives up. */
  reply(accepted: boolean): ProviderReply;
}

/**
 * The provider answered a request with an error (WeChat Pay: a 4xx/5xx with {code, message}; Alipay: a
 * response node whose code is not 10000), or its answer could not be trusted (bad response signature).
 * `code` is the provider's own word (e.g. ORDER_NOT_EXIST, ACQ.TRADE_NOT_EXIST, SIGN_ERROR, BAD_RESPONSE).
 */
export class ProviderError extends Error {
  constructor(
    readonly channel: PayChannel,
    readonly code: string,
    message: string,
    readonly status?: number,
  ) {
    super(`${channel}: ${code}: ${message}`);
  }
}
