/**
 * Counter business (issue 7) through the real app: each business type 新办/补办/变更/续费 through the seed 004
 * flow to the certificate registry (the replaced certificate revoked through the four-eyes flow where it must
 * be, the new one linked), the payment in 收款对账 with the online ones, the office's daily list, the main/sub
 * rule across online and counter orders, and who may do what, with Chinese field errors and no 500s.
 */
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { certificates } from '../db/schema-certificates.js';
import { organizations } from '../db/schema.js';
import { chinaDay as cstDay } from '../../core/working-days.js';
import { newUscc, newMobile, testApp, type TestApp, type TestClient } from '../testing/harness.js';
import { newApplicant, quickOrder, staffMember } from '../testing/paid-order.js';
import { testCaEnv } from '../testing/test-ca.js';
import { smsCode } from '../testing/sms.js';
import { multipart, png } from '../modules/documents/test-images.js';
import { produceOrder } from '../modules/fulfilment/produce-order.js';
import { certificatePem } from '../modules/certificates/registry.js';
import { openssl, tempDir } from '../../ca/testing/openssl.js';

let t: TestApp;
let clerk: TestClient; // 受理 + 制证 at 南昌办证大厅
let clerkId: string;
let approver: TestClient; // 制证 (approves revocations: a second person)
let admin: TestClient;
let fuzhou: TestClient; // 受理 at 抚州
let noOffice: TestClient; // 受理 without an office
let prereview: TestClient; // 预审: no counter work
let finance: TestClient;

async function assignOffice(staffId: string, office: string) {
  const r = await admin.post(`/api/staff/counter/staff/${staffId}/office`, { officeCode: office });
  expect(r.statusCode, r.body).toBe(200);
}

beforeAll(async () => {
  t = await testApp({ env: await testCaEnv() });
  const a = await staffMember(t, ['管理员'], '管理员甲');
  admin = a.c;
  const c = await staffMember(t, ['受理', '制证'], '柜台张三');
  clerk = c.c;
  clerkId = c.s.id;
  await assignOffice(c.s.id, 'nanchang-hall');
  approver = (await staffMember(t, ['制证'], '制证李四')).c;
  const f = await staffMember(t, ['受理'], '抚州王五');
  fuzhou = f.c;
  await assignOffice(f.s.id, 'fuzhou');
  noOffice = (await staffMember(t, ['受理'], '无受理点')).c;
  prereview = (await staffMember(t, ['预审'], '预审')).c;
  finance = (await staffMember(t, ['财务'], '财务')).c;
}, 120_000);
afterAll(async () => {
  await t?.close();
});

let receipt = 0;
const nextReceipt = () => `NC${Date.now().toString(36)}${++receipt}`.slice(0, 32);

async function registerOrg(c = clerk) {
  const body = { uscc: newUscc(), name: `江西柜台测试${Math.random().toString(36).slice(2, 8)}有限公司`, mobile: newMobile() };
  const r = await c.post('/api/staff/counter/organizations', body);
  expect(r.statusCode, r.body).toBe(200);
  return { ...body, id: r.json().organization.id as string };
}

async function open(body: Record<string, unknown>, c = clerk) {
  return c.post('/api/staff/counter/orders', { agentName: '赵经办', agentMobile: newMobile(), ...body });
}

const view = async (id: string, c = clerk) => {
  const r = await c.get(`/api/staff/counter/orders/${id}`);
  expect(r.statusCode, r.body).toBe(200);
  return r.json();
};
const act = (id: string, action: string, body: object = {}, c = clerk) => c.post(`/api/staff/counter/orders/${id}/actions/${action}`, body);

