/**
 * 在线续费 through the real app (issue 20). The organization's UKEY is played by keys held in this test (the
 * browser test drives a SoftHSM2 token through the 证书助手): the old certificate is issued by the test CA for
 * a P-256 key the test keeps, the new request is a PKCS#10 signed by a second key, and the challenge is signed
 * the way the agent signs it (core/agent-challenge.ts).
 *
 * Checked: the window (90 days before expiry), ownership (another organization: 404), the SMS code (wrong:
 * field `code`, nothing created), one renewal at a time, the old key's proof (a wrong key names `signature`
 * and spends a try; five spent, the right signature is refused too; a signature for another site or an
 * earlier request verifies nothing; a replay is refused), payment through the sandbox's notification, the
 * renewed certificate (a year past the old expiry, the new key, the old certificate as replaced) verified by
 * OpenSSL, the confirmation (a certificate that is not the one issued is refused), and the old certificate
 * revoked as superseded with event and audit rows — plus the counter path for expired and renamed units.
 */
import { createPublicKey, generateKeyPairSync, randomUUID, sign, type KeyObject } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SIGNATURE_ALGORITHM } from '../../ca/algorithms.js';
import { encodeName } from '../../ca/cert/name.js';
import { parseCertificate } from '../../ca/cert/parse.js';
import { bitString, explicit, integer, sequence } from '../../ca/der/der.js';
import { opensslResult, tempDir, type TempDir } from '../../ca/testing/openssl.js';
import { challengeMessage } from '../../core/agent-challenge.js';
import { addBeijingYear } from '../../core/certificate-validity.js';
import { RENEWAL_IDLE_HOURS } from '../modules/renewal/rules.js';
import { ManualClock } from '../clock.js';
import { certificates } from '../db/schema-certificates.js';
import { renewalEvents, renewalPayments, renewals } from '../db/schema-renewals.js';
import { auditEvents, organizations } from '../db/schema.js';
import { caRuntime } from '../modules/certificates/ca-runtime.js';
import { certificatePem } from '../modules/certificates/registry.js';
import { certificateRepository, type CertificateRow } from '../modules/certificates/repository.js';
import { certificateForKey } from '../modules/renewal/testing.js';
import { payInSandbox } from '../adapters/payment/testing.js';
import { testApp, type TestApp, type TestClient } from '../testing/harness.js';
import { smsCode } from '../testing/sms.js';
import { staffMember } from '../testing/paid-order.js';
import { TEST_CA_BASE_URL, testCaEnv } from '../testing/test-ca.js';

const ORIGIN = TEST_CA_BASE_URL;
let t: TestApp;
let clock: ManualClock;
let tmp: TempDir;

interface Org {
  c: TestClient;
  id: string;
  mobile: string;
  name: string;
  uscc: string;
}

async function org(): Promise<Org> {
  const c = t.client();
  const name = `江西在线续费测试${Math.random().toString(16).slice(2, 8)}有限公司`;
  const { res, body } = await c.register({ name });
  expect(res.statusCode, res.body).toBe(201);
  return { c, id: res.json().organization.id, mobile: body.mobile as string, name, uscc: body.uscc as string };
}

const p256 = () => generateKeyPairSync('ec', { namedCurve: 'P-256' });
const spkiOf = (k: KeyObject) => new Uint8Array(k.export({ type: 'spki', format: 'der' }));

/** A certificate of the test CA for a P-256 key this test holds (the "UKEY"), expiring in `daysLeft` days. */
async function oldCertificate(o: Org, daysLeft: number): Promise<{ cert: CertificateRow; key: KeyObject }> {
  const { privateKey, publicKey } = p256();
  const cert = await certificateForKey(t, {
    organizationId: o.id,
    uscc: o.uscc,
    unitName: o.name,
    spki: spkiOf(publicKey),
    daysLeft,
    now: clock.now(),
  });
  return { cert, key: privateKey };
}

/** A PKCS#10 request signed by `key` (as the agent makes one on the UKEY). */
function csrFor(key: { privateKey: KeyObject; publicKey: KeyObject }, o: Org): string {
  const info = sequence(integer(0), encodeName({ C: 'CN', O: o.name, CN: o.name, uscc: o.uscc }), spkiOf(key.publicKey), explicit(0));
  const sig = sign('sha256', info, { key: key.privateKey, dsaEncoding: 'der' });
  const der = sequence(info, SIGNATURE_ALGORITHM['ecdsa-p256'], bitString(sig));
  return `-----BEGIN CERTIFICATE REQUEST-----\n${Buffer.from(der).toString('base64')}\n-----END CERTIFICATE REQUEST-----\n`;
}

