import { randomBytes, randomInt, randomUUID } from 'node:crypto';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { and, eq } from 'drizzle-orm';
import Fastify from 'fastify';
import { DEFAULT_PAPER_ADDRESS } from '../../core/paper-checklist.js';
import { STAFF_ROLES, type StaffRole } from '../../core/schemas.js';
import { systemClock } from '../clock.js';
import { auditEvents, invoices, orderCalls, organizations, outbox, sessions, staff } from '../db/schema.js';
import { organizationRepository } from '../modules/accounts/repository.js';
import { catalogRepository } from '../modules/catalog/repository.js';
import { orderRepository } from '../modules/orders/repository.js';
import { SMS_TEMPLATES } from '../adapters/sms/port.js';
import { submittedOrder, type SubmittedOrder } from '../testing/applicant-flow.js';
import { multipart, png } from '../modules/documents/test-images.js';
import { auditRepository } from '../modules/audit/repository.js';
import { staffRepository, type StaffRow } from '../modules/staff/repository.js';
import { createStaff } from '../modules/staff/staff-accounts.js';
import { hashPassword } from '../crypto.js';
import { calendarRepository } from '../modules/calendar/repository.js';
import { registerErrorHandling } from '../plugins/errors.js';
import { enforceStaffAccess } from './guards.js';
import { newMobile, newUscc, testApp, type TestApp, type TestClient } from '../testing/harness.js';
import { ALL_PAPER_CHECKED, quickOrder } from '../testing/paid-order.js';
import { sealedOrder } from '../modules/seals/testing.js';
import { paymentRepository } from '../modules/payments/repository.js';
import { certificateRepository } from '../modules/certificates/repository.js';
import { revocationRepository } from '../modules/revocation/repository.js';
import { counterRouteCases } from './counter.route-cases.js';
import { sealRouteCases } from './seals.route-cases.js';
import { sealImageRouteCases } from './seal-images.route-cases.js';
import { kmcRouteCases } from './kmc.route-cases.js';
import { tokenRouteCases } from './tokens.route-cases.js';

/** A registry row with a (dummy) certificate file, for the registry's read routes. */
const registryRow = () =>
  certificateRepository.insert(t.db, {
    serial: `7${randomBytes(15).toString('hex')}`,
    family: 'sm2',
    issuer: '（测试）',
    uscc: newUscc(),
    unitName: '江西登记簿权限测试有限公司',
    projectCode: 'gov-procurement',
    keyType: 'sub',
    status: 'issued',
    keySource: 'import',
    der: Buffer.from([0x30, 0x00]),
    notBefore: new Date(),
    notAfter: new Date(Date.now() + 86_400_000),
    source: 'import',
  });

/**
 * The staff console's API through the real app. Tests on PostgreSQL share one database across files and
 * runs, so every staff member and organization made here has a unique name.
 */

let t: TestApp;
const PW = 'Staff2026pass';
let orgHash: string;

beforeAll(async () => {
  t = await testApp();
  orgHash = await hashPassword('Org2026pass');
});
afterAll(() => t.close());

const uniq = () => randomBytes(5).toString('hex');
const newUsername = (prefix = 't') => `${prefix}${uniq()}`;

async function seedStaff(roles: StaffRole[], displayName = `测试${roles.join('')}`): Promise<StaffRow> {
  return createStaff({ db: t.db, clock: systemClock }, { username: newUsername(), displayName, roles, password: PW }, null, { ip: 'test' });
}

async function loggedIn(roles: StaffRole[]): Promise<{ c: TestClient; s: StaffRow }> {
  const s = await seedStaff(roles);
  const c = t.client();
  const res = await c.staffLogin(s.username, PW);
  expect(res.statusCode).toBe(200);
  return { c, s };
}

async function seedOrg(name = `江西测试${uniq()}有限公司`) {
  const now = new Date();
  const org = await organizationRepository.insert(t.db, {
    uscc: newUscc(),
    name,
    mobile: newMobile(),
    passwordHash: orgHash,
    agreementAcceptedAt: now,
    createdAt: now,
    updatedAt: now,
  });
  return org!;
}

const SERVER = fileURLToPath(new URL('..', import.meta.url));
/** The server's source files (tests excluded), with paths relative to src/server. */
function serverSources(dir = SERVER): { rel: string; text: string }[] {
  return readdirSync(dir).flatMap((n) => {
    const p = path.join(dir, n);
    if (statSync(p).isDirectory()) return serverSources(p);
    if (!/\.ts$/.test(n) || /\.test\.ts$/.test(n)) return [];
    return [{ rel: path.relative(SERVER, p).split(path.sep).join('/'), text: readFileSync(p, 'utf8') }];
  });
}

const auditFor = (targetId: string, action: string) =>
  t.db
    .select()
    .from(auditEvents)
    .where(and(eq(auditEvents.targetId, targetId), eq(auditEvents.action, action)));

const staffSessionsOf = (id: string) =>
  t.db
    .select()
    .from(sessions)
    .where(and(eq(sessions.realm, 'staff'), eq(sessions.subjectId, id)));

describe('工作人员登录 / 退出 (staff log in / log out)', () => {
  it('logs in with its own cookie, rotates the session, records it, and logout kills the session', async () => {
    const s = await seedStaff(['预审']);
    const c = t.client();
    const anon = await c.session('staff');
    expect(anon.staff).toBeNull();
    const before = c.cookies.get('cd_staff')!;
    const res = await c.staffLogin(s.username, PW);
    expect(res.statusCode).toBe(200);
    expect(res.json().staff).toMatchObject({ id: s.id, username: s.username, roles: ['预审'], disabled: false });
    expect(JSON.stringify(res.json())).not.toContain('passwordHash');
    const after = c.cookies.get('cd_staff')!;
    expect(after).toBeTruthy();
    expect(after).not.toBe(before);
    expect(c.cookies.has('cd_org')).toBe(false);
    expect(res.headers['set-cookie']).toMatch(/HttpOnly/i);
    expect((await c.session('staff')).staff.id).toBe(s.id);
    expect(await auditFor(s.id, 'staff.login')).toHaveLength(1);

    expect((await c.post('/api/staff/logout')).statusCode).toBe(200);
    expect((await c.session('staff')).staff).toBeNull();
    expect(await auditFor(s.id, 'staff.logout')).toHaveLength(1);
    const replay = await t.app.inject({ method: 'GET', url: '/api/staff/organizations', cookies: { cd_staff: after } });
    expect(replay.statusCode).toBe(401);
    expect(await staffSessionsOf(s.id)).toHaveLength(0);
  });

  it('logs in whatever case the username is typed in', async () => {
    const s = await seedStaff(['受理']);
    const res = await t.client().staffLogin(` ${s.username.toUpperCase()} `, PW);
    expect(res.statusCode).toBe(200);
  });

  it('says the same thing for a wrong password and an unknown username, and records the failure', async () => {
    const s = await seedStaff(['制证']);
    const wrong = await t.client().staffLogin(s.username, 'Wrong2026pass');
    const unknown = await t.client().staffLogin(newUsername('nobody'), 'Wrong2026pass');
    expect(wrong.statusCode).toBe(401);
    expect(unknown.statusCode).toBe(401);
    expect(wrong.json().error.code).toBe('BAD_CREDENTIALS');
    expect(wrong.json().error.message).toBe(unknown.json().error.message);
    expect(wrong.json().error.message).toMatch(/用户名或密码不正确/);
    expect(wrong.cookies.find((k) => k.name === 'cd_staff' && k.value)).toBeUndefined();
    const failed = await auditFor(s.id, 'staff.login_failed');
    expect(failed).toHaveLength(1);
    expect(failed[0]!.detail).toMatchObject({ username: s.username });
  });

  it('refuses a disabled account with the right password, and does not reveal it with a wrong one', async () => {
    const s = await seedStaff(['发放']);
    await staffRepository.disable(t.db, s.id, new Date());
    const right = await t.client().staffLogin(s.username, PW);
    expect(right.statusCode).toBe(403);
    expect(right.json().error.code).toBe('ACCOUNT_DISABLED');
    expect(right.json().error.message).toMatch(/已停用/);
    const wrong = await t.client().staffLogin(s.username, 'Wrong2026pass');
    expect(wrong.statusCode).toBe(401);
    expect(wrong.json().error.code).toBe('BAD_CREDENTIALS');
    expect(await auditFor(s.id, 'staff.login_disabled')).toHaveLength(1);
  });

  it('refuses a login without the captcha or the CSRF token', async () => {
    const s = await seedStaff(['财务']);
    const c = t.client();
    const noCaptcha = await c.post('/api/staff/login', { username: s.username, password: PW });
    expect(noCaptcha.statusCode).toBe(400);
    expect(noCaptcha.json().error.fields.captchaId).toMatch(/验证码/);
    const other = t.client();
    const noCsrf = await other.request({
      method: 'POST',
      url: '/api/staff/login',
      payload: { username: s.username, password: PW, ...(await other.captcha()) },
    });
    expect(noCsrf.statusCode).toBe(403);
    expect(noCsrf.json().error.code).toBe('CSRF_INVALID');
  });
});

