/**
 * The shared layout of the generated templates: A4 pages measured in millimetres from the top-left corner
 * (the way a form is drawn on paper and the way a scan is read back), Noto Sans SC embedded as a subset
 * (only the glyphs a document uses, so a form is tens of kilobytes, not 10 MB), CJK line breaking, form
 * tables, checkboxes and QR codes drawn as vector modules.
 *
 * Why @cantoo/pdf-lib + @cantoo/fontkit: plain pdf-lib 1.17 corrupts Noto CJK subsets (every glyph a box);
 * the cantoo fork renders cleanly in poppler, which the tests check on every template.
 */
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { randomInt } from 'node:crypto';
import fontkit from '@cantoo/fontkit';
import { PDFDocument, rgb, type Color, type PDFFont, type PDFPage } from '@cantoo/pdf-lib';
import QRCode from 'qrcode';

/** PDF points per millimetre. */
export const MM = 72 / 25.4;
export const A4_MM = { width: 210, height: 297 } as const;

export const INK = rgb(0, 0, 0);
export const GREY = rgb(0.35, 0.35, 0.35);
export const LIGHT = rgb(0.93, 0.93, 0.93);
export const WHITE = rgb(1, 1, 1);

const require = createRequire(import.meta.url);
const FONT_FILES = {
  regular: require.resolve('@expo-google-fonts/noto-sans-sc/400Regular/NotoSansSC_400Regular.ttf'),
  bold: require.resolve('@expo-google-fonts/noto-sans-sc/700Bold/NotoSansSC_700Bold.ttf'),
} as const;

type FontBytes = { regular: Uint8Array; bold: Uint8Array };
let fontBytes: Promise<FontBytes> | undefined;
/** The two TTFs (10 MB each), read once per process on first use. */
function loadFontBytes(): Promise<FontBytes> {
  if (!fontBytes) {
    fontBytes = Promise.all([readFile(FONT_FILES.regular), readFile(FONT_FILES.bold)]).then(([regular, bold]) => ({ regular, bold }));
    // A failed read (a broken install) is not remembered: the next request tries again.
    fontBytes.catch(() => (fontBytes = undefined));
  }
  return fontBytes;
}

/**
 * fontkit parses a font from its bytes on every embed; keeping the parsed font per byte buffer lets its
 * glyph and layout caches serve every later document (a warm template renders in a few tens of ms). The
 * subset written into each PDF is still made per document, from the glyphs that document uses.
 */
const parsed = new WeakMap<Uint8Array, unknown>();
const cachingFontkit = {
  create(data: Uint8Array, postscriptName?: string) {
    let font = parsed.get(data);
    if (!font) {
      font = postscriptName === undefined ? fontkit.create(data) : fontkit.create(data, postscriptName);
      parsed.set(data, font);
    }
    return font;
  },
};

/** PDF 32000-1 §9.6.4: a subset font's name starts with six upper-case letters and a plus sign. */
const subsetTag = () => Array.from({ length: 6 }, () => String.fromCharCode(65 + randomInt(26))).join('');

export interface DocumentMeta {
  title: string;
  subject: string;
  /** When it was generated (the injected clock). */
  at: Date;
}

export interface TextStyle {
  size?: number;
  bold?: boolean;
  color?: Color;
}

export type Align = 'left' | 'center' | 'right';

/** A run of text inside a paragraph: plain, bold, underlined (a filled-in value), or a blank line to write on. */
export interface Run {
  text: string;
  bold?: boolean;
  underline?: boolean;
  /** Minimum width in mm; an underlined run shorter than this is padded (a blank to fill in by hand). */
  minWidth?: number;
  /** Consecutive runs with the same group stay on one line (a blank date is never split). */
  group?: string;
}

/** An A4 document in the making: fonts embedded, pages added on demand. */
export class Sheet {
  private constructor(
    readonly doc: PDFDocument,
    readonly regular: PDFFont,
    readonly bold: PDFFont,
  ) {}

  static async create(meta: DocumentMeta): Promise<Sheet> {
    const bytes = await loadFontBytes();
    const doc = await PDFDocument.create();
    doc.registerFontkit(cachingFontkit as never);
    const regular = await doc.embedFont(bytes.regular, { subset: true, customName: `${subsetTag()}+NotoSansSC-Regular` });
    const bold = await doc.embedFont(bytes.bold, { subset: true, customName: `${subsetTag()}+NotoSansSC-Bold` });
    doc.setTitle(meta.title, { showInWindowTitleBar: true });
    doc.setSubject(meta.subject);
    doc.setAuthor('江西省数字证书有限公司');
    doc.setCreator('CertDesk 数字证书在线受理系统');
    doc.setProducer('CertDesk');
    doc.setLanguage('zh-CN');
    doc.setCreationDate(meta.at);
    doc.setModificationDate(meta.at);
    return new Sheet(doc, regular, bold);
  }

