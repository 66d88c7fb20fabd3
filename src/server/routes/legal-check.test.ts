/**
 * 法人核验 over HTTP, through the real app and the sandbox FaceID gateway (the real Tencent client in-process,
 * the sandbox liveness page driven like a phone would): the QR token's reach, dead codes, the identity check,
 * attempt limits, results, replays, swapped BizTokens, the applicant's live status, and the logs.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { and, eq } from 'drizzle-orm';
import { idCheckChar } from '../../core/id-number.js';
import { buildApp } from '../app.js';
import { loadConfig } from '../config.js';
import { legalChecks, orderEvents, orders } from '../db/schema.js';
import { legalToken, legalTokenHash } from '../modules/orders/legal-token.js';
import { ManualClock, testApp, type TestApp, type TestClient } from '../testing/harness.js';
import { MAX_CHECKS_PER_DAY, MAX_CHECKS_TOTAL } from '../modules/legal-check/limits.js';

const id = (first17: string) => first17 + idCheckChar(first17);
const LEGAL = { name: '张三', idNumber: id('36010219700101123'), mobile: '13800138001' };
const AGENT = { name: '李四', idNumber: id('36010219900307123'), mobile: '13900139002', email: 'lisi@example.com' };

const clock = new ManualClock(new Date('2026-11-20T10:00:00+08:00'));
let t: TestApp;
beforeAll(async () => {
  t = await testApp({ clock });
});
afterAll(() => t.close());

async function orgClient(app: TestApp = t): Promise<TestClient> {
  const c = app.client();
  const { res } = await c.register();
  expect(res.statusCode).toBe(201);
  return c;
}

interface OrderView {
  order: { id: string; orderNo: string; orderNoDisplay: string; formVersion: number };
  legalCheck: { url: string | null; status: string; required: boolean };
  missing: string[];
}

/** An order whose form names the legal representative and the agent (the rest can stay a draft). */
async function orderWithForm(c: TestClient, projectCode = 'gov-procurement', legal = LEGAL): Promise<{ view: OrderView; token: string }> {
  const created = await c.post('/api/orders', { projectCode, keyType: 'main', agree: true });
  expect(created.statusCode).toBe(201);
  const o = created.json() as OrderView;
  await putForm(c, o.order.id, o.order.formVersion, { legalPerson: legal, agent: AGENT });
  const view = (await c.get(`/api/orders/${o.order.id}`)).json() as OrderView;
  return { view, token: tokenOf(view) };
}

async function putForm(c: TestClient, orderId: string, formVersion: number, form: Record<string, unknown>) {
  const r = await c.request({
    method: 'PUT',
    url: `/api/orders/${orderId}/form`,
    payload: { formVersion, form },
    headers: { 'x-csrf-token': c.csrf.org! },
  });
  expect(r.statusCode).toBe(200);
  return r.json().formVersion as number;
}

function tokenOf(view: OrderView): string {
  const m = /\/v\/([A-Za-z0-9_-]+)$/.exec(view.legalCheck.url ?? '');
  expect(m).not.toBeNull();
  return m![1]!;
}

/** The legal representative's phone: no login, just the QR token (and the CSRF token of an anonymous session). */
const phone = () => t.client();

async function start(p: TestClient, token: string, who: { name: string; idNumber: string } = LEGAL) {
  return p.post(`/api/legal-check/${token}/start`, { name: who.name, idNumber: who.idNumber });
}

/** Opens the provider page it was sent to, chooses an outcome there, and returns the BizToken from the redirect. */
async function throughSandbox(p: TestClient, redirectUrl: string, outcome: 'passed' | 'not_self' | 'liveness_failed') {
  const u = new URL(redirectUrl);
  expect(u.pathname).toBe('/sandbox/faceid/h5');
  const page = await p.get(u.pathname + u.search);
  expect(page.statusCode).toBe(200);
  expect(page.body).toContain('沙箱环境');
  const chosen = await t.app.inject({
    method: 'POST',
    url: '/sandbox/faceid/h5',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    payload: new URLSearchParams({ BizToken: u.searchParams.get('BizToken')!, outcome }).toString(),
  });
  expect(chosen.statusCode).toBe(303);
  const back = new URL(chosen.headers.location as string);
  expect(back.pathname).toMatch(/^\/v\/[A-Za-z0-9_-]{43}\/done$/);
  return back.searchParams.get('token')!;
}