describe('两套会话互不通用 (applicant and staff sessions are separate realms)', () => {
  it("an applicant's session cookie never works on /api/staff routes, even under the staff cookie's name", async () => {
    const org = t.client();
    expect((await org.register()).res.statusCode).toBe(201);
    const token = org.cookies.get('cd_org')!;
    // The applicant's own cookie is simply not the staff realm's.
    expect((await org.get('/api/staff/organizations')).statusCode).toBe(401);
    expect((await org.get('/api/staff/session')).json().staff).toBeNull();
    // A hand-made request that puts the applicant's token in the staff cookie gets nothing either.
    for (const url of ['/api/staff/organizations', '/api/staff/accounts', '/api/staff/audit']) {
      const res = await t.app.inject({ method: 'GET', url, cookies: { cd_staff: token } });
      expect(res.statusCode).toBe(401);
    }
    const sess = await t.app.inject({ method: 'GET', url: '/api/staff/session', cookies: { cd_staff: token } });
    expect(sess.json().staff).toBeNull();
  });

  it("a staff session cookie never works on the applicant's routes, even under the applicant cookie's name", async () => {
    const { c } = await loggedIn(['管理员']);
    const token = c.cookies.get('cd_staff')!;
    expect((await c.get('/api/me')).statusCode).toBe(401);
    const me = await t.app.inject({ method: 'GET', url: '/api/me', cookies: { cd_org: token } });
    expect(me.statusCode).toBe(401);
    const sess = await t.app.inject({ method: 'GET', url: '/api/session', cookies: { cd_org: token } });
    expect(sess.json().organization).toBeNull();
  });

  it('one browser can hold both sessions; logging out of one leaves the other', async () => {
    const s = await seedStaff(['预审']);
    const c = t.client();
    await c.register();
    expect((await c.staffLogin(s.username, PW)).statusCode).toBe(200);
    expect((await c.get('/api/me')).statusCode).toBe(200);
    expect((await c.get('/api/staff/organizations')).statusCode).toBe(200);
    await c.post('/api/staff/logout');
    expect((await c.get('/api/staff/organizations')).statusCode).toBe(401);
    expect((await c.get('/api/me')).statusCode).toBe(200);
  });

  it("a staff session's CSRF token does not authorize applicant requests", async () => {
    const { c } = await loggedIn(['管理员']);
    await c.register();
    const res = await c.request({ method: 'POST', url: '/api/logout', headers: { 'x-csrf-token': c.csrf.staff! } });
    expect(res.statusCode).toBe(403);
    expect(res.json().error.code).toBe('CSRF_INVALID');
  });
});

/**
 * Every staff route × every kind of caller. `access` is who may call it; each call gets fresh targets
 * from `make`, and `effect` (when given) checks that the change happened exactly when it was allowed.
 */
interface RouteCase {
  method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  path: string;
  access: 'any' | StaffRole[];
  ok: number;
  make(): Promise<{ url: string; body?: unknown; effect?: () => Promise<boolean> }>;
}

