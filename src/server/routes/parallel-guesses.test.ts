/**
 * Guessing in parallel (issue 16, item 1): a burst of guesses sent together must not get more evaluations
 * than guesses sent one after another. Each attempt is counted before the secret is compared, in one
 * atomic statement that refuses it once the limit is reached — on PGlite and on PostgreSQL (run with
 * DATABASE_URL set), where the requests really run on several connections at once.
 */
import { randomInt } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LightMyRequestResponse } from 'fastify';
import { eq } from 'drizzle-orm';
import { organizations, passwordResets } from '../db/schema.js';
import { idCheckChar } from '../../core/id-number.js';
import { MISMATCH_POLICY } from '../modules/legal-check/limits.js';
import { createStaff } from '../modules/staff/staff-accounts.js';
import { LOGIN_ACCOUNT, SMS_ACCOUNT } from '../modules/throttle/throttle.js';
import { ManualClock, testApp, type TestApp, type TestClient } from '../testing/harness.js';

let t: TestApp;
const clock = new ManualClock(new Date('2026-11-20T10:00:00+08:00'));
beforeAll(async () => {
  t = await testApp({ clock });
});
afterAll(() => t.close());

const WRONG = 'Wrong2026xx';
const BURST = 20;

/** Every client is ready (session, CSRF token, captcha) before the burst, so the requests really go together. */
async function burst(bodies: Record<string, unknown>[], url: string, realm: 'org' | 'staff'): Promise<LightMyRequestResponse[]> {
  const clients = bodies.map(() => t.client()); // one address each, as a botnet would: only the account limit applies
  const ready = await Promise.all(
    clients.map(async (c) => {
      await c.session(realm);
      return /login|password-reset\/request/.test(url) ? await c.captcha() : {};
    }),
  );
  return Promise.all(
    clients.map((c, i) =>
      c.request({ method: 'POST', url, payload: { ...bodies[i], ...ready[i] }, headers: { 'x-csrf-token': c.csrf[realm]! } }),
    ),
  );
}

const codes = (rs: LightMyRequestResponse[]) => rs.map((r) => r.statusCode);
const count = (rs: LightMyRequestResponse[], status: number) => rs.filter((r) => r.statusCode === status).length;

function expectLimited(r: LightMyRequestResponse) {
  expect(r.statusCode).toBe(429);
  expect(r.json().error.code).toBe('RATE_LIMITED');
  expect(r.json().error.message).toMatch(/^尝试次数过多，请在\d+(秒|分钟)后再试$/);
}

describe('applicant login', () => {
  async function org(): Promise<{ uscc: string; password: string }> {
    const { body, res } = await t.client().register();
    expect(res.statusCode).toBe(201);
    return { uscc: body.uscc as string, password: body.password as string };
  }

  it('20 wrong passwords together: only the limit is evaluated, the rest refused, and then the right password is refused too', async () => {
    const o = await org();
    const rs = await burst(
      Array.from({ length: BURST }, () => ({ uscc: o.uscc, password: WRONG })),
      '/api/login',
      'org',
    );
    expect(count(rs, 401)).toBe(LOGIN_ACCOUNT.threshold);
    expect(count(rs, 429)).toBe(BURST - LOGIN_ACCOUNT.threshold);
    for (const r of rs.filter((r) => r.statusCode !== 401)) expectLimited(r);
    expectLimited(await t.client().login(o.uscc, o.password));
  });

  it('19 wrong and the right one together: at most the limit is evaluated; once it is reached the right one is refused', async () => {
    const o = await org();
    const bodies = [
      ...Array.from({ length: BURST - 1 }, () => ({ uscc: o.uscc, password: WRONG })),
      { uscc: o.uscc, password: o.password },
    ];
    const rs = await burst(bodies, '/api/login', 'org');
    const evaluated = count(rs, 401) + count(rs, 200);
    expect(evaluated, codes(rs).join(' ')).toBeLessThanOrEqual(LOGIN_ACCOUNT.threshold);
    expect(count(rs, 401) + count(rs, 200) + count(rs, 429)).toBe(BURST);
    const right = rs[BURST - 1]!;
    if (right.statusCode === 200) return; // it was among the first five: a guesser's luck within the limit
    expectLimited(right);
    expectLimited(await t.client().login(o.uscc, o.password));
  });
});

