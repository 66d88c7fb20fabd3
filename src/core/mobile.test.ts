import { describe, expect, it } from 'vitest';
import { maskMobile, mobileProblem, mobileProblemMessage, normalizeMobile } from './mobile.js';

describe('mainland mobile rule', () => {
  it.each([
    ['13800138000', '13800138000'],
    ['+86 138 0013 8000', '13800138000'],
    ['0086-19912345678', '19912345678'],
    ['8613800138000', '13800138000'],
    ['166 1234 5678', '16612345678'],
  ])('accepts %s', (input, normalized) => {
    expect(normalizeMobile(input)).toBe(normalized);
    expect(mobileProblem(normalizeMobile(input))).toBeNull();
  });

  it.each([
    ['', 'empty', /请填写手机号/],
    ['0791-82097407', 'length', /11位/], // a landline: the seeds say 收件人电话请填写手机号
    ['1380013800', 'length', /11位/],
    ['138001380001', 'length', /11位/],
    ['12800138000', 'prefix', /13–19开头/],
    ['10086100860', 'prefix', /13–19开头/],
    ['1380013800a', 'not_digits', /只能包含数字/],
  ] as const)('refuses %j (%s)', (input, problem, msg) => {
    const p = mobileProblem(normalizeMobile(input));
    expect(p).toBe(problem);
    expect(mobileProblemMessage(p!)).toMatch(msg);
  });

  it('masks for display', () => expect(maskMobile('13800138000')).toBe('138****8000'));
});
