/**
 * Paying on a phone (issue 13, item 4) through the real app, the real adapters and the sandbox: WeChat Pay H5
 * (POST /v3/pay/transactions/h5 → h5_url, our redirect_url appended) and Alipay 手机网站支付 (a signed GET
 * URL to the gateway, method=alipay.trade.wap.pay, with return_url and notify_url). Each is an attempt of its
 * own beside the QR codes, and every rule of the QR flow holds: the catalog's amount, a verified notice
 * applied once (20 parallel duplicates change state once), forged and wrong-amount notices refused with no
 * change, the order's other open attempts closed after the payment.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { and, eq } from 'drizzle-orm';
import { publicKeyFrom, rsaVerify } from '../adapters/payment/crypto.js';
import { alipaySignContent } from '../adapters/payment/alipay.js';
import type { NoticeRequest, PayChannel } from '../adapters/payment/port.js';
import { sandboxKeys } from '../adapters/payment/sandbox/keys.js';
import { payInSandbox, sandboxAlipayNotice, sandboxTrade, sandboxWechatNotice } from '../adapters/payment/testing.js';
import { sandboxPayService } from '../adapters/payment/sandbox/server.js';
import { outbox, paymentAttempts } from '../db/schema.js';
import { ManualClock, testApp, type TestApp } from '../testing/harness.js';
import { PHONE_LINK_TTL_MS } from '../modules/payments/payments.js';
import { approvedOrder, eventsOf, orderRow, type TestOrder } from '../testing/paid-order.js';

let t: TestApp;
beforeAll(async () => {
  t = await testApp();
});
afterAll(async () => {
  await t?.close();
});

interface PhoneAttempt {
  kind: 'h5';
  status: string;
  codeUrl: string | null;
  amountFen: number;
}
interface View {
  paid: boolean;
  order: { status: string };
  attempts: Record<PayChannel, { codeUrl: string | null; status: string } | null>;
  phone: Record<PayChannel, PhoneAttempt | null>;
  payment: { channel: PayChannel; kind: string } | null;
}

const channels: PayChannel[] = ['wechat', 'alipay'];

async function startPhone(o: TestOrder, channel: PayChannel): Promise<View> {
  // The client may send an amount; it is ignored (the catalog's price is charged).
  const res = await o.a.c.post(`/api/orders/${o.orderId}/payments`, { channel, kind: 'h5', amountFen: 1 });
  expect(res.statusCode, res.body).toBe(201);
  return res.json() as View;
}

const attemptsOf = (orderId: string) => t.db.select().from(paymentAttempts).where(eq(paymentAttempts.orderId, orderId));

/** The sandbox trade behind an h5 link: WeChat's h5_url is the payer page; Alipay's URL is opened at the gateway first. */
async function tradeOf(channel: PayChannel, payUrl: string) {
  if (channel === 'wechat') return (await sandboxTrade(t.db, payUrl.split('?')[0]!))!;
  const res = await t.app.inject({ method: 'GET', url: payUrl });
  expect(res.statusCode, res.body).toBe(302);
  return (await sandboxTrade(t.db, String(res.headers.location)))!;
}

async function noticeFor(channel: PayChannel, outTradeNo: string, amountFen = 22000, forge: { badSignature?: boolean } = {}) {
  return channel === 'wechat'
    ? sandboxWechatNotice(t.db, { outTradeNo, amountFen, transactionId: `4200${Date.now()}${Math.floor(Math.random() * 1e10)}`, ...forge })
    : sandboxAlipayNotice(t.db, { outTradeNo, amountFen, ...forge });
}
const deliver = (channel: PayChannel, n: NoticeRequest) =>
  t.app.inject({
    method: 'POST',
    url: `/api/payments/notify/${channel}`,
    headers: n.headers as Record<string, string>,
    payload: n.rawBody,
  });
const accepted = (channel: PayChannel, res: { statusCode: number; body: string }) =>
  channel === 'wechat' ? res.statusCode >= 200 && res.statusCode < 300 : res.statusCode === 200 && res.body === 'success';

