import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { and, eq } from 'drizzle-orm';
import { auditEvents } from '../db/schema.js';
import { catalogRepository } from '../modules/catalog/repository.js';
import { createStaff } from '../modules/staff/staff-accounts.js';
import { testApp, type TestApp } from '../testing/harness.js';

let t: TestApp;
let code: string;
const suffix = randomBytes(4).toString('hex');
beforeAll(async () => {
  t = await testApp();
  // A project of the test's own, kept inactive so other test files (sharing the database on PostgreSQL)
  // never see it in the public catalog.
  code = `test-${suffix}`;
  await catalogRepository.insertProject(
    t.db,
    {
      code,
      name: `测试项目${suffix}`,
      platform: '测试平台',
      purpose: '测试用途说明',
      legalCheckRequired: true,
      productionWorkingDays: 3,
      active: false,
    },
    [
      { projectCode: code, keyType: 'main', withSeal: true, priceFen: null, priceConfirmed: false },
      { projectCode: code, keyType: 'sub', withSeal: false, priceFen: null, priceConfirmed: false },
    ],
  );
  for (const [u, role] of [
    [`cat-admin-${suffix}`, '管理员'],
    [`cat-fin-${suffix}`, '财务'],
  ] as const)
    await createStaff({ db: t.db, clock: t.clock }, { username: u, displayName: u, roles: [role], password: 'Staff2026pw' }, null, {
      ip: 'test',
    });
});
afterAll(() => t.close());

const edit = (over: Record<string, unknown> = {}) => ({
  purpose: '用于测试平台登录',
  legalCheckRequired: false,
  productionWorkingDays: 2,
  active: false,
  keys: [
    { keyType: 'main', priceFen: 22050, active: true },
    { keyType: 'sub', priceFen: 19000, active: true },
  ],
  ...over,
});

describe('证书项目管理', () => {
  it('an administrator sets prices in fen, which confirms them, with an audit row of before and after', async () => {
    const c = t.client();
    expect((await c.staffLogin(`cat-admin-${suffix}`, 'Staff2026pw')).statusCode).toBe(200);
    const res = await c.request({
      method: 'PUT',
      url: `/api/staff/catalog/${code}`,
      payload: edit(),
      headers: { 'x-csrf-token': c.csrf.staff! },
    });
    expect(res.statusCode).toBe(200);
    const p = res.json().project;
    expect(p.legalCheckRequired).toBe(false);
    expect(p.keys).toEqual([
      expect.objectContaining({ keyType: 'main', priceFen: 22050, priceConfirmed: true }),
      expect.objectContaining({ keyType: 'sub', priceFen: 19000, priceConfirmed: true }),
    ]);
    const audits = await t.db
      .select()
      .from(auditEvents)
      .where(and(eq(auditEvents.targetType, 'project'), eq(auditEvents.targetId, code)));
    expect(audits).toHaveLength(1);
    expect(audits[0]!.detail).toMatchObject({
      before: { legalCheckRequired: true, keys: [{ priceFen: null, priceConfirmed: false }, {}] },
      after: { keys: [{ priceFen: 22050 }, {}] },
    });
  });

  it.each([
    ['a float price', { keys: [{ keyType: 'main', priceFen: 220.5, active: true }] }, /须为整数/],
    ['a negative price', { keys: [{ keyType: 'main', priceFen: -1, active: true }] }, /不能为负/],
    ['zero working days', { productionWorkingDays: 0 }, /至少1天/],
    ['no keys', { keys: [] }, /至少保留一种锁/],
  ])('refuses %s, naming the rule', async (_n, over, msg) => {
    const c = t.client();
    await c.staffLogin(`cat-admin-${suffix}`, 'Staff2026pw');
    const res = await c.request({
      method: 'PUT',
      url: `/api/staff/catalog/${code}`,
      payload: edit(over),
      headers: { 'x-csrf-token': c.csrf.staff! },
    });
    expect(res.statusCode).toBe(400);
    expect(JSON.stringify(res.json().error.fields)).toMatch(msg);
  });

  it('is for administrators only', async () => {
    const fin = t.client();
    await fin.staffLogin(`cat-fin-${suffix}`, 'Staff2026pw');
    expect((await fin.get('/api/staff/catalog')).statusCode).toBe(403);
    const put = await fin.request({
      method: 'PUT',
      url: `/api/staff/catalog/${code}`,
      payload: edit(),
      headers: { 'x-csrf-token': fin.csrf.staff! },
    });
    expect(put.statusCode).toBe(403);
    const org = t.client();
    await org.register();
    expect((await org.get('/api/staff/catalog')).statusCode).toBe(401);
  });

  it('keeps inactive projects out of the public catalog', async () => {
    const items = (await t.client().get('/api/catalog')).json().items as { code: string }[];
    expect(items.map((i) => i.code)).not.toContain(code);
  });
});

describe('role before validation', () => {
  it('a non-administrator sending a broken edit gets 403, not the field messages', async () => {
    const fin = t.client();
    await fin.staffLogin(`cat-fin-${suffix}`, 'Staff2026pw');
    const res = await fin.request({
      method: 'PUT',
      url: `/api/staff/catalog/${code}`,
      payload: { keys: 'x' },
      headers: { 'x-csrf-token': fin.csrf.staff! },
    });
    expect(res.statusCode).toBe(403);
    expect(res.json().error.fields).toBeUndefined();
  });
});
