/**
 * 居民身份证号码 per GB 11643-1999: 6-digit address code, 8-digit birth date, 3-digit sequence, and a check
 * character computed with ISO 7064 MOD 11-2 (weights 2^(17-i) mod 11; remainder → "10X98765432").
 */
const WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const CHECK = '10X98765432';

export function idCheckChar(first17: string): string {
  let sum = 0;
  for (let i = 0; i < 17; i++) sum += Number(first17[i]) * WEIGHTS[i]!;
  return CHECK[sum % 11]!;
}

export function normalizeIdNumber(input: string): string {
  return input
    .replace(/[\s\u3000]+/g, '')
    .replace(/[\uFF10-\uFF19\uFF38\uFF58]/g, (c) => String.fromCharCode(c.charCodeAt(0) - 0xfee0))
    .toUpperCase();
}

export type IdProblem = 'empty' | 'length' | 'format' | 'region' | 'birth_date' | 'check_char';

/** `today` decides which birth dates are in the future; injected so tests are stable. */
export function idNumberProblem(id: string, today: Date = new Date()): IdProblem | null {
  if (id === '') return 'empty';
  if (id.length !== 18) return 'length';
  if (!/^\d{17}[\dX]$/.test(id)) return 'format';
  // Province codes run 11–65 (plus 71 台湾, 81 香港, 82 澳门, 83 台湾居民居住证, 91 国外).
  const province = Number(id.slice(0, 2));
  if (!((province >= 11 && province <= 65) || [71, 81, 82, 83, 91].includes(province))) return 'region';
  const y = Number(id.slice(6, 10));
  const m = Number(id.slice(10, 12));
  const d = Number(id.slice(12, 14));
  const birth = new Date(Date.UTC(y, m - 1, d));
  if (y < 1900 || birth.getUTCFullYear() !== y || birth.getUTCMonth() !== m - 1 || birth.getUTCDate() !== d || birth > today)
    return 'birth_date';
  if (idCheckChar(id.slice(0, 17)) !== id[17]) return 'check_char';
  return null;
}

export function idProblemMessage(p: IdProblem, label = '身份证号'): string {
  switch (p) {
    case 'empty':
      return `请填写${label}`;
    case 'length':
      return `${label}应为18位`;
    case 'format':
      return `${label}前17位应为数字，最后一位为数字或X`;
    case 'region':
      return `${label}前两位不是有效的省级行政区代码`;
    case 'birth_date':
      return `${label}第7–14位不是有效的出生日期`;
    case 'check_char':
      return `${label}校验位不正确，请对照身份证逐位核对`;
  }
}

/** Age in whole years on `on` (the power of attorney requires the agent to be at least 18). */
export function ageOn(id: string, on: Date): number {
  const y = Number(id.slice(6, 10));
  const m = Number(id.slice(10, 12));
  const d = Number(id.slice(12, 14));
  let age = on.getUTCFullYear() - y;
  if (on.getUTCMonth() + 1 < m || (on.getUTCMonth() + 1 === m && on.getUTCDate() < d)) age--;
  return age;
}

/** 3601**********1234 — how an ID number is shown to anyone but its owner, and never in logs. */
export const maskIdNumber = (id: string): string => (id.length === 18 ? `${id.slice(0, 4)}**********${id.slice(14)}` : '****');
