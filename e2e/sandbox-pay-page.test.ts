/**
 * The sandbox payer page on a phone (390 px): the 沙箱 banner, the provider's look, amount in yuan and
 * what it buys; 确认支付 → 已支付 (and the sandbox queued its signed notice), 取消 → 已取消, an expired code
 * → 已过期. The full journey from an order's pay page is in the payments e2e test.
 */
import { randomBytes } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { PHONE, fitsWidth, newPage, shot, startE2E, type E2E } from './harness.js';
import { testConfig } from '../src/server/testing/harness.js';
import { systemClock } from '../src/server/clock.js';
import { paymentProvidersFor, paymentProvidersReady } from '../src/server/adapters/payment/configured.js';
import { sandboxNoticesOf } from '../src/server/adapters/payment/testing.js';
import type { PayChannel } from '../src/server/adapters/payment/port.js';

let e: E2E;
beforeAll(async () => {
  e = await startE2E();
});

async function trade(channel: PayChannel, amountFen: number, expiresInMs = 30 * 60_000) {
  const config = testConfig();
  await paymentProvidersReady(config, { db: e.db, clock: systemClock });
  const p = paymentProvidersFor(config, { db: e.db, clock: systemClock })[channel];
  const { codeUrl } = await p.create({
    outTradeNo: `CDE${randomBytes(8).toString('hex')}`.toUpperCase(),
    amountFen,
    description: channel === 'wechat' ? '江西CA数字证书 主锁 1个' : '江西CA数字证书 副锁 1个',
    expiresAt: new Date(Date.now() + expiresInMs),
  });
  return codeUrl;
}

describe('sandbox payer page at 390 px', () => {
  it('WeChat Pay: shows the sandbox banner and amount; 确认支付 → 已支付', async () => {
    const codeUrl = await trade('wechat', 22000);
    const { page, context, errors } = await newPage(e, PHONE);
    await page.goto(codeUrl);
    await page.getByText('这是沙箱支付，不会真实扣款').waitFor();
    await page.getByText('¥220.00', { exact: false }).first().waitFor();
    await page.getByText('江西CA数字证书 主锁 1个').waitFor();
    expect(await fitsWidth(page)).toBe(true);
    await shot(page, 'sandbox-pay-wechat');
    await page.getByRole('button', { name: /确认支付/ }).click();
    await page.getByText('已支付', { exact: true }).waitFor();
    await shot(page, 'sandbox-pay-wechat-paid');
    expect(await sandboxNoticesOf(e.db, codeUrl)).toHaveLength(1);
    expect(errors.filter((m) => !/409|404/.test(m))).toEqual([]);
    await context.close();
  });

  it('Alipay: blue look; 取消 → 已取消', async () => {
    const codeUrl = await trade('alipay', 19000);
    const { page, context } = await newPage(e, PHONE);
    await page.goto(codeUrl);
    await page.getByText('支付宝（沙箱）').first().waitFor();
    await page.getByText('190.00', { exact: false }).first().waitFor();
    expect(await fitsWidth(page)).toBe(true);
    await shot(page, 'sandbox-pay-alipay');
    await page.getByRole('button', { name: /取\s*消/ }).click();
    await page.getByText('已取消', { exact: true }).waitFor();
    await shot(page, 'sandbox-pay-alipay-cancelled');
    await context.close();
  });

  it('an expired code shows 已过期 without pay buttons', async () => {
    const codeUrl = await trade('wechat', 22000, 1000);
    await new Promise((r) => setTimeout(r, 1200));
    const { page, context } = await newPage(e, PHONE);
    await page.goto(codeUrl);
    await page.getByText('已过期', { exact: true }).waitFor();
    expect(await page.getByRole('button', { name: /确认支付/ }).count()).toBe(0);
    await shot(page, 'sandbox-pay-expired');
    await context.close();
  });
});