const ROUTES: RouteCase[] = [
  { method: 'GET', path: '/api/staff/accounts', access: ['管理员'], ok: 200, make: async () => ({ url: '/api/staff/accounts' }) },
  {
    method: 'POST',
    path: '/api/staff/accounts',
    access: ['管理员'],
    ok: 201,
    make: async () => {
      const username = newUsername('new');
      return {
        url: '/api/staff/accounts',
        body: { username, displayName: '新同事', roles: ['预审'], password: PW },
        effect: async () => !!(await staffRepository.findByUsername(t.db, username)),
      };
    },
  },
  {
    method: 'POST',
    path: '/api/staff/accounts/:id/disable',
    access: ['管理员'],
    ok: 200,
    make: async () => {
      const s = await seedStaff(['预审']);
      return {
        url: `/api/staff/accounts/${s.id}/disable`,
        effect: async () => !!(await staffRepository.findById(t.db, s.id))!.disabledAt,
      };
    },
  },
  {
    method: 'POST',
    path: '/api/staff/accounts/:id/enable',
    access: ['管理员'],
    ok: 200,
    make: async () => {
      const s = await seedStaff(['预审']);
      await staffRepository.disable(t.db, s.id, new Date());
      return {
        url: `/api/staff/accounts/${s.id}/enable`,
        effect: async () => !(await staffRepository.findById(t.db, s.id))!.disabledAt,
      };
    },
  },
  {
    method: 'GET',
    path: '/api/staff/organizations',
    access: 'any',
    ok: 200,
    make: async () => ({ url: `/api/staff/organizations?q=${encodeURIComponent('江西')}` }),
  },
  {
    method: 'GET',
    path: '/api/staff/organizations/:id',
    access: 'any',
    ok: 200,
    make: async () => {
      const o = await seedOrg();
      return { url: `/api/staff/organizations/${o.id}`, effect: async () => (await auditFor(o.id, 'organization.view')).length === 1 };
    },
  },
  {
    method: 'POST',
    path: '/api/staff/organizations/:id/rename',
    access: ['管理员'],
    ok: 200,
    make: async () => {
      const o = await seedOrg();
      const name = `${o.name}（更正）`;
      return {
        url: `/api/staff/organizations/${o.id}/rename`,
        body: { name, reason: '客户来电，营业执照名称有误', expectedName: o.name },
        effect: async () => (await organizationRepository.findById(t.db, o.id))!.name === name,
      };
    },
  },
  // 操作记录 and its verification: the only routes an 审计员 may call (checked below).
  { method: 'GET', path: '/api/staff/audit', access: ['管理员', '审计员'], ok: 200, make: async () => ({ url: '/api/staff/audit' }) },
  {
    method: 'GET',
    path: '/api/staff/audit/verify',
    access: ['管理员', '审计员'],
    ok: 200,
    make: async () => ({ url: '/api/staff/audit/verify' }),
  },
  { method: 'GET', path: '/api/staff/queues', access: 'any', ok: 200, make: async () => ({ url: '/api/staff/queues' }) },
  {
    method: 'GET',
    path: '/api/staff/orders',
    access: 'any',
    ok: 200,
    make: async () => ({ url: '/api/staff/orders?status=submitted&limit=5' }),
  },
  {
    method: 'GET',
    path: '/api/staff/orders/:id',
    access: 'any',
    ok: 200,
    make: async () => {
      const { orderId } = await uploadedDocument();
      const before = (await auditFor(orderId, 'order.view')).length;
      // Every staff view of an order is recorded; a refused caller's is not.
      return { url: `/api/staff/orders/${orderId}`, effect: async () => (await auditFor(orderId, 'order.view')).length > before };
    },
  },
  { method: 'GET', path: '/api/staff/calendar', access: ['管理员'], ok: 200, make: async () => ({ url: '/api/staff/calendar?year=2026' }) },
  {
    method: 'PUT',
    path: '/api/staff/calendar/:day',
    access: ['管理员'],
    ok: 200,
    make: async () => {
      // A day in 2099, a year no deadline in any test falls in (the calendar is shared on PostgreSQL).
      const day = calendarTestDay();
      const name = `角色测试${uniq()}`;
      return {
        url: `/api/staff/calendar/${day}`,
        body: { kind: 'holiday', name },
        effect: async () => (await calendarRepository.find(t.db, day))?.name === name,
      };
    },
  },
  {
    method: 'DELETE',
    path: '/api/staff/calendar/:day',
    access: ['管理员'],
    ok: 200,
    make: async () => {
      const day = calendarTestDay();
      await calendarRepository.upsert(t.db, { day, kind: 'workday', name: '角色测试', updatedAt: new Date(), updatedBy: null });
      return { url: `/api/staff/calendar/${day}`, effect: async () => !(await calendarRepository.find(t.db, day)) };
    },
  },
  { method: 'GET', path: '/api/staff/catalog', access: ['管理员'], ok: 200, make: async () => ({ url: '/api/staff/catalog' }) },
  {
    method: 'PUT',
    path: '/api/staff/catalog/:code',
    access: ['管理员'],
    ok: 200,
    make: async () => {
      // A project of the test's own, inactive, so no other test (sharing PostgreSQL) sees or edits it.
      const code = `test-${uniq()}`;
      await catalogRepository.insertProject(
        t.db,
        {
          code,
          name: `测试项目${code}`,
          platform: '测试平台',
          purpose: '测试用途说明',
          legalCheckRequired: true,
          productionWorkingDays: 3,
          active: false,
        },
        [{ projectCode: code, keyType: 'main', withSeal: true, priceFen: null, priceConfirmed: false }],
      );
      const purpose = '角色测试改写的用途';
      return {
        url: `/api/staff/catalog/${code}`,
        body: {
          purpose,
          legalCheckRequired: true,
          productionWorkingDays: 3,
          active: false,
          keys: [{ keyType: 'main', priceFen: 22000, active: true }],
        },
        effect: async () => (await catalogRepository.get(t.db, code))!.purpose === purpose,
      };
    },
  },
  {
    method: 'GET',
    path: '/api/staff/orders/:id/review',
    access: 'any',
    ok: 200,
    make: async () => ({ url: `/api/staff/orders/${(await sharedSubmittedOrder()).orderId}/review` }),
  },
  {
    method: 'POST',
    path: '/api/staff/orders/:id/review',
    access: ['预审'],
    ok: 200,
    make: async () => {
      // A fresh order in 正在审核 per caller, through the applicant's own flow (testing/applicant-flow.ts).
      const o = await submittedOrder(t);
      return {
        url: `/api/staff/orders/${o.orderId}/review`,
        body: { decision: 'approve', documents: o.slots.map((slot) => ({ slot, verdict: 'pass', reasons: [] })) },
        effect: async () => (await orderRepository.findById(t.db, o.orderId))!.status === 'review_passed',
      };
    },
  },
  { method: 'GET', path: '/api/staff/sms-templates', access: ['管理员'], ok: 200, make: async () => ({ url: '/api/staff/sms-templates' }) },
  {
    method: 'PUT',
    path: '/api/staff/sms-templates/:key',
    access: ['管理员'],
    ok: 200,
    make: async () => {
      // The default text: on the PostgreSQL database all test files share, other files' SMS keep their wording.
      const before = (await auditFor('shipped', 'sms.template_update')).length;
      return {
        url: '/api/staff/sms-templates/shipped',
        body: { text: SMS_TEMPLATES.shipped.text },
        effect: async () => (await auditFor('shipped', 'sms.template_update')).length > before,
      };
    },
  },
  {
    method: 'GET',
    path: '/api/staff/settings/paper-address',
    access: ['管理员'],
    ok: 200,
    make: async () => ({ url: '/api/staff/settings/paper-address' }),
  },
  {
    method: 'PUT',
    path: '/api/staff/settings/paper-address',
    access: ['管理员'],
    ok: 200,
    make: async () => {
      // The default address: on the PostgreSQL database all test files share, other files' orders keep it.
      const before = (await auditFor('paper_address', 'settings.paper_address_update')).length;
      return {
        url: '/api/staff/settings/paper-address',
        body: DEFAULT_PAPER_ADDRESS,
        effect: async () => (await auditFor('paper_address', 'settings.paper_address_update')).length > before,
      };
    },
  },
  { method: 'GET', path: '/api/staff/outbox/dead', access: ['管理员'], ok: 200, make: async () => ({ url: '/api/staff/outbox/dead' }) },
  {
    method: 'POST',
    path: '/api/staff/outbox/:id/resend',
    access: ['管理员'],
    ok: 200,
    make: async () => {
      // A dead SMS of its own per caller; `effect`: it is pending again.
      const [row] = await t.db
        .insert(outbox)
        .values({
          channel: 'sms',
          dedupeKey: `route-case:${randomUUID()}`,
          payload: {
            phoneNumber: newMobile(),
            template: 'review_passed',
            params: { unit: '江西权限测试有限公司', orderNo: '261207-0001-00001' },
          },
          status: 'dead',
          attempts: 3,
        })
        .returning();
      return {
        url: `/api/staff/outbox/${row!.id}/resend`,
        effect: async () => (await t.db.select().from(outbox).where(eq(outbox.id, row!.id)))[0]!.status !== 'dead',
      };
    },
  },
  // After payment (fulfilment.ts, invoices.ts): a fresh order in the step's status per caller; `effect` checks the step happened.
  ...(
    [
      ['paper/receive', ['受理'], 'paper_awaiting', 'paper_received', {}],
      ['paper/pass', ['受理'], 'paper_received', 'in_production', ALL_PAPER_CHECKED],
      ['paper/fail', ['受理'], 'paper_received', 'paper_failed', { missing: ['seal-sheet'] }],
      ['produce', ['制证'], 'in_production', 'produced', { key: { kind: 'generate', password: 'Zhengshu2026!' } }],
      ['ship', ['发放'], 'produced', 'shipped', { trackingNo: 'SF1234567890123' }],
    ] as const
  ).map(([step, access, from, to, body]): RouteCase => ({
    method: 'POST',
    path: `/api/staff/orders/:id/${step}`,
    access: [...access],
    ok: 200,
    make: async () => {
      // A main key ships only with its seals (the workflow guard seals_ready): that order is made for real.
      const o = step === 'ship' ? await sealedOrder(t) : await quickOrder(t, from);
      return {
        url: `/api/staff/orders/${o.orderId}/${step}`,
        body,
        effect: async () => (await orderRepository.findById(t.db, o.orderId))!.status === to,
      };
    },
  })),
  // The certificate registry (certificates.ts): reading is open to all staff, import to 管理员 and 制证.
  {
    method: 'GET',
    path: '/api/staff/certificates',
    access: 'any',
    ok: 200,
    make: async () => ({ url: '/api/staff/certificates?key=uscc&q=91360100MA35G8XX1X' }),
  },
  ...(['', '/download?format=der'] as const).map((suffix): RouteCase => ({
    method: 'GET',
    path: `/api/staff/certificates/:id${suffix.replace(/\?.*/, '')}`,
    access: 'any',
    ok: 200,
    make: async () => ({ url: `/api/staff/certificates/${(await registryRow()).id}${suffix}` }),
  })),
  {
    method: 'GET',
    path: '/api/staff/orders/:id/certificate',
    access: 'any',
    ok: 200,
    make: async () => ({ url: `/api/staff/orders/${(await quickOrder(t, 'in_production')).orderId}/certificate` }),
  },
  {
    method: 'POST',
    path: '/api/staff/certificates/import',
    access: ['管理员', '制证'],
    ok: 201,
    make: async () => {
      const serial = `7${randomBytes(15).toString('hex')}`;
      return {
        url: '/api/staff/certificates/import',
        body: {
          csv: `序列号,统一社会信用代码,单位名称,项目代码,主副锁,生效日期,到期日期\n${serial},${newUscc()},江西导入权限测试有限公司,gov-procurement,副锁,2025-01-01,2025-12-31\n`,
        },
        effect: async () => !!(await certificateRepository.findBySerial(t.db, serial)),
      };
    },
  },
  // Revocation (revocation.ts): requested by 制证/受理/管理员, decided by another 制证/管理员.
  ...(['', '/certificates/:id'] as const).map((suffix): RouteCase => ({
    method: 'GET',
    path: `/api/staff/revocations${suffix}`,
    access: ['制证', '受理', '管理员'],
    ok: 200,
    make: async () => ({ url: `/api/staff/revocations${suffix ? `/certificates/${(await registryRow()).id}` : ''}` }),
  })),
  {
    method: 'POST',
    path: '/api/staff/revocations',
    access: ['制证', '受理', '管理员'],
    ok: 201,
    make: async () => {
      const c = await registryRow();
      return {
        url: '/api/staff/revocations',
        body: { certificateId: c.id, reason: 4 },
        effect: async () => (await revocationRepository.requestsOfCertificate(t.db, c.id)).length === 1,
      };
    },
  },
  ...(['approve', 'refuse'] as const).map((step): RouteCase => ({
    method: 'POST',
    path: `/api/staff/revocations/:id/${step}`,
    access: ['制证', '管理员'],
    ok: 200,
    make: async () => {
      const c = await registryRow();
      // Requested by someone else (four eyes), so every allowed caller may decide it.
      const r = await revocationRepository.insertRequest(t.db, {
        certificateId: c.id,
        serial: c.serial,
        source: 'staff',
        reason: 5,
        requestedByStaff: randomUUID(),
        requestedAt: new Date(),
      });
      return {
        url: `/api/staff/revocations/${r!.id}/${step}`,
        body: step === 'refuse' ? { note: '单位确认仍在使用' } : {},
        effect: async () => (await revocationRepository.requestById(t.db, r!.id))!.status === (step === 'approve' ? 'approved' : 'refused'),
      };
    },
  })),
  {
    method: 'POST',
    path: '/api/staff/orders/:id/calls',
    access: ['受理'],
    ok: 201,
    make: async () => {
      const o = await quickOrder(t, 'paper_failed');
      return {
        url: `/api/staff/orders/${o.orderId}/calls`,
        body: { calledAt: new Date(Date.now() - 60_000).toISOString(), outcome: 'no_answer' },
        effect: async () => (await t.db.select().from(orderCalls).where(eq(orderCalls.orderId, o.orderId))).length === 1,
      };
    },
  },
  {
    method: 'POST',
    path: '/api/staff/orders/:id/recipient',
    access: ['受理', '发放', '管理员'],
    ok: 200,
    make: async () => {
      const o = await quickOrder(t, 'produced');
      return {
        url: `/api/staff/orders/${o.orderId}/recipient`,
        body: { name: '赵六', mobile: '13800138000', address: '江西省九江市浔阳区滨江路213号', reason: '经办人来电更正' },
        effect: async () =>
          ((await orderRepository.findById(t.db, o.orderId))!.form as { recipient: { name: string } }).recipient.name === '赵六',
      };
    },
  },
  { method: 'GET', path: '/api/staff/invoices', access: ['财务'], ok: 200, make: async () => ({ url: '/api/staff/invoices?status=due' }) },
  {
    method: 'POST',
    path: '/api/staff/invoices/:orderId/issue',
    access: ['财务'],
    ok: 200,
    make: async () => {
      const o = await quickOrder(t, 'produced');
      return {
        url: `/api/staff/invoices/${o.orderId}/issue`,
        body: { invoiceNo: '12345678' },
        effect: async () => (await t.db.select().from(invoices).where(eq(invoices.orderId, o.orderId)))[0]!.status === 'issued',
      };
    },
  },
  ...(['file', 'thumbnail'] as const).map((variant): RouteCase => ({
    method: 'GET',
    path: `/api/staff/orders/:id/documents/:docId/${variant}`,
    access: 'any',
    ok: 200,
    make: async () => {
      const d = await uploadedDocument();
      const before = (await auditFor(d.docId, 'document.view')).length;
      return {
        url: `/api/staff/orders/${d.orderId}/documents/${d.docId}/${variant}`,
        // Every staff view of a document is recorded; a refused caller's is not.
        effect: async () => (await auditFor(d.docId, 'document.view')).length > before,
      };
    },
  })),
];

