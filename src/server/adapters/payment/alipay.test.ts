/**
 * Alipay asynchronous notifications (《异步通知说明》): RSA2 only, signature over the sorted parameters
 * without sign/sign_type, then app_id, seller_id and total_amount as an exact decimal. Each forgery is
 * refused with NoticeRejected; a genuine notice is accepted and mapped.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import type { Db } from '../../db/client.js';
import { noticeTestbed, rejectionOf } from './notice-testbed.js';
import type { PaymentProvider } from './port.js';
import { sandboxAlipayNotice } from './testing.js';
import type { AlipayNoticeOptions } from './sandbox/notices.js';
import { alipayAmountToFen, alipaySignContent, rawJsonMember } from './alipay.js';

let db: Db;
let alipay: PaymentProvider;
const now = new Date('2026-11-20T10:00:00+08:00');

beforeAll(async () => {
  ({ db, alipay } = await noticeTestbed(now));
});

const base: AlipayNoticeOptions = {
  outTradeNo: 'CD20261120ABC002',
  tradeNo: '2026112022001400000000000001',
  amountFen: 22000,
  notifyTime: now,
};
const rejection = rejectionOf;

describe('Alipay notification verification', () => {
  it('accepts a genuine notice and maps it ("220.00" → 22000 fen, trade_no, gmt_payment)', async () => {
    const paidAt = new Date('2026-11-20T09:59:30+08:00');
    const n = await sandboxAlipayNotice(db, { ...base, paidAt });
    expect(new URLSearchParams(n.rawBody).get('total_amount')).toBe('220.00');
    expect(alipay.verifyNotice(n, now)).toEqual({
      channel: 'alipay',
      outTradeNo: base.outTradeNo,
      paid: true,
      providerState: 'TRADE_SUCCESS',
      transactionId: base.tradeNo,
      amountFen: 22000,
      paidAt,
    });
  });

  it('TRADE_FINISHED is paid too; WAIT_BUYER_PAY is not', async () => {
    expect(alipay.verifyNotice(await sandboxAlipayNotice(db, { ...base, tradeStatus: 'TRADE_FINISHED' }), now).paid).toBe(true);
    expect(alipay.verifyNotice(await sandboxAlipayNotice(db, { ...base, tradeStatus: 'WAIT_BUYER_PAY' }), now).paid).toBe(false);
  });

  it.each<[string, Partial<AlipayNoticeOptions>, string]>([
    ['sign_type=RSA (SHA1)', { signType: 'RSA' }, 'sign_type_not_rsa2'],
    ['bad signature', { badSignature: true }, 'bad_signature'],
    ['foreign app_id', { appId: '2021000000000999' }, 'foreign_app_id'],
    ['foreign seller_id', { sellerId: '2088000000000999' }, 'foreign_seller_id'],
    ['total_amount with 3 decimals', { totalAmount: '220.001' }, 'bad_amount'],
    ['total_amount in exponent form', { totalAmount: '2.2e2' }, 'bad_amount'],
    ['total_amount negative', { totalAmount: '-220.00' }, 'bad_amount'],
    ['total_amount with a leading zero', { totalAmount: '0220.00' }, 'bad_amount'],
    ['total_amount empty', { totalAmount: '' }, 'bad_amount'],
    ['total_amount 219.99 (mapped; the module compares)', { totalAmount: '219.99' }, 'accepted'],
  ])('%s → %s', async (_name, forged, reason) => {
    const n = await sandboxAlipayNotice(db, { ...base, ...forged });
    expect(rejection(() => alipay.verifyNotice(n, now))).toBe(reason);
  });

  it('refuses a parameter changed after signing and a repeated parameter', async () => {
    const n = await sandboxAlipayNotice(db, base);
    expect(rejection(() => alipay.verifyNotice({ ...n, rawBody: n.rawBody.replace('out_trade_no=CD', 'out_trade_no=XD') }, now))).toBe(
      'bad_signature',
    );
    expect(rejection(() => alipay.verifyNotice({ ...n, rawBody: `${n.rawBody}&out_trade_no=OTHER` }, now))).toBe('duplicate_parameter');
  });

  it('replies success only when accepted', () => {
    expect(alipay.reply(true).body).toBe('success');
    expect(alipay.reply(false).body).toBe('fail');
  });
});

describe('Alipay wire details', () => {
  it.each<[string, number | null]>([
    ['220.00', 22000],
    ['220', 22000],
    ['220.5', 22050],
    ['0.01', 1],
    ['190.00', 19000],
    ['220.001', null],
    ['220.', null],
    ['.5', null],
    ['1e3', null],
    [' 220.00', null],
    ['NaN', null],
  ])('amount %j → %j fen', (text, fen) => expect(alipayAmountToFen(text)).toBe(fen));

  it('signs the sorted parameters without sign (and sign_type for notices), empty values left out', () => {
    const p = { b: '2', a: '1', sign: 'x', sign_type: 'RSA2', c: '' };
    expect(alipaySignContent(p, ['sign'])).toBe('a=1&b=2&sign_type=RSA2');
    expect(alipaySignContent(p, ['sign', 'sign_type'])).toBe('a=1&b=2');
  });

  it('finds the response node raw text, strings with braces included', () => {
    const text = '{"alipay_trade_query_response":{"code":"10000","msg":"{\\"}\\"","n":[1,{"x":2}]},"sign":"abc"}';
    expect(rawJsonMember(text, 'alipay_trade_query_response')).toBe('{"code":"10000","msg":"{\\"}\\"","n":[1,{"x":2}]}');
    expect(rawJsonMember(text, 'missing')).toBeNull();
  });
});
