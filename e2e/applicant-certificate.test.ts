/**
 * Issue 6, the applicant's side in the browser: on its order in 制证完成 the applicant sees the certificate's
 * serial and 有效, asks for revocation with a reason (the dialog warns it is final), and the card then shows
 * 吊销申请处理中 with the 24-hour promise. Since issue 7 the request is confirmed by the SMS code sent to the
 * registered mobile. Phone (390 px) and desktop (1366 px) screenshots.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { eq } from 'drizzle-orm';
import { beforeAll, describe, expect, it } from 'vitest';
import type { APIRequestContext } from 'playwright-core';
import { DESKTOP, PHONE, fitsWidth, newPage, shot, startE2E, type E2E } from './harness.js';
import { openMainOrder, putCompleteForm, registerWithRequest } from './page-api.js';
import { certificates } from '../src/server/db/schema-certificates.js';
import { organizationRepository } from '../src/server/modules/accounts/repository.js';
import { recordPayment } from '../src/server/modules/fulfilment/record-payment.js';
import { orderRepository } from '../src/server/modules/orders/repository.js';
import { issueTestCertificate } from '../src/server/modules/revocation/testing.js';
import { testConfig } from '../src/server/testing/harness.js';
import { systemClock } from '../src/server/clock.js';
import { smsFor } from '../src/server/testing/sms.js';

let e: E2E;
const poll = expect.poll;

beforeAll(async () => {
  e = await startE2E();
}, 120_000);

/**
 * Registers an organization in the page's context (its cookies) and gives it an order in 制证完成 with an
 * issued certificate (issuance itself has its own browser test, certificates.test.ts).
 */
async function producedOrder(request: APIRequestContext): Promise<{ orderId: string; serial: string; mobile: string }> {
  const unit = `江西吊销申请测试${randomBytes(2).toString('hex')}有限公司`;
  const { uscc, mobile } = await registerWithRequest(request, { name: unit, password: 'Cert2026revoke' });
  const order = await openMainOrder(request);
  await putCompleteForm(request, order, { name: unit, uscc });
  const now = new Date();
  const config = testConfig();
  expect(await orderRepository.setStatus(e.db, order.id, 'draft', 'review_passed', now)).toBeTruthy();
  await recordPayment({ db: e.db }, order.id, { channel: 'wechat', amountFen: 22000, transactionId: randomUUID() }, now);
  expect(await orderRepository.setStatus(e.db, order.id, 'paper_awaiting', 'in_production', now)).toBeTruthy();
  const org = await organizationRepository.findByUscc(e.db, uscc);
  const cert = await issueTestCertificate({ db: e.db, config }, 'sm2', {
    organizationId: org!.id,
    uscc,
    unitName: unit,
    at: systemClock.now(),
  });
  await e.db.update(certificates).set({ orderId: order.id }).where(eq(certificates.id, cert.id));
  expect(await orderRepository.setStatus(e.db, order.id, 'in_production', 'produced', now)).toBeTruthy();
  return { orderId: order.id, serial: (cert.serial.length % 2 ? `0${cert.serial}` : cert.serial).toUpperCase(), mobile };
}

describe('申请单位在线申请吊销本单位的证书', () => {
  for (const [label, viewport] of [
    ['phone', PHONE],
    ['desktop', DESKTOP],
  ] as const) {
    it(`sees serial and 有效, requests revocation, sees 吊销申请处理中 (${label})`, async () => {
      const { page, context, errors } = await newPage(e, viewport);
      try {
        const { orderId, serial, mobile } = await producedOrder(context.request);
        await page.goto(`/orders/${orderId}`);
        const card = page.getByTestId('certificate-card');
        await poll(() => card.count(), { timeout: 15_000 }).toBe(1);
        expect(await card.getByTestId('certificate-serial').textContent()).toBe(serial);
        expect(await card.getByTestId('certificate-status').textContent()).toBe('有效');
        expect(await card.getByTestId('certificate-validity').textContent()).toContain('北京时间');
        expect(await fitsWidth(page)).toBe(true);
        await card.scrollIntoViewIfNeeded();
        await shot(page, `applicant-certificate-valid-${label}`);

        await card.getByTestId('certificate-revoke').click();
        const dialog = page.getByRole('dialog');
        await poll(() => dialog.getByTestId('revocation-warning').count()).toBe(1);
        expect(await dialog.textContent()).toContain('不可恢复');
        // Confirming without a reason: the message is next to the field and nothing is sent.
        await dialog.getByTestId('revocation-note').fill('USB Key 遗失');
        await page.getByTestId('revocation-confirm').click();
        await poll(() => dialog.getByText('请选择吊销原因').count()).toBe(1);
        expect(await dialog.getByTestId('revocation-note').inputValue()).toBe('USB Key 遗失');
        // Staff-only reasons are not offered.
        await dialog.getByTestId('revocation-reason').click();
        await poll(() => page.getByTitle('密钥泄露或介质丢失').count()).toBe(1);
        expect(await page.getByTitle('撤销使用资格（由 CA 决定）').count()).toBe(0);
        await shot(page, `applicant-certificate-dialog-${label}`);
        await page.getByTitle('密钥泄露或介质丢失').click();
        // Issue 7: confirmed by the SMS code sent to the registered mobile; without it the field says so.
        await page.getByTestId('revocation-confirm').click();
        await poll(() => dialog.getByText('请输入短信中的6位验证码').count()).toBe(1);
        await dialog.getByTestId('revocation-send-code').click();
        await poll(() => dialog.getByTestId('revocation-code-sent').count(), { timeout: 15_000 }).toBe(1);
        const sms = await smsFor(e, mobile, 1);
        await dialog.getByTestId('revocation-code').fill(/验证码(\d{6})/.exec(sms[0]!.text)![1]!);
        await page.getByTestId('revocation-confirm').click();

        await poll(() => card.getByTestId('certificate-status').textContent(), { timeout: 15_000 }).toBe('吊销申请处理中');
        expect(await card.getByTestId('certificate-note').textContent()).toContain('24小时内');
        expect(await card.getByTestId('certificate-revoke').count()).toBe(0);
        await poll(() => page.locator('.ant-modal-wrap').filter({ visible: true }).count()).toBe(0);
        expect(await fitsWidth(page)).toBe(true);
        await card.scrollIntoViewIfNeeded();
        await shot(page, `applicant-certificate-pending-${label}`);
        expect(errors).toEqual([]);
      } finally {
        await context.close();
      }
    }, 90_000);
  }
});
