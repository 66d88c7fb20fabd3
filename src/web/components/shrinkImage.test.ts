import { describe, expect, it } from 'vitest';
import { jpegName, scaledSize, SHRINK_STEPS } from './shrinkImage.js';

describe('scaledSize: the longer side at most the step’s, never enlarged, the shape kept', () => {
  it.each([
    [4032, 3024, 2480, 2480, 1860],
    [3024, 4032, 2480, 1860, 2480],
    [2480, 3508, 2480, 1753, 2480],
    [1000, 700, 2480, 1000, 700],
    [8000, 10, 1240, 1240, 2],
    [5000, 1, 1240, 1240, 1],
  ])('%d×%d to %d → %d×%d', (w, h, side, ew, eh) => {
    expect(scaledSize(w, h, side)).toEqual({ width: ew, height: eh });
  });
});

describe('the steps', () => {
  it('start at A4 300 dpi, only ever get smaller, and stop at A4 150 dpi (still readable for 预审)', () => {
    expect(SHRINK_STEPS[0]).toEqual({ longSide: 2480, quality: 0.85 });
    for (let i = 1; i < SHRINK_STEPS.length; i++) {
      expect(SHRINK_STEPS[i]!.longSide).toBeLessThanOrEqual(SHRINK_STEPS[i - 1]!.longSide);
      expect(SHRINK_STEPS[i]!.quality).toBeLessThanOrEqual(SHRINK_STEPS[i - 1]!.quality);
    }
    expect(Math.min(...SHRINK_STEPS.map((s) => s.longSide))).toBe(1240);
  });
});

describe('jpegName', () => {
  it.each([
    ['IMG_0001.JPG', 'IMG_0001.jpg'],
    ['营业执照.png', '营业执照.jpg'],
    ['scan.final.bmp', 'scan.final.jpg'],
    ['noext', 'noext.jpg'],
    ['.png', 'photo.jpg'],
  ])('%s → %s', (name, out) => expect(jpegName(name)).toBe(out));
});
