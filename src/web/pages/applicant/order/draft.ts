/**
 * The order form as the browser holds it, and the body the server accepts (ZOrderDraft, strict): only the
 * known keys, no empty strings, no empty sections. Also the unsaved copy kept in localStorage so that a
 * reload, a lost connection or a conflict with another tab loses nothing the applicant typed.
 */
import { useEffect, useState } from 'react';
import type { OrderDraft, orderFormProblems } from '../../../../core/order-form.js';

export const SECTIONS = {
  unit: ['address', 'unitType'],
  legalPerson: ['name', 'idNumber', 'mobile'],
  agent: ['name', 'idNumber', 'mobile', 'email'],
  invoice: ['title', 'taxNumber', 'email'],
  recipient: ['name', 'mobile', 'address'],
  inGanManager: ['name'],
} as const;
export type Section = keyof typeof SECTIONS;

/** Every field path of the form, dotted as the server writes them ("agent.idNumber"). */
export function fieldPaths(outOfProvince: boolean): string[] {
  return (Object.keys(SECTIONS) as Section[])
    .filter((s) => outOfProvince || s !== 'inGanManager')
    .flatMap((s) => SECTIONS[s].map((k) => `${s}.${k}`));
}

type Loose = Record<string, Record<string, unknown> | undefined> | undefined;

/** The request body: exactly ZOrderDraft's keys, in a fixed order (so JSON texts compare equal). */
export function toDraft(values: Loose, outOfProvince: boolean): OrderDraft {
  const out: Record<string, Record<string, string>> = {};
  for (const s of Object.keys(SECTIONS) as Section[]) {
    if (s === 'inGanManager' && !outOfProvince) continue;
    const part: Record<string, string> = {};
    for (const k of SECTIONS[s]) {
      const v = values?.[s]?.[k];
      if (typeof v === 'string' && v !== '') part[k] = v;
    }
    if (Object.keys(part).length) out[s] = part;
  }
  return out as OrderDraft;
}

export const draftJson = (d: OrderDraft): string => JSON.stringify(d);

/** The server's rules for the form (core/order-form.ts's orderFormProblems). */
export type OrderRules = typeof orderFormProblems;

let rulesLoading: Promise<OrderRules> | undefined;

/**
 * The form's rules, loaded after the form is on screen (issue 14): they are written with zod, whose ~90 KB would
 * otherwise be downloaded and run before an applicant sees the form. Null until they arrive; the server checks
 * every save and the submission by the same rules meanwhile.
 */
export function useOrderRules(): OrderRules | null {
  const [rules, setRules] = useState<OrderRules | null>(null);
  useEffect(() => {
    let live = true;
    rulesLoading ??= import('../../../../core/order-form.js').then((m) => m.orderFormProblems);
    rulesLoading.then(
      (r) => live && setRules(() => r),
      () => {
        rulesLoading = undefined; // a failed chunk load: the next form to mount asks again
      },
    );
    return () => {
      live = false;
    };
  }, []);
  return rules;
}

/**
 * What the browser finds wrong, by the same rules as the server (orderFinalSchema). Every field is judged
 * on its own ("请填写经办人姓名") rather than a whole missing section, so each message sits at its field.
 */
export function browserProblems(draft: OrderDraft, outOfProvince: boolean, orderFormProblems: OrderRules): Record<string, string> {
  const filled: Record<string, Record<string, string>> = {};
  for (const s of Object.keys(SECTIONS) as Section[]) {
    if (s === 'inGanManager' && !outOfProvince) continue;
    const have = (draft as Record<string, Record<string, string> | undefined>)[s] ?? {};
    filled[s] = Object.fromEntries(SECTIONS[s].map((k) => [k, have[k] ?? '']));
  }
  return orderFormProblems(filled as OrderDraft, { outOfProvince });
}

export interface LocalCopy {
  form: OrderDraft;
  /** The server's form version the copy was typed on top of. */
  baseVersion: number;
  /** When it was typed (ms since epoch, this computer's clock). */
  editedAt: number;
}

const storageKey = (orderId: string) => `certdesk:order-form:${orderId}`;

export const localCopy = {
  read(orderId: string): LocalCopy | null {
    try {
      const v = JSON.parse(localStorage.getItem(storageKey(orderId)) ?? 'null') as LocalCopy | null;
      return v && typeof v === 'object' && v.form && typeof v.editedAt === 'number' ? v : null;
    } catch {
      return null;
    }
  },
  write(orderId: string, copy: LocalCopy): void {
    try {
      localStorage.setItem(storageKey(orderId), JSON.stringify(copy));
    } catch {
      /* storage full or disabled: the server copy is all there is */
    }
  },
  clear(orderId: string): void {
    try {
      localStorage.removeItem(storageKey(orderId));
    } catch {
      /* ignored */
    }
  },
};
