/**
 * Forged payment notifications cannot flood the audit trail (issue 16, item 4): refusals are counted per
 * address, reason and hour with one bounded audit row each, an address past the limit is answered 429 —
 * and a correctly signed notice from that very address is still processed.
 */
import { and, eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { NoticeRequest, PayChannel } from '../adapters/payment/port.js';
import { sandboxAlipayNotice, sandboxWechatNotice } from '../adapters/payment/testing.js';
import { auditEvents, paymentAttempts } from '../db/schema.js';
import { noticeRefusalRepository } from '../modules/payments/notice-refusal-repository.js';
import { NOTICE_REFUSALS_PER_ADDRESS } from '../modules/payments/notice-refusals.js';
import { randomIp, testApp, type TestApp } from '../testing/harness.js';
import { approvedOrder, orderRow } from '../testing/paid-order.js';

let t: TestApp;
beforeAll(async () => {
  t = await testApp();
});
afterAll(async () => {
  await t?.close();
});

const deliver = (channel: PayChannel, n: NoticeRequest, ip: string) =>
  t.app.inject({
    method: 'POST',
    url: `/api/payments/notify/${channel}`,
    headers: n.headers as Record<string, string>,
    payload: n.rawBody,
    remoteAddress: ip,
  });

const refusalRows = (ip: string) =>
  t.db
    .select()
    .from(auditEvents)
    .where(and(eq(auditEvents.action, 'payment.notice_refused'), eq(auditEvents.ip, ip)));

const rowChars = async (id: number) =>
  Number(
    (
      await t.db
        .select({ n: sql<number>`length(${auditEvents.detail}::text) + coalesce(length(${auditEvents.ip}), 0)` })
        .from(auditEvents)
        .where(eq(auditEvents.id, id))
    )[0]!.n,
  );

async function pendingAttempt(channel: PayChannel) {
  const o = await approvedOrder(t);
  const res = await o.a.c.post(`/api/orders/${o.orderId}/payments`, { channel });
  expect(res.statusCode, res.body).toBe(201);
  const [a] = await t.db.select().from(paymentAttempts).where(eq(paymentAttempts.orderId, o.orderId));
  return { o, outTradeNo: a!.outTradeNo };
}

describe('refused payment notices', () => {
  it('300 WeChat Pay notices with a 12 KB serial header: one bounded audit row, the rest counted', async () => {
    const ip = randomIp();
    const n = await sandboxWechatNotice(t.db, { outTradeNo: 'CD0000000000000000000000', amountFen: 22000, serial: 'A'.repeat(12_000) });
    for (let i = 0; i < 300; i++) {
      const res = await deliver('wechat', n, ip);
      expect(res.statusCode).toBeGreaterThanOrEqual(400);
    }
    const rows = await refusalRows(ip);
    expect(rows).toHaveLength(1);
    expect(rows[0]!.detail).toMatchObject({ reason: 'unknown_serial', channel: 'wechat' });
    expect(await rowChars(rows[0]!.id)).toBeLessThan(400);
    const [counter] = await noticeRefusalRepository.ofAddress(t.db, ip);
    expect(counter).toMatchObject({ channel: 'wechat', reason: 'unknown_serial', count: 300 });
  });

  it('an Alipay sign_type of 60 KB is stored clipped, saying how long it was', async () => {
    const ip = randomIp();
    const n = await sandboxAlipayNotice(t.db, { outTradeNo: 'CD0000000000000000000001', amountFen: 22000, signType: 'R'.repeat(60_000) });
    const res = await deliver('alipay', n, ip);
    expect(res.body).toBe('fail');
    const rows = await refusalRows(ip);
    expect(rows).toHaveLength(1);
    expect(await rowChars(rows[0]!.id)).toBeLessThan(400);
    expect((rows[0]!.detail as { sign_type: string }).sign_type).toBe(`${'R'.repeat(64)}…(60000字符)`);
  });

  it('counts each reason of an address apart, and an IPv6 /64 as one address', async () => {
    const prefix = `2001:db8:${(1 + Math.floor(Math.random() * 0xfffe)).toString(16)}:1`;
    const forged = { outTradeNo: 'CD0000000000000000000002', amountFen: 22000 };
    await deliver('alipay', await sandboxAlipayNotice(t.db, { ...forged, badSignature: true }), `${prefix}::1`);
    await deliver('alipay', await sandboxAlipayNotice(t.db, { ...forged, badSignature: true }), `${prefix}::2`);
    await deliver('alipay', await sandboxAlipayNotice(t.db, { ...forged, signType: 'RSA' }), `${prefix}::3`);
    const counters = await noticeRefusalRepository.ofAddress(t.db, `${prefix}::/64`);
    const byReason = Object.fromEntries(counters.map((c) => [c.reason, c.count]));
    expect(byReason).toEqual({ bad_signature: 2, sign_type_not_rsa2: 1 });
  });

  it('past the limit an address is answered 429, yet its correctly signed notice is processed', async () => {
    const ip = randomIp();
    const { o, outTradeNo } = await pendingAttempt('wechat');
    const forged = await sandboxWechatNotice(t.db, { outTradeNo, amountFen: 22000, badSignature: true });
    const codes: number[] = [];
    for (let i = 0; i < NOTICE_REFUSALS_PER_ADDRESS + 5; i++) codes.push((await deliver('wechat', forged, ip)).statusCode);
    expect(codes.slice(0, NOTICE_REFUSALS_PER_ADDRESS).every((c) => c !== 429 && c >= 400)).toBe(true);
    const limited = await deliver('wechat', forged, ip);
    expect(limited.statusCode).toBe(429);
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
    expect((await orderRow(t.db, o.orderId)).status).toBe('review_passed');

    const genuine = await deliver('wechat', await sandboxWechatNotice(t.db, { outTradeNo, amountFen: 22000 }), ip);
    expect(genuine.statusCode, genuine.body).toBeGreaterThanOrEqual(200);
    expect(genuine.statusCode).toBeLessThan(300);
    expect((await orderRow(t.db, o.orderId)).status).not.toBe('review_passed');
    expect(await refusalRows(ip)).toHaveLength(1);
  });
});
