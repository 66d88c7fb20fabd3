/**
 * Payments through the real app and the sandbox provider (the real WeChat Pay / Alipay adapters sign and
 * verify against it): starting a payment at the catalog's price, forged notifications refused with no state
 * change, a valid one moving the order once, late notices completed by an active query, expiry, duplicate
 * payments refunded, cancellation with a second approver and its refund, and the finance report/CSV.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { and, eq, sql } from 'drizzle-orm';
import type { FastifyInstance } from 'fastify';
import { auditEvents, outbox, paymentAttempts, paymentRefunds } from '../db/schema.js';
import { paymentProvidersFor } from '../adapters/payment/configured.js';
import type { NoticeRequest, PayChannel } from '../adapters/payment/port.js';
import {
  payInSandbox,
  sandboxAlipayNotice,
  sandboxTrade,
  sandboxWechatNotice,
  type AlipayNoticeOptions,
  type WechatNoticeOptions,
} from '../adapters/payment/testing.js';
import { sandboxPayService } from '../adapters/payment/sandbox/server.js';
import { deliverSandboxNotice } from '../adapters/payment/sandbox/delivery.js';
import { sandboxPayRepository } from '../adapters/payment/sandbox/repository.js';
import { orderRepository } from '../modules/orders/repository.js';
import { paymentJobs } from '../modules/payments/jobs.js';
import { closeAttempt } from '../modules/payments/payments.js';
import { sendRefund } from '../modules/payments/cancellation.js';
import { ManualClock, testApp, type TestApp } from '../testing/harness.js';
import { approvedOrder, eventsOf, orderRow, paidOrder, staffMember, type TestOrder } from '../testing/paid-order.js';
import { formatOrderNumber } from '../../core/order-number.js';

let t: TestApp;
beforeAll(async () => {
  t = await testApp();
});
afterAll(async () => {
  await t?.close();
});

type View = {
  paid: boolean;
  canPay: boolean;
  price: { amountFen: number; keyLabel: string; withSeal: boolean };
  attempts: Record<PayChannel, { status: string; codeUrl: string | null; expiresAt: string } | null>;
  order: { status: string };
  sandbox: Record<PayChannel, boolean>;
};

async function start(app: TestApp, o: TestOrder, channel: PayChannel): Promise<View> {
  const res = await o.a.c.post(`/api/orders/${o.orderId}/payments`, { channel, amountFen: 1 });
  expect(res.statusCode, res.body).toBe(201);
  return res.json() as View;
}

const attemptsOf = async (app: TestApp, orderId: string) =>
  app.db.select().from(paymentAttempts).where(eq(paymentAttempts.orderId, orderId));

async function deliver(app: FastifyInstance, channel: PayChannel, n: NoticeRequest) {
  return app.inject({
    method: 'POST',
    url: `/api/payments/notify/${channel}`,
    headers: n.headers as Record<string, string>,
    payload: n.rawBody,
  });
}
const accepted = (channel: PayChannel, res: { statusCode: number; body: string }) =>
  channel === 'wechat' ? res.statusCode >= 200 && res.statusCode < 300 : res.statusCode === 200 && res.body === 'success';

const paidSms = (app: TestApp, orderId: string) =>
  app.db
    .select()
    .from(outbox)
    .where(eq(outbox.dedupeKey, `order-sms:${orderId}:paid`));
const refusals = (app: TestApp, outTradeNo: string) =>
  app.db
    .select()
    .from(auditEvents)
    .where(and(eq(auditEvents.action, 'payment.notice_refused'), sql`${auditEvents.detail}::text like ${`%${outTradeNo}%`}`));

describe('starting a payment', () => {
  it('charges the catalog price in fen, whatever the client sends, and reuses an unexpired code', async () => {
    const o = await approvedOrder(t);
    const v = await start(t, o, 'wechat');
    expect(v.price.amountFen).toBe(22000);
    expect(v.price.keyLabel).toBe('主锁');
    expect(v.price.withSeal).toBe(true);
    expect(v.sandbox.wechat).toBe(true);
    expect(v.attempts.wechat!.codeUrl).toMatch(/^\/sandbox\/pay\/wechat\//);
    const again = await start(t, o, 'wechat');
    expect(again.attempts.wechat!.codeUrl).toBe(v.attempts.wechat!.codeUrl);
    const rows = await attemptsOf(t, o.orderId);
    expect(rows).toHaveLength(1);
    expect(rows[0]!.amountFen).toBe(22000);
    // The provider got the same amount.
    expect((await sandboxTrade(t.db, v.attempts.wechat!.codeUrl!))!.amountFen).toBe(22000);
    // Another channel is another attempt; nothing is closed by it.
    const ali = await start(t, o, 'alipay');
    expect(ali.attempts.alipay!.codeUrl).toMatch(/^\/sandbox\/pay\/alipay\//);
    expect(ali.attempts.wechat!.status).toBe('pending');
  });

  it('refuses an order that is not awaiting payment, and hides other organizations’ orders', async () => {
    const paid = await paidOrder(t);
    const res = await paid.a.c.post(`/api/orders/${paid.orderId}/payments`, { channel: 'wechat' });
    expect(res.statusCode).toBe(409);
    const other = await approvedOrder(t);
    expect((await paid.a.c.post(`/api/orders/${other.orderId}/payments`, { channel: 'wechat' })).statusCode).toBe(404);
    expect((await paid.a.c.get(`/api/orders/${other.orderId}/payment`)).statusCode).toBe(404);
    expect((await other.a.c.post(`/api/orders/${other.orderId}/payments`, { channel: 'bank' })).statusCode).toBe(400);
  });
});

describe('forged notifications are refused with no state change', () => {
  const wechatForgeries: [string, (o: { outTradeNo: string }) => Partial<WechatNoticeOptions>][] = [
    ['bad signature', () => ({ badSignature: true })],
    ['stale timestamp (301 s old)', () => ({ timestamp: new Date(Date.now() - 301_000) })],
    ['timestamp from the future (301 s)', () => ({ timestamp: new Date(Date.now() + 301_000) })],
    ['unknown serial', () => ({ serial: 'ABCDEF0123456789ABCDEF0123456789ABCDEF01' })],
    ['one flipped ciphertext bit', () => ({ flipCiphertextBit: true })],
    ['amount one fen short', () => ({ amountFen: 21999 })],
    ['foreign mchid', () => ({ mchid: '1900000109' })],
    ['foreign appid', () => ({ appid: 'wx0000000000000000' })],
    ['trade_state NOTPAY', () => ({ tradeState: 'NOTPAY' })],
    ['unknown order', () => ({ outTradeNo: `CD${randomBytes(12).toString('hex')}` })],
  ];
  const alipayForgeries: [string, (o: { outTradeNo: string }) => Partial<AlipayNoticeOptions>][] = [
    ['bad signature', () => ({ badSignature: true })],
    ['sign_type=RSA', () => ({ signType: 'RSA' })],
    ['foreign app_id', () => ({ appId: '2021000000000000' })],
    ['foreign seller_id', () => ({ sellerId: '2088000000000000' })],
    ['amount one fen short', () => ({ amountFen: 21999 })],
    ['amount as a float-looking string', () => ({ totalAmount: '219.999' })],
    ['trade_status WAIT_BUYER_PAY', () => ({ tradeStatus: 'WAIT_BUYER_PAY' })],
    ['unknown order', () => ({ outTradeNo: `CD${randomBytes(12).toString('hex')}` })],
  ];

  async function expectNothingChanged(o: TestOrder, outTradeNo: string) {
    expect((await orderRow(t.db, o.orderId)).status).toBe('review_passed');
    expect(await eventsOf(t.db, o.orderId, 'order.pay')).toHaveLength(0);
    const [a] = (await attemptsOf(t, o.orderId)).filter((x) => x.outTradeNo === outTradeNo);
    expect(a!.status).toBe('pending');
    expect(a!.transactionId).toBeNull();
    expect(await paidSms(t, o.orderId)).toHaveLength(0);
  }

  it.each(wechatForgeries)('WeChat Pay: %s', async (_name, forge) => {
    const o = await approvedOrder(t);
    await start(t, o, 'wechat');
    const { outTradeNo } = (await attemptsOf(t, o.orderId))[0]!;
    const n = await sandboxWechatNotice(t.db, { outTradeNo, amountFen: 22000, ...forge({ outTradeNo }) });
    const res = await deliver(t.app, 'wechat', n);
    expect(accepted('wechat', res), `${res.statusCode} ${res.body}`).toBe(false);
    expect(res.statusCode).toBeGreaterThanOrEqual(400);
    await expectNothingChanged(o, outTradeNo);
  });

  it.each(alipayForgeries)('Alipay: %s', async (_name, forge) => {
    const o = await approvedOrder(t);
    await start(t, o, 'alipay');
    const { outTradeNo } = (await attemptsOf(t, o.orderId))[0]!;
    const n = await sandboxAlipayNotice(t.db, { outTradeNo, amountFen: 22000, ...forge({ outTradeNo }) });
    const res = await deliver(t.app, 'alipay', n);
    expect(res.statusCode).toBe(200);
    expect(res.body).toBe('fail');
    await expectNothingChanged(o, outTradeNo);
  });

  it('a notification for an order that is not awaiting payment is refused, with the reason audited', async () => {
    const o = await approvedOrder(t);
    await start(t, o, 'wechat');
    const { outTradeNo } = (await attemptsOf(t, o.orderId))[0]!;
    // The order went back to 正在审核 after the code was made (e.g. reopened by staff).
    expect(await orderRepository.setStatus(t.db, o.orderId, 'review_passed', 'submitted', t.clock.now())).toBeTruthy();
    const res = await deliver(t.app, 'wechat', await sandboxWechatNotice(t.db, { outTradeNo, amountFen: 22000 }));
    expect(accepted('wechat', res)).toBe(false);
    expect((await orderRow(t.db, o.orderId)).status).toBe('submitted');
    expect(await eventsOf(t.db, o.orderId, 'order.pay')).toHaveLength(0);
    const audit = await refusals(t, outTradeNo);
    expect(audit.map((a) => (a.detail as { reason: string }).reason)).toContain('order_not_awaiting_payment');
  });

  it('garbage bodies get the provider’s refusal, never a 500', async () => {
    const bodies: [PayChannel, string, string][] = [
      ['wechat', 'application/json', ''],
      ['wechat', 'application/json', '{"resource":'],
      ['wechat', 'application/json', '[]'],
      ['alipay', 'application/x-www-form-urlencoded', ''],
      ['alipay', 'application/x-www-form-urlencoded', 'sign=%%%&&=='],
      ['alipay', 'application/x-www-form-urlencoded', 'out_trade_no=x&sign_type=RSA2&sign=AAAA'],
    ];
    for (const [channel, type, payload] of bodies) {
      const res = await t.app.inject({
        method: 'POST',
        url: `/api/payments/notify/${channel}`,
        headers: { 'content-type': type },
        payload,
      });
      // WeChat Pay's refusal is a 4xx/5xx with {"code":"FAIL"} (it redelivers); never our own error page.
      expect(res.body, `${channel} ${payload}`).not.toContain('INTERNAL');
      if (channel === 'wechat') expect(JSON.parse(res.body)).toMatchObject({ code: 'FAIL' });
      else expect(res.body).toBe('fail');
      expect(res.statusCode, `${channel} ${payload}`).toBeLessThan(500);
      expect(accepted(channel, res)).toBe(false);
    }
  });
});

describe('a valid notification', () => {
  it.each(['wechat', 'alipay'] as const)('%s: moves the order once; redeliveries are accepted and change nothing', async (channel) => {
    const o = await approvedOrder(t);
    await start(t, o, channel);
    const { outTradeNo } = (await attemptsOf(t, o.orderId))[0]!;
    const n =
      channel === 'wechat'
        ? await sandboxWechatNotice(t.db, { outTradeNo, amountFen: 22000 })
        : await sandboxAlipayNotice(t.db, { outTradeNo, amountFen: 22000 });
    for (let i = 0; i < 3; i++) expect(accepted(channel, await deliver(t.app, channel, n))).toBe(true);
    expect((await orderRow(t.db, o.orderId)).status).toBe('paper_awaiting');
    const pay = await eventsOf(t.db, o.orderId, 'order.pay');
    expect(pay).toHaveLength(1);
    expect(pay[0]!.detail).toMatchObject({ channel, amountFen: 22000 });
    const [a] = await attemptsOf(t, o.orderId);
    expect(a!.status).toBe('paid');
    expect(a!.transactionId).toBe((pay[0]!.detail as { transactionId: string }).transactionId);
    const sms = await paidSms(t, o.orderId);
    expect(sms).toHaveLength(1);
    expect(sms[0]!.payload).toMatchObject({ template: 'paid', params: { amount: '220.00' } });
    // The pay page shows it.
    const v = (await o.a.c.get(`/api/orders/${o.orderId}/payment`)).json() as View;
    expect(v.paid).toBe(true);
  });

  it('the sandbox payer page path: pay → signed notice delivered → 正在受理', async () => {
    const o = await approvedOrder(t);
    const v = await start(t, o, 'wechat');
    const r = await payInSandbox(t.app, t.db, v.attempts.wechat!.codeUrl!);
    expect(r.ok).toBe(true);
    expect(r.delivery?.acknowledged).toBe(true);
    expect((await orderRow(t.db, o.orderId)).status).toBe('paper_awaiting');
  });
});

describe('late notifications, expiry and duplicates', () => {
  let m: TestApp;
  let clock: ManualClock;
  beforeAll(async () => {
    clock = new ManualClock(new Date());
    m = await testApp({ clock });
  });
  afterAll(async () => {
    await m?.close();
  });
  const job = () => paymentJobs({ db: m.db, clock, config: m.config, log: m.app.log });
  const pdeps = () => ({ db: m.db, clock, providers: paymentProvidersFor(m.config, { db: m.db, clock }) });

  it('paid at the provider but the notice never came: the pay page’s poll asks the provider and completes it', async () => {
    const o = await approvedOrder(m);
    const v = await start(m, o, 'alipay');
    const trade = (await sandboxTrade(m.db, v.attempts.alipay!.codeUrl!))!;
    expect((await sandboxPayService({ db: m.db, clock }).pay(trade.token)).ok).toBe(true);
    // Too early: the poll does not ask yet.
    expect(((await o.a.c.get(`/api/orders/${o.orderId}/payment`)).json() as View).paid).toBe(false);
    clock.advance(25_000);
    expect(((await o.a.c.get(`/api/orders/${o.orderId}/payment`)).json() as View).paid).toBe(true);
    expect(await eventsOf(m.db, o.orderId, 'order.pay')).toHaveLength(1);
    expect(await paidSms(m, o.orderId)).toHaveLength(1);
  });

  it('the job does the same for an attempt nobody polls', async () => {
    const o = await approvedOrder(m);
    const v = await start(m, o, 'wechat');
    const trade = (await sandboxTrade(m.db, v.attempts.wechat!.codeUrl!))!;
    expect((await sandboxPayService({ db: m.db, clock }).pay(trade.token)).ok).toBe(true);
    clock.advance(61_000);
    await job().runOnce();
    expect((await orderRow(m.db, o.orderId)).status).toBe('paper_awaiting');
  });

  it('an expired code is closed at the provider and a new one can be started', async () => {
    const o = await approvedOrder(m);
    const v = await start(m, o, 'wechat');
    clock.advance(16 * 60_000);
    const seen = ((await o.a.c.get(`/api/orders/${o.orderId}/payment`)).json() as View).attempts.wechat!;
    expect(seen.status).toBe('expired');
    // The job's expiry step for this attempt (running the whole job at +16 min would expire other files'
    // attempts on the shared PostgreSQL database).
    await closeAttempt(pdeps(), (await attemptsOf(m, o.orderId))[0]!, 'expired');
    const [a] = await attemptsOf(m, o.orderId);
    expect(a!.status).toBe('expired');
    const providers = paymentProvidersFor(m.config, { db: m.db, clock });
    expect((await providers.wechat.query(a!.outTradeNo)).state).toBe('closed');
    // The closed code cannot be paid any more.
    expect((await payInSandbox(m.app, m.db, v.attempts.wechat!.codeUrl!, clock)).ok).toBe(false);
    const again = await start(m, o, 'wechat');
    expect(again.attempts.wechat!.codeUrl).not.toBe(v.attempts.wechat!.codeUrl);
    expect(again.attempts.wechat!.status).toBe('pending');
  });

  it('paid twice (both codes scanned): the second payment is accepted and refunded in full, once', async () => {
    const o = await approvedOrder(m);
    const w = await start(m, o, 'wechat');
    const a = await start(m, o, 'alipay');
    // The payer pays the Alipay code too before WeChat Pay's notice lands; Alipay's notice comes second.
    const aliTrade = (await sandboxTrade(m.db, a.attempts.alipay!.codeUrl!))!;
    const aliPaid = await sandboxPayService({ db: m.db, clock }).pay(aliTrade.token);
    expect(aliPaid.ok).toBe(true);
    expect((await payInSandbox(m.app, m.db, w.attempts.wechat!.codeUrl!, clock)).delivery?.acknowledged).toBe(true);
    const second = await deliverSandboxNotice(m.app, m.db, clock, (aliPaid as { noticeId: number }).noticeId, aliTrade.id);
    expect(second?.acknowledged).toBe(true);
    expect(await eventsOf(m.db, o.orderId, 'order.pay')).toHaveLength(1);
    const refunds = await m.db.select().from(paymentRefunds).where(eq(paymentRefunds.orderId, o.orderId));
    expect(refunds).toHaveLength(1);
    expect(refunds[0]).toMatchObject({ kind: 'duplicate', channel: 'alipay', amountFen: 22000, status: 'pending' });
    // The job's refund step.
    await sendRefund(pdeps(), refunds[0]!.id);
    const [done] = await m.db.select().from(paymentRefunds).where(eq(paymentRefunds.orderId, o.orderId));
    expect(done!.status).toBe('success');
    const providers = paymentProvidersFor(m.config, { db: m.db, clock });
    const ali = (await attemptsOf(m, o.orderId)).find((x) => x.channel === 'alipay')!;
    // Alipay reports a fully refunded trade as TRADE_CLOSED; the sandbox holds the refund itself.
    expect((await providers.alipay.query(ali.outTradeNo)).state).toBe('closed');
    expect(await sandboxPayRepository.refundByNo(m.db, 'alipay', done!.outRefundNo)).toMatchObject({ amountFen: 22000 });
    // A redelivered second notice does not refund again.
    const again = await deliver(
      m.app,
      'alipay',
      await sandboxAlipayNotice(m.db, { outTradeNo: ali.outTradeNo, amountFen: 22000, tradeNo: ali.transactionId! }),
    );
    expect(accepted('alipay', again)).toBe(true);
    expect(await m.db.select().from(paymentRefunds).where(eq(paymentRefunds.orderId, o.orderId))).toHaveLength(1);
  });
});

describe('cancellation with a second approver, and the refund', () => {
  it('the requester cannot approve; another 财务 approves → 已取消, refund recorded and made at the provider', async () => {
    const o = await approvedOrder(t);
    const v = await start(t, o, 'wechat');
    await payInSandbox(t.app, t.db, v.attempts.wechat!.codeUrl!);
    expect((await orderRow(t.db, o.orderId)).status).toBe('paper_awaiting');

    const asker = await staffMember(t, ['受理', '财务']);
    const approver = await staffMember(t, ['财务']);
    const clerk = await staffMember(t, ['受理']);
    expect((await asker.c.post(`/api/staff/orders/${o.orderId}/cancellation`, { reason: '' })).statusCode).toBe(400);
    const asked = await asker.c.post(`/api/staff/orders/${o.orderId}/cancellation`, { reason: '单位来电申请退款，已核实' });
    expect(asked.statusCode, asked.body).toBe(201);
    const id = asked.json().cancellation.id as string;
    // One open request per order.
    expect((await approver.c.post(`/api/staff/orders/${o.orderId}/cancellation`, { reason: '再次申请' })).statusCode).toBe(409);

    const own = await asker.c.post(`/api/staff/cancellations/${id}/approve`, {});
    expect(own.statusCode).toBe(403);
    expect(own.json().error.message).toContain('自己');
    expect((await clerk.c.post(`/api/staff/cancellations/${id}/approve`, {})).statusCode).toBe(403);
    expect((await orderRow(t.db, o.orderId)).status).toBe('paper_awaiting');

    const ok = await approver.c.post(`/api/staff/cancellations/${id}/approve`, { note: '同意' });
    expect(ok.statusCode, ok.body).toBe(200);
    expect((await orderRow(t.db, o.orderId)).status).toBe('cancelled');
    const ev = await eventsOf(t.db, o.orderId, 'order.cancel');
    expect(ev).toHaveLength(1);
    expect(ev[0]!.detail).toMatchObject({ requestedBy: asker.s.id, approvedBy: approver.s.id });
    const refunds = await t.db.select().from(paymentRefunds).where(eq(paymentRefunds.orderId, o.orderId));
    expect(refunds).toHaveLength(1);
    expect(refunds[0]).toMatchObject({ kind: 'cancel', amountFen: 22000, status: 'success' });
    const [a] = await attemptsOf(t, o.orderId);
    expect((await paymentProvidersFor(t.config, t).wechat.query(a!.outTradeNo)).state).toBe('refunded');
    // Decided once.
    expect((await approver.c.post(`/api/staff/cancellations/${id}/approve`, {})).statusCode).toBe(409);
    const panel = (await asker.c.get(`/api/staff/orders/${o.orderId}/cancellation`)).json();
    expect(panel.requests[0]).toMatchObject({ status: 'approved', decidedBy: approver.s.id });
    expect(panel.refunds[0]).toMatchObject({ status: 'success' });
  });

  it('a refused request leaves the order as it was; unpaid or produced orders cannot be cancelled here', async () => {
    const o = await paidOrder(t);
    const asker = await staffMember(t, ['受理']);
    const boss = await staffMember(t, ['管理员']);
    const id = (await asker.c.post(`/api/staff/orders/${o.orderId}/cancellation`, { reason: '误操作' })).json().cancellation.id as string;
    expect((await boss.c.post(`/api/staff/cancellations/${id}/refuse`, {})).statusCode).toBe(400);
    expect((await boss.c.post(`/api/staff/cancellations/${id}/refuse`, { note: '单位未申请' })).statusCode).toBe(200);
    expect((await orderRow(t.db, o.orderId)).status).toBe('paper_awaiting');
    const unpaid = await approvedOrder(t);
    expect((await asker.c.post(`/api/staff/orders/${unpaid.orderId}/cancellation`, { reason: '测试' })).statusCode).toBe(409);
  });
});

describe('finance', () => {
  it('lists payments by day and channel with totals, flags mismatches, and exports CSV with a BOM', async () => {
    const good = await approvedOrder(t);
    const gv = await start(t, good, 'wechat');
    await payInSandbox(t.app, t.db, gv.attempts.wechat!.codeUrl!);
    // Paid at the provider, but the order never moved (simulated: the attempt row says paid, the order does not).
    const stuck = await approvedOrder(t);
    await start(t, stuck, 'alipay');
    const [sa] = await attemptsOf(t, stuck.orderId);
    await t.db
      .update(paymentAttempts)
      .set({ status: 'paid', transactionId: `2026${randomBytes(8).toString('hex')}`, paidFen: 21900, paidAt: new Date() })
      .where(eq(paymentAttempts.id, sa!.id));

    const f = await staffMember(t, ['财务']);
    const day = new Date(Date.now() + 8 * 3_600_000).toISOString().slice(0, 10);
    const res = await f.c.get(`/api/staff/finance/payments?from=${day}&to=${day}`);
    expect(res.statusCode, res.body).toBe(200);
    const r = res.json() as {
      rows: { orderNo: string; flags: string[]; amountFen: number; transactionId: string; unitName: string }[];
      totals: { channel: string; count: number; amountFen: number }[];
    };
    const g = r.rows.find((x) => x.orderNo === good.orderNo)!;
    expect(g.flags).toEqual([]);
    expect(g.amountFen).toBe(22000);
    expect(g.unitName).toBe(good.a.name);
    const s = r.rows.find((x) => x.orderNo === stuck.orderNo)!;
    expect(s.flags).toEqual(expect.arrayContaining(['order_not_moved', 'amount_differs']));
    const wechatTotal = r.totals.find((x) => x.channel === 'wechat')!;
    expect(wechatTotal.amountFen).toBe(
      r.rows.filter((x) => (x as { channel?: string }).channel === 'wechat').reduce((a, x) => a + x.amountFen, 0),
    );

    const onlyAli = (await f.c.get(`/api/staff/finance/payments?from=${day}&to=${day}&channel=alipay`)).json() as typeof r;
    expect(onlyAli.rows.every((x) => (x as { channel?: string }).channel === 'alipay')).toBe(true);

    const csv = await f.c.get(`/api/staff/finance/payments.csv?from=${day}&to=${day}`);
    expect(csv.statusCode).toBe(200);
    expect(csv.headers['content-type']).toContain('text/csv');
    expect(csv.rawPayload.subarray(0, 3)).toEqual(Buffer.from([0xef, 0xbb, 0xbf]));
    expect(csv.body).toContain(formatOrderNumber(good.orderNo));
    expect(csv.body).toContain(g.transactionId);
    expect(csv.body).toContain('"220.00"');
    expect(csv.body).toContain('已付款但订单未转入正在受理');

    expect((await f.c.get(`/api/staff/finance/payments?from=${day}&to=2000-01-01`)).statusCode).toBe(400);
    const clerk = await staffMember(t, ['受理']);
    expect((await clerk.c.get(`/api/staff/finance/payments`)).statusCode).toBe(403);
  });
});
