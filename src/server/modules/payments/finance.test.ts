import { describe, expect, it } from 'vitest';
import { chinaDay as cstDay } from '../../../core/working-days.js';
import { financeCsv } from './finance.js';

const row = (over: Record<string, unknown> = {}) => ({
  day: '2026-11-21',
  channel: 'wechat' as const,
  channelName: '微信支付',
  transactionId: '4200000000000000000000000001',
  outTradeNo: 'CD20261121000000abcdef0123456789',
  amountFen: 22000,
  catalogFen: 22000,
  orderId: '00000000-0000-0000-0000-000000000000',
  orderNo: '261121000000001',
  orderStatus: 'paper_awaiting',
  orderStatusLabel: '正在受理',
  unitName: '江西测试有限公司',
  paidAt: new Date('2026-11-21T02:30:00Z'),
  refund: null,
  flags: [] as never[],
  ...over,
});
const report = (rows: ReturnType<typeof row>[]) =>
  ({
    rows,
    totals: [{ day: '2026-11-21', channel: 'wechat', channelName: '微信支付', count: rows.length, amountFen: 22000, refundedFen: 0 }],
    grand: { count: rows.length, amountFen: 22000, refundedFen: 0 },
  }) as never;

describe('finance CSV', () => {
  it('starts with the UTF-8 BOM, uses CRLF, yuan with two decimals and Beijing time', () => {
    const csv = financeCsv(report([row()]));
    expect(csv.charCodeAt(0)).toBe(0xfeff);
    expect(csv).toContain('\r\n');
    expect(csv).toContain('"220.00"');
    expect(csv).toContain('"2026-11-21 10:30:00"');
  });

  it.each([
    ['=HYPERLINK("x")', `"'=HYPERLINK(""x"")"`],
    ['+1', `"'+1"`],
    ['-1', `"'-1"`],
    ['@SUM(A1)', `"'@SUM(A1)"`],
    ['江西"引号"公司', '"江西""引号""公司"'],
  ])('a unit name %s is written as %s (never a formula)', (name, cell) => {
    expect(financeCsv(report([row({ unitName: name })]))).toContain(cell);
  });

  it.each([
    ['2026-11-20T15:59:59Z', '2026-11-20'],
    ['2026-11-20T16:00:00Z', '2026-11-21'],
  ])('the day of %s in Beijing time is %s', (iso, day) => {
    expect(cstDay(new Date(iso))).toBe(day);
  });
});
