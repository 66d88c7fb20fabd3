/**
 * 统一社会信用代码 (Unified Social Credit Code) per GB 32100-2015.
 *
 * 18 characters from the 31-symbol alphabet 0-9 A-H J-N P-R T U W-Y (no I O S V Z); the 18th is a check
 * character: C18 = 31 − (Σ Ci·Wi mod 31), with Wi = 3^(i−1) mod 31 and 31 mapped to 0.
 * We check length, alphabet and the check character — and deliberately never suggest a "correct" check
 * character: the typo may be anywhere in the first 17 positions (issue 2).
 */

export const USCC_ALPHABET = '0123456789ABCDEFGHJKLMNPQRTUWXY';
const WEIGHTS = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28];

/**
 * Trim, drop inner spaces, upper-case, and turn the letters a USCC never uses but that look like digits
 * into those digits (seed 002: "所有跟字母相似的字符均为数字"): O→0, I→1. The form shows the result before
 * it is saved, so the user sees exactly what we corrected.
 */
export function normalizeUscc(input: string): string {
  return input
    .replace(/[\s\u3000-]+/g, '')
    .replace(/[\uFF01-\uFF5E]/g, (c) => String.fromCharCode(c.charCodeAt(0) - 0xfee0)) // 全角 → 半角
    .toUpperCase()
    .replace(/O/g, '0')
    .replace(/I/g, '1');
}

export function usccCheckChar(first17: string): string {
  let sum = 0;
  for (let i = 0; i < 17; i++) {
    const v = USCC_ALPHABET.indexOf(first17[i]!);
    if (v < 0) throw new Error(`not a USCC character: ${first17[i]}`);
    sum += v * WEIGHTS[i]!;
  }
  const c = 31 - (sum % 31);
  return USCC_ALPHABET[c === 31 ? 0 : c]!;
}

export type UsccProblem =
  | { kind: 'empty' }
  | { kind: 'length'; length: number }
  | { kind: 'illegal_char'; position: number; char: string }
  | { kind: 'check_char' };

/** Returns null when `code` (already normalized) is a valid USCC, else the first problem found. */
export function usccProblem(code: string): UsccProblem | null {
  if (code.length === 0) return { kind: 'empty' };
  const chars = Array.from(code);
  if (chars.length !== 18) return { kind: 'length', length: chars.length };
  for (let i = 0; i < 18; i++) {
    if (!USCC_ALPHABET.includes(chars[i]!)) return { kind: 'illegal_char', position: i + 1, char: chars[i]! };
  }
  if (usccCheckChar(code.slice(0, 17)) !== code[17]) return { kind: 'check_char' };
  return null;
}

export function usccProblemMessage(p: UsccProblem): string {
  switch (p.kind) {
    case 'empty':
      return '请填写统一社会信用代码';
    case 'length':
      return `统一社会信用代码应为18位，您填写了${p.length}位`;
    case 'illegal_char':
      return `统一社会信用代码第${p.position}位“${p.char}”不是合法字符（只能是数字和除 I、O、S、V、Z 以外的大写字母）`;
    case 'check_char':
      return '统一社会信用代码校验位不正确，请对照营业执照逐位核对（任何一位填错都会导致校验失败）';
  }
}

export function isValidUscc(code: string): boolean {
  return usccProblem(code) === null;
}