/** 提交资料 → 前台受理 → 审核资料 → 制作证书 → 现场缴费并领取 → 制作电子签章 (or 办结 for a sub key). */
async function runFlow(id: string, opts: { oldUkeyReturned?: boolean; channel?: string } = {}) {
  const v = await view(id);
  const ticked = v.materials
    .filter((m: { code: string; group?: string }) => m.code !== 'old-ukey' && m.code !== 'ukey-password')
    .map((m: { code: string }) => m.code);
  expect((await clerk.post(`/api/staff/counter/orders/${id}/materials`, { ticked })).statusCode).toBe(200);
  const accepted = await act(id, 'accept');
  expect(accepted.statusCode, accepted.body).toBe(200);
  expect((await act(id, 'approve')).statusCode).toBe(200);
  const produced = await clerk.post(`/api/staff/counter/orders/${id}/produce`, { key: { kind: 'generate', password: 'counter-pass-1' } });
  expect(produced.statusCode, produced.body).toBe(200);
  expect(produced.json().pkcs12).toBeTruthy();
  const price = (await view(id)).priceFen as number;
  const receiptNo = nextReceipt();
  const paid = await clerk.post(`/api/staff/counter/orders/${id}/pay`, {
    channel: opts.channel ?? 'cash',
    receiptNo,
    amountFen: price,
    ...(opts.oldUkeyReturned ? { oldUkeyReturned: true } : {}),
  });
  expect(paid.statusCode, paid.body).toBe(200);
  const after = await view(id);
  const last = await act(id, after.order.keyType === 'main' ? 'seal' : 'finish');
  expect(last.statusCode, last.body).toBe(200);
  return { certificateId: produced.json().certificate.id as string, receiptNo, price };
}

const certRow = async (id: string) => (await t.db.select().from(certificates).where(eq(certificates.id, id)))[0]!;

async function newMainAtCounter() {
  const org = await registerOrg();
  const o = await open({ organizationId: org.id, business: 'new', projectCode: 'gov-procurement', keyType: 'main' });
  expect(o.statusCode, o.body).toBe(200);
  const r = await runFlow(o.json().order.id);
  return { org, orderId: o.json().order.id as string, ...r };
}

async function approveRevocation(requestId: string) {
  const r = await approver.post(`/api/staff/revocations/${requestId}/approve`, {});
  expect(r.statusCode, r.body).toBe(200);
}

describe('新办 at the counter', () => {
  it('registers the unit without a password, issues a counter certificate, records the payment in 收款对账 and the daily list', async () => {
    const { org, orderId, certificateId, receiptNo, price } = await newMainAtCounter();
    const v = await view(orderId);
    expect(v.order).toMatchObject({ status: 'completed', statusLabel: '已办结', businessLabel: '新办', officeCode: 'nanchang-hall' });
    expect(v.events.map((e: { action: string }) => e.action)).toEqual(['open', 'materials', 'accept', 'approve', 'produce', 'pay', 'seal']);
    expect(v.events.find((e: { action: string }) => e.action === 'accept').actorName).toBe('柜台张三');
    const cert = await certRow(certificateId);
    expect(cert).toMatchObject({
      status: 'issued',
      source: 'counter',
      counterOrderId: orderId,
      organizationId: org.id,
      keyType: 'main',
      unitName: org.name,
    });
    expect(cert.der).toBeTruthy();
    expect(cert.notAfter.getTime() - cert.notBefore.getTime()).toBeGreaterThan(364 * 86_400_000);
    // The unit can log in only after claiming the account (忘记密码 by SMS to its mobile).
    expect((await t.db.select().from(organizations).where(eq(organizations.id, org.id)))[0]!.passwordHash).toBe('counter:unclaimed');

    const day = cstDay(new Date());
    const fin = (await finance.get(`/api/staff/finance/payments?from=${day}&to=${day}`)).json();
    const row = fin.rows.find((r: { transactionId: string }) => r.transactionId === receiptNo);
    expect(row).toMatchObject({ channel: 'counter', amountFen: price, orderId, flags: [] });
    expect(row.channelName).toMatch(/^现场缴费（现金，江西省数字证书有限公司办证大厅）$/);
    expect(fin.totals.some((x: { channel: string; channelName: string }) => x.channel === 'counter' && x.channelName === '现场缴费')).toBe(
      true,
    );
    const onlyCounter = (await finance.get(`/api/staff/finance/payments?from=${day}&to=${day}&channel=counter`)).json();
    expect(onlyCounter.rows.length).toBeGreaterThan(0);
    expect(onlyCounter.rows.every((r: { channel: string }) => r.channel === 'counter')).toBe(true);
    const onlyWechat = (await finance.get(`/api/staff/finance/payments?from=${day}&to=${day}&channel=wechat`)).json();
    expect(onlyWechat.rows.some((r: { channel: string }) => r.channel === 'counter')).toBe(false);
    const csv = await finance.get(`/api/staff/finance/payments.csv?from=${day}&to=${day}`);
    expect(csv.body).toContain(receiptNo);

    const daily = (await clerk.get('/api/staff/counter/daily')).json();
    expect(daily.office.code).toBe('nanchang-hall');
    expect(
      daily.orders.some((o: { id: string; payment: { receiptNo: string } }) => o.id === orderId && o.payment.receiptNo === receiptNo),
    ).toBe(true);
    expect(daily.totals.byBusiness.find((b: { business: string }) => b.business === 'new').completed).toBeGreaterThanOrEqual(1);
    expect(daily.totals.byChannel.find((c: { channel: string }) => c.channel === 'cash').amountFen).toBeGreaterThanOrEqual(price);
  });
});

