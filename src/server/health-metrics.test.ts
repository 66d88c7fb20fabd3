/**
 * /api/health and /metrics (issue 17, "Health and metrics"): health says what would make this instance
 * fail its work (503) and what concerns the whole CA (warnings); metrics are Prometheus text, for the
 * operator's addresses only, never through the public proxy.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from './clock.js';
import { loadConfig, ConfigError } from './config.js';
import { isolatedDb, type IsolatedDb } from './testing/isolated-db.js';
import { testApp, type TestApp } from './testing/harness.js';
import { seedCatalog } from './modules/catalog/seed-catalog.js';
import { seedCalendar } from './modules/calendar/seed-calendar.js';

const dataDir = () => mkdtempSync(path.join(tmpdir(), 'certdesk-health-'));
let iso: IsolatedDb;
const apps: TestApp[] = [];
beforeAll(async () => {
  iso = await isolatedDb('health');
  const h = await iso.open();
  await seedCatalog(h.db, new Date());
  await seedCalendar(h.db, new Date());
}, 60_000);
afterAll(async () => {
  for (const a of apps) await a.close();
  await iso?.drop();
});
async function app(env: Record<string, string> = {}, clock?: ManualClock) {
  const t = await testApp({ db: (await iso.open()).db, env: { CERTDESK_DATA_DIR: dataDir(), ...env }, clock });
  apps.push(t);
  return t;
}

describe('/api/health', () => {
  it('names each check; ok with a reachable database and room on the disk; never cached', async () => {
    const t = await app();
    const r = await t.client().get('/api/health');
    expect(r.statusCode).toBe(200);
    expect(r.headers['cache-control']).toBe('no-store');
    expect(r.json()).toEqual({ status: 'ok', checks: { database: 'ok', storage: 'database', disk: 'ok', crl: [], signer: 'in_process' } });
  });

  it('a nearly full disk: a warning, and 503 on the embedded database (uploads and every write would fail)', async () => {
    const t = await app({ CERTDESK_MIN_FREE_DISK_MB: String(1024 * 1024 * 1024) }); // a petabyte
    const r = await t.client().get('/api/health');
    const embedded = !t.config.databaseUrl;
    expect(r.statusCode).toBe(embedded ? 503 : 200);
    expect(r.json().status).toBe(embedded ? 'unavailable' : 'ok');
    expect(r.json().checks.disk).toBe('low');
    expect(r.json().warnings).toEqual([expect.stringContaining('数据目录可用空间低于')]);
  });

  it('an unreadable data directory is reported, not fatal', async () => {
    const t = await app({ CERTDESK_DATA_DIR: path.join(dataDir(), 'gone', 'away') });
    const r = await t.client().get('/api/health');
    expect(r.statusCode).toBe(200);
    expect(r.json().checks.disk).toBe('unknown');
  });

  it('CRL freshness per family; a CRL past its nextUpdate is a warning (the CA’s problem, not this instance’s)', async () => {
    const clock = new ManualClock(new Date('2026-12-07T10:00:00Z'));
    const t = await app({}, clock);
    await t.db.execute(sql`delete from crl_shards`);
    await t.db.execute(sql`insert into crl_shards (family, shard, crl_number, this_update, next_update)
      values ('sm2', 0, 3, '2026-12-01T00:00:00Z', '2026-12-08T00:00:00Z'), ('sm2', 1, 4, '2026-12-02T00:00:00Z', '2026-12-09T00:00:00Z'),
             ('ecdsa-p256', 0, 2, '2026-11-20T00:00:00Z', '2026-11-27T00:00:00Z')`);
    const r = await t.client().get('/api/health');
    expect(r.statusCode).toBe(200);
    expect(r.json().checks.crl).toEqual(
      expect.arrayContaining([
        { family: 'sm2', nextUpdate: '2026-12-08T00:00:00.000Z', stale: false },
        { family: 'ecdsa-p256', nextUpdate: '2026-11-27T00:00:00.000Z', stale: true },
      ]),
    );
    expect(r.json().warnings).toEqual([expect.stringContaining('ecdsa-p256 的 CRL 已过下次更新时间')]);

    const m = await t.app.inject({ method: 'GET', url: '/metrics', remoteAddress: '127.0.0.1' });
    expect(m.body).toContain('certdesk_crl_next_update_seconds{family="sm2"} 50400');
    expect(m.body).toContain('certdesk_crl_age_seconds{family="ecdsa-p256"} 1504800');
    await t.db.execute(sql`delete from crl_shards`);
  });

  it('database unreachable: 503', async () => {
    const other = await isolatedDb('health_down');
    const h = await other.open();
    await seedCatalog(h.db, new Date());
    await seedCalendar(h.db, new Date());
    const t = await testApp({ db: h.db, env: { CERTDESK_DATA_DIR: dataDir() } });
    try {
      await other.drop(); // closes the connections and, on PostgreSQL, drops the database
      const r = await t.client().get('/api/health');
      expect(r.statusCode).toBe(503);
      expect(r.json()).toMatchObject({ status: 'unavailable', checks: { database: 'unavailable' } });
    } finally {
      await t.app.close();
    }
  });
});

describe('/metrics', () => {
  it('Prometheus text for loopback: requests by route pattern, outbox, process', async () => {
    const t = await app();
    await t.client().get('/api/orders/7d9f5e0e-1c2b-4f0a-9a51-0e8c1d2b3a4f'); // a 401, under its pattern
    await t.db.execute(
      sql`insert into outbox (channel, dedupe_key, payload, status) values ('sms', 'metrics-test-1', '{}'::jsonb, 'dead')`,
    );
    const ocsp = await t.app.inject({
      method: 'POST',
      url: '/ocsp',
      headers: { 'content-type': 'application/ocsp-request' },
      payload: Buffer.from('not an OCSP request'),
    });
    expect(ocsp.statusCode).toBe(200);
    const r = await t.app.inject({ method: 'GET', url: '/metrics', remoteAddress: '127.0.0.1' });
    expect(r.statusCode).toBe(200);
    expect(r.headers['content-type']).toMatch(/^text\/plain; version=0\.0\.4/);
    expect(r.body).toMatch(/certdesk_http_request_duration_seconds_count\{route="\/api\/orders\/:id",method="GET",status="401"\} [1-9]/);
    expect(r.body).not.toContain('7d9f5e0e');
    expect(r.body).toMatch(/certdesk_outbox_messages\{status="dead",channel="sms"\} [1-9]/);
    expect(r.body).toContain('certdesk_process_resident_memory_bytes');
    expect(r.body).toMatch(/certdesk_ocsp_answers_total\{status="malformedRequest"\} [1-9]/);
    expect(r.body).toContain('# TYPE certdesk_certificates_signed_total counter');
    expect(r.body).toContain('# TYPE certdesk_signer_duration_seconds histogram');
    await t.db.execute(sql`delete from outbox where dedupe_key = 'metrics-test-1'`);
  });

  it.each([
    ['another address', { remoteAddress: '10.1.2.3' }],
    ['loopback through a proxy (X-Forwarded-For)', { remoteAddress: '127.0.0.1', headers: { 'x-forwarded-for': '203.0.113.9' } }],
    ['loopback through a proxy (Forwarded)', { remoteAddress: '127.0.0.1', headers: { forwarded: 'for=203.0.113.9' } }],
  ])('is a 404 for %s', async (_label, req) => {
    const t = apps[0] ?? (await app());
    const r = await t.app.inject({ method: 'GET', url: '/metrics', ...req });
    expect(r.statusCode).toBe(404);
    expect(r.body).not.toContain('certdesk_');
  });

  it('CERTDESK_METRICS_FROM names who may read it', async () => {
    const t = await app({ CERTDESK_METRICS_FROM: '10.0.0.0/8, fd00::/8' });
    expect((await t.app.inject({ method: 'GET', url: '/metrics', remoteAddress: '10.9.8.7' })).statusCode).toBe(200);
    expect((await t.app.inject({ method: 'GET', url: '/metrics', remoteAddress: '::ffff:10.9.8.7' })).statusCode).toBe(200);
    expect((await t.app.inject({ method: 'GET', url: '/metrics', remoteAddress: 'fd00::5' })).statusCode).toBe(200);
    expect((await t.app.inject({ method: 'GET', url: '/metrics', remoteAddress: '127.0.0.1' })).statusCode).toBe(404);
  });

  it.each([
    ['0.0.0.0/0', /would allow every address/],
    ['::/0', /would allow every address/],
    ['example.org', /is not an IP address or CIDR range/],
    ['10.0.0.0/33', /prefix length must be 0–32/],
    ['127.0.0.1,,::1', /has an empty entry/],
  ])('CERTDESK_METRICS_FROM=%s is refused at start', (value, message) => {
    expect(() => loadConfig({ NODE_ENV: 'test', CERTDESK_METRICS_FROM: value })).toThrow(ConfigError);
    expect(() => loadConfig({ NODE_ENV: 'test', CERTDESK_METRICS_FROM: value })).toThrow(message);
  });
});
