/**
 * 预审 through the real app: orders reach 正在审核 by the applicant's own flow (applicant-flow.ts: form,
 * printed application form, scans, 法人核验 on the sandbox page, submit); a reviewer judges each document
 * and approves or rejects; the agent gets one SMS per decision through the outbox and the sandbox gateway;
 * the applicant sees the reasons, replaces only what failed and resubmits; the reviewer sees what changed.
 * On PostgreSQL every test file shares one database: assertions are scoped to this file's own orders.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { and, eq, like } from 'drizzle-orm';
import { STAFF_ROLES, type StaffRole } from '../../core/schemas.js';
import { systemClock } from '../clock.js';
import { documentReviews, orderEvents, orders, outbox, sandboxSms } from '../db/schema.js';
import { createStaff } from '../modules/staff/staff-accounts.js';
import type { StaffRow } from '../modules/staff/repository.js';
import { putOrderForm, submittedOrder, uploadScan, type SubmittedOrder } from '../testing/applicant-flow.js';
import { testApp, type TestApp, type TestClient } from '../testing/harness.js';
import { smsFor } from '../testing/sms.js';
import { formatOrderNumber } from '../../core/order-number.js';

let t: TestApp;
const PW = 'Review2026pass';
let reviewer: { c: TestClient; s: StaffRow };

beforeAll(async () => {
  t = await testApp();
  reviewer = await loggedIn(['预审'], '周预审');
});
afterAll(() => t.close());

async function loggedIn(roles: StaffRole[], displayName = `测试${roles.join('')}`): Promise<{ c: TestClient; s: StaffRow }> {
  const s = await createStaff(
    { db: t.db, clock: systemClock },
    { username: `rv${randomBytes(5).toString('hex')}`, displayName, roles, password: PW },
    null,
    { ip: 'test' },
  );
  const c = t.client();
  expect((await c.staffLogin(s.username, PW)).statusCode).toBe(200);
  return { c, s };
}

type DocVerdict = { slot: string; verdict: 'pass' | 'fail'; reasons?: string[]; note?: string };
const allPass = (o: SubmittedOrder): DocVerdict[] => o.slots.map((slot) => ({ slot, verdict: 'pass', reasons: [] }));
const review = (c: TestClient, orderId: string, body: unknown) => c.post(`/api/staff/orders/${orderId}/review`, body);
const approve = (o: SubmittedOrder, c = reviewer.c) => review(c, o.orderId, { decision: 'approve', documents: allPass(o) });

const orderRow = async (id: string) => (await t.db.select().from(orders).where(eq(orders.id, id)))[0]!;
const eventsOf = (id: string, action: string) =>
  t.db
    .select()
    .from(orderEvents)
    .where(and(eq(orderEvents.orderId, id), eq(orderEvents.action, action)));
const verdictsOf = (id: string) => t.db.select().from(documentReviews).where(eq(documentReviews.orderId, id));
const outboxOf = (id: string) =>
  t.db
    .select()
    .from(outbox)
    .where(like(outbox.dedupeKey, `order-sms:${id}:%`));
const smsTo = (phone: string) => t.db.select().from(sandboxSms).where(eq(sandboxSms.phoneNumber, phone));

/** Lets every outbox worker finish what it claimed, then counts what the phone received. */
async function settledSms(phone: string, expected: number) {
  const rows = await smsFor(t, phone, expected);
  for (let i = 0; i < 3; i++) {
    await t.outbox.runOnce();
    await new Promise((r) => setTimeout(r, 30));
  }
  const after = await smsTo(phone);
  expect(after).toHaveLength(expected);
  return rows;
}