describe('续费, 补办, 变更 replace a certificate', () => {
  it('续费 issues a new certificate linked to the one it renews; the old one stays valid', async () => {
    const first = await newMainAtCounter();
    const o = await open({ organizationId: first.org.id, business: 'renew', replacesCertificateId: first.certificateId });
    expect(o.statusCode, o.body).toBe(200);
    const id = o.json().order.id;
    // 续费 needs the UKEY and either its password or a stamped USCC copy.
    await clerk.post(`/api/staff/counter/orders/${id}/materials`, { ticked: ['ukey'] });
    const early = await act(id, 'accept');
    expect(early.statusCode).toBe(400);
    expect(early.json().error.fields.materials).toMatch(/任选其一/);
    const r = await runFlow(id, { channel: 'wechat' });
    const renewed = await certRow(r.certificateId);
    expect(renewed).toMatchObject({
      replacesId: first.certificateId,
      source: 'counter',
      status: 'issued',
      projectCode: 'gov-procurement',
      keyType: 'main',
    });
    expect((await certRow(first.certificateId)).status).toBe('issued');
    // The registry's detail names where it came from and what it renews.
    const detail = (await clerk.get(`/api/staff/certificates/${r.certificateId}`)).json().certificate;
    expect(detail).toMatchObject({ source: 'counter', counterOrderId: id, replacesId: first.certificateId, orderId: null });
    // A certificate is renewed once.
    const again = await open({ organizationId: first.org.id, business: 'renew', replacesCertificateId: first.certificateId });
    expect(again.statusCode).toBe(400);
    expect(again.json().error.fields.replacesCertificateId).toMatch(/已办理过/);
  });

  it('续费 adds a year to the old certificate’s expiry (never a year from today): openssl reads it, the order page and 我的证书 show it; 补办 of the renewed one keeps it', async () => {
    const first = await newMainAtCounter();
    const old = await certRow(first.certificateId);
    // The old certificate has almost a year left: a year from today would end the same day as it does.
    const yearOn = (d: Date) => {
      const x = new Date(d);
      x.setUTCFullYear(x.getUTCFullYear() + 1);
      return x;
    };
    const o = await open({ organizationId: first.org.id, business: 'renew', replacesCertificateId: first.certificateId });
    expect(o.statusCode, o.body).toBe(200);
    const id = o.json().order.id;
    // Before 制作证书 the order page tells staff (and the unit, before it pays) what the renewal runs to.
    expect((await view(id)).validity).toMatchObject({ planned: true, basis: 'extended', notAfter: yearOn(old.notAfter).toISOString() });
    const r = await runFlow(id);
    const renewed = await certRow(r.certificateId);
    expect(renewed.notAfter.toISOString()).toBe(yearOn(old.notAfter).toISOString());
    expect(renewed.notAfter.getTime() - renewed.notBefore.getTime()).toBeGreaterThan(729 * 86_400_000);

    // The certificate itself says so: openssl reads the old end date one year on.
    const tmp = tempDir('certdesk-renew-test-');
    try {
      const endOf = async (c: typeof old, name: string) =>
        (await openssl(['x509', '-in', tmp.write(name, certificatePem(c.der!)), '-noout', '-enddate'])).stdout.trim();
      const oldEnd = await endOf(old, 'old.pem');
      expect(oldEnd).toMatch(/^notAfter=.* (\d{4}) GMT$/);
      expect(await endOf(renewed, 'renewed.pem')).toBe(oldEnd.replace(/(\d{4}) GMT$/, (_m, y: string) => `${Number(y) + 1} GMT`));
    } finally {
      tmp.remove();
    }

    // The order page (and its 缴费 receipt card) shows the issued validity and why.
    const v = await view(id);
    expect(v.validity).toMatchObject({ planned: false, basis: 'extended', notAfter: renewed.notAfter.toISOString() });
    expect(v.validity.basisText).toMatch(/原证书到期日基础上延长一年/);
    expect(v.certificate.notAfter).toBe(renewed.notAfter.toISOString());

    // 我的证书 (the unit claims its counter account first) lists the renewed certificate with the new end.
    const unit = t.client();
    expect(
      (await unit.post('/api/password-reset/request', { uscc: first.org.uscc, mobile: first.org.mobile, ...(await unit.captcha()) }))
        .statusCode,
    ).toBe(200);
    const code = await smsCode(t, first.org.mobile);
    const set = await unit.post('/api/password-reset/confirm', {
      uscc: first.org.uscc,
      code,
      password: 'Renewed2026x',
      passwordConfirm: 'Renewed2026x',
    });
    expect(set.statusCode, set.body).toBe(200);
    expect((await unit.login(first.org.uscc, 'Renewed2026x')).statusCode).toBe(200);
    const mine = (await unit.get('/api/my-certificates')).json();
    expect(mine.certificates.find((c: { id: string }) => c.id === renewed.id)).toMatchObject({ notAfter: renewed.notAfter.toISOString() });
    expect(mine.certificates.find((c: { id: string }) => c.id === old.id)).toMatchObject({ renewed: true });

    // 补办 of the renewed certificate (key lost) gets a fresh year from issue but never less than was paid for:
    // it keeps the renewed end, which lies more than a year ahead.
    const lost = await open({ organizationId: first.org.id, business: 'reissue', replacesCertificateId: renewed.id, revocationReason: 1 });
    expect(lost.statusCode, lost.body).toBe(200);
    const re = await runFlow(lost.json().order.id);
    const reissued = await certRow(re.certificateId);
    expect(reissued.notAfter.toISOString()).toBe(renewed.notAfter.toISOString());
    expect((await view(lost.json().order.id)).validity).toMatchObject({ basis: 'kept' });
  });

  it('补办 asks for the lost key’s revocation at 前台受理; a second person approves; the new certificate is linked', async () => {
    const first = await newMainAtCounter();
    const o = await open({
      organizationId: first.org.id,
      business: 'reissue',
      replacesCertificateId: first.certificateId,
      revocationReason: 1,
    });
    expect(o.statusCode, o.body).toBe(200);
    const id = o.json().order.id;
    const r = await runFlow(id);
    const v = await view(id);
    expect(v.revocationRequest).toMatchObject({ status: 'pending' });
    expect(v.order.revocationReasonLabel).toBe('密钥泄露或介质丢失');
    // The clerk asked; the clerk cannot approve it.
    expect((await clerk.post(`/api/staff/revocations/${v.revocationRequest.id}/approve`, {})).statusCode).toBe(403);
    await approveRevocation(v.revocationRequest.id);
    const old = await certRow(first.certificateId);
    expect(old).toMatchObject({ status: 'revoked', revocationReason: 1 });
    expect(await certRow(r.certificateId)).toMatchObject({ status: 'issued', replacesId: first.certificateId });
    // 补办 accepts only keyCompromise or cessationOfOperation.
    const bad = await open({
      organizationId: first.org.id,
      business: 'reissue',
      replacesCertificateId: r.certificateId,
      revocationReason: 4,
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.fields.revocationReason).toMatch(/密钥泄露或介质丢失或停止使用/);
  });

  it('变更 issues with the new name, renames the unit, and asks for the old certificate’s revocation when the old UKEY is handed back', async () => {
    const first = await newMainAtCounter();
    const newName = `${first.org.name}（更名）`;
    const o = await open({
      organizationId: first.org.id,
      business: 'change',
      replacesCertificateId: first.certificateId,
      newUnitName: newName,
    });
    expect(o.statusCode, o.body).toBe(200);
    const id = o.json().order.id;
    const v0 = await view(id);
    await clerk.post(`/api/staff/counter/orders/${id}/materials`, {
      ticked: v0.materials.filter((m: { code: string }) => m.code !== 'old-ukey').map((m: { code: string }) => m.code),
    });
    expect((await act(id, 'accept')).statusCode).toBe(200);
    expect((await act(id, 'approve')).statusCode).toBe(200);
    const produced = await clerk.post(`/api/staff/counter/orders/${id}/produce`, { key: { kind: 'generate', password: 'counter-pass-1' } });
    expect(produced.statusCode, produced.body).toBe(200);
    const price = (await view(id)).priceFen;
    // Without the old UKEY the new one is not handed over.
    const noKey = await clerk.post(`/api/staff/counter/orders/${id}/pay`, { channel: 'card', receiptNo: nextReceipt(), amountFen: price });
    expect(noKey.statusCode).toBe(400);
    expect(noKey.json().error.fields.oldUkeyReturned).toMatch(/交回原有的数字证书/);
    const paid = await clerk.post(`/api/staff/counter/orders/${id}/pay`, {
      channel: 'card',
      receiptNo: nextReceipt(),
      amountFen: price,
      oldUkeyReturned: true,
    });
    expect(paid.statusCode, paid.body).toBe(200);
    const v = await view(id);
    expect(v.materials.find((m: { code: string }) => m.code === 'old-ukey').ticked).toBe(true);
    expect(v.revocationRequest.status).toBe('pending');
    await approveRevocation(v.revocationRequest.id);
    expect(await certRow(first.certificateId)).toMatchObject({ status: 'revoked', revocationReason: 3 });
    expect(await certRow(produced.json().certificate.id)).toMatchObject({
      unitName: newName,
      replacesId: first.certificateId,
      status: 'issued',
    });
    expect((await t.db.select().from(organizations).where(eq(organizations.id, first.org.id)))[0]!.name).toBe(newName);
  });
});

describe('the main/sub rule across online and counter orders', () => {
  it('a counter 新办 main key in progress makes the online order a sub key, and an online main key makes the counter one a sub key', async () => {
    const a = await newApplicant(t);
    const orgId = (await t.db.select().from(organizations).where(eq(organizations.uscc, a.uscc)))[0]!.id;
    const o = await open({ organizationId: orgId, business: 'new', projectCode: 'gov-procurement', keyType: 'main' });
    expect(o.statusCode, o.body).toBe(200);
    // Online: the main key is in progress at the counter.
    expect((await a.c.post('/api/orders', { projectCode: 'gov-procurement', keyType: 'main', agree: true })).statusCode).toBe(409);
    expect((await a.c.get('/api/apply/key-choice?projectCode=gov-procurement')).json().allowed).toEqual(['sub']);
    // A second counter main key is refused with the reason on the field.
    const second = await open({ organizationId: orgId, business: 'new', projectCode: 'gov-procurement', keyType: 'main' });
    expect(second.statusCode).toBe(400);
    expect(second.json().error.fields.keyType).toMatch(/只能申请不含电子签章的副锁/);
    // Cancelled, the counter order no longer counts.
    expect((await act(o.json().order.id, 'cancel', {})).json().error.fields.reason).toMatch(/请填写取消办理的原因/);
    expect((await act(o.json().order.id, 'cancel', { reason: '单位改为在线办理' })).statusCode).toBe(200);
    expect((await a.c.get('/api/apply/key-choice?projectCode=gov-procurement')).json().allowed).toEqual(['main']);

    // An online main key that reached 制证完成 leaves only a sub key at the counter.
    const q = await quickOrder(t, 'in_production');
    const producer = await staffMember(t, ['制证']);
    await produceOrder(
      t,
      { id: producer.s.id, roles: ['制证'] },
      q.orderId,
      { kind: 'generate', password: 'online-pass-1' },
      { ip: 'test' },
    );
    const onlineOrg = (await t.db.select().from(certificates).where(eq(certificates.orderId, q.orderId)))[0]!.organizationId!;
    const counterMain = await open({ organizationId: onlineOrg, business: 'new', projectCode: 'gov-procurement', keyType: 'main' });
    expect(counterMain.statusCode).toBe(400);
    const lookup = (
      await clerk.get(
        `/api/staff/counter/organizations?uscc=${(await certRow((await t.db.select().from(certificates).where(eq(certificates.orderId, q.orderId)))[0]!.id)).uscc}`,
      )
    ).json();
    expect(lookup.keyChoices.find((k: { projectCode: string }) => k.projectCode === 'gov-procurement').allowed).toEqual(['sub']);
    expect(lookup.certificates).toHaveLength(1);
    const sub = await open({ organizationId: onlineOrg, business: 'new', projectCode: 'gov-procurement', keyType: 'sub' });
    expect(sub.statusCode, sub.body).toBe(200);
    const r = await runFlow(sub.json().order.id);
    expect(await certRow(r.certificateId)).toMatchObject({ keyType: 'sub', source: 'counter' });
  });
});

describe('who may do what, and bad input', () => {
  it('keeps each office to its own orders and each step to its roles', async () => {
    const org = await registerOrg();
    const o = await open({ organizationId: org.id, business: 'new', projectCode: 'gov-procurement', keyType: 'main' });
    const id = o.json().order.id;
    // Another office's order is not found; 管理员 and 财务 see every office.
    expect((await fuzhou.get(`/api/staff/counter/orders/${id}`)).statusCode).toBe(404);
    expect((await act(id, 'cancel', { reason: '测试' }, fuzhou)).statusCode).toBe(404);
    expect((await admin.get(`/api/staff/counter/orders/${id}`)).statusCode).toBe(200);
    expect((await finance.get(`/api/staff/counter/orders/${id}`)).statusCode).toBe(200);
    // Roles.
    expect((await prereview.get(`/api/staff/counter/orders/${id}`)).statusCode).toBe(403);
    expect((await prereview.post('/api/staff/counter/orders', { organizationId: org.id })).statusCode).toBe(403);
    expect(
      (await finance.post(`/api/staff/counter/orders/${id}/produce`, { key: { kind: 'generate', password: 'xxxxxxxx' } })).statusCode,
    ).toBe(403);
    expect(
      (
        await clerk.post('/api/staff/counter/offices/fuzhou', {
          name: '抚州',
          city: '抚州',
          address: '抚州某路1号',
          phones: ['0794-8208389'],
        })
      ).statusCode,
    ).toBe(403);
    // A clerk without an office cannot open counter orders; the daily list asks for an office.
    const none = await open({ organizationId: org.id, business: 'new', projectCode: 'gov-procurement', keyType: 'sub' }, noOffice);
    expect(none.statusCode).toBe(403);
    expect(none.json().error.message).toMatch(/尚未设置所属受理点/);
    expect((await noOffice.get('/api/staff/counter/daily')).json().error.fields.office).toMatch(/受理点/);
    expect((await fuzhou.get('/api/staff/counter/daily?office=nanchang-hall')).statusCode).toBe(403);
    expect((await finance.get('/api/staff/counter/daily?office=nanchang-hall')).statusCode).toBe(200);
    // Out of order: a step the status does not allow is a 409 naming the status.
    const early = await clerk.post(`/api/staff/counter/orders/${id}/produce`, { key: { kind: 'generate', password: 'xxxxxxxx' } });
    expect(early.statusCode).toBe(409);
    expect(early.json().error.message).toMatch(/已提交资料，待前台受理/);
    expect((await act(id, 'seal')).statusCode).toBe(409);
    // 前台受理 with materials missing names them.
    const missing = await act(id, 'accept');
    expect(missing.statusCode).toBe(400);
    expect(missing.json().error.fields.materials).toMatch(/申请表.*营业执照.*身份证.*印模/);
  });

  it('answers malformed and wrong input with Chinese field messages, never a 500', async () => {
    const org = await registerOrg();
    const bad = [
      await clerk.get('/api/staff/counter/organizations?uscc=123'),
      await clerk.post('/api/staff/counter/organizations', { uscc: org.uscc, name: '重复单位有限公司', mobile: newMobile() }),
      await clerk.post('/api/staff/counter/organizations', { uscc: newUscc(), name: 'x', mobile: '12' }),
      await clerk.post('/api/staff/counter/orders', {
        organizationId: org.id,
        business: 'new',
        agentName: '赵经办',
        agentMobile: newMobile(),
      }),
      await clerk.post('/api/staff/counter/orders', { organizationId: org.id, business: 'renew', agentName: '赵', agentMobile: 'abc' }),
      await clerk.post('/api/staff/counter/orders', {
        organizationId: org.id,
        business: 'change',
        replacesCertificateId: org.id,
        agentName: '赵经办',
        agentMobile: newMobile(),
      }),
      await clerk.post('/api/staff/counter/orders', { organizationId: org.id, business: 'open-sesame' }),
      await clerk.post('/api/staff/counter/orders', 'not json', { 'content-type': 'application/json' }),
      await clerk.post('/api/staff/counter/orders', [1, 2, 3]),
      await clerk.get('/api/staff/counter/orders/not-a-uuid'),
      await clerk.post('/api/staff/counter/orders/00000000-0000-4000-8000-000000000000/actions/explode', {}),
      await clerk.get('/api/staff/counter/daily?day=2026-13-45'),
    ];
    for (const r of bad) {
      expect(r.statusCode, r.body).toBeGreaterThanOrEqual(400);
      expect(r.statusCode, r.body).toBeLessThan(500);
      expect(r.json().error.message).toMatch(/[\u4e00-\u9fff]/);
    }
    expect(bad[0]!.json().error.fields.uscc).toMatch(/18位/);
    expect(bad[1]!.json().error.fields.uscc).toMatch(/已登记/);
    expect(bad[2]!.json().error.fields).toMatchObject({
      name: expect.stringMatching(/单位名称/),
      mobile: expect.stringMatching(/单位手机号/),
    });
    expect(bad[3]!.json().error.fields).toMatchObject({ projectCode: '请选择证书项目', keyType: '请选择主锁或副锁' });
    expect(bad[4]!.json().error.fields).toMatchObject({
      replacesCertificateId: expect.stringMatching(/请选择要补办/),
      agentName: expect.stringMatching(/至少2个字/),
      agentMobile: expect.stringMatching(/经办人手机号/),
    });
    expect(bad[5]!.json().error.fields).toMatchObject({ newUnitName: expect.stringMatching(/变更后的单位名称/) });

    // Payment: the catalog's amount, a receipt number used once.
    const o = await open({ organizationId: org.id, business: 'new', projectCode: 'gov-procurement', keyType: 'main' });
    const id = o.json().order.id;
    const v = await view(id);
    await clerk.post(`/api/staff/counter/orders/${id}/materials`, { ticked: v.materials.map((m: { code: string }) => m.code) });
    expect((await clerk.post(`/api/staff/counter/orders/${id}/materials`, { ticked: ['ukey'] })).json().error.fields.ticked).toMatch(
      /资料清单/,
    );
    await act(id, 'accept');
    await act(id, 'approve');
    await clerk.post(`/api/staff/counter/orders/${id}/produce`, { key: { kind: 'generate', password: 'counter-pass-1' } });
    const wrong = await clerk.post(`/api/staff/counter/orders/${id}/pay`, { channel: 'cash', receiptNo: nextReceipt(), amountFen: 1 });
    expect(wrong.statusCode).toBe(400);
    expect(wrong.json().error.fields.amountFen).toMatch(/应收金额为 220(\.00)? 元/);
    const badChannel = await clerk.post(`/api/staff/counter/orders/${id}/pay`, { channel: 'bitcoin', receiptNo: '??', amountFen: 22000 });
    expect(badChannel.json().error.fields).toMatchObject({
      channel: expect.stringMatching(/现金/),
      receiptNo: expect.stringMatching(/收据号/),
    });
    const first = await newMainAtCounter();
    const dup = await clerk.post(`/api/staff/counter/orders/${id}/pay`, { channel: 'cash', receiptNo: first.receiptNo, amountFen: 22000 });
    expect(dup.statusCode).toBe(400);
    expect(dup.json().error.fields.receiptNo).toMatch(/已用于另一笔缴费/);
    // Nothing changed halfway: the order still waits for payment.
    expect((await view(id)).order.status).toBe('produced');
    void clerkId;
  });

  it('lets an administrator edit an office and set a staff member’s office, with audit rows', async () => {
    const r = await admin.post('/api/staff/counter/offices/jiujiang', {
      name: '九江办证点',
      city: '九江',
      address: '九江市浔阳区滨江路213号民政局8楼',
      phones: ['0792-8159907', '0792-8159908'],
      active: true,
    });
    expect(r.statusCode, r.body).toBe(200);
    expect(r.json().office.phones).toEqual([
      { display: '0792-8159907', tel: '07928159907' },
      { display: '0792-8159908', tel: '07928159908' },
    ]);
    const badPhone = await admin.post('/api/staff/counter/offices/jiujiang', {
      name: '九江办证点',
      city: '九江',
      address: '九江市某路',
      phones: ['12345'],
    });
    expect(badPhone.json().error.fields.phones).toMatch(/区号/);
    expect(
      (
        await admin.post('/api/staff/counter/offices/nowhere', {
          name: '某地',
          city: '某地',
          address: '某地某路1号',
          phones: ['0791-1234567'],
        })
      ).statusCode,
    ).toBe(404);
    const list = (await admin.get('/api/staff/counter/offices')).json();
    expect(list.offices).toHaveLength(12);
    expect(list.staff.find((s: { displayName: string }) => s.displayName === '柜台张三').officeCode).toBe('nanchang-hall');
    const audit = (await admin.get('/api/staff/audit?action=office.update')).json();
    expect(JSON.stringify(audit)).toContain('office.update');
  });

  it('a unit registered at the counter cannot log in until it claims the account with the SMS code to its mobile', async () => {
    const org = await registerOrg();
    const c = t.client();
    expect((await c.login(org.uscc, 'Whatever2026x')).statusCode).toBe(401);
    // Registering the same USCC online points to 忘记密码.
    const again = await c.register({ uscc: org.uscc });
    expect(again.res.json().error.fields.uscc).toMatch(/忘记密码/);
    const asked = await c.post('/api/password-reset/request', { uscc: org.uscc, mobile: org.mobile, ...(await c.captcha()) });
    expect(asked.statusCode, asked.body).toBe(200);
    const code = await smsCode(t, org.mobile);
    const set = await c.post('/api/password-reset/confirm', {
      uscc: org.uscc,
      code,
      password: 'Claimed2026x',
      passwordConfirm: 'Claimed2026x',
    });
    expect(set.statusCode, set.body).toBe(200);
    expect((await c.login(org.uscc, 'Claimed2026x')).statusCode).toBe(200);
    const lookup = (await clerk.get(`/api/staff/counter/organizations?uscc=${org.uscc}`)).json();
    expect(lookup.organization.claimed).toBe(true);
  });

  it('two clicks on one step make one change and one event (compare-and-set)', async () => {
    const org = await registerOrg();
    const o = await open({ organizationId: org.id, business: 'new', projectCode: 'gov-procurement', keyType: 'main' });
    const id = o.json().order.id;
    await clerk.post(`/api/staff/counter/orders/${id}/materials`, {
      ticked: ['application-form', 'business-license', 'agent-id', 'seal-impressions'],
    });
    const results = await Promise.all([act(id, 'accept'), act(id, 'accept'), act(id, 'accept')]);
    expect(results.map((r) => r.statusCode).sort()).toEqual([200, 409, 409]);
    const v = await view(id);
    expect(v.events.filter((e: { action: string }) => e.action === 'accept')).toHaveLength(1);
    // 退回补正资料 needs a reason, and takes the order back to 提交资料.
    expect((await act(id, 'return', {})).json().error.fields.reason).toMatch(/原因/);
    expect((await act(id, 'return', { reason: '营业执照复印件未盖章' })).statusCode).toBe(200);
    expect((await view(id)).order.status).toBe('submitted');
  });

  it('takes a scan of a material like an online document: re-encoded, replaceable, viewed only by its office, every view audited', async () => {
    const org = await registerOrg();
    const o = await open({ organizationId: org.id, business: 'new', projectCode: 'gov-procurement', keyType: 'main' });
    const id = o.json().order.id;
    const upload = async (material: string, data: Buffer, name = '营业执照.png', c = clerk) => {
      const { payload, headers } = multipart([{ filename: name, data }]);
      if (!c.csrf.staff) await c.session('staff');
      return c.request({
        method: 'POST',
        url: `/api/staff/counter/orders/${id}/materials/${material}/scan`,
        payload,
        headers: { ...headers, 'x-csrf-token': c.csrf.staff! },
      });
    };
    const first = await upload('business-license', await png(200, 120, 3));
    expect(first.statusCode, first.body).toBe(201);
    const second = await upload('business-license', await png(220, 140, 4));
    expect(second.statusCode).toBe(201);
    const v = await view(id);
    const m = v.materials.find((x: { code: string }) => x.code === 'business-license');
    expect(m.scan).toMatchObject({ id: second.json().scan.id, width: 220, height: 140 });
    const file = await clerk.get(`/api/staff/counter/orders/${id}/scans/${m.scan.id}/file`);
    expect(file.statusCode).toBe(200);
    expect(file.headers['content-type']).toMatch(/^image\/png/);
    expect((await clerk.get(`/api/staff/counter/orders/${id}/scans/${m.scan.id}/thumbnail`)).headers['content-type']).toMatch(
      /^image\/jpeg/,
    );
    // Another office sees nothing; an unknown material or a non-image is refused in Chinese.
    expect((await fuzhou.get(`/api/staff/counter/orders/${id}/scans/${m.scan.id}/file`)).statusCode).toBe(404);
    expect((await upload('business-license', await png(), 'x.png', fuzhou)).statusCode).toBe(404);
    const unknown = await upload('old-ukey', await png());
    expect(unknown.statusCode).toBe(400);
    expect(unknown.json().error.fields.material).toMatch(/资料清单/);
    const notImage = await upload('agent-id', Buffer.from('%PDF-1.4 not an image'), '身份证.pdf');
    expect(notImage.statusCode).toBe(400);
    expect(notImage.json().error.message).toMatch(/[\u4e00-\u9fff]/);
    const audit = (await admin.get('/api/staff/audit?action=counter.scan_view')).json();
    expect(JSON.stringify(audit)).toContain(m.scan.id);
  });
});