  page(): Page {
    return new Page(this, this.doc.addPage([A4_MM.width * MM, A4_MM.height * MM]));
  }

  font(bold?: boolean): PDFFont {
    return bold ? this.bold : this.regular;
  }

  /** Advance widths at 1 pt, per font and text: line breaking measures the same characters over and over. */
  private readonly widths = { regular: new Map<string, number>(), bold: new Map<string, number>() };

  /** Width in mm of a text at a size in points. */
  width(text: string, size: number, bold?: boolean): number {
    const cache = bold ? this.widths.bold : this.widths.regular;
    let w = cache.get(text);
    if (w === undefined) {
      w = this.font(bold).widthOfTextAtSize(text, 1);
      cache.set(text, w);
    }
    return (w * size) / MM;
  }

  async save(): Promise<Uint8Array> {
    return this.doc.save({ useObjectStreams: true });
  }
}

/** Characters that may not begin a line (GB/T 15834 punctuation placement), and those that may not end one. */
const NO_LINE_START = new Set('，。、；：？！）》」』】〕”’…—·%,.;:?!)]');
const NO_LINE_END = new Set('（《「『【〔“‘([');

/** Splits text into unbreakable pieces: one CJK character each; Latin words, numbers, e-mail addresses whole. */
function tokens(text: string): string[] {
  return text.match(/[A-Za-z0-9@._%+\-/:]+|\s+|[\s\S]/gu) ?? [];
}

interface Piece {
  text: string;
  bold: boolean;
  underline: boolean;
  group?: string;
  /** mm */
  width: number;
}
type Line = Piece[];

/** Greedy line breaking of styled runs within `width` mm, keeping punctuation off the wrong line ends. */
export function breakRuns(sheet: Sheet, runs: Run[], width: number, size: number, firstIndent = 0): Line[] {
  const pieces: Piece[] = [];
  for (const r of runs) {
    const bold = !!r.bold;
    const underline = !!r.underline;
    const group = r.group;
    const toks = r.text ? tokens(r.text) : [];
    const natural = toks.reduce((w, t) => w + sheet.width(t, size, bold), 0);
    const pad = Math.max(0, (r.minWidth ?? 0) - natural);
    // Padding of a blank is split around the value so a filled-in name sits centred on its line.
    if (pad && toks.length) pieces.push({ text: '', bold, underline, group, width: pad / 2 });
    for (const t of toks) pieces.push({ text: t, bold, underline, group, width: sheet.width(t, size, bold) });
    if (pad) pieces.push({ text: '', bold, underline, group, width: toks.length ? pad / 2 : pad });
  }
  // A group is placed as a whole: its first piece carries the group's width for the fit test.
  const groupWidth = new Map<number, number>();
  pieces.forEach((p, i) => {
    if (!p.group || pieces[i - 1]?.group === p.group) return;
    let w = 0;
    for (let j = i; j < pieces.length && pieces[j]!.group === p.group; j++) w += pieces[j]!.width;
    groupWidth.set(i, w);
  });
  const lines: Line[] = [];
  let line: Line = [];
  let used = firstIndent;
  for (const [i, p] of pieces.entries()) {
    const inGroup = !!p.group && pieces[i - 1]?.group === p.group;
    const fits = inGroup || used + (groupWidth.get(i) ?? p.width) <= width + 0.01;
    if (!fits && line.length) {
      // A closing mark joins the previous line (slightly over), an opening mark moves down with its text.
      if (NO_LINE_START.has(p.text)) {
        line.push(p);
        used += p.width;
        continue;
      }
      const carry: Piece[] = [];
      while (line.length > 1 && NO_LINE_END.has(line[line.length - 1]!.text)) carry.unshift(line.pop()!);
      lines.push(trimEnd(line));
      line = [...carry];
      used = carry.reduce((w, c) => w + c.width, 0);
      if (/^\s+$/.test(p.text) && !p.underline) continue;
    }
    if (!fits && p.width > width && !p.underline && p.text.length > 1) {
      // A single token wider than the line (a long e-mail address): break it by characters.
      for (const ch of p.text) {
        const w = sheet.width(ch, size, p.bold);
        if (used + w > width + 0.01 && line.length) {
          lines.push(line);
          line = [];
          used = 0;
        }
        line.push({ ...p, text: ch, width: w });
        used += w;
      }
      continue;
    }
    line.push(p);
    used += p.width;
  }
  if (line.length) lines.push(trimEnd(line));
  return lines;
}

