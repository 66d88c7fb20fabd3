/** The order form's fields as staff read them: section titles and the label of every dotted path ("agent.mobile"). */
import type { OrderDraft } from '../../../../core/order-form.js';
import { UNIT_TYPES, type UnitType } from '../../../../core/unit-types.js';

export interface FormSection {
  key: keyof OrderDraft;
  title: string;
  fields: { key: string; label: string; mono?: boolean }[];
}

export const FORM_SECTIONS: FormSection[] = [
  {
    key: 'unit',
    title: '单位信息',
    fields: [
      { key: 'address', label: '通信地址' },
      { key: 'unitType', label: '单位类型' },
    ],
  },
  {
    key: 'legalPerson',
    title: '法人信息',
    fields: [
      { key: 'name', label: '法定代表人姓名' },
      { key: 'idNumber', label: '法定代表人身份证号', mono: true },
      { key: 'mobile', label: '法定代表人手机号' },
    ],
  },
  {
    key: 'agent',
    title: '经办人信息',
    fields: [
      { key: 'name', label: '经办人姓名' },
      { key: 'idNumber', label: '经办人身份证号', mono: true },
      { key: 'mobile', label: '经办人手机号' },
      { key: 'email', label: '经办人电子邮箱' },
    ],
  },
  {
    key: 'invoice',
    title: '发票信息',
    fields: [
      { key: 'title', label: '发票抬头' },
      { key: 'taxNumber', label: '纳税人识别号', mono: true },
      { key: 'email', label: '发票接收邮箱' },
    ],
  },
  {
    key: 'recipient',
    title: '证书接收人信息',
    fields: [
      { key: 'name', label: '收件人姓名' },
      { key: 'mobile', label: '收件人手机号' },
      { key: 'address', label: '收件地址' },
    ],
  },
  { key: 'inGanManager', title: '入赣负责人', fields: [{ key: 'name', label: '入赣负责人姓名' }] },
];

/** "agent.mobile" → "经办人手机号"; an unknown path is shown as it is. */
export function fieldLabel(path: string): string {
  const [section, field] = path.split('.');
  const s = FORM_SECTIONS.find((x) => x.key === section);
  return s?.fields.find((f) => f.key === field)?.label ?? (s ? `${s.title}：${field ?? ''}` : path);
}

/** A field's value as text (the unit type by its Chinese name). */
export function fieldText(form: OrderDraft, section: keyof OrderDraft, key: string): string {
  const v = (form[section] as Record<string, string | undefined> | undefined)?.[key];
  if (section === 'unit' && key === 'unitType' && v) return UNIT_TYPES[v as UnitType]?.label ?? v;
  return v?.trim() ?? '';
}
