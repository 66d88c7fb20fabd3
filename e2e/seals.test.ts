/**
 * Issue 8, the electronic seal in the browser: on an order in 制证完成 whose impressions are confirmed,
 * 制证 presses 制作电子签章 on the staff order page and sees the three seals (企业公章, 法人私章, 法人手写签名)
 * with their pictures, downloads one (the DER verifies through the public endpoint); the applicant opens
 * 试用电子签章 and sees its seal stamped on the sample page, at 390 px and 1366 px. Screenshots.
 */
import { readFileSync } from 'node:fs';
import { randomBytes, randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import type { APIRequestContext, Page } from 'playwright-core';
import { DESKTOP, PHONE, fitsWidth, newPage, shot, startE2E, type E2E } from './harness.js';
import { openMainOrder, putCompleteForm, registerWithRequest, staffLogin } from './page-api.js';
import { systemClock } from '../src/server/clock.js';
import { produceOrder } from '../src/server/modules/fulfilment/produce-order.js';
import { recordPayment } from '../src/server/modules/fulfilment/record-payment.js';
import { orderRepository } from '../src/server/modules/orders/repository.js';
import { confirmTestImages } from '../src/server/modules/seals/testing.js';
import { testConfig } from '../src/server/testing/harness.js';

let e: E2E;
const poll = expect.poll;

beforeAll(async () => {
  e = await startE2E();
}, 120_000);

/** Registers an organization in this browser context and takes its order through 制证 (the real issuance), impressions confirmed. */
async function producedOrder(request: APIRequestContext): Promise<{ orderId: string; unit: string }> {
  const unit = `江西电子签章测试${randomBytes(2).toString('hex')}有限公司`;
  const { uscc } = await registerWithRequest(request, { name: unit, password: 'Seal2026try' });
  const order = await openMainOrder(request);
  await putCompleteForm(request, order, { name: unit, uscc });
  const now = new Date();
  const deps = { db: e.db, clock: systemClock, config: testConfig() };
  expect(await orderRepository.setStatus(e.db, order.id, 'draft', 'review_passed', now)).toBeTruthy();
  await recordPayment(deps, order.id, { channel: 'wechat', amountFen: 22000, transactionId: randomUUID() }, now);
  expect(await orderRepository.setStatus(e.db, order.id, 'paper_awaiting', 'in_production', now)).toBeTruthy();
  await produceOrder(deps, { id: randomUUID(), roles: ['制证'] }, order.id, { kind: 'generate', password: 'seal-e2e-pass' }, { ip: 'e2e' });
  // The impressions as the seal-image step confirms them (extraction has its own tests).
  await confirmTestImages(e.db, order.id);
  return { orderId: order.id, unit };
}

/** Waits until the sample page's image has really loaded (decoded, non-zero size). */
const imageLoaded = (page: Page) =>
  page.getByTestId('seal-try-image').evaluate((img) => (img as HTMLImageElement).complete && (img as HTMLImageElement).naturalWidth > 0);

describe('电子签章: 制证 makes it, the applicant tries it', () => {
  it('制证 makes the seals on the order page and downloads one; the applicant sees it stamped on the sample page (phone and desktop)', async () => {
    const applicant = await newPage(e, PHONE);
    const staff = await newPage(e, DESKTOP);
    try {
      const { orderId, unit } = await producedOrder(applicant.context.request);

      // Before the seal exists the order page and the try-it page say so.
      await applicant.page.goto(`/orders/${orderId}`);
      await poll(() => applicant.page.getByTestId('seals-none').count(), { timeout: 15_000 }).toBe(1);
      await applicant.page.goto(`/orders/${orderId}/seal-try`);
      await poll(() => applicant.page.getByTestId('seal-try-none').count(), { timeout: 15_000 }).toBe(1);
      expect(await applicant.page.getByTestId('seal-try-none').textContent()).toContain('电子签章尚未制作');

      // 制证 on the staff order page.
      const { page } = staff;
      await staffLogin(page, 'zhizheng');
      await page.goto(`/staff/orders/${orderId}`);
      const panel = page.getByTestId('seal-panel');
      await poll(() => panel.count(), { timeout: 15_000 }).toBe(1);
      const make = panel.getByTestId('seal-make');
      await poll(() => make.isEnabled(), { timeout: 15_000 }).toBe(true);
      expect(await make.textContent()).toMatch(/制\s*作\s*电\s*子\s*签\s*章/);
      await make.click();
      await poll(() => panel.getByTestId('seal-company').count(), { timeout: 15_000 }).toBe(1);
      for (const kind of ['company', 'legal-person', 'signature']) {
        const row = panel.getByTestId(`seal-${kind}`);
        await poll(() => row.count(), { timeout: 15_000 }).toBe(1);
        expect(await row.textContent()).toContain('有效');
        await poll(() => row.locator('img').evaluate((i) => (i as HTMLImageElement).naturalWidth), { timeout: 15_000 }).toBeGreaterThan(0);
      }
      expect(await panel.getByTestId('seal-company').textContent()).toContain(`${unit}电子公章`);
      // The timeline records it.
      const made = page.getByTestId('order-events').locator('[data-testid=order-event][data-action="order.seals_made"]');
      await poll(() => made.count(), { timeout: 15_000 }).toBe(1);
      expect(await made.textContent()).toContain('制作电子签章');
      await panel.scrollIntoViewIfNeeded();
      await shot(page, 'seals-staff-made-desktop');

      const [download] = await Promise.all([page.waitForEvent('download'), panel.getByTestId('seal-download-company').click()]);
      expect(download.suggestedFilename()).toMatch(/^CD\d{14}[0-9A-F]{16}\.esl$/);
      const der = readFileSync((await download.path())!);
      const verified = await staff.context.request.post('/api/seals/verify', {
        data: der,
        headers: { 'content-type': 'application/octet-stream' },
      });
      expect(verified.status()).toBe(200);
      expect(await verified.json()).toMatchObject({ ok: true, result: '电子印章有效', certificateStatus: 'valid' });

      // The applicant tries it: phone first.
      const ap = applicant.page;
      // From the order page: the three seals with their status, and the way to try them.
      await ap.goto(`/orders/${orderId}`);
      const seals = ap.getByTestId('order-seals');
      await poll(() => seals.count(), { timeout: 15_000 }).toBe(1);
      expect(await seals.getByTestId('order-seal').count()).toBe(3);
      expect(await seals.textContent()).toContain('有效');
      await seals.scrollIntoViewIfNeeded();
      await shot(ap, 'seals-order-card-phone');
      expect(await fitsWidth(ap)).toBe(true);
      await seals.getByRole('button', { name: /试用电子签章/ }).click();
      await ap.waitForURL(`**/orders/${orderId}/seal-try`);
      await poll(() => ap.getByTestId('seal-try').count(), { timeout: 15_000 }).toBe(1);
      await poll(() => imageLoaded(ap), { timeout: 20_000 }).toBe(true);
      expect(await ap.getByTestId('seal-try').textContent()).toContain(`${unit}电子公章`);
      expect(await fitsWidth(ap)).toBe(true);
      await shot(ap, 'seals-try-company-phone');
      // The handwritten signature on the same page.
      await ap.getByTestId('seal-try-kinds').getByText('法人手写签名').click();
      await poll(() => ap.getByTestId('seal-try').textContent()).toContain('王建国');
      await poll(() => imageLoaded(ap), { timeout: 20_000 }).toBe(true);
      await shot(ap, 'seals-try-signature-phone');
      // The PDF opens.
      const pdfHref = await ap.getByTestId('seal-try-pdf').getAttribute('href');
      const pdf = await applicant.context.request.get(pdfHref!);
      expect(pdf.status()).toBe(200);
      expect((await pdf.body()).subarray(0, 5).toString()).toBe('%PDF-');
      expect(applicant.errors).toEqual([]);
      expect(staff.errors).toEqual([]);

      // Desktop.
      const desk = await applicant.context.newPage();
      await desk.setViewportSize(DESKTOP);
      await desk.goto(`/orders/${orderId}/seal-try`);
      await poll(() => imageLoaded(desk), { timeout: 20_000 }).toBe(true);
      expect(await fitsWidth(desk)).toBe(true);
      await shot(desk, 'seals-try-company-desktop');

      // 我的证书 lists the certificate with its seals, and leads to the same page.
      await desk.goto('/certificates');
      const listed = desk.getByTestId('my-cert-seals');
      await poll(() => listed.count(), { timeout: 15_000 }).toBe(1);
      expect(await listed.textContent()).toContain('电子签章');
      for (const kind of ['企业公章', '法人私章', '法人手写签名']) expect(await listed.textContent()).toContain(kind);
      await shot(desk, 'seals-my-certificates-desktop');
      await listed.getByTestId('my-cert-seal-try').click();
      await desk.waitForURL(`**/orders/${orderId}/seal-try`);
    } finally {
      await applicant.context.close();
      await staff.context.close();
    }
  }, 120_000);
});
