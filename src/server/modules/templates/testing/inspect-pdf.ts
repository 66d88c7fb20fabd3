/**
 * Test helper: looks at a generated PDF the way people and scanners will — poppler renders it (its stderr
 * must be silent: no font or syntax complaints), pdftotext extracts the words, jsQR reads the QR codes
 * off the rendered pixels. A copy of every rendered page is left in /tmp/templates-shots for a human look.
 */
import { execFile } from 'node:child_process';
import { copyFile, mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import jsqr from 'jsqr';
import sharp from 'sharp';

const run = promisify(execFile);
// jsqr is a CommonJS bundle: under Node's ESM interop its default import is module.exports, whose `default` is the function.
const jsQR = jsqr.default;
export const SHOTS_DIR = '/tmp/templates-shots';

export interface RenderedPage {
  file: string;
  width: number;
  height: number;
  /** RGBA, row-major. */
  rgba: Uint8ClampedArray;
  qr: string | null;
}

export interface InspectedPdf {
  /** pdftotext output. */
  text: string;
  /** The text with all white space removed (letter-spaced labels and line breaks read as one string). */
  flat: string;
  /** Everything poppler wrote to stderr while rendering and extracting. */
  stderr: string;
  /** pdffonts' table. */
  fonts: string;
  pages: RenderedPage[];
}

export async function inspectPdf(pdf: Uint8Array, label: string, dpi = 100): Promise<InspectedPdf> {
  const dir = await mkdtemp(path.join(tmpdir(), 'certdesk-pdf-'));
  try {
    const file = path.join(dir, 'doc.pdf');
    await writeFile(file, pdf);
    const png = await run('pdftoppm', ['-png', '-r', String(dpi), file, path.join(dir, 'page')]);
    // -raw: content-stream order, which is drawing order (label, then value; line after line), not a
    // guess at columns that interleaves a table's cells.
    const txt = await run('pdftotext', ['-raw', '-enc', 'UTF-8', file, '-']);
    const fonts = await run('pdffonts', [file]);
    await mkdir(SHOTS_DIR, { recursive: true });
    const pages: RenderedPage[] = [];
    for (const f of (await readdir(dir)).filter((n) => n.endsWith('.png')).sort()) {
      const p = path.join(dir, f);
      const n = f.match(/-(\d+)\.png$/)![1]!.replace(/^0+/, '');
      await copyFile(p, path.join(SHOTS_DIR, `${label}-p${n}.png`));
      const { data, info } = await sharp(p).ensureAlpha().raw().toBuffer({ resolveWithObject: true });
      const rgba = new Uint8ClampedArray(data.buffer, data.byteOffset, data.byteLength);
      // Printed codes are dark on white: no need to try the inverted image too (halves the time).
      const qr = jsQR(rgba, info.width, info.height, { inversionAttempts: 'dontInvert' })?.data ?? null;
      pages.push({ file: p, width: info.width, height: info.height, rgba, qr });
    }
    return {
      text: txt.stdout,
      flat: txt.stdout.replace(/\s+/g, ''),
      stderr: png.stderr + txt.stderr + fonts.stderr,
      fonts: fonts.stdout,
      pages,
    };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** Brightness (0 black – 255 white) of the pixels in a square around a point given in mm from the top-left. */
function pixelsAround(page: RenderedPage, xMm: number, yMm: number, radiusMm: number, dpi: number): number[] {
  const px = (mm: number) => Math.round((mm / 25.4) * dpi);
  const cx = px(xMm);
  const cy = px(yMm);
  const r = Math.max(1, px(radiusMm));
  const out: number[] = [];
  for (let y = cy - r; y <= cy + r; y++)
    for (let x = cx - r; x <= cx + r; x++) {
      const i = (y * page.width + x) * 4;
      out.push((page.rgba[i]! + page.rgba[i + 1]! + page.rgba[i + 2]!) / 3);
    }
  return out;
}

/** Mean brightness around a point: ~0 inside a solid mark, 255 on blank paper. */
export function brightnessAt(page: RenderedPage, xMm: number, yMm: number, radiusMm = 1, dpi = 100): number {
  const px = pixelsAround(page, xMm, yMm, radiusMm, dpi);
  return px.reduce((a, b) => a + b, 0) / px.length;
}

/** The darkest pixel around a point: finds a thin printed line near where the geometry puts it. */
export function darkestAt(page: RenderedPage, xMm: number, yMm: number, radiusMm = 0.5, dpi = 100): number {
  return Math.min(...pixelsAround(page, xMm, yMm, radiusMm, dpi));
}
