import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { AppError } from '../../../core/errors.js';
import { MAX_PIXELS, processUpload, THUMBNAIL_WIDTH } from './process-image.js';
import {
  ARTIST,
  bilevelPng,
  bmp24,
  bmp8Gray,
  bmpHeaderOnly,
  jpegWithExif,
  noise,
  padPng,
  png,
  pngChunk,
  TEXT_SECRET,
  type Rgb,
} from './test-images.js';

/** The refusal's text under the field "file" (it is also the error message). */
async function refusal(bytes: Buffer, name: string): Promise<string> {
  const err = await processUpload(bytes, name).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(AppError);
  const e = err as AppError;
  expect(e.code).toBe('VALIDATION_FAILED');
  expect(e.message).toBe(e.extra.fields?.file);
  return e.message;
}

const ALLOWED = '只接受 jpeg、jpg、png、bmp';

describe('accepted images are re-encoded without metadata', () => {
  it('JPEG with EXIF and a GPS position → JPEG with no EXIF, XMP or ICC at all', async () => {
    const input = await jpegWithExif(400, 300);
    const inMeta = await sharp(input).metadata();
    expect(inMeta.exif?.includes(ARTIST)).toBe(true);
    expect(inMeta.exif?.includes(Buffer.from([0x25, 0x88]))).toBe(true); // GPSInfo IFD pointer (tag 0x8825)
    const out = await processUpload(input, '营业执照.jpg');
    expect(out).toMatchObject({ mime: 'image/jpeg', detected: 'jpeg', width: 400, height: 300 });
    const meta = await sharp(out.image).metadata();
    expect(meta.format).toBe('jpeg');
    expect(meta.exif).toBeUndefined();
    expect(meta.xmp).toBeUndefined();
    expect(meta.icc).toBeUndefined();
    expect(out.image.includes('Exif\0\0')).toBe(false);
    expect(out.image.includes(ARTIST)).toBe(false);
    expect(out.sha256).toMatch(/^[0-9a-f]{64}$/);
  });

  it('applies the EXIF orientation before dropping it, so the scan shows upright', async () => {
    const out = await processUpload(await jpegWithExif(400, 300, 6), '横拍.jpg');
    expect([out.width, out.height]).toEqual([300, 400]);
    expect((await sharp(out.image).metadata()).orientation).toBeUndefined();
  });

  it('PNG → PNG without its text chunks; a PNG named .jpg is a PNG and is accepted', async () => {
    const input = padPng(await png(120, 80), 20_000);
    const out = await processUpload(input, '身份证.jpg');
    expect(out).toMatchObject({ mime: 'image/png', detected: 'png', width: 120, height: 80 });
    expect((await sharp(out.image).metadata()).format).toBe('png');
    expect(out.image.includes(TEXT_SECRET)).toBe(false);
    expect(out.image.includes('tEXt')).toBe(false);
  });

  it('makes a JPEG thumbnail at most 320 px wide, and never enlarges a small image', async () => {
    const big = await processUpload(await jpegWithExif(1000, 700), 'a.jpg');
    const t = await sharp(big.thumbnail).metadata();
    expect(t.format).toBe('jpeg');
    expect(t.width).toBe(THUMBNAIL_WIDTH);
    expect(t.height).toBe(224);
    expect(t.exif).toBeUndefined();
    const small = await processUpload(await png(100, 60), 'b.png');
    expect(await sharp(small.thumbnail).metadata()).toMatchObject({ format: 'jpeg', width: 100, height: 60 });
  });
});

