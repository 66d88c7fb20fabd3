/**
 * 印模提取: from a scan of the generated 电子签章采集表 to one transparent PNG per box.
 *
 *  1. Find the sheet: the four solid black registration squares outside the box table's corners
 *     (SEAL_SHEET_GEOMETRY.marks) are found as filled, square, dark, colourless blobs of the expected size
 *     near where they would be; their centres fix a projective map from the template's millimetres to the
 *     scan's pixels (rotation, scale, offset and a little perspective are all absorbed).
 *  2. Cut each box (plus a 3 mm ring around it, to see ink over the line) out of the scan through that map,
 *     at the scan's own resolution (at most 12 px/mm), with bilinear sampling.
 *  3. Separate the ink: the paper's colour is measured in the box (a grey or yellowish scan is normalised
 *     to white), then each pixel's redness = R − max(G, B) of the normalised colour. Black print and grey
 *     paper have none, blue ink is negative. Pixels at or above the threshold are ink; specks smaller than
 *     0.3 mm² are noise; the impression is the largest blob plus what lies within 3 mm of it; ink further
 *     away is stray (measured, not drawn). A signature may also be in dark (black or blue) ink.
 *  4. Draw: a PNG of the impression's bounding box (+1 mm, or the crop staff chose), pure seal red (or
 *     near-black for a dark-ink signature) with alpha from the ink's strength; everything else alpha 0.
 *  5. Measure what quality.ts judges.
 * Raw pixel buffers in TypeScript; sharp only decodes and encodes.
 */
import sharp from 'sharp';
import { SEAL_SHEET_GEOMETRY, type MmRect, type SealBoxKind, type SealSheetVariant } from '../templates/seal-sheet.js';
import { EITHER_OF, judgeBox, KIND_LABEL, type BoxMetrics, type QualityCode } from './quality.js';

/** Red ink threshold (redness, 0–1) unless staff choose another. */
export const DEFAULT_THRESHOLD = 0.15;
export const MAX_PX_PER_MM = 12;
const RING_MM = 3;
/** Ink this close to the box line (inside) counts as on the line. */
const LINE_MM = 0.6;
const SPECK_MM2 = 0.3;
/** Redness a faint impression still has (JPEG colour noise on paper stays below it). */
const WEAK_RED = 0.07;
const CLUSTER_MM = 3;
const MARGIN_MM = 1;
const SEAL_RED: [number, number, number] = [230, 0, 18];
const DARK_INK: [number, number, number] = [25, 25, 25];

export interface ExtractionParams {
  /** Redness threshold, 0.05–0.6. */
  threshold: number;
  /** Per `${kind}:${box}`: the crop in mm from the box's top-left corner (may reach 3 mm beyond the box). */
  crops: Record<string, MmRect>;
}

export const defaultParams = (): ExtractionParams => ({ threshold: DEFAULT_THRESHOLD, crops: {} });

export interface BoxResult {
  kind: SealBoxKind;
  box: 0 | 1;
  /** Null when nothing was found to draw. */
  png: Buffer | null;
  widthPx: number;
  heightPx: number;
  widthMm: number;
  heightMm: number;
  metrics: BoxMetrics;
  codes: QualityCode[];
  reasons: string[];
  /** The crop used, mm from the box's top-left. */
  crop: MmRect;
}

export interface SheetIssue {
  kind?: SealBoxKind;
  box?: 0 | 1;
  code: QualityCode | 'no-marks' | 'greyscale';
  /** Chinese, with where: "企业公章（左格）：…". */
  message: string;
}

export interface Extraction {
  verdict: 'ok' | 'flagged' | 'unreadable';
  issues: SheetIssue[];
  sheet: { variant: SealSheetVariant; pxPerMm: number; rotationDeg: number; width: number; height: number };
  boxes: BoxResult[];
}

export const BOX_SIDE = ['左格', '右格'] as const;

interface Rgb {
  data: Buffer;
  width: number;
  height: number;
}