async function verify(token: string, outcome: 'passed' | 'not_self' | 'liveness_failed' = 'passed') {
  const p = phone();
  const s = await start(p, token);
  expect(s.statusCode).toBe(200);
  const bizToken = await throughSandbox(p, s.json().redirectUrl, outcome);
  const f = await p.post(`/api/legal-check/${token}/finish`, { bizToken });
  return { p, bizToken, finish: f };
}

const eventsOf = (orderId: string) => t.db.select().from(orderEvents).where(eq(orderEvents.orderId, orderId));

describe('the QR token', () => {
  it('opens the phone page with the organization, order, project and the agent — masked — but not the legal representative', async () => {
    const c = await orgClient();
    const { view, token } = await orderWithForm(c);
    const res = await phone().get(`/api/legal-check/${token}`);
    expect(res.statusCode).toBe(200);
    expect(res.headers['cache-control']).toBe('no-store');
    const body = res.json();
    expect(body).toMatchObject({
      organization: { name: '测试单位有限公司' },
      order: { orderNoDisplay: view.order.orderNoDisplay, projectName: '江西省政府采购电子卖场', keyLabel: '主锁（含电子签章）' },
      agent: { name: '李四', idNumberMasked: `3601**********${AGENT.idNumber.slice(14)}`, mobileMasked: '139****9002' },
      legalPersonReady: true,
      legalCheck: { required: true, status: 'none', attemptsLeft: MAX_CHECKS_PER_DAY, lastFailure: null, inProgress: false },
      service: { available: true, sandbox: true },
    });
    for (const secret of [LEGAL.name, LEGAL.idNumber, LEGAL.mobile, AGENT.idNumber, AGENT.mobile]) expect(res.body).not.toContain(secret);
  });

  it('is single-purpose: it is no session, opens no order route, and leaves the phone logged out', async () => {
    const c = await orgClient();
    const { view, token } = await orderWithForm(c);
    const p = phone();
    expect((await p.get(`/api/legal-check/${token}`)).statusCode).toBe(200);
    expect((await p.get('/api/me')).statusCode).toBe(401);
    expect((await p.get('/api/orders')).statusCode).toBe(401);
    expect((await p.get(`/api/orders/${view.order.id}`)).statusCode).toBe(401);
    expect((await p.get(`/api/orders/${view.order.id}/legal-check`)).statusCode).toBe(401);
    // Used where a session cookie or an order id belongs, it is nothing.
    const asCookie = await t.app.inject({ method: 'GET', url: '/api/me', headers: { cookie: `cd_org=${token}` } });
    expect(asCookie.statusCode).toBe(401);
    const asBearer = await t.app.inject({ method: 'GET', url: '/api/orders', headers: { authorization: `Bearer ${token}` } });
    expect(asBearer.statusCode).toBe(401);
    for (const url of [`/api/orders/${token}`, `/api/orders/${token}/legal-check`]) {
      const r = await c.get(url);
      expect(r.statusCode).toBeGreaterThanOrEqual(400);
      expect(r.body).not.toContain(view.order.orderNo);
    }
  });

  it('answers 404 for unknown and malformed tokens, on every route', async () => {
    const p = phone();
    for (const tok of ['A'.repeat(43), 'short', 'x'.repeat(90), '..%2F..%2Fapi']) {
      expect((await p.get(`/api/legal-check/${tok}`)).statusCode).toBe(404);
      expect((await start(p, tok)).statusCode).toBe(404);
      expect((await p.post(`/api/legal-check/${tok}/finish`, { bizToken: 'ABC-1' })).statusCode).toBe(404);
    }
    expect((await p.get(`/api/legal-check/${'A'.repeat(43)}`)).json().error.message).toMatch(/二维码已失效/);
  });

  it('dies with its order: a deleted order’s code opens nothing, and a new order has a new code', async () => {
    const c = await orgClient();
    const { view, token } = await orderWithForm(c);
    const p = phone();
    const s = await start(p, token);
    const bizToken = await throughSandbox(p, s.json().redirectUrl, 'passed');
    expect((await c.post(`/api/orders/${view.order.id}/delete`)).statusCode).toBe(200);
    const dead = await p.get(`/api/legal-check/${token}`);
    expect(dead.statusCode).toBe(404);
    expect(dead.json().error.message).toMatch(/重新下载法人授权委托书模板/);
    expect((await start(p, token)).statusCode).toBe(404);
    // Even a face check finished before the deletion cannot be recorded on the dead order.
    expect((await p.post(`/api/legal-check/${token}/finish`, { bizToken })).statusCode).toBe(404);
    const [row] = await t.db.select().from(orders).where(eq(orders.id, view.order.id));
    expect(row!.legalCheckStatus).toBe('none');
    const again = await orderWithForm(c);
    expect(again.token).not.toBe(token);
    expect((await p.get(`/api/legal-check/${again.token}`)).json().legalCheck.status).toBe('none');
  });
});

