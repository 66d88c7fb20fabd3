/**
 * After payment (seeds 000–003, 邮寄资料 → 审核纸质资料 → 制作证书 → 寄回数字证书): the paper originals an
 * order must mail, courier tracking numbers, the phone calls 受理 staff make ("电话通知补寄"), recipient
 * corrections and invoice numbers. Shared by the server (validation, the order view) and the web forms.
 */
import { z } from 'zod';
import { APPLICATION_DOCUMENTS, MAIL_DOCUMENTS, type DocumentCode } from './content/documents.js';
import { orderFinalSchema, UNIT_TYPES, type UnitType } from './order-form.js';
import { OUT_OF_PROVINCE } from './requirements.js';
import { formatOrderNumber } from './order-number.js';

// ——— the paper originals ———

export interface PaperItem {
  code: DocumentCode;
  /** Short name, as staff tick it off and the SMS names it ("营业执照"). */
  name: string;
  /** What to mail, in the seeds' words; the application form's line names the order number. */
  text: string;
}

/** Short names for the paper list and the 纸质资料补寄 SMS (short, so several fit one message). */
const SHORT_NAME: Record<DocumentCode, string> = {
  'application-form': '申请表',
  'business-license': '营业执照复印件',
  'agent-id': '经办人身份证复印件',
  'seal-sheet': '电子签章采集表',
  'power-of-attorney': '法人授权委托书',
  'appointment-letter': '入赣负责人任命书',
};

/**
 * The paper originals this order must mail (seeds 000/001 "邮寄纸质资料如下"): the seal collection sheet only
 * for a main key (副锁无印章), the appointment letter only for out-of-province housing companies, and the
 * USCC-bearing certificate in place of the 营业执照 for non-companies. The application form's line says
 * which order number to write top-left.
 */
export function paperOriginals(o: { projectCode: string; keyType: 'main' | 'sub'; unitType?: UnitType; orderNo: string }): PaperItem[] {
  const withSeal = o.keyType === 'main';
  const outOfProvince = o.projectCode === OUT_OF_PROVINCE;
  const credential = UNIT_TYPES[o.unitType ?? 'enterprise'].credential;
  return MAIL_DOCUMENTS.filter((d) => d.scope === 'all' || (d.scope === 'with-seal' ? withSeal : outOfProvince)).map((d) => {
    let text = d.text;
    let name = SHORT_NAME[d.code];
    if (d.code === 'application-form') text = text.replace('写明订单编号', `写明订单编号 ${formatOrderNumber(o.orderNo)}`);
    if (d.code === 'business-license' && credential !== '营业执照') {
      text = text.replace('营业执照副本', credential).replace('营业执照', credential);
      name = `${credential}复印件`;
    }
    return { code: d.code, name, text };
  });
}

export const PAPER_DOCUMENT_CODES = APPLICATION_DOCUMENTS.map((d) => d.code) as [DocumentCode, ...DocumentCode[]];

/**
 * The 纸质资料补寄 SMS names what is missing. Aliyun limits the length of one template variable, so a long
 * list is cut to the items that fit, followed by "等N项" (the order page lists them all).
 */
export function missingForSms(names: string[], max = 35): string {
  const all = names.join('、');
  if (all.length <= max) return all;
  const suffix = `等${names.length}项`;
  let text = names[0]!;
  for (const n of names.slice(1)) {
    if (`${text}、${n}${suffix}`.length > max) break;
    text = `${text}、${n}`;
  }
  return `${text}${suffix}`.slice(0, max);
}

// ——— couriers and tracking numbers ———

export const COURIERS = { SF: '顺丰速运', EMS: '中国邮政EMS', other: '其他快递' } as const;
export type Courier = keyof typeof COURIERS;

/** Upper case, without the spaces and dashes people type inside long numbers. */
export const normalizeTrackingNo = (s: string) => s.replace(/[\s-]/g, '').toUpperCase();

/**
 * Format checks (the courier's own rules as printed on their waybills):
 *  - SF Express: "SF" + 12–13 digits (current waybills), or the older 12 digits;
 *  - EMS: the UPU S10 format, 2 letters + 9 digits + 2 letters ("EA123456789CN"), or 13 digits (domestic);
 *  - another courier: 6–30 letters and digits.
 */
export function trackingNoProblem(courier: Courier, no: string): string | null {
  const n = normalizeTrackingNo(no);
  if (!n) return '请填写快递单号';
  switch (courier) {
    case 'SF':
      return /^SF\d{12,13}$/.test(n) || /^\d{12}$/.test(n)
        ? null
        : '顺丰运单号格式不正确：应为 SF 加12或13位数字（如 SF1234567890123），或12位数字';
    case 'EMS':
      return /^[A-Z]{2}\d{9}[A-Z]{2}$/.test(n) || /^\d{13}$/.test(n)
        ? null
        : 'EMS邮件号格式不正确：应为13位，两个字母+9位数字+两个字母（如 EA123456789CN），或13位数字';
    case 'other':
      return /^[A-Z0-9]{6,30}$/.test(n) ? null : '快递单号格式不正确：应为6到30位字母或数字';
  }
}

