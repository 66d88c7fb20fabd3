/**
 * Aliyun SMS (短信服务, dysmsapi 2017-05-25) SendSms over its published RPC protocol:
 * the request is a set of query parameters signed with HMAC-SHA1 (signature version 1.0):
 *   StringToSign = METHOD & percentEncode("/") & percentEncode(canonicalized sorted query)
 *   Signature    = base64(HMAC-SHA1(AccessKeySecret + "&", StringToSign))
 * and the answer is JSON { Code: "OK", BizId, RequestId, Message }.
 *
 * The transport is injected: over HTTPS to Aliyun in production, or straight into the sandbox gateway
 * (adapters/sms/sandbox-gateway.ts), which verifies the same signature — so this code runs in every test.
 */
import { createHmac, randomUUID } from 'node:crypto';
import { describeError } from '../../logging.js';
import { SmsError, type SmsMessage, type SmsSender, type SmsTemplate } from './port.js';

export interface AliyunSmsOptions {
  accessKeyId: string;
  accessKeySecret: string;
  signName: string;
  /** Our template name → the TemplateCode approved at Aliyun. */
  /** Our template name → its TemplateCode at Aliyun; a template without one cannot be sent (never retried). */
  templates: Partial<Record<SmsTemplate, string>>;
  transport: SmsTransport;
  now?: () => Date;
}

export type SmsTransport = (method: 'POST', params: Record<string, string>) => Promise<{ status: number; body: unknown }>;

/** RFC 3986 encoding as Aliyun's POP signature requires (space → %20, * → %2A, ~ kept). */
export function percentEncode(s: string): string {
  return encodeURIComponent(s)
    .replace(/\+/g, '%20')
    .replace(/\*/g, '%2A')
    .replace(/%7E/g, '~')
    .replace(/[!'()]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

export function canonicalQuery(params: Record<string, string>): string {
  return Object.keys(params)
    .filter((k) => k !== 'Signature')
    .sort()
    .map((k) => `${percentEncode(k)}=${percentEncode(params[k]!)}`)
    .join('&');
}

export function signPop(method: string, params: Record<string, string>, secret: string): string {
  const stringToSign = `${method}&${percentEncode('/')}&${percentEncode(canonicalQuery(params))}`;
  return createHmac('sha1', `${secret}&`).update(stringToSign).digest('base64');
}

export function aliyunSms(opts: AliyunSmsOptions): SmsSender {
  const now = opts.now ?? (() => new Date());
  const templateCode = (t: SmsTemplate): string => {
    const code = opts.templates[t];
    if (!code) throw new SmsError(`no Aliyun TemplateCode configured for ${t}`, false);
    return code;
  };
  return {
    name: 'aliyun',
    async send(msg: SmsMessage) {
      const params: Record<string, string> = {
        AccessKeyId: opts.accessKeyId,
        Action: 'SendSms',
        Format: 'JSON',
        PhoneNumbers: msg.phoneNumber,
        RegionId: 'cn-hangzhou',
        SignName: opts.signName,
        SignatureMethod: 'HMAC-SHA1',
        SignatureNonce: randomUUID(),
        SignatureVersion: '1.0',
        TemplateCode: templateCode(msg.template),
        TemplateParam: JSON.stringify(msg.params),
        Timestamp: now()
          .toISOString()
          .replace(/\.\d{3}Z$/, 'Z'),
        Version: '2017-05-25',
      };
      params.Signature = signPop('POST', params, opts.accessKeySecret);
      let res: { status: number; body: unknown };
      try {
        res = await opts.transport('POST', params);
      } catch (e) {
        // describeError: the in-process sandbox's failed query would put the SMS text (a code) in the message.
        throw new SmsError(`transport: ${describeError(e)}`, true, { cause: e });
      }
      const body = (res.body ?? {}) as { Code?: string; Message?: string; BizId?: string };
      if (res.status === 200 && body.Code === 'OK' && body.BizId) return { providerMessageId: body.BizId };
      // Throttling and server-side errors are worth retrying; a bad number or template is not.
      const retryable = res.status >= 500 || /Throttling|LIMIT_CONTROL|ServiceUnavailable/i.test(body.Code ?? '');
      throw new SmsError(`aliyun ${res.status} ${body.Code ?? ''} ${body.Message ?? ''}`.trim(), retryable);
    },
  };
}

/** The HTTPS transport for the real gateway: form-encoded POST, JSON answer. */
export function httpTransport(endpoint: string, timeoutMs = 10_000): SmsTransport {
  return async (method, params) => {
    const res = await fetch(endpoint, {
      method,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams(params).toString(),
      signal: AbortSignal.timeout(timeoutMs),
    });
    const text = await res.text();
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      body = { Code: 'BadResponse', Message: text.slice(0, 200) };
    }
    return { status: res.status, body };
  };
}
