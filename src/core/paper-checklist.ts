/**
 * 邮寄纸质资料 (seeds 000–003, "邮寄纸质资料如下"): which paper originals an order mails, and which seals or
 * signatures each one must carry, by project and key type — one table, used by the applicant's order page,
 * the printable 邮寄资料清单, 受理's checklist and the 纸质资料补寄 SMS. Also where the paper goes: the CA's
 * receiving address, which an administrator sets (系统设置); the default comes from seed 004.
 */
import { formatOrderNumber } from './order-number.js';
import { z } from 'zod';
import { DOCUMENT_CODES, MAIL_DOCUMENTS, MAIL_RULES, type DocumentCode } from './content/documents.js';
import { OFFICES } from './content/offices.js';
import type { KeyKind } from './content/projects.js';
import { UNIT_TYPES, type UnitType } from './unit-types.js';
import { OUT_OF_PROVINCE } from './requirements.js';
import type { OrderStatus } from './workflow.js';

// ——— the originals and their seals ———

export type SealCode = 'company' | 'legal' | 'in-gan-manager';

/** What goes on the paper, as the seeds word it ("加盖公章原章和法人章原章或法人亲笔签名"). */
export const SEAL_NAMES: Record<SealCode, string> = {
  company: '公章原章',
  legal: '法人章原章或法定代表人亲笔签字',
  'in-gan-manager': '入赣负责人私章原章或亲笔签字',
};

/** When a row applies: every condition given must hold (none given: every order). */
interface When {
  keyType?: KeyKind;
  outOfProvince?: boolean;
}

interface OriginalRule {
  code: DocumentCode;
  when: When;
  seals: SealCode[];
}

/**
 * The rule, as data (seeds 000/001/002 六 and 四, seed 003 六): 副锁无印章，无需提供签章采集表; the 住建厅外省企业
 * sheet also carries the 入赣负责人's seal or signature and comes with the 任命书. Listed in the seeds' order.
 */
export const PAPER_ORIGINAL_RULES: readonly OriginalRule[] = [
  { code: 'application-form', when: {}, seals: ['company'] },
  { code: 'business-license', when: {}, seals: ['company'] },
  { code: 'agent-id', when: {}, seals: ['company'] },
  { code: 'seal-sheet', when: { keyType: 'main', outOfProvince: false }, seals: ['company', 'legal'] },
  { code: 'seal-sheet', when: { keyType: 'main', outOfProvince: true }, seals: ['company', 'legal', 'in-gan-manager'] },
  { code: 'power-of-attorney', when: {}, seals: ['company', 'legal'] },
  { code: 'appointment-letter', when: { outOfProvince: true }, seals: ['company'] },
];

export const ZPaperItem = z.object({
  code: z.enum(DOCUMENT_CODES),
  /** Short name, as staff tick it off and the SMS names it ("营业执照复印件"). */
  name: z.string(),
  /** What to mail, in the seeds' words; the application form's line names the order number. */
  text: z.string(),
  /** The seals or signatures it must carry, in words. */
  seals: z.array(z.string()),
});
export type PaperItem = z.output<typeof ZPaperItem>;

/** Short names for the paper list and the 纸质资料补寄 SMS (short, so several fit one message). */
const SHORT_NAME: Record<DocumentCode, string> = {
  'application-form': '申请表',
  'business-license': '营业执照复印件',
  'agent-id': '经办人身份证复印件',
  'seal-sheet': '电子签章采集表',
  'power-of-attorney': '法人授权委托书',
  'appointment-letter': '入赣负责人任命书',
};

export interface PaperOrder {
  projectCode: string;
  keyType: KeyKind;
  unitType?: UnitType;
  orderNo: string;
}

const applies = (w: When, o: PaperOrder) =>
  (w.keyType === undefined || w.keyType === o.keyType) &&
  (w.outOfProvince === undefined || w.outOfProvince === (o.projectCode === OUT_OF_PROVINCE));

/**
 * The paper originals this order must mail, with their seals. Non-companies mail the USCC-bearing
 * certificate in place of the 营业执照; the application form's line says which order number to write top-left.
 */