async function expectUnpaid(o: TestOrder, outTradeNo: string) {
  expect((await orderRow(t.db, o.orderId)).status).toBe('review_passed');
  expect(await eventsOf(t.db, o.orderId, 'order.pay')).toHaveLength(0);
  const [a] = (await attemptsOf(o.orderId)).filter((x) => x.outTradeNo === outTradeNo);
  expect(a!.status).toBe('pending');
}

async function expectPaidOnce(o: TestOrder, channel: PayChannel) {
  expect((await orderRow(t.db, o.orderId)).status).toBe('paper_awaiting');
  const events = await eventsOf(t.db, o.orderId, 'order.pay');
  expect(events).toHaveLength(1);
  expect(events[0]!.detail).toMatchObject({ channel, amountFen: 22000 });
  const paid = (await attemptsOf(o.orderId)).filter((a) => a.status === 'paid');
  expect(paid.map((a) => a.kind)).toEqual(['h5']);
  expect(
    await t.db
      .select()
      .from(outbox)
      .where(eq(outbox.dedupeKey, `order-sms:${o.orderId}:paid`)),
  ).toHaveLength(1);
}

describe('starting a payment on a phone', () => {
  it('WeChat Pay H5: the sandbox took an H5 order for the catalog price; the link is its h5_url with our redirect_url', async () => {
    const o = await approvedOrder(t);
    const v = await startPhone(o, 'wechat');
    const link = v.phone.wechat!.codeUrl!;
    expect(link).toMatch(/^\/sandbox\/pay\/wechat\/[A-Za-z0-9_-]{32}\?redirect_url=/);
    const redirect = new URL(link, 'http://x').searchParams.get('redirect_url')!;
    expect(new URL(redirect).pathname).toBe(`/orders/${o.orderId}/pay`);
    expect(v.phone.wechat).toMatchObject({ kind: 'h5', status: 'pending', amountFen: 22000 });
    expect(v.attempts.wechat).toBeNull();
    const trade = await tradeOf('wechat', link);
    expect(trade).toMatchObject({ channel: 'wechat', tradeType: 'h5', amountFen: 22000 });
    // A reload hands out the same link.
    expect((await startPhone(o, 'wechat')).phone.wechat!.codeUrl).toBe(link);
    const rows = await attemptsOf(o.orderId);
    expect(rows.map((r) => [r.kind, r.amountFen])).toEqual([['h5', 22000]]);
  });

  it('Alipay WAP: a signed GET URL to the gateway (alipay.trade.wap.pay, return_url, notify_url); the gateway sends the browser to the cashier', async () => {
    const o = await approvedOrder(t);
    const v = await startPhone(o, 'alipay');
    const link = v.phone.alipay!.codeUrl!;
    expect(link.startsWith('/api/sandbox-pay/alipay/gateway.do?')).toBe(true);
    const params = Object.fromEntries(new URL(link, 'http://x').searchParams);
    expect(params).toMatchObject({ method: 'alipay.trade.wap.pay', sign_type: 'RSA2', charset: 'utf-8', format: 'JSON', version: '1.0' });
    expect(new URL(params.return_url!).pathname).toBe(`/orders/${o.orderId}/pay`);
    expect(new URL(params.notify_url!).pathname).toBe('/api/payments/notify/alipay');
    const biz = JSON.parse(params.biz_content!) as Record<string, string>;
    expect(biz).toMatchObject({
      total_amount: '220.00',
      product_code: 'QUICK_WAP_WAY',
      out_trade_no: (await attemptsOf(o.orderId))[0]!.outTradeNo,
    });
    // Signed with our application key, over the sorted parameters (the sandbox knows its public half).
    const keys = await sandboxKeys(t.db);
    expect(rsaVerify(alipaySignContent(params, ['sign']), params.sign!, publicKeyFrom(keys.alipay.appPublicPem))).toBe(true);
    const trade = await tradeOf('alipay', link);
    expect(trade).toMatchObject({ channel: 'alipay', tradeType: 'h5', amountFen: 22000, returnUrl: params.return_url });
  });

  it('the sandbox gateway refuses a tampered Alipay URL (another amount) as Alipay would: an error page, no trade', async () => {
    const o = await approvedOrder(t);
    const link = (await startPhone(o, 'alipay')).phone.alipay!.codeUrl!;
    const u = new URL(link, 'http://x');
    u.searchParams.set('biz_content', u.searchParams.get('biz_content')!.replace('"220.00"', '"0.01"'));
    const res = await t.app.inject({ method: 'GET', url: u.pathname + u.search });
    expect(res.statusCode).toBe(400);
    expect(res.headers['content-type']).toContain('text/html');
    expect(res.body).toContain('isv.invalid-signature');
    expect(await sandboxTrade(t.db, (await attemptsOf(o.orderId))[0]!.outTradeNo, 'alipay')).toBeUndefined();
  });

  it('a QR code and a phone payment are two attempts with their own out_trade_no; a bad kind is a clear 400', async () => {
    const o = await approvedOrder(t);
    const qr = await o.a.c.post(`/api/orders/${o.orderId}/payments`, { channel: 'wechat' });
    expect(qr.statusCode).toBe(201);
    await startPhone(o, 'wechat');
    const rows = await attemptsOf(o.orderId);
    expect(rows.map((r) => r.kind).sort()).toEqual(['h5', 'qr']);
    expect(new Set(rows.map((r) => r.outTradeNo)).size).toBe(2);
    const bad = await o.a.c.post(`/api/orders/${o.orderId}/payments`, { channel: 'wechat', kind: 'jsapi' });
    expect(bad.statusCode).toBe(400);
    expect(bad.body).toContain('付款方式');
  });
});

