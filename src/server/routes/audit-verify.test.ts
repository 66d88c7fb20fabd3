/**
 * GET /api/staff/audit/verify through the real app: many parallel staff requests write audit rows, the
 * chain verifies; a row then changed or deleted directly in SQL is named; put back, the chain verifies
 * again. Only 管理员 may ask. On a database of its own (testing/isolated-db.ts): one database is one CA's
 * audit trail, and on the PostgreSQL database other test files share, their apps (each with a test CA of its
 * own, so another audit key) sign checkpoints this file's CA rightly refuses.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import { systemClock } from '../clock.js';
import { auditJobs } from '../modules/audit/jobs.js';
import { createStaff } from '../modules/staff/staff-accounts.js';
import type { StaffRole } from '../../core/schemas.js';
import { testApp, type TestApp, type TestClient } from '../testing/harness.js';
import { testCaEnv } from '../testing/test-ca.js';
import { isolatedDb, type IsolatedDb } from '../testing/isolated-db.js';

const PW = 'Staff2026pw';
let t: TestApp;
let iso: IsolatedDb;

beforeAll(async () => {
  iso = await isolatedDb('auditverify');
  t = await testApp({ env: await testCaEnv(), db: (await iso.open()).db });
}, 120_000);
afterAll(async () => {
  await t?.close();
  await iso?.drop();
});

async function loggedIn(roles: StaffRole[]): Promise<{ c: TestClient; id: string }> {
  const username = `av${randomBytes(4).toString('hex')}`;
  const s = await createStaff({ db: t.db, clock: systemClock }, { username, displayName: '校验测试', roles, password: PW }, null, {
    ip: 'test',
  });
  const c = t.client();
  expect((await c.staffLogin(username, PW)).statusCode).toBe(200);
  return { c, id: s.id };
}

type Row = Record<string, unknown> & { id: number; seq: number };
const rowsOf = async (actorId: string): Promise<Row[]> =>
  (
    (await t.db.execute(
      sql`SELECT id, seq, actor_type, actor_id, action, target_type, target_id, detail::text AS detail, ip, at::text AS at, chain_hash
          FROM audit_events WHERE actor_id = ${actorId} ORDER BY seq`,
    )) as unknown as { rows: Row[] }
  ).rows.map((r) => ({ ...r, id: Number(r.id), seq: Number(r.seq) }));

describe('操作记录完整性校验 (GET /api/staff/audit/verify)', () => {
  it('verifies after parallel writers, names a row changed or deleted by SQL, and verifies again once it is put back', async () => {
    const admin = await loggedIn(['管理员']);
    const others = await Promise.all([loggedIn(['预审']), loggedIn(['受理']), loggedIn(['制证'])]);
    // 60 audited searches at once from four staff members.
    const all = [admin, ...others];
    const res = await Promise.all(
      Array.from({ length: 60 }, (_, i) => all[i % all.length]!.c.get(`/api/staff/organizations?q=${encodeURIComponent(`查找${i}`)}`)),
    );
    expect(res.map((r) => r.statusCode)).toEqual(Array(60).fill(200));
    await auditJobs({ db: t.db, clock: systemClock, config: t.config, log: t.app.log }).runOnce();

    const ok = await admin.c.get('/api/staff/audit/verify');
    expect(ok.statusCode).toBe(200);
    expect(ok.json()).toMatchObject({ ok: true, broken: null });
    expect(ok.json().checkpoints).toBeGreaterThan(0);
    expect(ok.json().certificate.sha256).toMatch(/^[0-9a-f]{64}$/);

    const mine = await rowsOf(others[0]!.id);
    expect(mine.length).toBeGreaterThanOrEqual(15);
    const victim = mine[5]!;

    // Changed by SQL.
    await t.db.execute(sql`UPDATE audit_events SET detail = jsonb_set(detail, '{q}', '"别的内容"') WHERE id = ${victim.id}`);
    const changed = await admin.c.get('/api/staff/audit/verify');
    expect(changed.json()).toMatchObject({ ok: false, broken: { id: victim.id, seq: victim.seq } });
    expect(changed.json().broken.reason).toContain('被修改');
    await t.db.execute(sql`UPDATE audit_events SET detail = ${victim.detail}::jsonb WHERE id = ${victim.id}`);
    expect((await admin.c.get('/api/staff/audit/verify')).json()).toMatchObject({ ok: true });

    // Deleted by SQL: the row after the gap is named.
    await t.db.execute(sql`DELETE FROM audit_events WHERE id = ${victim.id}`);
    const deleted = (await admin.c.get('/api/staff/audit/verify')).json();
    expect(deleted).toMatchObject({ ok: false, broken: { seq: victim.seq + 1 } });
    expect(deleted.broken.reason).toContain(`第 ${victim.seq} 条记录缺失`);
    const v = victim as Record<string, unknown>;
    await t.db.execute(
      sql`INSERT INTO audit_events (id, seq, actor_type, actor_id, action, target_type, target_id, detail, ip, at, chain_hash)
          VALUES (${v.id}, ${v.seq}, ${v.actor_type}, ${v.actor_id}, ${v.action}, ${v.target_type}, ${v.target_id}, ${v.detail}::jsonb, ${v.ip}, ${v.at}::timestamptz, ${v.chain_hash})`,
    );
    expect((await admin.c.get('/api/staff/audit/verify')).json()).toMatchObject({ ok: true });
  }, 120_000);

  it('is for 管理员 and 审计员 only; the 审计员 reads the log and verifies it, and is refused business data', async () => {
    const { c } = await loggedIn(['受理']);
    expect((await c.get('/api/staff/audit/verify')).statusCode).toBe(403);
    expect((await t.client().get('/api/staff/audit/verify')).statusCode).toBe(401);
    const auditor = await loggedIn(['审计员']);
    expect((await auditor.c.get('/api/staff/audit/verify')).json()).toMatchObject({ ok: true, broken: null });
    expect((await auditor.c.get('/api/staff/audit')).statusCode).toBe(200);
    const refused = await auditor.c.get('/api/staff/organizations?q=江西');
    expect(refused.statusCode).toBe(403);
    expect(refused.json().error.message).toBe('审计员只能查看和校验操作记录');
  });
});
