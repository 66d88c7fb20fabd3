/**
 * Paying on a phone (issue 13, item 4), in Chromium: at 390 px the pay page offers to pay on this phone, not a
 * QR code to scan with another one. 打开微信支付 / 打开支付宝 sends the browser to the sandbox cashier — WeChat
 * Pay's h5_url, or Alipay's gateway with the signed alipay.trade.wap.pay URL — 确认支付 there sends the signed
 * notification, the browser comes back to the order's pay page, and it shows 付款成功 · 正在受理. At 1366 px
 * the page still shows the QR code. In WeChat's own browser (MicroMessenger) it says how to pay from there and
 * gives a QR code to save.
 */
import { randomBytes } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import type { APIRequestContext } from 'playwright-core';
import { DESKTOP, PHONE, fitsWidth, newPage, shot, startE2E, type E2E } from './harness.js';
import { openMainOrder, putCompleteForm, registerWithRequest } from './page-api.js';
import { formatOrderNumber } from '../src/core/order-number.js';
import { orderRepository } from '../src/server/modules/orders/repository.js';

let e: E2E;
beforeAll(async () => {
  e = await startE2E();
});

/** Registers an organization in the context (cookies) and puts a main-key order into 资料审核通过. */
async function approvedOrder(request: APIRequestContext) {
  const name = `江西手机付款测试有限公司${randomBytes(2).toString('hex')}`;
  const { uscc } = await registerWithRequest(request, { name, password: 'Phone2026pay' });
  const order = await openMainOrder(request);
  await putCompleteForm(request, order, { name, uscc });
  // Submission and 预审 have their own browser tests: set the status directly.
  expect(await orderRepository.setStatus(e.db, order.id, 'draft', 'review_passed', new Date())).toBeTruthy();
  return order;
}

const WECHAT_UA =
  'Mozilla/5.0 (Linux; Android 14; Pixel 8 Build/AP2A.240805.005; wv) AppleWebKit/537.36 (KHTML, like Gecko) Version/4.0 ' +
  'Chrome/126.0.6478.188 Mobile Safari/537.36 XWEB/1260059 MMWEBSDK/20240501 MMWEBID/1234 MicroMessenger/8.0.50.2701(0x28003252) ' +
  'WeChat/arm64 Weixin NetType/WIFI Language/zh_CN ABI/arm64';

