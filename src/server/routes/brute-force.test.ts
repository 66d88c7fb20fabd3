/**
 * Brute-force slowing over HTTP, with a ManualClock: per account (5 failures) and per source address
 * (20 failures), locks that double up to a 15-minute cap and always end by themselves.
 */
import { randomInt } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LightMyRequestResponse } from 'fastify';
import { createStaff } from '../modules/staff/staff-accounts.js';
import { ManualClock, newUscc, randomIp, testApp, type TestApp } from '../testing/harness.js';

let t: TestApp;
let clock: ManualClock;
beforeAll(async () => {
  clock = new ManualClock(new Date());
  t = await testApp({ clock });
});
afterAll(() => t.close());

const WRONG = 'Wrong2026xx';

async function org() {
  const { body, res } = await t.client().register();
  expect(res.statusCode).toBe(201);
  return { uscc: body.uscc, password: body.password };
}
/** A login from `ip` (a fresh browser each time, as an attacker's script would be). */
const login = (uscc: string, password: string, ip = randomIp()) => t.client(ip).login(uscc, password);

function expectLocked(res: LightMyRequestResponse): number {
  expect(res.statusCode).toBe(429);
  expect(res.json().error.code).toBe('RATE_LIMITED');
  const secs = Number(res.headers['retry-after']);
  expect(res.json().error.retryAfterSeconds).toBe(secs);
  expect(res.json().error.message).toMatch(/^尝试次数过多，请在\d+(秒|分钟)后再试$/);
  // A lock is never longer than the cap: an attacker cannot lock a real user out for good.
  expect(secs).toBeGreaterThan(0);
  expect(secs).toBeLessThanOrEqual(15 * 60);
  return secs;
}

describe('per account', () => {
  it('after 5 wrong passwords answers 429 with Retry-After even for the right password; then lets the owner in', async () => {
    const o = await org();
    for (let i = 0; i < 5; i++) {
      const res = await login(o.uscc, WRONG);
      expect(res.statusCode).toBe(401);
      expect(res.json().error.code).toBe('BAD_CREDENTIALS');
    }
    const locked = await login(o.uscc, o.password);
    expect(expectLocked(locked)).toBe(30);
    expect(locked.json().error.message).toBe('尝试次数过多，请在30秒后再试');
    expect(locked.body).not.toContain('organization');
    expect(locked.headers['set-cookie']).toBeUndefined();
    clock.advance(29_000);
    expect(expectLocked(await login(o.uscc, o.password))).toBe(1);
    clock.advance(1_000);
    expect((await login(o.uscc, o.password)).statusCode).toBe(200);
  });

  it('does not count attempts made while locked', async () => {
    const o = await org();
    for (let i = 0; i < 5; i++) await login(o.uscc, WRONG);
    for (let i = 0; i < 10; i++) expect(expectLocked(await login(o.uscc, WRONG))).toBe(30);
    clock.advance(30_000);
    expect((await login(o.uscc, o.password)).statusCode).toBe(200);
  });

  it('doubles the lock with each further failure, caps it at 15 minutes, and still ends it', async () => {
    const o = await org();
    for (let i = 0; i < 5; i++) await login(o.uscc, WRONG);
    const seen: number[] = [];
    for (let i = 0; i < 8; i++) {
      const secs = expectLocked(await login(o.uscc, o.password));
      seen.push(secs);
      clock.advance(secs * 1000);
      expect((await login(o.uscc, WRONG)).statusCode).toBe(401);
    }
    // The attacker has now spent over an hour on 13 guesses; the doubling did not restart at 15 minutes.
    expect(seen).toEqual([30, 60, 120, 240, 480, 900, 900, 900]);
    expect(expectLocked(await login(o.uscc, o.password))).toBe(900);
    clock.advance(900_000);
    expect((await login(o.uscc, o.password)).statusCode).toBe(200);
  });

  it('a success resets the account counter', async () => {
    const o = await org();
    for (let round = 0; round < 2; round++) {
      for (let i = 0; i < 4; i++) expect((await login(o.uscc, WRONG)).statusCode).toBe(401);
      expect((await login(o.uscc, o.password)).statusCode).toBe(200);
    }
  });

  it('forgets failures after 15 quiet minutes', async () => {
    const o = await org();
    for (let i = 0; i < 4; i++) await login(o.uscc, WRONG);
    clock.advance(15 * 60_000 + 1000);
    for (let i = 0; i < 4; i++) expect((await login(o.uscc, WRONG)).statusCode).toBe(401);
    expect((await login(o.uscc, o.password)).statusCode).toBe(200);
  });

  it('a locked account does not affect another account logging in from another address', async () => {
    const a = await org();
    const b = await org();
    const attacker = randomIp();
    for (let i = 0; i < 5; i++) await login(a.uscc, WRONG, attacker);
    expectLocked(await login(a.uscc, a.password));
    expect((await login(b.uscc, b.password)).statusCode).toBe(200);
    // Nor from the attacker's address: 5 failures are far from the address threshold.
    expect((await login(b.uscc, b.password, attacker)).statusCode).toBe(200);
  });

  it('counts guesses against an unregistered USCC the same way (no hint that it does not exist)', async () => {
    const ghost = newUscc();
    for (let i = 0; i < 5; i++) expect((await login(ghost, WRONG)).statusCode).toBe(401);
    expectLocked(await login(ghost, WRONG));
  });

  it('slows staff log-in the same way', async () => {
    const username = `bf${randomInt(1e9)}`;
    const password = 'Staff2026pw';
    await createStaff({ db: t.db, clock }, { username, displayName: '测试预审员', roles: ['预审'], password }, null, { ip: 'test' });
    for (let i = 0; i < 5; i++) expect((await t.client().staffLogin(username, 'Wrong2026pw')).statusCode).toBe(401);
    expect(expectLocked(await t.client().staffLogin(username, password))).toBe(30);
    clock.advance(30_000);
    expect((await t.client().staffLogin(username, password)).statusCode).toBe(200);
  });
});

describe('per source address', () => {
  it('locks an address after 20 failures across different accounts, for every account; other addresses are free', async () => {
    const ip = randomIp();
    const victim = await org();
    // 20 different accounts, each below its own threshold.
    for (let i = 0; i < 20; i++) expect((await login(newUscc(), WRONG, ip)).statusCode).toBe(401);
    expect(expectLocked(await login(victim.uscc, victim.password, ip))).toBe(30);
    expect((await login(victim.uscc, victim.password)).statusCode).toBe(200);
    clock.advance(30_000);
    // The address lock ended; a success does not reset the address count, so one more failure locks again, longer.
    expect((await login(victim.uscc, victim.password, ip)).statusCode).toBe(200);
    expect((await login(newUscc(), WRONG, ip)).statusCode).toBe(401);
    expect(expectLocked(await login(victim.uscc, victim.password, ip))).toBe(60);
  });
});
