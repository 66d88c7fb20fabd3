/**
 * Test helpers for payments: correctly signed sandbox notifications with knobs to forge one property at a
 * time, and "the payer pays" as the sandbox payer page does it (trade paid, signed notice delivered to our
 * notify route through app.inject).
 */
import type { FastifyInstance } from 'fastify';
import { systemClock, type Clock } from '../../clock.js';
import type { Db } from '../../db/client.js';
import type { NoticeRequest, PayChannel } from './port.js';
import { sandboxKeys } from './sandbox/keys.js';
import { alipayNotice, wechatNotice, type AlipayNoticeOptions, type WechatNoticeOptions } from './sandbox/notices.js';
import { deliverSandboxNotice, type NoticeDelivery } from './sandbox/delivery.js';
import { sandboxPayRepository as repo, type SandboxTrade } from './sandbox/repository.js';
import { sandboxPayService, sandboxTokenOf } from './sandbox/server.js';

export type { WechatNoticeOptions, AlipayNoticeOptions };
export { sandboxTokenOf };
export { redeliverSandboxNotices } from './sandbox/delivery.js';

/**
 * A WeChat Pay payment notification signed by the sandbox platform key (forge with the options). The
 * Wechatpay-Timestamp defaults to the real time: pass `timestamp: clock.now()` with a ManualClock.
 */
export async function sandboxWechatNotice(db: Db, o: WechatNoticeOptions): Promise<NoticeRequest> {
  return wechatNotice((await sandboxKeys(db)).wechat, o);
}

/** An Alipay payment notification signed RSA2 by the sandbox "Alipay" key (forge with the options). */
export async function sandboxAlipayNotice(db: Db, o: AlipayNoticeOptions): Promise<NoticeRequest> {
  return alipayNotice((await sandboxKeys(db)).alipay, o);
}

/** The sandbox's trade for a code URL's token or an out_trade_no. */
export async function sandboxTrade(db: Db, ref: string, channel?: PayChannel): Promise<SandboxTrade | undefined> {
  const token = sandboxTokenOf(ref) ?? ref;
  const byToken = await repo.tradeByToken(db, token);
  if (byToken) return byToken;
  for (const c of channel ? [channel] : (['wechat', 'alipay'] as const)) {
    const t = await repo.tradeByNo(db, c, ref);
    if (t) return t;
  }
  return undefined;
}

export interface SandboxPayResult {
  ok: boolean;
  reason?: 'unknown' | 'expired' | 'not_pending';
  trade?: SandboxTrade;
  /** The first delivery of the notification (null when nothing was delivered). */
  delivery: NoticeDelivery | null;
}

/**
 * What pressing 确认支付 on the payer page does: the sandbox marks the trade paid (if pending and not
 * expired) and delivers its signed notification to our notify route. `ref`: the code URL, its token, or the
 * out_trade_no. With a ManualClock app, pass its clock (the notice is signed at clock.now()).
 */
export async function payInSandbox(app: FastifyInstance, db: Db, ref: string, clock: Clock = systemClock): Promise<SandboxPayResult> {
  const t = await sandboxTrade(db, ref);
  if (!t) return { ok: false, reason: 'unknown', delivery: null };
  const r = await sandboxPayService({ db, clock }).pay(t.token);
  if (!r.ok) return { ok: false, reason: r.reason, trade: r.trade, delivery: null };
  const delivery = await deliverSandboxNotice(app, db, clock, r.noticeId, r.trade.id);
  return { ok: true, trade: r.trade, delivery };
}

/** The payer presses 取消 on the payer page. */
export async function cancelInSandbox(db: Db, ref: string, clock: Clock = systemClock): Promise<boolean> {
  const t = await sandboxTrade(db, ref);
  if (!t) return false;
  return (await sandboxPayService({ db, clock }).cancel(t.token)).ok;
}

/** The notification attempts the sandbox made for a trade (delivered or not). */
export async function sandboxNoticesOf(db: Db, ref: string) {
  const t = await sandboxTrade(db, ref);
  return t ? repo.noticesOf(db, t.id) : [];
}
