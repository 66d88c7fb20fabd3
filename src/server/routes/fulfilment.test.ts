/**
 * After payment, through the real app: the payment entry point, the applicant's tracking number, 受理's
 * paper review and call log, 制证 with the invoice deadline, 发放 with the SMS, and recipient changes.
 * Orders reach 资料审核通过 directly (testing/paid-order.ts); from there every step uses the real endpoints.
 * The clock is fixed on Friday 2026-11-20, 10:00 Beijing time. On PostgreSQL all test files share one
 * database: assertions are scoped to this file's own orders, mobiles and addresses.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { and, eq, like, sql } from 'drizzle-orm';
import { AppError } from '../../core/errors.js';
import { ManualClock } from '../clock.js';
import { auditEvents, invoices, orderCalls, outbox, sandboxSms, shipments } from '../db/schema.js';
import { recordPayment } from '../modules/fulfilment/record-payment.js';
import { orderRepository } from '../modules/orders/repository.js';
import { confirmTestImages } from '../modules/seals/testing.js';
import { testApp, type TestApp, type TestClient } from '../testing/harness.js';
import {
  ALL_PAPER_CHECKED,
  approvedOrder,
  eventsOf,
  newApplicant,
  orderRow,
  paidOrder,
  staffMember,
  type TestOrder,
} from '../testing/paid-order.js';
import { smsFor } from '../testing/sms.js';
import { formatOrderNumber } from '../../core/order-number.js';

const FRIDAY = new Date('2026-11-20T10:00:00+08:00');
const clock = new ManualClock(FRIDAY);
let t: TestApp;
let paper: TestClient;
let producer: TestClient;
let shipper: TestClient;
let reviewer: TestClient;

beforeAll(async () => {
  t = await testApp({ clock });
  paper = (await staffMember(t, ['受理'], '李受理')).c;
  producer = (await staffMember(t, ['制证'], '赵制证')).c;
  shipper = (await staffMember(t, ['发放'], '钱发放')).c;
  reviewer = (await staffMember(t, ['预审'], '周预审')).c;
});
afterAll(() => t.close());
// Tests that move the clock put it back for the next.
beforeEach(() => clock.set(FRIDAY));

const SF_NO = 'SF1234567890123';
const view = async (o: TestOrder) => {
  const res = await o.a.c.get(`/api/orders/${o.orderId}`);
  expect(res.statusCode).toBe(200);
  return res.json();
};
const shipPaper = (o: TestOrder, body: unknown = { courier: 'SF', trackingNo: 'SF1000000000001' }) =>
  o.a.c.post(`/api/orders/${o.orderId}/paper-shipment`, body);
/** 制证 with a key the system generates (the CA issue; certificates-issue.test.ts covers the CSR way). */
const GENERATE = { key: { kind: 'generate', password: 'Zhengshu2026!' } };
const step = (c: TestClient, o: TestOrder, path: string, body: unknown = {}) => c.post(`/api/staff/orders/${o.orderId}/${path}`, body);
const putRecipient = (o: TestOrder, body: unknown) =>
  o.a.c.request({
    method: 'PUT',
    url: `/api/orders/${o.orderId}/recipient`,
    payload: body as never,
    headers: { 'x-csrf-token': o.a.c.csrf.org! },
  });
const smsTo = (phone: string) => t.db.select().from(sandboxSms).where(eq(sandboxSms.phoneNumber, phone));

/** A paid order walked through the real endpoints up to the given point. */
async function orderAt(point: 'paid' | 'received' | 'in_production' | 'produced' | 'shipped'): Promise<TestOrder> {
  const o = await paidOrder(t);
  if (point === 'paid') return o;
  expect((await shipPaper(o)).statusCode).toBe(201);
  expect((await step(paper, o, 'paper/receive')).statusCode).toBe(200);
  if (point === 'received') return o;
  expect((await step(paper, o, 'paper/pass', ALL_PAPER_CHECKED)).statusCode).toBe(200);
  if (point === 'in_production') return o;
  // The impressions confirmed first (as the seal-image step records it): issuing makes the seals too, so the key can ship.
  await confirmTestImages(t.db, o.orderId);
  const produced = await step(producer, o, 'produce', GENERATE);
  expect(produced.statusCode).toBe(200);
  expect(produced.json().seals).toMatchObject({ status: 'made', message: '已按确认的印模制作 3 枚电子签章' });
  if (point === 'produced') return o;
  expect((await step(shipper, o, 'ship', { trackingNo: SF_NO })).statusCode).toBe(200);
  return o;
}