describe('BMP (sharp cannot read it: bmp-ts after our own header check)', () => {
  const pattern = (x: number, y: number): Rgb => [(x * 37) % 256, (y * 59) % 256, (x * y) % 256];

  async function pixelsOf(image: Buffer) {
    const { data, info } = await sharp(image).raw().toBuffer({ resolveWithObject: true });
    return { data, info };
  }

  it.each([
    ['bottom-up, odd width (rows padded)', false, 101, 67],
    ['top-down (negative height)', true, 64, 5],
  ])('a hand-made 24-bit BMP, %s, is accepted and becomes a PNG with the same pixels', async (_l, topDown, w, h) => {
    const out = await processUpload(bmp24(w, h, pattern, { topDown }), '扫描件.bmp');
    expect(out).toMatchObject({ mime: 'image/png', detected: 'bmp', width: w, height: h });
    const { data, info } = await pixelsOf(out.image);
    expect(info.channels).toBe(3);
    for (const [x, y] of [
      [0, 0],
      [w - 1, 0],
      [0, h - 1],
      [w - 1, h - 1],
      [Math.floor(w / 2), Math.floor(h / 2)],
    ] as const) {
      const o = (y * w + x) * 3;
      expect([data[o], data[o + 1], data[o + 2]]).toEqual(pattern(x, y));
    }
  });

  it('an 8-bit palette BMP with a gap before the pixel rows decodes at the offset the header gives', async () => {
    const level = (x: number, y: number) => (x * 3 + y * 7) % 256;
    const out = await processUpload(bmp8Gray(30, 20, level, 6), 'gray.bmp');
    const { data, info } = await pixelsOf(out.image);
    const at = (x: number, y: number) => data[(y * info.width + x) * info.channels];
    expect([at(0, 0), at(29, 0), at(5, 19)]).toEqual([level(0, 0), level(29, 0), level(5, 19)]);
  });

  it('refuses a BMP whose header declares 100000 × 100000 before anything is allocated', async () => {
    const msg = await refusal(bmpHeaderOnly(100_000, 100_000), 'bomb.bmp');
    expect(msg).toBe(
      'bomb.bmp：图片像素过大（100000×100000），宽、高均不能超过12000像素且总像素不超过4000万，请降低扫描分辨率（200–300dpi即可）后重新扫描',
    );
  });

  it('refuses a truncated BMP, a nonsense header, and says which BMP kinds it cannot take', async () => {
    const whole = bmp24(50, 40, pattern);
    expect(await refusal(whole.subarray(0, whole.length - 100), 'cut.bmp')).toMatch(/^cut\.bmp：图片已损坏，无法打开/);
    const zeroWidth = bmpHeaderOnly(0, 10);
    expect(await refusal(zeroWidth, 'zero.bmp')).toMatch(/图片已损坏/);
    expect(await refusal(bmpHeaderOnly(10, 10, 4), 'c16.bmp')).toMatch(/^c16\.bmp：不支持这种BMP格式（16色或压缩BMP）/);
    expect(await refusal(bmpHeaderOnly(10, 10, 8, 1), 'rle.bmp')).toMatch(/不支持这种BMP格式/);
  });
});

describe('refusals name the file and the rule', () => {
  it('an HTML page named .jpg is not an image', async () => {
    const html = Buffer.from('<!doctype html><html><body><script>alert(document.cookie)</script></body></html>');
    expect(await refusal(html, 'x.jpg')).toBe(`x.jpg：文件内容不是图片（${ALLOWED}）`);
  });

  it('GIF, WebP and PDF are refused by what they are, whatever they are called', async () => {
    const raw = { raw: { width: 20, height: 20, channels: 3 as const } };
    const gif = await sharp(noise(20, 20), raw).gif().toBuffer();
    const webp = await sharp(noise(20, 20), raw).webp().toBuffer();
    const pdf = Buffer.from('%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n');
    expect(await refusal(gif, '营业执照.png')).toBe(`营业执照.png：文件是GIF格式，不能上传（${ALLOWED}）`);
    expect(await refusal(webp, 'id.jpg')).toBe(`id.jpg：文件是WEBP格式，不能上传（${ALLOWED}）`);
    expect(await refusal(pdf, '申请表.pdf')).toBe(`申请表.pdf：文件是PDF格式，不能上传（${ALLOWED}）`);
  });

  it('a PNG with a broken body does not decode', async () => {
    const p = await png(50, 50);
    const broken = Buffer.concat([p.subarray(0, 60), Buffer.alloc(200, 7), p.subarray(p.length - 12)]);
    expect(await refusal(broken, 'y.png')).toMatch(/^y\.png：图片已损坏/);
  });

  it('an empty file, and more than 1 MB', async () => {
    expect(await refusal(Buffer.alloc(0), '空.png')).toBe('空.png：文件是空的，请重新选择文件');
    const big = padPng(await png(), 1024 * 1024 + 1);
    expect(await refusal(big, '身份证.png')).toBe('身份证.png：文件大小超过1MB（约1025KB），请压缩或重新扫描后上传');
  });

  it('exactly 1 MB is accepted', async () => {
    const out = await processUpload(padPng(await png(), 1024 * 1024), 'a.png');
    expect(out.image.includes(TEXT_SECRET)).toBe(false);
  });
});

