/**
 * The sandbox SMS gateway: it speaks Aliyun's SendSms protocol (signed query parameters in, JSON out),
 * verifies the signature with the sandbox key, and instead of delivering to a phone stores the message in
 * `sandbox_sms`, which the development inbox (/dev/inbox) shows. Mounted in-process by default and also
 * over HTTP at /sandbox/dysmsapi, so the real HTTP transport can be pointed at it.
 */
import { randomUUID } from 'node:crypto';
import type { Clock } from '../../clock.js';
import type { Db } from '../../db/client.js';
import { safeEqual } from '../../crypto.js';
import { smsTemplateRepository } from '../../modules/notifications/repository.js';
import { sandboxInboxRepository } from '../../modules/sandbox-inbox/repository.js';
import { aliyunSms, signPop, type SmsTransport } from './aliyun.js';
import { renderSms, SMS_TEMPLATES, type SmsSender, type SmsTemplate } from './port.js';

/**
 * The text the sandbox "approved" for a template: the administrator's edit (sms_templates) when there is
 * one, else the default — as Aliyun renders the template approved under the TemplateCode it is sent.
 */
async function renderApproved(db: Db, template: SmsTemplate, params: Record<string, string>): Promise<string> {
  const edited = await smsTemplateRepository.find(db, template);
  if (!edited) return renderSms(template, params);
  return edited.text.replace(/\$\{(\w+)\}/g, (_, k: string) => params[k] ?? '');
}

export const SANDBOX_SMS_KEY = { accessKeyId: 'SANDBOXKEYID', accessKeySecret: 'sandbox-secret', signName: '江西CA（沙箱）' };
const SANDBOX_TEMPLATES = Object.fromEntries(Object.keys(SMS_TEMPLATES).map((k) => [k, `SMS_SANDBOX_${k.toUpperCase()}`])) as Record<
  SmsTemplate,
  string
>;
const TEMPLATE_BY_CODE = Object.fromEntries(Object.entries(SANDBOX_TEMPLATES).map(([k, v]) => [v, k as SmsTemplate]));

export function sandboxSmsGateway(deps: { db: Db; clock: Clock }) {
  const handle: SmsTransport = async (method, params) => {
    const requestId = randomUUID();
    const fail = (status: number, Code: string, Message: string) => ({ status, body: { Code, Message, RequestId: requestId } });
    if (params.AccessKeyId !== SANDBOX_SMS_KEY.accessKeyId)
      return fail(404, 'InvalidAccessKeyId.NotFound', 'Specified access key is not found.');
    if (!params.Signature || !safeEqual(params.Signature, signPop(method, params, SANDBOX_SMS_KEY.accessKeySecret)))
      return fail(400, 'SignatureDoesNotMatch', 'Specified signature is not matched with our calculation.');
    const ts = Date.parse(params.Timestamp ?? '');
    if (!Number.isFinite(ts) || Math.abs(ts - deps.clock.now().getTime()) > 15 * 60_000)
      return fail(400, 'InvalidTimeStamp.Expired', 'Specified time stamp or date value is expired.');
    if (params.Action !== 'SendSms' || params.Version !== '2017-05-25') return fail(400, 'InvalidAction', 'Unsupported action.');
    const template = TEMPLATE_BY_CODE[params.TemplateCode ?? ''];
    if (!template) return fail(200, 'isv.SMS_TEMPLATE_ILLEGAL', '模板不合法(不存在或被拉黑)');
    if (!/^1[3-9]\d{9}$/.test(params.PhoneNumbers ?? '')) return fail(200, 'isv.MOBILE_NUMBER_ILLEGAL', '非法手机号');
    let templateParam: Record<string, string>;
    try {
      templateParam = JSON.parse(params.TemplateParam ?? '{}') as Record<string, string>;
    } catch {
      return fail(200, 'isv.INVALID_JSON_PARAM', 'JSON参数不合法');
    }
    const bizId = `${Date.now()}^${Math.floor(Math.random() * 1e9)}`;
    await sandboxInboxRepository.insertSms(deps.db, {
      bizId,
      phoneNumber: params.PhoneNumbers!,
      signName: params.SignName ?? '',
      templateCode: params.TemplateCode!,
      templateParam,
      text: `【${params.SignName}】${await renderApproved(deps.db, template, templateParam)}`,
      receivedAt: deps.clock.now(),
    });
    return { status: 200, body: { Code: 'OK', Message: 'OK', BizId: bizId, RequestId: requestId } };
  };
  return { handle };
}

/** The default SMS sender in development and tests: the real Aliyun client talking to the sandbox gateway. */
export function sandboxSmsSender(deps: { db: Db; clock: Clock }): SmsSender {
  const gw = sandboxSmsGateway(deps);
  const sender = aliyunSms({ ...SANDBOX_SMS_KEY, templates: SANDBOX_TEMPLATES, transport: gw.handle, now: () => deps.clock.now() });
  return { name: 'sandbox', send: (m) => sender.send(m) };
}
