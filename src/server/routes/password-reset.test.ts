/**
 * 忘记密码 over HTTP: request (USCC + registered mobile + captcha) → outbox row → worker → sandbox SMS
 * gateway (real Aliyun client, real signature check) → code → confirm. Time moves with a ManualClock.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { and, desc, eq } from 'drizzle-orm';
import { outbox, passwordResets, sandboxSms, sessions } from '../db/schema.js';
import { ManualClock, newMobile, newUscc, randomIp, testApp, type TestApp, type TestClient } from '../testing/harness.js';
import { smsCode, smsFor } from '../testing/sms.js';

let t: TestApp;
let clock: ManualClock;
beforeAll(async () => {
  clock = new ManualClock(new Date());
  t = await testApp({ clock });
});
afterAll(() => t.close());

const NEW_PASSWORD = 'Renewed2026y';

async function requestReset(c: TestClient, uscc: string, mobile: string) {
  return c.post('/api/password-reset/request', { uscc, mobile, ...(await c.captcha()) });
}
async function confirm(c: TestClient, uscc: string, code: string, password = NEW_PASSWORD, passwordConfirm = password) {
  return c.post('/api/password-reset/confirm', { uscc, code, password, passwordConfirm });
}
/** A registered organization: its login data and the client that registered it (logged in). */
async function org() {
  const c = t.client();
  const { body, res } = await c.register();
  expect(res.statusCode).toBe(201);
  return { c, uscc: body.uscc, mobile: body.mobile, password: body.password, id: res.json().organization.id as string };
}
async function latestReset(orgId: string) {
  const [row] = await t.db
    .select()
    .from(passwordResets)
    .where(eq(passwordResets.organizationId, orgId))
    .orderBy(desc(passwordResets.createdAt))
    .limit(1);
  return row!;
}
const otherCode = (code: string) => String((Number(code) + 1) % 1_000_000).padStart(6, '0');

