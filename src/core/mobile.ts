/**
 * Mainland China mobile numbers: 11 digits starting 1[3-9] (MIIT numbering plan). We accept the usual
 * ways people type them (+86 / 0086 prefix, spaces, dashes) and store the bare 11 digits.
 */
export function normalizeMobile(input: string): string {
  let s = input.replace(/[\s\u3000-]+/g, '');
  if (s.startsWith('+86')) s = s.slice(3);
  else if (s.startsWith('0086')) s = s.slice(4);
  else if (s.length === 13 && s.startsWith('86')) s = s.slice(2);
  return s;
}

export type MobileProblem = 'empty' | 'not_digits' | 'length' | 'prefix';

export function mobileProblem(normalized: string): MobileProblem | null {
  if (normalized === '') return 'empty';
  if (!/^\d+$/.test(normalized)) return 'not_digits';
  if (normalized.length !== 11) return 'length';
  if (!/^1[3-9]/.test(normalized)) return 'prefix';
  return null;
}

export function mobileProblemMessage(p: MobileProblem, label = '手机号'): string {
  switch (p) {
    case 'empty':
      return `请填写${label}`;
    case 'not_digits':
      return `${label}只能包含数字`;
    case 'length':
      return `${label}应为11位大陆手机号码`;
    case 'prefix':
      return `${label}应以13–19开头，请填写大陆手机号码（不能填写座机）`;
  }
}

/** 138****5678: how a mobile is shown to anyone who is not its owner (and in logs). */
export function maskMobile(m: string): string {
  return m.length === 11 ? `${m.slice(0, 3)}****${m.slice(7)}` : '***';
}
