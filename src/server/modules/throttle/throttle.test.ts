import { randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { AppError } from '../../../core/errors.js';
import { ManualClock } from '../../clock.js';
import type { Db } from '../../db/client.js';
import { throttles } from '../../db/schema.js';
import { testDb } from '../../testing/harness.js';
import {
  LOGIN_ACCOUNT,
  LOGIN_ADDRESS,
  SMS_ACCOUNT,
  SMS_ADDRESS,
  formatWait,
  lockDurationMs,
  takeSmsSend,
  throttle,
  type ThrottlePolicy,
} from './throttle.js';

const S = 1000;
const MIN = 60 * S;

describe('lockDurationMs', () => {
  it.each<[string, ThrottlePolicy, number, number]>([
    ['no failures', LOGIN_ACCOUNT, 0, 0],
    ['below the threshold', LOGIN_ACCOUNT, 4, 0],
    ['at the threshold: 30 s', LOGIN_ACCOUNT, 5, 30 * S],
    ['doubles', LOGIN_ACCOUNT, 6, 60 * S],
    ['doubles again', LOGIN_ACCOUNT, 7, 2 * MIN],
    ['4 min', LOGIN_ACCOUNT, 8, 4 * MIN],
    ['8 min', LOGIN_ACCOUNT, 9, 8 * MIN],
    ['16 min is capped at 15', LOGIN_ACCOUNT, 10, 15 * MIN],
    ['still capped', LOGIN_ACCOUNT, 11, 15 * MIN],
    ['capped after a flood (no overflow to Infinity)', LOGIN_ACCOUNT, 100_000, 15 * MIN],
    ['address below 20', LOGIN_ADDRESS, 19, 0],
    ['address at 20', LOGIN_ADDRESS, 20, 30 * S],
    ['address at 25: 16 min capped', LOGIN_ADDRESS, 25, 15 * MIN],
    ['SMS per account: 4 sent', SMS_ACCOUNT, 4, 0],
    ['SMS per account: 5th sent locks for the hour', SMS_ACCOUNT, 5, 60 * MIN],
    ['SMS per account: never more than the hour', SMS_ACCOUNT, 9, 60 * MIN],
    ['SMS per address: 19', SMS_ADDRESS, 19, 0],
    ['SMS per address: 20', SMS_ADDRESS, 20, 60 * MIN],
  ])('%s', (_name, policy, failures, ms) => {
    expect(lockDurationMs(policy, failures)).toBe(ms);
  });

  it('never locks a login for longer than 15 minutes or an SMS key for longer than an hour', () => {
    for (let n = 0; n < 200; n++) {
      expect(lockDurationMs(LOGIN_ACCOUNT, n)).toBeLessThanOrEqual(15 * MIN);
      expect(lockDurationMs(LOGIN_ADDRESS, n)).toBeLessThanOrEqual(15 * MIN);
      expect(lockDurationMs(SMS_ACCOUNT, n)).toBeLessThanOrEqual(60 * MIN);
    }
  });
});

describe('formatWait', () => {
  it.each([
    [1, '1秒'],
    [59, '59秒'],
    [60, '1分钟'],
    [61, '2分钟'],
    [900, '15分钟'],
  ])('%i s → %s', (secs, text) => expect(formatWait(secs)).toBe(text));
});

describe('the persisted throttle', () => {
  let db: Db;
  const clock = new ManualClock(new Date('2031-03-01T08:00:00Z'));
  beforeAll(async () => {
    db = (await testDb()).db;
  });
  const key = () => `test:${randomUUID()}`;
  const lockedFor = async (th: ReturnType<typeof throttle>, k: string): Promise<number> => {
    try {
      await th.check(k);
      return 0;
    } catch (e) {
      expect(e).toBeInstanceOf(AppError);
      expect((e as AppError).code).toBe('RATE_LIMITED');
      return (e as AppError).extra.retryAfterSeconds!;
    }
  };

  it('locks at the threshold, answers with the seconds left, and unlocks by itself', async () => {
    const th = throttle({ db, clock });
    const k = key();
    for (let i = 0; i < 4; i++) await th.hit(k, LOGIN_ACCOUNT);
    expect(await lockedFor(th, k)).toBe(0);
    await th.hit(k, LOGIN_ACCOUNT);
    expect(await lockedFor(th, k)).toBe(30);
    clock.advance(12 * S);
    expect(await lockedFor(th, k)).toBe(18);
    clock.advance(18 * S);
    expect(await lockedFor(th, k)).toBe(0);
  });

  it('keeps doubling across the 15-minute window while the attacker keeps failing, capped at 15 minutes', async () => {
    const th = throttle({ db, clock });
    const k = key();
    for (let i = 0; i < 5; i++) await th.hit(k, LOGIN_ACCOUNT);
    const seen: number[] = [];
    // Wait out each lock, fail once more: 30 s, 60 s, … — the sum passes 15 minutes on the way.
    for (let i = 0; i < 8; i++) {
      const secs = await lockedFor(th, k);
      seen.push(secs);
      clock.advance(secs * S);
      await th.hit(k, LOGIN_ACCOUNT);
    }
    expect(seen).toEqual([30, 60, 120, 240, 480, 900, 900, 900]);
  });

  it('forgets the count after 15 quiet minutes (no failure, no lock)', async () => {
    const th = throttle({ db, clock });
    const k = key();
    for (let i = 0; i < 4; i++) await th.hit(k, LOGIN_ACCOUNT);
    clock.advance(15 * MIN + S);
    for (let i = 0; i < 4; i++) await th.hit(k, LOGIN_ACCOUNT);
    expect(await lockedFor(th, k)).toBe(0);
    const [row] = await db.select().from(throttles).where(eq(throttles.key, k));
    expect(row!.failures).toBe(4);
  });

  it('does not forget while a lock is in force or less than 15 minutes after it ended', async () => {
    const th = throttle({ db, clock });
    const k = key();
    for (let i = 0; i < 9; i++) await th.hit(k, LOGIN_ACCOUNT); // 8-minute lock
    clock.advance(8 * MIN + 10 * MIN); // 18 min after the last failure, 10 after the lock ended
    await th.hit(k, LOGIN_ACCOUNT);
    expect(await lockedFor(th, k)).toBe(900);
  });

  it('reset clears the count and the lock', async () => {
    const th = throttle({ db, clock });
    const k = key();
    for (let i = 0; i < 5; i++) await th.hit(k, LOGIN_ACCOUNT);
    expect(await lockedFor(th, k)).toBe(30);
    await th.reset(k);
    expect(await lockedFor(th, k)).toBe(0);
    await th.hit(k, LOGIN_ACCOUNT);
    const [row] = await db.select().from(throttles).where(eq(throttles.key, k));
    expect(row!.failures).toBe(1);
  });

  it('keys are independent', async () => {
    const th = throttle({ db, clock });
    const a = key();
    const b = key();
    for (let i = 0; i < 5; i++) await th.hit(a, LOGIN_ACCOUNT);
    expect(await lockedFor(th, a)).toBe(30);
    expect(await lockedFor(th, b)).toBe(0);
  });

  it('counts every one of many concurrent failures, and the longest lock wins', async () => {
    const th = throttle({ db, clock });
    const k = key();
    await Promise.all(Array.from({ length: 30 }, () => th.hit(k, LOGIN_ADDRESS)));
    const [row] = await db.select().from(throttles).where(eq(throttles.key, k));
    expect(row!.failures).toBe(30);
    // 30 failures against a threshold of 20: the 15-minute cap, whatever order the lock writes landed in.
    expect(await lockedFor(th, k)).toBe(900);
  });
});

describe('take: counting an attempt before it is evaluated', () => {
  let db: Db;
  const clock = new ManualClock(new Date('2031-03-01T08:00:00Z'));
  beforeAll(async () => {
    db = (await testDb()).db;
  });
  const key = () => `test:${randomUUID()}`;
  const outcome = (p: Promise<number>) =>
    p.then(
      (n) => n,
      (e: AppError) => e.code,
    );

  it('of 30 concurrent attempts exactly the threshold pass; the rest are refused and not counted', async () => {
    const th = throttle({ db, clock });
    const k = key();
    const got = await Promise.all(Array.from({ length: 30 }, () => outcome(th.take(k, LOGIN_ACCOUNT))));
    expect(got.filter((g) => typeof g === 'number').sort()).toEqual([1, 2, 3, 4, 5]);
    expect(got.filter((g) => g === 'RATE_LIMITED')).toHaveLength(25);
    const [row] = await db.select().from(throttles).where(eq(throttles.key, k));
    expect(row!.failures).toBe(5);
    await expect(th.check(k)).rejects.toMatchObject({ code: 'RATE_LIMITED', extra: { retryAfterSeconds: 30 } });
  });

  it('after a lock ends the next attempt is let through and the lock doubles', async () => {
    const th = throttle({ db, clock });
    const k = key();
    for (let i = 0; i < 5; i++) await th.take(k, LOGIN_ACCOUNT);
    await expect(th.take(k, LOGIN_ACCOUNT)).rejects.toMatchObject({ code: 'RATE_LIMITED' });
    clock.advance(30 * S);
    expect(await th.take(k, LOGIN_ACCOUNT)).toBe(6);
    await expect(th.take(k, LOGIN_ACCOUNT)).rejects.toMatchObject({ extra: { retryAfterSeconds: 60 } });
  });

  it('giveBack undoes the last attempt and the lock it set; succeed clears the count', async () => {
    const th = throttle({ db, clock });
    const k = key();
    for (let i = 0; i < 4; i++) await th.take(k, LOGIN_ACCOUNT);
    const n = await th.take(k, LOGIN_ACCOUNT);
    await th.giveBack(k, n);
    await th.check(k);
    expect(await th.take(k, LOGIN_ACCOUNT)).toBe(5);
    await th.succeed(k, 5);
    expect((await db.select().from(throttles).where(eq(throttles.key, k))).length).toBe(0);
  });

  it('a right answer while later attempts are in flight takes back only itself, and the lock they earned stays', async () => {
    const th = throttle({ db, clock });
    const k = key();
    const right = await th.take(k, LOGIN_ACCOUNT);
    for (let i = 0; i < 4; i++) await th.take(k, LOGIN_ACCOUNT); // the fifth locks
    await th.succeed(k, right);
    const [row] = await db.select().from(throttles).where(eq(throttles.key, k));
    expect(row!.failures).toBe(4);
    await expect(th.take(k, LOGIN_ACCOUNT)).rejects.toMatchObject({ code: 'RATE_LIMITED' });
  });
});

describe('takeSmsSend: one SMS code, counted before it is sent', () => {
  let db: Db;
  const clock = new ManualClock(new Date('2031-04-01T08:00:00Z'));
  beforeAll(async () => {
    db = (await testDb()).db;
  });
  const keys = () => ({ account: `test:${randomUUID()}`, address: `test:${randomUUID()}` });
  const failures = async (k: string) => (await db.select().from(throttles).where(eq(throttles.key, k)))[0]?.failures ?? 0;

  it('refuses a resend within the wait, naming the seconds left, and counts nothing', async () => {
    const th = throttle({ db, clock });
    const k = keys();
    const now = clock.now();
    await expect(
      takeSmsSend({ throttle: th }, k, { lastSentAt: new Date(now.getTime() - 20 * S), now, resendMs: 60 * S }),
    ).rejects.toMatchObject({ code: 'RATE_LIMITED', message: '验证码已发送，请在40秒后重新获取', extra: { retryAfterSeconds: 40 } });
    expect(await failures(k.address)).toBe(0);
    expect(await failures(k.account)).toBe(0);
    await takeSmsSend({ throttle: th }, k, { lastSentAt: new Date(now.getTime() - 60 * S), now, resendMs: 60 * S });
    expect(await failures(k.address)).toBe(1);
    expect(await failures(k.account)).toBe(1);
  });

  it('refused by the account, the send is taken back from the address', async () => {
    const th = throttle({ db, clock });
    const k = keys();
    const now = clock.now();
    for (let i = 0; i < SMS_ACCOUNT.threshold; i++)
      await takeSmsSend({ throttle: th }, k, { lastSentAt: undefined, now, resendMs: 60 * S });
    expect(await failures(k.address)).toBe(SMS_ACCOUNT.threshold);
    await expect(takeSmsSend({ throttle: th }, k, { lastSentAt: undefined, now, resendMs: 60 * S })).rejects.toMatchObject({
      code: 'RATE_LIMITED',
    });
    expect(await failures(k.address)).toBe(SMS_ACCOUNT.threshold);
  });
});
