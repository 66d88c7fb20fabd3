/**
 * Exactly once, the hard way:
 * - 20 concurrent deliveries of the same valid notification, split over two app instances (on PostgreSQL
 *   each with its own connection pool, as two processes would have) → one transition, one event, one
 *   payment record, one SMS;
 * - the real server (src/server/main.ts as a child process) is killed with SIGKILL while a valid
 *   notification is in flight — before its transaction, and after its commit but before the answer — and
 *   after a restart on the same database the redelivered notification completes the payment once.
 *   (CERTDESK_TEST_NOTIFY_HANG, honoured only with NODE_ENV=test, parks the request at that point.)
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../app.js';
import { systemClock } from '../clock.js';
import { openDb, type DbHandle } from '../db/client.js';
import { invoices, outbox, paymentAttempts } from '../db/schema.js';
import { sandboxWechatNotice } from '../adapters/payment/testing.js';
import type { NoticeRequest } from '../adapters/payment/port.js';
import { seedCatalog } from '../modules/catalog/seed-catalog.js';
import { seedCalendar } from '../modules/calendar/seed-calendar.js';
import { randomIp, testConfig, testDb, TestClient, type TestApp } from '../testing/harness.js';
import { approvedOrder, eventsOf, orderRow } from '../testing/paid-order.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const config = testConfig();

/** What approvedOrder needs of a TestApp, for an app on a database handle of our own. */
function asTestApp(app: FastifyInstance, handle: DbHandle): TestApp {
  return {
    app,
    db: handle.db,
    clock: systemClock,
    config,
    client: (ip?: string) => new TestClient(app, ip ?? randomIp()),
  } as unknown as TestApp;
}

/** An approved order with a WeChat Pay code started, and a valid signed notice for it. */
async function orderWithNotice(t: TestApp) {
  const o = await approvedOrder(t);
  const res = await o.a.c.post(`/api/orders/${o.orderId}/payments`, { channel: 'wechat' });
  expect(res.statusCode, res.body).toBe(201);
  const [a] = await t.db.select().from(paymentAttempts).where(eq(paymentAttempts.orderId, o.orderId));
  const transactionId = `4200${Array.from(randomBytes(24), (b) => b % 10).join('')}`;
  const notice = await sandboxWechatNotice(t.db, { outTradeNo: a!.outTradeNo, amountFen: 22000, transactionId });
  return { o, outTradeNo: a!.outTradeNo, notice };
}

async function expectPaidOnce(db: DbHandle['db'], orderId: string) {
  expect((await orderRow(db, orderId)).status).toBe('paper_awaiting');
  expect(await eventsOf(db, orderId, 'order.pay')).toHaveLength(1);
  expect(await db.select().from(invoices).where(eq(invoices.orderId, orderId))).toHaveLength(1);
  const attempts = await db.select().from(paymentAttempts).where(eq(paymentAttempts.orderId, orderId));
  expect(attempts.filter((a) => a.status === 'paid')).toHaveLength(1);
  expect(
    await db
      .select()
      .from(outbox)
      .where(eq(outbox.dedupeKey, `order-sms:${orderId}:paid`)),
  ).toHaveLength(1);
}

describe('20 concurrent deliveries of one valid notification', () => {
  const own: DbHandle[] = [];
  let A: FastifyInstance;
  let B: FastifyInstance;
  let handleA: DbHandle;
  beforeAll(async () => {
    const url = process.env.DATABASE_URL;
    if (url) own.push(await openDb({ databaseUrl: url, poolSize: 10 }), await openDb({ databaseUrl: url, poolSize: 10 }));
    handleA = own[0] ?? (await testDb());
    const handleB = own[1] ?? handleA;
    await seedCatalog(handleA.db, new Date());
    A = await buildApp({ config, db: handleA.db, clock: systemClock });
    B = await buildApp({ config, db: handleB.db, clock: systemClock });
    await A.ready();
    await B.ready();
  });
  afterAll(async () => {
    await A?.close();
    await B?.close();
    for (const h of own) await h.close();
  });

  it('one transition, one event, one payment record, one SMS; every delivery is answered "accepted"', async () => {
    const { o, notice } = await orderWithNotice(asTestApp(A, handleA));
    const send = (app: FastifyInstance, n: NoticeRequest) =>
      app.inject({ method: 'POST', url: '/api/payments/notify/wechat', headers: n.headers as Record<string, string>, payload: n.rawBody });
    const answers = await Promise.all(Array.from({ length: 20 }, (_, i) => send(i % 2 ? B : A, notice)));
    expect(answers.map((r) => r.statusCode)).toEqual(Array(20).fill(204));
    await expectPaidOnce(handleA.db, o.orderId);
    if (process.env.DATABASE_URL) expect(own[0]).not.toBe(own[1]);
  });
});

