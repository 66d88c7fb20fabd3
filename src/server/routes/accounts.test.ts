import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { organizations, sessions } from '../db/schema.js';
import { sha256 } from '../crypto.js';
import { CAPTCHA, newMobile, newUscc, testApp, type TestApp } from '../testing/harness.js';

let t: TestApp;
beforeAll(async () => {
  t = await testApp();
});
afterAll(() => t.close());

describe('注册 (register)', () => {
  it('creates the account, normalizes the USCC and logs the organization in', async () => {
    const c = t.client();
    const uscc = newUscc();
    const typed = ` ${uscc.toLowerCase().replace(/0/g, 'o')} `;
    const { res } = await c.register({ uscc: typed, name: '  江西测试  有限公司 ' });
    expect(res.statusCode).toBe(201);
    expect(res.json().organization).toMatchObject({ uscc, name: '江西测试 有限公司' });
    expect(res.json().organization.mobile).toMatch(/^\d{3}\*{4}\d{4}$/);
    const me = await c.get('/api/me');
    expect(me.json().organization.uscc).toBe(uscc);
    const [row] = await t.db.select().from(organizations).where(eq(organizations.uscc, uscc));
    expect(row!.passwordHash).toMatch(/^scrypt\$/);
    expect(row!.passwordHash).not.toContain('Secret2026x');
  });

  it('names every wrong field with its rule and keeps the captcha unspent', async () => {
    const c = t.client();
    const cap = await c.captcha();
    const res = await c.post('/api/register', {
      name: 'a',
      uscc: '91360100MA35XQ7T6C',
      mobile: '0791-8209740',
      password: 'short',
      passwordConfirm: 'x',
      agree: false,
      ...cap,
    });
    expect(res.statusCode).toBe(400);
    const { code, fields } = res.json().error;
    expect(code).toBe('VALIDATION_FAILED');
    expect(fields.name).toMatch(/单位名称至少2个字/);
    expect(fields.uscc).toMatch(/校验位不正确/);
    expect(fields.mobile).toMatch(/大陆手机号码/);
    expect(fields.password).toMatch(/至少8位/);
    expect(fields.agree).toMatch(/用户协议/);
    // The captcha was not consumed by a form error: the corrected form goes through with it.
    const ok = await c.post('/api/register', {
      name: '江西纠错有限公司',
      uscc: newUscc(),
      mobile: newMobile(),
      password: 'Secret2026x',
      passwordConfirm: 'Secret2026x',
      agree: true,
      ...cap,
    });
    expect(ok.statusCode).toBe(201);
  });

  it.each([
    ['length', { uscc: '9136010' }, /应为18位，您填写了7位/],
    ['illegal char', { uscc: '91360100SA35XQ7T6B' }, /第9位“S”/],
    ['password mismatch', { passwordConfirm: 'Other2026x' }, /两次填写的密码不一致/],
    [
      'password contains the USCC',
      { password: 'p91360100MA35XQ7T6B', passwordConfirm: 'p91360100MA35XQ7T6B', uscc: '91360100MA35XQ7T6B' },
      /不能包含统一社会信用代码/,
    ],
    ['a landline', { mobile: '079182097407' }, /大陆手机号码/],
  ])('refuses %s', async (_n, over, msg) => {
    const c = t.client();
    const { res } = await c.register(over);
    expect(res.statusCode).toBe(400);
    expect(JSON.stringify(res.json().error.fields)).toMatch(msg);
  });

  it.each([
    ['zero-width space', '\u200b', 'U+200B'],
    ['zero-width joiner', '\u200d', 'U+200D'],
    ['byte-order mark', '\ufeff', 'U+FEFF'],
    ['right-to-left override', '\u202e', 'U+202E'],
  ])('refuses a unit name carrying an invisible character (%s), naming the field; no account is made', async (_n, ch, cp) => {
    const c = t.client();
    const uscc = newUscc();
    const { res } = await c.register({ uscc, name: `江西隐形${ch}字符有限公司` });
    expect(res.statusCode).toBe(400);
    expect(res.json().error.code).toBe('VALIDATION_FAILED');
    expect(res.json().error.fields.name).toBe(`单位名称含有不可见字符（${cp}），可能是从别处复制带入的，请删除后重新输入`);
    expect(await t.db.select().from(organizations).where(eq(organizations.uscc, uscc))).toEqual([]);
  });

  it('refuses a registered USCC and points to 忘记密码', async () => {
    const c = t.client();
    const { body } = await c.register();
    const again = await t.client().register({ uscc: body.uscc });
    expect(again.res.statusCode).toBe(409);
    expect(again.res.json().error.code).toBe('USCC_TAKEN');
    expect(again.res.json().error.fields.uscc).toMatch(/忘记密码/);
  });

  it('refuses a wrong captcha and a replayed one', async () => {
    const c = t.client();
    const wrong = await c.register({ captchaAnswer: 'zzzz' });
    expect(wrong.res.statusCode).toBe(400);
    expect(wrong.res.json().error.code).toBe('CAPTCHA_INVALID');
    const cap = await c.captcha();
    const first = await c.register({ ...cap });
    expect(first.res.statusCode).toBe(201);
    const replay = await t.client().register({ ...cap });
    expect(replay.res.statusCode).toBe(400);
    expect(replay.res.json().error.code).toBe('CAPTCHA_INVALID');
    expect(replay.res.json().error.fields.captchaAnswer).toMatch(/失效/);
  });

  it('refuses an expired captcha', async () => {
    const { ManualClock } = await import('../testing/harness.js');
    const clock = new ManualClock(new Date());
    const t2 = await testApp({ clock });
    try {
      const c = t2.client();
      const cap = await c.captcha();
      clock.advance(5 * 60_000 + 1000);
      const { res } = await c.register({ ...cap });
      expect(res.json().error.code).toBe('CAPTCHA_INVALID');
    } finally {
      await t2.close();
    }
  });

  it.each([
    ['not JSON', 'application/json', '{"name":'],
    ['an array', 'application/json', '[1,2]'],
    ['a string', 'application/json', '"x"'],
    ['null', 'application/json', 'null'],
    ['form data', 'text/plain', 'name=x'],
  ])('answers a malformed body (%s) with 4xx, never 500', async (_n, type, payload) => {
    const c = t.client();
    await c.session();
    const res = await c.request({
      method: 'POST',
      url: '/api/register',
      payload,
      headers: { 'content-type': type, 'x-csrf-token': c.csrf.org! },
    });
    expect(res.statusCode).toBeGreaterThanOrEqual(400);
    expect(res.statusCode).toBeLessThan(500);
    expect(res.json().error.message).toBeTruthy();
  });
});

