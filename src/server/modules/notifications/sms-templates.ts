/**
 * SMS texts an administrator can edit. The code holds each template's default (adapters/sms/port.ts); an
 * edit is stored in `sms_templates` and is what the sandbox gateway renders. With the real Aliyun adapter
 * the text a phone receives is the template approved at Aliyun under the TemplateCode configured in the
 * environment — an edit here must be approved there too, which is why every placeholder of the default
 * has to stay (the parameters we send are fixed by the code).
 */
import { AppError } from '../../../core/errors.js';
import { ALIYUN_TEMPLATE_ENV, SMS_TEMPLATE_NAMES, SMS_TEMPLATES, type SmsTemplate } from '../../adapters/sms/port.js';
import type { Db, DbOrTx } from '../../db/client.js';
import { auditRepository } from '../audit/repository.js';
import type { RequestMeta } from '../deps.js';
import { staffRepository } from '../staff/repository.js';
import { smsTemplateRepository } from './repository.js';
import type { StaffActor } from '../staff/staff-accounts.js';

/** What each placeholder stands for, so the administrator knows what will be filled in. */
export const SMS_PLACEHOLDER_MEANINGS: Record<string, string> = {
  code: '6位验证码',
  unit: '单位名称',
  orderNo: '订单编号',
  missing: '需补寄的资料',
  trackingNo: '顺丰运单号',
  amount: '付款金额（元）',
  mailAddress: '纸质资料收件地址（系统设置）',
  mailRecipient: '纸质资料收件人（系统设置）',
  mailPhone: '纸质资料收件电话（系统设置）',
  serialTail: '证书序列号后6位',
  project: '证书项目名称',
  keyType: '主锁或副锁',
  date: '到期日期',
  days: '剩余天数',
  tokenTail: 'UKEY 序列号后6位',
};

/** Aliyun limits a template's content to 500 characters. */
export const SMS_TEXT_MAX = 500;

export const ALIYUN_NOTE =
  '开发和测试环境（沙箱短信网关）按这里的文字发送；正式使用阿里云短信时，手机收到的文字以阿里云审核通过的模板为准：修改后请在阿里云短信控制台提交相同内容的模板，审核通过后把新的模板CODE填入对应的环境变量并重启服务。';

export const isSmsTemplate = (key: string): key is SmsTemplate => Object.hasOwn(SMS_TEMPLATES, key);

/** The ${name} placeholders of a text, each once, in order of appearance. */
export function placeholdersOf(text: string): string[] {
  return [...new Set([...text.matchAll(/\$\{(\w+)\}/g)].map((m) => m[1]!))];
}

/** The text the sandbox sends for a template: the administrator's, or the default. */
export async function currentSmsText(db: DbOrTx, key: SmsTemplate): Promise<string> {
  return (await smsTemplateRepository.find(db, key))?.text ?? SMS_TEMPLATES[key].text;
}

export async function listSmsTemplates(db: DbOrTx) {
  const rows = await smsTemplateRepository.all(db);
  const editors = new Map<string, string>();
  for (const r of rows)
    if (r.updatedBy && !editors.has(r.updatedBy))
      editors.set(r.updatedBy, (await staffRepository.findById(db, r.updatedBy))?.displayName ?? '');
  return (Object.keys(SMS_TEMPLATES) as SmsTemplate[]).map((key) => {
    const row = rows.find((r) => r.key === key);
    const defaultText = SMS_TEMPLATES[key].text;
    return {
      key,
      name: SMS_TEMPLATE_NAMES[key],
      defaultText,
      text: row?.text ?? defaultText,
      customized: !!row && row.text !== defaultText,
      placeholders: placeholdersOf(defaultText).map((p) => ({ name: p, meaning: SMS_PLACEHOLDER_MEANINGS[p] ?? p })),
      aliyunTemplateEnv: ALIYUN_TEMPLATE_ENV[key],
      updatedAt: row?.updatedAt ?? null,
      updatedBy: row?.updatedBy ? editors.get(row.updatedBy) || null : null,
    };
  });
}

/** The problems with a proposed text (empty = acceptable). */
export function smsTextProblems(key: SmsTemplate, text: string): string[] {
  const problems: string[] = [];
  const need = placeholdersOf(SMS_TEMPLATES[key].text);
  const have = placeholdersOf(text);
  const missing = need.filter((p) => !have.includes(p));
  const unknown = have.filter((p) => !need.includes(p));
  if (!text.trim()) problems.push('请填写短信内容');
  if (text.length > SMS_TEXT_MAX) problems.push(`短信内容最多${SMS_TEXT_MAX}个字`);
  if (missing.length) problems.push(`缺少占位符：${missing.map((p) => `\${${p}}`).join('、')}（默认模板中的占位符都必须保留）`);
  if (unknown.length) problems.push(`不认识的占位符：${unknown.map((p) => `\${${p}}`).join('、')}（只能使用默认模板中的占位符）`);
  // A literal "${" that is not a placeholder would reach the phone as typed.
  if (/\$\{(?!\w+\})/.test(text)) problems.push('占位符格式应为 ${名称}');
  if (/[【】]/.test(text)) problems.push('短信签名由系统自动加在开头，正文中请勿使用【】');
  return problems;
}

export async function updateSmsTemplate(
  deps: { db: Db; clock: { now(): Date } },
  key: string,
  rawText: string,
  actor: StaffActor,
  meta: RequestMeta,
): Promise<void> {
  if (!isSmsTemplate(key)) throw new AppError('NOT_FOUND', '没有这个短信模板');
  const text = rawText.trim();
  const problems = smsTextProblems(key, text);
  if (problems.length) throw new AppError('VALIDATION_FAILED', problems.join('；'), { fields: { text: problems.join('；') } });
  const now = deps.clock.now();
  await deps.db.transaction(async (tx) => {
    const before = await currentSmsText(tx, key);
    await smsTemplateRepository.save(tx, { key, text, updatedAt: now, updatedBy: actor.id });
    await auditRepository.record(tx, {
      actorType: 'staff',
      actorId: actor.id,
      action: 'sms.template_update',
      targetType: 'sms_template',
      targetId: key,
      detail: { name: SMS_TEMPLATE_NAMES[key], before, after: text },
      ip: meta.ip,
      at: now,
    });
  });
}