async function decode(bytes: Buffer): Promise<Rgb> {
  const { data, info } = await sharp(bytes, { limitInputPixels: 40_000_000 })
    .autoOrient()
    .removeAlpha()
    .toColourspace('srgb')
    .raw()
    .toBuffer({ resolveWithObject: true });
  if (info.channels !== 3) throw new Error(`expected 3 channels, got ${info.channels}`);
  return { data, width: info.width, height: info.height };
}

/* ---------- 1. registration ---------- */

interface Blob {
  area: number;
  minX: number;
  minY: number;
  maxX: number;
  maxY: number;
  cx: number;
  cy: number;
}

/** Connected components (4-neighbour) of a binary mask; blobs smaller than minArea are dropped. */
export function components(mask: Uint8Array, w: number, h: number, minArea = 1, labels?: Int32Array): Blob[] {
  const lab = labels ?? new Int32Array(w * h);
  lab.fill(0);
  const stack = new Int32Array(w * h);
  const blobs: Blob[] = [];
  let next = 0;
  for (let start = 0; start < w * h; start++) {
    if (!mask[start] || lab[start]) continue;
    next++;
    let sp = 0;
    stack[sp++] = start;
    lab[start] = next;
    const b: Blob = { area: 0, minX: w, minY: h, maxX: 0, maxY: 0, cx: 0, cy: 0 };
    while (sp) {
      const p = stack[--sp]!;
      const x = p % w;
      const y = (p - x) / w;
      b.area++;
      b.cx += x;
      b.cy += y;
      if (x < b.minX) b.minX = x;
      if (x > b.maxX) b.maxX = x;
      if (y < b.minY) b.minY = y;
      if (y > b.maxY) b.maxY = y;
      if (x > 0 && mask[p - 1] && !lab[p - 1]) {
        lab[p - 1] = next;
        stack[sp++] = p - 1;
      }
      if (x < w - 1 && mask[p + 1] && !lab[p + 1]) {
        lab[p + 1] = next;
        stack[sp++] = p + 1;
      }
      if (y > 0 && mask[p - w] && !lab[p - w]) {
        lab[p - w] = next;
        stack[sp++] = p - w;
      }
      if (y < h - 1 && mask[p + w] && !lab[p + w]) {
        lab[p + w] = next;
        stack[sp++] = p + w;
      }
    }
    b.cx /= b.area;
    b.cy /= b.area;
    // Labels of dropped blobs stay; callers use the returned index + 1 only for kept ones via `labelOf`.
    (b as Blob & { label: number }).label = next;
    if (b.area >= minArea) blobs.push(b);
  }
  return blobs;
}

const labelOf = (b: Blob) => (b as Blob & { label: number }).label;

function percentile(hist: Uint32Array, total: number, q: number): number {
  let acc = 0;
  const target = total * q;
  for (let i = 0; i < hist.length; i++) {
    acc += hist[i]!;
    if (acc >= target) return i;
  }
  return hist.length - 1;
}

/** Solves the 8 unknowns of a homography mapping src → dst from four point pairs. */
export function homography(src: [number, number][], dst: [number, number][]): number[] {
  const A: number[][] = [];
  const b: number[] = [];
  for (let i = 0; i < 4; i++) {
    const [x, y] = src[i]!;
    const [u, v] = dst[i]!;
    A.push([x, y, 1, 0, 0, 0, -u * x, -u * y]);
    b.push(u);
    A.push([0, 0, 0, x, y, 1, -v * x, -v * y]);
    b.push(v);
  }
  // Gaussian elimination with partial pivoting.
  const n = 8;
  for (let c = 0; c < n; c++) {
    let piv = c;
    for (let r = c + 1; r < n; r++) if (Math.abs(A[r]![c]!) > Math.abs(A[piv]![c]!)) piv = r;
    [A[c], A[piv]] = [A[piv]!, A[c]!];
    [b[c], b[piv]] = [b[piv]!, b[c]!];
    const d = A[c]![c]!;
    if (Math.abs(d) < 1e-12) throw new Error('degenerate registration');
    for (let r = 0; r < n; r++) {
      if (r === c) continue;
      const f = A[r]![c]! / d;
      if (!f) continue;
      for (let k = c; k < n; k++) A[r]![k]! -= f * A[c]![k]!;
      b[r]! -= f * b[c]!;
    }
  }
  return [...A.map((row, i) => b[i]! / row[i]!), 1];
}

