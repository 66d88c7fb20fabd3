/**
 * Upload rules for scans (seeds 000–003: "jpeg、jpg、png、bmp其中一种图片格式，每个文件大小在1M之内"), applied
 * to what the file is, not what it is called:
 *  1. size: 1 MB at most (the multipart reader stops at the limit; this checks again);
 *  2. type by magic bytes (file-type): JPEG, PNG or BMP — a PNG named .jpg is a PNG and fine, an HTML page
 *     named .jpg is not an image and is refused;
 *  3. dimensions from the header before any decoding: a few hundred kilobytes of PNG can declare billions
 *     of pixels (a "decompression bomb"), so width, height and their product are bounded first, and sharp
 *     is given the same bound again (limitInputPixels) for the decode itself;
 *  4. a full decode — a file that does not decode completely is refused. A truncated file gets its own
 *     reason: a JPEG whose data stops early is only a *warning* to libjpeg ("premature end of data
 *     segment"; a cut file given an end marker decodes to a mostly grey picture of the declared size), so
 *     the decode runs with failOn 'warning' and that warning is a refusal; a PNG must end with IEND;
 *  5. re-encoding, which is what strips metadata: EXIF (camera, GPS position), XMP, comments and text
 *     chunks are not copied. JPEG stays JPEG (quality 90, orientation applied), PNG stays PNG, BMP becomes
 *     PNG (lossless, and browsers show it).
 * Each refusal names the file and the rule, in Chinese, under the field "file".
 */
import { createHash } from 'node:crypto';
import { fileTypeFromBuffer } from 'file-type';
import sharp, { type OutputInfo } from 'sharp';
import { UPLOAD_RULES } from '../../../core/content/documents.js';
import { AppError } from '../../../core/errors.js';
import { BmpRefused, decodeBmp, readBmpHeader } from './bmp.js';

/** 40 megapixels: an A4 page scanned at 600 dpi is 35 MP; more is a bomb or a mistake. */
export const MAX_PIXELS = 40_000_000;
/** Longest side: A3 at 600 dpi is 9 921 px. */
export const MAX_SIDE = 12_000;
export const THUMBNAIL_WIDTH = 320;
export const ALLOWED_TYPES_TEXT = UPLOAD_RULES.extensions.join('、');

export type StoredMime = 'image/jpeg' | 'image/png';

export interface ProcessedImage {
  /** What is stored and served: the re-encoded image, without metadata. */
  image: Buffer;
  mime: StoredMime;
  width: number;
  height: number;
  /** SHA-256 (hex) of `image`. */
  sha256: string;
  /** JPEG, at most THUMBNAIL_WIDTH wide. */
  thumbnail: Buffer;
  /** What the upload was. */
  detected: 'jpeg' | 'png' | 'bmp';
}

/** A refusal that names the file and the rule; the client shows it next to the upload slot. */
export function uploadRefused(name: string, rule: string): AppError {
  const text = `${name}：${rule}`;
  return new AppError('VALIDATION_FAILED', text, { fields: { file: text } });
}

/** 1.2MB, or 1025KB when the excess is too small to show in tenths of a megabyte. */
export function formatSize(bytes: number): string {
  const mb = bytes / (1024 * 1024);
  return mb >= 1.05 ? `${mb.toFixed(1)}MB` : `${Math.ceil(bytes / 1024)}KB`;
}

export const RULES = {
  tooLarge: (approxBytes?: number) => `文件大小超过1MB${approxBytes ? `（约${formatSize(approxBytes)}）` : ''}，请压缩或重新扫描后上传`,
  empty: '文件是空的，请重新选择文件',
  notImage: `文件内容不是图片（只接受 ${ALLOWED_TYPES_TEXT}）`,
  otherType: (ext: string) => `文件是${ext.toUpperCase()}格式，不能上传（只接受 ${ALLOWED_TYPES_TEXT}）`,
  tooManyPixels: (w: number, h: number) =>
    `图片像素过大（${w}×${h}），宽、高均不能超过${MAX_SIDE}像素且总像素不超过${MAX_PIXELS / 10_000}万，请降低扫描分辨率（200–300dpi即可）后重新扫描`,
  corrupt: '图片已损坏，无法打开，请重新扫描或另存后上传',
  truncated: '文件不完整（图片数据在结尾前中断，可能是扫描或传输中断），请重新扫描后上传',
  bmpUnsupported: '不支持这种BMP格式（16色或压缩BMP），请另存为24位BMP、PNG或JPEG后上传',
};