/** Payments (finance.ts): 财务's report and export, and cancellation with a second approver. */
const FINANCE_ROUTES: RouteCase[] = [
  ...(['/api/staff/finance/payments', '/api/staff/finance/payments.csv', '/api/staff/finance/cancellations'] as const).map(
    (path): RouteCase => ({ method: 'GET', path, access: ['财务', '管理员'], ok: 200, make: async () => ({ url: path }) }),
  ),
  {
    method: 'GET',
    path: '/api/staff/orders/:id/cancellation',
    access: ['受理', '财务', '管理员'],
    ok: 200,
    make: async () => ({ url: `/api/staff/orders/${(await quickOrder(t, 'paper_awaiting')).orderId}/cancellation` }),
  },
  {
    method: 'POST',
    path: '/api/staff/orders/:id/cancellation',
    access: ['受理', '财务', '管理员'],
    ok: 201,
    make: async () => {
      const o = await quickOrder(t, 'paper_awaiting');
      return {
        url: `/api/staff/orders/${o.orderId}/cancellation`,
        body: { reason: '权限测试：单位申请取消' },
        effect: async () => (await paymentRepository.cancellationsOfOrder(t.db, o.orderId)).length > 0,
      };
    },
  },
  ...(['approve', 'refuse'] as const).map((decision): RouteCase => ({
    method: 'POST',
    path: `/api/staff/cancellations/:id/${decision}`,
    access: ['财务', '管理员'],
    ok: 200,
    make: async () => {
      const o = await quickOrder(t, 'paper_awaiting');
      // Asked by someone else: the caller is never the requester here.
      const c = (await paymentRepository.insertCancellation(t.db, {
        orderId: o.orderId,
        reason: '权限测试',
        requestedBy: (await seedStaff(['受理'])).id,
        requestedAt: new Date(),
      }))!;
      return {
        url: `/api/staff/cancellations/${c.id}/${decision}`,
        body: { note: '权限测试' },
        effect: async () => (await paymentRepository.cancellationById(t.db, c.id))!.status !== 'pending',
      };
    },
  })),
];
ROUTES.push(...FINANCE_ROUTES);
// 柜台业务 (counter.ts): rows kept beside the routes.
ROUTES.push(...counterRouteCases(() => t.db));
// 电子签章 (seals.ts): rows kept beside the routes.
ROUTES.push(...sealRouteCases(() => t));
// 电子签章印模 (seal-images.ts): rows kept beside the routes.
ROUTES.push(...sealImageRouteCases(() => t));
// The KMC (kmc.ts): envelope download and key recovery.
ROUTES.push(...kmcRouteCases(() => t));
// 证书助手 (tokens.ts): rows kept beside the routes.
ROUTES.push(...tokenRouteCases());