export const applyH = (H: number[], x: number, y: number): [number, number] => {
  const w = H[6]! * x + H[7]! * y + H[8]!;
  return [(H[0]! * x + H[1]! * y + H[2]!) / w, (H[3]! * x + H[4]! * y + H[5]!) / w];
};

interface Registration {
  H: number[];
  pxPerMm: number;
  rotationDeg: number;
  greyscale: boolean;
}

/** Finds the four marks; undefined when they are not all there (cut off, painted over, another document). */
export function register(img: Rgb, variant: SealSheetVariant): Registration | undefined {
  const { data, width: w, height: h } = img;
  const g = SEAL_SHEET_GEOMETRY[variant];
  const lumHist = new Uint32Array(256);
  const lum = new Uint8Array(w * h);
  let chromaSum = 0;
  for (let i = 0, p = 0; i < w * h; i++, p += 3) {
    const r = data[p]!,
      gg = data[p + 1]!,
      bb = data[p + 2]!;
    const l = (r * 299 + gg * 587 + bb * 114) / 1000;
    lum[i] = l;
    lumHist[l | 0]!++;
    chromaSum += Math.max(r, gg, bb) - Math.min(r, gg, bb);
  }
  const paper = percentile(lumHist, w * h, 0.9);
  const dark = new Uint8Array(w * h);
  for (let i = 0, p = 0; i < w * h; i++, p += 3) {
    const r = data[p]!,
      gg = data[p + 1]!,
      bb = data[p + 2]!;
    if (lum[i]! < paper * 0.45 && Math.max(r, gg, bb) - Math.min(r, gg, bb) < 70) dark[i] = 1;
  }
  // The page fills the scan, more or less: a first guess of the scale, wide tolerance around it.
  const portrait = h >= w;
  const s0 = portrait ? Math.min(w / g.page.width, h / g.page.height) : Math.min(h / g.page.width, w / g.page.height);
  const side = 6 * s0;
  const blobs = components(dark, w, h, Math.max(4, (side * 0.5) ** 2)).filter((b) => {
    const bw = b.maxX - b.minX + 1;
    const bh = b.maxY - b.minY + 1;
    return (
      bw >= side * 0.55 &&
      bw <= side * 1.7 &&
      bh >= side * 0.55 &&
      bh <= side * 1.7 &&
      bw / bh < 1.35 &&
      bh / bw < 1.35 &&
      b.area / (bw * bh) > 0.62
    );
  });
  if (blobs.length < 4) return undefined;
  // Expected centres with the page's scale guessed from the scan's size and centred on it.
  const ox = (w - g.page.width * s0) / 2;
  const oy = (h - g.page.height * s0) / 2;
  const centres = g.marks.map((m) => [m.x + m.width / 2, m.y + m.height / 2] as [number, number]);
  const picked: Blob[] = [];
  for (const [mx, my] of centres) {
    const ex = ox + mx * s0;
    const ey = oy + my * s0;
    let best: Blob | undefined;
    let bestD = Infinity;
    for (const b of blobs) {
      if (picked.includes(b)) continue;
      const d = Math.hypot(b.cx - ex, b.cy - ey);
      if (d < bestD) {
        bestD = d;
        best = b;
      }
    }
    if (!best || bestD > 30 * s0) return undefined;
    picked.push(best);
  }
  const dst = picked.map((b) => [b.cx + 0.5, b.cy + 0.5] as [number, number]);
  let H: number[];
  try {
    H = homography(centres, dst);
  } catch {
    return undefined;
  }
  // Sanity: the marks' distances must agree with one scale (a wrong pick bends the square badly).
  const dist = (a: [number, number], b: [number, number]) => Math.hypot(a[0] - b[0], a[1] - b[1]);
  const top = dist(dst[0]!, dst[1]!) / dist(centres[0]!, centres[1]!);
  const bottom = dist(dst[3]!, dst[2]!) / dist(centres[3]!, centres[2]!);
  const left = dist(dst[0]!, dst[3]!) / dist(centres[0]!, centres[3]!);
  const right = dist(dst[1]!, dst[2]!) / dist(centres[1]!, centres[2]!);
  const scales = [top, bottom, left, right];
  const pxPerMm = scales.reduce((a, b) => a + b, 0) / 4;
  if (Math.max(...scales) / Math.min(...scales) > 1.08) return undefined;
  const rotationDeg = (Math.atan2(dst[1]![1] - dst[0]![1], dst[1]![0] - dst[0]![0]) * 180) / Math.PI;
  return { H, pxPerMm, rotationDeg, greyscale: chromaSum / (w * h) < 1.5 };
}