function expectConflictNaming(res: { statusCode: number; json(): { error: { code: string; message: string } } }, status: RegExp) {
  expect(res.statusCode).toBe(409);
  expect(res.json().error.code).toBe('CONFLICT');
  expect(res.json().error.message).toMatch(status);
}

describe('付款 (recordPayment, the entry point the payments module calls)', () => {
  it('moves 资料审核通过 → 正在受理 (等待邮寄纸质资料) as the system, sets paid_at and opens the invoice from the form', async () => {
    const o = await approvedOrder(t);
    const at = new Date('2026-11-20T09:30:00+08:00');
    const r = await recordPayment(t, o.orderId, { channel: 'alipay', amountFen: 22000, transactionId: '2026112022001400001' }, at);
    expect(r).toEqual({ orderId: o.orderId, channel: 'alipay', amountFen: 22000, transactionId: '2026112022001400001', paidAt: at });
    const row = await orderRow(t.db, o.orderId);
    expect(row).toMatchObject({ status: 'paper_awaiting', paidAt: at, statusChangedAt: at });
    const [ev, ...more] = await eventsOf(t.db, o.orderId, 'order.pay');
    expect(more).toHaveLength(0);
    expect(ev).toMatchObject({
      actorType: 'system',
      actorId: null,
      fromStatus: 'review_passed',
      toStatus: 'paper_awaiting',
      public: true,
      detail: { channel: 'alipay', amountFen: 22000, transactionId: '2026112022001400001' },
    });
    const [inv] = await t.db.select().from(invoices).where(eq(invoices.orderId, o.orderId));
    expect(inv).toMatchObject({
      status: 'waiting',
      amountFen: 22000,
      title: o.a.name,
      taxNumber: o.a.uscc,
      email: o.invoiceEmail,
      dueAt: null,
    });
    const v = await view(o);
    expect(v.order).toMatchObject({ status: 'paper_awaiting', statusLabel: '正在受理', statusStep: '等待邮寄纸质资料' });
    expect(v.invoice).toMatchObject({ status: 'waiting', issuedAt: null, downloadable: false });
  });

  it('is idempotent per transaction id: the same notice again (even five at once) changes nothing and answers the same', async () => {
    const o = await approvedOrder(t);
    const pay = { channel: 'wechat' as const, amountFen: 19000, transactionId: '4200001234202611200000001' };
    const first = await recordPayment(t, o.orderId, pay, new Date('2026-11-20T09:00:00+08:00'));
    const again = await Promise.all(
      Array.from({ length: 5 }, () => recordPayment(t, o.orderId, pay, new Date('2026-11-20T09:45:00+08:00'))),
    );
    for (const r of again) expect(r).toEqual(first);
    expect(await eventsOf(t.db, o.orderId, 'order.pay')).toHaveLength(1);
    expect(await t.db.select().from(invoices).where(eq(invoices.orderId, o.orderId))).toHaveLength(1);
    expect((await orderRow(t.db, o.orderId)).paidAt).toEqual(first.paidAt);
    // Later steps do not change the answer either.
    expect((await shipPaper(o)).statusCode).toBe(201);
    expect(await recordPayment(t, o.orderId, pay, clock.now())).toEqual(first);
  });

  it('refuses a second, different payment for a paid order, and an order not yet approved', async () => {
    const o = await paidOrder(t);
    const other = recordPayment(t, o.orderId, { channel: 'wechat', amountFen: 22000, transactionId: 'another-transaction' }, clock.now());
    await expect(other).rejects.toMatchObject({ code: 'CONFLICT', message: expect.stringMatching(/已付款.*another-transaction.*未记入/) });
    expect(await eventsOf(t.db, o.orderId, 'order.pay')).toHaveLength(1);

    const draft = await approvedOrder(t);
    await orderRepository.setStatus(t.db, draft.orderId, 'review_passed', 'submitted', clock.now());
    const early = recordPayment(t, draft.orderId, { channel: 'wechat', amountFen: 22000, transactionId: 'tx-early' }, clock.now());
    await expect(early).rejects.toMatchObject({ code: 'CONFLICT', message: expect.stringMatching(/正在审核/) });
    expect(await t.db.select().from(invoices).where(eq(invoices.orderId, draft.orderId))).toHaveLength(0);

    for (const bad of [
      { channel: 'cash', amountFen: 22000, transactionId: 'x' },
      { channel: 'wechat', amountFen: 0, transactionId: 'x' },
      { channel: 'wechat', amountFen: 1.5, transactionId: 'x' },
      { channel: 'wechat', amountFen: 22000, transactionId: '' },
    ])
      await expect(recordPayment(t, draft.orderId, bad as never, clock.now())).rejects.toBeInstanceOf(AppError);
    await expect(
      recordPayment(t, crypto.randomUUID(), { channel: 'wechat', amountFen: 1, transactionId: 'x' }, clock.now()),
    ).rejects.toMatchObject({
      code: 'NOT_FOUND',
    });
  });
});