describe('confirming name and ID number', () => {
  it('refuses a mismatch without saying which field differs or what the order holds', async () => {
    const c = await orgClient();
    const { view, token } = await orderWithForm(c);
    const p = phone();
    for (const who of [
      { name: LEGAL.name, idNumber: id('36010219800101123') },
      { name: '张叁', idNumber: LEGAL.idNumber },
    ]) {
      const r = await start(p, token, who);
      expect(r.statusCode).toBe(400);
      expect(r.json().error.message).toMatch(
        /^姓名或身份证号与订单中填写的法定代表人信息不一致。.*请联系经办人登录系统，在订单的“法人信息”中更正/,
      );
      expect(r.json().error.fields).toBeUndefined();
      expect(r.body).not.toContain(LEGAL.idNumber.slice(6));
      expect(r.body).not.toContain(LEGAL.name);
    }
    const rows = await t.db.select().from(legalChecks).where(eq(legalChecks.orderId, view.order.id));
    expect(rows).toEqual([]);
  });

  it('checks the ID number’s form with the shared GB 11643 rule, and accepts how people type it', async () => {
    const c = await orgClient();
    const { token } = await orderWithForm(c, 'gov-procurement', { ...LEGAL, idNumber: id('36010219700101127') });
    const p = phone();
    const bad = await start(p, token, { name: LEGAL.name, idNumber: '36010219700101127' });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.fields.idNumber).toMatch(/法定代表人身份证号应为18位/);
    // Spaces, full-width digits and a lower-case x are the same number; spaces in the name too.
    const typed = id('36010219700101127').replace(/./g, (ch) =>
      /\d/.test(ch) ? String.fromCharCode(ch.charCodeAt(0) + 0xfee0) : ch.toLowerCase(),
    );
    const ok = await start(p, token, { name: ' 张 三 ', idNumber: `${typed.slice(0, 6)} ${typed.slice(6)}` });
    expect(ok.statusCode).toBe(200);
  });

  it('slows down guessing: after 5 mismatches in an hour the code is locked for a while', async () => {
    const c = await orgClient();
    const { token } = await orderWithForm(c);
    const p = phone();
    for (let i = 0; i < 5; i++) expect((await start(p, token, { name: '王五', idNumber: LEGAL.idNumber })).statusCode).toBe(400);
    const locked = await start(p, token);
    expect(locked.statusCode).toBe(429);
    expect(locked.json().error.message).toMatch(/尝试次数过多/);
  });

  it('asks the agent to fill in the legal representative first when the order does not name one', async () => {
    const c = await orgClient();
    const o = (await c.post('/api/orders', { projectCode: 'gov-procurement', keyType: 'main', agree: true })).json() as OrderView;
    const token = tokenOf(o);
    const p = phone();
    const page = (await p.get(`/api/legal-check/${token}`)).json();
    expect(page.legalPersonReady).toBe(false);
    expect(page.agent).toEqual({ name: null, idNumberMasked: null, mobileMasked: null });
    const r = await start(p, token);
    expect(r.statusCode).toBe(409);
    expect(r.json().error.message).toMatch(/订单中还没有填写法定代表人信息/);
  });
});

