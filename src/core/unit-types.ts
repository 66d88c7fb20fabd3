/**
 * The kinds of applicant unit (单位类型) and the registration certificate each presents. Apart from the order
 * form's rules (order-form.ts) so that pages showing a unit type do not load the rule library (zod) with it.
 */
export const UNIT_TYPES = {
  enterprise: { label: '企业', credential: '营业执照' },
  medical: { label: '医疗机构', credential: '医疗机构执业许可证' },
  social_org: { label: '社会团体', credential: '社会团体法人登记证书' },
  public_institution: { label: '事业单位', credential: '事业单位法人证书' },
  government: { label: '机关单位', credential: '统一社会信用代码证书' },
  other: { label: '其他组织', credential: '含统一社会信用代码的登记证书' },
} as const;
export type UnitType = keyof typeof UNIT_TYPES;
export const UNIT_TYPE_CODES = Object.keys(UNIT_TYPES) as UnitType[];
