/**
 * Test harness: one database per test worker (PGlite in memory, or PostgreSQL when DATABASE_URL is set —
 * CI runs the whole suite both ways), the real app built on it, and an HTTP client with a cookie jar
 * and the CSRF header, driving the app through fastify.inject.
 */
import { randomInt } from 'node:crypto';
import { Writable } from 'node:stream';
import type { FastifyInstance, InjectOptions, LightMyRequestResponse } from 'fastify';
import { buildApp } from '../app.js';
import { ManualClock, systemClock, type Clock } from '../clock.js';
import { loadConfig, type Config } from '../config.js';
import { openDb, type Db, type DbHandle } from '../db/client.js';
import { outboxWorker, type OutboxWorker } from '../modules/outbox/outbox.js';
import { mailSenderFor, smsSenderFor } from '../runtime.js';
import { fileStoreFor } from '../adapters/storage/configured.js';
import { seedCalendar } from '../modules/calendar/seed-calendar.js';
import { seedCatalog } from '../modules/catalog/seed-catalog.js';
import { USCC_ALPHABET, usccCheckChar } from '../../core/uscc.js';

export const CAPTCHA = 'k7m3';

let shared: Promise<DbHandle> | undefined;
/** The worker's database, opened (and migrated) once per test process. */
export function testDb(): Promise<DbHandle> {
  shared ??= openDb({ databaseUrl: process.env.DATABASE_URL || undefined, poolSize: 5 }).then(async (h) => {
    await seedCatalog(h.db, new Date());
    await seedCalendar(h.db, new Date());
    return h;
  });
  return shared;
}

export function testConfig(overrides: Record<string, string> = {}): Config {
  return loadConfig({
    NODE_ENV: 'test',
    CERTDESK_CAPTCHA_FIXED: CAPTCHA,
    LOG_LEVEL: 'silent',
    CERTDESK_DATA_DIR: '/tmp/certdesk-test',
    ...overrides,
  });
}

export interface TestApp {
  app: FastifyInstance;
  db: DbHandle['db'];
  clock: Clock;
  config: Config;
  outbox: OutboxWorker;
  /** Every log line the app wrote (when captureLogs is on). */
  logs: string[];
  client(ip?: string): TestClient;
  close(): Promise<void>;
}

export async function testApp(
  opts: { clock?: Clock; env?: Record<string, string>; captureLogs?: boolean; db?: Db } = {},
): Promise<TestApp> {
  // A database of the file's own (testing/isolated-db.ts) when given; the worker's shared one otherwise.
  const handle = opts.db ? { db: opts.db } : await testDb();
  const clock = opts.clock ?? systemClock;
  const config = testConfig({ ...(opts.captureLogs ? { LOG_LEVEL: 'trace' } : {}), ...opts.env });
  const logs: string[] = [];
  const logStream = opts.captureLogs
    ? new Writable({
        write(chunk, _enc, cb) {
          logs.push(String(chunk));
          cb();
        },
      })
    : undefined;
  const app = await buildApp({ config, db: handle.db, clock, logStream: logStream as never });
  await app.ready();
  // The sandbox SMTP server starts on the first e-mail this app's worker sends, and stops with close().
  const mail = mailSenderFor(config, handle.db, clock);
  const outbox = outboxWorker({
    db: handle.db,
    clock,
    sms: smsSenderFor(config, handle.db, clock),
    mail: { sender: mail, files: fileStoreFor(config, handle.db) },
    log: app.log,
  });
  return {
    app,
    db: handle.db,
    clock,
    config,
    outbox,
    logs,
    client: (ip) => new TestClient(app, ip ?? randomIp()),
    close: async () => {
      await app.close();
      await mail.close();
    },
  };
}

export const randomIp = () => `10.${randomInt(256)}.${randomInt(256)}.${randomInt(1, 255)}`;

/**
 * A browser-like client: keeps cookies, sends the CSRF token it was given. It drives the app in this process
 * through fastify.inject; testing/http-client.ts sends the same requests over real HTTP (send()).
 */
export class TestClient {
  cookies = new Map<string, string>();
  csrf: Record<'org' | 'staff', string | undefined> = { org: undefined, staff: undefined };
  constructor(
    readonly app: FastifyInstance,
    readonly ip: string,
  ) {}

  /** One request as the app receives it, `opts.remoteAddress` being the client's address. */
  protected send(opts: InjectOptions & { url: string }): Promise<LightMyRequestResponse> {
    return this.app.inject(opts);
  }

  async request(opts: InjectOptions & { url: string }): Promise<LightMyRequestResponse> {
    const cookie = [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
    const res = await this.send({ remoteAddress: this.ip, ...opts, headers: { ...(cookie ? { cookie } : {}), ...opts.headers } });
    for (const c of res.cookies as { name: string; value: string; maxAge?: number; expires?: Date }[]) {
      const gone = c.value === '' || (c.expires && c.expires.getTime() < Date.now()) || c.maxAge === 0;
      if (gone) this.cookies.delete(c.name);
      else this.cookies.set(c.name, c.value);
    }
    return res;
  }
  get(url: string, headers: Record<string, string> = {}) {
    return this.request({ method: 'GET', url, headers });
  }
  /** POST with the realm's CSRF token (fetched on first use, as the web app does). */
  async post(url: string, body?: unknown, headers: Record<string, string> = {}) {
    const realm = url.startsWith('/api/staff') ? 'staff' : 'org';
    if (!this.csrf[realm]) await this.session(realm);
    return this.request({ method: 'POST', url, payload: body as never, headers: { 'x-csrf-token': this.csrf[realm]!, ...headers } });
  }
  async session(realm: 'org' | 'staff' = 'org') {
    const res = await this.get(realm === 'org' ? '/api/session' : '/api/staff/session');
    this.csrf[realm] = res.json().csrfToken;
    return res.json();
  }
  async captcha(): Promise<{ captchaId: string; captchaAnswer: string }> {
    const res = await this.get('/api/captcha');
    return { captchaId: res.json().captchaId, captchaAnswer: CAPTCHA };
  }
  /** Remembers the CSRF token a login/register answer hands back (the session was rotated). */
  adopt(res: LightMyRequestResponse, realm: 'org' | 'staff' = 'org') {
    const t = res.json().csrfToken;
    if (t) this.csrf[realm] = t;
    return res;
  }
  async register(over: Partial<Record<string, unknown>> = {}) {
    const body = {
      name: '测试单位有限公司',
      uscc: newUscc(),
      mobile: newMobile(),
      password: 'Secret2026x',
      passwordConfirm: 'Secret2026x',
      agree: true,
      ...(await this.captcha()),
      ...over,
    };
    return { body, res: this.adopt(await this.post('/api/register', body)) };
  }
  async login(uscc: string, password: string) {
    return this.adopt(await this.post('/api/login', { uscc, password, ...(await this.captcha()) }));
  }
  async staffLogin(username: string, password: string) {
    return this.adopt(await this.post('/api/staff/login', { username, password, ...(await this.captcha()) }), 'staff');
  }
}

/** A random valid USCC (enterprise, Jiangxi). */
export function newUscc(): string {
  // GB 32100-2015: register code 91, a 6-digit region code (360100, 南昌市), then 9 free characters —
  // the CA's certificate lint checks this structure, not just the check character.
  const body = `91360100${Array.from({ length: 9 }, () => USCC_ALPHABET[randomInt(USCC_ALPHABET.length)]).join('')}`;
  return body + usccCheckChar(body);
}
export const newMobile = () => `13${randomInt(100000000, 999999999)}`;

export { ManualClock };