describe('requesting a code', () => {
  it('names the field in Chinese for an unregistered USCC, a wrong mobile and a malformed mobile; sends nothing', async () => {
    const o = await org();
    const c = t.client();
    const unknown = await requestReset(c, newUscc(), o.mobile);
    expect(unknown.statusCode).toBe(400);
    expect(unknown.json().error.code).toBe('VALIDATION_FAILED');
    expect(unknown.json().error.fields.uscc).toBe('该统一社会信用代码尚未注册，请先免费注册');

    const wrongMobile = newMobile();
    const wrong = await requestReset(c, o.uscc, wrongMobile);
    expect(wrong.statusCode).toBe(400);
    expect(wrong.json().error.fields.mobile).toMatch(/^手机号与注册时填写的不一致。如注册手机号已停用，请致电客服热线 400-800-1040$/);
    expect(wrong.json().error.fields.uscc).toBeUndefined();

    const malformed = await requestReset(c, o.uscc, '1381234');
    expect(malformed.statusCode).toBe(400);
    expect(malformed.json().error.fields.mobile).toMatch(/11位大陆手机号码/);

    expect(await t.db.select().from(passwordResets).where(eq(passwordResets.organizationId, o.id))).toHaveLength(0);
    await t.outbox.runOnce();
    for (const phone of [o.mobile, wrongMobile])
      expect(await t.db.select().from(sandboxSms).where(eq(sandboxSms.phoneNumber, phone))).toHaveLength(0);
  });

  it('accepts the USCC in lower case with O for 0 and the mobile with +86, like the login form', async () => {
    const o = await org();
    const res = await requestReset(t.client(), o.uscc.toLowerCase().replace(/0/g, 'o'), `+86 ${o.mobile.slice(0, 3)}-${o.mobile.slice(3)}`);
    expect(res.statusCode).toBe(200);
  });

  it('writes an outbox row in the transaction; the worker sends a 6-digit code through the sandbox gateway and scrubs it', async () => {
    const o = await org();
    const res = await requestReset(t.client(), o.uscc, o.mobile);
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ maskedMobile: `${o.mobile.slice(0, 3)}****${o.mobile.slice(7)}`, expiresInSeconds: 600 });

    const reset = await latestReset(o.id);
    expect(reset.attempts).toBe(0);
    expect(reset.usedAt).toBeNull();
    expect(reset.expiresAt.getTime() - reset.createdAt.getTime()).toBe(10 * 60_000);
    const dedupeKey = `password_reset:${reset.id}`;
    const [queued] = await t.db.select().from(outbox).where(eq(outbox.dedupeKey, dedupeKey));
    // Another test file's worker (PostgreSQL: one shared database) may already have sent it.
    if (queued!.status === 'pending') expect((queued!.payload as { params: { code: string } }).params.code).toMatch(/^\d{6}$/);
    expect(queued!.payload).toMatchObject({ phoneNumber: o.mobile, template: 'password_reset' });

    const [sms] = await smsFor(t, o.mobile);
    expect(sms!.text).toMatch(/^【江西CA（沙箱）】您正在重置江西CA数字证书在线受理系统的登录密码，验证码\d{6}，10分钟内有效。/);
    const code = sms!.templateParam.code!;
    expect(code).toMatch(/^\d{6}$/);
    expect(sms!.text).toContain(code);
    expect(sms!.templateCode).toBe('SMS_SANDBOX_PASSWORD_RESET');

    // Only a hash of the code is stored, the answer never carries it, and once sent the outbox forgets it.
    expect(reset.codeHash).not.toContain(code);
    expect(res.body).not.toContain(code);
    let sent = (await t.db.select().from(outbox).where(eq(outbox.dedupeKey, dedupeKey)))[0]!;
    for (let i = 0; sent.status !== 'sent' && i < 50; i++) {
      await new Promise((r) => setTimeout(r, 50));
      sent = (await t.db.select().from(outbox).where(eq(outbox.dedupeKey, dedupeKey)))[0]!;
    }
    expect(sent.status).toBe('sent');
    expect(sent.providerMessageId).toBe(sms!.bizId);
    expect(sent.attempts).toBe(1);
    expect((sent.payload as { params: { code: string } }).params.code).toBe('******');
    expect(JSON.stringify(sent.payload)).not.toContain(code);

    // The worker runs again: nothing is sent twice.
    await t.outbox.runOnce();
    expect(await smsFor(t, o.mobile)).toHaveLength(1);
  });
});

