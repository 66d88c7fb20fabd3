/**
 * Invisible characters in names and addresses (issue 16). A unit name carrying a zero-width space, a
 * byte-order mark or a right-to-left override looks exactly like the plain name on screen, prints as ☒ on
 * the application form and would be signed into a certificate subject: a second "南昌某某公司" nobody can
 * tell apart. Every name and address field refuses them, naming the field and the character, and keeps
 * what was typed (the form shows the message; nothing is stripped behind the user's back).
 *
 * Refused: control characters (Cc; TAB, LF and CR excepted — they are ordinary whitespace the fields trim or
 * collapse), format characters (Cf: U+200B–U+200F, U+202A–U+202E, U+2060–U+2064, U+FEFF, U+00AD …),
 * private-use (Co) and lone surrogates (Cs), the line and paragraph separators (Zl, Zp), and everything
 * Unicode declares default-ignorable (fillers such as U+3164, variation selectors): none of them belongs
 * in a name, and none can be seen. The CA's pre-signing lint refuses the same characters (and every
 * control character) in a certificate subject, as the last line of defence.
 */
import type { z } from 'zod';

const INVISIBLE = /[\p{Cc}\p{Cf}\p{Co}\p{Cs}\p{Zl}\p{Zp}\p{Default_Ignorable_Code_Point}]/gu;
const WHITESPACE_CONTROLS = new Set(['\t', '\n', '\r']);

/**
 * "U+200B" for the first invisible character in `s`, or undefined when there is none. TAB, LF and CR pass
 * unless `whitespace: 'refuse'` (a certificate subject has no place for them either).
 */
export function firstInvisible(s: string, opts: { whitespace?: 'allow' | 'refuse' } = {}): string | undefined {
  for (const m of s.matchAll(INVISIBLE)) {
    if (opts.whitespace !== 'refuse' && WHITESPACE_CONTROLS.has(m[0])) continue;
    return `U+${m[0].codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}`;
  }
  return undefined;
}

export const invisibleMessage = (label: string, codePoint: string) =>
  `${label}含有不可见字符（${codePoint}），可能是从别处复制带入的，请删除后重新输入`;

/** A zod refinement (`.superRefine(visibleText('单位名称'))`) for a name or address field. */
export const visibleText =
  (label: string) =>
  (s: string, ctx: z.RefinementCtx<string>): void => {
    const c = firstInvisible(s);
    if (c) ctx.addIssue({ code: 'custom', message: invisibleMessage(label, c), abort: true });
  };
