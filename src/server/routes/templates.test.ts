import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { and, eq } from 'drizzle-orm';
import { orderEvents, orders } from '../db/schema.js';
import { idCheckChar } from '../../core/id-number.js';
import { organizationRepository } from '../modules/accounts/repository.js';
import { legalToken } from '../modules/orders/legal-token.js';
import { applicationFormIdentity } from '../modules/orders/order-readiness.js';
import { parseApplicationFormQr, verifyApplicationFormQr } from '../modules/templates/qr-payload.js';
import { inspectPdf } from '../modules/templates/testing/inspect-pdf.js';
import { testApp, type TestApp, type TestClient } from '../testing/harness.js';
import { formatOrderNumber } from '../../core/order-number.js';

let t: TestApp;
beforeAll(async () => {
  t = await testApp();
});
afterAll(() => t.close());

const id = (first17: string) => first17 + idCheckChar(first17);
const flat = (s: string) => s.replace(/\s+/g, '');
const NAMES = ['application-form', 'power-of-attorney', 'seal-sheet', 'appointment-letter'] as const;

interface Applicant {
  c: TestClient;
  uscc: string;
  name: string;
  orgId: string;
}

async function applicant(name = '江西测试模板科技有限公司'): Promise<Applicant> {
  const c = t.client();
  const { res, body } = await c.register({ name });
  expect(res.statusCode).toBe(201);
  const org = await organizationRepository.findByUscc(t.db, body.uscc as string);
  return { c, uscc: body.uscc as string, name, orgId: org!.id };
}

async function newOrder(a: Applicant, projectCode = 'gov-procurement', keyType = 'main') {
  const res = await a.c.post('/api/orders', { projectCode, keyType, agree: true });
  expect(res.statusCode).toBe(201);
  return res.json().order as { id: string; orderNo: string; formVersion: number };
}

function fullForm(a: Applicant, extra: Record<string, unknown> = {}) {
  return {
    unit: { address: '江西省南昌市红谷滩新区卧龙路1000号', unitType: 'enterprise' },
    legalPerson: { name: '张三', idNumber: id('36010219700101123'), mobile: '13800138001' },
    agent: { name: '欧阳晓梅', idNumber: id('36010219900307123'), mobile: '13900139002', email: 'xiaomei@example.com' },
    invoice: { title: a.name, taxNumber: a.uscc, email: 'fp@example.com' },
    recipient: { name: '王五', mobile: '13700137003', address: '南昌市东湖区八一大道1号' },
    ...extra,
  };
}

async function saveForm(a: Applicant, orderId: string, form: unknown) {
  const cur = (await a.c.get(`/api/orders/${orderId}`)).json().order.formVersion as number;
  const res = await a.c.request({
    method: 'PUT',
    url: `/api/orders/${orderId}/form`,
    payload: { formVersion: cur, form },
    headers: { 'x-csrf-token': a.c.csrf.org! },
  });
  expect(res.statusCode).toBe(200);
  return res.json().formVersion as number;
}

/** An applicant with a filled-in order, ready to download templates. */
async function readyOrder(projectCode = 'gov-procurement', extra: Record<string, unknown> = {}) {
  const a = await applicant();
  const o = await newOrder(a, projectCode);
  const formVersion = await saveForm(a, o.id, fullForm(a, extra));
  return { a, o: { ...o, formVersion } };
}

const download = (c: TestClient, orderId: string, name: string) => c.get(`/api/orders/${orderId}/templates/${name}.pdf`);

