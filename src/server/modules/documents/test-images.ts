/**
 * Test fixtures for uploads: images made with sharp or byte by byte, and multipart bodies built by hand
 * (the way a browser writes them), so the tests need no extra dependency and control every byte.
 */
import { randomBytes } from 'node:crypto';
import zlib from 'node:zlib';
import sharp from 'sharp';

/** Deterministic "scan-like" noise, so JPEGs have real entropy data (a truncation hits pixels). */
export function noise(width: number, height: number, seed = 1): Buffer {
  const b = Buffer.alloc(width * height * 3);
  let x = seed * 2654435761;
  for (let i = 0; i < b.length; i++) {
    x = (x * 1103515245 + 12345) >>> 0;
    b[i] = x >>> 24;
  }
  return b;
}

export const ARTIST = 'SECRET-ARTIST-4242';

/** A JPEG carrying EXIF: Artist in IFD0 and a GPS position (IFD3 in libvips's naming). */
export function jpegWithExif(width = 400, height = 300, orientation?: number): Promise<Buffer> {
  let img = sharp(noise(width, height), { raw: { width, height, channels: 3 } })
    .jpeg({ quality: 85 })
    .withExif({ IFD0: { Artist: ARTIST }, IFD3: { GPSLatitudeRef: 'N', GPSLatitude: '28/1 41/1 0/1' } });
  if (orientation) img = img.withMetadata({ orientation });
  return img.toBuffer();
}

export function png(width = 120, height = 80, seed = 2): Promise<Buffer> {
  return sharp(noise(width, height, seed), { raw: { width, height, channels: 3 } })
    .png()
    .toBuffer();
}

export function pngChunk(type: string, data: Buffer): Buffer {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(zlib.crc32(body));
  return Buffer.concat([len, body, crc]);
}

export const TEXT_SECRET = 'SECRET-PNG-TEXT';

/** The PNG grown to exactly `total` bytes with a tEXt chunk (ancillary: decoders skip it) before IEND. */
export function padPng(image: Buffer, total: number): Buffer {
  const iend = image.length - 12;
  const prefix = Buffer.from(`Comment\0${TEXT_SECRET} `, 'latin1');
  const fill = total - image.length - 12 - prefix.length;
  if (fill < 0) throw new Error('image too large to pad to that size');
  const text = Buffer.concat([prefix, Buffer.alloc(fill, 0x41)]);
  const out = Buffer.concat([image.subarray(0, iend), pngChunk('tEXt', text), image.subarray(iend)]);
  if (out.length !== total) throw new Error(`padded to ${out.length}, wanted ${total}`);
  return out;
}

const PNG_SIGNATURE = Buffer.from([137, 80, 78, 71, 13, 10, 26, 10]);

/**
 * A complete, valid 1-bit grayscale PNG of width × height, all black: 20000 × 20000 is 400 megapixels in
 * about 50 KB — a decompression bomb.
 */
export async function bilevelPng(width: number, height: number): Promise<Buffer> {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 1; // bit depth
  ihdr[9] = 0; // grayscale
  const row = Buffer.alloc(1 + Math.ceil(width / 8)); // filter byte 0 + zero bits
  const deflate = zlib.createDeflate({ level: 9 });
  const parts: Buffer[] = [];
  deflate.on('data', (c: Buffer) => parts.push(c));
  const done = new Promise<void>((resolve, reject) => {
    deflate.on('end', resolve);
    deflate.on('error', reject);
  });
  for (let y = 0; y < height; y++) if (!deflate.write(row)) await new Promise((r) => deflate.once('drain', r));
  deflate.end();
  await done;
  return Buffer.concat([PNG_SIGNATURE, pngChunk('IHDR', ihdr), pngChunk('IDAT', Buffer.concat(parts)), pngChunk('IEND', Buffer.alloc(0))]);
}

export type Rgb = [number, number, number];

/**
 * A 24-bit BMP written by hand: BITMAPFILEHEADER (14 bytes) + BITMAPINFOHEADER (40 bytes), bottom-up
 * rows (top-down when `topDown`), each padded to a multiple of 4 bytes, pixels stored B, G, R.
 */
