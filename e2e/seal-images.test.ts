/**
 * Issue 8, extraction and quality, in the browser: the applicant uploads a scanned 电子签章采集表 (the real
 * sheet rendered, stamped with synthetic seals, rotated, tinted and JPEG'd) on the order page and sees the
 * six extracted seals under the slot; a bad sheet (blue legal-person seal, an empty box) shows its reasons
 * right there; a better scan replaces it. 预审 sees the panel without controls. 制证 sees the original beside
 * the seals, raises the ink threshold, changes a crop, re-extracts and confirms; the seal maker's function
 * then returns the three pictures. Screenshots at 1366 and 390 px.
 */
import { randomBytes } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import type { APIRequestContext, Locator, Page } from 'playwright-core';
import { DESKTOP, PHONE, fitsWidth, newPage, shot, startE2E, type E2E } from './harness.js';
import { button, openMainOrder, registerWithRequest, staffLogin } from './page-api.js';
import { orderRepository } from '../src/server/modules/orders/repository.js';
import { confirmedSealImages } from '../src/server/modules/seal-images/confirmed.js';
import { makeScan } from '../src/server/modules/seal-images/testing/scan.js';

let e: E2E;
const poll = <T>(fn: () => Promise<T> | T) => expect.poll(fn, { timeout: 20_000 });
const settle = (page: Page) => page.waitForTimeout(400);

beforeAll(async () => {
  e = await startE2E();
}, 120_000);

/** Registers an organization in this browser context and opens a main-key order (a draft). */
async function draftOrder(request: APIRequestContext): Promise<string> {
  await registerWithRequest(request, { name: `江西印模检查测试${randomBytes(2).toString('hex')}有限公司`, password: 'Seal2026scan' });
  return (await openMainOrder(request)).id;
}

async function uploadSheet(page: Page, scan: Buffer, name: string) {
  await page.getByTestId('slot-seal-sheet').locator('input[type=file]').setInputFiles({ name, mimeType: 'image/jpeg', buffer: scan });
}

/** Every extracted seal image on the page has loaded (naturalWidth > 0). */
const imagesLoaded = (scope: Locator) =>
  scope
    .locator('.seal-pic img')
    .evaluateAll((imgs) => imgs.filter((i) => (i as HTMLImageElement).complete && (i as HTMLImageElement).naturalWidth > 0).length);