describe.each(channels)('%s on a phone: notifications', (channel) => {
  it('paid in the sandbox: the signed notice is verified and applied once; a redelivery changes nothing', async () => {
    const o = await approvedOrder(t);
    const v = await startPhone(o, channel);
    const trade = await tradeOf(channel, v.phone[channel]!.codeUrl!);
    const r = await payInSandbox(t.app, t.db, trade.token);
    expect(r.ok).toBe(true);
    expect(r.delivery?.acknowledged).toBe(true);
    await expectPaidOnce(o, channel);
    // The same trade again with the transaction id the sandbox used: accepted, nothing changes.
    const again = await (channel === 'wechat'
      ? sandboxWechatNotice(t.db, { outTradeNo: trade.outTradeNo, amountFen: 22000, transactionId: r.trade!.transactionId! })
      : sandboxAlipayNotice(t.db, { outTradeNo: trade.outTradeNo, amountFen: 22000, tradeNo: r.trade!.transactionId! }));
    expect(accepted(channel, await deliver(channel, again))).toBe(true);
    await expectPaidOnce(o, channel);
    const view = (await o.a.c.get(`/api/orders/${o.orderId}/payment`)).json() as View;
    expect(view.paid).toBe(true);
    expect(view.payment).toMatchObject({ channel, kind: 'h5' });
  });

  it('20 parallel deliveries of the same notice change the state once', async () => {
    const o = await approvedOrder(t);
    await startPhone(o, channel);
    const [a] = await attemptsOf(o.orderId);
    const n = await noticeFor(channel, a!.outTradeNo);
    const answers = await Promise.all(Array.from({ length: 20 }, () => deliver(channel, n)));
    for (const res of answers) expect(accepted(channel, res), `${res.statusCode} ${res.body}`).toBe(true);
    await expectPaidOnce(o, channel);
  });

  it('a forged notice (bad signature) is refused with no change', async () => {
    const o = await approvedOrder(t);
    await startPhone(o, channel);
    const [a] = await attemptsOf(o.orderId);
    const res = await deliver(channel, await noticeFor(channel, a!.outTradeNo, 22000, { badSignature: true }));
    expect(accepted(channel, res)).toBe(false);
    await expectUnpaid(o, a!.outTradeNo);
  });

  it('a correctly signed notice with another amount is refused with no change', async () => {
    const o = await approvedOrder(t);
    await startPhone(o, channel);
    const [a] = await attemptsOf(o.orderId);
    const res = await deliver(channel, await noticeFor(channel, a!.outTradeNo, 1));
    expect(accepted(channel, res)).toBe(false);
    await expectUnpaid(o, a!.outTradeNo);
  });

  it('after the phone payment the order’s other open attempts (its QR codes) are closed', async () => {
    const o = await approvedOrder(t);
    for (const c of channels) expect((await o.a.c.post(`/api/orders/${o.orderId}/payments`, { channel: c })).statusCode).toBe(201);
    const v = await startPhone(o, channel);
    const trade = await tradeOf(channel, v.phone[channel]!.codeUrl!);
    expect((await payInSandbox(t.app, t.db, trade.token)).ok).toBe(true);
    await expect
      .poll(async () => (await attemptsOf(o.orderId)).filter((a) => a.kind === 'qr').map((a) => a.status))
      .toEqual(['closed', 'closed']);
    expect(
      await t.db
        .select()
        .from(paymentAttempts)
        .where(and(eq(paymentAttempts.orderId, o.orderId), eq(paymentAttempts.status, 'paid'))),
    ).toHaveLength(1);
  });
});

