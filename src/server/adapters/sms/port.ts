/**
 * The SMS port. Use cases never talk to a gateway; they enqueue an outbox row, and the outbox worker hands
 * it to an SmsSender after commit.
 */
export type SmsTemplate = 'password_reset';

/** The texts as approved with the provider (Aliyun templates use ${name} placeholders). */
export const SMS_TEMPLATES: Record<SmsTemplate, { text: string; sensitive: string[] }> = {
  password_reset: {
    text: '您正在重置江西CA数字证书在线受理系统的登录密码，验证码${code}，10分钟内有效。如非本单位操作，请忽略本短信。',
    sensitive: ['code'],
  },
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
  ) {
    super(message);
  }
}
