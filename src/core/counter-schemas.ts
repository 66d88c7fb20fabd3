/**
 * Request and response shapes of counter business (server/routes/counter.ts): requests are validated with them
 * and the staff console's forms share them; answers are encoded with them and the counter pages' types are
 * inferred from them (JsonOf: dates as ISO text).
 */
import { z } from 'zod';
import { COUNTER_BUSINESSES, COUNTER_PAY_CHANNELS, RECEIPT_NO } from './counter.js';
import { ZProducedCertificate } from './certificates.js';
import { ZKeyType } from './orders-schemas.js';
import { mobileField, ZInstant, ZOrgName, ZStaffRole, ZUscc, type JsonOf } from './schemas.js';
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

// ——— answers ———

const ZCodeLabel = z.object({ code: z.string(), label: z.string() });
const ZBusiness = z.enum(COUNTER_BUSINESSES);

export const ZMaterial = z.object({ code: z.string(), label: z.string(), group: z.string().optional() });
export type Material = JsonOf<typeof ZMaterial>;

/** GET /api/staff/counter/meta: the caller's office, the offices, business types, materials, pay channels. */
export const ZCounterMeta = z.object({
  myOffice: z.object({ code: z.string(), name: z.string(), active: z.boolean() }).nullable(),
  offices: z.array(z.object({ code: z.string(), name: z.string(), city: z.string(), active: z.boolean() })),
  businesses: z.array(z.object({ code: ZBusiness, label: z.string() })),
  /** By business, by key type. */
  materials: z.record(z.string(), z.object({ main: z.array(ZMaterial), sub: z.array(ZMaterial) })),
  payChannels: z.array(ZCodeLabel),
  /** By business: the CRL reasons a replaced certificate may be revoked with. */
  revocationReasons: z.record(z.string(), z.array(z.object({ code: z.number(), label: z.string() }))),
  roles: z.array(ZStaffRole),
});
export type CounterMeta = JsonOf<typeof ZCounterMeta>;

export const ZOffice = z.object({
  code: z.string(),
  name: z.string(),
  city: z.string(),
  address: z.string(),
  phones: z.array(z.object({ display: z.string(), tel: z.string() })),
  active: z.boolean(),
  sortOrder: z.number(),
  updatedAt: ZInstant,
  updatedBy: z.string().nullable(),
});
export type Office = JsonOf<typeof ZOffice>;
export const ZOffices = z.object({
  offices: z.array(ZOffice),
  staff: z.array(
    z.object({
      id: z.string(),
      username: z.string(),
      displayName: z.string(),
      roles: z.array(z.string()),
      officeCode: z.string().nullable(),
    }),
  ),
});
export type Offices = JsonOf<typeof ZOffices>;

export const ZCounterOrganization = z.object({
  id: z.string(),
  uscc: z.string(),
  name: z.string(),
  mobileMasked: z.string(),
  /** The unit has set a password online (an organization registered at the counter has none until then). */
  claimed: z.boolean(),
});

/** GET /api/staff/counter/organizations: the unit, its certificates an order may replace, its key choices. */
export const ZOrgLookup = z.object({
  organization: ZCounterOrganization.nullable(),
  certificates: z.array(
    z.object({
      id: z.string(),
      serial: z.string(),
      projectCode: z.string(),
      projectName: z.string(),
      keyType: ZKeyType,
      source: z.string(),
      notBefore: ZInstant,
      notAfter: ZInstant,
      expired: z.boolean(),
    }),
  ),
  keyChoices: z.array(
    z.object({
      projectCode: z.string(),
      projectName: z.string(),
      allowed: z.array(ZKeyType),
      reason: z.string(),
      prices: z.record(z.string(), z.number().nullable()),
    }),
  ),
  counterOrders: z.array(
    z.object({
      id: z.string(),
      orderNo: z.string(),
      business: ZBusiness,
      businessLabel: z.string(),
      status: z.string(),
      statusLabel: z.string(),
      createdAt: ZInstant,
    }),
  ),
});
export type OrgLookup = JsonOf<typeof ZOrgLookup>;

/** The answer of a step (open, tick, act, pay): where the order is now. */
export const ZCounterStep = z.object({
  order: z.object({ id: z.string(), orderNo: z.string(), status: z.string(), statusLabel: z.string() }),
});
export const ZCounterProduced = ZCounterStep.extend(ZProducedCertificate.shape);
export type CounterProduced = JsonOf<typeof ZCounterProduced>;

const ZCertSummary = z.object({
  id: z.string(),
  serial: z.string(),
  status: z.string(),
  notBefore: ZInstant,
  notAfter: ZInstant,
  revokedAt: ZInstant.nullable(),
  revocationReason: z.number().nullable(),
  revocationReasonLabel: z.string().nullable(),
  replacesId: z.string().nullable(),
  unitName: z.string(),
});
export type CertSummary = JsonOf<typeof ZCertSummary>;