describe('the result', () => {
  it('认证成功: the order shows it, submission no longer lacks it, the event names the legal person', async () => {
    const c = await orgClient();
    const { view, token } = await orderWithForm(c);
    expect(view.missing).toContain('法人核验尚未显示“认证成功”');
    const { finish } = await verify(token);
    expect(finish.statusCode).toBe(200);
    expect(finish.json()).toMatchObject({ status: 'passed', reason: null, attemptsLeft: 0 });

    const after = (await c.get(`/api/orders/${view.order.id}`)).json();
    expect(after.legalCheck).toMatchObject({ status: 'passed', required: true, lastFailure: null });
    expect(after.legalCheck.at).toBeTruthy();
    expect(after.missing.join('；')).not.toMatch(/法人核验/);
    const live = await c.get(`/api/orders/${view.order.id}/legal-check`);
    expect(live.statusCode).toBe(200);
    expect(live.json()).toMatchObject({ required: true, status: 'passed', lastFailure: null, inProgress: false });
    expect(live.headers['cache-control']).toBe('no-store');

    const ev = (await eventsOf(view.order.id)).filter((e) => e.action.startsWith('order.legal_check'));
    expect(ev).toHaveLength(1);
    expect(ev[0]).toMatchObject({ action: 'order.legal_check_passed', actorType: 'legal_person', actorId: null, public: true });
    expect(ev[0]!.detail).toMatchObject({ provider: 'sandbox' });
    expect(JSON.stringify(ev[0])).not.toContain(LEGAL.idNumber);
    // The applicant's history shows it.
    expect(after.events.map((e: { action: string }) => e.action)).toContain('order.legal_check_passed');

    const p = phone();
    expect((await p.get(`/api/legal-check/${token}`)).json().legalCheck).toMatchObject({ status: 'passed', attemptsLeft: 0 });
    const again = await start(p, token);
    expect(again.statusCode).toBe(409);
    expect(again.json().error.message).toMatch(/已认证成功/);
  });

  it.each([
    ['not_self', /无法判断为同一人/],
    ['liveness_failed', /疑似非真人录制/],
  ] as const)('a failed face check (%s) shows its reason, on both pages, and may be retried', async (outcome, reason) => {
    const c = await orgClient();
    const { view, token } = await orderWithForm(c);
    const { finish } = await verify(token, outcome);
    expect(finish.statusCode).toBe(200);
    expect(finish.json()).toMatchObject({ status: 'failed', attemptsLeft: MAX_CHECKS_PER_DAY - 1 });
    expect(finish.json().reason).toMatch(reason);
    expect((await c.get(`/api/orders/${view.order.id}/legal-check`)).json()).toMatchObject({
      status: 'failed',
      lastFailure: expect.stringMatching(reason),
    });
    expect((await phone().get(`/api/legal-check/${token}`)).json().legalCheck.lastFailure).toMatch(reason);
    const [ev] = (await eventsOf(view.order.id)).filter((e) => e.action.startsWith('order.legal_check'));
    expect(ev).toMatchObject({ action: 'order.legal_check_failed', actorType: 'legal_person' });
    expect(ev!.reason).toMatch(reason);
    // 重试 works, and a pass after a failure counts.
    expect((await verify(token)).finish.json().status).toBe('passed');
    expect((await c.get(`/api/orders/${view.order.id}/legal-check`)).json()).toMatchObject({ status: 'passed', lastFailure: null });
  });

  it('a finish before the face scan is done says so and changes nothing; finishing later still works', async () => {
    const c = await orgClient();
    const { view, token } = await orderWithForm(c);
    const p = phone();
    const s = await start(p, token);
    const bizToken = new URL(s.json().redirectUrl).searchParams.get('BizToken')!;
    expect((await c.get(`/api/orders/${view.order.id}/legal-check`)).json().inProgress).toBe(true);
    const early = await p.post(`/api/legal-check/${token}/finish`, { bizToken });
    expect(early.json()).toMatchObject({ status: 'incomplete' });
    expect(early.json().reason).toMatch(/刷脸尚未完成/);
    const [row] = await t.db.select().from(legalChecks).where(eq(legalChecks.bizToken, bizToken));
    expect(row!.status).toBe('started');
    expect(await throughSandbox(p, s.json().redirectUrl, 'passed')).toBe(bizToken);
    expect((await p.post(`/api/legal-check/${token}/finish`, { bizToken })).json().status).toBe('passed');
  });

  it('a replayed or concurrent finish records the result once', async () => {
    const c = await orgClient();
    const { view, token } = await orderWithForm(c);
    const p = phone();
    const s = await start(p, token);
    const bizToken = await throughSandbox(p, s.json().redirectUrl, 'not_self');
    const all = await Promise.all([1, 2, 3].map(() => p.post(`/api/legal-check/${token}/finish`, { bizToken })));
    for (const r of all) expect(r.json()).toMatchObject({ status: 'failed' });
    const replay = await p.post(`/api/legal-check/${token}/finish`, { bizToken });
    expect(replay.json().status).toBe('failed');
    const ev = (await eventsOf(view.order.id)).filter((e) => e.action.startsWith('order.legal_check'));
    expect(ev).toHaveLength(1);
  });

  it('refuses a BizToken of another order', async () => {
    const c = await orgClient();
    const a = await orderWithForm(c);
    const c2 = await orgClient();
    const b = await orderWithForm(c2);
    const p = phone();
    const s = await start(p, a.token);
    const bizToken = await throughSandbox(p, s.json().redirectUrl, 'passed');
    const swapped = await p.post(`/api/legal-check/${b.token}/finish`, { bizToken });
    expect(swapped.statusCode).toBe(404);
    expect((await c2.get(`/api/orders/${b.view.order.id}/legal-check`)).json().status).toBe('none');
    expect((await eventsOf(b.view.order.id)).map((e) => e.action)).toEqual(['order.create']);
  });

  it('a pass for someone other than the legal representative the order now names does not count', async () => {
    const c = await orgClient();
    const { view, token } = await orderWithForm(c);
    const p = phone();
    const s = await start(p, token);
    const bizToken = await throughSandbox(p, s.json().redirectUrl, 'passed');
    // Meanwhile the order's legal representative was changed: the verified face is of the old one.
    const now = (await c.get(`/api/orders/${view.order.id}`)).json();
    await putForm(c, view.order.id, now.order.formVersion, {
      legalPerson: { name: '赵六', idNumber: id('36010219650505123') },
      agent: AGENT,
    });
    const f = await p.post(`/api/legal-check/${token}/finish`, { bizToken });
    expect(f.json()).toMatchObject({ status: 'failed', reason: '核验通过的身份与订单中填写的法定代表人不一致' });
    expect((await c.get(`/api/orders/${view.order.id}/legal-check`)).json().status).toBe('failed');
  });

  it('an order whose project does not require it can still be verified, and its submission never needed it', async () => {
    const c = await orgClient();
    const { view, token } = await orderWithForm(c, 'housing-in-province');
    expect(view.legalCheck.required).toBe(false);
    expect(view.missing.join('；')).not.toMatch(/法人核验/);
    expect((await phone().get(`/api/legal-check/${token}`)).json().legalCheck.required).toBe(false);
    expect((await verify(token)).finish.json().status).toBe('passed');
    expect((await c.get(`/api/orders/${view.order.id}/legal-check`)).json()).toMatchObject({ required: false, status: 'passed' });
  });
});