describe('confirming', () => {
  it('counts wrong codes down; after five the code is dead even when right, and the password is unchanged', async () => {
    const o = await org();
    const c = t.client();
    expect((await requestReset(c, o.uscc, o.mobile)).statusCode).toBe(200);
    const code = await smsCode(t, o.mobile);
    const wrong = otherCode(code);
    for (const left of [4, 3, 2, 1]) {
      const res = await confirm(c, o.uscc, wrong);
      expect(res.statusCode).toBe(400);
      expect(res.json().error.fields).toEqual({ code: `短信验证码不正确，还可尝试${left}次` });
    }
    const fifth = await confirm(c, o.uscc, wrong);
    expect(fifth.json().error.fields.code).toBe('短信验证码错误次数过多，请重新获取');
    const right = await confirm(c, o.uscc, code);
    expect(right.statusCode).toBe(400);
    expect(right.json().error.fields.code).toBe('短信验证码已失效，请重新获取');
    expect((await latestReset(o.id)).attempts).toBe(5);
    expect((await t.client().login(o.uscc, o.password)).statusCode).toBe(200);
    expect((await t.client().login(o.uscc, NEW_PASSWORD)).statusCode).toBe(401);
  });

  it('does not spend a try on a form error (weak password, mismatch, a password containing the mobile)', async () => {
    const o = await org();
    const c = t.client();
    await requestReset(c, o.uscc, o.mobile);
    const code = await smsCode(t, o.mobile);
    const weak = await confirm(c, o.uscc, code, 'short1');
    expect(weak.json().error.fields.password).toMatch(/至少8位/);
    const mismatch = await confirm(c, o.uscc, code, NEW_PASSWORD, 'Other2026y');
    expect(mismatch.json().error.fields.passwordConfirm).toBe('两次填写的密码不一致');
    const withMobile = await confirm(c, o.uscc, code, `a${o.mobile}`);
    expect(withMobile.json().error.fields.password).toMatch(/手机号/);
    const badCode = await confirm(c, o.uscc, '12345');
    expect(badCode.json().error.fields.code).toBe('短信验证码为6位数字');
    expect((await latestReset(o.id)).attempts).toBe(0);
    expect((await confirm(c, o.uscc, code)).statusCode).toBe(200);
  });

  it('spends at most five tries on parallel wrong guesses', async () => {
    const o = await org();
    const c = t.client();
    await requestReset(c, o.uscc, o.mobile);
    const code = await smsCode(t, o.mobile);
    const guesses = Array.from({ length: 12 }, (_, i) => String((Number(code) + 1 + i) % 1_000_000).padStart(6, '0'));
    const answers = await Promise.all(guesses.map((g) => confirm(c, o.uscc, g)));
    const counted = answers.filter((r) => /不正确|过多/.test(r.json().error.fields.code));
    expect(counted.length).toBe(5);
    expect((await latestReset(o.id)).attempts).toBe(5);
    expect((await confirm(c, o.uscc, code)).json().error.fields.code).toBe('短信验证码已失效，请重新获取');
  });

  it('refuses a code older than 10 minutes; a fresh one 9 minutes 59 seconds old still works', async () => {
    const o = await org();
    const c = t.client();
    await requestReset(c, o.uscc, o.mobile);
    const old = await smsCode(t, o.mobile, 1);
    clock.advance(10 * 60_000 + 1000);
    const expired = await confirm(c, o.uscc, old);
    expect(expired.statusCode).toBe(400);
    expect(expired.json().error.fields.code).toBe('短信验证码已失效，请重新获取');

    expect((await requestReset(c, o.uscc, o.mobile)).statusCode).toBe(200);
    const fresh = await smsCode(t, o.mobile, 2);
    clock.advance(9 * 60_000 + 59_000);
    expect((await confirm(c, o.uscc, fresh)).statusCode).toBe(200);
  });

  it('accepts only the newest code when two were sent in the same instant', async () => {
    const o = await org();
    const c = t.client();
    await requestReset(c, o.uscc, o.mobile);
    const first = await smsCode(t, o.mobile, 1);
    const firstRow = await latestReset(o.id);
    await requestReset(c, o.uscc, o.mobile);
    const second = await smsCode(t, o.mobile, 2);
    // The clock did not move: the new code replaced the old one, not a timestamp tie-break.
    const [old] = await t.db.select().from(passwordResets).where(eq(passwordResets.id, firstRow.id));
    expect(old!.expiresAt.getTime()).toBeLessThanOrEqual(clock.now().getTime());
    if (first !== second) expect((await confirm(c, o.uscc, first)).json().error.fields.code).toBe('短信验证码不正确，还可尝试4次');
    expect((await confirm(c, o.uscc, second)).statusCode).toBe(200);
  });

  it('answers an unregistered USCC like a dead code', async () => {
    const res = await confirm(t.client(), newUscc(), '123456');
    expect(res.statusCode).toBe(400);
    expect(res.json().error.fields.code).toBe('短信验证码已失效，请重新获取');
  });

  it('the right code sets the new password, ends every session of the organization, and works once', async () => {
    const o = await org();
    const second = t.client();
    expect((await second.login(o.uscc, o.password)).statusCode).toBe(200);
    expect((await o.c.get('/api/me')).statusCode).toBe(200);
    expect((await second.get('/api/me')).statusCode).toBe(200);
    // Another organization's session must survive.
    const bystander = await org();

    const c = t.client();
    await requestReset(c, o.uscc, o.mobile);
    const code = await smsCode(t, o.mobile);
    const res = await confirm(c, o.uscc, ` ${code} `);
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ ok: true });

    expect((await o.c.get('/api/me')).statusCode).toBe(401);
    expect((await second.get('/api/me')).statusCode).toBe(401);
    expect(
      await t.db
        .select()
        .from(sessions)
        .where(and(eq(sessions.realm, 'org'), eq(sessions.subjectId, o.id))),
    ).toHaveLength(0);
    expect((await bystander.c.get('/api/me')).statusCode).toBe(200);

    expect((await t.client().login(o.uscc, o.password)).statusCode).toBe(401);
    const fresh = t.client();
    expect((await fresh.login(o.uscc, NEW_PASSWORD)).statusCode).toBe(200);
    expect((await fresh.get('/api/me')).json().organization.uscc).toBe(o.uscc);

    const again = await confirm(t.client(), o.uscc, code, 'Another2026z');
    expect(again.statusCode).toBe(400);
    expect(again.json().error.fields.code).toBe('短信验证码已失效，请重新获取');
    expect((await t.client().login(o.uscc, 'Another2026z')).statusCode).toBe(401);
  });

  it('lifts a login lock on the account: the owner can log in with the new password at once', async () => {
    const o = await org();
    for (let i = 0; i < 5; i++) await t.client().login(o.uscc, 'Wrong2026xx');
    expect((await t.client().login(o.uscc, o.password)).statusCode).toBe(429);
    const c = t.client();
    await requestReset(c, o.uscc, o.mobile);
    expect((await confirm(c, o.uscc, await smsCode(t, o.mobile))).statusCode).toBe(200);
    expect((await t.client().login(o.uscc, NEW_PASSWORD)).statusCode).toBe(200);
  });
});

