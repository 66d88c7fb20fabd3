/**
 * Counter business (现场办理, seed 004), defined once as data: the four business types, the materials each
 * needs, and the flow every one of them follows —
 *
 *   提交资料 → 前台受理 → 审核资料 → 制作证书 → 现场缴费并领取 → 制作电子签章
 *
 * The server applies a row of COUNTER_TRANSITIONS compare-and-set with a counter_events row in one
 * transaction (modules/counter); the staff console renders its buttons from the same rows.
 */
import type { StaffRole } from './schemas.js';
import { actorMay, type TransitionRow } from './transitions.js';

export const COUNTER_BUSINESSES = ['new', 'reissue', 'change', 'renew'] as const;
export type CounterBusiness = (typeof COUNTER_BUSINESSES)[number];

export const BUSINESS_LABEL: Record<CounterBusiness, string> = {
  new: '新办',
  reissue: '补办',
  change: '变更',
  renew: '续费',
};

/** Business types that replace an existing certificate of the organization (same project, same key type). */
export const REPLACING: readonly CounterBusiness[] = ['reissue', 'change', 'renew'];

export const COUNTER_STATUSES = ['submitted', 'accepted', 'approved', 'produced', 'handed_over', 'completed', 'cancelled'] as const;
export type CounterStatus = (typeof COUNTER_STATUSES)[number];

/** The seed's step each status waits for, as counter staff say it. */
export const COUNTER_STATUS_LABEL: Record<CounterStatus, string> = {
  submitted: '已提交资料，待前台受理',
  accepted: '已受理，待审核资料',
  approved: '审核通过，待制作证书',
  produced: '证书已制作，待现场缴费并领取',
  handed_over: '已缴费领取，待制作电子签章',
  completed: '已办结',
  cancelled: '已取消',
};

/** The seed's six steps, in order, for the progress bar. */
export const COUNTER_STEPS = ['提交资料', '前台受理', '审核资料', '制作证书', '现场缴费并领取', '制作电子签章'] as const;
export const STEP_INDEX: Record<CounterStatus, number> = {
  submitted: 1,
  accepted: 2,
  approved: 3,
  produced: 4,
  handed_over: 5,
  completed: 6,
  cancelled: -1,
};

export type CounterAction = 'accept' | 'approve' | 'return' | 'produce' | 'pay' | 'seal' | 'finish' | 'cancel';
export type KeyType = 'main' | 'sub';

/** Who does what at the counter. 管理员 is listed where it may act, never implied. */
export const COUNTER_CLERKS = ['受理', '管理员'] as const satisfies readonly StaffRole[];
export const COUNTER_REVIEWERS = ['受理', '制证', '管理员'] as const satisfies readonly StaffRole[];
export const COUNTER_PRODUCERS = ['制证', '管理员'] as const satisfies readonly StaffRole[];
export const COUNTER_CASHIERS = ['受理', '财务', '管理员'] as const satisfies readonly StaffRole[];
/** Who may see the counter pages at all. */
export const COUNTER_VIEWERS = ['受理', '制证', '财务', '管理员'] as const satisfies readonly StaffRole[];

export interface CounterTransition extends TransitionRow<CounterStatus, CounterAction> {
  /** Counter rows are taken by staff only. */
  by: readonly StaffRole[];
  /** Only for these key types (电子签章 is made for a main key only). */
  keyTypes?: readonly KeyType[];
  /** The action needs a reason typed by staff. */
  needsReason?: boolean;
}

export const COUNTER_TRANSITIONS: readonly CounterTransition[] = [
  { from: 'submitted', action: 'accept', to: 'accepted', label: '前台受理', by: COUNTER_CLERKS },
  { from: 'accepted', action: 'approve', to: 'approved', label: '审核通过', by: COUNTER_REVIEWERS },
  { from: 'accepted', action: 'return', to: 'submitted', label: '退回补正资料', by: COUNTER_REVIEWERS, needsReason: true },
  { from: 'approved', action: 'produce', to: 'produced', label: '制作证书', by: COUNTER_PRODUCERS },
  { from: 'produced', action: 'pay', to: 'handed_over', label: '现场缴费并领取', by: COUNTER_CASHIERS },
  { from: 'handed_over', action: 'seal', to: 'completed', label: '制作电子签章', by: COUNTER_PRODUCERS, keyTypes: ['main'] },
  { from: 'handed_over', action: 'finish', to: 'completed', label: '办结（副锁无电子签章）', by: COUNTER_CLERKS, keyTypes: ['sub'] },
  { from: 'submitted', action: 'cancel', to: 'cancelled', label: '取消办理', by: COUNTER_CLERKS, needsReason: true },
  { from: 'accepted', action: 'cancel', to: 'cancelled', label: '取消办理', by: COUNTER_CLERKS, needsReason: true },
  { from: 'approved', action: 'cancel', to: 'cancelled', label: '取消办理', by: COUNTER_CLERKS, needsReason: true },
];

export type TransitionCheck = { ok: true; row: CounterTransition } | { ok: false; code: 'CONFLICT' | 'FORBIDDEN'; message: string };

const forKey = (t: CounterTransition, keyType: KeyType) => !t.keyTypes || t.keyTypes.includes(keyType);

/** The row for (status, action) on an order of this key type, whoever asks. */
export function counterRow(status: CounterStatus, action: CounterAction, keyType: KeyType): CounterTransition | undefined {
  return COUNTER_TRANSITIONS.find((t) => t.from === status && t.action === action && forKey(t, keyType));
}

