/**
 * No secret in a log line or a response body: the whole applicant and staff account flow runs with the
 * logs captured at the most verbose level, and every password, session cookie value, CSRF token and SMS
 * code that came up is searched for in every line and every answer.
 */
import { randomBytes, randomInt } from 'node:crypto';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import Fastify, { type InjectOptions, type LightMyRequestResponse } from 'fastify';
import { sessionRepository } from './modules/sessions/repository.js';
import { createStaff } from './modules/staff/staff-accounts.js';
import { registerErrorHandling } from './plugins/errors.js';
import { logPath, loggerOptions } from './logging.js';
import { TestClient, newMobile, newUscc, randomIp, testApp, testDb, type TestApp } from './testing/harness.js';
import { smsCode } from './testing/sms.js';

let t: TestApp;
beforeAll(async () => {
  t = await testApp({ captureLogs: true });
});
afterAll(() => t.close());

interface Seen {
  method: string;
  url: string;
  status: number;
  body: string;
  setCookies: { name: string; value: string }[];
}
const seen: Seen[] = [];
/** The harness client, recording every answer. */
class RecordingClient extends TestClient {
  override async request(opts: InjectOptions & { url: string }): Promise<LightMyRequestResponse> {
    const res = await super.request(opts);
    seen.push({
      method: opts.method ?? 'GET',
      url: opts.url,
      status: res.statusCode,
      body: res.body,
      setCookies: (res.cookies as { name: string; value: string }[]).map((c) => ({ name: c.name, value: c.value })),
    });
    return res;
  }
}
const client = () => new RecordingClient(t.app, randomIp());
const rand = () => randomBytes(4).toString('hex');
/** Answers whose job is to hand the SPA its CSRF token. */
const CSRF_CARRIERS = /^\/api\/(session|staff\/session|register|login|staff\/login)(\?|$)/;

describe('the account flows, logged at trace level', () => {
  const passwords: string[] = [];
  let code = '';
  const querySecret = `qs${rand()}${rand()}`;

  beforeAll(async () => {
    const password = `Lg${rand()}2026`;
    const wrong = `Wr${rand()}2026`;
    const renewed = `Rn${rand()}2026`;
    const staffPassword = `St${rand()}2026`;
    passwords.push(password, wrong, renewed, staffPassword);

    const c = client();
    const uscc = newUscc();
    const mobile = newMobile();
    const reg = await c.register({ uscc, mobile, password, passwordConfirm: password });
    expect(reg.res.statusCode).toBe(201);
    expect((await c.get('/api/me')).statusCode).toBe(200);
    // A token in a query string (as a QR-code link would carry) must not reach the log.
    await c.get(`/api/session?ticket=${querySecret}&x=1`);
    await c.post('/api/logout');
    await c.session();
    expect((await c.login(uscc, wrong)).statusCode).toBe(401);
    expect((await c.login(uscc, password)).statusCode).toBe(200);

    const helper = client();
    const ask = await helper.post('/api/password-reset/request', { uscc, mobile, ...(await helper.captcha()) });
    expect(ask.statusCode).toBe(200);
    code = await smsCode(t, mobile);
    const other = String((Number(code) + 1) % 1e6).padStart(6, '0');
    const bad = await helper.post('/api/password-reset/confirm', { uscc, code: other, password: renewed, passwordConfirm: renewed });
    expect(bad.statusCode).toBe(400);
    const ok = await helper.post('/api/password-reset/confirm', { uscc, code, password: renewed, passwordConfirm: renewed });
    expect(ok.statusCode).toBe(200);
    expect((await client().login(uscc, renewed)).statusCode).toBe(200);

    const username = `log${randomInt(1e9)}`;
    await createStaff(
      { db: t.db, clock: t.clock },
      { username, displayName: '日志测试员', roles: ['预审'], password: staffPassword },
      null,
      { ip: 'test' },
    );
    const s = client();
    expect((await s.staffLogin(username, wrong)).statusCode).toBe(401);
    expect((await s.staffLogin(username, staffPassword)).statusCode).toBe(200);
    expect((await s.get('/api/staff/session')).json().staff.username).toBe(username);
    await s.post('/api/staff/logout');
  });

  const cookieValues = () => seen.flatMap((r) => r.setCookies.map((c) => c.value)).filter((v) => v.length > 0);
  const csrfTokens = () =>
    seen.flatMap((r) => {
      try {
        const tok = (JSON.parse(r.body) as { csrfToken?: string }).csrfToken;
        return tok ? [tok] : [];
      } catch {
        return [];
      }
    });

  it('captured a real flow (the checks below are not vacuous)', () => {
    expect(t.logs.length).toBeGreaterThan(50);
    expect(code).toMatch(/^\d{6}$/);
    expect(cookieValues().length).toBeGreaterThanOrEqual(8);
    expect(new Set(seen.flatMap((r) => r.setCookies.map((c) => c.name)))).toEqual(new Set(['cd_org', 'cd_staff']));
    expect(csrfTokens().length).toBeGreaterThanOrEqual(6);
    expect(t.logs.some((l) => l.includes('"request completed"'))).toBe(true);
  });

  it('no log line contains a password, a session cookie value, a CSRF token or the SMS code', () => {
    const secrets = [...passwords, ...cookieValues(), ...csrfTokens(), code, querySecret];
    for (const line of t.logs) for (const s of secrets) expect(line, `log line leaks ${s}`).not.toContain(s);
  });

  it('no response body contains a password, a session cookie value or the SMS code; CSRF tokens only where they are handed out', () => {
    const always = [...passwords, ...cookieValues(), code];
    const tokens = csrfTokens();
    for (const r of seen) {
      for (const s of always) expect(r.body, `${r.method} ${r.url} leaks ${s}`).not.toContain(s);
      if (!CSRF_CARRIERS.test(r.url)) for (const s of tokens) expect(r.body, `${r.method} ${r.url} leaks a CSRF token`).not.toContain(s);
    }
  });

  it('request log lines carry the path without the query string, and no headers or bodies', () => {
    const reqLines = t.logs.map((l) => JSON.parse(l) as { req?: Record<string, unknown> }).filter((l) => l.req);
    expect(reqLines.length).toBeGreaterThan(10);
    for (const l of reqLines) {
      expect(Object.keys(l.req!).sort()).toEqual(['ip', 'method', 'path']);
      expect(l.req!.path).not.toContain('?');
    }
    expect(reqLines.some((l) => l.req!.path === '/api/session')).toBe(true);
    expect(t.logs.some((l) => l.includes('ticket='))).toBe(false);
  });

  it('redacts secrets handed to the logger one level down', () => {
    const before = t.logs.length;
    const id = '36010219900307001X';
    t.app.log.info({
      body: { password: 'pw-SECRET-1', passwordConfirm: 'pw-SECRET-1', idNumber: id, csrfToken: 'csrf-SECRET', code: '918273' },
    });
    const line = t.logs.slice(before).join('\n');
    for (const s of ['pw-SECRET-1', id, 'csrf-SECRET', '918273']) expect(line).not.toContain(s);
    expect(line).toContain('[redacted]');
  });
});