describe('GET /api/orders/:id/templates/application-form.pdf', () => {
  it('answers a PDF download that does not stay in caches, named in Chinese with the order number', async () => {
    const { a, o } = await readyOrder();
    const res = await download(a.c, o.id, 'application-form');
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('application/pdf');
    expect(res.headers['cache-control']).toBe('no-store');
    const cd = String(res.headers['content-disposition']);
    expect(cd).toMatch(/^attachment; /);
    expect(cd).toContain(`filename="application-form-${formatOrderNumber(o.orderNo)}.pdf"`);
    expect(cd).toContain(`filename*=UTF-8''${encodeURIComponent(`数字证书用户申请表-${formatOrderNumber(o.orderNo)}.pdf`)}`);
    expect(res.rawPayload.subarray(0, 5).toString()).toBe('%PDF-');
  });

  it('prints the order, carries a QR code of order number + form version, and records the print', async () => {
    const { a, o } = await readyOrder();
    const before = (await a.c.get(`/api/orders/${o.id}`)).json();
    expect(before.applicationFormStale).toBe(true);
    expect(before.missing).toContain('请下载申请表，打印盖章后扫描上传');

    const res = await download(a.c, o.id, 'application-form');
    expect(res.statusCode).toBe(200);
    const pdf = await inspectPdf(res.rawPayload, 'route-application-form');
    expect(pdf.stderr).toBe('');
    for (const s of [
      a.name,
      a.uscc,
      '欧阳晓梅',
      id('36010219900307123'),
      '13900139002',
      'xiaomei@example.com',
      formatOrderNumber(o.orderNo),
      '江西省政府采购电子卖场',
      '线上业务专用表格',
    ])
      expect(pdf.flat).toContain(flat(s));
    const qr = pdf.pages[0]!.qr!;
    expect(parseApplicationFormQr(qr)).toMatchObject({ orderNo: o.orderNo, formVersion: o.formVersion });
    const [row] = await t.db.select().from(orders).where(eq(orders.id, o.id));
    const identity = applicationFormIdentity({ name: a.name, uscc: a.uscc }, row!);
    expect(verifyApplicationFormQr(t.config.secret, qr, { orderNo: o.orderNo, formVersion: o.formVersion, identity })).toBe(true);

    // Recorded on the order, and as an event with the version and the QR payload.
    expect(row!.applicationFormPrintedIdentity).toBe(identity);
    expect(row!.applicationFormPrintedAt).not.toBeNull();
    const events = await t.db
      .select()
      .from(orderEvents)
      .where(and(eq(orderEvents.orderId, o.id), eq(orderEvents.action, 'order.print_application_form')));
    expect(events).toHaveLength(1);
    expect(events[0]!.detail).toMatchObject({
      formVersion: o.formVersion,
      qr,
      unitName: a.name,
      uscc: a.uscc,
      projectCode: 'gov-procurement',
    });
    expect(events[0]!.actorType).toBe('org');
    expect(events[0]!.public).toBe(true);

    const after = (await a.c.get(`/api/orders/${o.id}`)).json();
    // In the applicant's 办理进度, without the staff-side detail.
    const shown = after.events.find((e: { action: string }) => e.action === 'order.print_application_form');
    expect(shown).toBeDefined();
    expect(JSON.stringify(shown)).not.toContain(qr);
    expect(after.applicationFormStale).toBe(false);
    expect(after.missing).not.toContain('请下载申请表，打印盖章后扫描上传');
    expect(after.missing.join('；')).not.toMatch(/下载申请表/);
    // What remains is uploading the stamped scan.
    expect(after.missing).toContain('请上传数字证书用户申请表');
  });

  it('after staff correct the unit name the order asks for a new form; the new one carries the new name and a new code', async () => {
    const { a, o } = await readyOrder();
    const first = await download(a.c, o.id, 'application-form');
    const oldQr = (await inspectPdf(first.rawPayload, 'route-application-form-before-rename')).pages[0]!.qr!;
    expect((await a.c.get(`/api/orders/${o.id}`)).json().applicationFormStale).toBe(false);

    const renamed = '江西测试模板科技集团有限公司';
    expect(await organizationRepository.rename(t.db, a.orgId, a.name, renamed, new Date())).toBe(true);
    const view = (await a.c.get(`/api/orders/${o.id}`)).json();
    expect(view.applicationFormStale).toBe(true);
    expect(view.missing).toContain('申请表打印后，单位名称、信用代码、项目、通信地址或经办人信息有变更，请重新下载申请表并上传盖章扫描件');

    const second = await download(a.c, o.id, 'application-form');
    expect(second.statusCode).toBe(200);
    const pdf = await inspectPdf(second.rawPayload, 'route-application-form-after-rename');
    expect(pdf.flat).toContain(renamed);
    const newQr = pdf.pages[0]!.qr!;
    // Same order and form version, different identity: the old paper no longer verifies against the order.
    expect(parseApplicationFormQr(newQr)!.formVersion).toBe(o.formVersion);
    expect(newQr).not.toBe(oldQr);
    const [row] = await t.db.select().from(orders).where(eq(orders.id, o.id));
    const identity = applicationFormIdentity({ name: renamed, uscc: a.uscc }, row!);
    expect(verifyApplicationFormQr(t.config.secret, newQr, { orderNo: o.orderNo, formVersion: o.formVersion, identity })).toBe(true);
    expect(verifyApplicationFormQr(t.config.secret, oldQr, { orderNo: o.orderNo, formVersion: o.formVersion, identity })).toBe(false);
    expect((await a.c.get(`/api/orders/${o.id}`)).json().applicationFormStale).toBe(false);
  });

  it('a later form save shows in the QR version of the next download', async () => {
    const { a, o } = await readyOrder();
    const v2 = await saveForm(a, o.id, fullForm(a, { unit: { address: '江西省南昌市东湖区八一大道2号', unitType: 'enterprise' } }));
    expect(v2).toBe(o.formVersion + 1);
    const pdf = await inspectPdf((await download(a.c, o.id, 'application-form')).rawPayload, 'route-application-form-v2');
    expect(parseApplicationFormQr(pdf.pages[0]!.qr!)!.formVersion).toBe(v2);
    expect(pdf.flat).toContain('江西省南昌市东湖区八一大道2号');
  });

  it('a change to printed agent details after download asks for a new form; retyping the same values does not', async () => {
    const { a, o } = await readyOrder();
    await download(a.c, o.id, 'application-form');
    expect((await a.c.get(`/api/orders/${o.id}`)).json().applicationFormStale).toBe(false);
    const base = fullForm(a);
    await saveForm(a, o.id, { ...base, agent: { ...base.agent, mobile: `+86 ${base.agent.mobile}` } });
    expect((await a.c.get(`/api/orders/${o.id}`)).json().applicationFormStale).toBe(false);
    await saveForm(a, o.id, { ...base, agent: { ...base.agent, mobile: '13611112222' } });
    const view = (await a.c.get(`/api/orders/${o.id}`)).json();
    expect(view.applicationFormStale).toBe(true);
    expect(view.missing.join('；')).toMatch(/经办人信息有变更，请重新下载申请表/);
  });

  it('prints the values as the submission rules read them (spaces, +86, full-width digits, lower-case x)', async () => {
    const a = await applicant();
    const o = await newOrder(a);
    // An ID number whose check character is X, typed in lower case with full-width digits and spaces.
    let first17 = '';
    for (let seq = 100; seq < 1000 && !first17; seq++) if (idCheckChar(`36010219900307${seq}`) === 'X') first17 = `36010219900307${seq}`;
    const typed = `${first17.slice(0, 6)} ${first17.slice(6, 14).replace(/\d/g, (d) => String.fromCharCode(0xff10 + Number(d)))} ${first17.slice(14)}x`;
    await saveForm(
      a,
      o.id,
      fullForm(a, { agent: { name: ' 欧阳晓梅 ', idNumber: typed, mobile: '+86 139-0013-9002', email: ' xiaomei@example.com ' } }),
    );
    expect((await a.c.get(`/api/orders/${o.id}`)).json().problems).toEqual({});
    const pdf = await inspectPdf((await download(a.c, o.id, 'application-form')).rawPayload, 'route-application-form-normalized');
    expect(pdf.flat).toContain(`${first17}X`);
    expect(pdf.flat).toContain('13900139002');
    expect(pdf.flat).not.toContain('+86');
  });

  it('refuses while the order form lacks what the form prints, and records nothing', async () => {
    const a = await applicant();
    const o = await newOrder(a);
    await saveForm(a, o.id, { agent: { name: '李四', idNumber: '3601021990030712', mobile: '138' } });
    const res = await download(a.c, o.id, 'application-form');
    expect(res.statusCode).toBe(409);
    expect(res.json().error.message).toMatch(/请先完善订单信息，再下载数字证书用户申请表/);
    expect(res.json().error.message).toMatch(/经办人身份证号/);
    expect(res.json().error.fields['agent.mobile']).toMatch(/经办人手机号/);
    const [row] = await t.db.select().from(orders).where(eq(orders.id, o.id));
    expect(row!.applicationFormPrintedIdentity).toBeNull();
  });
});