describe('预审通过 (approve)', () => {
  it('moves the order to 资料审核通过 with one event, records every verdict, and sends one SMS with the template text', async () => {
    const o = await submittedOrder(t);
    expect((await orderRow(o.orderId)).reviewRound).toBe(1);
    const res = await approve(o);
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toMatchObject({ order: { id: o.orderId, status: 'review_passed', reviewRound: 1 }, round: 1, decision: 'approve' });

    const row = await orderRow(o.orderId);
    expect(row.status).toBe('review_passed');
    expect(row.reviewedAt).not.toBeNull();
    const ev = await eventsOf(o.orderId, 'order.approve');
    expect(ev).toHaveLength(1);
    expect(ev[0]).toMatchObject({ actorType: 'staff', actorId: reviewer.s.id, fromStatus: 'submitted', toStatus: 'review_passed' });
    expect(ev[0]!.reason).toBe('全部证件审核通过');
    expect(ev[0]!.detail).toMatchObject({ round: 1, decision: 'approve', orderReason: null });

    const verdicts = await verdictsOf(o.orderId);
    expect(verdicts.map((v) => v.slot).sort()).toEqual([...o.slots].sort());
    expect(verdicts.every((v) => v.round === 1 && v.verdict === 'pass' && v.reviewerId === reviewer.s.id)).toBe(true);
    // Each verdict names the file that was judged: the slot's current document.
    const view = (await o.c.get(`/api/orders/${o.orderId}`)).json();
    for (const v of verdicts) expect(v.documentId).toBe(view.slots.find((s: { code: string }) => s.code === v.slot).uploaded.id);

    const [sms] = await settledSms(o.agentMobile, 1);
    expect(sms!.text).toBe(
      `【江西CA（沙箱）】${o.unitName}：您的数字证书订单${formatOrderNumber(o.orderNo)}资料审核通过，请登录江西CA数字证书在线受理系统付款，付款后邮寄纸质资料。`,
    );
    expect(sms!.templateParam).toEqual({ unit: o.unitName, orderNo: formatOrderNumber(o.orderNo) });
    const queued = await outboxOf(o.orderId);
    expect(queued.map((q) => q.dedupeKey)).toEqual([`order-sms:${o.orderId}:review:1`]);

    // The applicant sees the new status, the step in the timeline and the review, without the reviewer.
    expect(view.order.statusLabel).toBe('资料审核通过');
    expect(view.review).toMatchObject({ round: 1, decision: 'approve', orderReason: null });
    expect(view.review.documents['business-license']).toEqual({ verdict: 'pass', reasons: [], note: null, advice: [] });
    expect(view.events.at(-1)).toMatchObject({ action: 'order.approve', toStatusLabel: '资料审核通过' });
    expect(JSON.stringify(view)).not.toContain(reviewer.s.id);
    expect(JSON.stringify(view)).not.toContain('周预审');
  });

  it('a second decision on the same order is refused with a clear message and changes nothing', async () => {
    const o = await submittedOrder(t);
    expect((await approve(o)).statusCode).toBe(200);
    const again = await approve(o);
    expect(again.statusCode).toBe(409);
    expect(again.json().error.message).toMatch(/该订单已经审核（资料审核通过）/);
    const reject = await review(reviewer.c, o.orderId, {
      decision: 'reject',
      documents: allPass(o),
      orderReason: '主副锁选择错误',
    });
    expect(reject.statusCode).toBe(409);
    expect(await eventsOf(o.orderId, 'order.approve')).toHaveLength(1);
    expect(await eventsOf(o.orderId, 'order.reject')).toHaveLength(0);
    expect(await verdictsOf(o.orderId)).toHaveLength(o.slots.length);
    expect(await outboxOf(o.orderId)).toHaveLength(1);
  });
});

