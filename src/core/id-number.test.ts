import { describe, expect, it } from 'vitest';
import { ageOn, idCheckChar, idNumberProblem, idProblemMessage, maskIdNumber, normalizeIdNumber } from './id-number.js';

const TODAY = new Date('2026-11-20T00:00:00Z');
const make = (first17: string) => first17 + idCheckChar(first17);

describe('resident ID number (GB 11643)', () => {
  // 11010519491231002X is the standard's own example.
  it.each([
    '11010519491231002X',
    make('36010219900307123'),
    make('36250119881130001'),
    make('65010120000229123'),
    make('81000019700101001'),
  ])('accepts %s', (id) => expect(idNumberProblem(id, TODAY)).toBeNull());

  it.each([
    ['', 'empty'],
    ['3601021990030712', 'length'],
    ['36010219900307123X1', 'length'],
    ['3601021990030712A4', 'format'],
    ['x10105194912310020', 'format'],
    [make('00010219900307123'), 'region'],
    [make('99010219900307123'), 'region'],
    [make('36010219900230123'), 'birth_date'], // 30 February
    [make('36010219001301123'), 'birth_date'], // month 13
    [make('36010218990101123'), 'birth_date'], // before 1900
    [make('36010220300101123'), 'birth_date'], // born in the future
    [make('36010219890229123'), 'birth_date'], // 1989 was no leap year
    ['110105194912310021', 'check_char'],
    ['11010519491231002x'.toUpperCase().replace('X', '1'), 'check_char'],
  ] as const)('refuses %j (%s)', (id, problem) => {
    expect(idNumberProblem(id, TODAY)).toBe(problem);
    expect(idProblemMessage(problem, '经办人身份证号')).toMatch(/经办人身份证号/);
  });

  it('normalizes spaces, full-width digits and a lower-case x', () => {
    expect(normalizeIdNumber(' 110105 19491231 002x ')).toBe('11010519491231002X');
    expect(normalizeIdNumber('１１０１０５１９４９１２３１００２Ｘ')).toBe('11010519491231002X');
  });

  it('computes age for the 18-year rule of the power of attorney', () => {
    expect(ageOn(make('36010220081121123'), TODAY)).toBe(17);
    expect(ageOn(make('36010220081120123'), TODAY)).toBe(18);
  });

  it('masks for display', () => expect(maskIdNumber('11010519491231002X')).toBe('1101**********002X'));
});