// ——— the crash test ———

const freePort = () =>
  new Promise<number>((resolve, reject) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
    s.on('error', reject);
  });

interface Server {
  child: ChildProcess;
  port: number;
  output: () => string;
  exited: Promise<number | null>;
}

/** Starts src/server/main.ts as `npm start` does (node --import tsx), and waits until it listens. */
async function startServer(env: Record<string, string>): Promise<Server> {
  const port = await freePort();
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'src/server/main.ts')], {
    cwd: ROOT,
    env: {
      ...process.env,
      NODE_ENV: 'test',
      HOST: '127.0.0.1',
      PORT: String(port),
      LOG_LEVEL: 'info',
      CERTDESK_CAPTCHA_FIXED: 'k7m3',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout!.on('data', (d) => (out += String(d)));
  child.stderr!.on('data', (d) => (out += String(d)));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const deadline = Date.now() + 60_000;
  while (!out.includes('CertDesk 已启动')) {
    if (child.exitCode !== null || Date.now() > deadline) throw new Error(`server did not start:\n${out}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  return { child, port, output: () => out, exited };
}

const post = (s: Server, n: NoticeRequest, signal?: AbortSignal) =>
  fetch(`http://127.0.0.1:${s.port}/api/payments/notify/wechat`, {
    method: 'POST',
    headers: n.headers as Record<string, string>,
    body: n.rawBody,
    signal,
  });

describe('crash test: the server is killed between receiving a valid notification and answering it', () => {
  const dirs: string[] = [];
  const children: ChildProcess[] = [];
  afterAll(() => {
    for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });

  it.each(['before-commit', 'after-commit'] as const)(
    'killed %s: after restart the redelivered notification completes the payment once',
    async (hang) => {
      // The database both server runs use: DATABASE_URL's, or a PGlite directory of its own.
      const dataDir = mkdtempSync(path.join(tmpdir(), 'certdesk-crash-'));
      dirs.push(dataDir);
      const dbEnv: Record<string, string> = {
        CERTDESK_DATA_DIR: dataDir,
        ...(process.env.DATABASE_URL ? { DATABASE_URL: process.env.DATABASE_URL } : {}),
      };
      const open = () =>
        openDb(
          process.env.DATABASE_URL ? { databaseUrl: process.env.DATABASE_URL, poolSize: 2 } : { dataDir: path.join(dataDir, 'pglite') },
        );

      // Set up in this process, then let go of the database (PGlite allows one process at a time).
      let handle = await open();
      await seedCatalog(handle.db, new Date());
      await seedCalendar(handle.db, new Date());
      const app = await buildApp({ config, db: handle.db, clock: systemClock });
      await app.ready();
      const { o, notice } = await orderWithNotice(asTestApp(app, handle));
      await app.close();
      await handle.close();

      // 1st run: the notification arrives and the request is parked at the hang point; then SIGKILL.
      const first = await startServer({ ...dbEnv, CERTDESK_TEST_NOTIFY_HANG: hang });
      children.push(first.child);
      const aborted = new AbortController();
      const inFlight = post(first, notice, aborted.signal).catch((e: Error) => e);
      const deadline = Date.now() + 30_000;
      while (!first.output().includes('test hang point reached')) {
        if (Date.now() > deadline) throw new Error(`no hang:\n${first.output()}`);
        await new Promise((r) => setTimeout(r, 50));
      }
      first.child.kill('SIGKILL');
      expect(await first.exited).toBeNull();
      // The provider never got an answer: for it the delivery failed, so it will deliver again.
      expect(await inFlight).toBeInstanceOf(Error);

      // 2nd run, no hang: the provider redelivers (twice, as it may).
      const second = await startServer(dbEnv);
      children.push(second.child);
      for (let i = 0; i < 2; i++) {
        const res = await post(second, notice);
        expect(res.status, await res.text()).toBe(204);
      }
      second.child.kill('SIGTERM');
      await second.exited;

      handle = await open();
      try {
        await expectPaidOnce(handle.db, o.orderId);
      } finally {
        await handle.close();
      }
    },
    180_000,
  );
});
