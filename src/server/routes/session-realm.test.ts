/**
 * The session realm comes from the route that matched, not from the raw URL (issue 16, item 8): the router
 * decodes percent-encoded paths, so `/api/%73taff/login` is the staff login and must use the staff cookie
 * and the staff session's CSRF token — never log a staff member into the applicant's cookie.
 */
import { randomInt } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createStaff } from '../modules/staff/staff-accounts.js';
import { testApp, type TestApp } from '../testing/harness.js';

let t: TestApp;
beforeAll(async () => {
  t = await testApp();
});
afterAll(() => t.close());

const PW = 'Staff2026pass';
async function staffMember() {
  const username = `realm${randomInt(1e9)}`;
  await createStaff({ db: t.db, clock: t.clock }, { username, displayName: '测试管理员', roles: ['管理员'], password: PW }, null, {
    ip: 'test',
  });
  return username;
}

describe('percent-encoded /api paths', () => {
  it("POST /api/%73taff/login with an applicant's cookie and CSRF token is refused and leaves the applicant's session alone", async () => {
    const username = await staffMember();
    const c = t.client();
    expect((await c.register()).res.statusCode).toBe(201);
    const orgCookie = c.cookies.get('cd_org')!;
    const res = await c.request({
      method: 'POST',
      url: '/api/%73taff/login',
      payload: { username, password: PW, ...(await c.captcha()) },
      headers: { 'x-csrf-token': c.csrf.org! },
    });
    expect(res.statusCode).toBe(403);
    expect(res.json().error.code).toBe('CSRF_INVALID');
    expect(res.cookies.find((k) => k.name === 'cd_org')).toBeUndefined();
    expect(c.cookies.get('cd_org')).toBe(orgCookie);
    const me = await c.get('/api/me');
    expect(me.statusCode).toBe(200);
    expect((await c.get('/api/staff/organizations')).statusCode).toBe(401);
  });

  it('with the staff session it is the staff login: the staff cookie is set, the applicant cookie untouched', async () => {
    const username = await staffMember();
    const c = t.client();
    expect((await c.register()).res.statusCode).toBe(201);
    const orgCookie = c.cookies.get('cd_org')!;
    await c.session('staff');
    const res = await c.request({
      method: 'POST',
      url: '/api/%73taff/login',
      payload: { username, password: PW, ...(await c.captcha()) },
      headers: { 'x-csrf-token': c.csrf.staff! },
    });
    expect(res.statusCode).toBe(200);
    expect(res.cookies.map((k) => k.name)).toEqual(['cd_staff']);
    expect(c.cookies.get('cd_org')).toBe(orgCookie);
    expect((await c.get('/api/staff/organizations')).statusCode).toBe(200);
    expect((await c.get('/api/me')).statusCode).toBe(200);
    // The staff session never authenticates the applicant realm.
    const me = await t.app.inject({ method: 'GET', url: '/api/me', cookies: { cd_org: c.cookies.get('cd_staff')! } });
    expect(me.statusCode).toBe(401);
  });

  it('an encoded /api prefix does not skip the session hook: no CSRF token, no login', async () => {
    const username = await staffMember();
    const c = t.client();
    const res = await c.request({ method: 'POST', url: '/%61pi/staff/login', payload: { username, password: PW, ...(await c.captcha()) } });
    expect(res.statusCode).not.toBe(200);
    expect(res.cookies.find((k) => k.value)).toBeUndefined();
  });
});
