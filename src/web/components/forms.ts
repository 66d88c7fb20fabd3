/** Glue between the shared zod rules and antd forms, so the browser checks exactly what the server checks. */
import type { FormInstance } from 'antd';
import type { FormRule as Rule } from 'antd';
import type { ZodType } from 'zod';
import { ApiError } from '../api.js';

export function zodRule(schema: ZodType): Rule {
  return {
    validator: async (_rule, value) => {
      const r = schema.safeParse(value ?? '');
      if (!r.success) throw new Error(r.error.issues[0]?.message ?? '格式不正确');
    },
  };
}

/** Puts the server's per-field messages next to the fields; returns the message for anything else. */
export function showServerErrors(form: FormInstance, e: unknown): string | null {
  if (e instanceof ApiError) {
    const known = new Set(Object.keys(form.getFieldsValue(true)));
    const entries = Object.entries(e.fields).filter(([k]) => known.has(k));
    if (entries.length) form.setFields(entries.map(([name, msg]) => ({ name, errors: [msg] })));
    const rest = Object.entries(e.fields).filter(([k]) => !known.has(k));
    if (entries.length && !rest.length) return null;
    return rest.length ? rest.map(([, m]) => m).join('；') : e.message;
  }
  return '系统繁忙，请稍后再试';
}
