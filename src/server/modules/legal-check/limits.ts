/**
 * How many face checks one order may start. Every DetectAuth is billed by the provider and every failed
 * face scan is a try at passing as someone else, so the count is limited — per China calendar day and in
 * total — and kept in the database (the legal_checks rows themselves), so restarts and several instances
 * do not reset it. After that the legal representative phones the hotline (seed 001: 400-800-1040).
 */
import type { ThrottlePolicy } from '../throttle/throttle.js';

export const MAX_CHECKS_PER_DAY = 5;
export const MAX_CHECKS_TOTAL = 10;
export const HOTLINE = '400-800-1040';

/**
 * Name/ID-number mismatches on the start form: a lock after 5 in an hour, so the QR code cannot be used to
 * test guesses of the legal representative's ID number.
 */
export const MISMATCH_POLICY: ThrottlePolicy = { threshold: 5, windowMs: 60 * 60_000, baseLockMs: 10 * 60_000, maxLockMs: 60 * 60_000 };

const CHINA_OFFSET_MS = 8 * 3600_000;

/** Midnight (China time, UTC+8) that began the day `now` falls in. */
export function chinaDayStart(now: Date): Date {
  const local = now.getTime() + CHINA_OFFSET_MS;
  return new Date(local - (local % 86_400_000) - CHINA_OFFSET_MS);
}

export interface AttemptCounts {
  today: number;
  total: number;
}

export function attemptsLeft(c: AttemptCounts): number {
  return Math.max(0, Math.min(MAX_CHECKS_PER_DAY - c.today, MAX_CHECKS_TOTAL - c.total));
}

/** Why no further check may start, or null. */
export function attemptLimitReached(c: AttemptCounts): { message: string; retryAfterMs?: number; final: boolean } | null {
  if (c.total >= MAX_CHECKS_TOTAL)
    return {
      message: `该订单的法人核验次数已达上限（共${MAX_CHECKS_TOTAL}次），不能再在线核验，请致电客服热线 ${HOTLINE}`,
      final: true,
    };
  if (c.today >= MAX_CHECKS_PER_DAY)
    return {
      message: `今天的法人核验次数已用完（每天${MAX_CHECKS_PER_DAY}次），请明天再试；如有疑问请致电客服热线 ${HOTLINE}`,
      final: false,
    };
  return null;
}