let sharedSubmitted: Promise<SubmittedOrder> | undefined;
/** One order in 正在审核 for the routes that only read it. */
const sharedSubmittedOrder = () => (sharedSubmitted ??= submittedOrder(t));

/** A random day of 2099 for the calendar routes. */
const calendarTestDay = () => new Date(Date.UTC(2099, 0, 1) + randomInt(365) * 86_400_000).toISOString().slice(0, 10);

let sharedDocument: Promise<{ orderId: string; docId: string }> | undefined;
/** One uploaded scan (an applicant's order with an 经办人身份证 image) for the document-viewing routes. */
function uploadedDocument() {
  sharedDocument ??= (async () => {
    const c = t.client();
    expect((await c.register()).res.statusCode).toBe(201);
    const order = await c.post('/api/orders', { projectCode: 'gov-procurement', keyType: 'main', agree: true });
    expect(order.statusCode).toBe(201);
    const orderId = order.json().order.id as string;
    const { payload, headers } = multipart([{ filename: '身份证.png', data: await png() }]);
    const res = await c.request({
      method: 'POST',
      url: `/api/orders/${orderId}/documents/agent-id-front`,
      payload,
      headers: { ...headers, 'x-csrf-token': c.csrf.org! },
    });
    expect(res.statusCode).toBe(201);
    return { orderId, docId: res.json().document.id as string };
  })();
  return sharedDocument;
}

/** Sends a table row's request the way the web app does (CSRF token of the staff realm on writes). */
async function send(c: TestClient, method: RouteCase['method'], url: string, body?: unknown) {
  if (method === 'GET') return c.get(url);
  if (method === 'POST') return c.post(url, body ?? {});
  if (!c.csrf.staff) await c.session('staff');
  return c.request({ method, url, payload: body as never, headers: { 'x-csrf-token': c.csrf.staff! } });
}
/** Routes anyone may call: the session bootstrap, login and logout. */
const PUBLIC_ROUTES = ['GET /api/staff/session', 'POST /api/staff/login', 'POST /api/staff/logout'];

describe('角色权限 (every staff route checks the caller)', () => {
  type Caller = { label: string; client: () => Promise<TestClient>; roles: StaffRole[] | null };
  const callers: Caller[] = [
    { label: 'no session', roles: null, client: async () => t.client() },
    {
      label: 'applicant session',
      roles: null,
      client: async () => {
        const c = t.client();
        expect((await c.register()).res.statusCode).toBe(201);
        return c;
      },
    },
    ...STAFF_ROLES.map((r) => ({ label: `staff ${r}`, roles: [r], client: async () => (await loggedIn([r])).c })),
    {
      // (审计员 is never combined with another role.)
      label: 'staff with every role but 管理员 and 审计员',
      roles: STAFF_ROLES.filter((r) => r !== '管理员' && r !== '审计员'),
      client: async () => (await loggedIn(STAFF_ROLES.filter((r) => r !== '管理员' && r !== '审计员'))).c,
    },
  ];
  const clients = new Map<string, TestClient>();
  beforeAll(async () => {
    for (const k of callers) clients.set(k.label, await k.client());
  });

  it('the table lists every /api/staff route the app serves', async () => {
    const spec = (await t.app.inject({ method: 'GET', url: '/api/openapi.json' })).json() as { paths: Record<string, object> };
    const served = Object.entries(spec.paths)
      .filter(([p]) => p.startsWith('/api/staff'))
      .flatMap(([p, ops]) => Object.keys(ops).map((m) => `${m.toUpperCase()} ${p.replace(/\{(\w+)\}/g, ':$1')}`))
      .sort();
    const listed = [...ROUTES.map((r) => `${r.method} ${r.path}`), ...PUBLIC_ROUTES].sort();
    expect(served).toEqual(listed);
  });

  describe.each(ROUTES)('$method $path', (route) => {
    it.each(callers.map((k) => [k.label, k] as const))('%s', async (_label, caller) => {
      const c = clients.get(caller.label)!;
      const { url, body, effect } = await route.make();
      const res = await send(c, route.method, url, body);
      // 'any' = any staff member but an 审计员, who may only read and verify the audit log.
      const allowed =
        caller.roles !== null &&
        (route.access === 'any' ? !caller.roles.includes('审计员') : caller.roles.some((r) => route.access.includes(r)));
      const expected = caller.roles === null ? 401 : allowed ? route.ok : 403;
      expect(res.statusCode, res.body).toBe(expected);
      if (expected === 401) expect(res.json().error.code).toBe('NOT_AUTHENTICATED');
      if (expected === 403) {
        expect(res.json().error.code).toBe('FORBIDDEN');
        // The refusal names the roles that may do it.
        for (const r of route.access === 'any' ? [] : route.access) expect(res.json().error.message).toContain(r);
      }
      if (effect) expect(await effect()).toBe(allowed);
    });
  });

  it('an 审计员 may call the audit log and its verification, and nothing else', () => {
    // With the table above (every route called by an 审计员, 403 unless listed), this fails as soon as any
    // other route lets the role through.
    const open = ROUTES.filter((r) => r.access !== 'any' && r.access.includes('审计员')).map((r) => `${r.method} ${r.path}`);
    expect(open.sort()).toEqual(['GET /api/staff/audit', 'GET /api/staff/audit/verify']);
    expect(callers.map((k) => k.label)).toContain('staff 审计员');
  });

  it('checks the role before the body: a refused caller gets 401/403, not field errors', async () => {
    const preReview = clients.get('staff 预审')!;
    const res = await preReview.post('/api/staff/accounts', { username: 'X' });
    expect(res.statusCode).toBe(403);
    const anon = await clients.get('no session')!.post('/api/staff/organizations/not-a-uuid/rename', {});
    expect(anon.statusCode).toBe(401);
  });

  it('a staff route that forgets to declare its access is closed, not open', async () => {
    const app = Fastify();
    registerErrorHandling(app);
    enforceStaffAccess(app, t.db);
    app.get('/api/staff/forgotten', async () => ({ secret: true }));
    app.get('/api/staff/declared', { config: { staffAccess: 'public' } }, async () => ({ ok: true }));
    const forgotten = await app.inject({ method: 'GET', url: '/api/staff/forgotten' });
    expect(forgotten.statusCode).toBe(403);
    expect(forgotten.body).not.toContain('secret');
    expect((await app.inject({ method: 'GET', url: '/api/staff/declared' })).statusCode).toBe(200);
    await app.close();
  });

  it('the public routes answer without a staff session', async () => {
    const s = await seedStaff(['预审']);
    const c = t.client();
    expect((await c.get('/api/staff/session')).statusCode).toBe(200);
    expect((await c.post('/api/staff/logout')).statusCode).toBe(200);
    // Logout ended the session and its CSRF token; the login page starts a fresh one.
    await c.session('staff');
    expect((await c.staffLogin(s.username, PW)).statusCode).toBe(200);
  });

  it('a role taken away or an account disabled takes effect at the next request', async () => {
    const { c, s } = await loggedIn(['管理员']);
    expect((await c.get('/api/staff/accounts')).statusCode).toBe(200);
    await t.db
      .update(staff)
      .set({ roles: ['预审'] })
      .where(eq(staff.id, s.id));
    expect((await c.get('/api/staff/accounts')).statusCode).toBe(403);
    expect((await c.get('/api/staff/organizations')).statusCode).toBe(200);
  });
});