describe('back from the cashier', () => {
  it('Alipay WAP: after 确认支付 the payer page is told to go to return_url with signed return parameters', async () => {
    const o = await approvedOrder(t);
    const trade = await tradeOf('alipay', (await startPhone(o, 'alipay')).phone.alipay!.codeUrl!);
    const res = await t.app.inject({ method: 'POST', url: `/api/sandbox-pay/${trade.token}/pay` });
    expect(res.statusCode, res.body).toBe(200);
    const back = new URL((res.json() as { returnUrl: string }).returnUrl);
    expect(back.pathname).toBe(`/orders/${o.orderId}/pay`);
    const p = Object.fromEntries(back.searchParams);
    expect(p).toMatchObject({ method: 'alipay.trade.wap.pay.return', out_trade_no: trade.outTradeNo, total_amount: '220.00' });
    const keys = await sandboxKeys(t.db);
    expect(rsaVerify(alipaySignContent(p, ['sign', 'sign_type']), p.sign!, publicKeyFrom(keys.alipay.alipayPublicPem))).toBe(true);
    await expectPaidOnce(o, 'alipay');
    // A QR trade has no way back: the payer is on another phone.
    const qr = await approvedOrder(t);
    const code = ((await qr.a.c.post(`/api/orders/${qr.orderId}/payments`, { channel: 'alipay' })).json() as View).attempts.alipay!
      .codeUrl!;
    const qrTrade = (await sandboxTrade(t.db, code))!;
    const paid = await sandboxPayService({ db: t.db, clock: t.clock }).pay(qrTrade.token);
    expect(paid.ok && (await sandboxPayService({ db: t.db, clock: t.clock }).alipayReturnUrl(paid.trade))).toBeNull();
  });
});

describe('a phone link goes stale', () => {
  let m: TestApp;
  const clock = new ManualClock(new Date());
  beforeAll(async () => {
    m = await testApp({ clock });
  });
  afterAll(async () => {
    await m?.close();
  });

  it('after 4 minutes (WeChat’s h5_url lives 5) a tap makes a new attempt with a new out_trade_no', async () => {
    const o = await approvedOrder(m);
    const first = ((await o.a.c.post(`/api/orders/${o.orderId}/payments`, { channel: 'wechat', kind: 'h5' })).json() as View).phone.wechat!;
    clock.advance(PHONE_LINK_TTL_MS + 1000);
    const seen = ((await o.a.c.get(`/api/orders/${o.orderId}/payment`)).json() as View).phone.wechat!;
    expect(seen.codeUrl).toBeNull();
    const second = ((await o.a.c.post(`/api/orders/${o.orderId}/payments`, { channel: 'wechat', kind: 'h5' })).json() as View).phone
      .wechat!;
    expect(second.codeUrl).not.toBe(first.codeUrl);
    const rows = await m.db.select().from(paymentAttempts).where(eq(paymentAttempts.orderId, o.orderId));
    expect(rows).toHaveLength(2);
    expect(new Set(rows.map((r) => r.outTradeNo)).size).toBe(2);
  });
});