describe('邮寄纸质资料 (the applicant enters the tracking number)', () => {
  it('shows the paper list with the order number, records the shipment and a public event', async () => {
    const o = await paidOrder(t);
    const before = await view(o);
    expect(before.paper.canEnterShipment).toBe(true);
    expect(before.paper.orderNo).toBe(o.orderNo);
    expect(before.paper.list).toHaveLength(5);
    expect(before.paper.list[0]).toContain(`左上角写明订单编号 ${formatOrderNumber(o.orderNo)}`);
    expect(before.paper.list.join('\n')).toContain('电子签章采集表');
    expect(before.paper.shipments).toEqual([]);

    const res = await shipPaper(o, { courier: 'SF', trackingNo: 'sf 1234 5678 9012 3' });
    expect(res.statusCode, res.body).toBe(201);
    expect(res.json().paper.shipments).toEqual([
      {
        courier: 'SF',
        courierCode: 'SF',
        courierLabel: '顺丰速运',
        trackingNo: SF_NO,
        trackingUrl: `https://www.sf-express.com/chn/sc/waybill/waybill-detail/${SF_NO}`,
        at: clock.now().toISOString(),
      },
    ]);
    const [ev] = await eventsOf(t.db, o.orderId, 'order.paper_shipment');
    expect(ev).toMatchObject({ actorType: 'org', public: true, detail: { courier: 'SF', trackingNo: SF_NO } });
    expect((await view(o)).events.map((e: { action: string }) => e.action)).toContain('order.paper_shipment');

    // EMS and another courier (its name as typed) are accepted too; every number is kept, oldest first.
    clock.advance(60_000);
    expect((await shipPaper(o, { courier: 'EMS', trackingNo: 'ea123456789cn' })).statusCode).toBe(201);
    clock.advance(60_000);
    const other = await shipPaper(o, { courier: 'other', courierName: '中通快递', trackingNo: '75312345678901' });
    expect(other.statusCode).toBe(201);
    expect(other.json().paper.shipments.map((s: { courier: string; trackingNo: string }) => `${s.courier} ${s.trackingNo}`)).toEqual([
      `SF ${SF_NO}`,
      'EMS EA123456789CN',
      '中通快递 75312345678901',
    ]);
  });

  it.each([
    ['a malformed SF number', { courier: 'SF', trackingNo: 'SF12345' }, 'trackingNo', /顺丰运单号格式不正确/],
    ['a malformed EMS number', { courier: 'EMS', trackingNo: 'E12345678CN' }, 'trackingNo', /EMS邮件号格式不正确/],
    ['another courier without its name', { courier: 'other', trackingNo: 'ZTO12345678' }, 'courierName', /请填写快递公司名称/],
    ['no courier', { trackingNo: SF_NO }, 'courier', /请选择快递公司/],
    ['no number', { courier: 'SF' }, 'trackingNo', /请填写快递单号/],
  ])('refuses %s with a Chinese message on the field', async (_label, body, field, message) => {
    const o = await paidOrder(t);
    const res = await shipPaper(o, body);
    expect(res.statusCode).toBe(400);
    expect(res.json().error.fields[field]).toMatch(message);
    expect(await t.db.select().from(shipments).where(eq(shipments.orderId, o.orderId))).toHaveLength(0);
  });

  it('is refused before payment and while the paper is being checked (409 naming the status), and on another organization’s order (404)', async () => {
    const unpaid = await approvedOrder(t);
    expectConflictNaming(await shipPaper(unpaid), /资料审核通过/);
    const received = await orderAt('received');
    expectConflictNaming(await shipPaper(received), /正在受理（已收到纸质资料，正在审核）/);
    const mine = await paidOrder(t);
    const stranger = await newApplicant(t);
    const res = await stranger.c.post(`/api/orders/${mine.orderId}/paper-shipment`, { courier: 'SF', trackingNo: SF_NO });
    expect(res.statusCode).toBe(404);
    expect((await stranger.c.get(`/api/orders/${mine.orderId}`)).statusCode).toBe(404);
  });
});