describe('GET …/power-of-attorney.pdf', () => {
  it('carries the QR code of this order’s 法人核验 page and the agent’s details', async () => {
    const { a, o } = await readyOrder();
    const res = await download(a.c, o.id, 'power-of-attorney');
    expect(res.statusCode).toBe(200);
    expect(String(res.headers['content-disposition'])).toContain(
      `filename*=UTF-8''${encodeURIComponent(`法人授权委托书-${formatOrderNumber(o.orderNo)}.pdf`)}`,
    );
    const pdf = await inspectPdf(res.rawPayload, 'route-power-of-attorney');
    expect(pdf.stderr).toBe('');
    const [row] = await t.db.select().from(orders).where(eq(orders.id, o.id));
    const view = (await a.c.get(`/api/orders/${o.id}`)).json();
    expect(pdf.pages[0]!.qr).toBe(`http://localhost:80/v/${legalToken(t.config.secret, o.id, row!.legalCheckNonce)}`);
    expect(pdf.pages[0]!.qr).toBe(view.legalCheck.url);
    for (const s of [
      '兹授权委托欧阳晓梅同志',
      a.name,
      id('36010219900307123'),
      '13900139002',
      '法定代表人本人用手机微信扫码',
      '代理人必须年满18岁',
    ])
      expect(pdf.flat).toContain(flat(s));
    // Not a print of the application form: nothing recorded.
    expect(row!.applicationFormPrintedIdentity).toBeNull();
  });

  it('uses the configured public address in the QR code', async () => {
    const app2 = await testApp({ env: { CERTDESK_PUBLIC_URL: 'https://ca.example.cn' } });
    try {
      const c = app2.client();
      const { body } = await c.register({ name: '江西公网地址测试有限公司' });
      const o = (await c.post('/api/orders', { projectCode: 'gov-procurement', keyType: 'main', agree: true })).json().order;
      const a: Applicant = { c, uscc: body.uscc as string, name: '江西公网地址测试有限公司', orgId: '' };
      await saveForm(a, o.id, fullForm(a));
      const pdf = await inspectPdf((await download(c, o.id, 'power-of-attorney')).rawPayload, 'route-power-of-attorney-public-url');
      expect(pdf.pages[0]!.qr).toMatch(/^https:\/\/ca\.example\.cn\/v\/[A-Za-z0-9_-]{43}$/);
    } finally {
      await app2.close();
    }
  });
});