describe('退回修改 (reject), the applicant fixes only what failed, round 2', () => {
  it('shows the reasons to the applicant, takes only the failed slots, resubmits, and shows the reviewer what changed', async () => {
    const o = await submittedOrder(t);
    const docs: DocVerdict[] = o.slots.map((slot) => ({ slot, verdict: 'pass', reasons: [] }));
    docs.find((d) => d.slot === 'business-license')!.verdict = 'fail';
    docs.find((d) => d.slot === 'business-license')!.reasons = ['缩小复印', '未加盖公章原章'];
    docs.find((d) => d.slot === 'business-license')!.note = '请用副本原件按原大小复印';
    docs.find((d) => d.slot === 'agent-id-back')!.verdict = 'fail';
    docs.find((d) => d.slot === 'agent-id-back')!.reasons = ['身份证正反面不全'];
    const res = await review(reviewer.c, o.orderId, { decision: 'reject', documents: docs });
    expect(res.statusCode, res.body).toBe(200);
    const summary = '营业执照复印件：缩小复印、未加盖公章原章；请用副本原件按原大小复印；经办人身份证（国徽面）：身份证正反面不全';
    expect(res.json()).toMatchObject({ decision: 'reject', round: 1, summary, order: { status: 'review_failed' } });
    const ev = await eventsOf(o.orderId, 'order.reject');
    expect(ev).toHaveLength(1);
    expect(ev[0]!.reason).toBe(summary);
    expect(ev[0]!.public).toBe(true);

    const [sms] = await settledSms(o.agentMobile, 1);
    expect(sms!.text).toBe(
      `【江西CA（沙箱）】${o.unitName}：您的数字证书订单${formatOrderNumber(o.orderNo)}资料审核失败，请登录江西CA数字证书在线受理系统“我的订单”查看原因，修改后重新提交。`,
    );

    // The applicant's view: the reasons per document (and what to do), no reviewer, no judged file ids.
    let view = (await o.c.get(`/api/orders/${o.orderId}`)).json();
    expect(view.order.statusLabel).toBe('资料审核失败');
    expect(view.review).toMatchObject({ round: 1, decision: 'reject', orderReason: null });
    expect(view.review.documents['business-license']).toMatchObject({
      verdict: 'fail',
      reasons: ['缩小复印', '未加盖公章原章'],
      note: '请用副本原件按原大小复印',
    });
    expect(view.review.documents['business-license'].advice[0]).toMatch(/请勿缩小复印/);
    expect(view.review.documents['agent-id-front']).toMatchObject({ verdict: 'pass', reasons: [] });
    expect(view.events.at(-1)).toMatchObject({ action: 'order.reject', reason: summary, toStatusLabel: '资料审核失败' });
    const text = JSON.stringify(view);
    expect(text).not.toContain(reviewer.s.id);
    expect(text).not.toContain('周预审');
    expect(text).not.toContain('documentId');
    expect(view.missing).toEqual(['请重新上传：营业执照复印件', '请重新上传：经办人身份证（国徽面）']);
    expect(view.actions.map((a: { action: string }) => a.action)).toEqual(['resubmit', 'delete']);
    expect(view.slots.filter((s: { canUpload: boolean }) => s.canUpload).map((s: { code: string }) => s.code)).toEqual([
      'business-license',
      'agent-id-back',
    ]);

    // Resubmitting before replacing what failed is refused, naming it.
    const early = await o.c.post(`/api/orders/${o.orderId}/submit`);
    expect(early.statusCode).toBe(409);
    expect(early.json().error.message).toMatch(/请重新上传：营业执照复印件；请重新上传：经办人身份证（国徽面）/);

    // A document that passed cannot be replaced; the message says which ones may be.
    const passed = await uploadScan(o.c, o.orderId, 'agent-id-front', 77);
    expect(passed.statusCode).toBe(409);
    expect(passed.json().error.message).toBe(
      '经办人身份证（人像面）已审核通过，无需重新上传；资料审核失败后只能重新上传未通过的证件：营业执照复印件、经办人身份证（国徽面）',
    );

    // Form edits stay allowed (these do not touch what the application form prints).
    await putOrderForm(o.c, o.orderId, {
      ...view.order.form,
      recipient: { ...view.order.form.recipient, address: '江西省九江市浔阳区庐山路1号' },
      invoice: { ...view.order.form.invoice, email: 'caiwu@example.com' },
    });
    expect((await uploadScan(o.c, o.orderId, 'business-license', 91)).statusCode).toBe(201);
    view = (await o.c.get(`/api/orders/${o.orderId}`)).json();
    expect(view.missing).toEqual(['请重新上传：经办人身份证（国徽面）']);
    expect((await o.c.post(`/api/orders/${o.orderId}/submit`)).statusCode).toBe(409);
    expect((await uploadScan(o.c, o.orderId, 'agent-id-back', 92)).statusCode).toBe(201);
    view = (await o.c.get(`/api/orders/${o.orderId}`)).json();
    expect(view.missing).toEqual([]);
    const resubmit = await o.c.post(`/api/orders/${o.orderId}/submit`);
    expect(resubmit.statusCode, resubmit.body).toBe(200);
    expect(resubmit.json().order.statusLabel).toBe('正在审核');
    expect(resubmit.json().review).toMatchObject({ round: 1, decision: 'reject' });
    const row = await orderRow(o.orderId);
    expect(row.reviewRound).toBe(2);
    const submits = await eventsOf(o.orderId, 'order.resubmit');
    expect(submits).toHaveLength(1);
    expect(submits[0]!.detail).toMatchObject({ round: 2, form: { recipient: { address: '江西省九江市浔阳区庐山路1号' } } });

    // The reviewer's view of round 2: the previous verdicts, the replaced documents and the edited fields.
    const rv = await reviewer.c.get(`/api/staff/orders/${o.orderId}/review`);
    expect(rv.statusCode).toBe(200);
    const r = rv.json();
    expect(r.round).toBe(2);
    expect(r.current).toBeNull();
    expect(r.previous).toMatchObject({ round: 1, decision: 'reject', reviewerName: '周预审', orderReason: null });
    expect(r.previous.documents['business-license']).toMatchObject({ verdict: 'fail', reasons: ['缩小复印', '未加盖公章原章'] });
    expect(r.changedSlots).toEqual(['business-license', 'agent-id-back']);
    expect(r.formChanged).toEqual(['invoice.email', 'recipient.address']);
    expect(r.slots.map((s: { code: string }) => s.code)).toEqual(o.slots);
    expect(r.presetReasons.slots['business-license']).toEqual(expect.arrayContaining(['缩小复印', '复印件不清晰', '未加盖公章原章']));
    expect(r.presetReasons.slots['application-form']).toContain('使用了现场办理表格（须使用线上专用申请表）');
    expect(r.presetReasons.slots['seal-sheet']).toContain('印模不清晰或有底色');
    expect(r.presetReasons.order).toContain('主副锁选择错误');

    // Round 2 passes: a second SMS (its own dedupe key), and round 1's verdicts stay on record.
    expect((await approve(o)).statusCode).toBe(200);
    expect((await orderRow(o.orderId)).status).toBe('review_passed');
    const verdicts = await verdictsOf(o.orderId);
    expect(verdicts.filter((v) => v.round === 1)).toHaveLength(o.slots.length);
    expect(verdicts.filter((v) => v.round === 2)).toHaveLength(o.slots.length);
    const rows = await settledSms(o.agentMobile, 2);
    expect(rows[1]!.text).toMatch(/资料审核通过/);
    expect((await outboxOf(o.orderId)).map((q) => q.dedupeKey).sort()).toEqual([
      `order-sms:${o.orderId}:review:1`,
      `order-sms:${o.orderId}:review:2`,
    ]);
    const after = (await reviewer.c.get(`/api/staff/orders/${o.orderId}/review`)).json();
    expect(after.current).toMatchObject({ round: 2, decision: 'approve', reviewerName: '周预审' });
    expect(after.previous.round).toBe(1);
  });

  it('rejects on an order-level reason alone (主副锁选择错误); nothing may be replaced and the reason is shown', async () => {
    const o = await submittedOrder(t);
    const res = await review(reviewer.c, o.orderId, { decision: 'reject', documents: allPass(o), orderReason: '主副锁选择错误' });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json().summary).toBe('订单：主副锁选择错误');
    const view = (await o.c.get(`/api/orders/${o.orderId}`)).json();
    expect(view.review).toMatchObject({ decision: 'reject', orderReason: '主副锁选择错误' });
    expect(view.missing).toEqual([]);
    expect(view.slots.some((s: { canUpload: boolean }) => s.canUpload)).toBe(false);
    const up = await uploadScan(o.c, o.orderId, 'business-license', 5);
    expect(up.statusCode).toBe(409);
    expect(up.json().error.message).toBe('营业执照复印件已审核通过，无需重新上传；资料审核失败后只能重新上传未通过的证件');
  });

  it('a form edit that makes the printed application form stale lets the applicant upload a new one', async () => {
    const o = await submittedOrder(t);
    const docs = allPass(o).map((d) => (d.slot === 'agent-id-front' ? { ...d, verdict: 'fail' as const, note: '身份证过期' } : d));
    expect((await review(reviewer.c, o.orderId, { decision: 'reject', documents: docs })).statusCode).toBe(200);
    expect((await uploadScan(o.c, o.orderId, 'application-form', 3)).statusCode).toBe(409);
    const form = (await o.c.get(`/api/orders/${o.orderId}`)).json().order.form;
    await putOrderForm(o.c, o.orderId, { ...form, unit: { ...form.unit, address: '江西省赣州市章贡区红旗大道2号' } });
    const view = (await o.c.get(`/api/orders/${o.orderId}`)).json();
    expect(view.applicationFormStale).toBe(true);
    // The judged application form printed the old address: it has to be printed and uploaded again.
    expect(view.missing).toEqual([
      expect.stringMatching(/请重新下载申请表/),
      '请重新上传：数字证书用户申请表',
      '请重新上传：经办人身份证（人像面）',
    ]);
    const canUpload = (v: { slots: { code: string; canUpload: boolean }[] }) => v.slots.filter((s) => s.canUpload).map((s) => s.code);
    expect(canUpload(view)).toEqual(['application-form', 'agent-id-front']);
    expect((await o.c.get(`/api/orders/${o.orderId}/templates/application-form.pdf`)).statusCode).toBe(200);
    // Printed again: still the one to replace, until the new scan is in.
    const printed = (await o.c.get(`/api/orders/${o.orderId}`)).json();
    expect(printed.applicationFormStale).toBe(false);
    expect(canUpload(printed)).toEqual(['application-form', 'agent-id-front']);
    expect(printed.missing).toEqual(['请重新上传：数字证书用户申请表', '请重新上传：经办人身份证（人像面）']);
    expect((await uploadScan(o.c, o.orderId, 'application-form', 4)).statusCode).toBe(201);
    expect((await uploadScan(o.c, o.orderId, 'agent-id-front', 6)).statusCode).toBe(201);
    expect((await o.c.post(`/api/orders/${o.orderId}/submit`)).statusCode).toBe(200);
    const r = (await reviewer.c.get(`/api/staff/orders/${o.orderId}/review`)).json();
    expect(r.changedSlots).toEqual(['application-form', 'agent-id-front']);
    expect(r.formChanged).toEqual(['unit.address']);
  });
});