describe('电子签章采集表: extraction and quality in the browser', () => {
  let orderId: string;

  it('the applicant uploads a scanned sheet and sees the six extracted seals; a bad sheet shows its reasons', async () => {
    const { context, page, errors } = await newPage(e, DESKTOP);
    orderId = await draftOrder(context.request);
    await page.goto(`/orders/${orderId}`);
    const slot = page.getByTestId('slot-seal-sheet');
    await slot.scrollIntoViewIfNeeded();

    await uploadSheet(page, await makeScan({ rotateDeg: 2.2, paper: [0.92, 0.9, 0.86] }), '签章采集表.jpg');
    const check = page.getByTestId('seal-check');
    await poll(() => check.getAttribute('data-verdict')).toBe('ok');
    await poll(() => check.textContent()).toContain('印模检查通过');
    await poll(() => imagesLoaded(check)).toBe(6);
    await check.scrollIntoViewIfNeeded();
    await settle(page);
    await shot(page, 'seal-images-applicant-ok');

    // A bad sheet: the legal-person seal stamped in blue, the second company-seal box left empty.
    await uploadSheet(
      page,
      await makeScan({ rotateDeg: -1.5, stamps: { 'legal-person-seal:0': { shape: 'legal', colour: '#1f3fb4' }, 'company-seal:1': null } }),
      '签章采集表-第二次.jpg',
    );
    await poll(() => check.getAttribute('data-verdict')).toBe('flagged');
    const issues = page.getByTestId('seal-issues');
    await poll(() => issues.textContent()).toContain('企业公章（右格）：这一格没有盖章');
    await poll(() => issues.textContent()).toContain('法人私章（左格）：法人私章不是红色');
    await poll(() => page.getByTestId('seal-legal-person-seal-0').textContent()).toContain('不是红色');
    await check.scrollIntoViewIfNeeded();
    await settle(page);
    await shot(page, 'seal-images-applicant-flagged');

    // On a phone the reasons and seals fit the width.
    await page.setViewportSize(PHONE);
    await settle(page);
    await check.scrollIntoViewIfNeeded();
    expect(await fitsWidth(page)).toBe(true);
    await shot(page, 'seal-images-applicant-flagged-phone');
    await page.setViewportSize(DESKTOP);

    // A better scan: the check passes again.
    await uploadSheet(page, await makeScan({ rotateDeg: 1.2 }), '签章采集表-重新扫描.jpg');
    await poll(() => check.getAttribute('data-verdict')).toBe('ok');
    await poll(() => imagesLoaded(check)).toBe(6);
    expect(errors).toEqual([]);
    await context.close();
  });

  it('预审 sees the seals beside the original, without controls', async () => {
    const { context, page } = await newPage(e, DESKTOP);
    await staffLogin(page, 'yushen');
    await page.goto(`/staff/orders/${orderId}`);
    const panel = page.getByTestId('seal-images-panel');
    await poll(() => imagesLoaded(panel)).toBe(6);
    await poll(() => page.getByTestId('seal-original').isVisible()).toBe(true);
    expect(await button(panel, '确认印模').count()).toBe(0);
    await context.close();
  });

  it('制证 adjusts the threshold and a crop, re-extracts, and confirms; the seal maker gets three pictures', async () => {
    // The steps between (submission, 预审, payment, paper) are tested elsewhere: put the order at 制证.
    expect(await orderRepository.setStatus(e.db, orderId, 'draft', 'in_production', new Date())).toBeTruthy();
    const { context, page, errors } = await newPage(e, DESKTOP);
    await staffLogin(page, 'zhizheng');
    await page.goto(`/staff/orders/${orderId}`);
    const panel = page.getByTestId('seal-images-panel');
    await poll(() => imagesLoaded(panel)).toBe(6);
    await panel.scrollIntoViewIfNeeded();

    // Threshold 0.15 → 0.25 with the keyboard on the slider's handle.
    await panel.getByRole('slider').focus();
    for (let i = 0; i < 10; i++) await page.keyboard.press('ArrowRight');
    await poll(() => page.getByTestId('seal-threshold-value').textContent()).toBe('0.25');
    // The company seal's left crop: a 48 mm square from (8, 6) mm.
    await page.getByTestId('seal-crop-edit-company-seal:0').click();
    const crop = page.getByTestId('seal-crop-company-seal:0');
    for (const [label, v] of [
      ['裁剪左边（毫米）', '8'],
      ['裁剪上边（毫米）', '6'],
      ['裁剪宽度（毫米）', '48'],
      ['裁剪高度（毫米）', '48'],
    ] as const) {
      const input = crop.getByLabel(label);
      await input.fill(v);
      await input.press('Tab');
    }
    await settle(page);
    await shot(page, 'seal-images-staff-adjust');
    await button(panel, '按调整重新提取').click();
    await poll(() => page.getByTestId('seal-run-by').textContent()).toMatch(/演示制证员.*阈值 0.25/);
    await poll(() => page.getByTestId('staff-seal-company-seal-0').textContent()).toMatch(/4[78]\.\d×4[78]\.\dmm/);
    await poll(() => imagesLoaded(panel)).toBe(6);

    await button(panel, '确认印模').click();
    await poll(() => page.getByTestId('seal-confirmed').textContent()).toMatch(/已确认（演示制证员/);
    await settle(page);
    await shot(page, 'seal-images-staff-confirmed');

    const seals = await confirmedSealImages(e.db, orderId);
    expect(seals.map((s) => s.kind)).toEqual(['company', 'legal-person', 'signature']);
    expect(seals[0]!.widthMm).toBeCloseTo(48, 0);
    expect(errors).toEqual([]);
    await context.close();
  });
});
