import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import type { SealBoxKind } from '../templates/seal-sheet.js';
import { extractSealSheet, type BoxResult, type Extraction } from './extract.js';
import type { QualityCode } from './quality.js';
import { makeScan, stampSvg, STAMP_FOR, type ScanOptions, type Stamp } from './testing/scan.js';

const box = (e: Extraction, kind: SealBoxKind, i: 0 | 1) => e.boxes.find((b) => b.kind === kind && b.box === i)!;

interface Mask {
  w: number;
  h: number;
  on: Uint8Array;
}

/** A mask cropped to its own bounding box. */
function trim(m: Mask): Mask {
  let x0 = m.w,
    y0 = m.h,
    x1 = -1,
    y1 = -1;
  for (let y = 0; y < m.h; y++)
    for (let x = 0; x < m.w; x++)
      if (m.on[y * m.w + x]) {
        x0 = Math.min(x0, x);
        y0 = Math.min(y0, y);
        x1 = Math.max(x1, x);
        y1 = Math.max(y1, y);
      }
  const w = x1 - x0 + 1;
  const h = y1 - y0 + 1;
  const on = new Uint8Array(w * h);
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) on[y * w + x] = m.on[(y + y0) * m.w + x + x0]!;
  return { w, h, on };
}

async function alphaMask(png: Buffer, w?: number, h?: number): Promise<Mask> {
  let s = sharp(png).ensureAlpha();
  if (w && h) s = s.resize(w, h, { fit: 'fill' });
  const { data, info } = await s.raw().toBuffer({ resolveWithObject: true });
  const on = new Uint8Array(info.width * info.height);
  for (let i = 0; i < on.length; i++) on[i] = data[i * 4 + 3]! > 100 ? 1 : 0;
  return { w: info.width, h: info.height, on };
}

/** Share of `a`'s pixels with a pixel of `b` within `tol` pixels. */
function covered(a: Mask, b: Mask, tol: number): number {
  let n = 0,
    hit = 0;
  for (let y = 0; y < a.h; y++)
    for (let x = 0; x < a.w; x++) {
      if (!a.on[y * a.w + x]) continue;
      n++;
      search: for (let dy = -tol; dy <= tol; dy++)
        for (let dx = -tol; dx <= tol; dx++) {
          const xx = x + dx,
            yy = y + dy;
          if (xx >= 0 && yy >= 0 && xx < b.w && yy < b.h && b.on[yy * b.w + xx]) {
            hit++;
            break search;
          }
        }
    }
  return n ? hit / n : 0;
}

/** The extracted ink against the stamp that was stamped, both trimmed to their ink and brought to one size. */
async function matchStamp(b: BoxResult, stamp: Stamp, pxPerMm: number) {
  const truthSvg = stampSvg(stamp, pxPerMm).svg;
  const truth = trim(await alphaMask(await sharp(Buffer.from(truthSvg)).png().toBuffer()));
  const got = trim(await alphaMask(b.png!));
  const scaled = await alphaMask(
    await sharp(Buffer.from(got.on.map((v) => v * 255)), { raw: { width: got.w, height: got.h, channels: 1 } })
      .joinChannel(Buffer.from(got.on.map((v) => v * 255)), { raw: { width: got.w, height: got.h, channels: 1 } })
      .png()
      .toBuffer()
      .then((p) => sharp(p).toColourspace('b-w').ensureAlpha().png().toBuffer()),
    truth.w,
    truth.h,
  );
  return { recall: covered(truth, scaled, 2), precision: covered(scaled, truth, 2), sizeMm: [got.w / pxPerMm, got.h / pxPerMm] };
}

async function transparentOutsideInk(png: Buffer): Promise<{ opaque: number; colours: Set<string> }> {
  const { data, info } = await sharp(png).raw().toBuffer({ resolveWithObject: true });
  expect(info.channels).toBe(4);
  let opaque = 0;
  const colours = new Set<string>();
  for (let i = 0; i < info.width * info.height; i++) {
    if (data[i * 4 + 3]! > 0) {
      opaque++;
      colours.add(`${data[i * 4]},${data[i * 4 + 1]},${data[i * 4 + 2]}`);
    }
  }
  return { opaque, colours };
}