describe('validation: every document judged once, reasons where they belong, decisions that follow from the verdicts', () => {
  let o: SubmittedOrder;
  beforeAll(async () => {
    o = await submittedOrder(t);
  });
  const fail = (slot: string, reasons: string[] = [], note?: string): DocVerdict => ({
    slot,
    verdict: 'fail',
    reasons,
    ...(note ? { note } : {}),
  });
  const withDoc = (d: DocVerdict) => allPass(o).map((x) => (x.slot === d.slot ? d : x));

  const cases: { name: string; body: () => unknown; message: RegExp; field?: string }[] = [
    {
      name: 'a document left unjudged',
      body: () => ({ decision: 'approve', documents: allPass(o).filter((d) => d.slot !== 'seal-sheet') }),
      message: /电子签章采集表尚未评审：每项证件都要给出通过或不通过/,
      field: 'documents.seal-sheet',
    },
    {
      name: 'a slot the order does not have',
      body: () => ({ decision: 'approve', documents: [...allPass(o), { slot: 'appointment-letter', verdict: 'pass', reasons: [] }] }),
      message: /本订单没有上传“appointment-letter”这项证件，不能评审/,
      field: 'documents.appointment-letter',
    },
    {
      name: 'a document judged twice',
      body: () => ({ decision: 'reject', documents: [...allPass(o), fail('business-license', ['缩小复印'])] }),
      message: /营业执照复印件评审了不止一次，每项证件只能给出一个结论/,
      field: 'documents.business-license',
    },
    {
      name: 'a failed document without a reason or note',
      body: () => ({ decision: 'reject', documents: withDoc(fail('power-of-attorney')) }),
      message: /法人授权委托书：不通过时请选择原因或填写说明/,
      field: 'documents.power-of-attorney',
    },
    {
      name: 'a blank note does not count as one',
      body: () => ({ decision: 'reject', documents: withDoc({ ...fail('power-of-attorney'), note: '   ' }) }),
      message: /法人授权委托书：不通过时请选择原因或填写说明/,
    },
    {
      name: 'a passed document with reasons',
      body: () => ({ decision: 'approve', documents: withDoc({ slot: 'agent-id-front', verdict: 'pass', reasons: ['复印件不清晰'] }) }),
      message: /经办人身份证（人像面）：审核通过的证件不能选择不通过原因/,
    },
    {
      name: 'a reason that is not preset for that document',
      body: () => ({ decision: 'reject', documents: withDoc(fail('business-license', ['印模不清晰或有底色'])) }),
      message: /营业执照复印件：“印模不清晰或有底色”不是这项证件的预设原因，其他原因请写在说明中/,
    },
    {
      name: 'approving with a failed document',
      body: () => ({ decision: 'approve', documents: withDoc(fail('seal-sheet', ['印章压线或超出采集框'])) }),
      message: /预审通过要求每项证件都审核通过；以下证件不通过：电子签章采集表/,
      field: 'decision',
    },
    {
      name: 'approving with an order-level reason',
      body: () => ({ decision: 'approve', documents: allPass(o), orderReason: '主副锁选择错误' }),
      message: /预审通过时不能填写订单退回原因/,
      field: 'orderReason',
    },
    {
      name: 'rejecting with nothing failed and no order-level reason',
      body: () => ({ decision: 'reject', documents: allPass(o), orderReason: '  ' }),
      message: /退回修改须至少有一项证件不通过，或填写订单退回原因/,
      field: 'decision',
    },
    {
      name: 'no decision',
      body: () => ({ decision: 'maybe', documents: allPass(o) }),
      message: /填写的信息有误/,
      field: 'decision',
    },
  ];

  it.each(cases)('refuses $name (400, Chinese message naming the document or rule) and changes nothing', async (c) => {
    const res = await review(reviewer.c, o.orderId, c.body());
    expect(res.statusCode, res.body).toBe(400);
    expect(res.json().error.code).toBe('VALIDATION_FAILED');
    expect(res.json().error.message + JSON.stringify(res.json().error.fields ?? {})).toMatch(c.message);
    if (c.field) expect(Object.keys(res.json().error.fields)).toContain(c.field);
    const row = await orderRow(o.orderId);
    expect(row.status).toBe('submitted');
    expect(row.reviewedAt).toBeNull();
    expect(await verdictsOf(o.orderId)).toHaveLength(0);
    expect(await outboxOf(o.orderId)).toHaveLength(0);
  });

  it('names every problem at once', async () => {
    const docs = allPass(o)
      .filter((d) => d.slot !== 'seal-sheet')
      .map((d) => (d.slot === 'business-license' ? fail('business-license') : d));
    const res = await review(reviewer.c, o.orderId, { decision: 'approve', documents: docs });
    expect(res.statusCode).toBe(400);
    const m = res.json().error.message as string;
    expect(m).toMatch(/营业执照复印件：不通过时请选择原因或填写说明/);
    expect(m).toMatch(/电子签章采集表尚未评审/);
    expect(m).toMatch(/以下证件不通过：营业执照复印件/);
  });

  it('a failed document with a note only, or with reasons only, is enough', async () => {
    const other = await submittedOrder(t);
    const docs = other.slots.map((slot) =>
      slot === 'seal-sheet'
        ? { slot, verdict: 'fail', reasons: [], note: '公章与法人章位置颠倒' }
        : slot === 'application-form'
          ? { slot, verdict: 'fail', reasons: ['使用了现场办理表格（须使用线上专用申请表）'] }
          : { slot, verdict: 'pass', reasons: [] },
    );
    const res = await review(reviewer.c, other.orderId, { decision: 'reject', documents: docs });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json().summary).toBe('数字证书用户申请表：使用了现场办理表格（须使用线上专用申请表）；电子签章采集表：公章与法人章位置颠倒');
  });

  it('answers 404 for an unknown order, 400 for a malformed id, 409 for an order not waiting for review', async () => {
    const missing = await review(reviewer.c, randomUUID(), { decision: 'approve', documents: [] });
    expect(missing.statusCode).toBe(404);
    expect(missing.json().error.message).toBe('找不到该订单');
    expect((await review(reviewer.c, 'not-a-uuid', { decision: 'approve', documents: [] })).statusCode).toBe(400);
    const draft = await o.c.post('/api/orders', { projectCode: 'gov-procurement', keyType: 'sub', agree: true });
    expect(draft.statusCode).toBe(201);
    const res = await review(reviewer.c, draft.json().order.id, { decision: 'approve', documents: [] });
    expect(res.statusCode).toBe(409);
    expect(res.json().error.message).toMatch(/订单当前状态为“草稿”，不在等待预审，不能审核/);
    expect((await reviewer.c.get(`/api/staff/orders/${randomUUID()}/review`)).statusCode).toBe(404);
  });
});

