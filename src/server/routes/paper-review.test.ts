/**
 * 受理 and the paper that arrives (issue 13, item 16), through the real app: the order is found by the
 * courier number on the envelope (the applicant's paper shipment), the staff order page carries this
 * order's paper checklist (which originals, which seals — core/paper-checklist.ts), and the ticks go with
 * 纸质资料合格 (all of them, or it is refused) or 不合格, recorded on the event and the audit row and shown
 * later. On PostgreSQL all test files share one database: everything is scoped to this file's orders.
 */
import { randomInt } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { and, eq } from 'drizzle-orm';
import { auditEvents } from '../db/schema.js';
import { testApp, type TestApp, type TestClient } from '../testing/harness.js';
import { ALL_PAPER_CHECKED, eventsOf, orderRow, paidOrder, staffMember, type TestOrder } from '../testing/paid-order.js';

let t: TestApp;
let paper: TestClient;
let producer: TestClient;
beforeAll(async () => {
  t = await testApp();
  paper = (await staffMember(t, ['受理'], '孙受理')).c;
  producer = (await staffMember(t, ['制证'], '吴制证')).c;
});
afterAll(() => t.close());

const sfNo = () => `SF${String(randomInt(10 ** 12)).padStart(13, '1')}`;
const step = (o: TestOrder, path: string, body: unknown = {}) => paper.post(`/api/staff/orders/${o.orderId}/${path}`, body);
const staffView = async (c: TestClient, o: TestOrder) => {
  const res = await c.get(`/api/staff/orders/${o.orderId}`);
  expect(res.statusCode).toBe(200);
  return res.json();
};

/** A paid order whose paper the applicant sent (SF) and 受理 received. */
async function received(trackingNo = sfNo(), courier = 'SF'): Promise<TestOrder & { trackingNo: string }> {
  const o = await paidOrder(t);
  expect((await o.a.c.post(`/api/orders/${o.orderId}/paper-shipment`, { courier, trackingNo })).statusCode).toBe(201);
  expect((await step(o, 'paper/receive')).statusCode).toBe(200);
  return { ...o, trackingNo };
}

describe('查找订单 by the courier number of the paper', () => {
  it('finds the order by the number as typed (lower case, spaces, dashes); the search is recorded with its key', async () => {
    const o = await received();
    const typed = `${o.trackingNo.slice(0, 6).toLowerCase()} ${o.trackingNo.slice(6, 10)}-${o.trackingNo.slice(10)}`;
    const res = await paper.get(`/api/staff/orders?q=${encodeURIComponent(typed)}`);
    expect(res.statusCode).toBe(200);
    expect(res.json().items.map((i: { id: string }) => i.id)).toEqual([o.orderId]);
    const [audit] = (await t.db.select().from(auditEvents).where(eq(auditEvents.action, 'order.search'))).filter(
      (r) => (r.detail as { q?: string }).q === typed,
    );
    expect((audit!.detail as { keys: string[] }).keys).toContain('trackingNo');
    // Another number finds nothing; the outbound SF waybill is not the paper's.
    expect((await paper.get(`/api/staff/orders?q=${sfNo()}`)).json().items).toEqual([]);
  });

  it('finds the order by an EMS number', async () => {
    const ems = `EA${String(randomInt(10 ** 9)).padStart(9, '7')}CN`;
    const o = await received(ems, 'EMS');
    const found = (await paper.get(`/api/staff/orders?q=${ems.toLowerCase()}`)).json().items;
    expect(found.map((i: { id: string }) => i.id)).toEqual([o.orderId]);
  });
});

describe('受理: the paper checklist', () => {
  it('is on the staff order page: this order’s originals with the seals each carries', async () => {
    const o = await received();
    const v = await staffView(paper, o);
    expect(v.paperChecklist.lastReview).toBeNull();
    expect(v.paperChecklist.items.map((i: { code: string; seals: string[] }) => [i.code, i.seals])).toEqual([
      ['application-form', ['公章原章']],
      ['business-license', ['公章原章']],
      ['agent-id', ['公章原章']],
      ['seal-sheet', ['公章原章', '法人章原章或法定代表人亲笔签字']],
      ['power-of-attorney', ['公章原章', '法人章原章或法定代表人亲笔签字']],
    ]);
  });

  it('纸质资料合格 needs every original ticked: refused naming what is not, and nothing changes', async () => {
    const o = await received();
    for (const [body, message] of [
      [{}, /请勾选核对无误的纸质资料/],
      [{ checked: ['application-form', 'business-license', 'agent-id'] }, /未核对的资料：电子签章采集表、法人授权委托书/],
      [{ checked: [...ALL_PAPER_CHECKED.checked, 'appointment-letter'] }, /不在本订单的纸质资料清单中/],
      [{ checked: ['营业执照'] }, /请从纸质资料清单中勾选/],
    ] as const) {
      const res = await step(o, 'paper/pass', body);
      expect(res.statusCode, JSON.stringify(body)).toBe(400);
      expect(JSON.stringify(res.json().error)).toMatch(message);
    }
    expect((await orderRow(t.db, o.orderId)).status).toBe('paper_received');
  });

  it('records the ticks with 纸质资料合格 (event and audit row) and shows them afterwards', async () => {
    const o = await received();
    expect((await step(o, 'paper/pass', ALL_PAPER_CHECKED)).statusCode).toBe(200);
    const [event] = await eventsOf(t.db, o.orderId, 'order.pass_paper');
    expect(event!.detail).toMatchObject({
      checked: ALL_PAPER_CHECKED.checked,
      checkedNames: ['申请表', '营业执照复印件', '经办人身份证复印件', '电子签章采集表', '法人授权委托书'],
    });
    const [audit] = await t.db
      .select()
      .from(auditEvents)
      .where(and(eq(auditEvents.targetId, o.orderId), eq(auditEvents.action, 'order.pass_paper')));
    expect(audit!.detail).toMatchObject({
      checked: ['申请表', '营业执照复印件', '经办人身份证复印件', '电子签章采集表', '法人授权委托书'],
    });
    // 制证 opens the order later and sees who checked what.
    const v = await staffView(producer, o);
    expect(v.paperChecklist.lastReview).toMatchObject({ action: 'order.pass_paper', checked: ALL_PAPER_CHECKED.checked, by: '孙受理' });
  });

  it('records the ticks with 纸质资料不合格 too; an original cannot be both fine and missing', async () => {
    const o = await received();
    const both = await step(o, 'paper/fail', { missing: ['seal-sheet'], checked: ['seal-sheet', 'agent-id'] });
    expect(both.statusCode).toBe(400);
    expect(both.json().error.fields.missing).toMatch(/不能既勾选为核对无误又选为需补寄/);
    const fine = ['application-form', 'business-license', 'agent-id', 'power-of-attorney'];
    expect((await step(o, 'paper/fail', { missing: ['seal-sheet'], checked: fine })).statusCode).toBe(200);
    const [event] = await eventsOf(t.db, o.orderId, 'order.fail_paper');
    expect(event!.detail).toMatchObject({ missing: ['seal-sheet'], checked: fine });
    const v = await staffView(paper, o);
    expect(v.paperChecklist.lastReview).toMatchObject({ action: 'order.fail_paper', checked: fine, missing: ['seal-sheet'] });
  });
});
