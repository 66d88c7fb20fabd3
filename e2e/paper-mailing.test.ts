/**
 * Where to mail the paper (issue 13, item 3), in Chromium at 390 px and 1366 px: a paid main-key order's
 * 邮寄纸质资料 card shows the CA's receiving address, recipient and phone and the originals with their seals,
 * and its 邮寄资料清单 downloads as a PDF that names this order; the page after payment shows the address
 * too. The administrator's 系统设置 tab where the address is set is looked at as well. Then 受理 (item 16)
 * finds the order by the courier number on the envelope, ticks the paper checklist (which originals, which
 * seals) and passes it; the ticks stay on the order page.
 */
import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { promisify } from 'node:util';
import { randomBytes } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { formatOrderNumber } from '../src/core/order-number.js';
import { DEFAULT_PAPER_ADDRESS } from '../src/core/paper-checklist.js';
import { recordPayment } from '../src/server/modules/fulfilment/record-payment.js';
import { orderRepository } from '../src/server/modules/orders/repository.js';
import { DESKTOP, PHONE, fitsWidth, newPage, shot, startE2E, type E2E } from './harness.js';
import { openMainOrder, putCompleteForm, registerWithRequest, staffLogin, tickPaperChecklist } from './page-api.js';

const run = promisify(execFile);
let e: E2E;
beforeAll(async () => {
  e = await startE2E();
});

