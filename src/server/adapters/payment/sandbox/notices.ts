/**
 * Payment notifications as the providers send them, built and signed by the sandbox with its provider-side
 * keys: WeChat Pay's JSON with the transaction AEAD_AES_256_GCM-encrypted under the APIv3 key and the
 * Wechatpay-* signature headers (platform key + its serial); Alipay's form signed RSA2 with the "Alipay" key.
 * Knobs let tests forge one property at a time (the forged-notification tests).
 */
import { randomBytes, randomUUID, sign } from 'node:crypto';
import { aesGcmEncrypt, beijingDateTime, nonceStr, privateKeyFrom, rfc3339Beijing, rsaSign } from '../crypto.js';
import { wechatResponseMessage } from '../wechatpay.js';
import { alipaySignContent } from '../alipay.js';
import type { NoticeRequest } from '../port.js';
import { fenToYuanText } from '../../../../core/money.js';
import type { SandboxKeys } from './keys.js';

export interface WechatNoticeOptions {
  outTradeNo: string;
  transactionId?: string;
  amountFen: number;
  /** SUCCESS by default. */
  tradeState?: string;
  paidAt?: Date;
  mchid?: string;
  appid?: string;
  /** The Wechatpay-Timestamp; default now. */
  timestamp?: Date;
  /** The Wechatpay-Serial; default the sandbox platform key's. */
  serial?: string;
  flipCiphertextBit?: boolean;
  badSignature?: boolean;
}

export interface AlipayNoticeOptions {
  outTradeNo: string;
  amountFen: number;
  /** Overrides total_amount's text (e.g. "220.001", "2.2e2"). */
  totalAmount?: string;
  tradeNo?: string;
  /** TRADE_SUCCESS by default. */
  tradeStatus?: string;
  paidAt?: Date;
  appId?: string;
  sellerId?: string;
  /** RSA2 by default; "RSA" signs with SHA1withRSA as Alipay's old RSA did. */
  signType?: string;
  badSignature?: boolean;
  notifyTime?: Date;
}

const digits = (n: number) => Array.from(randomBytes(n), (b) => String(b % 10)).join('');
export const newWechatTransactionId = () => `4200${digits(24)}`;
export const newAlipayTradeNo = (at: Date) => `${beijingDateTime(at).replace(/\D/g, '').slice(0, 8)}22001${digits(15)}`;

export function wechatNotice(keys: SandboxKeys['wechat'], o: WechatNoticeOptions): NoticeRequest {
  const at = o.timestamp ?? new Date();
  const paidAt = o.paidAt ?? at;
  const state = o.tradeState ?? 'SUCCESS';
  const transaction = {
    mchid: o.mchid ?? keys.mchid,
    appid: o.appid ?? keys.appid,
    out_trade_no: o.outTradeNo,
    transaction_id: o.transactionId ?? newWechatTransactionId(),
    trade_type: 'NATIVE',
    trade_state: state,
    trade_state_desc: state === 'SUCCESS' ? '支付成功' : state,
    bank_type: 'OTHERS',
    attach: '',
    success_time: rfc3339Beijing(paidAt),
    payer: { openid: 'oSandboxPayer0000000000000000' },
    amount: { total: o.amountFen, payer_total: o.amountFen, currency: 'CNY', payer_currency: 'CNY' },
  };
  const nonce = nonceStr(12);
  let ciphertext = aesGcmEncrypt(keys.apiV3Key, nonce, 'transaction', JSON.stringify(transaction));
  if (o.flipCiphertextBit) {
    const b = Buffer.from(ciphertext, 'base64');
    b[Math.floor(b.length / 3)]! ^= 0x01;
    ciphertext = b.toString('base64');
  }
  const body = JSON.stringify({
    id: randomUUID(),
    create_time: rfc3339Beijing(at),
    resource_type: 'encrypt-resource',
    event_type: 'TRANSACTION.SUCCESS',
    summary: '支付成功',
    resource: { original_type: 'transaction', algorithm: 'AEAD_AES_256_GCM', ciphertext, associated_data: 'transaction', nonce },
  });
  const timestamp = String(Math.floor(at.getTime() / 1000));
  const headerNonce = nonceStr();
  const key = privateKeyFrom(keys.platformPrivatePem);
  const signature = rsaSign(wechatResponseMessage(timestamp, headerNonce, o.badSignature ? `${body} ` : body), key);
  return {
    headers: {
      'content-type': 'application/json',
      'wechatpay-serial': o.serial ?? keys.platformSerial,
      'wechatpay-signature': signature,
      'wechatpay-timestamp': timestamp,
      'wechatpay-nonce': headerNonce,
      'wechatpay-signature-type': 'WECHATPAY2-SHA256-RSA2048',
    },
    rawBody: body,
  };
}

export function alipayNotice(keys: SandboxKeys['alipay'], o: AlipayNoticeOptions): NoticeRequest {
  const at = o.notifyTime ?? new Date();
  const paidAt = o.paidAt ?? at;
  const amount = o.totalAmount ?? fenToYuanText(o.amountFen);
  const signType = o.signType ?? 'RSA2';
  const params: Record<string, string> = {
    notify_time: beijingDateTime(at),
    notify_type: 'trade_status_sync',
    notify_id: randomBytes(16).toString('hex'),
    charset: 'utf-8',
    version: '1.0',
    sign_type: signType,
    app_id: o.appId ?? keys.appId,
    trade_no: o.tradeNo ?? newAlipayTradeNo(paidAt),
    out_trade_no: o.outTradeNo,
    seller_id: o.sellerId ?? keys.sellerId,
    buyer_id: '2088102177846880',
    buyer_logon_id: 'san***@sandbox.com',
    trade_status: o.tradeStatus ?? 'TRADE_SUCCESS',
    total_amount: amount,
    receipt_amount: amount,
    buyer_pay_amount: amount,
    invoice_amount: amount,
    subject: '沙箱支付',
    gmt_create: beijingDateTime(paidAt),
    gmt_payment: beijingDateTime(paidAt),
    fund_bill_list: JSON.stringify([{ amount, fundChannel: 'ALIPAYACCOUNT' }]),
  };
  const content = alipaySignContent(params, ['sign', 'sign_type']) + (o.badSignature ? '&x=1' : '');
  const key = privateKeyFrom(keys.alipayPrivatePem);
  params.sign = signType === 'RSA' ? sign('sha1', Buffer.from(content, 'utf8'), key).toString('base64') : rsaSign(content, key);
  return {
    headers: { 'content-type': 'application/x-www-form-urlencoded; charset=utf-8' },
    rawBody: new URLSearchParams(params).toString(),
  };
}