export function bmp24(width: number, height: number, pixel: (x: number, y: number) => Rgb, opts: { topDown?: boolean } = {}): Buffer {
  const rowBytes = Math.ceil((width * 3) / 4) * 4;
  const size = 54 + rowBytes * height;
  const b = Buffer.alloc(size);
  b.write('BM', 0, 'latin1');
  b.writeUInt32LE(size, 2);
  b.writeUInt32LE(54, 10); // pixel data offset
  b.writeUInt32LE(40, 14); // BITMAPINFOHEADER
  b.writeInt32LE(width, 18);
  b.writeInt32LE(opts.topDown ? -height : height, 22);
  b.writeUInt16LE(1, 26); // planes
  b.writeUInt16LE(24, 28); // bits per pixel
  b.writeUInt32LE(0, 30); // BI_RGB
  b.writeUInt32LE(rowBytes * height, 34);
  b.writeInt32LE(11811, 38); // 300 dpi in pixels per metre
  b.writeInt32LE(11811, 42);
  for (let y = 0; y < height; y++) {
    const row = opts.topDown ? y : height - 1 - y;
    for (let x = 0; x < width; x++) {
      const [r, g, bl] = pixel(x, y);
      const o = 54 + row * rowBytes + x * 3;
      b[o] = bl;
      b[o + 1] = g;
      b[o + 2] = r;
    }
  }
  return b;
}

/** An 8-bit palette BMP (256 grey levels), with `gap` spare bytes between the palette and the rows. */
export function bmp8Gray(width: number, height: number, level: (x: number, y: number) => number, gap = 0): Buffer {
  const rowBytes = Math.ceil(width / 4) * 4;
  const start = 54 + 256 * 4 + gap;
  const b = Buffer.alloc(start + rowBytes * height);
  b.write('BM', 0, 'latin1');
  b.writeUInt32LE(b.length, 2);
  b.writeUInt32LE(start, 10);
  b.writeUInt32LE(40, 14);
  b.writeInt32LE(width, 18);
  b.writeInt32LE(height, 22);
  b.writeUInt16LE(1, 26);
  b.writeUInt16LE(8, 28);
  b.writeUInt32LE(256, 46); // colours used
  for (let i = 0; i < 256; i++) b.writeUInt32LE((i << 16) | (i << 8) | i, 54 + i * 4);
  for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) b[start + (height - 1 - y) * rowBytes + x] = level(x, y);
  return b;
}

/** A BMP header that declares width × height at `bits` per pixel with `compression`, and little else. */
export function bmpHeaderOnly(width: number, height: number, bits = 24, compression = 0, dataBytes = 16): Buffer {
  const b = Buffer.alloc(54 + (bits <= 8 ? 4 << bits : 0) + dataBytes);
  b.write('BM', 0, 'latin1');
  b.writeUInt32LE(b.length, 2);
  b.writeUInt32LE(b.length - dataBytes, 10);
  b.writeUInt32LE(40, 14);
  b.writeInt32LE(width, 18);
  b.writeInt32LE(height, 22);
  b.writeUInt16LE(1, 26);
  b.writeUInt16LE(bits, 28);
  b.writeUInt32LE(compression, 30);
  return b;
}

export interface FilePart {
  field?: string;
  filename: string;
  contentType?: string;
  data: Buffer;
}

/** A multipart/form-data body as a browser writes it. */
export function multipart(files: FilePart[], fields: Record<string, string> = {}): { payload: Buffer; headers: Record<string, string> } {
  const boundary = `----CertDeskTest${randomBytes(8).toString('hex')}`;
  const chunks: Buffer[] = [];
  for (const [k, v] of Object.entries(fields))
    chunks.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${k}"\r\n\r\n${v}\r\n`));
  for (const f of files) {
    chunks.push(
      Buffer.from(
        `--${boundary}\r\nContent-Disposition: form-data; name="${f.field ?? 'file'}"; filename="${f.filename}"\r\n` +
          `Content-Type: ${f.contentType ?? 'application/octet-stream'}\r\n\r\n`,
      ),
      f.data,
      Buffer.from('\r\n'),
    );
  }
  chunks.push(Buffer.from(`--${boundary}--\r\n`));
  const payload = Buffer.concat(chunks);
  return { payload, headers: { 'content-type': `multipart/form-data; boundary=${boundary}`, 'content-length': String(payload.length) } };
}