describe('审核纸质资料 (受理)', () => {
  it('receives the paper (paper_received_at) and passes it to 制证 (production_started_at)', async () => {
    const o = await paidOrder(t);
    expect((await shipPaper(o)).statusCode).toBe(201);
    const r = await step(paper, o, 'paper/receive');
    expect(r.statusCode, r.body).toBe(200);
    expect(r.json().order).toMatchObject({ id: o.orderId, status: 'paper_received', statusLabel: '正在受理' });
    expect((await orderRow(t.db, o.orderId)).paperReceivedAt).toEqual(clock.now());
    expectConflictNaming(await step(paper, o, 'paper/receive'), /正在受理（已收到纸质资料，正在审核）/);
    const p = await step(paper, o, 'paper/pass', ALL_PAPER_CHECKED);
    expect(p.statusCode).toBe(200);
    const row = await orderRow(t.db, o.orderId);
    expect(row).toMatchObject({ status: 'in_production', productionStartedAt: clock.now() });
    expect((await view(o)).order.statusStep).toBe('纸质资料合格，正在制证');
    const audit = await t.db
      .select()
      .from(auditEvents)
      .where(and(eq(auditEvents.targetId, o.orderId), like(auditEvents.action, 'order.%')));
    // Every step writes its audit row, the payment (by the system) too (the workflow engine).
    expect(audit.map((a) => a.action).sort()).toEqual(['order.pass_paper', 'order.pay', 'order.receive_paper']);
  });

  it.each([
    ['paper/receive', {}],
    ['paper/pass', ALL_PAPER_CHECKED],
    ['paper/fail', { missing: ['seal-sheet'] }],
    ['calls', { calledAt: FRIDAY.toISOString(), outcome: 'reached' }],
  ])('%s is 受理 work: other roles get 403 naming 受理, and nothing changes', async (path, body) => {
    const o = await orderAt('received');
    for (const c of [reviewer, producer, shipper]) {
      const res = await step(c, o, path, body);
      expect(res.statusCode).toBe(403);
      expect(res.json().error.message).toMatch(/受理/);
    }
    expect((await orderRow(t.db, o.orderId)).status).toBe('paper_received');
  });

  it('fails the paper with what is missing: the applicant sees it, the agent gets exactly one SMS per failure', async () => {
    const o = await orderAt('received');
    const res = await step(paper, o, 'paper/fail', { missing: ['seal-sheet', 'business-license'], note: '签章采集表印模不清晰' });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json().order.status).toBe('paper_failed');
    // A double click (or a colleague) is refused and sends nothing more.
    expectConflictNaming(await step(paper, o, 'paper/fail', { missing: ['seal-sheet'] }), /纸质资料需补寄/);

    const v = await view(o);
    expect(v.order.statusStep).toBe('纸质资料需补寄');
    expect(v.paper.canEnterShipment).toBe(true);
    expect(v.paper.resend).toMatchObject({ names: ['营业执照复印件', '电子签章采集表'], note: '签章采集表印模不清晰' });
    const failEvent = v.events.find((e: { action: string }) => e.action === 'order.fail_paper');
    expect(failEvent.reason).toBe('需补寄：营业执照复印件、电子签章采集表。签章采集表印模不清晰');

    const [sms] = await smsFor(t, o.agentMobile);
    expect(sms!.templateParam).toEqual({ orderNo: formatOrderNumber(o.orderNo), missing: '营业执照复印件、电子签章采集表' });
    expect(sms!.text).toContain(`您的数字证书订单${formatOrderNumber(o.orderNo)}纸质资料需补寄：营业执照复印件、电子签章采集表。`);
    for (let i = 0; i < 3; i++) await t.outbox.runOnce();
    expect(await smsTo(o.agentMobile)).toHaveLength(1);

    // Re-sent, received again, failed again: a second failure is a second SMS (its own dedupe key).
    expect((await shipPaper(o, { courier: 'EMS', trackingNo: '1234567890123' })).statusCode).toBe(201);
    expect((await step(paper, o, 'paper/receive')).statusCode).toBe(200);
    expect((await step(paper, o, 'paper/fail', { missing: ['power-of-attorney'] })).statusCode).toBe(200);
    const both = await smsFor(t, o.agentMobile, 2);
    expect(both[1]!.templateParam).toEqual({ orderNo: formatOrderNumber(o.orderNo), missing: '法人授权委托书' });
    for (let i = 0; i < 3; i++) await t.outbox.runOnce();
    expect(await smsTo(o.agentMobile)).toHaveLength(2);
    const keys = (
      await t.db
        .select()
        .from(outbox)
        .where(like(outbox.dedupeKey, `order-sms:${o.orderId}:%`))
    )
      .map((r) => r.dedupeKey)
      .sort();
    expect(keys).toEqual([`order-sms:${o.orderId}:paper-fail:1`, `order-sms:${o.orderId}:paper-fail:2`]);
  });

  it.each([
    ['nothing chosen', { missing: [] }, /请至少选择一项/],
    ['a document not on this order’s list', { missing: ['appointment-letter'] }, /不在本订单的纸质资料清单中/],
    ['something not a document', { missing: ['invoice'] }, /请从纸质资料清单中选择/],
  ])('refuses a failure with %s (400, in Chinese)', async (_label, body, message) => {
    const o = await orderAt('received');
    const res = await step(paper, o, 'paper/fail', body);
    expect(res.statusCode).toBe(400);
    expect(res.json().error.fields.missing).toMatch(message);
    expect((await orderRow(t.db, o.orderId)).status).toBe('paper_received');
  });

  it('logs phone calls with time, outcome and note; staff-only, never in the applicant’s view', async () => {
    const o = await orderAt('received');
    expect((await step(paper, o, 'paper/fail', { missing: ['agent-id'] })).statusCode).toBe(200);
    const calledAt = new Date('2026-11-20T09:40:00+08:00');
    const first = await step(paper, o, 'calls', { calledAt: calledAt.toISOString(), outcome: 'no_answer' });
    expect(first.statusCode, first.body).toBe(201);
    const second = await step(paper, o, 'calls', {
      calledAt: '2026-11-20T09:55:00+08:00',
      outcome: 'reached',
      note: '经办人内部备注：下午补寄身份证复印件',
    });
    expect(second.statusCode).toBe(201);
    expect(second.json().call).toMatchObject({ outcome: 'reached', note: '经办人内部备注：下午补寄身份证复印件' });
    const calls = await t.db.select().from(orderCalls).where(eq(orderCalls.orderId, o.orderId));
    expect(calls.map((c) => [c.outcome, c.calledAt.toISOString()])).toEqual([
      ['no_answer', calledAt.toISOString()],
      ['reached', '2026-11-20T01:55:00.000Z'],
    ]);
    const events = await eventsOf(t.db, o.orderId, 'order.call');
    expect(events).toHaveLength(2);
    expect(events.every((e) => e.public === false)).toBe(true);
    const applicantSees = JSON.stringify(await view(o));
    expect(applicantSees).not.toContain('内部备注');
    expect(applicantSees).not.toContain('order.call');
  });

  it.each([
    ['an unknown outcome', { calledAt: FRIDAY.toISOString(), outcome: 'busy' }, 'outcome', /请选择通话结果/],
    ['no time', { outcome: 'reached' }, 'calledAt', /请填写通话时间/],
    ['a time in the future', { calledAt: '2026-11-20T12:00:00+08:00', outcome: 'reached' }, 'calledAt', /不能晚于现在/],
  ])('refuses a call with %s', async (_label, body, field, message) => {
    const o = await orderAt('received');
    const res = await step(paper, o, 'calls', body);
    expect(res.statusCode).toBe(400);
    expect(res.json().error.fields[field]).toMatch(message);
    expect(await t.db.select().from(orderCalls).where(eq(orderCalls.orderId, o.orderId))).toHaveLength(0);
  });

  it('refuses a call log on an order that is not being handled (409 naming its status)', async () => {
    const unpaid = await approvedOrder(t);
    expectConflictNaming(await step(paper, unpaid, 'calls', { calledAt: FRIDAY.toISOString(), outcome: 'reached' }), /资料审核通过/);
  });
});