describe('登录 / 退出 (log in / log out)', () => {
  it('logs in, rotates the session, and logout kills it on the server', async () => {
    const c = t.client();
    const { body } = await c.register();
    await c.post('/api/logout');
    const anon = await c.session();
    expect(anon.organization).toBeNull();
    const before = c.cookies.get('cd_org')!;
    const res = await c.login(body.uscc, body.password);
    expect(res.statusCode).toBe(200);
    const after = c.cookies.get('cd_org')!;
    expect(after).not.toBe(before);
    // The pre-login session is gone from the database (session fixation defence).
    expect(
      await t.db
        .select()
        .from(sessions)
        .where(eq(sessions.idHash, sha256(before))),
    ).toHaveLength(0);
    const cookie = res.headers['set-cookie'] as string;
    expect(cookie).toMatch(/HttpOnly/i);
    expect(cookie).toMatch(/SameSite=Lax/i);
    expect((await c.get('/api/me')).statusCode).toBe(200);

    await c.post('/api/logout');
    // Replaying the old cookie after logout gets nothing.
    const replay = await t.app.inject({ method: 'GET', url: '/api/me', cookies: { cd_org: after } });
    expect(replay.statusCode).toBe(401);
  });

  it('says the same thing for an unknown USCC and a wrong password', async () => {
    const c = t.client();
    const { body } = await c.register();
    const wrongPw = await t.client().login(body.uscc, 'Wrong2026xx');
    const unknown = await t.client().login(newUscc(), 'Wrong2026xx');
    expect(wrongPw.statusCode).toBe(401);
    expect(unknown.statusCode).toBe(401);
    expect(wrongPw.json().error.message).toBe(unknown.json().error.message);
  });

  it('marks the cookie Secure when served over TLS (behind a trusted proxy)', async () => {
    const t2 = await testApp({ env: { CERTDESK_TRUST_PROXY: '1' } });
    try {
      const res = await t2.app.inject({ method: 'GET', url: '/api/session', headers: { 'x-forwarded-proto': 'https' } });
      expect(res.headers['set-cookie']).toMatch(/Secure/);
    } finally {
      await t2.close();
    }
  });

  it('ends a session after 30 minutes idle', async () => {
    const { ManualClock } = await import('../testing/harness.js');
    const clock = new ManualClock(new Date());
    const t2 = await testApp({ clock });
    try {
      const c = t2.client();
      await c.register();
      clock.advance(29 * 60_000);
      expect((await c.get('/api/me')).statusCode).toBe(200);
      clock.advance(31 * 60_000);
      expect((await c.get('/api/me')).statusCode).toBe(401);
    } finally {
      await t2.close();
    }
  });
});

describe('CSRF', () => {
  it("refuses a state change without the token, with a wrong one, and with another session's token", async () => {
    const victim = t.client();
    await victim.register();
    const attacker = t.client();
    await attacker.session();
    for (const headers of [{}, { 'x-csrf-token': 'forged' }, { 'x-csrf-token': attacker.csrf.org! }]) {
      const res = await victim.request({ method: 'POST', url: '/api/logout', headers });
      expect(res.statusCode).toBe(403);
      expect(res.json().error.code).toBe('CSRF_INVALID');
    }
    expect((await victim.get('/api/me')).statusCode).toBe(200);
  });

  it('refuses login without a token even with a right captcha', async () => {
    const c = t.client();
    const { body } = await c.register();
    const other = t.client();
    const res = await other.request({
      method: 'POST',
      url: '/api/login',
      payload: { uscc: body.uscc, password: body.password, ...(await other.captcha()) },
    });
    expect(res.statusCode).toBe(403);
  });
});

describe('captcha endpoint', () => {
  it('serves a fresh SVG each time and never caches', async () => {
    const c = t.client();
    const a = await c.get('/api/captcha');
    const b = await c.get('/api/captcha');
    expect(a.json().captchaId).not.toBe(b.json().captchaId);
    expect(a.json().svg).toMatch(/^<svg/);
    expect(a.headers['cache-control']).toBe('no-store');
    expect(JSON.stringify(a.json())).not.toContain(CAPTCHA);
  });
});