/* ---------- 2–5. per box ---------- */

interface Sampled {
  rgb: Float32Array;
  w: number;
  h: number;
}

/** Samples the mm rectangle through H at `res` px/mm (bilinear); outside the scan reads as white. */
function sample(img: Rgb, H: number[], r: MmRect, res: number): Sampled {
  const w = Math.max(1, Math.round(r.width * res));
  const h = Math.max(1, Math.round(r.height * res));
  const out = new Float32Array(w * h * 3);
  const { data, width: W, height: Hh } = img;
  for (let y = 0; y < h; y++) {
    const my = r.y + (y + 0.5) / res;
    for (let x = 0; x < w; x++) {
      const mx = r.x + (x + 0.5) / res;
      const [u0, v0] = applyH(H, mx, my);
      const u = u0 - 0.5;
      const v = v0 - 0.5;
      const o = (y * w + x) * 3;
      const x0 = Math.floor(u);
      const y0 = Math.floor(v);
      if (x0 < 0 || y0 < 0 || x0 + 1 >= W || y0 + 1 >= Hh) {
        out[o] = out[o + 1] = out[o + 2] = 255;
        continue;
      }
      const fx = u - x0;
      const fy = v - y0;
      const p00 = (y0 * W + x0) * 3;
      const p10 = p00 + 3;
      const p01 = p00 + W * 3;
      const p11 = p01 + 3;
      for (let c = 0; c < 3; c++) {
        const top = data[p00 + c]! * (1 - fx) + data[p10 + c]! * fx;
        const bot = data[p01 + c]! * (1 - fx) + data[p11 + c]! * fx;
        out[o + c] = top * (1 - fy) + bot * fy;
      }
    }
  }
  return { rgb: out, w, h };
}

function paperColour(s: Sampled): [number, number, number] {
  const hists = [new Uint32Array(256), new Uint32Array(256), new Uint32Array(256)];
  const n = s.w * s.h;
  for (let i = 0; i < n; i++) for (let c = 0; c < 3; c++) hists[c]![Math.min(255, Math.round(s.rgb[i * 3 + c]!))]!++;
  // The paper is most of the box: the 75th percentile of each channel is the paper, not the ink.
  return hists.map((hh) => Math.max(30, percentile(hh, n, 0.75))) as [number, number, number];
}

function dilate(mask: Uint8Array, w: number, h: number): Uint8Array {
  const out = new Uint8Array(mask);
  for (let y = 0; y < h; y++)
    for (let x = 0; x < w; x++) {
      if (mask[y * w + x]) continue;
      if (
        (x > 0 && mask[y * w + x - 1]) ||
        (x < w - 1 && mask[y * w + x + 1]) ||
        (y > 0 && mask[(y - 1) * w + x]) ||
        (y < h - 1 && mask[(y + 1) * w + x])
      )
        out[y * w + x] = 1;
    }
  return out;
}