describe('attempt limits', () => {
  it(`${MAX_CHECKS_PER_DAY} checks a day and ${MAX_CHECKS_TOTAL} in all, counted in the database (another instance agrees)`, async () => {
    clock.set(new Date('2026-11-20T10:00:00+08:00'));
    const c = await orgClient();
    const { view, token } = await orderWithForm(c);
    for (let i = 0; i < MAX_CHECKS_PER_DAY; i++) expect((await verify(token, 'liveness_failed')).finish.json().status).toBe('failed');
    const p = phone();
    const daily = await start(p, token);
    expect(daily.statusCode).toBe(429);
    expect(daily.json().error.message).toMatch(/今天的法人核验次数已用完/);
    // Until midnight China time.
    expect(Number(daily.headers['retry-after'])).toBe(14 * 3600);
    expect((await p.get(`/api/legal-check/${token}`)).json().legalCheck).toMatchObject({
      attemptsLeft: 0,
      limitMessage: expect.stringMatching(/明天再试/),
    });

    // The next day (China time) allows more — until the total is reached.
    clock.set(new Date('2026-11-21T00:00:01+08:00'));
    for (let i = 0; i < MAX_CHECKS_TOTAL - MAX_CHECKS_PER_DAY; i++) expect((await verify(token, 'not_self')).finish.statusCode).toBe(200);
    clock.set(new Date('2026-11-23T09:00:00+08:00'));
    const total = await start(phone(), token);
    expect(total.statusCode).toBe(429);
    expect(total.json().error.message).toMatch(/次数已达上限.*400-800-1040/);

    // Another app instance on the same database sees the same count.
    const other = await testApp({ clock });
    try {
      const r = await other.client().post(`/api/legal-check/${token}/start`, LEGAL);
      expect(r.statusCode).toBe(429);
    } finally {
      await other.close();
    }
    const counted = await t.db.select().from(legalChecks).where(eq(legalChecks.orderId, view.order.id));
    expect(counted).toHaveLength(MAX_CHECKS_TOTAL);
    clock.set(new Date('2026-11-20T10:00:00+08:00'));
  });

  it('phones starting at once cannot slip past the daily limit', async () => {
    clock.set(new Date('2026-11-25T10:00:00+08:00'));
    const c = await orgClient();
    const { view, token } = await orderWithForm(c);
    const phones = await Promise.all(
      Array.from({ length: MAX_CHECKS_PER_DAY + 3 }, async () => {
        const p = phone();
        await p.session();
        return p;
      }),
    );
    const results = await Promise.all(phones.map((p) => start(p, token)));
    expect(results.filter((r) => r.statusCode === 200)).toHaveLength(MAX_CHECKS_PER_DAY);
    expect(results.filter((r) => r.statusCode === 429)).toHaveLength(3);
    const rows = await t.db
      .select()
      .from(legalChecks)
      .where(and(eq(legalChecks.orderId, view.order.id), eq(legalChecks.status, 'started')));
    expect(rows).toHaveLength(MAX_CHECKS_PER_DAY);
    clock.set(new Date('2026-11-20T10:00:00+08:00'));
  });
});

