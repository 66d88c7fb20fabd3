import { describe, expect, it } from 'vitest';
import { PASSWORD_RULE_TEXT, passwordProblem, passwordProblemMessage } from './password-rule.js';

describe('password rule', () => {
  it.each(['Secret2026x', 'abcdefg1', '江西CA证书2026ok', 'x'.repeat(63) + '1'])('accepts %s', (pw) => {
    expect(passwordProblem(pw, ['91360100MA35XQ7T6B', '13800138000'])).toBeNull();
  });
  it.each([
    ['abc1234', 'too_short'],
    ['a1'.repeat(33), 'too_long'],
    ['12345678', 'needs_letter'],
    ['abcdefgh', 'needs_digit'],
    ['x91360100ma35xq7t6b', 'same_as_identifier'],
    ['a13800138000', 'same_as_identifier'],
    ['Password123', 'too_common'],
    ['woaini1314', 'too_common'],
  ] as const)('refuses %s (%s)', (pw, problem) => {
    expect(passwordProblem(pw, ['91360100MA35XQ7T6B', '13800138000'])).toBe(problem);
    expect(passwordProblemMessage(problem)).toMatch(/密码/);
  });
  it('the rule shown before typing states the numbers the check uses', () => {
    expect(PASSWORD_RULE_TEXT).toMatch(/8–64位/);
    expect(PASSWORD_RULE_TEXT).toMatch(/字母和数字/);
  });
});
