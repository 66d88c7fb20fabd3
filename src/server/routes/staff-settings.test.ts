/**
 * 短信模板 (管理员) through the real app — on a database of this file's own (testing/isolated-db.ts): an
 * edited template changes what the sandbox gateway sends, and on the PostgreSQL database that every test
 * file shares it would change the texts other files' SMS tests expect.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { and, eq } from 'drizzle-orm';
import { STAFF_ROLES, type StaffRole } from '../../core/schemas.js';
import { buildApp } from '../app.js';
import { SMS_TEMPLATES } from '../adapters/sms/port.js';
import { systemClock } from '../clock.js';
import type { Db } from '../db/client.js';
import { auditEvents, sandboxSms, smsTemplates } from '../db/schema.js';
import { seedCatalog } from '../modules/catalog/seed-catalog.js';
import { outboxWorker } from '../modules/outbox/outbox.js';
import { createStaff } from '../modules/staff/staff-accounts.js';
import type { StaffRow } from '../modules/staff/repository.js';
import { smsSenderFor } from '../runtime.js';
import { submittedOrder } from '../testing/applicant-flow.js';
import { randomIp, testConfig, TestClient, type TestApp } from '../testing/harness.js';
import { isolatedDb, type IsolatedDb } from '../testing/isolated-db.js';
import { smsFor } from '../testing/sms.js';
import { formatOrderNumber } from '../../core/order-number.js';

let iso: IsolatedDb;
let t: TestApp;
let db: Db;
const PW = 'Settings2026pw';
let admin: { c: TestClient; s: StaffRow };

beforeAll(async () => {
  iso = await isolatedDb('smstpl');
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
  admin = await loggedIn(['管理员'], '钱管理');
}, 60_000);
afterAll(async () => {
  await t.close();
  await iso.drop();
});

async function loggedIn(roles: StaffRole[], displayName = `测试${roles.join('')}`): Promise<{ c: TestClient; s: StaffRow }> {
  const s = await createStaff(
    { db, clock: systemClock },
    { username: `st${randomBytes(5).toString('hex')}`, displayName, roles, password: PW },
    null,
    { ip: 'test' },
  );
  const c = t.client();
  expect((await c.staffLogin(s.username, PW)).statusCode).toBe(200);
  return { c, s };
}

async function put(c: TestClient, key: string, body: unknown) {
  if (!c.csrf.staff) await c.session('staff');
  return c.request({
    method: 'PUT',
    url: `/api/staff/sms-templates/${key}`,
    payload: body as never,
    headers: { 'x-csrf-token': c.csrf.staff! },
  });
}
const audits = () => db.select().from(auditEvents).where(eq(auditEvents.action, 'sms.template_update'));
type Item = { key: string; text: string; customized: boolean };

describe('GET /api/staff/sms-templates', () => {
  it('lists every template with its name, default and current text, placeholders and Aliyun TemplateCode variable', async () => {
    const res = await admin.c.get('/api/staff/sms-templates');
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body.items.map((i: Item) => i.key)).toEqual([
      'password_reset',
      'review_passed',
      'review_failed',
      'paid',
      'paper_failed',
      'shipped',
      'revocation_code',
      'expiry_reminder',
      'renewal_code',
      'ukey_unlock_code',
    ]);
    expect(body.items.find((i: Item) => i.key === 'review_passed')).toEqual({
      key: 'review_passed',
      name: '资料审核通过',
      defaultText: SMS_TEMPLATES.review_passed.text,
      text: SMS_TEMPLATES.review_passed.text,
      customized: false,
      placeholders: [
        { name: 'unit', meaning: '单位名称' },
        { name: 'orderNo', meaning: '订单编号' },
      ],
      aliyunTemplateEnv: 'ALIYUN_SMS_TEMPLATE_REVIEW_PASSED',
      updatedAt: null,
      updatedBy: null,
    });
    expect(body.items.find((i: Item) => i.key === 'shipped').placeholders.map((p: { name: string }) => p.name)).toEqual([
      'orderNo',
      'trackingNo',
    ]);
    expect(body.provider).toBe('sandbox');
    expect(body.note).toMatch(/正式使用阿里云短信时，手机收到的文字以阿里云审核通过的模板为准/);
  });
});

describe('PUT /api/staff/sms-templates/:key', () => {
  const cases: [string, string, string, RegExp][] = [
    [
      'a default placeholder dropped',
      'review_failed',
      '${unit}：订单审核未通过，请登录查看。',
      /缺少占位符：\$\{orderNo\}（默认模板中的占位符都必须保留）/,
    ],
    [
      'a placeholder the code never fills',
      'review_passed',
      '${unit}：订单${orderNo}审核通过，金额${amount}。',
      /不认识的占位符：\$\{amount\}（只能使用默认模板中的占位符）/,
    ],
    ['an empty text', 'shipped', '   ', /请填写短信内容/],
    ['a broken placeholder', 'shipped', '订单${orderNo}已寄出，运单号${trackingNo}，${ 请查收', /占位符格式应为 \$\{名称\}/],
    [
      'a signature in the text',
      'shipped',
      '【江西CA】订单${orderNo}已寄出，运单号${trackingNo}。',
      /短信签名由系统自动加在开头，正文中请勿使用【】/,
    ],
    ['a text over 500 characters', 'shipped', `订单\${orderNo}运单号\${trackingNo}${'很'.repeat(500)}`, /短信内容最多500个字/],
  ];
  it.each(cases)('refuses %s with a message naming the rule, and changes nothing', async (_name, key, text, message) => {
    const before = (await audits()).length;
    const res = await put(admin.c, key, { text });
    expect(res.statusCode, res.body).toBe(400);
    expect(res.json().error.code).toBe('VALIDATION_FAILED');
    expect(res.json().error.message).toMatch(message);
    expect(res.json().error.fields.text).toMatch(message);
    expect(await db.select().from(smsTemplates).where(eq(smsTemplates.key, key))).toHaveLength(0);
    expect(await audits()).toHaveLength(before);
  });

  it('answers 404 for a template that does not exist', async () => {
    const res = await put(admin.c, 'no_such_template', { text: '${orderNo}' });
    expect(res.statusCode).toBe(404);
    expect(res.json().error.message).toBe('没有这个短信模板');
  });

  it('only 管理员: other roles get 403 (before the body is looked at), visitors 401', async () => {
    for (const role of STAFF_ROLES.filter((r) => r !== '管理员')) {
      const { c } = await loggedIn([role]);
      expect((await c.get('/api/staff/sms-templates')).statusCode, role).toBe(403);
      const res = await put(c, 'shipped', {});
      expect(res.statusCode, role).toBe(403);
      expect(res.json().error.message).toMatch(/管理员/);
    }
    const anon = t.client();
    expect((await anon.get('/api/staff/sms-templates')).statusCode).toBe(401);
    expect((await put(anon, 'shipped', { text: SMS_TEMPLATES.shipped.text })).statusCode).toBe(401);
    expect(await db.select().from(smsTemplates)).toHaveLength(0);
  });

  it("saves the administrator's text (audited), and the sandbox gateway sends it from then on", async () => {
    const text = '江西CA提醒：${unit}的数字证书订单${orderNo}已通过资料审核，请登录系统付款并邮寄纸质资料。';
    const res = await put(admin.c, 'review_passed', { text: `  ${text} ` });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json().template).toMatchObject({
      key: 'review_passed',
      text,
      defaultText: SMS_TEMPLATES.review_passed.text,
      customized: true,
      updatedBy: '钱管理',
    });
    const [audit] = await db
      .select()
      .from(auditEvents)
      .where(and(eq(auditEvents.action, 'sms.template_update'), eq(auditEvents.targetId, 'review_passed')));
    expect(audit).toMatchObject({ actorType: 'staff', actorId: admin.s.id, targetType: 'sms_template' });
    expect(audit!.detail).toEqual({ name: '资料审核通过', before: SMS_TEMPLATES.review_passed.text, after: text });
    expect((await admin.c.get('/api/staff/sms-templates')).json().items.find((i: Item) => i.key === 'review_passed').text).toBe(text);

    // An approval now: the agent's SMS carries the edited text, filled in.
    const o = await submittedOrder(t, { unitName: '江西模板测试有限公司' });
    const reviewer = await loggedIn(['预审']);
    const documents = o.slots.map((slot) => ({ slot, verdict: 'pass', reasons: [] }));
    expect((await reviewer.c.post(`/api/staff/orders/${o.orderId}/review`, { decision: 'approve', documents })).statusCode).toBe(200);
    const [sms] = await smsFor(t, o.agentMobile);
    expect(sms!.text).toBe(
      `【江西CA（沙箱）】江西CA提醒：江西模板测试有限公司的数字证书订单${formatOrderNumber(o.orderNo)}已通过资料审核，请登录系统付款并邮寄纸质资料。`,
    );

    // Back to the default text: no longer customized, and the default is what goes out.
    const back = await put(admin.c, 'review_passed', { text: SMS_TEMPLATES.review_passed.text });
    expect(back.json().template.customized).toBe(false);
    const o2 = await submittedOrder(t, { unitName: '江西模板测试二有限公司' });
    const docs2 = o2.slots.map((slot) => ({ slot, verdict: 'pass', reasons: [] }));
    expect((await reviewer.c.post(`/api/staff/orders/${o2.orderId}/review`, { decision: 'approve', documents: docs2 })).statusCode).toBe(
      200,
    );
    const [sms2] = await smsFor(t, o2.agentMobile);
    expect(sms2!.text).toBe(
      `【江西CA（沙箱）】${SMS_TEMPLATES.review_passed.text.replace('${unit}', '江西模板测试二有限公司').replace('${orderNo}', formatOrderNumber(o2.orderNo))}`,
    );
    expect(await db.select().from(sandboxSms).where(eq(sandboxSms.phoneNumber, o.agentMobile))).toHaveLength(1);
  });
});