describe('工作人员账号管理 (staff accounts)', () => {
  let admin: { c: TestClient; s: StaffRow };
  beforeAll(async () => {
    admin = await loggedIn(['管理员']);
  });

  it('creates an account that can log in with its roles, and records who created it', async () => {
    const username = newUsername('yu');
    const res = await admin.c.post('/api/staff/accounts', {
      username,
      displayName: '  王预审 ',
      roles: ['预审', '受理', '预审'],
      password: 'Newcomer2026',
    });
    expect(res.statusCode).toBe(201);
    expect(res.json().staff).toMatchObject({ username, displayName: '王预审', roles: ['预审', '受理'], disabled: false });
    const id = res.json().staff.id as string;
    const list = (await admin.c.get('/api/staff/accounts')).json().items as { id: string; username: string }[];
    expect(list.find((x) => x.id === id)?.username).toBe(username);
    expect(JSON.stringify(list)).not.toMatch(/scrypt|passwordHash/);
    const [row] = await t.db.select().from(staff).where(eq(staff.id, id));
    expect(row!.createdBy).toBe(admin.s.id);
    const [audit] = await auditFor(id, 'staff.create');
    expect(audit).toMatchObject({ actorType: 'staff', actorId: admin.s.id });
    expect(audit!.detail).toMatchObject({ username, roles: ['预审', '受理'] });
    const login = await t.client().staffLogin(username, 'Newcomer2026');
    expect(login.statusCode).toBe(200);
    expect(login.json().staff.roles).toEqual(['预审', '受理']);
  });

  it('names every wrong field in Chinese', async () => {
    const res = await admin.c.post('/api/staff/accounts', { username: 'X y', displayName: '', roles: [], password: 'short' });
    expect(res.statusCode).toBe(400);
    const { code, fields } = res.json().error;
    expect(code).toBe('VALIDATION_FAILED');
    expect(fields.username).toMatch(/用户名为3–32位小写字母/);
    expect(fields.displayName).toMatch(/请填写姓名/);
    expect(fields.roles).toMatch(/至少选择一个角色/);
    expect(fields.password).toMatch(/密码至少8位/);
  });

  it.each([
    ['an unknown role', { roles: ['超级管理员'] }, 'roles', /角色只能是：预审、受理、制证、发放、财务、管理员、审计员/],
    ['审计员 with another role', { roles: ['审计员', '管理员'] }, 'roles', /审计员不能兼任其他角色/],
    ['a password without digits', { password: 'onlyletters' }, 'password', /须包含数字/],
    ['a common password', { password: 'admin123' }, 'password', /过于常见/],
    ['a username starting with a digit', { username: '1abc' }, 'username', /以字母开头/],
    ['a missing display name', { displayName: undefined }, 'displayName', /请填写姓名/],
    ['a display name too long', { displayName: '长'.repeat(33) }, 'displayName', /最多32个字/],
  ])('refuses %s', async (_n, over, field, msg) => {
    const res = await admin.c.post('/api/staff/accounts', {
      username: newUsername('v'),
      displayName: '校验',
      roles: ['预审'],
      password: 'Valid2026pass',
      ...over,
    });
    expect(res.statusCode).toBe(400);
    expect(res.json().error.fields[field]).toMatch(msg);
  });

  it('refuses a password that contains the username, saying so', async () => {
    const username = newUsername('pw');
    const res = await admin.c.post('/api/staff/accounts', { username, displayName: '校验', roles: ['预审'], password: `${username}9X` });
    expect(res.statusCode).toBe(400);
    expect(res.json().error.fields.password).toBe('密码不能包含用户名');
  });

  it('refuses a taken username with 409 on the username field', async () => {
    const existing = await seedStaff(['财务']);
    const res = await admin.c.post('/api/staff/accounts', {
      username: existing.username,
      displayName: '重名',
      roles: ['预审'],
      password: 'Another2026x',
    });
    expect(res.statusCode).toBe(409);
    expect(res.json().error.code).toBe('CONFLICT');
    expect(res.json().error.fields.username).toMatch(/已被使用/);
    expect((await staffRepository.findById(t.db, existing.id))!.displayName).toBe(existing.displayName);
  });

  it('disabling a staff member ends their live session at once; enabling lets them log in again', async () => {
    const victim = await loggedIn(['预审']);
    expect((await victim.c.get('/api/staff/organizations')).statusCode).toBe(200);
    const res = await admin.c.post(`/api/staff/accounts/${victim.s.id}/disable`);
    expect(res.statusCode).toBe(200);
    expect(await staffSessionsOf(victim.s.id)).toHaveLength(0);
    const next = await victim.c.get('/api/staff/organizations');
    expect(next.statusCode).toBe(401);
    expect((await victim.c.session('staff')).staff).toBeNull();
    expect((await t.client().staffLogin(victim.s.username, PW)).statusCode).toBe(403);
    const [audit] = await auditFor(victim.s.id, 'staff.disable');
    expect(audit).toMatchObject({ actorType: 'staff', actorId: admin.s.id });
    const listed = (await admin.c.get('/api/staff/accounts')).json().items.find((x: { id: string }) => x.id === victim.s.id);
    expect(listed.disabled).toBe(true);

    expect((await admin.c.post(`/api/staff/accounts/${victim.s.id}/enable`)).statusCode).toBe(200);
    expect(await auditFor(victim.s.id, 'staff.enable')).toHaveLength(1);
    expect((await t.client().staffLogin(victim.s.username, PW)).statusCode).toBe(200);
  });

  it('disabling an administrator also ends their session; an already disabled one is a conflict', async () => {
    const other = await loggedIn(['管理员']);
    expect((await admin.c.post(`/api/staff/accounts/${other.s.id}/disable`)).statusCode).toBe(200);
    expect((await other.c.get('/api/staff/accounts')).statusCode).toBe(401);
    const again = await admin.c.post(`/api/staff/accounts/${other.s.id}/disable`);
    expect(again.statusCode).toBe(409);
    expect(await auditFor(other.s.id, 'staff.disable')).toHaveLength(1);
  });

  it('enabling an account that is not disabled is a conflict and records nothing', async () => {
    const s = await seedStaff(['制证']);
    const res = await admin.c.post(`/api/staff/accounts/${s.id}/enable`);
    expect(res.statusCode).toBe(409);
    expect(await auditFor(s.id, 'staff.enable')).toHaveLength(0);
  });

  it('cannot disable yourself', async () => {
    const res = await admin.c.post(`/api/staff/accounts/${admin.s.id}/disable`);
    expect(res.statusCode).toBe(400);
    expect(res.json().error.message).toMatch(/不能停用自己的账号/);
    expect((await staffRepository.findById(t.db, admin.s.id))!.disabledAt).toBeNull();
    expect((await admin.c.get('/api/staff/accounts')).statusCode).toBe(200);
  });

  it('answers an unknown or malformed id with 404 / 400', async () => {
    expect((await admin.c.post(`/api/staff/accounts/${randomUUID()}/disable`)).statusCode).toBe(404);
    const bad = await admin.c.post('/api/staff/accounts/123/disable');
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.fields.id).toMatch(/编号格式不正确/);
  });
});