describe('out-of-province housing company (江西省住建厅外省企业)', () => {
  it('gets the seal sheet with the 入赣负责人 row and name, and the appointment letter with the same name', async () => {
    const { a, o } = await readyOrder('housing-out-of-province', { inGanManager: { name: '司马相如' } });
    const sheet = await download(a.c, o.id, 'seal-sheet');
    expect(sheet.statusCode).toBe(200);
    expect(String(sheet.headers['content-disposition'])).toContain(
      encodeURIComponent(`电子签章采集表（外省企业）-${formatOrderNumber(o.orderNo)}.pdf`),
    );
    const s = await inspectPdf(sheet.rawPayload, 'route-seal-sheet-out-of-province');
    expect(s.stderr).toBe('');
    for (const x of [
      '入赣负责人私章采集区',
      '入赣负责人：司马相如',
      '企业公章采集区',
      '法人私章采集区',
      '法人手写签名采集区',
      formatOrderNumber(o.orderNo),
      a.name,
    ])
      expect(s.flat).toContain(flat(x));

    const letter = await download(a.c, o.id, 'appointment-letter');
    expect(letter.statusCode).toBe(200);
    expect(String(letter.headers['content-disposition'])).toContain(
      encodeURIComponent(`入赣负责人任命书-${formatOrderNumber(o.orderNo)}.pdf`),
    );
    const l = await inspectPdf(letter.rawPayload, 'route-appointment-letter');
    expect(l.stderr).toBe('');
    for (const x of ['入赣负责人任命书', '兹任命司马相如同志', a.name, a.uscc, '单位（盖章）', formatOrderNumber(o.orderNo)])
      expect(l.flat).toContain(flat(x));

    // The project needs no 法人核验 (the seeds do not say it does): no QR code on the power of attorney.
    const view = (await a.c.get(`/api/orders/${o.id}`)).json();
    expect(view.project.legalCheckRequired).toBe(false);
    const poa = await inspectPdf((await download(a.c, o.id, 'power-of-attorney')).rawPayload, 'route-power-of-attorney-housing');
    expect(poa.pages[0]!.qr).toBeNull();
  });

  it('refuses the seal sheet and the letter until the 入赣负责人 is named', async () => {
    const a = await applicant();
    const o = await newOrder(a, 'housing-out-of-province');
    await saveForm(a, o.id, fullForm(a));
    for (const name of ['seal-sheet', 'appointment-letter']) {
      const res = await download(a.c, o.id, name);
      expect(res.statusCode).toBe(409);
      expect(res.json().error.message).toMatch(/入赣负责人/);
    }
  });
});

