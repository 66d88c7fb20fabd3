import { describe, expect, it } from 'vitest';
import type { SealBoxKind } from '../templates/seal-sheet.js';
import { judgeBox, LIMITS, QUALITY_RULES, type BoxMetrics, type QualityCode } from './quality.js';

/** A well-stamped 40 mm company seal at 200 dpi on white paper. */
const GOOD: BoxMetrics = {
  inkAreaMm2: 400,
  weakInkAreaMm2: 420,
  otherInkAreaMm2: 0,
  lineInkAreaMm2: 0,
  strayInkAreaMm2: 0,
  strengthP90: 0.6,
  widthMm: 40,
  heightMm: 40,
  fill: 0.25,
  pxPerMm: 7.9,
  paperLuminance: 0.92,
  paperCast: 0.05,
};
const m = (over: Partial<BoxMetrics>): BoxMetrics => ({ ...GOOD, ...over });
const SIG: Partial<BoxMetrics> = { widthMm: 36, heightMm: 17, fill: 0.2, inkAreaMm2: 110 };
const LEGAL: Partial<BoxMetrics> = { widthMm: 18, heightMm: 18, fill: 0.47, inkAreaMm2: 150 };

describe('quality rules', () => {
  it.each<[string, SealBoxKind, Partial<BoxMetrics>, QualityCode[], RegExp | null]>([
    ['a good company seal', 'company-seal', {}, [], null],
    ['a good legal-person seal', 'legal-person-seal', LEGAL, [], null],
    ['a good signature (long and low is fine)', 'legal-person-signature', SIG, [], null],
    ['nothing in the box', 'company-seal', { inkAreaMm2: 0, weakInkAreaMm2: 0, widthMm: 0, heightMm: 0, fill: 0 }, ['empty'], /没有盖章/],
    [
      'nothing in a signature box',
      'legal-person-signature',
      { inkAreaMm2: 1, weakInkAreaMm2: 2, widthMm: 1, heightMm: 1 },
      ['empty'],
      /没有签名/,
    ],
    [
      'a trace below the empty limit',
      'company-seal',
      { inkAreaMm2: LIMITS.emptyMm2 - 0.1, weakInkAreaMm2: LIMITS.weakMm2 - 0.1 },
      ['empty'],
      /没有盖章/,
    ],
    ['blue ink', 'legal-person-seal', { ...LEGAL, inkAreaMm2: 0, weakInkAreaMm2: 0, otherInkAreaMm2: 140 }, ['not-red'], /不是红色/],
    ['some red, mostly black', 'company-seal', { inkAreaMm2: 30, otherInkAreaMm2: 300 }, ['not-red'], /不是红色/],
    ['a black signature is not "not red"', 'legal-person-signature', { ...SIG, otherInkAreaMm2: 110 }, [], null],
    ['72 dpi', 'company-seal', { pxPerMm: 2.83 }, ['low-resolution'], /约72dpi/],
    ['just under the resolution limit', 'company-seal', { pxPerMm: LIMITS.minPxPerMm - 0.01 }, ['low-resolution'], /分辨率过低/],
    ['over the line', 'company-seal', { lineInkAreaMm2: 3 }, ['crosses-line'], /压在采集框的线上/],
    ['over the line with a signature', 'legal-person-signature', { ...SIG, lineInkAreaMm2: 2 }, ['crosses-line'], /签名压在/],
    ['a touch of the line below the limit', 'company-seal', { lineInkAreaMm2: LIMITS.lineMm2 - 0.01 }, [], null],
    ['faint', 'company-seal', { strengthP90: 0.28 }, ['faint'], /太淡/],
    [
      'so faint almost nothing passes the threshold',
      'company-seal',
      { inkAreaMm2: 1, weakInkAreaMm2: 150, widthMm: 2, heightMm: 2 },
      ['faint'],
      /太淡/,
    ],
    ['over the line and faint: both', 'company-seal', { lineInkAreaMm2: 5, strengthP90: 0.2 }, ['crosses-line', 'faint'], /压在/],
    ['a blot', 'company-seal', { fill: 0.75 }, ['smudged'], /晕染/],
    ['stamped twice side by side', 'legal-person-seal', { ...LEGAL, widthMm: 26 }, ['smudged'], /重影/],
    ['too small a company seal', 'company-seal', { widthMm: 18, heightMm: 18 }, ['too-small'], /约18毫米/],
    ['a small signature', 'legal-person-signature', { ...SIG, widthMm: 10, heightMm: 4 }, ['too-small'], /签得大一些/],
    ['specks around', 'company-seal', { strayInkAreaMm2: 2 }, ['background'], /背景不干净/],
    ['dark paper', 'company-seal', { paperLuminance: 0.5 }, ['background'], /底色/],
    ['yellow paper', 'company-seal', { paperCast: 0.25 }, ['background'], /底色/],
    [
      'several at once, in the table order',
      'company-seal',
      { lineInkAreaMm2: 2, fill: 0.7, strayInkAreaMm2: 4 },
      ['crosses-line', 'smudged', 'background'],
      /压在/,
    ],
  ])('%s', (_name, kind, over, codes, reason) => {
    const v = judgeBox(m(over), kind);
    expect(v.codes).toEqual(codes);
    expect(v.reasons).toHaveLength(codes.length);
    if (reason) expect(v.reasons.join('；')).toMatch(reason);
  });

  it('every rule has a Chinese title and reason and a unique code', () => {
    expect(new Set(QUALITY_RULES.map((r) => r.code)).size).toBe(QUALITY_RULES.length);
    for (const r of QUALITY_RULES) {
      expect(r.title).toMatch(/\p{Script=Han}/u);
      for (const k of ['company-seal', 'legal-person-signature'] as const) expect(r.reason(GOOD, k)).toMatch(/\p{Script=Han}.*请/u);
    }
  });
});