describe("the applicant's live status", () => {
  it('is only for the owning organization', async () => {
    const owner = await orgClient();
    const { view } = await orderWithForm(owner);
    const other = await orgClient();
    const r = await other.get(`/api/orders/${view.order.id}/legal-check`);
    expect(r.statusCode).toBe(404);
    expect(r.body).not.toContain(view.order.orderNo);
    expect((await t.client().get(`/api/orders/${view.order.id}/legal-check`)).statusCode).toBe(401);
    expect((await owner.get(`/api/orders/${view.order.id}/legal-check`)).json()).toEqual({
      required: true,
      status: 'none',
      at: null,
      lastFailure: null,
      inProgress: false,
      attemptsLeft: MAX_CHECKS_PER_DAY,
      limitMessage: null,
    });
  });
});

describe('logs', () => {
  it('carry neither the QR token nor the ID number, while still recording the requests', async () => {
    const logged = await testApp({ clock, captureLogs: true });
    try {
      const c = logged.client();
      expect((await c.register()).res.statusCode).toBe(201);
      const created = (await c.post('/api/orders', { projectCode: 'gov-procurement', keyType: 'main', agree: true })).json() as OrderView;
      await putForm(c, created.order.id, created.order.formVersion, { legalPerson: LEGAL, agent: AGENT });
      const token = tokenOf(created);
      const p = logged.client();
      await p.get(`/api/legal-check/${token}`);
      await logged.app.inject({ method: 'GET', url: `/v/${token}` });
      await p.post(`/api/legal-check/${token}/start`, { name: LEGAL.name, idNumber: `${LEGAL.idNumber.slice(0, 3)}x` });
      const s = await p.post(`/api/legal-check/${token}/start`, LEGAL);
      expect(s.statusCode).toBe(200);
      const u = new URL(s.json().redirectUrl);
      await p.get(u.pathname + u.search);
      const chosen = await logged.app.inject({
        method: 'POST',
        url: '/sandbox/faceid/h5',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        payload: new URLSearchParams({ BizToken: u.searchParams.get('BizToken')!, outcome: 'passed' }).toString(),
      });
      const back = new URL(chosen.headers.location as string);
      await logged.app.inject({ method: 'GET', url: back.pathname + back.search });
      expect((await p.post(`/api/legal-check/${token}/finish`, { bizToken: back.searchParams.get('token') })).json().status).toBe('passed');

      const all = logged.logs.join('\n');
      expect(all).toContain('/api/legal-check/[token]/start');
      expect(all).toContain('"/v/[token]"');
      expect(all).toContain('/v/[token]/done');
      expect(all).not.toContain(token);
      expect(all).not.toContain(LEGAL.idNumber);
      expect(all).not.toContain(LEGAL.idNumber.slice(0, 14));
      expect(all).not.toContain(u.searchParams.get('BizToken')!);
    } finally {
      await logged.close();
    }
  });
});