/** shipments.courier as stored: 'SF', 'EMS', or 'other:<the name the applicant typed>'. */
export function courierOf(column: string): { code: Courier; name: string | null } {
  if (column === 'SF' || column === 'EMS') return { code: column, name: null };
  return { code: 'other', name: column.startsWith('other:') ? column.slice('other:'.length) : column };
}

/** What people read: 顺丰速运 / 中国邮政EMS / the typed name of another courier. */
export function courierDisplayName(column: string): string {
  const c = courierOf(column);
  return c.name || COURIERS[c.code];
}

export const sfTrackingUrl = (no: string) => `https://www.sf-express.com/chn/sc/waybill/waybill-detail/${encodeURIComponent(no)}`;

const trackingNo = (courier: Courier) =>
  z
    .string({ error: '请填写快递单号' })
    .max(40, '快递单号最多40个字符')
    .transform(normalizeTrackingNo)
    .superRefine((v, ctx) => {
      const p = trackingNoProblem(courier, v);
      if (p) ctx.addIssue({ code: 'custom', message: p });
    });

/** 上传快递单号: the courier the applicant used for the paper originals and its tracking number. */
export const ZPaperShipmentBody = z
  .object({
    courier: z.enum(['SF', 'EMS', 'other'], { error: '请选择快递公司' }),
    courierName: z.string().trim().max(30, '快递公司名称最多30个字').optional(),
    trackingNo: z.string({ error: '请填写快递单号' }).max(40, '快递单号最多40个字符'),
  })
  .superRefine((v, ctx) => {
    const p = trackingNoProblem(v.courier, v.trackingNo);
    if (p) ctx.addIssue({ code: 'custom', path: ['trackingNo'], message: p });
    if (v.courier === 'other' && !v.courierName)
      ctx.addIssue({ code: 'custom', path: ['courierName'], message: '请填写快递公司名称（建议使用顺丰或EMS）' });
  })
  .transform((v) => ({
    ...v,
    trackingNo: normalizeTrackingNo(v.trackingNo),
    courierName: v.courier === 'other' ? v.courierName : undefined,
  }));
export type PaperShipmentBody = z.output<typeof ZPaperShipmentBody>;

/** 发放: the key goes out by SF Express, freight collect (顺丰到付). */
export const ZShipBody = z.object({ trackingNo: trackingNo('SF') });

// ——— 受理: paper review and phone calls ———

export const ZPaperFailBody = z.object({
  missing: z
    .array(z.enum(PAPER_DOCUMENT_CODES, { error: '请从纸质资料清单中选择' }), { error: '请选择需要补寄的资料' })
    .min(1, '请至少选择一项需要补寄的资料')
    .max(10),
  note: z.string().trim().max(200, '说明最多200字').optional(),
});

export const CALL_OUTCOMES = { reached: '已接通', no_answer: '无人接听', wrong_number: '号码有误', call_back: '约定回电' } as const;
export type CallOutcome = keyof typeof CALL_OUTCOMES;

export const ZCallBody = z.object({
  calledAt: z.iso.datetime({ offset: true, error: '请填写通话时间' }),
  outcome: z.enum(['reached', 'no_answer', 'wrong_number', 'call_back'], { error: '请选择通话结果' }),
  note: z.string().trim().max(500, '备注最多500字').optional(),
});

// ——— the certificate recipient ———

/** The same rules as the order form's 证书接收人信息 section. */
export const ZRecipient = orderFinalSchema({ outOfProvince: false }).shape.recipient;
export type Recipient = z.output<typeof ZRecipient>;

export const ZStaffRecipientBody = ZRecipient.extend({
  reason: z.string({ error: '请填写更正原因' }).trim().min(2, '请填写更正原因').max(200, '更正原因最多200字'),
});

// ——— invoices ———

export const INVOICE_STATUS_LABEL = {
  waiting: '证书制作完成后开具',
  due: '开具中：证书制作后3个工作日内发送至发票接收邮箱',
  issued: '已开具，已发送至发票接收邮箱',
} as const;
export type InvoiceStatus = keyof typeof INVOICE_STATUS_LABEL;

/** 发票号码: 8 digits (增值税电子普通发票) or 20 digits (全面数字化的电子发票, 数电票). */
export const ZInvoiceNo = z
  .string({ error: '请填写发票号码' })
  .trim()
  .regex(/^(\d{8}|\d{20})$/, '发票号码应为8位数字，或20位数字（数电发票）');

export const ZInvoiceIssueBody = z.object({ invoiceNo: ZInvoiceNo });
