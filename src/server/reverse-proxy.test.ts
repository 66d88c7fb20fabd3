/**
 * The client address behind a real nginx (Debian's nginx-light, started here on a free port with a config
 * written to a temp dir) in front of the real app listening on another port. The app trusts only the proxy's
 * address: a client that forges X-Forwarded-For still counts against its own address in the per-address
 * login limit and is written into the audit trail with its own address (issue 16, item 3).
 *
 * Three loopback addresses stand for three machines: the client connects from 127.0.0.2, nginx connects to
 * the app from 127.0.0.3 (proxy_bind), the app trusts 127.0.0.3 only.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { and, eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditEvents, throttles } from './db/schema.js';
import { CAPTCHA, newUscc, testApp, type TestApp } from './testing/harness.js';
import { freePort, NGINX, nginxBalancerConf } from './testing/processes.js';

const CLIENT = '127.0.0.2';
const PROXY = '127.0.0.3';
const FORGED = '203.0.113.9';

async function waitForPort(port: number, proc: ChildProcess, log: string): Promise<void> {
  for (let i = 0; i < 200; i++) {
    if (proc.exitCode !== null) throw new Error(`nginx exited (${proc.exitCode}): ${log}`);
    const ok = await new Promise<boolean>((r) => {
      const c = net.connect(port, '127.0.0.1', () => (c.end(), r(true)));
      c.on('error', () => r(false));
    });
    if (ok) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error('nginx did not start listening');
}

interface Res {
  status: number;
  body: string;
  cookies: string[];
}

/** One HTTP request from the client's own address (node:http: fetch cannot choose the local address). */
function send(port: number, method: string, url: string, headers: Record<string, string>, body?: string): Promise<Res> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, method, path: url, localAddress: CLIENT, headers }, (res) => {
      let data = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (data += d));
      res.on('end', () => resolve({ status: res.statusCode!, body: data, cookies: res.headers['set-cookie'] ?? [] }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

/** A wrong password for an unknown 统一社会信用代码, as a browser would send it (session, CSRF, captcha). */
async function wrongLogin(port: number, headers: Record<string, string>, uscc: string): Promise<number> {
  const session = await send(port, 'GET', '/api/session', headers);
  expect(session.status, session.body).toBe(200);
  const cookie = session.cookies.map((c) => c.split(';')[0]).join('; ');
  const csrf = (JSON.parse(session.body) as { csrfToken: string }).csrfToken;
  const captcha = JSON.parse((await send(port, 'GET', '/api/captcha', { ...headers, cookie })).body) as { captchaId: string };
  const res = await send(
    port,
    'POST',
    '/api/login',
    { ...headers, cookie, 'x-csrf-token': csrf, 'content-type': 'application/json' },
    JSON.stringify({ uscc, password: 'Wrong2026xx', captchaId: captcha.captchaId, captchaAnswer: CAPTCHA }),
  );
  return res.status;
}

const loginAddressCount = async (t: TestApp, ip: string) =>
  (
    await t.db
      .select()
      .from(throttles)
      .where(eq(throttles.key, `login:ip:${ip}`))
  )[0]?.failures ?? 0;

const auditAddressesOf = async (t: TestApp, uscc: string) =>
  (
    await t.db
      .select({ ip: auditEvents.ip })
      .from(auditEvents)
      .where(and(eq(auditEvents.action, 'organization.login_failed'), sql`${auditEvents.detail}->>'uscc' = ${uscc}`))
  ).map((r) => r.ip);

describe('behind nginx, the client address is what the trusted proxy saw', () => {
  let t: TestApp;
  let nginx: ChildProcess;
  let dir: string;
  let appPort: number;
  let proxyPort: number;
  let nginxLog = '';

  beforeAll(async () => {
    if (!existsSync(NGINX)) throw new Error(`${NGINX} is missing: apt-get install nginx-light (.ci/run installs it)`);
    t = await testApp({ env: { CERTDESK_TRUST_PROXY: PROXY } });
    await t.app.listen({ host: '127.0.0.1', port: 0 });
    appPort = (t.app.server.address() as net.AddressInfo).port;
    proxyPort = await freePort();
    dir = mkdtempSync(path.join(os.tmpdir(), 'certdesk-nginx-'));
    writeFileSync(path.join(dir, 'nginx.conf'), nginxBalancerConf(dir, proxyPort, [appPort], { proxyBind: PROXY }));
    nginx = spawn(NGINX, ['-p', dir, '-c', path.join(dir, 'nginx.conf'), '-e', path.join(dir, 'error.log')], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    nginx.stderr!.on('data', (d) => (nginxLog += String(d)));
    await waitForPort(proxyPort, nginx, nginxLog);
  });
  afterAll(async () => {
    if (nginx && nginx.exitCode === null) {
      nginx.kill('SIGTERM');
      await new Promise((r) => nginx.once('exit', r));
    }
    if (dir) rmSync(dir, { recursive: true, force: true });
    await t?.close();
  });

  it('counts a forged X-Forwarded-For against the real address, in the login limit and the audit trail', async () => {
    const uscc = newUscc();
    const before = { client: await loginAddressCount(t, CLIENT), forged: await loginAddressCount(t, FORGED) };
    // Through nginx, the client writing the address it wants into X-Forwarded-For (nginx appends the real one).
    for (let i = 0; i < 3; i++) expect(await wrongLogin(proxyPort, { 'x-forwarded-for': FORGED }, uscc)).toBe(401);
    expect(await loginAddressCount(t, CLIENT)).toBe(before.client + 3);
    expect(await loginAddressCount(t, FORGED)).toBe(before.forged);
    expect(await auditAddressesOf(t, uscc)).toEqual([CLIENT, CLIENT, CLIENT]);
  });

  it("uses the proxy's X-Forwarded-For, not the proxy's own address", async () => {
    const uscc = newUscc();
    expect(await wrongLogin(proxyPort, {}, uscc)).toBe(401);
    expect(await auditAddressesOf(t, uscc)).toEqual([CLIENT]);
    expect(await loginAddressCount(t, PROXY)).toBe(0);
  });

  it('ignores X-Forwarded-For from a client that reaches the app directly, bypassing the proxy', async () => {
    const uscc = newUscc();
    expect(await wrongLogin(appPort, { 'x-forwarded-for': `${FORGED}, ${PROXY}` }, uscc)).toBe(401);
    expect(await auditAddressesOf(t, uscc)).toEqual([CLIENT]);
  });
});
