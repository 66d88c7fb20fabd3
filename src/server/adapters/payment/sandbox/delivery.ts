/**
 * Delivery of the sandbox's payment notifications to our notify routes, the way the providers do it: POST
 * the signed notice to the trade's notify_url; WeChat Pay counts any 2xx as received, Alipay only a body of
 * exactly "success". Anything else is delivered again later, on WeChat Pay's published schedule
 * (15s/15s/30s/3m/10m/20m/30m/30m/30m/60m/3h/3h/3h/6h/6h), and each attempt is signed afresh (a new
 * timestamp), as the real providers do. In-process: app.inject, no network.
 */
import type { FastifyInstance } from 'fastify';
import type { Clock } from '../../../clock.js';
import type { Db } from '../../../db/client.js';
import type { NoticeRequest } from '../port.js';
import { sandboxKeys } from './keys.js';
import { alipayNotice, wechatNotice } from './notices.js';
import { sandboxPayRepository as repo, type SandboxNotice, type SandboxTrade } from './repository.js';

export const NOTICE_BACKOFF_MS = [15, 15, 30, 180, 600, 1200, 1800, 1800, 1800, 3600, 10800, 10800, 10800, 21600, 21600].map(
  (s) => s * 1000,
);
/** While one attempt is in flight, no other instance picks the notice up. */
const CLAIM_MS = 60_000;

export interface NoticeDelivery {
  noticeId: number;
  acknowledged: boolean;
  status: number;
  body: string;
}

/** The signed notice for a paid trade, as the provider would send it at `now`. */
export async function signedNoticeFor(db: Db, trade: SandboxTrade, now: Date): Promise<NoticeRequest> {
  const keys = await sandboxKeys(db);
  if (trade.channel === 'wechat')
    return wechatNotice(keys.wechat, {
      outTradeNo: trade.outTradeNo,
      transactionId: trade.transactionId ?? undefined,
      amountFen: trade.amountFen,
      paidAt: trade.paidAt ?? now,
      timestamp: now,
    });
  return alipayNotice(keys.alipay, {
    outTradeNo: trade.outTradeNo,
    tradeNo: trade.transactionId ?? undefined,
    amountFen: trade.amountFen,
    paidAt: trade.paidAt ?? now,
    notifyTime: now,
  });
}

async function attempt(app: FastifyInstance, db: Db, clock: Clock, n: SandboxNotice): Promise<NoticeDelivery | null> {
  const now = clock.now();
  if (!(await repo.claimNotice(db, n, new Date(now.getTime() + CLAIM_MS)))) return null;
  const trade = await repo.tradeById(db, n.tradeId);
  if (!trade) return null;
  const notice = await signedNoticeFor(db, trade, now);
  let status = 0;
  let body: string;
  try {
    const url = new URL(trade.notifyUrl);
    const res = await app.inject({
      method: 'POST',
      url: url.pathname + url.search,
      headers: notice.headers as Record<string, string>,
      payload: notice.rawBody,
    });
    status = res.statusCode;
    body = res.body;
  } catch (e) {
    body = e instanceof Error ? e.message : String(e);
  }
  const acknowledged = trade.channel === 'wechat' ? status >= 200 && status < 300 : status === 200 && body.trim() === 'success';
  const wait = NOTICE_BACKOFF_MS[Math.min(n.attempts, NOTICE_BACKOFF_MS.length - 1)]!;
  await repo.recordAttempt(db, n.id, {
    delivered: acknowledged,
    status,
    answer: body,
    now: clock.now(),
    next: new Date(clock.now().getTime() + wait),
  });
  return { noticeId: n.id, acknowledged, status, body };
}

/** Delivers one queued notice now (right after the payer paid). */
export async function deliverSandboxNotice(
  app: FastifyInstance,
  db: Db,
  clock: Clock,
  noticeId: number,
  tradeId: string,
): Promise<NoticeDelivery | null> {
  const n = (await repo.noticesOf(db, tradeId)).find((x) => x.id === noticeId);
  if (!n || n.deliveredAt) return null;
  return attempt(app, db, clock, n);
}

/** Delivers every notice that is due again (not acknowledged yet, its backoff over). */
export async function redeliverSandboxNotices(deps: { app: FastifyInstance; db: Db; clock: Clock }): Promise<NoticeDelivery[]> {
  const due = await repo.dueNotices(deps.db, deps.clock.now(), NOTICE_BACKOFF_MS.length + 1);
  const out: NoticeDelivery[] = [];
  for (const n of due) {
    const r = await attempt(deps.app, deps.db, deps.clock, n);
    if (r) out.push(r);
  }
  return out;
}