describe('制证 and the invoice deadline', () => {
  it('makes the certificate through the port, sets produced_at, and the invoice falls due 3 working days later — across the weekend', async () => {
    const o = await orderAt('in_production');
    const res = await step(producer, o, 'produce', GENERATE);
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json().order).toMatchObject({ status: 'produced', statusLabel: '制证完成' });
    expect((await orderRow(t.db, o.orderId)).producedAt).toEqual(FRIDAY);
    const [ev] = await eventsOf(t.db, o.orderId, 'order.produce');
    expect(ev!.detail).toEqual({
      production: {
        method: 'ca',
        certificate: true,
        certificateId: expect.any(String),
        serial: expect.stringMatching(/^[0-9a-f]+$/),
        keySource: 'generated',
        seal: true,
        confirmedBy: expect.any(String),
      },
    });
    // Friday 20 November → Monday 23, Tuesday 24, Wednesday 25: due at the end of Wednesday, Beijing time.
    const [inv] = await t.db.select().from(invoices).where(eq(invoices.orderId, o.orderId));
    expect(inv).toMatchObject({ status: 'due', dueAt: new Date('2026-11-25T24:00:00+08:00') });
    expect((await view(o)).invoice).toMatchObject({ status: 'due', downloadable: false });
  });

  it('is 制证 work (403 naming 制证) and only for an order whose paper passed (409 naming its status)', async () => {
    const o = await orderAt('received');
    for (const c of [paper, shipper, reviewer]) {
      const res = await step(c, o, 'produce', GENERATE);
      expect(res.statusCode).toBe(403);
      expect(res.json().error.message).toMatch(/制证/);
    }
    expectConflictNaming(await step(producer, o, 'produce', GENERATE), /正在受理（已收到纸质资料，正在审核）/);
    const [inv] = await t.db.select().from(invoices).where(eq(invoices.orderId, o.orderId));
    expect(inv!.status).toBe('waiting');
  });
});