/** What the agent returns for a challenge: the key's signature over prefix + origin + challenge. */
const agentSign = (key: KeyObject, challenge: string, origin = ORIGIN) =>
  sign('sha256', challengeMessage(origin, Buffer.from(challenge, 'base64')), { key, dsaEncoding: 'der' }).toString('base64');

const info = async (o: Org, certId: string) => {
  const r = await o.c.get(`/api/my-certificates/${certId}/renewal`);
  expect(r.statusCode, r.body).toBe(200);
  return r.json();
};

/** SMS code and start: the renewal's id. */
async function start(o: Org, certId: string, nth = 1): Promise<string> {
  expect((await o.c.post(`/api/my-certificates/${certId}/renewal-code`, {})).statusCode).toBe(200);
  const code = await smsCode(t, o.mobile, nth);
  const r = await o.c.post(`/api/my-certificates/${certId}/renewals`, { code, tokenSerial: 'softhsm-0001' });
  expect(r.statusCode, r.body).toBe(200);
  return r.json().id;
}

async function challenge(o: Org, id: string, csr: string): Promise<string> {
  const r = await o.c.post(`/api/renewals/${id}/challenge`, { csr, keyId: 'ab'.repeat(20) });
  expect(r.statusCode, r.body).toBe(200);
  return r.json().challenge;
}

beforeAll(async () => {
  clock = new ManualClock(new Date());
  t = await testApp({ clock, env: await testCaEnv() });
  tmp = tempDir('certdesk-renewal-test-');
}, 120_000);
afterAll(async () => {
  tmp?.remove();
  await t?.close();
});

