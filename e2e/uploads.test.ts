/**
 * Issue 13, item 14: uploading from a phone. A 5 MB phone photo of a licence is re-encoded in the browser to
 * fit the server's 1 MB rule (the server's rules unchanged: it judges the result like any scan), and stays
 * readable (at least A4 at 150 dpi); the upload shows its progress; an iPhone HEIC photo and a PDF get the way to
 * a file that can be uploaded. At 390 px and at 1366 px. Screenshots.
 */
import { randomBytes } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import sharp from 'sharp';
import { DESKTOP, PHONE, fitsWidth, newPage, shot, startE2E, type E2E } from './harness.js';
import { openMainOrder, registerWithRequest } from './page-api.js';

let e: E2E;
const poll = <T>(fn: () => Promise<T> | T) => expect.poll(fn, { timeout: 20_000 });
let photo: Buffer;

/** A 4032×3024 phone photo of a document: paper, lines of text, a red seal, and sensor noise (seeded). */
async function phonePhoto(): Promise<Buffer> {
  const [w, h] = [4032, 3024];
  let lines = '';
  for (let i = 0; i < 60; i++)
    lines += `<text x="150" y="${200 + i * 45}" font-size="34" fill="#222">统一社会信用代码 91360100MA35XXXX${i} 名称 江西某某科技有限公司 住所 南昌市红谷滩区</text>`;
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${w}" height="${h}"><rect width="100%" height="100%" fill="#d8d0c0"/><rect x="100" y="100" width="3800" height="2800" fill="#f7f3ea" stroke="#c00" stroke-width="20"/>${lines}<circle cx="3300" cy="2400" r="300" fill="none" stroke="#d00" stroke-width="25"/></svg>`;
  const { data, info } = await sharp(Buffer.from(svg)).raw().toBuffer({ resolveWithObject: true });
  let seed = 13;
  for (let i = 0; i < data.length; i++) {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    data[i] = Math.max(0, Math.min(255, data[i]! + (seed % 25) - 12));
  }
  return sharp(data, { raw: info }).jpeg({ quality: 92 }).toBuffer();
}

beforeAll(async () => {
  e = await startE2E();
  photo = await phonePhoto();
}, 120_000);

interface Uploaded {
  bytes: number;
  width: number;
  height: number;
  originalName: string;
}

describe.each([
  ['phone', PHONE, 'business-license'],
  ['desktop', DESKTOP, 'agent-id-front'],
] as const)('uploads at %s width', (tag, viewport, slot) => {
  it('a photo over 1 MB is compressed in the browser and uploaded with progress; HEIC and PDF say what to do', async () => {
    expect(photo.length).toBeGreaterThan(3 * 1024 * 1024);
    const { context, page, errors } = await newPage(e, viewport);
    try {
      await registerWithRequest(context.request, {
        name: `江西上传测试${randomBytes(2).toString('hex')}有限公司`,
        password: 'Upload2026x',
      });
      const order = await openMainOrder(context.request);
      await page.goto(`/orders/${order.id}`);
      const card = page.getByTestId(`slot-${slot}`);
      await card.scrollIntoViewIfNeeded();
      expect(await page.getByTestId('upload-shrink-note').textContent()).toContain('自动压缩到1MB以内');

      // HEIC and PDF: refused in the browser with the way to a JPG, nothing sent.
      const input = card.locator('input[type=file]');
      await input.setInputFiles({ name: 'IMG_0001.HEIC', mimeType: 'image/heic', buffer: randomBytes(2048) });
      const error = page.getByTestId(`slot-error-${slot}`);
      await poll(() => error.textContent()).toContain('IMG_0001.HEIC：是苹果手机的 HEIC 格式照片');
      expect(await error.textContent()).toContain('兼容性最佳');
      await input.setInputFiles({ name: '营业执照.pdf', mimeType: 'application/pdf', buffer: Buffer.from('%PDF-1.4\n%%EOF\n') });
      await poll(() => error.textContent()).toContain('营业执照.pdf：是 PDF 文件');
      await shot(page, `uploads-how-to-${tag}`);

      // The photo: compressed, then sent with a progress bar (the server's answer held back a moment to see it).
      let held = 0;
      await page.route(`**/api/orders/${order.id}/documents/${slot}`, async (route) => {
        held++;
        await new Promise((r) => setTimeout(r, 3000));
        await route.continue();
      });
      await input.setInputFiles({ name: 'IMG_20261206_101500.jpg', mimeType: 'image/jpeg', buffer: photo });
      // First 正在自动压缩, then a progress bar (not just a spinner) while the file goes up and is checked.
      const progress = page.getByTestId(`upload-progress-${slot}`);
      await poll(() => progress.locator('.ant-progress').count()).toBe(1);
      expect(await progress.textContent()).toMatch(/正在上传…|已上传，正在检查图片…/);
      await shot(page, `uploads-progress-${tag}`);
      const thumb = card.locator('img[alt$="缩略图"]');
      await poll(() => thumb.count()).toBe(1);
      await poll(() => thumb.evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth > 0)).toBe(true);
      expect(held).toBe(1);
      expect(await error.count()).toBe(0);
      expect(await page.getByTestId(`upload-progress-${slot}`).count()).toBe(0);

      // What the server stored: at most 1 MB, still at least A4 at 150 dpi, never larger than A4 at 300 dpi.
      const view = (await (await context.request.get(`/api/orders/${order.id}`)).json()) as {
        slots: { code: string; uploaded: Uploaded | null }[];
      };
      const up = view.slots.find((s) => s.code === slot)!.uploaded!;
      expect(up.originalName).toBe('IMG_20261206_101500.jpg');
      expect(up.bytes).toBeLessThanOrEqual(1024 * 1024);
      expect(Math.max(up.width, up.height)).toBeGreaterThanOrEqual(1240);
      expect(Math.max(up.width, up.height)).toBeLessThanOrEqual(2480);
      expect(up.width / up.height).toBeCloseTo(4032 / 3024, 2);
      expect(await fitsWidth(page)).toBe(true);
      await shot(page, `uploads-done-${tag}`);
      expect(errors).toEqual([]);
    } finally {
      await context.close();
    }
  }, 120_000);
});