export function paperOriginals(o: PaperOrder): PaperItem[] {
  const credential = UNIT_TYPES[o.unitType ?? 'enterprise'].credential;
  return PAPER_ORIGINAL_RULES.filter((r) => applies(r.when, o)).map((r) => {
    const doc = MAIL_DOCUMENTS.find((d) => d.code === r.code)!;
    let text = doc.text;
    let name = SHORT_NAME[r.code];
    if (r.code === 'application-form') text = text.replace('写明订单编号', `写明订单编号 ${formatOrderNumber(o.orderNo)}`);
    if (r.code === 'seal-sheet' && o.projectCode === OUT_OF_PROVINCE) name = '电子签章采集表（外省企业）';
    if (r.code === 'business-license' && credential !== '营业执照') {
      text = text.replace('营业执照副本', credential).replace('营业执照', credential);
      name = `${credential}复印件`;
    }
    return { code: r.code, name, text, seals: r.seals.map((s) => SEAL_NAMES[s]) };
  });
}

/** From 资料审核通过 (pay, then mail) until the paper has passed: when the 邮寄资料清单 is worth printing. */
export const PAPER_CHECKLIST_STATUSES: readonly OrderStatus[] = [
  'review_passed',
  'paper_awaiting',
  'paper_received',
  'paper_failed',
  'in_production',
  'produced',
  'shipped',
];

/**
 * How to put the package together and send it (seeds 000 六, 001 四): the order number top-left on the
 * application form, then the seeds' mailing rules (copies, original seals, a paper clip, SF or EMS, the
 * tracking number afterwards).
 */
export const mailingInstructions = (orderNo: string): string[] => [
  `在申请表左上角写明订单编号 ${formatOrderNumber(orderNo)}。`,
  ...MAIL_RULES,
];

// ——— where to mail it ———

/**
 * Aliyun limits one template variable to 35 characters, and the 付款成功 SMS carries the address, the
 * recipient and the phone as three variables, so each must fit one.
 */
export const SMS_VARIABLE_MAX = 35;

/** A fixed line with its area code, or a 400 number: Aliyun's notification SMS allows no other contact numbers. */
const PHONE_RULE = /^(0\d{2,3}-?\d{7,8}|400-?\d{3}-?\d{4})$/;

/** 纸质资料收件信息, as the administrator sets it. */
export const ZPaperAddress = z.object({
  address: z
    .string({ error: '请填写收件地址' })
    .trim()
    .min(6, '请填写完整的收件地址（省市区、街道门牌）')
    .max(SMS_VARIABLE_MAX, `收件地址最多${SMS_VARIABLE_MAX}个字（付款短信的一个变量最多${SMS_VARIABLE_MAX}个字）`),
  recipient: z
    .string({ error: '请填写收件人' })
    .trim()
    .min(2, '请填写收件人（单位或部门名称、姓名）')
    .max(SMS_VARIABLE_MAX, `收件人最多${SMS_VARIABLE_MAX}个字`),
  phone: z
    .string({ error: '请填写收件电话' })
    .trim()
    .regex(PHONE_RULE, '收件电话格式不正确：请填写带区号的座机号（如 0791-82097407）或400电话（短信中的联系电话只能是固定电话或400电话）'),
});
export type PaperAddress = z.output<typeof ZPaperAddress>;

/**
 * Until an administrator sets it: the CA's own 办证大厅 (seed 004, 办理地址 (1)) — the seeds say the paper goes
 * "至我司" and name no other address of the company.
 */
const HALL = OFFICES.find((o) => o.code === 'nanchang-hall')!;
export const DEFAULT_PAPER_ADDRESS: PaperAddress = {
  address: `江西省${HALL.address}`,
  recipient: '江西省数字证书有限公司',
  phone: HALL.phones[0]!.display,
};

/** One line, as printed and shown: "寄至 … 收件人 … 电话 …". */
export const paperAddressLine = (a: PaperAddress) => `${a.address}，${a.recipient}（收），电话 ${a.phone}`;
