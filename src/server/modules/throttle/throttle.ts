/**
 * Brute-force slowing, persisted in the database so every app instance sees the same counters.
 *
 * Each key (an account or a source address) counts failures. From the `threshold`-th failure on, the key
 * is locked for 30 s, doubling with each further failure and capped at 15 minutes — slow enough to make
 * guessing useless, short enough that an attacker can never lock a real user out for good: every lock
 * ends by itself, and while a key is locked its failures are not counted (the caller checks first).
 * The count is forgotten after `windowMs` without a failure and without a lock in force; measuring that
 * quiet time from the end of the last lock (not from the first failure) keeps the doubling going, so a
 * patient attacker is held at one guess per 15 minutes instead of getting a fresh set of fast guesses
 * every window. A success on the account resets the account's counter (not the address's).
 *
 * Guessable secrets (passwords, the 法人核验 identity) use `take`: the attempt is counted before the secret
 * is compared, in one atomic upsert that refuses it if the key is locked — so a burst of parallel guesses
 * cannot all pass a read-then-count check. A right answer is then taken back (`giveBack`, `succeed`).
 */
import { AppError } from '../../../core/errors.js';
import type { Clock } from '../../clock.js';
import type { Db } from '../../db/client.js';
import { throttleRepository } from './repository.js';

export interface ThrottlePolicy {
  threshold: number;
  windowMs: number;
  baseLockMs: number;
  maxLockMs: number;
}

export const LOGIN_ACCOUNT: ThrottlePolicy = { threshold: 5, windowMs: 15 * 60_000, baseLockMs: 30_000, maxLockMs: 15 * 60_000 };
export const LOGIN_ADDRESS: ThrottlePolicy = { threshold: 20, windowMs: 15 * 60_000, baseLockMs: 30_000, maxLockMs: 15 * 60_000 };
export const SMS_ACCOUNT: ThrottlePolicy = { threshold: 5, windowMs: 60 * 60_000, baseLockMs: 60 * 60_000, maxLockMs: 60 * 60_000 };
export const SMS_ADDRESS: ThrottlePolicy = { threshold: 20, windowMs: 60 * 60_000, baseLockMs: 60 * 60_000, maxLockMs: 60 * 60_000 };

export function lockDurationMs(p: ThrottlePolicy, failures: number): number {
  if (failures < p.threshold) return 0;
  return Math.min(p.baseLockMs * 2 ** Math.min(failures - p.threshold, 30), p.maxLockMs);
}

export interface Throttle {
  /** Throws RATE_LIMITED while the key is locked. */
  check(key: string): Promise<void>;
  /** Counts one event (a failure, or a sent SMS) against the key. */
  hit(key: string, p: ThrottlePolicy): Promise<void>;
  /**
   * Counts one attempt before it is evaluated, atomically: throws RATE_LIMITED (counting nothing) while
   * the key is locked, and locks it in the same statement once the count reaches the threshold. Returns
   * the attempt's number in the count, for `giveBack` / `succeed`.
   */
  take(key: string, p: ThrottlePolicy): Promise<number>;
  /**
   * Takes back attempt number `n` (it turned out not to be a wrong guess, or was not evaluated). If nothing
   * was counted after it, the lock it may have set goes too; otherwise the attempts counted since earned
   * their lock, which stays.
   */
  giveBack(key: string, n: number): Promise<void>;
  /**
   * A right answer on attempt `n`: the counter is cleared — unless attempts were counted after it (a burst
   * in flight), then only this one is taken back, so the burst stays under the limit.
   */
  succeed(key: string, n: number): Promise<void>;
  reset(key: string): Promise<void>;
}

function lockedError(until: Date, now: Date): AppError {
  const secs = Math.max(1, Math.ceil((until.getTime() - now.getTime()) / 1000));
  return new AppError('RATE_LIMITED', `尝试次数过多，请在${formatWait(secs)}后再试`, { retryAfterSeconds: secs });
}

export function throttle(deps: { db: Db; clock: Clock }): Throttle {
  const { db, clock } = deps;
  const giveBack = (key: string, n: number) => throttleRepository.giveBack(db, key, n);
  return {
    async check(key) {
      const until = await throttleRepository.lockedUntil(db, key);
      const now = clock.now();
      if (until && until > now) throw lockedError(until, now);
    },
    async take(key, p) {
      const now = clock.now();
      const n = await throttleRepository.take(db, key, p, now, lockDurationMs(p, 1));
      if (n !== undefined) return n;
      throw lockedError((await throttleRepository.lockedUntil(db, key)) ?? now, now);
    },
    giveBack,
    async succeed(key, n) {
      if (!(await throttleRepository.clearAt(db, key, n))) await giveBack(key, n);
    },
    async hit(key, p) {
      const now = clock.now();
      const lock = lockDurationMs(p, await throttleRepository.count(db, key, p.windowMs, now));
      if (lock > 0) await throttleRepository.lockUntil(db, key, new Date(now.getTime() + lock));
    },
    async reset(key) {
      await throttleRepository.delete(db, key);
    },
  };
}

export function formatWait(secs: number): string {
  return secs < 60 ? `${secs}秒` : `${Math.ceil(secs / 60)}分钟`;
}

/**
 * One password guess, counted against the source address and the account before the password is checked.
 * Refused by the account after passing the address, it is taken back from the address (never evaluated).
 */
export async function takeLoginAttempt(
  deps: { throttle: Throttle },
  accountKey: string,
  addressKey: string,
): Promise<{ account: number; address: number }> {
  const address = await deps.throttle.take(addressKey, LOGIN_ADDRESS);
  try {
    return { account: await deps.throttle.take(accountKey, LOGIN_ACCOUNT), address };
  } catch (e) {
    await deps.throttle.giveBack(addressKey, address);
    throw e;
  }
}

/**
 * One SMS code about to be sent: refused while the last one for the same thing (sent at `lastSentAt`) is
 * younger than `resendMs`, then counted against the address and the account before it is sent, each in one
 * atomic step, so requests sent together cannot all pass the limits. Refused by the account after passing the
 * address, it is taken back from the address (nothing was sent).
 */
export async function takeSmsSend(
  deps: { throttle: Throttle },
  keys: { account: string; address: string },
  wait: { lastSentAt: Date | undefined; now: Date; resendMs: number },
): Promise<void> {
  const age = wait.lastSentAt ? wait.now.getTime() - wait.lastSentAt.getTime() : Infinity;
  if (age < wait.resendMs) {
    const secs = Math.ceil((wait.resendMs - age) / 1000);
    throw new AppError('RATE_LIMITED', `验证码已发送，请在${secs}秒后重新获取`, { retryAfterSeconds: secs });
  }
  const address = await deps.throttle.take(keys.address, SMS_ADDRESS);
  try {
    await deps.throttle.take(keys.account, SMS_ACCOUNT);
  } catch (e) {
    await deps.throttle.giveBack(keys.address, address);
    throw e;
  }
}