describe('单位查询与名称更正 (organizations)', () => {
  let admin: { c: TestClient; s: StaffRow };
  beforeAll(async () => {
    admin = await loggedIn(['管理员']);
  });

  it('finds an organization by full or partial USCC in any case, and by a fragment of its name; records the search', async () => {
    const tag = uniq();
    const o = await seedOrg(`江西查找${tag}科技有限公司`);
    const { c, s } = await loggedIn(['预审']);
    for (const q of [o.uscc, o.uscc.toLowerCase(), o.uscc.slice(0, 12), `查找${tag}`]) {
      const res = await c.get(`/api/staff/organizations?q=${encodeURIComponent(q)}`);
      expect(res.statusCode).toBe(200);
      const hit = (res.json().items as { id: string; uscc: string; name: string; mobile: string }[]).find((x) => x.id === o.id);
      expect(hit, q).toMatchObject({ uscc: o.uscc, name: o.name, mobile: o.mobile });
    }
    const none = await c.get(`/api/staff/organizations?q=${encodeURIComponent(`没有这个${tag}`)}`);
    expect(none.json().items).toEqual([]);
    const searches = await t.db
      .select()
      .from(auditEvents)
      .where(and(eq(auditEvents.actorId, s.id), eq(auditEvents.action, 'organization.search')));
    expect(searches).toHaveLength(5);
    expect(searches.map((r) => r.detail.q)).toContain(`查找${tag}`);
  });

  it('a query made of LIKE wildcards does not break the search; an over-long one is refused', async () => {
    const { c } = await loggedIn(['预审']);
    const res = await c.get(`/api/staff/organizations?q=${encodeURIComponent('%')}`);
    expect(res.statusCode).toBe(200);
    const tooLong = await c.get(`/api/staff/organizations?q=${'长'.repeat(101)}`);
    expect(tooLong.statusCode).toBe(400);
  });

  it('viewing an organization returns its data and history and writes an organization.view row', async () => {
    const reg = t.client();
    const { body } = await reg.register({ name: `江西查看${uniq()}有限公司` });
    const [org] = await t.db.select().from(organizations).where(eq(organizations.uscc, body.uscc));
    const { c, s } = await loggedIn(['财务']);
    const res = await c.get(`/api/staff/organizations/${org!.id}`);
    expect(res.statusCode).toBe(200);
    const d = res.json();
    expect(d.organization).toMatchObject({ id: org!.id, uscc: body.uscc, name: org!.name, mobile: body.mobile });
    const views = await auditFor(org!.id, 'organization.view');
    expect(views).toHaveLength(1);
    expect(views[0]).toMatchObject({ actorType: 'staff', actorId: s.id, targetType: 'organization', ip: c.ip });
    // The change history and the views are listed apart, with names resolved.
    expect(d.history.map((h: { action: string }) => h.action)).toContain('organization.register');
    expect(d.history.find((h: { action: string }) => h.action === 'organization.register').actorName).toBe(org!.name);
    expect(d.history.every((h: { action: string }) => h.action !== 'organization.view')).toBe(true);
    expect(d.views).toHaveLength(1);
    expect(d.views[0]).toMatchObject({ action: 'organization.view', actorId: s.id, actorName: s.displayName });
  });

  it('answers an unknown organization with 404', async () => {
    const res = await admin.c.get(`/api/staff/organizations/${randomUUID()}`);
    expect(res.statusCode).toBe(404);
    expect(res.json().error.message).toMatch(/找不到该单位/);
  });

  it('an administrator corrects the name: recorded with who, old name, new name and why; the applicant sees it at once', async () => {
    const reg = t.client();
    const oldName = `江西原名${uniq()}有限公司`;
    const { body } = await reg.register({ name: oldName });
    const [org] = await t.db.select().from(organizations).where(eq(organizations.uscc, body.uscc));
    const newName = `江西新名${uniq()}有限公司`;
    const res = await admin.c.post(`/api/staff/organizations/${org!.id}/rename`, {
      name: `  ${newName} `,
      reason: '营业执照名称变更，客户来电申请',
      expectedName: oldName,
    });
    expect(res.statusCode).toBe(200);
    expect((await organizationRepository.findById(t.db, org!.id))!.name).toBe(newName);
    const rows = await auditFor(org!.id, 'organization.rename');
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ actorType: 'staff', actorId: admin.s.id, ip: admin.c.ip });
    expect(rows[0]!.detail).toEqual({ from: oldName, to: newName, reason: '营业执照名称变更，客户来电申请' });
    expect((await reg.get('/api/me')).json().organization.name).toBe(newName);

    const detail = (await admin.c.get(`/api/staff/organizations/${org!.id}`)).json();
    expect(detail.organization.name).toBe(newName);
    const h = detail.history.find((x: { action: string }) => x.action === 'organization.rename');
    expect(h).toMatchObject({ actorId: admin.s.id, actorName: admin.s.displayName, detail: { from: oldName, to: newName } });
  });

  it('is compare-and-set: a stale expected name gets 409 and changes nothing', async () => {
    const o = await seedOrg();
    const res = await admin.c.post(`/api/staff/organizations/${o.id}/rename`, {
      name: '江西另一个名称有限公司',
      reason: '测试并发',
      expectedName: `${o.name}（旧页面）`,
    });
    expect(res.statusCode).toBe(409);
    expect(res.json().error.code).toBe('CONFLICT');
    expect(res.json().error.message).toContain(o.name);
    expect((await organizationRepository.findById(t.db, o.id))!.name).toBe(o.name);
    expect(await auditFor(o.id, 'organization.rename')).toHaveLength(0);
  });

  it('two administrators renaming at once: one wins, the other gets 409, one audit row', async () => {
    const o = await seedOrg();
    const other = await loggedIn(['管理员']);
    const [a, b] = await Promise.all([
      admin.c.post(`/api/staff/organizations/${o.id}/rename`, { name: '江西甲名称有限公司', reason: '甲的原因', expectedName: o.name }),
      other.c.post(`/api/staff/organizations/${o.id}/rename`, { name: '江西乙名称有限公司', reason: '乙的原因', expectedName: o.name }),
    ]);
    expect([a.statusCode, b.statusCode].sort()).toEqual([200, 409]);
    const rows = await auditFor(o.id, 'organization.rename');
    expect(rows).toHaveLength(1);
    expect((await organizationRepository.findById(t.db, o.id))!.name).toBe(rows[0]!.detail.to);
  });

  it.each([
    ['no reason', { reason: '' }, 'reason', /请填写修改原因/],
    ['a missing reason', { reason: undefined }, 'reason', /请填写修改原因/],
    ['a one-character name', { name: '江' }, 'name', /单位名称至少2个字/],
    ['a name with <', { name: '江西<script>有限公司' }, 'name', /不能包含/],
    ['no expected name', { expectedName: undefined }, 'expectedName', /缺少原名称/],
  ])('refuses %s, naming the field in Chinese', async (_n, over, field, msg) => {
    const o = await seedOrg();
    const res = await admin.c.post(`/api/staff/organizations/${o.id}/rename`, {
      name: '江西合法名称有限公司',
      reason: '客户来电',
      expectedName: o.name,
      ...over,
    });
    expect(res.statusCode).toBe(400);
    expect(res.json().error.fields[field]).toMatch(msg);
    expect((await organizationRepository.findById(t.db, o.id))!.name).toBe(o.name);
  });

  it('refuses a "new" name equal to the current one', async () => {
    const o = await seedOrg();
    const res = await admin.c.post(`/api/staff/organizations/${o.id}/rename`, { name: o.name, reason: '无变化', expectedName: o.name });
    expect(res.statusCode).toBe(400);
    expect(res.json().error.fields.name).toMatch(/新名称与原名称相同/);
  });

  it('an unknown organization cannot be renamed', async () => {
    const res = await admin.c.post(`/api/staff/organizations/${randomUUID()}/rename`, {
      name: '江西合法名称有限公司',
      reason: '客户来电',
      expectedName: '江西原名称有限公司',
    });
    expect(res.statusCode).toBe(404);
  });

  it("the applicant has no way to change the unit name: only the administrator's rename writes it", () => {
    // Structural, so a future applicant route cannot quietly add a way: every UPDATE of organizations is in
    // the accounts repository; the one that sets the name is rename(), called only by the staff use case,
    // which only the 管理员 route above calls (the role table proves that route's access).
    const files = serverSources();
    const using = (needle: RegExp) => files.filter((f) => needle.test(f.text)).map((f) => f.rel);
    expect(using(/\.update\(organizations\)/)).toEqual(['modules/accounts/repository.ts']);
    const repo = files.find((f) => f.rel === 'modules/accounts/repository.ts')!.text;
    const sets = [...repo.matchAll(/\.update\(organizations\)\s*\.set\(\{([^}]*)\}/g)].map((m) => m[1]!.trim());
    expect(sets.filter((x) => /\bname\b/.test(x))).toEqual(['name: to, updatedAt: at']);
    // …and by the counter's 变更 (issue 7): staff at an office, on the new business licence, when the new
    // certificate is issued (制证/管理员; see counter.test.ts).
    expect(using(/organizationRepository\.rename\(/).sort()).toEqual([
      'modules/counter/produce.ts',
      'modules/staff/rename-organization.ts',
    ]);
    expect(using(/\brenameOrganization\(/).sort()).toEqual(['modules/staff/rename-organization.ts', 'routes/staff.ts']);
  });
});

