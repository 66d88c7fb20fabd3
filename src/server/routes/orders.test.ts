import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { orderEvents, orders } from '../db/schema.js';
import { idCheckChar } from '../../core/id-number.js';
import { testApp, type TestApp, type TestClient } from '../testing/harness.js';

let t: TestApp;
beforeAll(async () => {
  t = await testApp();
});
afterAll(() => t.close());

const id = (first17: string) => first17 + idCheckChar(first17);

async function orgClient(): Promise<TestClient> {
  const c = t.client();
  const { res } = await c.register();
  expect(res.statusCode).toBe(201);
  return c;
}
async function newOrder(c: TestClient, projectCode = 'gov-procurement', keyType = 'main') {
  const res = await c.post('/api/orders', { projectCode, keyType, agree: true });
  return res;
}

describe('catalog', () => {
  it('lists the five projects of the seeds with prices in fen, and no price where the seeds state none', async () => {
    const res = await t.client().get('/api/catalog');
    const items = res.json().items as {
      code: string;
      name: string;
      keys: { keyType: string; priceFen: number | null; orderable: boolean }[];
    }[];
    expect(items.map((p) => p.name)).toEqual([
      '江西省政府采购电子卖场',
      '江西省公共资源交易（医药采购）',
      '工程建设项目审批',
      '江西省住建厅省内企业',
      '江西省住建厅外省企业',
    ]);
    const gov = items[0]!;
    expect(gov.keys).toEqual([
      { keyType: 'main', withSeal: true, priceFen: 22000, orderable: true },
      { keyType: 'sub', withSeal: false, priceFen: 19000, orderable: true },
    ]);
    expect(items[1]!.keys.every((k) => k.priceFen === null && !k.orderable)).toBe(true);
    // The pair projects (签名证书 + 加密证书, docs/kmc.md): the platforms that encrypt bids to the holder.
    expect(res.json().items.map((p: { code: string; dualCertificates: boolean }) => [p.code, p.dualCertificates])).toEqual([
      ['gov-procurement', true],
      ['public-resource', true],
      ['construction-approval', false],
      ['housing-in-province', false],
      ['housing-out-of-province', false],
    ]);
  });
});