describe('发放 of a main key waits for its electronic seals (the workflow guard seals_ready)', () => {
  const ship = (o: TestOrder) => step(shipper, o, 'ship', { trackingNo: SF_NO });
  const refusedWith = async (o: TestOrder, reason: RegExp) => {
    const res = await ship(o);
    expect(res.statusCode, res.body).toBe(409);
    expect(res.json().error).toMatchObject({ code: 'CONFLICT', message: expect.stringMatching(reason) });
    // The staff order page offers 发放 with the same reason, before anyone tries.
    const action = (await shipper.get(`/api/staff/orders/${o.orderId}`))
      .json()
      .actions.find((a: { action: string }) => a.action === 'ship');
    expect(action.blocked).toMatch(reason);
    expect((await orderRow(t.db, o.orderId)).status).toBe('produced');
  };

  it('refuses the key until every confirmed impression is an active seal of its certificate, in whatever order 制证 works', async () => {
    const o = await orderAt('in_production');
    // 签发证书 before the impressions are confirmed: the answer says the seals are still to be made.
    const produced = await step(producer, o, 'produce', GENERATE);
    expect(produced.statusCode, produced.body).toBe(200);
    expect(produced.json().seals).toMatchObject({ status: 'waiting', message: expect.stringContaining('印模尚未确认') });
    await refusedWith(o, /^主锁须带电子签章发放：印模尚未确认/);
    // Confirmed at 制证完成, not yet made.
    await confirmTestImages(t.db, o.orderId);
    await refusedWith(o, /企业公章、法人私章、法人手写签名的电子签章尚未制作/);
    expect((await producer.post(`/api/staff/orders/${o.orderId}/seals`)).statusCode).toBe(201);
    // The confirmation changed after the seals were made: they must be made again.
    await confirmTestImages(t.db, o.orderId, { variant: 1 });
    await refusedWith(o, /印模已重新确认，请制证人员重新制作电子签章/);
    expect((await producer.post(`/api/staff/orders/${o.orderId}/seals`)).statusCode).toBe(201);
    // Nothing was recorded by the refusals: no outbound shipment, no 发放 event, no SMS.
    const before = await t.db
      .select()
      .from(shipments)
      .where(and(eq(shipments.orderId, o.orderId), eq(shipments.direction, 'outbound')));
    expect(before).toEqual([]);
    expect(await eventsOf(t.db, o.orderId, 'order.ship')).toEqual([]);
    const res = await ship(o);
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json().order.status).toBe('shipped');
  });

  it('a certificate revoked after its seals were made stops the key too', async () => {
    const o = await orderAt('produced');
    await t.db.execute(sql`UPDATE certificates SET status = 'revoked', revoked_at = now() WHERE order_id = ${o.orderId}`);
    await refusedWith(o, /证书尚未签发或已吊销/);
  });
});

