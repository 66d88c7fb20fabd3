/**
 * 纸质资料收件信息 (系统设置, 管理员) through the real app — on a database of this file's own
 * (testing/isolated-db.ts), since the address shows on every order of the shared database. What the
 * administrator saves is what the order page, the pay page, the 付款成功 SMS and the 邮寄资料清单 say.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { DEFAULT_PAPER_ADDRESS } from '../../core/paper-checklist.js';
import type { StaffRole } from '../../core/schemas.js';
import { sandboxWechatNotice } from '../adapters/payment/testing.js';
import { buildApp } from '../app.js';
import { systemClock } from '../clock.js';
import type { Db } from '../db/client.js';
import { auditEvents, paymentAttempts } from '../db/schema.js';
import { seedCatalog } from '../modules/catalog/seed-catalog.js';
import { outboxWorker } from '../modules/outbox/outbox.js';
import { createStaff } from '../modules/staff/staff-accounts.js';
import { inspectPdf } from '../modules/templates/testing/inspect-pdf.js';
import { smsSenderFor } from '../runtime.js';
import { randomIp, testConfig, TestClient, type TestApp } from '../testing/harness.js';
import { isolatedDb, type IsolatedDb } from '../testing/isolated-db.js';
import { approvedOrder } from '../testing/paid-order.js';
import { smsFor } from '../testing/sms.js';

let iso: IsolatedDb;
let t: TestApp;
let db: Db;
const PW = 'Mailing2026pw';
let admin: TestClient;

beforeAll(async () => {
  iso = await isolatedDb('paperaddr');
  db = (await iso.open()).db;
  await seedCatalog(db, new Date());
  const config = testConfig();
  const app = await buildApp({ config, db, clock: systemClock });
  await app.ready();
  t = {
    app,
    db,
    clock: systemClock,
    config,
    outbox: outboxWorker({ db, clock: systemClock, sms: smsSenderFor(config, db, systemClock), log: app.log }),
    logs: [],
    client: (ip) => new TestClient(app, ip ?? randomIp()),
    close: () => app.close(),
  };
  admin = await loggedIn(['管理员']);
}, 60_000);
afterAll(async () => {
  await t.close();
  await iso.drop();
});

async function loggedIn(roles: StaffRole[]): Promise<TestClient> {
  const s = await createStaff(
    { db, clock: systemClock },
    { username: `pa${randomBytes(5).toString('hex')}`, displayName: `测试${roles.join('')}`, roles, password: PW },
    null,
    { ip: 'test' },
  );
  const c = t.client();
  expect((await c.staffLogin(s.username, PW)).statusCode).toBe(200);
  return c;
}

async function put(c: TestClient, body: unknown) {
  if (!c.csrf.staff) await c.session('staff');
  return c.request({
    method: 'PUT',
    url: '/api/staff/settings/paper-address',
    payload: body as never,
    headers: { 'x-csrf-token': c.csrf.staff! },
  });
}

const NEW = { address: '江西省南昌市红谷滩区丰和中大道1000号8楼', recipient: '江西CA在线受理组', phone: '0791-86212680' };

describe('纸质资料收件信息', () => {
  it('starts at the seed default; only 管理员 reads or changes it', async () => {
    const res = await admin.get('/api/staff/settings/paper-address');
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ address: DEFAULT_PAPER_ADDRESS, isDefault: true, updatedBy: null });
    const clerk = await loggedIn(['受理']);
    expect((await clerk.get('/api/staff/settings/paper-address')).statusCode).toBe(403);
    expect((await put(clerk, NEW)).statusCode).toBe(403);
  });

  it('refuses bad input naming the field and the rule, and keeps what was set', async () => {
    const res = await put(admin, { ...NEW, phone: '13800138000', address: '南昌' });
    expect(res.statusCode).toBe(400);
    const fields = res.json().error.fields;
    expect(fields.phone).toMatch(/固定电话或400电话/);
    expect(fields.address).toMatch(/完整的收件地址/);
    expect((await admin.get('/api/staff/settings/paper-address')).json().isDefault).toBe(true);
  });

  it('once saved (audited), the order page, the pay page, the 付款成功 SMS and the 邮寄资料清单 say it', async () => {
    const saved = await put(admin, NEW);
    expect(saved.statusCode, saved.body).toBe(200);
    expect(saved.json()).toMatchObject({ address: NEW, isDefault: false, updatedBy: '测试管理员' });
    const audit = await db.select().from(auditEvents).where(eq(auditEvents.action, 'settings.paper_address_update'));
    expect(audit).toHaveLength(1);
    expect(audit[0]!.detail).toEqual({ before: DEFAULT_PAPER_ADDRESS, after: NEW });

    const o = await approvedOrder(t);
    expect((await o.a.c.get(`/api/orders/${o.orderId}`)).json().paper.mailTo).toEqual(NEW);

    // Paid through the sandbox's signed notice: the SMS carries the address as three template variables.
    expect((await o.a.c.post(`/api/orders/${o.orderId}/payments`, { channel: 'wechat' })).statusCode).toBe(201);
    const [attempt] = await db.select().from(paymentAttempts).where(eq(paymentAttempts.orderId, o.orderId));
    const n = await sandboxWechatNotice(db, { outTradeNo: attempt!.outTradeNo, amountFen: 22000 });
    const notified = await t.app.inject({
      method: 'POST',
      url: '/api/payments/notify/wechat',
      headers: n.headers as never,
      payload: n.rawBody,
    });
    expect(notified.statusCode).toBeLessThan(300);
    expect((await o.a.c.get(`/api/orders/${o.orderId}/payment`)).json().mailTo).toEqual(NEW);
    const [sms] = await smsFor(t, o.agentMobile);
    expect(sms!.templateParam).toMatchObject({ mailAddress: NEW.address, mailRecipient: NEW.recipient, mailPhone: NEW.phone });
    expect(sms!.text).toContain(`请将纸质资料原件寄至${NEW.address}，收件人${NEW.recipient}，电话${NEW.phone}`);
    for (const v of Object.values(sms!.templateParam)) expect(v.length).toBeLessThanOrEqual(35);

    const pdf = await inspectPdf((await o.a.c.get(`/api/orders/${o.orderId}/paper-checklist.pdf`)).rawPayload, 'route-paper-checklist-set');
    expect(pdf.flat).toContain(`寄往：${NEW.address}`);
    expect(pdf.flat).toContain(`收件人：${NEW.recipient}`);
  });
});
