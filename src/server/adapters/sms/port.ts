/**
 * The SMS port. Use cases never talk to a gateway; they enqueue an outbox row, and the outbox worker hands
 * it to an SmsSender after commit.
 */
import { UKEY_PIN_SMS } from '../../../core/content/downloads.js';

export type SmsTemplate =
  | 'password_reset'
  | 'review_passed'
  | 'review_failed'
  | 'paid'
  | 'paper_failed'
  | 'shipped'
  | 'revocation_code'
  | 'expiry_reminder'
  | 'renewal_code'
  | 'ukey_unlock_code';

/** The texts as approved with the provider (Aliyun templates use ${name} placeholders). */
export const SMS_TEMPLATES: Record<SmsTemplate, { text: string; sensitive: string[] }> = {
  password_reset: {
    text: '您正在重置江西CA数字证书在线受理系统的登录密码，验证码${code}，10分钟内有效。如非本单位操作，请忽略本短信。',
    sensitive: ['code'],
  },
  review_passed: {
    text: '${unit}：您的数字证书订单${orderNo}资料审核通过，请登录江西CA数字证书在线受理系统付款，付款后邮寄纸质资料。',
    sensitive: [],
  },
  review_failed: {
    text: '${unit}：您的数字证书订单${orderNo}资料审核失败，请登录江西CA数字证书在线受理系统“我的订单”查看原因，修改后重新提交。',
    sensitive: [],
  },
  paid: {
    text: '${unit}：您的数字证书订单${orderNo}已付款${amount}元。请将纸质资料原件寄至${mailAddress}，收件人${mailRecipient}，电话${mailPhone}，申请表左上角写明订单编号；需邮寄的资料见订单页面，寄出后登录江西CA数字证书在线受理系统填写快递单号。',
    sensitive: [],
  },
  paper_failed: {
    text: '您的数字证书订单${orderNo}纸质资料需补寄：${missing}。请按要求补寄，如有疑问请致电400-800-1040。',
    sensitive: [],
  },
  shipped: {
    // The UKEY's initial PIN is in the envelope shipped with it (core/content/downloads.ts): the SMS says where.
    text: '您的数字证书订单${orderNo}已用顺丰到付寄出，运单号${trackingNo}，请注意查收。' + UKEY_PIN_SMS,
    sensitive: [],
  },
  revocation_code: {
    text: '您正在申请吊销序列号尾号${serialTail}的数字证书，验证码${code}，10分钟内有效。证书吊销后不可恢复，如非本单位操作，请勿告知他人并致电400-800-1040。',
    sensitive: ['code'],
  },
  expiry_reminder: {
    text: '${unit}：您单位的数字证书（${project}，${keyType}）将于${date}到期，还剩${days}天。请在到期前携带证书UKEY及密码到江西CA办证大厅或各地受理点办理续费，受理点地址可登录江西CA数字证书在线受理系统“现场办理”查看，“我的证书”可查看全部证书。咨询电话400-800-1040。',
    sensitive: [],
  },
  renewal_code: {
    text: '您正在在线续费序列号尾号${serialTail}的数字证书，验证码${code}，10分钟内有效。如非本单位操作，请勿告知他人并致电400-800-1040。',
    sensitive: ['code'],
  },
  ukey_unlock_code: {
    text: '您正在申请在线解锁序列号尾号${tokenTail}的UKEY（重置用户口令），验证码${code}，10分钟内有效。如非本单位操作，请勿告知他人并致电400-800-1040。',
    sensitive: ['code'],
  },
};

/** What each template is for, as staff call it. */
export const SMS_TEMPLATE_NAMES: Record<SmsTemplate, string> = {
  password_reset: '找回密码验证码',
  review_passed: '资料审核通过',
  review_failed: '资料审核失败',
  paid: '付款成功',
  paper_failed: '纸质资料需补寄',
  shipped: '证书已寄出（顺丰）',
  revocation_code: '申请吊销证书验证码',
  expiry_reminder: '证书到期提醒（到期前90、30、7天）',
  renewal_code: '在线续费证书验证码',
  ukey_unlock_code: 'UKEY 在线解锁验证码',
};

/** Environment variable holding each template's Aliyun TemplateCode (the text must match the approved one). */
export const ALIYUN_TEMPLATE_ENV: Record<SmsTemplate, string> = {
  password_reset: 'ALIYUN_SMS_TEMPLATE_RESET',
  review_passed: 'ALIYUN_SMS_TEMPLATE_REVIEW_PASSED',
  review_failed: 'ALIYUN_SMS_TEMPLATE_REVIEW_FAILED',
  paid: 'ALIYUN_SMS_TEMPLATE_PAID',
  paper_failed: 'ALIYUN_SMS_TEMPLATE_PAPER_FAILED',
  shipped: 'ALIYUN_SMS_TEMPLATE_SHIPPED',
  revocation_code: 'ALIYUN_SMS_TEMPLATE_REVOCATION_CODE',
  expiry_reminder: 'ALIYUN_SMS_TEMPLATE_EXPIRY_REMINDER',
  renewal_code: 'ALIYUN_SMS_TEMPLATE_RENEWAL_CODE',
  ukey_unlock_code: 'ALIYUN_SMS_TEMPLATE_UKEY_UNLOCK_CODE',
};

export interface SmsMessage {
  phoneNumber: string;
  template: SmsTemplate;
  params: Record<string, string>;
}

export interface SmsSender {
  readonly name: string;
  send(msg: SmsMessage): Promise<{ providerMessageId: string }>;
}

export function renderSms(template: SmsTemplate, params: Record<string, string>): string {
  return SMS_TEMPLATES[template].text.replace(/\$\{(\w+)\}/g, (_, k: string) => params[k] ?? '');
}

/** A failure the worker may retry (network, throttling at the provider) vs one it must not (bad number). */
export class SmsError extends Error {
  constructor(
    message: string,
    readonly retryable: boolean,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}