describe('发放 (SF Express, 顺丰到付)', () => {
  it('records the SF number, moves to 已发放, texts the agent once, and the applicant sees both tracking numbers and the SF link', async () => {
    const o = await orderAt('produced');
    const res = await step(shipper, o, 'ship', { trackingNo: ' sf1234567890123 ' });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json().order).toMatchObject({ status: 'shipped', statusLabel: '已发放' });
    expect((await orderRow(t.db, o.orderId)).shippedAt).toEqual(FRIDAY);
    expectConflictNaming(await step(shipper, o, 'ship', { trackingNo: 'SF9999999999999' }), /已发放/);

    const out = await t.db
      .select()
      .from(shipments)
      .where(and(eq(shipments.orderId, o.orderId), eq(shipments.direction, 'outbound')));
    expect(out).toMatchObject([{ courier: 'SF', trackingNo: SF_NO, enteredByType: 'staff' }]);
    const [sms] = await smsFor(t, o.agentMobile);
    expect(sms!.templateParam).toEqual({ orderNo: formatOrderNumber(o.orderNo), trackingNo: SF_NO });
    expect(sms!.text).toContain(`已用顺丰到付寄出，运单号${SF_NO}`);
    // Where the UKEY's initial PIN is and that it should be changed (seeds name no PIN: the envelope does).
    expect(sms!.text).toContain('UKEY初始口令见随UKEY寄出的密码信封，收到后请在UKEY管理工具中修改口令');
    for (let i = 0; i < 3; i++) await t.outbox.runOnce();
    expect(await smsTo(o.agentMobile)).toHaveLength(1);

    const v = await view(o);
    expect(v.order).toMatchObject({ status: 'shipped', statusLabel: '已发放' });
    expect(v.paper.shipments.map((s: { trackingNo: string }) => s.trackingNo)).toEqual(['SF1000000000001']);
    expect(v.delivery.outbound).toEqual({
      courier: 'SF',
      trackingNo: SF_NO,
      trackingUrl: `https://www.sf-express.com/chn/sc/waybill/waybill-detail/${SF_NO}`,
      shippedAt: FRIDAY.toISOString(),
    });
    expect(v.delivery.recipientEditable).toBe(false);
    expect(v.events.map((e: { action: string }) => e.action)).toEqual(
      expect.arrayContaining([
        'order.pay',
        'order.paper_shipment',
        'order.receive_paper',
        'order.pass_paper',
        'order.produce',
        'order.ship',
      ]),
    );
  });

  it.each([
    ['an EMS number', 'EA123456789CN'],
    ['too few digits', 'SF12345678901'],
    ['letters', 'SFABCDEFGHIJKL'],
    ['nothing', ''],
  ])('refuses a bad SF number (%s) with a Chinese message and changes nothing', async (_label, trackingNo) => {
    const o = await orderAt('produced');
    const res = await step(shipper, o, 'ship', { trackingNo });
    expect(res.statusCode).toBe(400);
    expect(res.json().error.fields.trackingNo).toMatch(/顺丰运单号格式不正确|请填写快递单号/);
    expect((await orderRow(t.db, o.orderId)).status).toBe('produced');
  });

  it('is 发放 work (403) and only after 制证完成 (409)', async () => {
    const o = await orderAt('in_production');
    for (const c of [paper, producer]) expect((await step(c, o, 'ship', { trackingNo: SF_NO })).statusCode).toBe(403);
    expectConflictNaming(await step(shipper, o, 'ship', { trackingNo: SF_NO }), /正在受理（纸质资料合格，正在制证）/);
    expect(await smsTo(o.agentMobile)).toHaveLength(0);
  });
});