async function extractBox(
  img: Rgb,
  reg: Registration,
  kind: SealBoxKind,
  boxIndex: 0 | 1,
  box: MmRect,
  params: ExtractionParams,
): Promise<BoxResult> {
  const res = Math.min(reg.pxPerMm, MAX_PX_PER_MM);
  const area: MmRect = { x: box.x - RING_MM, y: box.y - RING_MM, width: box.width + 2 * RING_MM, height: box.height + 2 * RING_MM };
  const s = sample(img, reg.H, area, res);
  const { w, h } = s;
  const n = w * h;
  const paper = paperColour(s);
  const t = params.threshold;
  const signature = kind === 'legal-person-signature';

  // Where a pixel lies, in mm from the box's top-left.
  const inner = (x: number, y: number) => {
    const mx = (x + 0.5) / res - RING_MM;
    const my = (y + 0.5) / res - RING_MM;
    return mx >= LINE_MM && my >= LINE_MM && mx <= box.width - LINE_MM && my <= box.height - LINE_MM;
  };
  const innerMask = new Uint8Array(n);
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) if (inner(x, y)) innerMask[y * w + x] = 1;

  const weak = new Uint8Array(n);
  const redness = new Float32Array(n);
  const darkness = new Float32Array(n);
  const red = new Uint8Array(n);
  const other = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    const r = Math.min(1, s.rgb[i * 3]! / paper[0]);
    const g = Math.min(1, s.rgb[i * 3 + 1]! / paper[1]);
    const b = Math.min(1, s.rgb[i * 3 + 2]! / paper[2]);
    const rd = r - Math.max(g, b);
    redness[i] = rd;
    darkness[i] = 1 - Math.min(r, g, b);
    if (innerMask[i] && rd >= WEAK_RED) weak[i] = 1;
    if (rd >= t) red[i] = 1;
    else if (innerMask[i] && darkness[i]! >= 0.35 && rd < t * 0.5) other[i] = 1;
  }
  // The box's own printed line is dark too: only ink inside the inner area counts as "other ink".
  const px2 = res * res;
  const speck = Math.max(2, Math.round(SPECK_MM2 * px2));
  const otherBlobs = components(other, w, h, speck);
  const weakInkAreaMm2 = components(weak, w, h, speck).reduce((a, b) => a + b.area, 0) / px2;
  const otherInkAreaMm2 = otherBlobs.reduce((a, b) => a + b.area, 0) / px2;

  // Ink of the impression: red everywhere; for a signature also dark ink inside the box.
  const ink = new Uint8Array(n);
  let darkSignature = false;
  for (let i = 0; i < n; i++) ink[i] = red[i]! || (signature && other[i]!) ? 1 : 0;
  if (signature) {
    let redCount = 0,
      otherCount = 0;
    for (let i = 0; i < n; i++) {
      redCount += red[i]!;
      otherCount += other[i]!;
    }
    darkSignature = otherCount > redCount;
  }
  const labels = new Int32Array(n);
  const blobs = components(ink, w, h, speck, labels);
  // Ink on the line or beyond it: any blob pixels outside the inner area.
  let lineInk = 0;
  for (let i = 0; i < n; i++) if (ink[i] && !innerMask[i] && red[i]) lineInk++;

  // The impression: the largest blob and what lies within CLUSTER_MM of the growing cluster.
  blobs.sort((a, b) => b.area - a.area);
  const kept = new Set<number>();
  let bb = { minX: 0, minY: 0, maxX: -1, maxY: -1 };
  if (blobs.length) {
    const first = blobs[0]!;
    kept.add(labelOf(first));
    bb = { minX: first.minX, minY: first.minY, maxX: first.maxX, maxY: first.maxY };
    const reach = CLUSTER_MM * res;
    let grew = true;
    while (grew) {
      grew = false;
      for (const b of blobs) {
        if (kept.has(labelOf(b))) continue;
        if (b.maxX >= bb.minX - reach && b.minX <= bb.maxX + reach && b.maxY >= bb.minY - reach && b.minY <= bb.maxY + reach) {
          kept.add(labelOf(b));
          bb = {
            minX: Math.min(bb.minX, b.minX),
            minY: Math.min(bb.minY, b.minY),
            maxX: Math.max(bb.maxX, b.maxX),
            maxY: Math.max(bb.maxY, b.maxY),
          };
          grew = true;
        }
      }
    }
  }
  let inkArea = 0;
  let strayArea = 0;
  const strengths: number[] = [];
  const keptMask = new Uint8Array(n);
  const big = new Set(blobs.map(labelOf));
  for (let i = 0; i < n; i++) {
    const l = labels[i]!;
    if (!ink[i] || !l) continue;
    if (kept.has(l)) {
      keptMask[i] = 1;
      inkArea++;
      strengths.push(darkSignature ? darkness[i]! : redness[i]!);
    } else if (big.has(l)) strayArea++;
  }
  strengths.sort((a, b) => a - b);
  const p90 = strengths.length ? strengths[Math.floor(strengths.length * 0.9)]! : 0;
  const bw = bb.maxX >= bb.minX ? (bb.maxX - bb.minX + 1) / res : 0;
  const bh = bb.maxY >= bb.minY ? (bb.maxY - bb.minY + 1) / res : 0;
  const paperLum = (paper[0] * 0.299 + paper[1] * 0.587 + paper[2] * 0.114) / 255;
  const metrics: BoxMetrics = {
    inkAreaMm2: round(inkArea / px2),
    weakInkAreaMm2: round(weakInkAreaMm2),
    otherInkAreaMm2: round(signature ? 0 : otherInkAreaMm2),
    lineInkAreaMm2: round(lineInk / px2),
    strayInkAreaMm2: round(strayArea / px2),
    strengthP90: round(p90),
    widthMm: round(bw),
    heightMm: round(bh),
    fill: round(bw && bh ? inkArea / px2 / (bw * bh) : 0),
    pxPerMm: round(reg.pxPerMm),
    paperLuminance: round(paperLum),
    paperCast: round((Math.max(...paper) - Math.min(...paper)) / 255),
  };
  const verdict = judgeBox(metrics, kind);

  // The crop, mm from the box's top-left: staff's, or the impression's bounding box plus a margin.
  const key = `${kind}:${boxIndex}`;
  const auto: MmRect =
    inkArea > 0
      ? {
          x: bb.minX / res - RING_MM - MARGIN_MM,
          y: bb.minY / res - RING_MM - MARGIN_MM,
          width: bw + 2 * MARGIN_MM,
          height: bh + 2 * MARGIN_MM,
        }
      : { x: 0, y: 0, width: 0, height: 0 };
  const crop = clampCrop(params.crops[key] ?? auto, box);
  let png: Buffer | null = null;
  let cw = 0,
    ch = 0;
  if (crop.width > 0 && crop.height > 0 && inkArea > 0) {
    const x0 = Math.max(0, Math.round((crop.x + RING_MM) * res));
    const y0 = Math.max(0, Math.round((crop.y + RING_MM) * res));
    const x1 = Math.min(w, Math.round((crop.x + crop.width + RING_MM) * res));
    const y1 = Math.min(h, Math.round((crop.y + crop.height + RING_MM) * res));
    cw = Math.max(0, x1 - x0);
    ch = Math.max(0, y1 - y0);
    if (cw > 0 && ch > 0) {
      // Anti-aliased edges: one pixel around the kept ink, weighted by its own strength.
      const soft = dilate(keptMask, w, h);
      const colour = darkSignature ? DARK_INK : SEAL_RED;
      const out = Buffer.alloc(cw * ch * 4);
      for (let y = 0; y < ch; y++)
        for (let x = 0; x < cw; x++) {
          const i = (y0 + y) * w + (x0 + x);
          const o = (y * cw + x) * 4;
          out[o] = colour[0];
          out[o + 1] = colour[1];
          out[o + 2] = colour[2];
          if (!soft[i]) continue;
          const strength = darkSignature && !red[i] ? darkness[i]! : redness[i]!;
          const lo = darkSignature && !red[i] ? 0.25 : t - 0.05;
          const a = Math.max(0, Math.min(1, (strength - lo) / 0.25));
          out[o + 3] = Math.round(a * 255);
        }
      png = await sharp(out, { raw: { width: cw, height: ch, channels: 4 } })
        .png({ compressionLevel: 9 })
        .withMetadata({ density: res * 25.4 })
        .toBuffer();
    }
  }
  return {
    kind,
    box: boxIndex,
    png,
    widthPx: cw,
    heightPx: ch,
    widthMm: round(cw / res),
    heightMm: round(ch / res),
    metrics,
    codes: verdict.codes,
    reasons: verdict.reasons,
    crop: { x: round(crop.x), y: round(crop.y), width: round(crop.width), height: round(crop.height) },
  };
}

