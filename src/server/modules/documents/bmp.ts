/**
 * BMP support. sharp (libvips) cannot read BMP, so BMP scans are decoded with bmp-ts and re-encoded as PNG
 * (lossless). bmp-ts trusts the file: it allocates width × height × 4 bytes up front, ignores the
 * pixel-data offset, and mishandles run-length compression and odd-width 16-colour images. So the header
 * is read and judged here first (Microsoft's BITMAPINFOHEADER family: 40, 52, 56, 108 or 124 bytes), and
 * only the layouts bmp-ts decodes correctly reach it: uncompressed 1, 8, 16, 24 and 32 bits per pixel,
 * and bit fields at 16 and 32 bits. A scanner's BMP is one of these; anything else is refused with advice
 * to save the scan as 24-bit BMP, PNG or JPEG.
 */
import { decode } from 'bmp-ts';

export interface BmpHeader {
  width: number;
  /** Always positive; `topDown` says which way the rows run. */
  height: number;
  topDown: boolean;
  bitsPerPixel: number;
  compression: number;
  headerSize: number;
  /** Where the rows start, as bmp-ts will look for them (right after the header, masks and palette). */
  expectedPixelStart: number;
  /** Where the file says they start. */
  pixelStart: number;
  rowBytes: number;
}

export type BmpProblem = 'corrupt' | 'unsupported';

export class BmpRefused extends Error {
  constructor(readonly problem: BmpProblem) {
    super(`bmp ${problem}`);
  }
}

const HEADER_SIZES = new Set([40, 52, 56, 108, 124]);
const BI_RGB = 0;
const BI_BITFIELDS = 3;

/** Reads and checks the header without touching the pixels; dimensions are judged by the caller. */
export function readBmpHeader(buf: Buffer): BmpHeader {
  if (buf.length < 54 || buf.toString('latin1', 0, 2) !== 'BM') throw new BmpRefused('corrupt');
  const pixelStart = buf.readUInt32LE(10);
  const headerSize = buf.readUInt32LE(14);
  if (headerSize === 12) throw new BmpRefused('unsupported'); // OS/2 BITMAPCOREHEADER
  if (!HEADER_SIZES.has(headerSize) || buf.length < 14 + headerSize) throw new BmpRefused('corrupt');
  const width = buf.readInt32LE(18);
  const rawHeight = buf.readInt32LE(22);
  const planes = buf.readUInt16LE(26);
  const bitsPerPixel = buf.readUInt16LE(28);
  const compression = buf.readUInt32LE(30);
  const colors = buf.readUInt32LE(46);
  if (width <= 0 || rawHeight === 0 || rawHeight === -0x80000000 || planes !== 1) throw new BmpRefused('corrupt');
  const supported =
    (compression === BI_RGB && [1, 8, 16, 24, 32].includes(bitsPerPixel)) ||
    (compression === BI_BITFIELDS && [16, 32].includes(bitsPerPixel));
  if (!supported) throw new BmpRefused(bitsPerPixel === 4 || compression === 1 || compression === 2 ? 'unsupported' : 'corrupt');
  const paletteEntries = bitsPerPixel <= 8 || colors > 0 ? (colors === 0 ? 2 ** bitsPerPixel : colors) : 0;
  if (bitsPerPixel <= 8 && paletteEntries > 2 ** bitsPerPixel) throw new BmpRefused('corrupt');
  const masks = headerSize === 40 && compression === BI_BITFIELDS ? 12 : 0;
  return {
    width,
    height: Math.abs(rawHeight),
    topDown: rawHeight < 0,
    bitsPerPixel,
    compression,
    headerSize,
    expectedPixelStart: 14 + headerSize + masks + paletteEntries * 4,
    pixelStart,
    // Rows are padded to a multiple of 4 bytes.
    rowBytes: Math.floor((bitsPerPixel * width + 31) / 32) * 4,
  };
}

/**
 * Decodes a BMP whose header passed `readBmpHeader` and whose size the caller accepted, into packed RGB
 * (alpha is dropped: a scan has none worth keeping, and 32-bit BMPs often leave it zero).
 */
export function decodeBmp(buf: Buffer, h: BmpHeader): { rgb: Buffer; width: number; height: number } {
  if (h.pixelStart < h.expectedPixelStart || h.pixelStart + h.rowBytes * h.height > buf.length) throw new BmpRefused('corrupt');
  // Put the rows where bmp-ts expects them (some writers leave a gap after the palette).
  const input = Buffer.concat([buf.subarray(0, h.expectedPixelStart), buf.subarray(h.pixelStart)]);
  if (h.compression === BI_RGB && (h.bitsPerPixel === 16 || h.bitsPerPixel === 32) && h.headerSize > 40) {
    // Uncompressed 16/32-bit pixels use the standard channel layout whatever masks a V2–V5 header holds
    // (bmp-ts would use them, and many writers leave them zero: a black picture).
    const [r, g, b] = h.bitsPerPixel === 32 ? [0x00ff0000, 0x0000ff00, 0x000000ff] : [0x7c00, 0x03e0, 0x001f];
    input.writeUInt32LE(r, 54);
    input.writeUInt32LE(g, 58);
    input.writeUInt32LE(b, 62);
    if (h.headerSize >= 56) input.writeUInt32LE(0, 66);
  }
  let abgr: Buffer;
  try {
    abgr = decode(input).data;
  } catch {
    throw new BmpRefused('corrupt');
  }
  const n = h.width * h.height;
  if (abgr.length !== n * 4) throw new BmpRefused('corrupt');
  // bmp-ts's default layout is A, B, G, R per pixel.
  const rgb = Buffer.allocUnsafe(n * 3);
  for (let i = 0, j = 0; i < n; i++, j += 4) {
    rgb[i * 3] = abgr[j + 3]!;
    rgb[i * 3 + 1] = abgr[j + 2]!;
    rgb[i * 3 + 2] = abgr[j + 1]!;
  }
  return { rgb, width: h.width, height: h.height };
}
