/**
 * Paying, end to end in Chromium: an order in 资料审核通过 → the applicant's order page offers 去付款 → the
 * pay page (desktop 1366 px and phone 390 px) shows the amount, what it buys and the sandbox's QR code →
 * the QR code's address opened on a phone-width page (the sandbox payer page) → 确认支付 → the sandbox
 * delivers its signed notice to our notify route → the pay page turns to 付款成功 by itself and the order
 * shows 正在受理. Then 财务's 收款对账 page lists the payment.
 */
import { randomBytes } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import type { APIRequestContext } from 'playwright-core';
import { DESKTOP, PHONE, fitsWidth, newPage, shot, startE2E, type E2E } from './harness.js';
import { openMainOrder, putCompleteForm, registerWithRequest, staffLogin } from './page-api.js';
import { orderRepository } from '../src/server/modules/orders/repository.js';
import { formatOrderNumber } from '../src/core/order-number.js';

let e: E2E;
beforeAll(async () => {
  e = await startE2E();
});

const UNIT = `江西付款测试有限公司${randomBytes(2).toString('hex')}`;

/** Registers an organization in the context (cookies) and puts a main-key order into 资料审核通过. */
async function approvedOrder(request: APIRequestContext) {
  const { uscc } = await registerWithRequest(request, { name: UNIT, password: 'Pay2026flow' });
  const order = await openMainOrder(request);
  await putCompleteForm(request, order, { name: UNIT, uscc });
  // Submission and 预审 have their own browser tests (workflow.test.ts): set the status directly.
  expect(await orderRepository.setStatus(e.db, order.id, 'draft', 'review_passed', new Date())).toBeTruthy();
  return order;
}

let paidOrderId = '';

describe('paying by QR code', () => {
  it('approved order → pay page → sandbox payer page on a phone → 确认支付 → 正在受理', async () => {
    const { context, page, errors } = await newPage(e, DESKTOP);
    const order = await approvedOrder(context.request);

    // The order page offers 去付款.
    await page.goto(`/orders/${order.id}`);
    await page.getByTestId('go-pay').click();
    await page.waitForURL((u) => u.pathname === `/orders/${order.id}/pay`);
    await page.getByTestId('pay-amount').waitFor();
    expect(await page.getByTestId('pay-amount').textContent()).toContain('220.00');
    expect(await page.getByTestId('pay-summary').textContent()).toContain('含电子签章');
    expect(await page.getByTestId('pay-sandbox').textContent()).toContain('沙箱');

    // WeChat Pay's code.
    await page.getByTestId('pay-start').click();
    const qr = page.getByTestId('pay-qr');
    await qr.waitFor();
    const codeUrl = (await qr.getAttribute('data-code-url'))!;
    expect(codeUrl).toMatch(new RegExp(`^${e.baseUrl.replace(/[.]/g, '\\.')}/sandbox/pay/wechat/`));
    expect(await page.getByTestId('pay-countdown').textContent()).toMatch(/1[45]:\d\d 后过期/);
    await shot(page, 'payments-1-pay-desktop');

    // The same page on a phone (same session): it offers to pay on the phone (e2e/phone-pay.test.ts); asked
    // for the code to scan with another phone, it shows the same code, and it fits.
    const phone = await context.newPage();
    await phone.setViewportSize(PHONE);
    await phone.goto(`/orders/${order.id}/pay`);
    await phone.getByTestId('pay-open').waitFor();
    await phone.getByTestId('pay-use-qr').click();
    await phone.getByTestId('pay-qr').waitFor();
    expect(await phone.getByTestId('pay-qr').getAttribute('data-code-url')).toBe(codeUrl);
    expect(await fitsWidth(phone)).toBe(true);
    await shot(phone, 'payments-2-pay-phone');
    await phone.close();

    // The payer scans the code: the sandbox payer page, on a phone of its own (no session).
    const payer = await newPage(e, PHONE);
    await payer.page.goto(codeUrl);
    await payer.page.getByText('这是沙箱支付，不会真实扣款').waitFor();
    await payer.page.getByText('¥220.00', { exact: false }).first().waitFor();
    expect(await fitsWidth(payer.page)).toBe(true);
    await shot(payer.page, 'payments-3-payer-phone');
    await payer.page.getByRole('button', { name: /确认支付/ }).click();
    await payer.page.getByText('已支付', { exact: true }).waitFor();
    await shot(payer.page, 'payments-4-payer-paid');
    await payer.context.close();

    // The pay page updates by itself.
    await page.getByTestId('pay-success').waitFor({ timeout: 15_000 });
    expect(await page.getByTestId('pay-success').textContent()).toContain('正在受理');
    await shot(page, 'payments-5-paid-desktop');
    await page.getByTestId('pay-next').click();
    await page.waitForURL((u) => u.pathname === `/orders/${order.id}`);
    await page.getByTestId('next-step-title').waitFor();
    expect(await page.getByTestId('next-step-title').textContent()).toContain('邮寄纸质资料');
    await shot(page, 'payments-6-order-after');
    expect(errors.filter((m) => !/409|404/.test(m))).toEqual([]);
    await context.close();
    paidOrderId = order.id;

    // 财务's 收款对账 lists it.
    const fin = await newPage(e, DESKTOP);
    await staffLogin(fin.page, 'caiwu');
    await fin.page.goto('/staff/payments');
    await expect.poll(() => fin.page.getByTestId('finance-totals').textContent()).toContain('微信支付');
    // Oldest first, 50 a page: on PostgreSQL the unit tests' payments come first, and this newest one is on
    // the last page.
    const pages = fin.page.getByTestId('finance-rows').locator('.ant-pagination-item');
    if (await pages.count()) await pages.last().click();
    await fin.page.getByTestId('finance-rows').getByText(formatOrderNumber(order.orderNo)).waitFor();
    await shot(fin.page, 'payments-7-finance');
    await fin.context.close();
  }, 120_000);

  it('受理 asks to cancel the paid order, 财务 (another person) approves: 已取消 and refunded at the sandbox', async () => {
    expect(paidOrderId).not.toBe('');
    const asker = await newPage(e, DESKTOP);
    await staffLogin(asker.page, 'shouli');
    await asker.page.goto(`/staff/orders/${paidOrderId}`);
    await asker.page.getByTestId('cancel-ask').click();
    await asker.page.getByTestId('cancel-text').fill('单位来电申请取消并退款，已核实经办人身份');
    await asker.page.getByRole('button', { name: '提交申请' }).click();
    await asker.page.getByTestId('cancel-request').getByText('待批准').waitFor();
    await asker.page.getByText('申请人不能批准自己的申请', { exact: false }).waitFor();
    await shot(asker.page, 'payments-8-cancel-asked');
    await asker.context.close();

    const approver = await newPage(e, DESKTOP);
    await staffLogin(approver.page, 'caiwu');
    await approver.page.goto('/staff/payments');
    await approver.page.getByTestId('finance-cancellations').getByText('单位来电申请取消并退款').waitFor();
    await approver.page.goto(`/staff/orders/${paidOrderId}`);
    await approver.page.getByTestId('cancel-approve').click();
    await approver.page
      .getByRole('button', { name: '批 准' })
      .or(approver.page.getByRole('button', { name: '批准', exact: true }))
      .click();
    await approver.page.getByTestId('refund').getByText('已退款').waitFor({ timeout: 15_000 });
    await approver.page.getByTestId('cancel-request').getByText('已批准').waitFor();
    await shot(approver.page, 'payments-9-cancel-approved');
    await approver.context.close();
  }, 120_000);
});