type AuditItem = { id: number; action: string; targetId: string | null; targetLabel: string | null; detail: Record<string, unknown> };

/** Walks the audit log from the newest row until `match` is found (other test files write rows meanwhile). */
async function findInAudit(c: TestClient, match: (x: AuditItem) => boolean): Promise<AuditItem> {
  let before: number | null = null;
  for (let page = 0; page < 20; page++) {
    const body = (await c.get(`/api/staff/audit${before ? `?before=${before}` : ''}`)).json() as {
      items: AuditItem[];
      next: number | null;
    };
    const hit = body.items.find(match);
    if (hit) return hit;
    if (!body.next) break;
    before = body.next;
  }
  throw new Error('audit row not found');
}

describe('操作记录 (the audit log)', () => {
  it('lists newest first with names, and pages by keyset without gaps or repeats', async () => {
    const { c, s } = await loggedIn(['管理员']);
    const marker = uniq();
    for (let i = 0; i < 60; i++)
      await auditRepository.record(t.db, {
        actorType: 'staff',
        actorId: s.id,
        action: 'test.marker',
        detail: { marker, i },
        ip: '10.0.0.1',
        at: new Date(),
      });
    const seen: { id: number; action: string; detail: { marker?: string; i?: number } }[] = [];
    let before: number | null = null;
    let first: { items: { action: string; actorName: string | null; detail: { marker?: string } }[] } | undefined;
    for (let page = 0; page < 40 && seen.filter((x) => x.detail.marker === marker).length < 60; page++) {
      const res = await c.get(`/api/staff/audit${before ? `?before=${before}` : ''}`);
      expect(res.statusCode).toBe(200);
      const body = res.json();
      first ??= body;
      expect(body.items.length).toBeLessThanOrEqual(50);
      seen.push(...body.items);
      before = body.next;
      if (!before) break;
    }
    const ids = seen.map((x) => x.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids).toEqual([...ids].sort((a, b) => b - a));
    const mine = seen.filter((x) => x.detail.marker === marker).map((x) => x.detail.i);
    expect(mine).toEqual(Array.from({ length: 60 }, (_, i) => 59 - i));
    expect(first!.items).toHaveLength(50);
    const mark = first!.items.find((x) => x.detail.marker === marker)!;
    expect(mark.actorName).toBe(s.displayName);
  });

  it('labels targets: a rename row names the organization, a disable row names the staff member', async () => {
    const { c } = await loggedIn(['管理员']);
    const o = await seedOrg();
    const victim = await seedStaff(['发放'], '被停用的人');
    await c.post(`/api/staff/organizations/${o.id}/rename`, { name: `${o.name}改`, reason: '客户来电', expectedName: o.name });
    await c.post(`/api/staff/accounts/${victim.id}/disable`);
    const rename = await findInAudit(c, (x) => x.action === 'organization.rename' && x.targetId === o.id);
    expect(rename.targetLabel).toBe(`${o.name}改（${o.uscc}）`);
    const disable = await findInAudit(c, (x) => x.action === 'staff.disable' && x.targetId === victim.id);
    expect(disable.targetLabel).toBe(`被停用的人（${victim.username}）`);
    expect(disable.detail).toEqual({ username: victim.username });
  });

  it('refuses a malformed cursor', async () => {
    const { c } = await loggedIn(['管理员']);
    expect((await c.get('/api/staff/audit?before=abc')).statusCode).toBe(400);
    expect((await c.get('/api/staff/audit?before=-5')).statusCode).toBe(400);
  });
});
