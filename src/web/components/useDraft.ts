import { useEffect } from 'react';
import type { FormInstance } from 'antd';

/**
 * Keeps what the user typed in sessionStorage so a reload or an accidental back-navigation loses nothing.
 * Secrets (passwords, captcha answers, SMS codes) are never stored.
 */
export function useDraft(key: string, form: FormInstance, keep: string[]): { clear(): void; save(): void } {
  const storageKey = `certdesk:draft:${key}`;
  useEffect(() => {
    try {
      const saved = JSON.parse(sessionStorage.getItem(storageKey) ?? 'null') as Record<string, unknown> | null;
      if (saved) form.setFieldsValue(saved);
    } catch {
      /* a broken draft is just ignored */
    }
  }, [form, storageKey]);
  const save = () => {
    const all = form.getFieldsValue(keep) as Record<string, unknown>;
    sessionStorage.setItem(storageKey, JSON.stringify(Object.fromEntries(keep.map((k) => [k, all[k]]))));
  };
  return { save, clear: () => sessionStorage.removeItem(storageKey) };
}