describe('extraction from a printed-and-scanned sheet', () => {
  const noisy: ScanOptions = { rotateDeg: 3, paper: [0.9, 0.89, 0.84], blur: 0.7, jpegQuality: 65 };

  it('finds the sheet through rotation, grey paper, blur and JPEG artefacts, and yields six clean impressions', async () => {
    const e = await extractSealSheet(await makeScan(noisy), 'standard');
    expect(e.verdict, JSON.stringify(e.issues)).toBe('ok');
    expect(e.sheet.pxPerMm).toBeCloseTo(150 / 25.4, 0);
    expect(Math.abs(Math.abs(e.sheet.rotationDeg) - 3)).toBeLessThan(0.3);
    expect(e.boxes).toHaveLength(6);
    for (const b of e.boxes) {
      expect(b.codes, `${b.kind}:${b.box}`).toEqual([]);
      expect(b.png).not.toBeNull();
      const meta = await sharp(b.png!).metadata();
      expect([meta.format, meta.hasAlpha, meta.width, meta.height]).toEqual(['png', true, b.widthPx, b.heightPx]);
      // The background is fully transparent and the ink one flat seal red: nothing of the grey paper is left.
      const { opaque, colours } = await transparentOutsideInk(b.png!);
      expect([...colours]).toEqual(['230,0,18']);
      expect(opaque / (b.widthPx * b.heightPx)).toBeLessThan(0.6);
    }
  });

  it.each([
    ['company-seal', 40, 40],
    ['legal-person-seal', 18, 18],
    ['legal-person-signature', 36, 17],
  ] as const)('%s: the ink matches the stamped shape and its size in millimetres', async (kind, wMm, hMm) => {
    const e = await extractSealSheet(await makeScan(noisy), 'standard');
    const b = box(e, kind, 0);
    const m = await matchStamp(b, { shape: STAMP_FOR[kind] }, Math.min(e.sheet.pxPerMm, 12));
    expect(m.recall).toBeGreaterThan(0.9);
    expect(m.precision).toBeGreaterThan(0.9);
    expect(b.metrics.widthMm).toBeGreaterThan(wMm - 2.5);
    expect(b.metrics.widthMm).toBeLessThan(wMm + 2.5);
    expect(b.metrics.heightMm).toBeGreaterThan(hMm - 3);
    expect(b.metrics.heightMm).toBeLessThan(hMm + 3);
    // The PNG is the impression plus a 1 mm margin each side.
    expect(b.widthMm).toBeCloseTo(b.metrics.widthMm + 2, 0);
  });

  it('keeps a 200 dpi scan at its own resolution and reports the millimetre size', async () => {
    const e = await extractSealSheet(await makeScan({ dpi: 200, rotateDeg: -2 }), 'standard');
    expect(e.verdict, JSON.stringify(e.issues)).toBe('ok');
    const b = box(e, 'company-seal', 1);
    expect(b.widthPx / b.widthMm).toBeCloseTo(200 / 25.4, 0);
  });

  it('reads the out-of-province sheet with its fourth row', async () => {
    const e = await extractSealSheet(await makeScan({ variant: 'out-of-province', rotateDeg: 1.5 }), 'out-of-province');
    expect(e.verdict, JSON.stringify(e.issues)).toBe('ok');
    expect(e.boxes.map((b) => b.kind)).toContain('in-gan-manager-seal');
  });

  it('a legal representative who only signs (personal-seal row left empty) is not flagged', async () => {
    const e = await extractSealSheet(await makeScan({ stamps: { 'legal-person-seal:0': null, 'legal-person-seal:1': null } }), 'standard');
    expect(e.verdict, JSON.stringify(e.issues)).toBe('ok');
    expect(box(e, 'legal-person-seal', 0).png).toBeNull();
  });

  // Bad sheets: each flagged on the box that is bad, with the rule's reason, and only there.
  const RED = '#d8141e';
  it.each<[string, ScanOptions, SealBoxKind, 0 | 1, QualityCode, RegExp]>([
    ['empty box', { stamps: { 'company-seal:1': null } }, 'company-seal', 1, 'empty', /没有盖章/],
    ['faint seal', { stamps: { 'company-seal:0': { shape: 'company', opacity: 0.22 } } }, 'company-seal', 0, 'faint', /太淡/],
    [
      'blue ink',
      { stamps: { 'legal-person-seal:0': { shape: 'legal', colour: '#1f3fb4' } } },
      'legal-person-seal',
      0,
      'not-red',
      /不是红色/,
    ],
    [
      'over the line',
      { stamps: { 'company-seal:1': { shape: 'company', dx: 22 } } },
      'company-seal',
      1,
      'crosses-line',
      /压在采集框的线上/,
    ],
    [
      'stamped twice, offset',
      { stamps: { 'legal-person-seal:1': { shape: 'legal', colour: RED, double: { dx: 7, dy: 1 } } } },
      'legal-person-seal',
      1,
      'smudged',
      /重影/,
    ],
    ['too small', { stamps: { 'company-seal:0': { shape: 'company', size: 18 } } }, 'company-seal', 0, 'too-small', /太小/],
    ['red specks', { specks: 40 }, 'company-seal', 0, 'background', /背景不干净/],
    ['dark paper', { paper: [0.55, 0.5, 0.45] }, 'company-seal', 0, 'background', /背景不干净/],
    ['72 dpi', { dpi: 72 }, 'company-seal', 0, 'low-resolution', /分辨率过低/],
  ])('%s is flagged with its reason', async (_name, opts, kind, i, code, reason) => {
    const e = await extractSealSheet(await makeScan({ rotateDeg: 1.5, ...opts }), 'standard');
    expect(e.verdict).toBe('flagged');
    const b = box(e, kind, i);
    expect(b.codes).toContain(code);
    const issue = e.issues.find((x) => x.kind === kind && x.box === i && x.code === code);
    expect(issue?.message).toMatch(reason);
    expect(issue?.message).toMatch(/（[左右]格）：/);
  });

  it('a sheet whose registration marks are not there is unreadable, with what to do', async () => {
    const e = await extractSealSheet(await makeScan({ hideMark: true }), 'standard');
    expect(e.verdict).toBe('unreadable');
    expect(e.issues[0]!.message).toMatch(/黑色定位方块/);
    const plain = await sharp({ create: { width: 1240, height: 1754, channels: 3, background: '#f4f4f0' } })
      .jpeg()
      .toBuffer();
    expect((await extractSealSheet(plain, 'standard')).verdict).toBe('unreadable');
  });

  it('a greyscale scan is flagged: the colour of the ink cannot be judged', async () => {
    const e = await extractSealSheet(await makeScan({ greyscale: true }), 'standard');
    expect(e.issues.map((i) => i.code)).toEqual(['greyscale']);
  });

  it('a higher threshold (staff adjustment) keeps less ink; a crop limits the picture', async () => {
    const scan = await makeScan({ rotateDeg: 2 });
    const a = box(await extractSealSheet(scan, 'standard'), 'company-seal', 0);
    const e2 = await extractSealSheet(scan, 'standard', {
      threshold: 0.45,
      crops: { 'company-seal:0': { x: 10, y: 10, width: 30, height: 25 } },
    });
    const b = box(e2, 'company-seal', 0);
    expect(b.metrics.inkAreaMm2).toBeLessThan(a.metrics.inkAreaMm2);
    expect(b.crop).toEqual({ x: 10, y: 10, width: 30, height: 25 });
    expect(b.widthMm).toBeCloseTo(30, 0);
    expect(b.heightMm).toBeCloseTo(25, 0);
  });
});