describe('证书接收人 (recipient changes until shipped)', () => {
  const NEW = { name: '赵六', mobile: '138 0013 8000', address: '江西省九江市浔阳区滨江路213号' };

  it('the applicant changes it while the key is not shipped: form updated, version bumped, public event', async () => {
    const o = await orderAt('produced');
    const before = await orderRow(t.db, o.orderId);
    const res = await putRecipient(o, NEW);
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json().delivery.recipient).toEqual({ ...NEW, mobile: '13800138000' });
    const after = await orderRow(t.db, o.orderId);
    expect(after.formVersion).toBe(before.formVersion + 1);
    expect((after.form as { recipient: unknown }).recipient).toEqual({ ...NEW, mobile: '13800138000' });
    expect((after.form as { invoice: unknown }).invoice).toEqual((before.form as { invoice: unknown }).invoice);
    const [ev] = await eventsOf(t.db, o.orderId, 'order.recipient_change');
    expect(ev).toMatchObject({ public: true, actorType: 'org' });
  });

  it.each([
    ['a landline', { ...NEW, mobile: '0791-82097407' }, 'mobile', /收件人手机号/],
    ['no name', { ...NEW, name: '' }, 'name', /请填写收件人姓名/],
    ['a short address', { ...NEW, address: '南昌' }, 'address', /收件地址至少5个字/],
  ])('refuses %s with the order form’s rules', async (_label, body, field, message) => {
    const o = await paidOrder(t);
    const res = await putRecipient(o, body);
    expect(res.statusCode).toBe(400);
    expect(res.json().error.fields[field]).toMatch(message);
  });

  it('staff correct it with a reason (受理, 发放, 管理员) that stays on the staff side', async () => {
    const o = await orderAt('produced');
    const admin = (await staffMember(t, ['管理员'])).c;
    const res = await admin.post(`/api/staff/orders/${o.orderId}/recipient`, { ...NEW, reason: '经办人来电：收件人换为赵六（内部记录）' });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json().recipient).toEqual({ ...NEW, mobile: '13800138000' });
    const [ev] = await eventsOf(t.db, o.orderId, 'order.recipient_correct');
    expect(ev).toMatchObject({ public: false, actorType: 'staff', reason: '经办人来电：收件人换为赵六（内部记录）' });
    const applicantSees = await view(o);
    expect(applicantSees.delivery.recipient.name).toBe('赵六');
    expect(JSON.stringify(applicantSees)).not.toContain('内部记录');
    const [audit] = await t.db
      .select()
      .from(auditEvents)
      .where(and(eq(auditEvents.targetId, o.orderId), eq(auditEvents.action, 'order.recipient_correct')));
    expect(audit!.detail).toMatchObject({ reason: '经办人来电：收件人换为赵六（内部记录）' });
    for (const c of [paper, shipper])
      expect((await c.post(`/api/staff/orders/${o.orderId}/recipient`, { ...NEW, reason: '核对地址' })).statusCode).toBe(200);
    expect((await producer.post(`/api/staff/orders/${o.orderId}/recipient`, { ...NEW, reason: '核对地址' })).statusCode).toBe(403);
    const noReason = await paper.post(`/api/staff/orders/${o.orderId}/recipient`, NEW);
    expect(noReason.statusCode).toBe(400);
    expect(noReason.json().error.fields.reason).toMatch(/请填写更正原因/);
  });

  it('is refused once shipped, for the applicant and for staff', async () => {
    const o = await orderAt('shipped');
    expectConflictNaming(await putRecipient(o, NEW), /已寄出/);
    expectConflictNaming(await paper.post(`/api/staff/orders/${o.orderId}/recipient`, { ...NEW, reason: '地址有误' }), /已寄出/);
    expect(((await orderRow(t.db, o.orderId)).form as { recipient: { name: string } }).recipient.name).toBe('王五');
  });
});
