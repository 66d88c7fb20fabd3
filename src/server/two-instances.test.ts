/**
 * Two app instances on one database behave as one (docs/principles.md 9): a browser behind a load
 * balancer whose requests land on either instance. On PostgreSQL (DATABASE_URL) each instance opens its
 * own connection pool, exactly as two processes would; on PGlite both share the one embedded handle,
 * which still proves that the app keeps nothing that matters in its own memory.
 */
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import type { FastifyInstance } from 'fastify';
import { buildApp } from './app.js';
import { systemClock } from './clock.js';
import { openDb, type DbHandle } from './db/client.js';
import { outboxWorker } from './modules/outbox/outbox.js';
import { smsSenderFor } from './runtime.js';
import { randomIp, testConfig, testDb, TestClient } from './testing/harness.js';
import { smsCode } from './testing/sms.js';
import { uploadScan } from './testing/applicant-flow.js';

const config = testConfig();
let A: { app: FastifyInstance; handle: DbHandle };
let B: { app: FastifyInstance; handle: DbHandle };
const own: DbHandle[] = [];
const dirs = [mkdtempSync(path.join(tmpdir(), 'certdesk-a-')), mkdtempSync(path.join(tmpdir(), 'certdesk-b-'))] as const;

// Each instance has a data directory of its own, as on separate machines: nothing is shared but the database.
async function instance(handle: DbHandle, dataDir: string) {
  const app = await buildApp({ config: testConfig({ CERTDESK_DATA_DIR: dataDir }), db: handle.db, clock: systemClock });
  await app.ready();
  return { app, handle };
}