/** Why the counter refuses a step: no such row in this status, or a row these roles may not take. */
export const COUNTER_REFUSALS = {
  conflict: (status: CounterStatus) => `当前状态为“${COUNTER_STATUS_LABEL[status]}”，不能执行此操作，请刷新页面`,
  forbidden: (row: CounterTransition) => `“${row.label}”需要以下角色之一：${row.by.join('、')}`,
};

/** The row for (status, action, key type), and whether one of these roles may take it. */
export function checkCounterTransition(
  status: CounterStatus,
  action: CounterAction,
  keyType: KeyType,
  roles: readonly StaffRole[],
): TransitionCheck {
  const row = counterRow(status, action, keyType);
  if (!row) return { ok: false, code: 'CONFLICT', message: COUNTER_REFUSALS.conflict(status) };
  if (!actorMay(row.by, { kind: 'staff', roles })) return { ok: false, code: 'FORBIDDEN', message: COUNTER_REFUSALS.forbidden(row) };
  return { ok: true, row };
}

/** The actions these roles can take now (the buttons). */
export function counterActions(status: CounterStatus, keyType: KeyType, roles: readonly StaffRole[]): CounterTransition[] {
  return COUNTER_TRANSITIONS.filter((t) => t.from === status && forKey(t, keyType) && actorMay(t.by, { kind: 'staff', roles }));
}

// ——— Materials (seed 004 所需资料) ———

export type MaterialCode =
  | 'application-form'
  | 'business-license'
  | 'agent-id'
  | 'seal-impressions'
  | 'reissue-explanation'
  | 'old-ukey'
  | 'ukey'
  | 'ukey-password'
  | 'uscc-copy';

export interface Material {
  code: MaterialCode;
  label: string;
  /** Materials of one group are alternatives: one of them is enough (续费: the UKEY's password or a USCC copy). */
  group?: string;
}

const COMMON: Material[] = [
  { code: 'application-form', label: '《江西CA单位数字证书申请表》一、二、三联（三联均加盖公章）' },
  { code: 'business-license', label: '有效的三证合一营业执照原件和复印件一份（复印件加盖公章，正副本均可）' },
  { code: 'agent-id', label: '经办人有效的身份证原件和正反两面复印件一份（复印件加盖公章）' },
];
const SEAL: Material = { code: 'seal-impressions', label: '公章、法人章印模（制作电子印章）' };

/** What to bring, per business type and key type (a sub key has no electronic seal, so no seal impressions). */
export function counterMaterials(business: CounterBusiness, keyType: KeyType): Material[] {
  const seal = keyType === 'main' ? [SEAL] : [];
  switch (business) {
    case 'new':
      return [...COMMON, ...seal];
    case 'reissue':
      return [...COMMON, ...seal, { code: 'reissue-explanation', label: '加盖公章的补办说明（补办原因及授权何人办理）' }];
    case 'change':
      return [...COMMON, ...seal, { code: 'old-ukey', label: '原有的数字证书（UKEY），领取新证书时交回' }];
    case 'renew':
      return [
        { code: 'ukey', label: '数字证书（UKEY）' },
        { code: 'ukey-password', label: '用户凭 UKEY 密码办理（知道密码时）', group: 'identity' },
        {
          code: 'uscc-copy',
          label: '有效的统一社会信用代码复印件加盖公章（不知道密码时；可用含统一社会信用代码的证件代替）',
          group: 'identity',
        },
      ];
  }
}

/**
 * What is still missing, as labels: every material outside a group, and one of each group. The material
 * handed back at 领取 (变更's old UKEY) is checked at that step, not at 前台受理.
 */
export function missingMaterials(
  business: CounterBusiness,
  keyType: KeyType,
  ticked: readonly string[],
  opts: { atHandover?: boolean } = {},
): string[] {
  const list = counterMaterials(business, keyType);
  const have = new Set(ticked);
  const missing: string[] = [];
  const groups = new Map<string, Material[]>();
  for (const m of list) {
    if (m.code === 'old-ukey' && !opts.atHandover) continue;
    if (m.group) groups.set(m.group, [...(groups.get(m.group) ?? []), m]);
    else if (!have.has(m.code)) missing.push(m.label);
  }
  for (const ms of groups.values())
    if (!ms.some((m) => have.has(m.code))) missing.push(`以下任选其一：${ms.map((m) => m.label).join('；或')}`);
  return missing;
}

// ——— 现场缴费 ———

export const COUNTER_PAY_CHANNELS = { cash: '现金', card: '刷卡', wechat: '微信（柜台扫码）', alipay: '支付宝（柜台扫码）' } as const;
export type CounterPayChannel = keyof typeof COUNTER_PAY_CHANNELS;

/** A receipt number as printed on the counter's receipt book or the POS slip. */
export const RECEIPT_NO = /^[0-9A-Za-z-]{4,32}$/;

/** The revocation reason a replacement uses for the certificate it replaces (RFC 5280 CRLReason codes). */
export const REPLACEMENT_REVOCATION = {
  /** 补办: the key is lost (keyCompromise) — or the unit stopped using it (cessationOfOperation). */
  reissue: [1, 5],
  /** 变更: the details changed (affiliationChanged) or simply superseded. */
  change: [3, 4],
} as const;