describe('新制申请: creating an order', () => {
  it('needs a login, the agreement, a real project and an offered key type', async () => {
    const anon = t.client();
    expect((await newOrder(anon)).statusCode).toBe(401);
    const c = await orgClient();
    const noAgree = await c.post('/api/orders', { projectCode: 'gov-procurement', keyType: 'main', agree: false });
    expect(noAgree.json().error.fields.agree).toMatch(/用户协议/);
    expect((await newOrder(c, 'no-such-project')).json().error.fields.projectCode).toMatch(/不存在/);
    expect((await newOrder(c, 'construction-approval', 'sub')).json().error.fields.keyType).toMatch(/不提供/);
    expect((await newOrder(c, 'public-resource', 'main')).json().error.message).toMatch(/价格尚待确认/);
  });

  it('enforces the main/sub rule before the form: first the main key, then only sub keys', async () => {
    const c = await orgClient();
    const choice = await c.get('/api/apply/key-choice?projectCode=gov-procurement');
    expect(choice.json().allowed).toEqual(['main']);
    const sub = await newOrder(c, 'gov-procurement', 'sub');
    expect(sub.statusCode).toBe(409);
    expect(sub.json().error.message).toMatch(/第一次申请必须选择含电子签章的主锁/);
    const main = await newOrder(c);
    expect(main.statusCode).toBe(201);
    expect((await c.get('/api/apply/key-choice?projectCode=gov-procurement')).json().allowed).toEqual(['sub']);
    expect((await newOrder(c)).json().error.message).toMatch(/正在办理.*只能申请不含电子签章的副锁/);
    expect((await newOrder(c, 'gov-procurement', 'sub')).statusCode).toBe(201);
    // Another project is judged on its own.
    expect((await c.get('/api/apply/key-choice?projectCode=construction-approval')).json().allowed).toEqual(['main']);
    // Deleting the main-key draft frees the main key again.
    await c.post(`/api/orders/${main.json().order.id}/delete`);
    expect((await c.get('/api/apply/key-choice?projectCode=gov-procurement')).json().allowed).toEqual(['main']);
  });

  it('names the unfinished orders of the project (草稿, 资料审核失败) so the wizard offers 继续填写; the rule still holds', async () => {
    const c = await orgClient();
    expect((await c.get('/api/apply/key-choice?projectCode=construction-approval')).json().unfinished).toEqual([]);
    const main = (await newOrder(c, 'construction-approval')).json().order;
    const choice = (await c.get('/api/apply/key-choice?projectCode=construction-approval')).json();
    // The only key of the project is taken by the draft: nothing new, but the draft itself to continue.
    expect(choice.allowed).toEqual([]);
    expect(choice.unfinished).toHaveLength(1);
    expect(choice.unfinished[0]).toMatchObject({
      id: main.id,
      orderNo: main.orderNo,
      keyType: 'main',
      status: 'draft',
      statusLabel: '草稿',
    });
    // Another project's key choice does not list it; another organization never sees it.
    expect((await c.get('/api/apply/key-choice?projectCode=gov-procurement')).json().unfinished).toEqual([]);
    const other = await orgClient();
    expect((await other.get('/api/apply/key-choice?projectCode=construction-approval')).json().unfinished).toEqual([]);
    // The server still refuses a second main key, whatever the page offers.
    expect((await newOrder(c, 'construction-approval')).statusCode).toBe(409);
    // 资料审核失败 is unfinished too; submitted (正在审核) and deleted orders are not.
    await t.db.update(orders).set({ status: 'review_failed' }).where(eq(orders.id, main.id));
    expect(
      (await c.get('/api/apply/key-choice?projectCode=construction-approval')).json().unfinished.map((o: { status: string }) => o.status),
    ).toEqual(['review_failed']);
    await t.db.update(orders).set({ status: 'submitted' }).where(eq(orders.id, main.id));
    expect((await c.get('/api/apply/key-choice?projectCode=construction-approval')).json().unfinished).toEqual([]);
    await t.db.update(orders).set({ status: 'draft' }).where(eq(orders.id, main.id));
    await c.post(`/api/orders/${main.id}/delete`);
    const after = (await c.get('/api/apply/key-choice?projectCode=construction-approval')).json();
    expect(after.unfinished).toEqual([]);
    expect(after.allowed).toEqual(['main']);
  });

  it('two main-key orders started at once: exactly one is created', async () => {
    const c = await orgClient();
    const results = await Promise.all([newOrder(c), newOrder(c), newOrder(c)]);
    expect(results.map((r) => r.statusCode).sort()).toEqual([201, 409, 409]);
  });

  it('gives a readable, unique, check-digited order number and an event row', async () => {
    const c = await orgClient();
    const res = await newOrder(c);
    const o = res.json().order;
    expect(o.orderNo).toMatch(/^\d{15}$/);
    expect(o.orderNoDisplay).toMatch(/^\d{6}-\d{4}-\d{5}$/);
    expect(o.statusLabel).toBe('草稿');
    expect(res.json().order.form.invoice.title).toBe('测试单位有限公司');
    const ev = await t.db.select().from(orderEvents).where(eq(orderEvents.orderId, o.id));
    expect(ev.map((e) => e.action)).toEqual(['order.create']);
  });
});

describe('a second order', () => {
  it("is prefilled from the organization's last order (never another organization's) and says from which", async () => {
    const c = await orgClient();
    const first = (await newOrder(c)).json().order;
    // Nothing to carry over yet: a fresh draft does not prefill the next one.
    const blank = (await newOrder(c, 'construction-approval')).json();
    expect(blank.order.form).toEqual({
      unit: { unitType: 'enterprise' },
      invoice: { title: '测试单位有限公司', taxNumber: expect.any(String) },
    });
    expect(blank.order.prefilledFrom).toBeNull();
    const form = {
      unit: { address: '江西省南昌市红谷滩区卧龙路1000号', unitType: 'medical' },
      legalPerson: { name: '王建国', idNumber: id('36010219750315201'), mobile: '13800138000' },
      agent: { name: '李晓红', idNumber: id('36012119920808462'), mobile: '13900139000', email: 'li@example.com' },
      invoice: { title: '测试单位有限公司', taxNumber: first.form.invoice.taxNumber, email: 'fp@example.com' },
      recipient: { name: '李晓红', mobile: '13900139000', address: '江西省南昌市东湖区八一大道88号' },
    };
    const put = await c.request({
      method: 'PUT',
      url: `/api/orders/${first.id}/form`,
      payload: { formVersion: first.formVersion, form },
      headers: { 'x-csrf-token': c.csrf.org! },
    });
    expect(put.statusCode).toBe(200);
    // Another organization's order is never the source.
    const other = await orgClient();
    const theirs = (await newOrder(other)).json().order;
    expect(theirs.form.agent).toBeUndefined();
    expect(theirs.prefilledFrom).toBeNull();

    const sub = await newOrder(c, 'gov-procurement', 'sub');
    expect(sub.statusCode).toBe(201);
    expect(sub.json().order.form).toEqual(form);
    expect(sub.json().order.prefilledFrom).toBe(first.orderNoDisplay);
    const ev = await t.db.select().from(orderEvents).where(eq(orderEvents.orderId, sub.json().order.id));
    expect(ev[0]!.detail).toMatchObject({ prefilledFrom: first.orderNo });
  });
});

