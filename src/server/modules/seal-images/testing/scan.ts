/**
 * Test scans of the 电子签章采集表: the real generated PDF rendered by poppler's pdftoppm, synthetic seals
 * stamped into its boxes (SVG: a round company seal with a star and characters, a square legal-person seal,
 * signature strokes), then what printing and scanning does to a page: grey or tinted paper, a rotation of a
 * few degrees, slight blur, JPEG artefacts. Each stamp can be faint, blue, over the line, doubled, or left
 * out, to make the bad sheets the quality rules must catch. `stampSvg` draws a stamp alone, so tests can
 * compare the extracted ink with the shape that was stamped.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import sharp, { type OverlayOptions } from 'sharp';
import { renderSealSheet, SEAL_SHEET_GEOMETRY, type SealBoxKind, type SealSheetVariant } from '../../templates/seal-sheet.js';

const run = promisify(execFile);

export type StampShape = 'company' | 'legal' | 'signature';

export interface Stamp {
  shape: StampShape;
  /** CSS colour; seal red by default. */
  colour?: string;
  /** 0–1; a faint impression is ~0.2. */
  opacity?: number;
  /** Offset of the stamp's centre from the box's centre, mm. */
  dx?: number;
  dy?: number;
  /** Size, mm (diameter, side, or signature width). */
  size?: number;
  /** Stamped a second time this far off (mm): a double impression. */
  double?: { dx: number; dy: number };
}

export interface ScanOptions {
  variant?: SealSheetVariant;
  dpi?: number;
  /** Per `${kind}:${box}`; absent = the standard good stamp for the row; null = left empty. */
  stamps?: Partial<Record<string, Stamp | null>>;
  rotateDeg?: number;
  /** Paper colour multiplier per channel (1 = white). */
  paper?: [number, number, number];
  blur?: number;
  jpegQuality?: number;
  /** Red specks of this many scattered across the boxes. */
  specks?: number;
  greyscale?: boolean;
  /** Paint over the top-left registration mark (a sheet whose marks cannot be found). */
  hideMark?: boolean;
}

export const DEFAULT_SIZE: Record<StampShape, number> = { company: 40, legal: 18, signature: 36 };
export const STAMP_FOR: Record<SealBoxKind, StampShape> = {
  'company-seal': 'company',
  'legal-person-seal': 'legal',
  'legal-person-signature': 'signature',
  'in-gan-manager-seal': 'legal',
};

/** The stamp's SVG body in mm, centred on (0, 0). */
function stampBody(s: Stamp): string {
  const size = s.size ?? DEFAULT_SIZE[s.shape];
  const c = s.colour ?? '#d8141e';
  if (s.shape === 'company') {
    const r = size / 2;
    const chars = Array.from({ length: 12 }, (_, i) => {
      const a = ((-150 + i * 25) * Math.PI) / 180;
      const x = Math.cos(a) * (r - 5.2);
      const y = Math.sin(a) * (r - 5.2);
      return `<rect x="${(x - 1.6).toFixed(2)}" y="${(y - 1.6).toFixed(2)}" width="3.2" height="3.2" fill="none" stroke="${c}" stroke-width="0.7" transform="rotate(${(-150 + i * 25 + 90).toFixed(0)} ${x.toFixed(2)} ${y.toFixed(2)})"/>`;
    }).join('');
    const star = Array.from({ length: 10 }, (_, i) => {
      const rr = i % 2 ? r * 0.13 : r * 0.32;
      const a = ((i * 36 - 90) * Math.PI) / 180;
      return `${(Math.cos(a) * rr).toFixed(2)},${(Math.sin(a) * rr).toFixed(2)}`;
    }).join(' ');
    const digits = Array.from(
      { length: 9 },
      (_, i) => `<rect x="${(-6.3 + i * 1.4).toFixed(2)}" y="${(r * 0.62).toFixed(2)}" width="0.9" height="2" fill="${c}"/>`,
    ).join('');
    return `<circle r="${(r - 0.7).toFixed(2)}" fill="none" stroke="${c}" stroke-width="1.3"/>${chars}<polygon points="${star}" fill="${c}"/>${digits}`;
  }
  if (s.shape === 'legal') {
    const h = size / 2;
    const q = size / 4;
    const glyph = (cx: number, cy: number) =>
      `<path d="M${cx - q * 0.6} ${cy - q * 0.5} h${q * 1.2} M${cx} ${cy - q * 0.7} v${q * 1.4} M${cx - q * 0.5} ${cy + q * 0.5} h${q}" stroke="${c}" stroke-width="${(size / 22).toFixed(2)}" fill="none"/>`;
    return `<rect x="${-h + 0.6}" y="${-h + 0.6}" width="${size - 1.2}" height="${size - 1.2}" fill="none" stroke="${c}" stroke-width="1.2"/>${glyph(-q, -q)}${glyph(q, -q)}${glyph(-q, q)}${glyph(q, q)}`;
  }
  const w = size;
  const k = w / 36;
  return `<path d="M${-16 * k} ${4 * k} C${-12 * k} ${-10 * k} ${-6 * k} ${-8 * k} ${-8 * k} ${6 * k} S${-2 * k} ${-6 * k} ${2 * k} ${2 * k} C${4 * k} ${8 * k} ${8 * k} ${-9 * k} ${10 * k} ${-2 * k} S${14 * k} ${6 * k} ${18 * k} ${-4 * k} M${-12 * k} ${9 * k} L${12 * k} ${7 * k}" fill="none" stroke="${c}" stroke-width="${(0.9 * Math.max(1, k)).toFixed(2)}" stroke-linecap="round"/>`;
}

