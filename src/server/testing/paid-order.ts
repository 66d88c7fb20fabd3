/**
 * Test helpers for the steps after payment: an applicant's order with a complete form, put into
 * 资料审核通过 directly (the applicant's flow and 预审 are tested in their own files) and paid through the
 * real entry point; staff members per role; and the orders' own rows. Every order gets its own agent mobile
 * and invoice e-mail, so assertions stay scoped to it on the PostgreSQL database all test files share.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { expect } from 'vitest';
import { and, asc, eq } from 'drizzle-orm';
import { idCheckChar } from '../../core/id-number.js';
import type { StaffRole } from '../../core/schemas.js';
import type { Db } from '../db/client.js';
import { orderEvents, orders, sandboxMail } from '../db/schema.js';
import type { OrderStatus } from '../../core/workflow.js';
import { organizationRepository } from '../modules/accounts/repository.js';
import { recordPayment, type PaymentRecord } from '../modules/fulfilment/record-payment.js';
import { createOrder } from '../modules/orders/create-order.js';
import { orderRepository } from '../modules/orders/repository.js';
import type { OutboxWorker } from '../modules/outbox/outbox.js';
import { createStaff } from '../modules/staff/staff-accounts.js';
import type { StaffRow } from '../modules/staff/repository.js';
import { newMobile, newUscc, type TestApp, type TestClient } from './harness.js';

const STAFF_PASSWORD = 'Fulfil2026pass';
const id18 = (first17: string) => first17 + idCheckChar(first17);

export interface Applicant {
  c: TestClient;
  uscc: string;
  name: string;
}

export interface TestOrder {
  a: Applicant;
  orderId: string;
  orderNo: string;
  agentMobile: string;
  invoiceEmail: string;
  payment?: PaymentRecord;
}

export async function newApplicant(t: TestApp): Promise<Applicant> {
  const c = t.client();
  const name = `江西履约测试${randomBytes(3).toString('hex')}有限公司`;
  const { res, body } = await c.register({ name });
  expect(res.statusCode, res.body).toBe(201);
  return { c, uscc: body.uscc as string, name };
}

export function fullForm(a: Pick<Applicant, 'name' | 'uscc'>, agentMobile: string, invoiceEmail: string) {
  return {
    unit: { address: '江西省南昌市红谷滩新区卧龙路1000号', unitType: 'enterprise' },
    legalPerson: { name: '张三', idNumber: id18('36010219700101123'), mobile: newMobile() },
    agent: { name: '欧阳晓梅', idNumber: id18('36010219900307123'), mobile: agentMobile, email: 'agent@example.com' },
    invoice: { title: a.name, taxNumber: a.uscc, email: invoiceEmail },
    recipient: { name: '王五', mobile: '13700137003', address: '江西省南昌市东湖区八一大道1号' },
  };
}

/** An order with a complete form, moved straight to 资料审核通过 (the earlier transitions are tested elsewhere). */
export async function approvedOrder(t: TestApp, a?: Applicant): Promise<TestOrder> {
  const applicant = a ?? (await newApplicant(t));
  const created = await applicant.c.post('/api/orders', { projectCode: 'gov-procurement', keyType: 'main', agree: true });
  expect(created.statusCode, created.body).toBe(201);
  const order = created.json().order as { id: string; orderNo: string; formVersion: number };
  const agentMobile = newMobile();
  const invoiceEmail = `fp-${randomUUID().slice(0, 8)}@example.com`;
  const saved = await applicant.c.request({
    method: 'PUT',
    url: `/api/orders/${order.id}/form`,
    payload: { formVersion: order.formVersion, form: fullForm(applicant, agentMobile, invoiceEmail) },
    headers: { 'x-csrf-token': applicant.c.csrf.org! },
  });
  expect(saved.statusCode, saved.body).toBe(200);
  // The earlier transitions (submit, 预审) are tested elsewhere: set the status directly.
  expect(await orderRepository.setStatus(t.db, order.id, 'draft', 'review_passed', t.clock.now())).toBeTruthy();
  return { a: applicant, orderId: order.id, orderNo: order.orderNo, agentMobile, invoiceEmail };
}