describe('the order form', () => {
  it('saves any draft, lists what still breaks the rules, and loses nothing', async () => {
    const c = await orgClient();
    const o = (await newOrder(c)).json().order;
    const form = { agent: { name: '李四', idNumber: '3601021990030712', mobile: '138' }, unit: { address: '南昌市' } };
    const saved = await c.request({
      method: 'PUT',
      url: `/api/orders/${o.id}/form`,
      payload: { formVersion: o.formVersion, form },
      headers: { 'x-csrf-token': c.csrf.org! },
    });
    expect(saved.statusCode).toBe(200);
    expect(saved.json().formVersion).toBe(o.formVersion + 1);
    expect(saved.json().problems['agent.idNumber']).toMatch(/经办人身份证号应为18位/);
    expect(saved.json().problems['agent.mobile']).toMatch(/经办人手机号/);
    const back = (await c.get(`/api/orders/${o.id}`)).json();
    expect(back.order.form).toEqual(form);
    expect(back.missing[0]).toMatch(/订单信息还有\d+处/);
  });

  it('refuses a save from a stale tab (compare-and-set on the form version)', async () => {
    const c = await orgClient();
    const o = (await newOrder(c)).json().order;
    const put = (v: number, name: string) =>
      c.request({
        method: 'PUT',
        url: `/api/orders/${o.id}/form`,
        payload: { formVersion: v, form: { agent: { name } } },
        headers: { 'x-csrf-token': c.csrf.org! },
      });
    expect((await put(o.formVersion, '甲')).statusCode).toBe(200);
    const stale = await put(o.formVersion, '乙');
    expect(stale.statusCode).toBe(409);
    expect(stale.json().error.message).toMatch(/其他窗口/);
    expect((await c.get(`/api/orders/${o.id}`)).json().order.form.agent.name).toBe('甲');
  });

  it('refuses unknown fields and wrong shapes without saving anything', async () => {
    const c = await orgClient();
    const o = (await newOrder(c)).json().order;
    for (const form of [{ evil: 1 }, { agent: 'x' }, { unit: { unitType: 'bank' } }]) {
      const r = await c.request({
        method: 'PUT',
        url: `/api/orders/${o.id}/form`,
        payload: { formVersion: o.formVersion, form },
        headers: { 'x-csrf-token': c.csrf.org! },
      });
      expect(r.statusCode).toBe(400);
    }
    expect((await c.get(`/api/orders/${o.id}`)).json().order.formVersion).toBe(o.formVersion);
  });

  it('submission is refused with the list of what is missing', async () => {
    const c = await orgClient();
    const o = (await newOrder(c)).json().order;
    const full = {
      unit: { address: '南昌市红谷滩新区卧龙路1000号', unitType: 'enterprise' },
      legalPerson: { name: '张三', idNumber: id('36010219700101123'), mobile: '13800138001' },
      agent: { name: '李四', idNumber: id('36010219900307123'), mobile: '13900139002', email: 'lisi@example.com' },
      invoice: {
        title: '测试单位有限公司',
        taxNumber: c.cookies.size ? (await c.get('/api/me')).json().organization.uscc : '',
        email: 'fp@example.com',
      },
      recipient: { name: '王五', mobile: '13700137003', address: '南昌市东湖区八一大道1号' },
    };
    await c.request({
      method: 'PUT',
      url: `/api/orders/${o.id}/form`,
      payload: { formVersion: o.formVersion, form: full },
      headers: { 'x-csrf-token': c.csrf.org! },
    });
    const view = (await c.get(`/api/orders/${o.id}`)).json();
    expect(view.problems).toEqual({});
    expect(view.slots.map((s: { code: string }) => s.code)).toEqual([
      'application-form',
      'business-license',
      'agent-id-front',
      'agent-id-back',
      'power-of-attorney',
      'seal-sheet',
    ]);
    const res = await c.post(`/api/orders/${o.id}/submit`);
    expect(res.statusCode).toBe(409);
    expect(res.json().error.message).toMatch(/请下载申请表/);
    expect(res.json().error.message).toMatch(/请上传经办人身份证（人像面）/);
    expect(res.json().error.message).toMatch(/法人核验尚未显示“认证成功”/);
    const [row] = await t.db.select().from(orders).where(eq(orders.id, o.id));
    expect(row!.status).toBe('draft');
  });
});