describe('truncated files are refused as incomplete (issue 16)', () => {
  const TRUNCATED = '文件不完整（图片数据在结尾前中断，可能是扫描或传输中断），请重新扫描后上传';
  const EOI = Buffer.from([0xff, 0xd9]);
  /** A page-sized white JPEG: its entropy data is small, as in the testers' file. */
  const whiteJpeg = (width: number, height: number, progressive = false) =>
    sharp({ create: { width, height, channels: 3, background: '#ffffff' } })
      .jpeg({ quality: 90, progressive })
      .toBuffer();
  /** A PNG's chunks without the last `drop` bytes of its IDAT data, re-framed with a valid CRC. */
  async function pngCutInIdat(keep: number): Promise<Buffer> {
    const whole = await png(200, 150);
    const chunks: { type: string; data: Buffer }[] = [];
    for (let at = 8; at < whole.length;) {
      const len = whole.readUInt32BE(at);
      chunks.push({ type: whole.toString('latin1', at + 4, at + 8), data: whole.subarray(at + 8, at + 8 + len) });
      at += 12 + len;
    }
    const idat = Buffer.concat(chunks.filter((c) => c.type === 'IDAT').map((c) => c.data));
    const ihdr = chunks.find((c) => c.type === 'IHDR')!.data;
    return Buffer.concat([
      whole.subarray(0, 8),
      pngChunk('IHDR', ihdr),
      pngChunk('IDAT', idat.subarray(0, Math.floor(idat.length * keep))),
    ]);
  }

  it.each<[string, () => Promise<Buffer>, string]>([
    // The testers' file: a 12000×3333 header, 86 KB of data, then an end marker — libjpeg only warns and
    // fills the rest with grey, so it used to be accepted as a 40-megapixel image.
    [
      'a 12000×3333 JPEG cut to 86 KB and given an end marker',
      async () => Buffer.concat([(await whiteJpeg(12_000, 3_333)).subarray(0, 86_000), EOI]),
      'cut.jpg',
    ],
    [
      'a progressive JPEG cut in half and given an end marker',
      async () => {
        const j = await whiteJpeg(2_000, 1_500, true);
        return Buffer.concat([j.subarray(0, Math.floor(j.length / 2)), EOI]);
      },
      'prog.jpg',
    ],
    [
      'a JPEG with noise cut at 60%, no end marker',
      async () => {
        const j = await jpegWithExif(300, 200);
        return j.subarray(0, Math.floor(j.length * 0.6));
      },
      'x.jpg',
    ],
    ['a JPEG missing only its end marker', async () => (await jpegWithExif(300, 200)).subarray(0, -2), 'eoi.jpg'],
    ['a PNG cut inside its image data (no IEND)', () => pngCutInIdat(0.5), 'half.png'],
    ['a PNG whose image data is whole but IEND is missing', () => pngCutInIdat(1), 'noend.png'],
    ['a PNG cut in its last bytes', async () => (await png(200, 150)).subarray(0, -5), 'tail.png'],
  ])('%s', async (_label, make, name) => {
    expect(await refusal(await make(), name)).toBe(`${name}：${TRUNCATED}`);
  });

  it('a harmless libjpeg warning (stray bytes before a marker) is still accepted', async () => {
    const j = await jpegWithExif(300, 200);
    const sos = j.indexOf(Buffer.from([0xff, 0xda]));
    const stray = Buffer.concat([j.subarray(0, sos), Buffer.from([1, 2, 3]), j.subarray(sos)]);
    // (It really warns: libvips refuses it when told to fail on warnings.)
    await expect(sharp(stray, { failOn: 'warning' }).toBuffer()).rejects.toThrow(/extraneous bytes/);
    expect(await processUpload(stray, 'scanner.jpg')).toMatchObject({ width: 300, height: 200 });
  });
});

describe('decompression bombs are refused from the header', () => {
  it('a 50 KB PNG declaring 20000 × 20000 (400 megapixels) is refused from its header, without decoding', async () => {
    const bomb = await bilevelPng(20_000, 20_000);
    expect(bomb.length).toBeLessThan(100_000);
    // It really is a complete image: libvips reads its header, and would refuse to decode it by default.
    expect(await sharp(bomb, { limitInputPixels: false }).metadata()).toMatchObject({ width: 20_000, height: 20_000 });
    // No pixel pipeline runs: sharp reports every decode/encode task on its queue, and reading a header
    // is not one.
    const pipelinesDuring = async (work: () => Promise<unknown>) => {
      let n = 0;
      const count = () => n++;
      sharp.queue.on('change', count);
      try {
        await work();
      } finally {
        sharp.queue.off('change', count);
      }
      return n;
    };
    expect(
      await pipelinesDuring(async () => expect(await refusal(bomb, 'bomb.png')).toMatch(/^bomb\.png：图片像素过大（20000×20000）/)),
    ).toBe(0);
    // (The counting works: an ordinary upload is decoded and encoded.)
    const small = await png(30, 20);
    expect(await pipelinesDuring(() => processUpload(small, 'ok.png'))).toBeGreaterThan(0);
  });

  it('bounds each side (12000) and the total (40 megapixels); the bound itself is accepted', async () => {
    expect(await refusal(await bilevelPng(12_001, 8), 'wide.png')).toMatch(/（12001×8）/);
    expect(await refusal(await bilevelPng(8, 12_001), 'tall.png')).toMatch(/（8×12001）/);
    expect(await refusal(await bilevelPng(8000, 5001), 'many.png')).toMatch(/（8000×5001）/);
    expect(8000 * 5000).toBe(MAX_PIXELS);
    const ok = await processUpload(await bilevelPng(8000, 5000), 'ok.png');
    expect([ok.width, ok.height]).toEqual([8000, 5000]);
  });
});