describe.each([
  ['phone', PHONE],
  ['desktop', DESKTOP],
] as const)('邮寄纸质资料 on a %s', (label, viewport) => {
  it('shows where to mail the originals, and the 邮寄资料清单 downloads', async () => {
    const { context, page, errors } = await newPage(e, viewport);
    const name = `江西邮寄测试有限公司${randomBytes(2).toString('hex')}`;
    const { uscc } = await registerWithRequest(context.request, { name, password: 'Mail2026flow' });
    const order = await openMainOrder(context.request);
    await putCompleteForm(context.request, order, { name, uscc });
    // Submission, 预审 and paying have their own browser tests: set the status, pay through the entry point.
    expect(await orderRepository.setStatus(e.db, order.id, 'draft', 'review_passed', new Date())).toBeTruthy();
    await recordPayment(
      { db: e.db },
      order.id,
      { channel: 'wechat', amountFen: 22000, transactionId: `e2e-mail-${order.orderNo}` },
      new Date(),
    );

    await page.goto(`/orders/${order.id}`);
    const card = page.getByTestId('paper-card');
    await card.getByTestId('mail-to').waitFor();
    expect(await card.getByTestId('mail-to-address').textContent()).toBe(DEFAULT_PAPER_ADDRESS.address);
    expect(await card.getByTestId('mail-to-recipient').textContent()).toBe(DEFAULT_PAPER_ADDRESS.recipient);
    expect(await card.getByTestId('mail-to-phone').textContent()).toBe(DEFAULT_PAPER_ADDRESS.phone);
    expect(await card.getByTestId('paper-item-seal-sheet').textContent()).toContain('须加盖：公章原章；法人章原章或法定代表人亲笔签字');
    expect(await fitsWidth(page)).toBe(true);
    await card.scrollIntoViewIfNeeded();
    await shot(page, `paper-mailing-1-order-${label}`);

    // The checklist: a PDF that names this order and the address.
    const [download] = await Promise.all([page.waitForEvent('download'), card.getByTestId('paper-checklist-download').click()]);
    expect(download.suggestedFilename()).toBe(`邮寄资料清单-${formatOrderNumber(order.orderNo)}.pdf`);
    const file = await download.path();
    expect((await readFile(file)).subarray(0, 5).toString()).toBe('%PDF-');
    const { stdout } = await run('pdftotext', ['-layout', file, '-']);
    const text = stdout.replace(/\s+/g, '');
    expect(text).toContain(formatOrderNumber(order.orderNo));
    expect(text).toContain(`寄往：${DEFAULT_PAPER_ADDRESS.address}`);
    expect(text).toContain('5.法人授权委托书');

    // The page after payment says it too.
    await page.goto(`/orders/${order.id}/pay`);
    await page.getByTestId('pay-success').waitFor();
    expect(await page.getByTestId('mail-to-address').textContent()).toBe(DEFAULT_PAPER_ADDRESS.address);
    await page.getByTestId('paper-checklist-download').waitFor();
    expect(await fitsWidth(page)).toBe(true);
    await shot(page, `paper-mailing-2-paid-${label}`);
    expect(errors).toEqual([]);
    await context.close();
  });

  it('系统设置 → 纸质资料收件信息 shows the address in force', async () => {
    const { context, page, errors } = await newPage(e, viewport);
    await staffLogin(page, 'admin');
    await page.goto('/staff/settings');
    await page.getByRole('tab', { name: '纸质资料收件信息' }).click();
    const form = page.getByTestId('paper-address-settings');
    await form.waitFor();
    expect(await form.locator('#paper_address_address').inputValue()).toBe(DEFAULT_PAPER_ADDRESS.address);
    expect(await form.locator('#paper_address_phone').inputValue()).toBe(DEFAULT_PAPER_ADDRESS.phone);
    expect(await fitsWidth(page)).toBe(true);
    await shot(page, `paper-mailing-3-settings-${label}`);
    expect(errors).toEqual([]);
    await context.close();
  });
  it('受理 finds the order by the courier number, ticks the checklist and passes the paper', async () => {
    const { context } = await newPage(e, viewport);
    const name = `江西受理测试有限公司${randomBytes(2).toString('hex')}`;
    const { uscc } = await registerWithRequest(context.request, { name, password: 'Mail2026flow' });
    const order = await openMainOrder(context.request);
    await putCompleteForm(context.request, order, { name, uscc });
    expect(await orderRepository.setStatus(e.db, order.id, 'draft', 'review_passed', new Date())).toBeTruthy();
    await recordPayment(
      { db: e.db },
      order.id,
      { channel: 'wechat', amountFen: 22000, transactionId: `e2e-check-${order.orderNo}` },
      new Date(),
    );
    const trackingNo = `SF${Date.now()}${randomBytes(1)[0]! % 10}`.slice(0, 15);
    const { csrfToken } = (await (await context.request.get('/api/session')).json()) as { csrfToken: string };
    const sent = await context.request.post(`/api/orders/${order.id}/paper-shipment`, {
      data: { courier: 'SF', trackingNo },
      headers: { 'x-csrf-token': csrfToken },
    });
    expect(sent.status()).toBe(201);
    expect(await orderRepository.setStatus(e.db, order.id, 'paper_awaiting', 'paper_received', new Date())).toBeTruthy();
    await context.close();

    const staff = await newPage(e, viewport);
    await staffLogin(staff.page, 'shouli');
    await staff.page.goto('/staff/orders');
    // The number as printed on the waybill, with spaces.
    await staff.page.getByLabel('搜索订单').fill(`${trackingNo.slice(0, 6)} ${trackingNo.slice(6)}`);
    await staff.page.getByLabel('搜索订单').press('Enter');
    const link = staff.page.getByTestId('order-list').getByRole('link', { name: formatOrderNumber(order.orderNo) });
    await expect.poll(() => link.count()).toBe(1);
    await link.click();
    await staff.page.waitForURL((u) => u.pathname === `/staff/orders/${order.id}`);

    const checklist = staff.page.getByTestId('paper-checklist');
    await checklist.waitFor();
    expect(await checklist.locator('input[type=checkbox]').count()).toBe(5);
    expect(await checklist.textContent()).toContain('电子签章采集表须加盖：公章原章；法人章原章或法定代表人亲笔签字');
    expect(await staff.page.getByTestId('action-pass_paper').isDisabled()).toBe(true);
    expect(await staff.page.getByTestId('paper-unchecked').textContent()).toContain('还有5项未勾选');
    await checklist.scrollIntoViewIfNeeded();
    expect(await fitsWidth(staff.page)).toBe(true);
    await shot(staff.page, `paper-mailing-4-checklist-${label}`);

    await tickPaperChecklist(staff.page);
    await staff.page.getByTestId('action-pass_paper').click();
    await staff.page.locator('.ant-popconfirm').getByRole('button', { name: '确认合格' }).click();
    // Afterwards the page shows what was ticked, by whom.
    const review = staff.page.getByTestId('paper-review');
    await review.waitFor();
    expect(await review.getByTestId('paper-checklist-last').textContent()).toMatch(/演示受理员，纸质资料合格（勾选5\/5项）/);
    expect(await review.locator('[data-checked=true]').count()).toBe(5);
    await review.scrollIntoViewIfNeeded();
    await shot(staff.page, `paper-mailing-5-checked-${label}`);
    expect(staff.errors).toEqual([]);
    await staff.context.close();
  });
});