describe('templates an order does not need', () => {
  it('404 with the reason: no seal sheet for a sub key, no appointment letter outside out-of-province housing, no unknown names', async () => {
    const { a, o } = await readyOrder();
    const sub = await newOrder(a, 'gov-procurement', 'sub');
    await saveForm(a, sub.id, fullForm(a));
    const seal = await download(a.c, sub.id, 'seal-sheet');
    expect(seal.statusCode).toBe(404);
    expect(seal.json().error.message).toBe('副锁不含电子签章，不需要电子签章采集表');
    expect((await download(a.c, sub.id, 'application-form')).statusCode).toBe(200);

    const letter = await download(a.c, o.id, 'appointment-letter');
    expect(letter.statusCode).toBe(404);
    expect(letter.json().error.message).toMatch(/江西省住建厅外省企业/);
    expect((await download(a.c, o.id, 'seal-sheet')).statusCode).toBe(200);

    const unknown = await download(a.c, o.id, 'business-license');
    expect(unknown.statusCode).toBe(404);
    expect(unknown.json().error.message).toBe('没有这种模板');
    expect((await a.c.get(`/api/orders/${o.id}/templates/application-form`)).statusCode).toBe(404);
  });
});

describe('ownership and ended orders', () => {
  it('another organization gets 404 for every template, and learns nothing about the order; no login: 401', async () => {
    const { o } = await readyOrder('housing-out-of-province', { inGanManager: { name: '司马相如' } });
    const other = await applicant('江西另一家单位有限公司');
    for (const name of NAMES) {
      const res = await download(other.c, o.id, name);
      expect(res.statusCode).toBe(404);
      expect(res.json().error.message).toBe('找不到该订单');
      expect(res.body).not.toContain(o.orderNo);
    }
    expect((await download(t.client(), o.id, 'application-form')).statusCode).toBe(401);
    const [row] = await t.db.select().from(orders).where(eq(orders.id, o.id));
    expect(row!.applicationFormPrintedIdentity).toBeNull();
  });

  it('a deleted order prints nothing again: 409, and no print is recorded', async () => {
    const { a, o } = await readyOrder();
    expect((await a.c.post(`/api/orders/${o.id}/delete`)).statusCode).toBe(200);
    for (const name of ['application-form', 'power-of-attorney', 'seal-sheet']) {
      const res = await download(a.c, o.id, name);
      expect(res.statusCode).toBe(409);
      expect(res.json().error.message).toMatch(/订单已删除/);
      expect(res.headers['content-type']).toMatch(/json/);
    }
    const [row] = await t.db.select().from(orders).where(eq(orders.id, o.id));
    expect(row!.applicationFormPrintedIdentity).toBeNull();
    const events = await t.db.select().from(orderEvents).where(eq(orderEvents.orderId, o.id));
    expect(events.map((e) => e.action)).not.toContain('order.print_application_form');
  });
});