function trimEnd(line: Line): Line {
  while (line.length && /^\s+$/.test(line[line.length - 1]!.text) && !line[line.length - 1]!.underline) line.pop();
  return line;
}

const lineWidth = (l: Line) => l.reduce((w, p) => w + p.width, 0);

/** One page, drawn in mm from the top-left corner. */
export class Page {
  constructor(
    readonly sheet: Sheet,
    readonly pdf: PDFPage,
  ) {}

  private px(x: number) {
    return x * MM;
  }
  private py(y: number) {
    return (A4_MM.height - y) * MM;
  }

  /**
   * Text with its baseline placed so that it sits visually centred on `midY` (mm from the top): CJK
   * ideographs occupy about 0.12 em below to 0.88 em above the baseline, so the middle is 0.38 em up.
   */
  text(text: string, x: number, midY: number, style: TextStyle & { align?: Align; width?: number } = {}): number {
    const size = style.size ?? 11;
    const font = this.sheet.font(style.bold);
    const w = this.sheet.width(text, size, style.bold);
    let left = x;
    if (style.align === 'center') left = x + ((style.width ?? 0) - w) / 2;
    if (style.align === 'right') left = x + (style.width ?? 0) - w;
    this.pdf.drawText(text, { x: this.px(left), y: this.py(midY) - 0.38 * size, size, font, color: style.color ?? INK });
    return w;
  }

  /** 分散对齐: the characters of a short label spread evenly over `width` mm, as Chinese forms print their field names. */
  spaced(text: string, x: number, midY: number, width: number, style: TextStyle = {}): number {
    const size = style.size ?? 11;
    const chars = [...text];
    if (chars.length < 2) return this.text(text, x, midY, style);
    const total = chars.reduce((s, c) => s + this.sheet.width(c, size, style.bold), 0);
    const gap = Math.max(0, (width - total) / (chars.length - 1));
    let cx = x;
    for (const c of chars) {
      this.text(c, cx, midY, style);
      cx += this.sheet.width(c, size, style.bold) + gap;
    }
    return Math.max(width, total);
  }

  /** Top-to-bottom text, one character per line, centred in a cell (a section name down the left of a table). */
  vertical(text: string, x: number, y: number, width: number, height: number, style: TextStyle = {}): void {
    const size = style.size ?? 11;
    const chars = [...text];
    const step = Math.min((size / MM) * 1.5, height / chars.length);
    const top = y + (height - step * chars.length) / 2 + step / 2;
    chars.forEach((c, i) => this.text(c, x, top + i * step, { ...style, align: 'center', width }));
  }

  /**
   * A paragraph of styled runs wrapped to `width` mm, starting with its first line's middle at `y`.
   * Returns where the middle of a following line would be (so paragraphs chain).
   */
  paragraph(
    runs: Run[],
    x: number,
    y: number,
    width: number,
    opts: TextStyle & { lineHeight?: number; indent?: number; align?: Align } = {},
  ): number {
    const size = opts.size ?? 11;
    const lh = opts.lineHeight ?? (size / MM) * 1.8;
    const indent = opts.indent ?? 0;
    const lines = breakRuns(
      this.sheet,
      runs.map((r) => ({ ...r, bold: r.bold ?? opts.bold })),
      width,
      size,
      indent,
    );
    lines.forEach((line, i) => {
      const lead = i === 0 ? indent : 0;
      let cx = x + lead;
      if (opts.align === 'center') cx = x + (width - lineWidth(line)) / 2;
      if (opts.align === 'right') cx = x + width - lineWidth(line);
      const midY = y + i * lh;
      // One text operation per stretch of same-styled pieces (not per character): far fewer shaping calls.
      let j = 0;
      while (j < line.length) {
        const first = line[j]!;
        let k = j;
        let text = '';
        let w = 0;
        // Blank padding (the empty pieces around a filled-in value) is its own stretch, so the value sits centred.
        const same = (q: Piece) => q.bold === first.bold && q.underline === first.underline && !q.text === !first.text;
        while (k < line.length && same(line[k]!)) {
          text += line[k]!.text;
          w += line[k]!.width;
          k++;
        }
        if (text.trim()) this.text(text, cx, midY, { size, bold: first.bold, color: opts.color });
        if (first.underline) this.line(cx, midY + (size / MM) * 0.62, cx + w, midY + (size / MM) * 0.62, 0.5);
        cx += w;
        j = k;
      }
    });
    return y + lines.length * lh;
  }