/** The same, paid through the real entry point (220 yuan by WeChat Pay). */
export async function paidOrder(t: TestApp, a?: Applicant): Promise<TestOrder> {
  const o = await approvedOrder(t, a);
  const payment = await recordPayment(
    t,
    o.orderId,
    { channel: 'wechat', amountFen: 22000, transactionId: `4200${randomUUID().replace(/-/g, '')}`.slice(0, 32) },
    t.clock.now(),
  );
  return { ...o, payment };
}

export async function staffMember(
  t: TestApp,
  roles: StaffRole[],
  displayName = `测试${roles.join('')}`,
): Promise<{ c: TestClient; s: StaffRow }> {
  const s = await createStaff(t, { username: `ff${randomBytes(5).toString('hex')}`, displayName, roles, password: STAFF_PASSWORD }, null, {
    ip: 'test',
  });
  const c = t.client();
  expect((await c.staffLogin(s.username, STAFF_PASSWORD)).statusCode).toBe(200);
  return { c, s };
}

export const orderRow = async (db: Db, id: string) => (await db.select().from(orders).where(eq(orders.id, id)))[0]!;

export const eventsOf = (db: Db, id: string, action?: string) =>
  db
    .select()
    .from(orderEvents)
    .where(and(eq(orderEvents.orderId, id), action ? eq(orderEvents.action, action) : undefined))
    .orderBy(asc(orderEvents.id));

/**
 * Runs the outbox until the sandbox mail server has stored `atLeast` messages to the address, then lets
 * every worker finish what it claimed and returns them all. On PostgreSQL another file's worker may deliver
 * our row first, so this polls instead of trusting our own runOnce.
 */
export async function mailTo(t: { db: Db; outbox: OutboxWorker }, address: string, atLeast = 1) {
  const read = () => t.db.select().from(sandboxMail).where(eq(sandboxMail.to, address.toLowerCase())).orderBy(asc(sandboxMail.id));
  for (let i = 0; i < 200; i++) {
    await t.outbox.runOnce();
    if ((await read()).length >= atLeast) break;
    await new Promise((r) => setTimeout(r, 50));
  }
  for (let i = 0; i < 3; i++) {
    await t.outbox.runOnce();
    await new Promise((r) => setTimeout(r, 30));
  }
  return read();
}

/**
 * A paid order of an organization that never logs in, put straight into `status` — for tests that only
 * need an order in some status, many times over (the role table). The steps are tested in fulfilment.test.ts.
 */
export async function quickOrder(t: TestApp, status: OrderStatus): Promise<{ orderId: string; orderNo: string }> {
  const now = t.clock.now();
  const a = { name: `江西角色测试${randomBytes(3).toString('hex')}有限公司`, uscc: newUscc() };
  const org = (await organizationRepository.insert(t.db, {
    ...a,
    mobile: newMobile(),
    passwordHash: 'not-a-login',
    agreementAcceptedAt: now,
    createdAt: now,
    updatedAt: now,
  }))!;
  const order = await createOrder(t, org, { projectCode: 'gov-procurement', keyType: 'main' });
  await orderRepository.update(t.db, order.id, { form: fullForm(a, newMobile(), `fp-${randomUUID().slice(0, 8)}@example.com`) });
  await orderRepository.setStatus(t.db, order.id, 'draft', 'review_passed', now);
  await recordPayment(t, order.id, { channel: 'wechat', amountFen: 22000, transactionId: randomUUID() }, now);
  if (status !== 'paper_awaiting') await orderRepository.setStatus(t.db, order.id, 'paper_awaiting', status, now);
  return { orderId: order.id, orderNo: order.orderNo };
}

/** 纸质资料合格's body for the orders above (政府采购电子卖场, 主锁): every original on the checklist ticked. */
export const ALL_PAPER_CHECKED = {
  checked: ['application-form', 'business-license', 'agent-id', 'seal-sheet', 'power-of-attorney'],
};