describe('who may review', () => {
  it('only 预审 decides; any staff member may read the review view; applicants and visitors get nothing', async () => {
    const o = await submittedOrder(t);
    for (const role of STAFF_ROLES.filter((r) => r !== '预审')) {
      const { c } = await loggedIn([role]);
      const res = await approve(o, c);
      expect(res.statusCode, role).toBe(403);
      expect(res.json().error.message).toMatch(/预审/);
      // Reading is for any staff member but the 审计员, who sees only the audit log.
      expect((await c.get(`/api/staff/orders/${o.orderId}/review`)).statusCode, role).toBe(role === '审计员' ? 403 : 200);
    }
    const { c: everyOther } = await loggedIn(STAFF_ROLES.filter((r) => r !== '预审' && r !== '审计员'));
    expect((await approve(o, everyOther)).statusCode).toBe(403);
    // The applicant's own session is not a staff session, even on its own order.
    expect((await approve(o, o.c)).statusCode).toBe(401);
    expect((await o.c.get(`/api/staff/orders/${o.orderId}/review`)).statusCode).toBe(401);
    expect((await approve(o, t.client())).statusCode).toBe(401);
    expect((await orderRow(o.orderId)).status).toBe('submitted');
    expect(await outboxOf(o.orderId)).toHaveLength(0);
  });
});

describe('concurrency', () => {
  it('20 parallel approvals of one order: one transition, one event, one set of verdicts, one SMS', async () => {
    const o = await submittedOrder(t);
    const second = await loggedIn(['预审'], '吴预审');
    const results = await Promise.all(Array.from({ length: 20 }, (_, i) => approve(o, i % 2 ? second.c : reviewer.c)));
    const codes = results.map((r) => r.statusCode);
    expect(codes.filter((c) => c === 200)).toHaveLength(1);
    expect(codes.filter((c) => c === 409)).toHaveLength(19);
    for (const r of results.filter((x) => x.statusCode === 409)) expect(r.json().error.message).toMatch(/已经审核|已被更新/);
    expect((await orderRow(o.orderId)).status).toBe('review_passed');
    expect(await eventsOf(o.orderId, 'order.approve')).toHaveLength(1);
    expect(await verdictsOf(o.orderId)).toHaveLength(o.slots.length);
    expect(await outboxOf(o.orderId)).toHaveLength(1);
    await settledSms(o.agentMobile, 1);
  });
});