describe('configuration', () => {
  const PROD_SECRET = 'production-secret-for-this-test-0123456789';
  const prodEnv = () => ({ NODE_ENV: 'production', CERTDESK_SECRET: PROD_SECRET, LOG_LEVEL: 'silent' });

  /**
   * An order made through the test app, its QR token re-derived with the production app's secret (as if
   * the order had been made there; production has no fixed captcha to register with).
   */
  async function orderToken() {
    const c = await orgClient();
    const { view } = await orderWithForm(c);
    const [row] = await t.db.select().from(orders).where(eq(orders.id, view.order.id));
    const token = legalToken(PROD_SECRET, row!.id, row!.legalCheckNonce);
    await t.db
      .update(orders)
      .set({ legalCheckTokenHash: legalTokenHash(token) })
      .where(eq(orders.id, row!.id));
    return token;
  }

  it('production without CERTDESK_FACE: no sandbox, and the page says the service is not available', async () => {
    const prod = await buildApp({ config: loadConfig(prodEnv()), db: t.db, clock });
    try {
      const token = await orderToken();
      // Not mounted: the path falls through to the web app (no sandbox page).
      expect((await prod.inject({ method: 'GET', url: '/sandbox/faceid/h5?BizToken=x' })).body).not.toContain('沙箱环境');
      expect((await prod.inject({ method: 'POST', url: '/sandbox/faceid', payload: {} })).statusCode).toBe(404);
      const page = await prod.inject({ method: 'GET', url: `/api/legal-check/${token}` });
      expect(page.json().service).toEqual({ available: false, sandbox: false });
      const r = await prod.inject({ method: 'GET', url: '/api/session' });
      const start = await prod.inject({
        method: 'POST',
        url: `/api/legal-check/${token}/start`,
        payload: LEGAL,
        headers: { cookie: `cd_org=${r.cookies[0]!.value}`, 'x-csrf-token': r.json().csrfToken },
      });
      expect(start.statusCode).toBe(409);
      expect(start.json().error.message).toMatch(/法人核验服务暂未开通.*400-800-1040/);
    } finally {
      await prod.close();
    }
  });

  it('production with CERTDESK_FACE=sandbox set explicitly: the sandbox works and says so', async () => {
    const prod = await buildApp({ config: loadConfig({ ...prodEnv(), CERTDESK_FACE: 'sandbox' }), db: t.db, clock });
    try {
      const token = await orderToken();
      const page = await prod.inject({ method: 'GET', url: `/api/legal-check/${token}` });
      expect(page.json().service).toEqual({ available: true, sandbox: true });
      const h5 = await prod.inject({ method: 'GET', url: '/sandbox/faceid/h5?BizToken=NOPE' });
      expect(h5.statusCode).toBe(404);
      expect(h5.body).toContain('沙箱环境');
    } finally {
      await prod.close();
    }
  });

  it('refuses CERTDESK_FACE=tencent without its credentials, and reads them when given', () => {
    expect(() => loadConfig({ CERTDESK_FACE: 'tencent', TENCENT_SECRET_ID: 'AKID' })).toThrow(/TENCENT_SECRET_KEY, TENCENT_FACEID_RULE_ID/);
    expect(
      loadConfig({ CERTDESK_FACE: 'tencent', TENCENT_SECRET_ID: 'AKID', TENCENT_SECRET_KEY: 'k', TENCENT_FACEID_RULE_ID: '3' }).face,
    ).toEqual({ kind: 'tencent', secretId: 'AKID', secretKey: 'k', ruleId: '3', endpoint: 'https://faceid.tencentcloudapi.com/' });
    expect(loadConfig({}).face).toEqual({ kind: 'sandbox', explicit: false });
    expect(loadConfig(prodEnv()).face).toEqual({ kind: 'off' });
  });
});