/** The stamp alone, as an SVG document `pxPerMm` pixels per mm, transparent around it. */
export function stampSvg(s: Stamp, pxPerMm: number): { svg: string; widthMm: number; heightMm: number } {
  const size = (s.size ?? DEFAULT_SIZE[s.shape]) + 2;
  const wMm = size;
  const hMm = s.shape === 'signature' ? size * 0.7 : size;
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${Math.round(wMm * pxPerMm)}" height="${Math.round(hMm * pxPerMm)}" viewBox="${-wMm / 2} ${-hMm / 2} ${wMm} ${hMm}">${stampBody(s)}</svg>`;
  return { svg, widthMm: wMm, heightMm: hMm };
}

function towardsWhite(hex: string, share: number): string {
  const n = parseInt(hex.slice(1), 16);
  const mix = (v: number) => Math.round(255 - (255 - v) * share);
  return `rgb(${mix(n >> 16)},${mix((n >> 8) & 255)},${mix(n & 255)})`;
}

const pageCache = new Map<string, Buffer>();

/** The real sheet PDF rendered to PNG at `dpi` (cached per variant and dpi). */
export async function renderedSheet(variant: SealSheetVariant, dpi: number): Promise<Buffer> {
  const key = `${variant}:${dpi}`;
  const hit = pageCache.get(key);
  if (hit) return hit;
  const pdf = await renderSealSheet({
    orderNo: '202611210000017',
    unitName: '江西测试印章有限公司',
    variant,
    inGanManagerName: variant === 'out-of-province' ? '张三' : undefined,
    generatedAt: new Date('2026-11-21T04:00:00Z'),
  });
  const dir = await mkdtemp(join(tmpdir(), 'seal-sheet-'));
  try {
    await writeFile(join(dir, 'sheet.pdf'), pdf);
    await run('pdftoppm', ['-r', String(dpi), '-png', '-singlefile', join(dir, 'sheet.pdf'), join(dir, 'page')]);
    const png = await readFile(join(dir, 'page.png'));
    pageCache.set(key, png);
    return png;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** Deterministic pseudo-random numbers (mulberry32), so a failing scan can be made again. */
function rng(seed: number) {
  return () => {
    seed |= 0;
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A scanned sheet as a JPEG, with the stamps asked for (default: every box stamped well). */
export async function makeScan(o: ScanOptions = {}): Promise<Buffer> {
  const variant = o.variant ?? 'standard';
  const dpi = o.dpi ?? 150;
  const pxPerMm = dpi / 25.4;
  const g = SEAL_SHEET_GEOMETRY[variant];
  const page = await renderedSheet(variant, dpi);
  const meta = await sharp(page).metadata();
  const W = meta.width!;
  const H = meta.height!;
  let body = '';
  for (const row of g.rows)
    for (const i of [0, 1] as const) {
      const key = `${row.kind}:${i}`;
      const s = key in (o.stamps ?? {}) ? o.stamps![key] : { shape: STAMP_FOR[row.kind] };
      if (!s) continue;
      const b = row.boxes[i];
      const cx = b.x + b.width / 2 + (s.dx ?? 0);
      const cy = b.y + b.height / 2 + (s.dy ?? 0);
      // Ink multiplied onto paper: a thin impression is the ink's colour mixed with white.
      const inked = { ...s, colour: towardsWhite(s.colour ?? '#d8141e', s.opacity ?? 0.95) };
      body += `<g transform="translate(${cx} ${cy})">${stampBody(inked)}</g>`;
      if (s.double) body += `<g transform="translate(${cx + s.double.dx} ${cy + s.double.dy})">${stampBody(inked)}</g>`;
    }
  if (o.specks) {
    const rand = rng(o.specks);
    const a = g.area;
    for (let k = 0; k < o.specks; k++) {
      const x = a.x + 42 + rand() * (a.width - 44);
      const y = a.y + 2 + rand() * (a.height - 4);
      body += `<circle cx="${x.toFixed(2)}" cy="${y.toFixed(2)}" r="${(0.5 + rand() * 0.6).toFixed(2)}" fill="#c81e28"/>`;
    }
  }
  const svg = (inner: string) =>
    Buffer.from(
      `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W / pxPerMm} ${H / pxPerMm}">${inner}</svg>`,
    );
  // Ink is absorbed by the paper: multiply the stamps onto the page, then tint the whole sheet.
  const layers: OverlayOptions[] = [{ input: svg(body), blend: 'multiply' }];
  if (o.hideMark) {
    const m = g.marks[0];
    layers.push({ input: svg(`<rect x="${m.x - 1}" y="${m.y - 1}" width="${m.width + 2}" height="${m.height + 2}" fill="#ffffff"/>`) });
  }
  let img = sharp(await sharp(page).composite(layers).removeAlpha().png().toBuffer());
  const paper = o.paper ?? [0.93, 0.92, 0.89];
  img = img.linear(paper, [0, 0, 0]);
  const bg = { r: Math.round(255 * paper[0]), g: Math.round(255 * paper[1]), b: Math.round(255 * paper[2]) };
  let buf = await img.png().toBuffer();
  if (o.rotateDeg) buf = await sharp(buf).rotate(o.rotateDeg, { background: bg }).png().toBuffer();
  let out = sharp(buf);
  if ((o.blur ?? 0.6) > 0.3) out = out.blur(o.blur ?? 0.6);
  if (o.greyscale) out = out.greyscale();
  return out.jpeg({ quality: o.jpegQuality ?? 72, chromaSubsampling: '4:2:0' }).toBuffer();
}
