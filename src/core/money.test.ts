import { describe, expect, it } from 'vitest';
import { fenToYuanText, yuanTextToFen } from './money.js';

describe('yuan text ↔ fen', () => {
  it.each([
    ['220', 22000],
    ['190.5', 19050],
    ['0.01', 1],
    [' 19.99 ', 1999],
    ['0.1', 10],
    ['1234567.89', 123456789],
  ])('%j → %d fen', (text, fen) => expect(yuanTextToFen(text)).toBe(fen));
  it.each(['', '-1', '1.234', '1e3', 'abc', '12345678', '1,000', '.5'])('refuses %j', (text) => expect(yuanTextToFen(text)).toBeNull());
  it('never loses a fen where floats would (0.1 + 0.2, 19.99 × 100)', () => {
    expect(yuanTextToFen('0.3')).toBe(30);
    expect(yuanTextToFen('19.99')).toBe(1999);
    expect(fenToYuanText(1999)).toBe('19.99');
    expect(fenToYuanText(22000)).toBe('220.00');
  });
});