describe('online renewal, end to end through the routes', () => {
  it('SMS code, proof with the old key over the request, payment, a certificate a year past the old one, confirmed and the old one superseded', async () => {
    const o = await org();
    const other = await org();
    const { cert: old, key: oldKey } = await oldCertificate(o, 30);

    const before = await info(o, old.id);
    expect(before).toMatchObject({ canStart: true, refusal: null, renewal: null });
    expect(new Date(before.newValidity.notAfter)).toEqual(addBeijingYear(old.notAfter));
    // Another organization: not found, before and after.
    expect((await other.c.get(`/api/my-certificates/${old.id}/renewal`)).statusCode).toBe(404);
    expect((await other.c.post(`/api/my-certificates/${old.id}/renewal-code`, {})).statusCode).toBe(404);

    // A wrong code names the field and creates nothing; the right one starts the renewal.
    expect((await o.c.post(`/api/my-certificates/${old.id}/renewal-code`, {})).statusCode).toBe(200);
    const code = await smsCode(t, o.mobile, 1);
    const wrong = await o.c.post(`/api/my-certificates/${old.id}/renewals`, {
      code: code === '000000' ? '000001' : '000000',
      tokenSerial: 'softhsm-0001',
    });
    expect(wrong.statusCode).toBe(400);
    expect(wrong.json().error.fields.code).toContain('不正确');
    expect(await t.db.select().from(renewals).where(eq(renewals.certificateId, old.id))).toEqual([]);
    const started = await o.c.post(`/api/my-certificates/${old.id}/renewals`, { code, tokenSerial: 'softhsm-0001' });
    expect(started.statusCode, started.body).toBe(200);
    const id = started.json().id as string;
    expect(started.json()).toMatchObject({ status: 'started', tokenSerial: 'softhsm-0001' });
    // One at a time: no second code, no second renewal; the page resumes the open one.
    expect((await o.c.post(`/api/my-certificates/${old.id}/renewal-code`, {})).statusCode).toBe(409);
    expect((await o.c.post(`/api/my-certificates/${old.id}/renewals`, { code, tokenSerial: 'x' })).statusCode).toBe(409);
    expect((await info(o, old.id)).renewal).toMatchObject({ id, status: 'started' });
    expect((await other.c.get(`/api/renewals/${id}`)).statusCode).toBe(404);
    expect((await other.c.post(`/api/renewals/${id}/challenge`, { csr: csrFor(p256(), o), keyId: 'ab' })).statusCode).toBe(404);

    // A request made with the old key itself is refused: a renewal needs a new key.
    const reuse = await o.c.post(`/api/renewals/${id}/challenge`, {
      csr: csrFor({ privateKey: oldKey, publicKey: createPublicKey(oldKey) }, o),
      keyId: 'ab',
    });
    expect(reuse.statusCode).toBe(400);
    expect(reuse.json().error.fields.csr).toContain('新的密钥');

    // The challenge binds the request: one for request A, then request B — A's challenge signed verifies nothing.
    const newKey = p256();
    const challengeA = await challenge(o, id, csrFor(p256(), o));
    const challengeB = await challenge(o, id, csrFor(newKey, o));
    const staleProof = await o.c.post(`/api/renewals/${id}/proof`, { signature: agentSign(oldKey, challengeA) }, { origin: ORIGIN });
    expect(staleProof.statusCode).toBe(400);
    expect(staleProof.json().error.fields.signature).toContain('还可尝试4次');
    // Signed by the old key for another site (the agent puts the origin it was paired with into what it signs).
    const otherSite = await o.c.post(
      `/api/renewals/${id}/proof`,
      { signature: agentSign(oldKey, challengeB, 'https://evil.example') },
      { origin: 'https://evil.example' },
    );
    expect(otherSite.statusCode).toBe(400);
    // Signed by some other key.
    expect((await o.c.post(`/api/renewals/${id}/proof`, { signature: agentSign(p256().privateKey, challengeB) })).statusCode).toBe(400);
    // The old key, this challenge: proven.
    const proof = agentSign(oldKey, challengeB);
    const proven = await o.c.post(`/api/renewals/${id}/proof`, { signature: proof });
    expect(proven.statusCode, proven.body).toBe(200);
    expect(proven.json()).toMatchObject({ status: 'proven', amountFen: expect.any(Number) });
    // Replayed: the challenge is spent.
    const replay = await o.c.post(`/api/renewals/${id}/proof`, { signature: proof });
    expect(replay.statusCode).toBe(409);
    // Issuing before payment: refused.
    expect((await o.c.post(`/api/renewals/${id}/issue`, {})).statusCode).toBe(409);

    // Payment: the sandbox's notification goes through the same notify route as an order's.
    const pay = await o.c.post(`/api/renewals/${id}/payment`, { channel: 'wechat' });
    expect(pay.statusCode, pay.body).toBe(200);
    expect(pay.json().codeUrl).toMatch(/\/sandbox\/pay\/wechat\//);
    expect((await payInSandbox(t.app, t.db, pay.json().codeUrl, clock)).ok).toBe(true);
    expect((await o.c.get(`/api/renewals/${id}`)).json()).toMatchObject({ status: 'paid' });

    // Issued: the new key, a year past the old expiry, verified by OpenSSL up to the test root.
    const issued = await o.c.post(`/api/renewals/${id}/issue`, {});
    expect(issued.statusCode, issued.body).toBe(200);
    expect(issued.json().status).toBe('issued');
    const pem = issued.json().newCertificate.pem as string;
    const parsed = parseCertificate(pem);
    expect(Buffer.from(parsed.spki)).toEqual(Buffer.from(spkiOf(newKey.publicKey)));
    expect(parsed.notAfter).toEqual(addBeijingYear(old.notAfter));
    expect(parsed.subjectFields).toMatchObject({ O: o.name, uscc: o.uscc });
    const rt = await caRuntime(t.config.ca);
    const issuing = rt.issuing('ecdsa-p256');
    writeFileSync(tmp.path('chain.pem'), certificatePem(issuing.certDer) + certificatePem(issuing.rootDer));
    writeFileSync(tmp.path('new.pem'), pem);
    const v = await opensslResult(['verify', '-CAfile', tmp.path('chain.pem'), '-partial_chain', tmp.path('new.pem')]);
    expect(v.out).toContain('new.pem: OK');
    // Issuing again returns the same certificate.
    expect((await o.c.post(`/api/renewals/${id}/issue`, {})).json().newCertificate.pem).toBe(pem);
    const [fresh] = await t.db.select().from(certificates).where(eq(certificates.replacesId, old.id));
    expect(fresh).toMatchObject({ status: 'issued', organizationId: o.id, source: 'online', createdBy: null });

    // The old certificate stays valid until the page confirms what it read back from the UKEY.
    expect((await certificateRepository.findById(t.db, old.id))!.status).toBe('issued');
    const notIt = await o.c.post(`/api/renewals/${id}/confirm`, { certificate: Buffer.from(old.der!).toString('base64') });
    expect(notIt.statusCode).toBe(400);
    expect(notIt.json().error.fields.certificate).toContain('不一致');
    const done = await o.c.post(`/api/renewals/${id}/confirm`, { certificate: Buffer.from(fresh!.der!).toString('base64') });
    expect(done.statusCode, done.body).toBe(200);
    expect(done.json().status).toBe('completed');
    expect(await certificateRepository.findById(t.db, old.id)).toMatchObject({ status: 'revoked', revocationReason: 4 });
    // Confirming again changes nothing.
    expect((await o.c.post(`/api/renewals/${id}/confirm`, { certificate: Buffer.from(fresh!.der!).toString('base64') })).statusCode).toBe(
      200,
    );

    // Every step: an event row and an audit row.
    const steps = (await t.db.select().from(renewalEvents).where(eq(renewalEvents.renewalId, id))).map((e) => e.action);
    expect(steps).toEqual([
      'renewal.start',
      'renewal.request',
      'renewal.request',
      'renewal.prove',
      'renewal.pay',
      'renewal.issue',
      'renewal.complete',
    ]);
    const audits = await t.db
      .select()
      .from(auditEvents)
      .where(and(eq(auditEvents.targetType, 'renewal'), eq(auditEvents.targetId, id)));
    expect(audits.map((a) => a.action)).toEqual(
      expect.arrayContaining(['renewal.start', 'renewal.prove', 'renewal.pay', 'renewal.issue', 'renewal.complete']),
    );
    const revokedAudit = await t.db
      .select()
      .from(auditEvents)
      .where(
        and(eq(auditEvents.targetType, 'certificate'), eq(auditEvents.targetId, old.id), eq(auditEvents.action, 'certificate.revoke')),
      );
    expect(revokedAudit).toHaveLength(1);

    // 我的证书: the old one 已续费, the new one valid; no second renewal of the old one.
    const mine = (await o.c.get('/api/my-certificates')).json().certificates as {
      id: string;
      statusLabel: string;
      canRenewOnline: boolean;
    }[];
    expect(mine.find((c) => c.id === old.id)).toMatchObject({ statusLabel: '已续费', canRenewOnline: false });
    expect(mine.find((c) => c.id === fresh!.id)).toMatchObject({ statusLabel: '有效' });
    expect((await info(o, old.id)).canStart).toBe(false);
  });

  it('counts proof attempts before checking: after five wrong signatures the right one is refused too', async () => {
    const o = await org();
    const { cert, key } = await oldCertificate(o, 10);
    const id = await start(o, cert.id);
    const ch = await challenge(o, id, csrFor(p256(), o));
    for (let i = 0; i < 5; i++)
      expect((await o.c.post(`/api/renewals/${id}/proof`, { signature: agentSign(p256().privateKey, ch) })).statusCode).toBe(400);
    const late = await o.c.post(`/api/renewals/${id}/proof`, { signature: agentSign(key, ch) });
    expect(late.statusCode).toBe(409);
    expect(late.json().error.message).toContain('已失效');
    // A new request gets a new challenge with fresh tries.
    const again = await challenge(o, id, csrFor(p256(), o));
    expect((await o.c.post(`/api/renewals/${id}/proof`, { signature: agentSign(key, again) })).statusCode).toBe(200);
  });

  it('a certificate replaced at the counter meanwhile is never bound to the renewal', async () => {
    const o = await org();
    const { cert, key } = await oldCertificate(o, 15);
    const id = await start(o, cert.id);
    const ch = await challenge(o, id, csrFor(p256(), o));
    expect((await o.c.post(`/api/renewals/${id}/proof`, { signature: agentSign(key, ch) })).statusCode).toBe(200);
    const pay = await o.c.post(`/api/renewals/${id}/payment`, { channel: 'alipay' });
    expect((await payInSandbox(t.app, t.db, pay.json().codeUrl, clock)).ok).toBe(true);
    // The counter's 续费 of the same certificate got there first.
    await t.db.insert(certificates).values({
      ...cert,
      id: randomUUID(),
      serial: `${cert.serial}c`,
      replacesId: cert.id,
      counterOrderId: randomUUID(),
      source: 'counter',
    });
    const r = await o.c.post(`/api/renewals/${id}/issue`, {});
    expect(r.statusCode).toBe(409);
    expect(r.json().error.message).toContain('受理点');
    expect((await o.c.get(`/api/renewals/${id}`)).json().status).toBe('paid');
  });

  it('a challenge dies after 5 minutes', async () => {
    const o = await org();
    const { cert, key } = await oldCertificate(o, 10);
    const id = await start(o, cert.id);
    const ch = await challenge(o, id, csrFor(p256(), o));
    clock.advance(5 * 60_000 + 1000);
    try {
      expect((await o.c.post(`/api/renewals/${id}/proof`, { signature: agentSign(key, ch) })).statusCode).toBe(409);
    } finally {
      clock.set(new Date());
    }
  });
});

describe('the rules', () => {
  it('opens 90 days before expiry and says when', async () => {
    const o = await org();
    const { cert } = await oldCertificate(o, 120);
    const r = await info(o, cert.id);
    expect(r.canStart).toBe(false);
    expect(r.refusal.reason).toMatch(/到期前 90 天内才能在线续费.*起可以续费/);
    expect((await o.c.post(`/api/my-certificates/${cert.id}/renewal-code`, {})).statusCode).toBe(409);
  });

  it('an expired certificate or a renamed unit goes to the counter, with the materials to bring', async () => {
    const o = await org();
    const { cert: expired } = await oldCertificate(o, -2);
    const e = await info(o, expired.id);
    expect(e.canStart).toBe(false);
    expect(e.refusal.reason).toContain('过期证书不能在线续费');
    expect(e.refusal.counter.materials).toContain('UKEY');
    const refused = await o.c.post(`/api/my-certificates/${expired.id}/renewal-code`, {});
    expect(refused.statusCode).toBe(409);
    expect(refused.json().error.message).toContain('需携带');

    const { cert } = await oldCertificate(o, 20);
    await t.db
      .update(organizations)
      .set({ name: `${o.name}（更名）` })
      .where(eq(organizations.id, o.id));
    try {
      const r = await info(o, cert.id);
      expect(r.refusal.reason).toContain('变更');
      expect(r.refusal.counter.business).toBe('change');
    } finally {
      await t.db.update(organizations).set({ name: o.name }).where(eq(organizations.id, o.id));
    }
  });

  it('names the fields of bad input', async () => {
    const o = await org();
    const { cert } = await oldCertificate(o, 20);
    const r = await o.c.post(`/api/my-certificates/${cert.id}/renewals`, { code: '12', tokenSerial: '' });
    expect(r.statusCode).toBe(400);
    const id = await start(o, cert.id);
    const bad = await o.c.post(`/api/renewals/${id}/challenge`, {
      csr: `-----BEGIN CERTIFICATE REQUEST-----\n${'A'.repeat(200)}\n-----END CERTIFICATE REQUEST-----`,
      keyId: 'ab',
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.fields.csr).toBeTruthy();
    const pay = await o.c.post(`/api/renewals/${id}/payment`, { channel: 'wechat' });
    expect(pay.statusCode).toBe(409);
    expect(pay.json().error.message).toContain('请先核验 UKEY');
  });
});

/**
 * One successor per certificate, from both sides (issue 20): the counter refuses a 续费 (or 补办/变更) of a
 * certificate while an online renewal of it is open — and closes one left unpaid for a day — and 在线续费
 * refuses while a counter order on it is open. One row per state the online renewal is in.
 */
describe('the counter and the online renewal of the same certificate', () => {
  let clerk: Awaited<ReturnType<typeof staffMember>>;
  beforeAll(async () => {
    const admin = await staffMember(t, ['管理员'], '管理员（续费测试）');
    clerk = await staffMember(t, ['受理'], '柜台（续费测试）');
    const r = await admin.c.post(`/api/staff/counter/staff/${clerk.s.id}/office`, { officeCode: 'nanchang-hall' });
    expect(r.statusCode, r.body).toBe(200);
  }, 60_000);

  const openRenewAtCounter = (o: Org, certificateId: string) =>
    clerk.c.post('/api/staff/counter/orders', {
      organizationId: o.id,
      business: 'renew',
      replacesCertificateId: certificateId,
      agentName: '赵经办',
      agentMobile: o.mobile,
    });

  /** Takes the renewal to `status` through the routes, then (idle) back-dates its last activity. */
  async function renewalIn(o: Org, status: 'started' | 'proven' | 'paid', idleHours: number) {
    const { cert, key } = await oldCertificate(o, 30);
    const id = await start(o, cert.id);
    if (status !== 'started') {
      const ch = await challenge(o, id, csrFor(p256(), o));
      expect((await o.c.post(`/api/renewals/${id}/proof`, { signature: agentSign(key, ch) })).statusCode).toBe(200);
    }
    if (status === 'paid') {
      const pay = await o.c.post(`/api/renewals/${id}/payment`, { channel: 'alipay' });
      expect((await payInSandbox(t.app, t.db, pay.json().codeUrl, clock)).ok).toBe(true);
    }
    if (idleHours) {
      const then = new Date(clock.now().getTime() - idleHours * 3600_000);
      await t.db.update(renewals).set({ updatedAt: then }).where(eq(renewals.id, id));
      await t.db.update(renewalPayments).set({ createdAt: then }).where(eq(renewalPayments.renewalId, id));
    }
    return { cert, id };
  }

  const CASES: [string, 'started' | 'proven' | 'paid', number, 'refused' | 'closed', RegExp][] = [
    ['started online a moment ago', 'started', 0, 'refused', /正在网上办理在线续费.*后可在受理点办理/],
    ['proven online, waiting for payment', 'proven', 0, 'refused', /已核验 UKEY，待付款/],
    ['paid online (even a week ago)', 'paid', 24 * 7, 'refused', /已付款，请单位登录系统在“我的证书”中继续完成在线续费/],
    ['started online and left unpaid for a day', 'started', RENEWAL_IDLE_HOURS + 1, 'closed', /./],
    ['proven online and left unpaid for two days', 'proven', 48, 'closed', /./],
  ];

  it.each(CASES)('counter 续费 of a certificate %s: %s', async (_name, status, idleHours, outcome, text) => {
    const o = await org();
    const { cert, id } = await renewalIn(o, status, idleHours);
    const r = await openRenewAtCounter(o, cert.id);
    const renewal = (await t.db.select().from(renewals).where(eq(renewals.id, id)))[0]!;
    if (outcome === 'refused') {
      expect(r.statusCode, r.body).toBe(400);
      expect(r.json().error.fields.replacesCertificateId).toMatch(text);
      expect(renewal.status).toBe(status);
      return;
    }
    expect(r.statusCode, r.body).toBe(200);
    expect(renewal.status).toBe('cancelled');
    const events = await t.db.select().from(renewalEvents).where(eq(renewalEvents.renewalId, id));
    expect(events.at(-1)).toMatchObject({ action: 'renewal.cancel', actorType: 'staff', actorId: clerk.s.id, toStatus: 'cancelled' });
    const audit = await t.db
      .select()
      .from(auditEvents)
      .where(and(eq(auditEvents.targetId, id), eq(auditEvents.action, 'renewal.cancel')));
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({ actorType: 'staff', actorId: clerk.s.id });
    // And the other way round: the organization's page now points to the counter order, and a new start is refused.
    const after = await info(o, cert.id);
    expect(after.canStart).toBe(false);
    expect(after.refusal.reason).toContain(`受理单号 ${r.json().order.orderNo}`);
    expect((await o.c.post(`/api/my-certificates/${cert.id}/renewal-code`, {})).statusCode).toBe(409);
  });

  it('在线续费 is refused while a counter 续费 of the certificate is open, and allowed again once it is cancelled', async () => {
    const o = await org();
    const { cert } = await oldCertificate(o, 30);
    const opened = await openRenewAtCounter(o, cert.id);
    expect(opened.statusCode, opened.body).toBe(200);
    const refused = await o.c.post(`/api/my-certificates/${cert.id}/renewal-code`, {});
    expect(refused.statusCode).toBe(409);
    expect(refused.json().error.message).toContain('正在办理的柜台业务');
    const cancelled = await clerk.c.post(`/api/staff/counter/orders/${opened.json().order.id}/actions/cancel`, {
      reason: '单位改为在线续费',
    });
    expect(cancelled.statusCode, cancelled.body).toBe(200);
    expect((await info(o, cert.id)).canStart).toBe(true);
  });
});