describe('a failing query', () => {
  it('logs the SQL, the error codes and the cause, but not the values the query carried (here a CSRF token)', async () => {
    const { db } = await testDb();
    const lines: string[] = [];
    const app = Fastify({
      logger: loggerOptions(
        'info',
        new Writable({
          write(chunk, _e, cb) {
            lines.push(String(chunk));
            cb();
          },
        }) as never,
      ),
    });
    registerErrorHandling(app);
    const secret = `csrf${rand()}${rand()}`;
    const idHash = `hash${rand()}${rand()}`;
    const row = {
      idHash,
      realm: 'org' as const,
      subjectId: null,
      csrfToken: secret,
      createdAt: new Date(0),
      lastSeenAt: new Date(0),
      expiresAt: new Date(0),
    };
    app.get('/boom', async () => {
      await sessionRepository.insert(db, row);
      await sessionRepository.insert(db, row); // duplicate key: PostgreSQL says which key, with its value
      return 'unreachable';
    });
    const res = await app.inject({ method: 'GET', url: '/boom' });
    await sessionRepository.delete(db, idHash);
    expect(res.statusCode).toBe(500);
    expect(res.json().error.code).toBe('INTERNAL');
    for (const s of [secret, idHash]) expect(res.body).not.toContain(s);

    const logged = lines
      .map((l) => JSON.parse(l) as { msg: string; err?: Record<string, unknown> })
      .find((l) => l.msg === 'unhandled error');
    expect(logged?.err).toBeDefined();
    expect(logged!.err!.message).toMatch(/^Failed query: insert into "sessions"/);
    expect(logged!.err!.message).toMatch(/params: \[\d+ redacted\]$/);
    expect((logged!.err!.cause as { code?: string }).code).toBe('23505');
    const all = lines.join('\n');
    for (const s of [secret, idHash]) expect(all).not.toContain(s);
  });
});

describe('tokens in the path', () => {
  it.each([
    ['/v/abcDEF123_-x', '/v/[token]'],
    ['/v/abcDEF123_-x/done?token=1', '/v/[token]/done'],
    ['/api/legal-check/abcDEF123/start', '/api/legal-check/[token]/start'],
    ['/api/sandbox-pay/abcDEF123', '/api/sandbox-pay/[token]'],
    ['/api/sandbox-pay/abcDEF123/pay', '/api/sandbox-pay/[token]/pay'],
    ['/api/sandbox-pay/abcDEF123/cancel', '/api/sandbox-pay/[token]/cancel'],
    ['/sandbox/pay/wechat/abcDEF123', '/sandbox/pay/wechat/[token]'],
    ['/sandbox/pay/alipay/abcDEF123?x=1', '/sandbox/pay/alipay/[token]'],
    // The sandbox Alipay gateway is a fixed address, not a token.
    ['/api/sandbox-pay/alipay/gateway.do?charset=utf-8', '/api/sandbox-pay/alipay/gateway.do'],
    ['/api/orders/123', '/api/orders/123'],
  ])('%s is logged as %s', (url, path) => expect(logPath(url)).toBe(path));

  it('a sandbox payment token never reaches a request log line', async () => {
    const token = randomBytes(24).toString('base64url');
    for (const url of [`/api/sandbox-pay/${token}`, `/sandbox/pay/wechat/${token}`]) await t.app.inject({ method: 'GET', url });
    for (const url of [`/api/sandbox-pay/${token}/pay`, `/api/sandbox-pay/${token}/cancel`]) await t.app.inject({ method: 'POST', url });
    const lines = t.logs.filter((l) => l.includes('sandbox-pay/[token]') || l.includes('sandbox/pay/wechat/[token]'));
    expect(lines.length).toBeGreaterThanOrEqual(4);
    for (const line of t.logs) expect(line).not.toContain(token);
  });
});
