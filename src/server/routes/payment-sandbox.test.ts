/** The sandbox payer API behind /sandbox/pay/<channel>/<token>, through the real app. */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock, testApp, type TestApp } from '../testing/harness.js';
import { paymentProvidersFor } from '../adapters/payment/configured.js';
import { sandboxNoticesOf, sandboxTokenOf } from '../adapters/payment/testing.js';
import type { PayChannel } from '../adapters/payment/port.js';

let t: TestApp;
const clock = new ManualClock(new Date('2026-11-20T10:00:00+08:00'));
beforeAll(async () => {
  t = await testApp({ clock });
});
afterAll(() => t.close());

const newNo = () => `CDR${randomBytes(8).toString('hex')}`.toUpperCase();
async function newTrade(channel: PayChannel, minutes = 30) {
  const p = paymentProvidersFor(t.config, { db: t.db, clock })[channel];
  const no = newNo();
  const { codeUrl } = await p.create({
    outTradeNo: no,
    amountFen: 22000,
    description: '江西CA数字证书 主锁 1个',
    expiresAt: new Date(clock.now().getTime() + minutes * 60_000),
  });
  return { no, token: sandboxTokenOf(codeUrl)! };
}
const get = (token: string) => t.app.inject({ method: 'GET', url: `/api/sandbox-pay/${token}` });
const post = (token: string, action: 'pay' | 'cancel') => t.app.inject({ method: 'POST', url: `/api/sandbox-pay/${token}/${action}` });

describe('sandbox payer API', () => {
  it.each<PayChannel>(['wechat', 'alipay'])('%s: shows the trade, pays once, queues the signed notice', async (channel) => {
    const { token } = await newTrade(channel);
    const v = await get(token);
    expect(v.statusCode).toBe(200);
    expect(v.json()).toMatchObject({ channel, amountFen: 22000, description: '江西CA数字证书 主锁 1个', status: 'pending', sandbox: true });
    const paid = await post(token, 'pay');
    expect(paid.statusCode).toBe(200);
    expect(paid.json()).toMatchObject({ status: 'paid' });
    expect((await get(token)).json().status).toBe('paid');
    expect((await post(token, 'pay')).statusCode).toBe(409);
    const notices = await sandboxNoticesOf(t.db, token);
    expect(notices).toHaveLength(1);
    expect(notices[0]!.attempts).toBe(1);
  });

  it('cancel → 已取消, then it cannot be paid', async () => {
    const { token } = await newTrade('wechat');
    expect((await post(token, 'cancel')).json()).toEqual({ status: 'cancelled' });
    expect((await post(token, 'pay')).statusCode).toBe(409);
  });

  it('an expired trade shows expired and cannot be paid', async () => {
    const { token } = await newTrade('alipay', 1);
    clock.advance(61_000);
    expect((await get(token)).json().status).toBe('expired');
    const r = await post(token, 'pay');
    expect(r.statusCode).toBe(409);
    expect(r.json().error.message).toContain('已过期');
  });

  it('an unknown or malformed token → 404 / 400', async () => {
    expect((await get(randomBytes(24).toString('base64url'))).statusCode).toBe(404);
    expect((await post(randomBytes(24).toString('base64url'), 'pay')).statusCode).toBe(404);
    expect((await get('short')).statusCode).toBe(400);
  });
});