describe('paying on a phone', () => {
  it.each([
    ['wechat', '微信支付'],
    ['alipay', '支付宝'],
  ] as const)(
    '%s at 390 px: pay on the phone → the sandbox cashier → 确认支付 → back on the pay page, 正在受理',
    async (channel, name) => {
      const { context, page, errors } = await newPage(e, PHONE);
      const order = await approvedOrder(context.request);
      await page.goto(`/orders/${order.id}/pay`);
      await page.getByTestId('pay-open').waitFor();
      if (channel === 'alipay') await page.getByTestId('pay-channel').getByText(name).click();
      expect(await page.getByTestId('pay-open').textContent()).toContain(channel === 'wechat' ? '打开微信支付' : '打开支付宝');
      expect(await page.getByTestId('pay-open').textContent()).toContain('220.00');
      // A phone is not asked to scan a code with another phone.
      expect(await page.getByTestId('pay-qr').count()).toBe(0);
      expect(await fitsWidth(page)).toBe(true);
      await shot(page, `phone-pay-${channel}-1-pay-390`);

      await page.getByTestId('pay-open').click();
      await page.waitForURL((u) => u.pathname.startsWith(`/sandbox/pay/${channel}/`));
      await page.getByText('这是沙箱支付，不会真实扣款').waitFor();
      await page.getByText(`${name}（沙箱）`).first().waitFor();
      await page.getByText('¥220.00', { exact: false }).first().waitFor();
      expect(await fitsWidth(page)).toBe(true);
      await shot(page, `phone-pay-${channel}-2-cashier-390`);

      await page.getByRole('button', { name: /确认支付/ }).click();
      await page.waitForURL((u) => u.pathname === `/orders/${order.id}/pay`, { timeout: 15_000 });
      await page.getByTestId('pay-success').waitFor({ timeout: 15_000 });
      expect(await page.getByTestId('pay-success').textContent()).toContain('正在受理');
      expect(await page.getByTestId('pay-success').textContent()).toContain(name);
      expect(await fitsWidth(page)).toBe(true);
      await shot(page, `phone-pay-${channel}-3-paid-390`);
      expect(errors.filter((m) => !/409|404/.test(m))).toEqual([]);
      await context.close();
    },
    120_000,
  );

  it('取消 at the cashier → 返回商户 → the pay page, still unpaid, says so and offers to pay again', async () => {
    const { context, page } = await newPage(e, PHONE);
    const order = await approvedOrder(context.request);
    await page.goto(`/orders/${order.id}/pay`);
    await page.getByTestId('pay-open').click();
    await page.waitForURL((u) => u.pathname.startsWith('/sandbox/pay/wechat/'));
    await page.getByRole('button', { name: /取\s*消/ }).click();
    await page.getByText('已取消', { exact: true }).waitFor();
    await page.getByTestId('sp-back').click();
    await page.waitForURL((u) => u.pathname === `/orders/${order.id}/pay`);
    await page.getByTestId('pay-phone-pending').waitFor();
    expect(await page.getByTestId('pay-success').count()).toBe(0);
    await page.getByTestId('pay-open').waitFor();
    await shot(page, 'phone-pay-6-back-unpaid-390');
    await context.close();
  }, 60_000);

  it('at 1366 px a computer still gets the QR code, and no button to pay on this device', async () => {
    const { context, page } = await newPage(e, DESKTOP);
    const order = await approvedOrder(context.request);
    await page.goto(`/orders/${order.id}/pay`);
    await page.getByTestId('pay-start').click();
    await page.getByTestId('pay-qr').waitFor();
    expect(await page.getByTestId('pay-qr').getAttribute('data-code-url')).toContain('/sandbox/pay/wechat/');
    expect(await page.getByTestId('pay-open').count()).toBe(0);
    expect(await page.getByTestId('pay-use-phone').count()).toBe(0);
    await shot(page, 'phone-pay-4-desktop-1366');
    await context.close();
  }, 60_000);

  it('in WeChat’s own browser at 390 px: how to pay from there, and a QR code to save; no H5 button', async () => {
    const context = await e.browser.newContext({
      viewport: PHONE,
      userAgent: WECHAT_UA,
      locale: 'zh-CN',
      baseURL: e.baseUrl,
      reducedMotion: 'reduce',
    });
    const page = await context.newPage();
    const order = await approvedOrder(context.request);
    await page.goto(`/orders/${order.id}/pay`);
    const hint = page.getByTestId('pay-in-wechat');
    await hint.waitFor();
    expect(await hint.textContent()).toContain('在浏览器打开');
    expect(await hint.textContent()).toContain('长按二维码保存图片');
    expect(await page.getByTestId('pay-open').count()).toBe(0);
    await page.getByTestId('pay-start').click();
    const qr = page.getByTestId('pay-qr');
    await qr.waitFor();
    // An <img> with a PNG: WeChat offers 保存图片 on a long press.
    expect(await qr.evaluate((el) => el.tagName)).toBe('IMG');
    expect(await qr.getAttribute('src')).toMatch(/^data:image\/png;base64,/);
    expect(await page.getByTestId('pay-qr-save').getAttribute('download')).toBe(
      `订单${formatOrderNumber(order.orderNo)}-微信支付二维码.png`,
    );
    expect(await fitsWidth(page)).toBe(true);
    await shot(page, 'phone-pay-5-in-wechat-390');
    await context.close();
  }, 60_000);
});
