import { describe, expect, it } from 'vitest';
import {
  formatOrderNumber,
  isValidOrderNumber,
  luhnDigit,
  makeOrderNumber,
  normalizeOrderNumber,
  parseOrderNumber,
} from './order-number.js';

describe('order numbers', () => {
  it('carry the China-time date, 8 random digits and a Luhn check digit', () => {
    // 2026-11-20 17:00 UTC is already 21 November in China.
    const n = makeOrderNumber(new Date('2026-11-20T17:00:00Z'), '58302917');
    expect(n).toMatch(/^26112158302917\d$/);
    expect(n).toHaveLength(15);
    expect(isValidOrderNumber(n)).toBe(true);
  });

  it('Luhn matches the textbook example', () => {
    expect(luhnDigit('7992739871')).toBe('3');
  });

  it('catches every single mistyped digit and every swap of two different neighbours', () => {
    const n = makeOrderNumber(new Date('2026-11-20T02:00:00Z'), '12345678');
    for (let i = 0; i < 15; i++) {
      for (let d = 0; d <= 9; d++) {
        if (String(d) === n[i]) continue;
        expect(isValidOrderNumber(n.slice(0, i) + d + n.slice(i + 1))).toBe(false);
      }
    }
    for (let i = 0; i < 14; i++) {
      if (n[i] === n[i + 1] || (n[i] === '0' && n[i + 1] === '9') || (n[i] === '9' && n[i + 1] === '0')) continue; // Luhn's one blind spot
      expect(isValidOrderNumber(n.slice(0, i) + n[i + 1] + n[i] + n.slice(i + 2))).toBe(false);
    }
  });

  it('is digits only and reads in groups', () => {
    const n = makeOrderNumber(new Date('2026-11-20T02:00:00Z'), '00000001');
    expect(formatOrderNumber(n)).toMatch(/^\d{6}-\d{4}-\d{5}$/);
    expect(normalizeOrderNumber(formatOrderNumber(n))).toBe(n);
  });

  it('refuses a random part that is not 8 digits', () => {
    expect(() => makeOrderNumber(new Date(), '1234')).toThrow();
  });
});

describe('one format shown, either form accepted', () => {
  it.each([
    ['the shown form', '261207-7864-78599', '261207786478599'],
    ['the stored form', '261207786478599', '261207786478599'],
    ['spaces instead of dashes', ' 261207 7864 78599 ', '261207786478599'],
    ['full-width digits and dash (Chinese IME)', '２６１２０７－７８６４－７８５９９', '261207786478599'],
    ['an en dash and an ideographic space', '261207–7864\u300078599', '261207786478599'],
    ['14 digits', '26120778647859', null],
    ['16 digits', '2612077864785990', null],
    ['letters', '261207-7864-7859A', null],
    ['a mobile number', '13800138000', null],
    ['nothing', '', null],
  ])('%s: %j → %j', (_what, input, digits) => {
    expect(parseOrderNumber(input)).toBe(digits);
  });

  it.each([
    ['261207786478599', '261207-7864-78599'],
    ['261120583029174', '261120-5830-29174'],
  ])('%s is shown as %s, which parses back', (stored, shown) => {
    expect(formatOrderNumber(stored)).toBe(shown);
    expect(parseOrderNumber(shown)).toBe(stored);
  });
});