describe('staff login', () => {
  it('19 wrong and the right one together: at most the limit is evaluated; then the right password is refused', async () => {
    const username = `pg${randomInt(1e9)}`;
    const password = 'Staff2026pw';
    await createStaff({ db: t.db, clock }, { username, displayName: '测试预审员', roles: ['预审'], password }, null, { ip: 'test' });
    const bodies = [...Array.from({ length: BURST - 1 }, () => ({ username, password: 'Wrong2026pw' })), { username, password }];
    const rs = await burst(bodies, '/api/staff/login', 'staff');
    expect(count(rs, 401) + count(rs, 200), codes(rs).join(' ')).toBeLessThanOrEqual(LOGIN_ACCOUNT.threshold);
    for (const r of rs.filter((r) => r.statusCode !== 401 && r.statusCode !== 200)) expectLimited(r);
    if (rs[BURST - 1]!.statusCode === 200) return;
    expectLimited(await t.client().staffLogin(username, password));
  });
});

describe('法人核验 identity', () => {
  const id = (first17: string) => first17 + idCheckChar(first17);
  const LEGAL = { name: '张三', idNumber: id('36010219700101123'), mobile: '13800138001' };
  const AGENT = { name: '李四', idNumber: id('36010219900307123'), mobile: '13900139002', email: 'lisi@example.com' };

  async function legalToken(): Promise<string> {
    const c: TestClient = t.client();
    expect((await c.register()).res.statusCode).toBe(201);
    const created = await c.post('/api/orders', { projectCode: 'gov-procurement', keyType: 'main', agree: true });
    expect(created.statusCode).toBe(201);
    const o = created.json();
    const put = await c.request({
      method: 'PUT',
      url: `/api/orders/${o.order.id}/form`,
      payload: { formVersion: o.order.formVersion, form: { legalPerson: LEGAL, agent: AGENT } },
      headers: { 'x-csrf-token': c.csrf.org! },
    });
    expect(put.statusCode).toBe(200);
    const view = (await c.get(`/api/orders/${o.order.id}`)).json();
    return /\/v\/([A-Za-z0-9_-]+)$/.exec(view.legalCheck.url)![1]!;
  }

  it('20 wrong identities together: only the limit (5) is compared, the rest refused, then the right identity is refused', async () => {
    const token = await legalToken();
    const guesses = Array.from({ length: BURST }, (_, i) => ({ name: LEGAL.name, idNumber: id(`3601021970010${String(2000 + i)}`) }));
    const rs = await burst(guesses, `/api/legal-check/${token}/start`, 'org');
    expect(count(rs, 400), codes(rs).join(' ')).toBe(MISMATCH_POLICY.threshold);
    for (const r of rs.filter((r) => r.statusCode !== 400)) expectLimited(r);
    const [right] = await burst([{ name: LEGAL.name, idNumber: LEGAL.idNumber }], `/api/legal-check/${token}/start`, 'org');
    expectLimited(right!);
  });
});

describe('SMS codes sent', () => {
  it('20 忘记密码 requests together send at most the hourly limit of codes (5); the rest are refused', async () => {
    const c = t.client();
    const { body, res } = await c.register();
    expect(res.statusCode).toBe(201);
    const rs = await burst(
      Array.from({ length: BURST }, () => ({ uscc: body.uscc, mobile: body.mobile })),
      '/api/password-reset/request',
      'org',
    );
    expect(count(rs, 200), codes(rs).join(' ')).toBe(SMS_ACCOUNT.threshold);
    for (const r of rs.filter((r) => r.statusCode !== 200)) expectLimited(r);
    const [org] = await t.db
      .select()
      .from(organizations)
      .where(eq(organizations.uscc, body.uscc as string));
    const codesMade = await t.db.select().from(passwordResets).where(eq(passwordResets.organizationId, org!.id));
    expect(codesMade).toHaveLength(SMS_ACCOUNT.threshold);
  });
});