  /** The number of lines a paragraph takes (to choose a size before drawing). */
  measure(runs: Run[], width: number, size: number, indent = 0): number {
    return breakRuns(this.sheet, runs, width, size, indent).length;
  }

  line(x1: number, y1: number, x2: number, y2: number, thickness = 0.75, color: Color = INK): void {
    this.pdf.drawLine({ start: { x: this.px(x1), y: this.py(y1) }, end: { x: this.px(x2), y: this.py(y2) }, thickness, color });
  }

  rect(x: number, y: number, w: number, h: number, opts: { fill?: Color; border?: Color; thickness?: number } = {}): void {
    this.pdf.drawRectangle({
      x: this.px(x),
      y: this.py(y + h),
      width: w * MM,
      height: h * MM,
      color: opts.fill,
      borderColor: opts.border,
      borderWidth: opts.border ? (opts.thickness ?? 0.75) : 0,
    });
  }

  /** A square checkbox of side `size` mm whose middle is at midY; checked ones carry a tick. */
  checkbox(x: number, midY: number, checked: boolean, size = 3.6): void {
    this.rect(x, midY - size / 2, size, size, { border: INK, thickness: 0.7 });
    if (!checked) return;
    const s = size;
    const top = midY - s / 2;
    this.pdf.drawSvgPath(`M ${0.18 * s * MM} ${0.52 * s * MM} L ${0.42 * s * MM} ${0.78 * s * MM} L ${0.84 * s * MM} ${0.2 * s * MM}`, {
      x: this.px(x),
      y: this.py(top),
      borderColor: INK,
      borderWidth: 1.3,
    });
  }

  /**
   * A QR code drawn as vector modules (crisp at any printer resolution), `size` mm square including the
   * 4-module quiet zone ISO/IEC 18004 asks for. Error correction M: survives a stamp's edge or a fold.
   */
  qr(payload: string, x: number, y: number, size: number): void {
    const code = QRCode.create(payload, { errorCorrectionLevel: 'M' });
    const n = code.modules.size;
    const quiet = 4;
    const m = size / (n + 2 * quiet);
    this.rect(x, y, size, size, { fill: WHITE });
    for (let r = 0; r < n; r++) {
      let c = 0;
      while (c < n) {
        if (!code.modules.get(r, c)) {
          c++;
          continue;
        }
        // One rectangle per horizontal run of dark modules keeps the page small and fast to render.
        let end = c;
        while (end + 1 < n && code.modules.get(r, end + 1)) end++;
        this.rect(x + (quiet + c) * m, y + (quiet + r) * m, (end - c + 1) * m, m, { fill: INK });
        c = end + 1;
      }
    }
  }

  /** "— 1 —" at the foot of the page, as the seed's forms are numbered, and an optional small note above it. */
  footer(pageNo: number, note?: string): void {
    if (note) this.text(note, 20, A4_MM.height - 14, { size: 7.5, color: GREY, align: 'center', width: A4_MM.width - 40 });
    this.text(`— ${pageNo} —`, 0, A4_MM.height - 9, { size: 9, align: 'center', width: A4_MM.width });
  }
}

/** The order number as applicants write it "top-left" on the paper form (seed 003): label above, digits large. */
export function orderNumberBlock(page: Page, orderNo: string, x = 20, y = 10): void {
  page.rect(x, y, 62, 14, { border: INK, thickness: 1 });
  page.text('订单编号', x + 2.5, y + 3.6, { size: 7.5, color: GREY });
  page.text(orderNo, x + 2.5, y + 9.4, { size: 15, bold: true });
}

/** China time (UTC+8, no daylight saving) as 2026年11月20日 22:33, for "generated at" notes. */
export function chinaDateTime(d: Date): string {
  const t = new Date(d.getTime() + 8 * 3600_000);
  const p = (n: number) => String(n).padStart(2, '0');
  return `${t.getUTCFullYear()}年${t.getUTCMonth() + 1}月${t.getUTCDate()}日 ${p(t.getUTCHours())}:${p(t.getUTCMinutes())}`;
}

/** A blank "____年____月____日" to fill in by hand. */
let groups = 0;
export const blankDate = (yearWidth = 14, partWidth = 9, after = ''): Run[] => {
  const group = `date-${++groups}`;
  const runs: Run[] = [
    { text: '', underline: true, minWidth: yearWidth, group },
    { text: '年', group },
    { text: '', underline: true, minWidth: partWidth, group },
    { text: '月', group },
    { text: '', underline: true, minWidth: partWidth, group },
    { text: '日', group },
  ];
  if (after) runs.push({ text: after, group });
  return runs;
};
