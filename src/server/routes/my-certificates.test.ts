/**
 * 我的证书 through the real app (issue 7): an organization lists only its own certificates (online and
 * counter) with project, 主锁/副锁, status and the order link; another organization gets 404; an online
 * revocation request needs the SMS code sent to the registered mobile — a missing, wrong or expired code names
 * the `code` field and changes nothing, another organization's certificate is 404, a second request 409 —
 * and, once approved by staff, the organization sees 已吊销 with both times.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../clock.js';
import { certificates } from '../db/schema-certificates.js';
import { revocationCodes } from '../db/schema-reminders.js';
import { revocationRequests } from '../db/schema-revocation.js';
import { auditEvents, sandboxSms } from '../db/schema.js';
import { issueTestCertificate } from '../modules/revocation/testing.js';
import { seedOffices } from '../modules/counter/offices.js';
import { OFFICES } from '../../core/content/offices.js';
import { counterOrders } from '../db/schema-counter.js';
import { testApp, type TestApp, type TestClient } from '../testing/harness.js';
import { staffMember } from '../testing/paid-order.js';
import { smsCode, smsFor } from '../testing/sms.js';
import { testCaEnv } from '../testing/test-ca.js';

let t: TestApp;
let clock: ManualClock;
let producer: TestClient;

interface Org {
  c: TestClient;
  id: string;
  mobile: string;
  name: string;
}

async function org(): Promise<Org> {
  const c = t.client();
  const name = `江西我的证书测试${randomBytes(3).toString('hex')}有限公司`;
  const { res, body } = await c.register({ name });
  expect(res.statusCode, res.body).toBe(201);
  return { c, id: res.json().organization.id, mobile: body.mobile as string, name };
}

const issue = (o: Org) => issueTestCertificate(t, 'sm2', { organizationId: o.id, unitName: o.name, at: clock.now() });
const list = async (o: Org) => {
  const r = await o.c.get('/api/my-certificates');
  expect(r.statusCode, r.body).toBe(200);
  return r.json() as { certificates: Record<string, unknown>[]; expiring: { id: string }[]; reasons: { code: number }[] };
};
const entry = async (o: Org, id: string) => (await list(o)).certificates.find((c) => c.id === id)!;
const sendCode = (o: Org, id: string) => o.c.post(`/api/my-certificates/${id}/revocation-code`, {});
const request = (o: Org, id: string, body: Record<string, unknown>) => o.c.post(`/api/certificates/${id}/revocation-requests`, body);
const requestsOf = (certId: string) => t.db.select().from(revocationRequests).where(eq(revocationRequests.certificateId, certId));
const smsCount = async (phone: string) => (await t.db.select().from(sandboxSms).where(eq(sandboxSms.phoneNumber, phone))).length;

beforeAll(async () => {
  clock = new ManualClock(new Date());
  t = await testApp({ clock, env: await testCaEnv() });
  producer = (await staffMember(t, ['制证'], '周制证')).c;
}, 120_000);
afterAll(async () => {
  await t?.close();
});

describe('the list', () => {
  it('shows only the organization’s own certificates, online and counter, with project, 主锁/副锁, status and its own order', async () => {
    const a = await org();
    const b = await org();
    // The online certificate's order (A's own), shown as a link; B's order on A's certificate would not be.
    const created = await a.c.post('/api/orders', { projectCode: 'gov-procurement', keyType: 'main', agree: true });
    expect(created.statusCode, created.body).toBe(201);
    const orderId = created.json().order?.id ?? created.json().id;
    const bOrder = await b.c.post('/api/orders', { projectCode: 'gov-procurement', keyType: 'main', agree: true });
    expect(bOrder.statusCode, bOrder.body).toBe(201);
    const online = await issue(a);
    const counter = await issue(a);
    // A counter-issued certificate (another engineer's source 'counter'), a 副锁, expiring in 60 days.
    const soon = new Date(clock.now().getTime() + 60 * 86400_000);
    await t.db
      .update(certificates)
      .set({ source: 'counter' as never, keyType: 'sub', notAfter: soon })
      .where(eq(certificates.id, counter.id));
    const expired = await issue(a);
    await t.db
      .update(certificates)
      .set({ notAfter: new Date(clock.now().getTime() - 86400_000) })
      .where(eq(certificates.id, expired.id));
    const other = await issue(b);
    await t.db.update(certificates).set({ orderId }).where(eq(certificates.id, online.id));

    const mine = await list(a);
    expect(mine.certificates.map((c) => c.id).sort()).toEqual([online.id, counter.id, expired.id].sort());
    expect(mine.certificates.find((c) => c.id === online.id)).toMatchObject({
      serialDisplay: online.serial.length % 2 ? `0${online.serial.toUpperCase()}` : online.serial.toUpperCase(),
      projectCode: 'gov-procurement',
      keyType: 'main',
      keyTypeLabel: '主锁',
      status: 'valid',
      statusLabel: '有效',
      sourceLabel: '在线办理',
      orderId,
      canRevoke: true,
      expiringSoon: false,
    });
    expect(String(mine.certificates.find((c) => c.id === online.id)!.orderNo)).toMatch(/^\d{15}$/);
    expect(String(mine.certificates.find((c) => c.id === online.id)!.projectName)).toMatch(/[\u4e00-\u9fff]/);
    expect(mine.certificates.find((c) => c.id === counter.id)).toMatchObject({
      keyTypeLabel: '副锁',
      sourceLabel: '现场办理',
      orderId: null,
      status: 'valid',
      daysLeft: 60,
      expiringSoon: true,
    });
    // Its counter order (受理单号, business, office), as the counter records it.
    await seedOffices(t.db, clock.now());
    const office = OFFICES[0]!;
    const [co] = await t.db
      .insert(counterOrders)
      .values({
        orderNo: '261121000000017',
        officeCode: office.code,
        business: 'renew',
        organizationId: a.id,
        uscc: counter.uscc,
        unitName: a.name,
        projectCode: 'gov-procurement',
        keyType: 'sub',
        agentName: '欧阳晓梅',
        agentMobile: '13700137003',
        status: 'completed',
        openedBy: randomUUID(),
        createdAt: clock.now(),
        statusChangedAt: clock.now(),
        updatedAt: clock.now(),
      })
      .returning();
    await t.db.update(certificates).set({ counterOrderId: co!.id }).where(eq(certificates.id, counter.id));
    expect(await entry(a, counter.id)).toMatchObject({
      counterOrderNo: '261121000000017',
      counterBusinessLabel: '续费',
      officeName: office.name,
      orderId: null,
    });
    expect(mine.certificates.find((c) => c.id === expired.id)).toMatchObject({
      status: 'expired',
      statusLabel: '已过期',
      canRevoke: false,
    });
    expect(mine.expiring.map((c) => c.id)).toEqual([counter.id]);
    expect(mine.reasons.map((r) => r.code)).not.toContain(9);

    // B sees only its own; A's certificate is "not found" for B, both in detail and for a code.
    expect((await list(b)).certificates.map((c) => c.id)).toEqual([other.id]);
    expect((await b.c.get(`/api/my-certificates/${online.id}`)).statusCode).toBe(404);
    expect((await a.c.get(`/api/my-certificates/${online.id}`)).json().certificate).toMatchObject({ id: online.id, status: 'valid' });
    expect((await t.client().get('/api/my-certificates')).statusCode).toBe(401);
    expect((await a.c.get('/api/my-certificates/not-a-uuid')).statusCode).toBe(400);

    // B's order on A's certificate is not linked (never a hint of another organization's order).
    await t.db
      .update(certificates)
      .set({ orderId: bOrder.json().order?.id ?? bOrder.json().id })
      .where(eq(certificates.id, expired.id));
    expect(await entry(a, expired.id)).toMatchObject({ orderId: null, orderNo: null });
  });

  it('a renewed certificate (a later one of the same project and key type, issued in the renewal window) is not listed as expiring', async () => {
    const a = await org();
    const old = await issue(a);
    await t.db
      .update(certificates)
      .set({ notAfter: new Date(clock.now().getTime() + 20 * 86400_000) })
      .where(eq(certificates.id, old.id));
    expect((await list(a)).expiring.map((c) => c.id)).toEqual([old.id]);
    const renewal = await issue(a); // issued now, valid a year: within 90 days of the old one's expiry
    const l = await list(a);
    expect(l.expiring).toEqual([]);
    expect(l.certificates.find((c) => c.id === old.id)).toMatchObject({ renewed: true, status: 'valid' });
    expect(l.certificates.find((c) => c.id === renewal.id)).toMatchObject({ renewed: false });
  });
});

describe('online revocation request confirmed by SMS code', () => {
  it('missing, wrong and expired codes name the field and change nothing; the right code files one request', async () => {
    const a = await org();
    const b = await org();
    const cert = await issue(a);

    // Without a code: the field is named, nothing is created.
    const none = await request(a, cert.id, { reason: 1 });
    expect(none.statusCode).toBe(400);
    expect(none.json().error.fields.code).toBe('请输入短信中的6位验证码');
    // A code for another organization's certificate: 404, no SMS.
    expect((await sendCode(b, cert.id)).statusCode).toBe(404);
    expect(await smsCount(b.mobile)).toBe(0);

    const sent = await sendCode(a, cert.id);
    expect(sent.statusCode, sent.body).toBe(200);
    expect(sent.json()).toMatchObject({ expiresInSeconds: 600, maskedMobile: `${a.mobile.slice(0, 3)}****${a.mobile.slice(-4)}` });
    const code = await smsCode(t, a.mobile, 1);
    const text = (await smsFor(t, a.mobile, 1))[0]!.text;
    expect(text).toContain(`尾号${cert.serial.toUpperCase().slice(-6)}`);
    // The code is not stored in the clear; the outbox keeps it only until sent.
    expect(JSON.stringify(await t.db.select().from(revocationCodes).where(eq(revocationCodes.certificateId, cert.id)))).not.toContain(code);
    // A second code within a minute is refused (the first is on its way).
    expect((await sendCode(a, cert.id)).statusCode).toBe(429);

    const wrong = code === '000000' ? '111111' : '000000';
    const bad = await request(a, cert.id, { reason: 1, code: wrong });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.fields.code).toBe('短信验证码不正确，还可尝试4次');
    // Another organization with A's certificate and the right code: 404, and it spends none of A's tries.
    expect((await request(b, cert.id, { reason: 1, code })).statusCode).toBe(404);
    expect(await requestsOf(cert.id)).toEqual([]);

    // Expired: 10 minutes later the code is dead.
    clock.advance(10 * 60_000 + 1000);
    const late = await request(a, cert.id, { reason: 1, code });
    expect(late.statusCode).toBe(400);
    expect(late.json().error.fields.code).toBe('短信验证码已失效，请重新获取');
    expect(await requestsOf(cert.id)).toEqual([]);
    expect((await entry(a, cert.id)).status).toBe('valid');

    // A new code: the right one files the request, once.
    expect((await sendCode(a, cert.id)).statusCode).toBe(200);
    const code2 = await smsCode(t, a.mobile, 2);
    const ok = await request(a, cert.id, { reason: 3, note: '单位已更名', code: code2 });
    expect(ok.statusCode, ok.body).toBe(201);
    const reqs = await requestsOf(cert.id);
    expect(reqs).toHaveLength(1);
    expect(reqs[0]).toMatchObject({ source: 'applicant', status: 'pending', reason: 3, requestedByOrg: a.id });

    // Double request: the same code again, or a new code, is refused; still one request.
    expect((await request(a, cert.id, { reason: 3, code: code2 })).statusCode).toBe(409);
    const again = await sendCode(a, cert.id);
    expect(again.statusCode).toBe(409);
    expect(again.json().error.message).toContain('待处理');
    expect(await requestsOf(cert.id)).toHaveLength(1);

    const pending = await entry(a, cert.id);
    expect(pending).toMatchObject({ status: 'revocation_pending', statusLabel: '吊销申请中', canRevoke: false });
    expect(new Date(String(pending.revocationDeadline)).getTime() - new Date(String(pending.revocationRequestedAt)).getTime()).toBe(
      24 * 3600_000,
    );
    const audit = await t.db
      .select()
      .from(auditEvents)
      .where(and(eq(auditEvents.targetId, cert.id), eq(auditEvents.actorId, a.id)));
    expect(audit.map((e) => e.action).sort()).toEqual([
      'certificate.revoke_code_sent',
      'certificate.revoke_code_sent',
      'certificate.revoke_request',
    ]);

    // The staff queue shows it with the 24-hour deadline; approval revokes; the organization sees both times.
    const q = (await producer.get('/api/staff/revocations'))
      .json()
      .requests.find((x: { certificateId: string }) => x.certificateId === cert.id);
    expect(q).toMatchObject({ source: 'applicant', requestedByName: '申请单位（在线）', overdue: false });
    expect(new Date(q.deadline).getTime() - new Date(q.requestedAt).getTime()).toBe(24 * 3600_000);
    clock.advance(20 * 60_000);
    expect((await producer.post(`/api/staff/revocations/${q.id}/approve`, {})).statusCode).toBe(200);
    const done = await entry(a, cert.id);
    expect(done).toMatchObject({ status: 'revoked', statusLabel: '已吊销', revocationReasonLabel: '单位名称等信息变更', canRevoke: false });
    expect(new Date(String(done.revokedAt)).getTime() - new Date(String(done.revocationRequestedAt)).getTime()).toBe(20 * 60_000);
    const detail = (await a.c.get(`/api/my-certificates/${cert.id}`)).json();
    expect(detail.requests).toHaveLength(1);
    expect(detail.requests[0]).toMatchObject({ status: 'approved', statusLabel: '已吊销' });
    // A revoked certificate: no code, no request.
    expect((await sendCode(a, cert.id)).statusCode).toBe(409);
  });

  it('five wrong tries kill the code; sending is throttled per organization', async () => {
    const a = await org();
    const cert = await issue(a);
    expect((await sendCode(a, cert.id)).statusCode).toBe(200);
    const code = await smsCode(t, a.mobile, 1);
    const wrong = code === '999999' ? '888888' : '999999';
    const msgs: string[] = [];
    for (let i = 0; i < 5; i++) msgs.push((await request(a, cert.id, { reason: 1, code: wrong })).json().error.fields.code);
    expect(msgs).toEqual([
      '短信验证码不正确，还可尝试4次',
      '短信验证码不正确，还可尝试3次',
      '短信验证码不正确，还可尝试2次',
      '短信验证码不正确，还可尝试1次',
      '短信验证码错误次数过多，请重新获取',
    ]);
    // Even the right code is dead now.
    expect((await request(a, cert.id, { reason: 1, code })).json().error.fields.code).toBe('短信验证码已失效，请重新获取');
    expect(await requestsOf(cert.id)).toEqual([]);

    // Four more codes (a minute apart) make five this hour; the sixth is refused for an hour.
    for (let i = 0; i < 4; i++) {
      clock.advance(61_000);
      expect((await sendCode(a, cert.id)).statusCode).toBe(200);
    }
    clock.advance(61_000);
    const sixth = await sendCode(a, cert.id);
    expect(sixth.statusCode).toBe(429);
    expect(sixth.json().error.message).toMatch(/请在.+后再试/);
    expect(await smsFor(t, a.mobile, 5)).toHaveLength(5);
  });
});
