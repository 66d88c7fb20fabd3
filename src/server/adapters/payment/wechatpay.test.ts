/**
 * WeChat Pay API v3 notifications (《支付通知》): each forged property is refused by the real adapter's
 * verifyNotice with NoticeRejected; a genuine one is accepted and mapped. Notices are signed by the
 * sandbox's platform key, exactly as the sandbox sends them.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import type { Db } from '../../db/client.js';
import { noticeTestbed, rejectionOf } from './notice-testbed.js';
import type { PaymentProvider } from './port.js';
import { sandboxWechatNotice } from './testing.js';
import type { WechatNoticeOptions } from './sandbox/notices.js';

let db: Db;
let wechat: PaymentProvider;
const now = new Date('2026-11-20T10:00:00+08:00');

beforeAll(async () => {
  ({ db, wechat } = await noticeTestbed(now));
});

const base: WechatNoticeOptions = {
  outTradeNo: 'CD20261120ABC001',
  transactionId: '4200000000202611201234567890',
  amountFen: 22000,
  timestamp: now,
};
const rejection = rejectionOf;

describe('WeChat Pay notification verification', () => {
  it('accepts a genuine notice and maps it (fen, transaction id, paid time)', async () => {
    const paidAt = new Date('2026-11-20T09:59:30+08:00');
    const v = wechat.verifyNotice(await sandboxWechatNotice(db, { ...base, paidAt }), now);
    expect(v).toEqual({
      channel: 'wechat',
      outTradeNo: base.outTradeNo,
      paid: true,
      providerState: 'SUCCESS',
      transactionId: base.transactionId,
      amountFen: 22000,
      paidAt,
    });
  });

  const s = (seconds: number) => new Date(now.getTime() + seconds * 1000);
  it.each<[string, Partial<WechatNoticeOptions>, string]>([
    ['bad signature', { badSignature: true }, 'bad_signature'],
    ['timestamp 301 s old', { timestamp: s(-301) }, 'stale_timestamp'],
    ['timestamp 301 s ahead', { timestamp: s(301) }, 'stale_timestamp'],
    ['timestamp exactly 300 s old', { timestamp: s(-300) }, 'accepted'],
    ['timestamp exactly 300 s ahead', { timestamp: s(300) }, 'accepted'],
    ['unknown serial', { serial: 'PUB_KEY_ID_0000000000000000000000000000000000000000' }, 'unknown_serial'],
    ['one flipped ciphertext bit', { flipCiphertextBit: true }, 'decrypt_failed'],
    ['foreign mchid', { mchid: '1900000001' }, 'foreign_mchid'],
    ['foreign appid', { appid: 'wx0000000000000000' }, 'foreign_appid'],
  ])('%s → %s', async (_name, forged, reason) => {
    const notice = await sandboxWechatNotice(db, { ...base, ...forged });
    expect(rejection(() => wechat.verifyNotice(notice, now))).toBe(reason);
  });

  it('refuses a body changed after signing, and missing signature headers', async () => {
    const n = await sandboxWechatNotice(db, base);
    expect(rejection(() => wechat.verifyNotice({ ...n, rawBody: n.rawBody.replace('"summary":"支付成功"', '"summary":"x"') }, now))).toBe(
      'bad_signature',
    );
    const { ['wechatpay-signature']: _drop, ...headers } = n.headers;
    expect(rejection(() => wechat.verifyNotice({ ...n, headers }, now))).toBe('missing_signature_headers');
  });

  it('reports a non-SUCCESS trade_state as not paid (the module refuses it)', async () => {
    const v = wechat.verifyNotice(await sandboxWechatNotice(db, { ...base, tradeState: 'CLOSED' }), now);
    expect(v.paid).toBe(false);
    expect(v.providerState).toBe('CLOSED');
  });

  it('replies 204 without a body when accepted, FAIL JSON with 5xx when not', () => {
    expect(wechat.reply(true)).toMatchObject({ status: 204, body: '' });
    const r = wechat.reply(false);
    expect(r.status).toBeGreaterThanOrEqual(400);
    expect(JSON.parse(r.body)).toMatchObject({ code: 'FAIL' });
  });
});
