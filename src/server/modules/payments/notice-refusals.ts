/**
 * Refused payment notifications, counted instead of written one audit row each (issue 16, item 4).
 *
 * Anyone can POST to the notify routes, and a refused notice's details are the sender's own words (a 12 KB
 * Wechatpay-Serial header, a 60 KB sign_type): one audit row per refusal let a sender grow the audit trail
 * without bound. Now every refusal adds one to a counter row per source address (IPv6 by /64), hour,
 * channel and reason; only the first refusal of each such row writes an audit row, and its values are
 * clipped (BOUND_* below). A flood therefore costs at most one audit row and one counter row per address,
 * reason and hour, whatever its size.
 *
 * The rate limit never refuses a genuine notice: the route verifies the signature first (pure CPU, a few
 * tens of microseconds for RSA-2048, the body capped at 64 KB) and only a notice that failed verification
 * reaches this module. Past NOTICE_REFUSALS_PER_ADDRESS refusals in an hour, an address's refusals are
 * answered 429 with Retry-After and no longer logged; a correctly signed notice from that address is still
 * processed (the providers deliver from shared pools of addresses, which a forger may share).
 */
import type { Clock } from '../../clock.js';
import type { Db } from '../../db/client.js';
import { auditRepository } from '../audit/repository.js';
import { addressKey } from '../throttle/address-key.js';
import { noticeRefusalRepository } from './notice-refusal-repository.js';

export const NOTICE_REFUSAL_WINDOW_MS = 3_600_000;
/** Refusals per address per window before they are answered 429 (a provider's own retries stay far below). */
export const NOTICE_REFUSALS_PER_ADDRESS = 30;
/** How long the counters are kept (the audit rows they started are kept with the audit trail). */
export const NOTICE_REFUSAL_RETENTION_MS = 35 * 86_400_000;

const BOUND_KEYS = 8;
const BOUND_KEY_CHARS = 32;
const BOUND_VALUE_CHARS = 64;

/** A string at most `max` characters, saying how long it was when clipped. */
export function clip(s: string, max = BOUND_VALUE_CHARS): string {
  return s.length <= max ? s : `${s.slice(0, max)}…(${s.length}字符)`;
}

/**
 * The sender's values, bounded: at most 8 keys of at most 32 characters, each value a number, boolean or
 * null as it is, or a string of at most 64 characters (anything else is written as clipped JSON).
 */
export function boundedDetail(detail: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(detail).slice(0, BOUND_KEYS)) {
    const key = k.slice(0, BOUND_KEY_CHARS);
    if (v === null || v === undefined || typeof v === 'boolean' || (typeof v === 'number' && Number.isFinite(v))) out[key] = v ?? null;
    else if (typeof v === 'string') out[key] = clip(v);
    else out[key] = clip(safeJson(v));
  }
  return out;
}

function safeJson(v: unknown): string {
  try {
    return JSON.stringify(v) ?? String(v);
  } catch {
    return String(v);
  }
}

export interface RefusalOutcome {
  /** The first refusal of its address, channel, reason and hour (the one that wrote the audit row). */
  first: boolean;
  /** The address is past NOTICE_REFUSALS_PER_ADDRESS this hour: answer 429. */
  overLimit: boolean;
  /** Just went past the limit (log it once). */
  crossedLimit: boolean;
  retryAfterSeconds: number;
}

/** Counts one refused notice; the audit row only for the first of its kind in the window, in the same transaction. */
export async function recordNoticeRefusal(
  deps: { db: Db; clock: Clock },
  r: { channel: string; reason: string; detail: Record<string, unknown>; ip: string },
): Promise<RefusalOutcome> {
  const at = deps.clock.now();
  const windowStart = new Date(Math.floor(at.getTime() / NOTICE_REFUSAL_WINDOW_MS) * NOTICE_REFUSAL_WINDOW_MS);
  const reason = clip(r.reason);
  const address = addressKey(r.ip);
  const { count, addressTotal } = await deps.db.transaction(async (tx) => {
    const counted = await noticeRefusalRepository.count(tx, { address, windowStart, channel: r.channel, reason, at });
    if (counted.count === 1) {
      await auditRepository.record(tx, {
        actorType: 'system',
        actorId: null,
        action: 'payment.notice_refused',
        targetType: 'payment',
        targetId: r.channel,
        detail: {
          source: 'notify',
          channel: r.channel,
          reason,
          ...boundedDetail(r.detail),
          // Further refusals of this address, reason and hour only add to the counter.
          countedFrom: windowStart.toISOString(),
        },
        ip: clip(r.ip),
        at,
      });
      // Old counters go as new ones come: no job needed, and the delete uses the window index.
      await noticeRefusalRepository.purgeBefore(tx, new Date(at.getTime() - NOTICE_REFUSAL_RETENTION_MS));
    }
    return counted;
  });
  return {
    first: count === 1,
    overLimit: addressTotal > NOTICE_REFUSALS_PER_ADDRESS,
    crossedLimit: addressTotal === NOTICE_REFUSALS_PER_ADDRESS + 1,
    retryAfterSeconds: Math.max(1, Math.ceil((windowStart.getTime() + NOTICE_REFUSAL_WINDOW_MS - at.getTime()) / 1000)),
  };
}