describe("ownership: one organization never reaches another's order", () => {
  it('answers 404 on every order route', async () => {
    const owner = await orgClient();
    const o = (await newOrder(owner)).json().order;
    const other = await orgClient();
    const csrf = { 'x-csrf-token': other.csrf.org! };
    const attempts = [
      other.get(`/api/orders/${o.id}`),
      other.request({ method: 'PUT', url: `/api/orders/${o.id}/form`, payload: { formVersion: 1, form: {} }, headers: csrf }),
      other.post(`/api/orders/${o.id}/submit`),
      other.post(`/api/orders/${o.id}/delete`),
    ];
    for (const r of await Promise.all(attempts)) {
      expect(r.statusCode).toBe(404);
      expect(r.body).not.toContain(o.orderNo);
    }
    expect((await other.get('/api/orders')).json().items).toEqual([]);
    expect((await owner.get(`/api/orders/${o.id}`)).json().order.status).toBe('draft');
  });
});

describe('删除订单', () => {
  it('keeps the record, marks it deleted, kills its QR link, and cannot be done twice', async () => {
    const c = await orgClient();
    const o = (await newOrder(c)).json();
    expect(o.legalCheck.url).toMatch(/\/v\/[A-Za-z0-9_-]{40,}$/);
    expect((await c.post(`/api/orders/${o.order.id}/delete`)).statusCode).toBe(200);
    const [row] = await t.db.select().from(orders).where(eq(orders.id, o.order.id));
    expect(row!.status).toBe('deleted');
    expect(row!.deletedAt).not.toBeNull();
    expect((await c.get(`/api/orders/${o.order.id}`)).json().legalCheck.url).toBeNull();
    expect((await c.get('/api/orders')).json().items).toEqual([]);
    const again = await c.post(`/api/orders/${o.order.id}/delete`);
    expect(again.statusCode).toBe(409);
    expect(again.json().error.message).toMatch(/已删除/);
  });
});

describe('法人核验 and later edits', () => {
  it('a change of the legal representative after 认证成功 undoes the verification; other edits do not', async () => {
    const { orderRepository } = await import('../modules/orders/repository.js');
    const c = await orgClient();
    const o = (await newOrder(c)).json().order;
    const lp = { name: '张三', idNumber: id('36010219700101123'), mobile: '13800138001' };
    const put = async (form: object) => {
      const v = (await c.get(`/api/orders/${o.id}`)).json().order.formVersion;
      return c.request({
        method: 'PUT',
        url: `/api/orders/${o.id}/form`,
        payload: { formVersion: v, form },
        headers: { 'x-csrf-token': c.csrf.org! },
      });
    };
    await put({ legalPerson: lp });
    // The verification itself is exercised in legal-check.test.ts; here it is the starting state.
    await orderRepository.update(t.db, o.id, { legalCheckStatus: 'passed', legalCheckAt: new Date() });

    expect((await put({ legalPerson: { ...lp, name: ' 张 三 ' }, agent: { name: '李四' } })).statusCode).toBe(200);
    expect((await c.get(`/api/orders/${o.id}`)).json().legalCheck.status).toBe('passed');

    expect((await put({ legalPerson: { ...lp, name: '张四' } })).statusCode).toBe(200);
    const view = (await c.get(`/api/orders/${o.id}`)).json();
    expect(view.legalCheck.status).toBe('none');
    expect(view.missing).toContain('法人核验尚未显示“认证成功”');
    const reset = view.events.filter((e: { action: string }) => e.action === 'order.legal_check_reset');
    expect(reset).toHaveLength(1);
    expect(reset[0].reason).toMatch(/重新进行法人核验/);
  });
});