/** GET /api/staff/counter/orders/:id: the counter order page. */
export const ZCounterView = z.object({
  order: z.object({
    id: z.string(),
    orderNo: z.string(),
    officeCode: z.string(),
    business: ZBusiness,
    businessLabel: z.string(),
    organizationId: z.string(),
    uscc: z.string(),
    unitName: z.string(),
    newUnitName: z.string().nullable(),
    projectCode: z.string(),
    projectName: z.string(),
    keyType: ZKeyType,
    keyTypeLabel: z.string(),
    replacesCertificateId: z.string().nullable(),
    revocationReason: z.number().nullable(),
    revocationReasonLabel: z.string().nullable(),
    agentName: z.string(),
    agentMobile: z.string(),
    status: z.string(),
    statusLabel: z.string(),
    step: z.number(),
    steps: z.array(z.string()).readonly(),
    /** Ticked materials: when and by whom. */
    materials: z.record(z.string(), z.object({ at: z.string(), by: z.string() })),
    certificateId: z.string().nullable(),
    revocationRequestId: z.string().nullable(),
    openedBy: z.string(),
    createdAt: ZInstant,
    statusChangedAt: ZInstant,
    updatedAt: ZInstant,
  }),
  organization: ZCounterOrganization.nullable(),
  office: z.object({ code: z.string(), name: z.string() }).nullable(),
  materials: z.array(
    ZMaterial.extend({
      ticked: z.boolean(),
      scan: z.object({ id: z.string(), uploadedAt: ZInstant, originalName: z.string(), width: z.number(), height: z.number() }).nullable(),
    }),
  ),
  missing: z.array(z.string()),
  priceFen: z.number().nullable(),
  payment: z
    .object({
      id: z.string(),
      counterOrderId: z.string(),
      officeCode: z.string(),
      channel: z.string(),
      channelName: z.string(),
      amountFen: z.number(),
      receiptNo: z.string(),
      paidAt: ZInstant,
      recordedBy: z.string(),
    })
    .nullable(),
  certificate: ZCertSummary.nullable(),
  replaced: ZCertSummary.nullable(),
  /** What the certificate runs to and why (core/certificate-validity.ts); `planned`: not issued yet, as if issued now. */
  validity: z.object({
    notBefore: ZInstant,
    notAfter: ZInstant,
    basis: z.enum(['fresh', 'extended', 'kept']),
    basisText: z.string(),
    planned: z.boolean(),
  }),
  revocationRequest: z
    .object({ id: z.string(), status: z.enum(['pending', 'approved', 'refused']), requestedAt: ZInstant, decidedAt: ZInstant.nullable() })
    .nullable(),
  actions: z.array(z.object({ action: z.string(), label: z.string(), needsReason: z.boolean() })),
  events: z.array(
    z.object({
      id: z.number(),
      counterOrderId: z.string(),
      actorId: z.string().nullable(),
      actorName: z.string().nullable(),
      action: z.string(),
      fromStatus: z.string().nullable(),
      toStatus: z.string().nullable(),
      reason: z.string().nullable(),
      detail: z.record(z.string(), z.unknown()),
      at: ZInstant,
    }),
  ),
});
export type CounterView = JsonOf<typeof ZCounterView>;

export const ZCounterScan = z.object({
  scan: z.object({ id: z.string(), material: z.string(), uploadedAt: ZInstant, originalName: z.string() }),
});

const ZDailyLine = z.object({
  id: z.string(),
  orderNo: z.string(),
  business: ZBusiness,
  businessLabel: z.string(),
  unitName: z.string(),
  uscc: z.string(),
  projectCode: z.string(),
  keyType: ZKeyType,
  agentName: z.string(),
  status: z.string(),
  statusLabel: z.string(),
  createdAt: ZInstant,
  statusChangedAt: ZInstant,
  payment: z.object({ channel: z.string(), channelName: z.string(), amountFen: z.number(), receiptNo: z.string() }).nullable(),
});
export type DailyLine = JsonOf<typeof ZDailyLine>;

/** GET /api/staff/counter/daily: one office's day, and the orders opened earlier still open. */
export const ZDailyReport = z.object({
  office: z.object({ code: z.string(), name: z.string() }),
  myOffice: z.object({ code: z.string(), name: z.string() }).nullable(),
  canChooseOffice: z.boolean(),
  day: z.string(),
  orders: z.array(ZDailyLine),
  openEarlier: z.array(ZDailyLine),
  totals: z.object({
    byBusiness: z.array(
      z.object({ business: z.string(), label: z.string(), opened: z.number(), completed: z.number(), cancelled: z.number() }),
    ),
    byChannel: z.array(z.object({ channel: z.string(), label: z.string(), count: z.number(), amountFen: z.number() })),
    opened: z.number(),
    paidCount: z.number(),
    paidFen: z.number(),
  }),
});
export type Daily = JsonOf<typeof ZDailyReport>;