describe('send limits', () => {
  const expect429 = (res: Awaited<ReturnType<typeof requestReset>>) => {
    expect(res.statusCode).toBe(429);
    expect(res.json().error.code).toBe('RATE_LIMITED');
    const after = Number(res.headers['retry-after']);
    expect(after).toBeGreaterThan(0);
    expect(res.json().error.retryAfterSeconds).toBe(after);
    expect(res.json().error.message).toMatch(/^尝试次数过多，请在\d+(秒|分钟)后再试$/);
    return after;
  };

  it('sends at most 5 codes an hour to one account, whatever the address; then 429 with Retry-After until the hour is over', async () => {
    const o = await org();
    for (let i = 0; i < 5; i++) expect((await requestReset(t.client(), o.uscc, o.mobile)).statusCode).toBe(200);
    const c = t.client();
    const before = await t.db.select().from(passwordResets).where(eq(passwordResets.organizationId, o.id));
    expect(expect429(await requestReset(c, o.uscc, o.mobile))).toBe(3600);
    // The refused request created no code and queued no SMS.
    expect(await t.db.select().from(passwordResets).where(eq(passwordResets.organizationId, o.id))).toHaveLength(before.length);
    clock.advance(30 * 60_000);
    expect(expect429(await requestReset(t.client(), o.uscc, o.mobile))).toBe(1800);
    clock.advance(30 * 60_000 + 1000);
    expect((await requestReset(t.client(), o.uscc, o.mobile)).statusCode).toBe(200);
    expect(await smsFor(t, o.mobile, 6)).toHaveLength(6);
  });

  it('sends at most 20 codes an hour from one address across accounts; other addresses are not affected', async () => {
    const ip = randomIp();
    const orgs = [];
    for (let i = 0; i < 5; i++) orgs.push(await org());
    for (const o of orgs.slice(0, 4))
      for (let i = 0; i < 5; i++) expect((await requestReset(t.client(ip), o.uscc, o.mobile)).statusCode).toBe(200);
    const fifth = orgs[4]!;
    expect(expect429(await requestReset(t.client(ip), fifth.uscc, fifth.mobile))).toBe(3600);
    expect((await requestReset(t.client(), fifth.uscc, fifth.mobile)).statusCode).toBe(200);
  });

  it('counts misses (unregistered USCC, wrong mobile) against the address, not the account', async () => {
    const o = await org();
    const ip = randomIp();
    for (let i = 0; i < 20; i++) {
      const res = await requestReset(t.client(ip), i % 2 ? newUscc() : o.uscc, newMobile());
      expect(res.statusCode).toBe(400);
    }
    expect429(await requestReset(t.client(ip), o.uscc, o.mobile));
    // The owner, from another address, is not blocked by someone probing the account.
    expect((await requestReset(t.client(), o.uscc, o.mobile)).statusCode).toBe(200);
  });
});
