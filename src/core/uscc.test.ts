import { describe, expect, it } from 'vitest';
import { isValidUscc, normalizeUscc, usccCheckChar, usccProblem, usccProblemMessage } from './uscc.js';

describe('USCC check character (GB 32100-2015)', () => {
  // Valid codes of several organization types: 91 enterprise, 92 个体工商户, 12 事业单位 (public institution),
  // 11 机关 (government body), 51 社会团体 (social organization), 52 民办非企业单位 (e.g. private clinic), Y1 农民专业合作社.
  const valid = [
    '91360100MA35XQ7T6B',
    '91110000100000000X'.slice(0, 17) + usccCheckChar('91110000100000000'),
    '92360100MA3A1B2C3'.padEnd(17, '0').slice(0, 17) + usccCheckChar('92360100MA3A1B2C3'),
    '12360000491003225' + usccCheckChar('12360000491003225'),
    '11360000014500111' + usccCheckChar('11360000014500111'),
    '51360000500010293' + usccCheckChar('51360000500010293'),
    '52360100MJB12345X'.slice(0, 17) + usccCheckChar('52360100MJB12345X'.slice(0, 17)),
    'Y1360100MA3B0C1D2' + usccCheckChar('Y1360100MA3B0C1D2'),
  ];
  it.each(valid)('accepts %s', (code) => {
    expect(usccProblem(code)).toBeNull();
    expect(isValidUscc(code)).toBe(true);
  });

  it('maps a weighted sum of 0 mod 31 to check character 0, not 31', () => {
    expect(usccCheckChar('00000000000000000')).toBe('0');
  });

  const cases: [string, string, ReturnType<typeof usccProblem>, RegExp][] = [
    ['empty', '', { kind: 'empty' }, /请填写/],
    ['17 characters', '91360100MA35XQ7T6', { kind: 'length', length: 17 }, /应为18位，您填写了17位/],
    ['19 characters', '91360100MA35XQ7T6B1', { kind: 'length', length: 19 }, /您填写了19位/],
    ['illegal S at 9', '91360100SA35XQ7T6B', { kind: 'illegal_char', position: 9, char: 'S' }, /第9位“S”/],
    ['illegal Z at 18', '91360100MA35XQ7T6Z', { kind: 'illegal_char', position: 18, char: 'Z' }, /第18位“Z”/],
    ['illegal V at 1', 'V1360100MA35XQ7T6B', { kind: 'illegal_char', position: 1, char: 'V' }, /第1位/],
    ['lower case is not normalized here', '91360100ma35xq7t6b', { kind: 'illegal_char', position: 9, char: 'm' }, /第9位/],
    ['wrong check char', '91360100MA35XQ7T6C', { kind: 'check_char' }, /校验位不正确/],
    ['typo in the body', '91360100MA35XQ7T7B', { kind: 'check_char' }, /校验位不正确/],
  ];
  it.each(cases)('refuses %s', (_name, code, problem, message) => {
    expect(usccProblem(code)).toEqual(problem);
    expect(usccProblemMessage(usccProblem(code)!)).toMatch(message);
  });

  it('never suggests a "correct" check character', () => {
    const msg = usccProblemMessage({ kind: 'check_char' });
    expect(msg).not.toMatch(/应为.$|改为|正确的是/);
  });
});

describe('normalizeUscc', () => {
  it.each([
    ['  91360100ma35xq7t6b ', '91360100MA35XQ7T6B'],
    ['9136O1OOMA35XQ7T6B', '91360100MA35XQ7T6B'], // O looks like 0
    ['9I360100MA35XQ7T6B', '91360100MA35XQ7T6B'], // I looks like 1
    ['9136 0100 MA35 XQ7T 6B', '91360100MA35XQ7T6B'],
    ['９１３６０１００ＭＡ３５ＸＱ７Ｔ６Ｂ', '91360100MA35XQ7T6B'], // full-width input from a Chinese IME
  ])('%j → %s', (input, out) => {
    expect(normalizeUscc(input)).toBe(out);
    expect(isValidUscc(normalizeUscc(input))).toBe(true);
  });
});
