/**
 * The password rule, shown to the user before they type (PASSWORD_RULE_TEXT) and enforced on the server.
 * Length matters most (NIST SP 800-63B); we also ask for letters and digits, because Chinese portal users
 * expect that rule, and refuse the account's own identifiers and the most common passwords.
 */
export const PASSWORD_MIN = 8;
export const PASSWORD_MAX = 64;
export const PASSWORD_RULE_TEXT = `密码长度${PASSWORD_MIN}–${PASSWORD_MAX}位，须同时包含字母和数字，不能与统一社会信用代码或手机号相同，不能使用常见弱密码`;

const COMMON = new Set([
  'password1',
  'password123',
  'passw0rd',
  'qwerty123',
  'abc12345',
  'abcd1234',
  'a1234567',
  'a12345678',
  'aa123456',
  'qq123456',
  'admin123',
  'admin888',
  'woaini1314',
  'abc123456',
  '1qaz2wsx',
  'zxcvbnm123',
  'qwe123456',
  'asd123456',
  'p@ssw0rd',
  'iloveyou1',
  '123456abc',
  '12345678a',
  '123456789a',
  'a123456789',
]);

export type PasswordProblem = 'too_short' | 'too_long' | 'needs_letter' | 'needs_digit' | 'same_as_identifier' | 'too_common';

export function passwordProblem(pw: string, identifiers: string[] = []): PasswordProblem | null {
  const len = Array.from(pw).length;
  if (len < PASSWORD_MIN) return 'too_short';
  if (len > PASSWORD_MAX) return 'too_long';
  if (!/[A-Za-z]/.test(pw)) return 'needs_letter';
  if (!/\d/.test(pw)) return 'needs_digit';
  const lower = pw.toLowerCase();
  if (identifiers.some((id) => id && lower.includes(id.toLowerCase()))) return 'same_as_identifier';
  if (COMMON.has(lower)) return 'too_common';
  return null;
}

export function passwordProblemMessage(p: PasswordProblem): string {
  switch (p) {
    case 'too_short':
      return `密码至少${PASSWORD_MIN}位`;
    case 'too_long':
      return `密码最多${PASSWORD_MAX}位`;
    case 'needs_letter':
      return '密码须包含字母';
    case 'needs_digit':
      return '密码须包含数字';
    case 'same_as_identifier':
      return '密码不能包含统一社会信用代码或手机号';
    case 'too_common':
      return '该密码过于常见，容易被猜中，请换一个';
  }
}