beforeAll(async () => {
  const url = process.env.DATABASE_URL;
  if (url) {
    own.push(await openDb({ databaseUrl: url, poolSize: 3 }), await openDb({ databaseUrl: url, poolSize: 3 }));
    A = await instance(own[0]!, dirs[0]);
    B = await instance(own[1]!, dirs[1]);
  } else {
    const shared = await testDb();
    A = await instance(shared, dirs[0]);
    B = await instance(shared, dirs[1]);
  }
});
afterAll(async () => {
  await A.app.close();
  await B.app.close();
  for (const h of own) await h.close();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

/** One browser (one cookie jar, one CSRF token per realm) talking to either instance. */
function browser(ip = randomIp()) {
  const onA = new TestClient(A.app, ip);
  const onB = new TestClient(B.app, ip);
  onB.cookies = onA.cookies;
  onB.csrf = onA.csrf;
  return { A: onA, B: onB };
}

it('really runs two instances (on PostgreSQL: two pools, two sets of server connections)', async () => {
  expect(A.app).not.toBe(B.app);
  if (process.env.DATABASE_URL) {
    expect(A.handle).not.toBe(B.handle);
    expect(A.handle.kind).toBe('postgres');
    const pid = async (db: Pick<DbHandle['db'], 'execute'>) =>
      Number(((await db.execute(sql`select pg_backend_pid() as pid`)) as unknown as { rows: { pid: number }[] }).rows[0]!.pid);
    // Hold a connection of each pool at once: they are different server processes.
    const [a, b] = await Promise.all([A.handle.db.transaction((tx) => pid(tx)), B.handle.db.transaction((tx) => pid(tx))]);
    expect(a).not.toBe(b);
  }
});

describe('one browser, two instances', () => {
  it('a scan uploaded through A is shown by B (separate disks): files live in the database', async () => {
    const br = browser();
    await br.A.register();
    const created = await br.A.post('/api/orders', { projectCode: 'gov-procurement', keyType: 'main', agree: true });
    expect(created.statusCode).toBe(201);
    const orderId = created.json().order.id as string;
    const up = await uploadScan(br.A, orderId, 'business-license');
    expect(up.statusCode).toBe(201);
    const docId = up.json().document.id as string;
    for (const variant of ['file', 'thumbnail']) {
      const onB = await br.B.get(`/api/orders/${orderId}/documents/${docId}/${variant}`);
      expect(onB.statusCode).toBe(200);
      expect(onB.rawPayload.equals((await br.A.get(`/api/orders/${orderId}/documents/${docId}/${variant}`)).rawPayload)).toBe(true);
    }
    // Neither instance wrote the file to its own disk.
    for (const d of dirs) expect(readdirSync(d)).toEqual([]);
  });

  it('a captcha fetched on A is answered on B, once', async () => {
    const br = browser();
    const cap = await br.A.captcha();
    const { res } = await br.B.register({ ...cap });
    expect(res.statusCode).toBe(201);
    const replay = await browser().A.register({ ...cap });
    expect(replay.res.statusCode).toBe(400);
    expect(replay.res.json().error.code).toBe('CAPTCHA_INVALID');
  });

  it('the CSRF token A issued is accepted by B', async () => {
    const br = browser();
    await br.A.session();
    const { res } = await br.B.register();
    expect(res.statusCode).toBe(201);
  });

  it('registered on A, the session works on B; logged in on A, it works on B; logout on B ends it on A', async () => {
    const br = browser();
    const { body, res } = await br.A.register();
    expect(res.statusCode).toBe(201);
    expect((await br.B.get('/api/me')).json().organization.uscc).toBe(body.uscc);

    await br.A.post('/api/logout');
    expect((await br.B.get('/api/me')).statusCode).toBe(401);
    await br.B.session(); // the web app fetches a fresh anonymous session (and CSRF token) after logout
    const login = await br.A.login(body.uscc, body.password);
    expect(login.statusCode).toBe(200);
    const cookie = br.A.cookies.get('cd_org')!;
    expect((await br.B.get('/api/me')).statusCode).toBe(200);

    expect((await br.B.post('/api/logout')).statusCode).toBe(200);
    expect((await br.A.get('/api/me')).statusCode).toBe(401);
    // Not just the cookie jar: the old token is dead on both instances.
    for (const app of [A.app, B.app])
      expect((await app.inject({ method: 'GET', url: '/api/me', cookies: { cd_org: cookie } })).statusCode).toBe(401);
  });

  it('failures counted on A lock the account on B, even for the right password', async () => {
    const owner = browser();
    const { body } = await owner.A.register();
    const attacker = randomIp();
    for (let i = 0; i < 5; i++) {
      const res = await browser(attacker)[i % 2 ? 'B' : 'A'].login(body.uscc, 'Wrong2026xx');
      expect(res.statusCode).toBe(401);
    }
    const onB = await browser().B.login(body.uscc, body.password);
    expect(onB.statusCode).toBe(429);
    expect(Number(onB.headers['retry-after'])).toBeGreaterThan(0);
    expect((await browser().A.login(body.uscc, body.password)).statusCode).toBe(429);
  });

  it('a password reset asked on A, sent by B’s worker and confirmed on B ends the session held on A', async () => {
    const owner = browser();
    const { body } = await owner.A.register();
    const helper = browser();
    const ask = await helper.A.post('/api/password-reset/request', { uscc: body.uscc, mobile: body.mobile, ...(await helper.A.captcha()) });
    expect(ask.statusCode).toBe(200);
    const workerB = outboxWorker({
      db: B.handle.db,
      clock: systemClock,
      sms: smsSenderFor(config, B.handle.db, systemClock),
      log: B.app.log,
    });
    const code = await smsCode({ db: B.handle.db, outbox: workerB }, body.mobile);
    const done = await helper.B.post('/api/password-reset/confirm', {
      uscc: body.uscc,
      code,
      password: 'Renewed2026y',
      passwordConfirm: 'Renewed2026y',
    });
    expect(done.statusCode).toBe(200);
    expect((await owner.A.get('/api/me')).statusCode).toBe(401);
    expect((await browser().A.login(body.uscc, 'Renewed2026y')).statusCode).toBe(200);
  });
});
