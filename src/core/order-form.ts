/**
 * The 新制 order form (填写订单信息): 单位信息, 法人信息, 经办人信息, 发票信息, 证书接收人信息 — and, for
 * out-of-province housing companies, the 入赣负责人. Two schemas over the same shape:
 *  - ZOrderDraft accepts anything of the right shape, so every keystroke can be saved (nothing typed is lost);
 *  - ZOrderFinal is the rule set a submitted order must pass; its messages name the field and the rule.
 * Field paths are dotted ("agent.idNumber") in error answers and in the web form alike.
 */
import { z } from 'zod';
import { ageOn, idNumberProblem, idProblemMessage, normalizeIdNumber } from './id-number.js';
import { mobileField } from './schemas.js';
import { normalizeUscc, usccProblem, usccProblemMessage } from './uscc.js';
import { UNIT_TYPE_CODES } from './unit-types.js';
import { visibleText } from './visible-text.js';

const s = (max: number) => z.string().max(max, `最多${max}个字`).optional();

/** Whatever has been typed so far; only lengths are limited. */
export const ZOrderDraft = z
  .object({
    unit: z
      .object({ address: s(200), unitType: z.enum(UNIT_TYPE_CODES).optional() })
      .partial()
      .optional(),
    legalPerson: z
      .object({ name: s(50), idNumber: s(30), mobile: s(30) })
      .partial()
      .optional(),
    agent: z
      .object({ name: s(50), idNumber: s(30), mobile: s(30), email: s(100) })
      .partial()
      .optional(),
    invoice: z
      .object({ title: s(100), taxNumber: s(30), email: s(100) })
      .partial()
      .optional(),
    recipient: z
      .object({ name: s(50), mobile: s(30), address: s(200) })
      .partial()
      .optional(),
    inGanManager: z
      .object({ name: s(50) })
      .partial()
      .optional(),
  })
  .strict();
export type OrderDraft = z.infer<typeof ZOrderDraft>;

const required = (label: string, min: number, max: number) =>
  z
    .string({ error: `请填写${label}` })
    .superRefine(visibleText(label))
    .transform((v) => v.trim())
    .pipe(z.string().min(1, `请填写${label}`).min(min, `${label}至少${min}个字`).max(max, `${label}最多${max}个字`));

const personName = (label: string) =>
  required(label, 2, 30).refine((v) => /^[\u4e00-\u9fa5·•A-Za-z .]+$/.test(v), `${label}只能包含汉字、字母和间隔号`);

const idNumber = (label: string, today: () => Date) =>
  z
    .string({ error: `请填写${label}` })
    .transform(normalizeIdNumber)
    .superRefine((v, ctx) => {
      const p = idNumberProblem(v, today());
      if (p) ctx.addIssue({ code: 'custom', message: idProblemMessage(p, label) });
    });

const email = (label: string) =>
  z
    .string({ error: `请填写${label}` })
    .superRefine(visibleText(label))
    .trim()
    .min(1, `请填写${label}`)
    .max(100, `${label}最多100个字符`)
    .pipe(z.email(`${label}格式不正确，例如 name@example.com`));

/** The rules a submitted order must pass. `today` decides which birth dates are in the future. */
export function orderFinalSchema(opts: { outOfProvince: boolean; today?: () => Date }) {
  const today = opts.today ?? (() => new Date());
  return z.object({
    unit: z.object(
      {
        address: required('通信地址', 5, 200),
        unitType: z.enum(UNIT_TYPE_CODES, { error: '请选择单位类型' }),
      },
      { error: '请填写单位信息' },
    ),
    legalPerson: z.object(
      { name: personName('法定代表人姓名'), idNumber: idNumber('法定代表人身份证号', today), mobile: mobileField('法定代表人手机号') },
      { error: '请填写法人信息' },
    ),
    agent: z.object(
      {
        name: personName('经办人姓名'),
        // The power of attorney (seed 004, 附件2): 代理人必须年满18岁，否则授权无效.
        idNumber: idNumber('经办人身份证号', today).refine(
          (v) => idNumberProblem(v, today()) !== null || ageOn(v, today()) >= 18,
          '经办人须年满18岁（法人授权委托书：代理人必须年满18岁，否则授权无效）',
        ),
        mobile: mobileField('经办人手机号'),
        email: email('经办人电子邮箱'),
      },
      { error: '请填写经办人信息' },
    ),
    invoice: z.object(
      {
        title: required('发票抬头', 2, 100),
        taxNumber: z
          .string({ error: '请填写纳税人识别号' })
          .transform(normalizeUscc)
          .superRefine((v, ctx) => {
            const p = usccProblem(v);
            if (p) ctx.addIssue({ code: 'custom', message: usccProblemMessage(p).replace('统一社会信用代码', '纳税人识别号') });
          }),
        email: email('发票接收邮箱'),
      },
      { error: '请填写发票信息' },
    ),
    recipient: z.object(
      { name: personName('收件人姓名'), mobile: mobileField('收件人手机号'), address: required('收件地址', 5, 200) },
      { error: '请填写证书接收人信息' },
    ),
    inGanManager: opts.outOfProvince
      ? z.object({ name: personName('入赣负责人姓名') }, { error: '请填写入赣负责人信息' })
      : z.object({ name: z.string().optional() }).partial().optional(),
  });
}

/** Dotted path → message, for every rule the draft does not yet meet (empty when it can be submitted). */
export function orderFormProblems(draft: OrderDraft, opts: { outOfProvince: boolean; today?: () => Date }): Record<string, string> {
  const r = orderFinalSchema(opts).safeParse(draft);
  if (r.success) return {};
  const out: Record<string, string> = {};
  for (const i of r.error.issues) {
    const key = i.path.join('.');
    out[key] ??= i.message;
  }
  return out;
}

/**
 * A new order's form, prefilled from what the account already knows and — for a second order (a 副锁,
 * another project) — from the organization's last order: 单位信息, 法人, 经办人, the invoice e-mail and the
 * recipient, so the clerk checks them instead of typing them again. The invoice title and tax number are
 * always the account's (the unit name may have been corrected since). The 入赣负责人 is not carried over:
 * only out-of-province housing orders have one, and it is named per appointment letter.
 */
export function initialDraft(org: { name: string; uscc: string }, previous?: OrderDraft): OrderDraft {
  const draft: OrderDraft = { unit: { unitType: 'enterprise' }, invoice: { title: org.name, taxNumber: org.uscc } };
  if (!previous) return draft;
  const filled = <T extends object>(section: T | undefined): T | undefined =>
    section && Object.values(section).some((v) => typeof v === 'string' && v.trim() !== '') ? { ...section } : undefined;
  const unit = filled(previous.unit);
  if (unit) draft.unit = { ...draft.unit, ...unit };
  const legalPerson = filled(previous.legalPerson);
  if (legalPerson) draft.legalPerson = legalPerson;
  const agent = filled(previous.agent);
  if (agent) draft.agent = agent;
  if (previous.invoice?.email) draft.invoice = { ...draft.invoice, email: previous.invoice.email };
  const recipient = filled(previous.recipient);
  if (recipient) draft.recipient = recipient;
  return draft;
}

/** True when a form holds something worth carrying into the next order. */
export function hasCarryOver(form: OrderDraft): boolean {
  const prefilled = initialDraft({ name: '', uscc: '' }, form);
  return !!(prefilled.legalPerson || prefilled.agent || prefilled.recipient || prefilled.unit?.address || prefilled.invoice?.email);
}