const round = (v: number) => Math.round(v * 1000) / 1000;

/** A crop stays within the box and its 3 mm ring. */
export function clampCrop(c: MmRect, box: MmRect): MmRect {
  const x = Math.max(-RING_MM, Math.min(box.width + RING_MM, c.x));
  const y = Math.max(-RING_MM, Math.min(box.height + RING_MM, c.y));
  const width = Math.max(0, Math.min(box.width + RING_MM - x, c.width));
  const height = Math.max(0, Math.min(box.height + RING_MM - y, c.height));
  return { x, y, width, height };
}

export const where = (kind: SealBoxKind, box: 0 | 1) => `${KIND_LABEL[kind]}（${BOX_SIDE[box]}）`;

export async function extractSealSheet(
  bytes: Buffer,
  variant: SealSheetVariant,
  params: ExtractionParams = defaultParams(),
): Promise<Extraction> {
  const img = await decode(bytes);
  const reg = register(img, variant);
  const base = { variant, width: img.width, height: img.height };
  if (!reg) {
    return {
      verdict: 'unreadable',
      issues: [
        {
          code: 'no-marks',
          message:
            '找不到采集表四角的黑色定位方块：请下载本订单的电子签章采集表打印后盖章，并完整扫描整页（不要裁切、不要遮挡或涂画四角的黑色方块）',
        },
      ],
      sheet: { ...base, pxPerMm: 0, rotationDeg: 0 },
      boxes: [],
    };
  }
  const sheet = { ...base, pxPerMm: round(reg.pxPerMm), rotationDeg: round(reg.rotationDeg) };
  if (reg.greyscale) {
    return {
      verdict: 'flagged',
      issues: [{ code: 'greyscale', message: '扫描件是黑白（灰度）的，看不出印章颜色：请用彩色模式重新扫描后上传' }],
      sheet,
      boxes: [],
    };
  }
  const boxes: BoxResult[] = [];
  for (const row of SEAL_SHEET_GEOMETRY[variant].rows)
    for (const i of [0, 1] as const) boxes.push(await extractBox(img, reg, row.kind, i, row.boxes[i], params));

  // The legal representative stamps or signs: a row left wholly empty is fine if the other is there.
  const rowEmpty = (k: SealBoxKind) => boxes.filter((b) => b.kind === k).every((b) => b.codes[0] === 'empty');
  const excused = new Set<SealBoxKind>();
  if (EITHER_OF.some((k) => !rowEmpty(k))) for (const k of EITHER_OF) if (rowEmpty(k)) excused.add(k);
  const issues: SheetIssue[] = [];
  for (const b of boxes) {
    if (excused.has(b.kind)) {
      b.codes = [];
      b.reasons = [];
      continue;
    }
    b.codes.forEach((code, j) => issues.push({ kind: b.kind, box: b.box, code, message: `${where(b.kind, b.box)}：${b.reasons[j]}` }));
  }
  return { verdict: issues.length ? 'flagged' : 'ok', issues, sheet, boxes };
}