const KIND: Record<string, ProcessedImage['detected']> = {
  jpg: 'jpeg',
  // A JPEG with a Multi-Picture (MPF) segment, as many phones write: still a JPEG.
  mpo: 'jpeg',
  png: 'png',
  apng: 'png',
  bmp: 'bmp',
};

/** libjpeg's words for data that stops before the image does (JWRN_JPEG_EOF, JWRN_HIT_MARKER). */
const TRUNCATED = /premature end of (JPEG|data)/i;
/** The IEND chunk is always these 12 bytes (empty data, fixed CRC): a PNG without it was cut short. */
const PNG_IEND = Buffer.from([0, 0, 0, 0, 0x49, 0x45, 0x4e, 0x44, 0xae, 0x42, 0x60, 0x82]);

function reencode(bytes: Buffer, detected: 'jpeg' | 'png', failOn: 'warning' | 'error') {
  const decoded = sharp(bytes, { limitInputPixels: MAX_PIXELS, failOn }).autoOrient();
  const encoded =
    detected === 'jpeg'
      ? // 4:4:4 keeps the red of seals sharp; the upload was already subsampled once if it was 4:2:0.
        decoded.jpeg({ quality: 90, chromaSubsampling: '4:4:4' })
      : decoded.png();
  return encoded.toBuffer({ resolveWithObject: true });
}

const tooBig = (w: number, h: number) => w > MAX_SIDE || h > MAX_SIDE || w * h > MAX_PIXELS;

/** Validates the upload and produces what is stored; throws uploadRefused(...) for anything refused. */
export async function processUpload(bytes: Buffer, name: string): Promise<ProcessedImage> {
  if (bytes.length === 0) throw uploadRefused(name, RULES.empty);
  if (bytes.length > UPLOAD_RULES.maxBytes) throw uploadRefused(name, RULES.tooLarge(bytes.length));
  const type = await fileTypeFromBuffer(bytes);
  if (!type) throw uploadRefused(name, RULES.notImage);
  const detected = KIND[type.ext];
  if (!detected) throw uploadRefused(name, RULES.otherType(type.ext));

  let out: { data: Buffer; info: OutputInfo };
  if (detected === 'bmp') {
    let rgb: ReturnType<typeof decodeBmp>;
    try {
      const header = readBmpHeader(bytes);
      if (tooBig(header.width, header.height)) throw uploadRefused(name, RULES.tooManyPixels(header.width, header.height));
      rgb = decodeBmp(bytes, header);
    } catch (e) {
      if (e instanceof BmpRefused) throw uploadRefused(name, e.problem === 'unsupported' ? RULES.bmpUnsupported : RULES.corrupt);
      throw e;
    }
    out = await sharp(rgb.rgb, { raw: { width: rgb.width, height: rgb.height, channels: 3 } })
      .png()
      .toBuffer({ resolveWithObject: true });
  } else {
    // Header only: libvips reads the dimensions without decoding pixels, so no limit is needed here.
    const meta = await sharp(bytes, { limitInputPixels: false })
      .metadata()
      .catch(() => undefined);
    if (!meta || meta.format !== detected || !meta.width || !meta.height) throw uploadRefused(name, RULES.corrupt);
    if (tooBig(meta.width, meta.height)) throw uploadRefused(name, RULES.tooManyPixels(meta.width, meta.height));
    if (detected === 'png' && bytes.lastIndexOf(PNG_IEND) === -1) throw uploadRefused(name, RULES.truncated);
    const result = await reencode(bytes, detected, 'warning').catch((e: unknown) => {
      if (e instanceof Error && TRUNCATED.test(e.message)) throw uploadRefused(name, RULES.truncated);
      // Any other warning is harmless (stray bytes before a marker, common from some scanners): decode
      // again failing on errors only.
      return reencode(bytes, detected, 'error').catch(() => {
        throw uploadRefused(name, RULES.corrupt);
      });
    });
    out = result;
  }

  const thumbnail = await sharp(out.data)
    .resize({ width: THUMBNAIL_WIDTH, height: THUMBNAIL_WIDTH * 3, fit: 'inside', withoutEnlargement: true })
    .flatten({ background: '#ffffff' })
    .jpeg({ quality: 80 })
    .toBuffer();
  return {
    image: out.data,
    mime: detected === 'jpeg' ? 'image/jpeg' : 'image/png',
    width: out.info.width,
    height: out.info.height,
    sha256: createHash('sha256').update(out.data).digest('hex'),
    thumbnail,
    detected,
  };
}
