/** Request shapes of counter business, shared by the server (validation) and the staff console's forms (answers: counter-response-schemas.ts). */
import { z } from 'zod';
import { COUNTER_BUSINESSES, COUNTER_PAY_CHANNELS, RECEIPT_NO } from './counter.js';
import { mobileField, ZOrgName, ZUscc } from './schemas.js';
import { visibleText } from './visible-text.js';

export const ZCounterOrgBody = z.object({ uscc: ZUscc, name: ZOrgName, mobile: mobileField('单位手机号') });

const ZPersonName = z
  .string({ error: '请填写经办人姓名' })
  .superRefine(visibleText('经办人姓名'))
  .trim()
  .min(2, '经办人姓名至少2个字')
  .max(30, '经办人姓名最多30个字')
  .refine((s) => !/[<>\d]/.test(s), '经办人姓名不能包含数字或 < >');

export const ZCounterOpenBody = z
  .object({
    organizationId: z.string({ error: '请先查询或登记申请单位' }).uuid('请先查询或登记申请单位'),
    business: z.enum(COUNTER_BUSINESSES, { error: '请选择业务类型：新办、补办、变更或续费' }),
    projectCode: z.string().trim().max(64).optional(),
    keyType: z.enum(['main', 'sub'], { error: '请选择主锁或副锁' }).optional(),
    replacesCertificateId: z.string().uuid('请选择要补办、变更或续费的证书').optional(),
    newUnitName: ZOrgName.optional(),
    revocationReason: z.coerce.number().int().optional(),
    agentName: ZPersonName,
    agentMobile: mobileField('经办人手机号'),
  })
  .superRefine((b, ctx) => {
    if (b.business === 'new') {
      if (!b.projectCode) ctx.addIssue({ code: 'custom', path: ['projectCode'], message: '请选择证书项目' });
      if (!b.keyType) ctx.addIssue({ code: 'custom', path: ['keyType'], message: '请选择主锁或副锁' });
    } else if (!b.replacesCertificateId)
      ctx.addIssue({ code: 'custom', path: ['replacesCertificateId'], message: '请选择要补办、变更或续费的证书' });
    if (b.business === 'change' && !b.newUnitName)
      ctx.addIssue({ code: 'custom', path: ['newUnitName'], message: '请填写变更后的单位名称（与新营业执照一致）' });
  });
export type TCounterOpenBody = z.input<typeof ZCounterOpenBody>;
export type CounterOpenInput = z.output<typeof ZCounterOpenBody>;

export const ZMaterialsBody = z.object({
  ticked: z.array(z.string().max(40), { error: '资料清单格式不正确' }).max(20, '资料清单格式不正确'),
});

export const ZCounterActionBody = z.object({
  reason: z.string().trim().max(200, '原因最多200个字').optional(),
});

export const ZCounterPayBody = z.object({
  channel: z.enum(Object.keys(COUNTER_PAY_CHANNELS) as [keyof typeof COUNTER_PAY_CHANNELS], {
    error: '请选择缴费方式：现金、刷卡、微信或支付宝',
  }),
  receiptNo: z.string({ error: '请填写收据号' }).trim().regex(RECEIPT_NO, '收据号应为4至32位字母、数字或短横线'),
  /** The amount the clerk sees on screen; must equal the catalog's price (the server decides, never the client). */
  amountFen: z.coerce.number({ error: '金额不正确' }).int('金额不正确').positive('金额不正确'),
  oldUkeyReturned: z.boolean().optional(),
});

export const ZOfficeBody = z.object({
  name: z
    .string({ error: '请填写受理点名称' })
    .superRefine(visibleText('受理点名称'))
    .trim()
    .min(2, '受理点名称至少2个字')
    .max(60, '受理点名称最多60个字'),
  city: z.string({ error: '请填写城市' }).superRefine(visibleText('城市')).trim().min(2, '城市至少2个字').max(20, '城市最多20个字'),
  address: z.string({ error: '请填写地址' }).superRefine(visibleText('地址')).trim().min(4, '地址至少4个字').max(120, '地址最多120个字'),
  phones: z
    .array(
      z
        .string()
        .trim()
        .regex(/^0\d{2,3}-?\d{7,8}$/, '电话应为带区号的固定电话，如 0791-82097407'),
      { error: '请填写咨询电话' },
    )
    .min(1, '至少填写一个咨询电话')
    .max(5, '最多5个咨询电话'),
  active: z.boolean().default(true),
});

export const ZStaffOfficeBody = z.object({
  officeCode: z.string({ error: '请选择受理点' }).max(64, '请选择受理点').nullable(),
});
