/**
 * 收款对账 (财务): payments by day (China time, the day the provider's statement uses) and channel, each
 * with the provider's transaction number, amount, order and unit; totals per day and channel; and the
 * mismatches a reconciler must look at. The CSV is UTF-8 with a BOM, so Excel opens the Chinese columns.
 */
import { PAY_CHANNEL_NAMES, type PayChannel } from '../../adapters/payment/port.js';
import { STATUS_LABEL, type OrderStatus } from '../../../core/workflow.js';
import type { DbOrTx } from '../../db/client.js';
import { fenToYuanText as yuan } from '../../../core/money.js';
import { formatOrderNumber } from '../../../core/order-number.js';
import { paymentRepository, type RefundRow } from './repository.js';
import { COUNTER_PAY_CHANNELS, COUNTER_STATUS_LABEL, type CounterStatus } from '../../../core/counter.js';
import { chinaDay, chinaMidnight } from '../../../core/working-days.js';
import { counterRepository } from '../counter/repository.js';
import { catalogRepository } from '../catalog/repository.js';

/** China Standard Time has no daylight saving: UTC+8 all year. */
const CST_MS = 8 * 3_600_000;

export type FinanceFlag = 'order_not_moved' | 'amount_differs' | 'duplicate' | 'refund_pending' | 'refund_failed' | 'refunded';
export const FLAG_NAMES: Record<FinanceFlag, string> = {
  order_not_moved: '已付款但订单未转入正在受理',
  amount_differs: '金额与价格不符',
  duplicate: '重复付款',
  refund_pending: '退款处理中',
  refund_failed: '退款失败',
  refunded: '已退款',
};

const REFUND_STATUS_NAMES: Record<RefundRow['status'], string> = {
  pending: '待退款',
  processing: '退款处理中',
  success: '已退款',
  failed: '退款失败',
};

/** 现场缴费 (issue 7): payments taken at an office's counter, listed with the online ones. */
export type FinanceChannel = PayChannel | 'counter';

export interface FinanceRow {
  day: string;
  channel: FinanceChannel;
  channelName: string;
  transactionId: string;
  outTradeNo: string;
  amountFen: number;
  catalogFen: number | null;
  orderId: string;
  orderNo: string;
  orderStatus: string;
  orderStatusLabel: string;
  unitName: string;
  paidAt: Date;
  refund: { status: RefundRow['status']; statusName: string; amountFen: number; kind: RefundRow['kind']; refundId: string | null } | null;
  flags: FinanceFlag[];
}

export async function financeReport(db: DbOrTx, q: { from: string; to: string; channel?: FinanceChannel }) {
  const from = chinaMidnight(q.from);
  const to = new Date(chinaMidnight(q.to).getTime() + 86_400_000);
  const rows = q.channel === 'counter' ? [] : await paymentRepository.paidBetween(db, from, to, q.channel);
  const orderIds = [...new Set(rows.map((r) => r.attempt.orderId))];
  const allPaid = await paymentRepository.paidAttemptsOfOrders(db, orderIds);
  const refunds = await paymentRepository.refundsOfAttempts(
    db,
    rows.map((r) => r.attempt.id),
  );
  const refundOf = new Map(refunds.map((r) => [r.attemptId, r]));
  const paidCount = new Map<string, number>();
  for (const a of allPaid) paidCount.set(a.orderId, (paidCount.get(a.orderId) ?? 0) + 1);

  const items: FinanceRow[] = rows.map(({ attempt: a, ...o }) => {
    const refund = refundOf.get(a.id);
    const amountFen = a.paidFen ?? a.amountFen;
    const flags: FinanceFlag[] = [];
    // Paid at the provider but the order never left 资料审核通过 (and no refund explains it).
    if (!o.orderPaidAt && !refund) flags.push('order_not_moved');
    if (amountFen !== a.amountFen || (o.catalogFen !== null && amountFen !== o.catalogFen)) flags.push('amount_differs');
    if ((paidCount.get(a.orderId) ?? 0) > 1) flags.push('duplicate');
    if (refund?.status === 'pending' || refund?.status === 'processing') flags.push('refund_pending');
    if (refund?.status === 'failed') flags.push('refund_failed');
    if (refund?.status === 'success') flags.push('refunded');
    return {
      day: chinaDay(a.paidAt!),
      channel: a.channel,
      channelName: PAY_CHANNEL_NAMES[a.channel],
      transactionId: a.transactionId ?? '',
      outTradeNo: a.outTradeNo,
      amountFen,
      catalogFen: o.catalogFen,
      orderId: a.orderId,
      orderNo: o.orderNo,
      orderStatus: o.orderStatus,
      orderStatusLabel: STATUS_LABEL[o.orderStatus as OrderStatus] ?? o.orderStatus,
      unitName: o.unitName,
      paidAt: a.paidAt!,
      refund: refund
        ? {
            status: refund.status,
            statusName: REFUND_STATUS_NAMES[refund.status],
            amountFen: refund.amountFen,
            kind: refund.kind,
            refundId: refund.refundId,
          }
        : null,
      flags,
    };
  });

  // Counter payments (现场缴费): the whole period, unless a provider channel was asked for.
  if (!q.channel || q.channel === 'counter') {
    const catalog = new Map((await catalogRepository.list(db, { activeOnly: false })).map((p) => [p.code, p]));
    for (const { payment: p, order: o, officeName } of await counterRepository.paidBetween(db, from, to)) {
      const catalogFen = catalog.get(o.projectCode)?.keys.find((k) => k.keyType === o.keyType)?.priceFen ?? null;
      items.push({
        day: chinaDay(p.paidAt),
        channel: 'counter',
        channelName: `现场缴费（${COUNTER_PAY_CHANNELS[p.channel]}，${officeName}）`,
        transactionId: p.receiptNo,
        outTradeNo: '',
        amountFen: p.amountFen,
        catalogFen,
        orderId: o.id,
        orderNo: o.orderNo,
        orderStatus: o.status,
        orderStatusLabel: COUNTER_STATUS_LABEL[o.status as CounterStatus] ?? o.status,
        unitName: o.newUnitName ?? o.unitName,
        paidAt: p.paidAt,
        refund: null,
        flags: catalogFen !== null && catalogFen !== p.amountFen ? ['amount_differs'] : [],
      });
    }
    items.sort((a, b) => a.paidAt.getTime() - b.paidAt.getTime());
  }

  const totals = new Map<
    string,
    { day: string; channel: FinanceChannel; channelName: string; count: number; amountFen: number; refundedFen: number }
  >();
  for (const r of items) {
    const k = `${r.day}|${r.channel}`;
    const t = totals.get(k) ?? {
      day: r.day,
      channel: r.channel,
      channelName: r.channel === 'counter' ? '现场缴费' : r.channelName,
      count: 0,
      amountFen: 0,
      refundedFen: 0,
    };
    t.count += 1;
    t.amountFen += r.amountFen;
    if (r.refund?.status === 'success') t.refundedFen += r.refund.amountFen;
    totals.set(k, t);
  }
  const byDay = [...totals.values()].sort((a, b) => a.day.localeCompare(b.day) || a.channel.localeCompare(b.channel));
  const unfinished = await paymentRepository.unfinishedRefunds(db);
  return {
    from: q.from,
    to: q.to,
    channel: q.channel ?? null,
    rows: items,
    totals: byDay,
    grand: {
      count: items.length,
      amountFen: items.reduce((s, r) => s + r.amountFen, 0),
      refundedFen: items.reduce((s, r) => s + (r.refund?.status === 'success' ? r.refund.amountFen : 0), 0),
    },
    flagged: items.filter((r) => r.flags.some((f) => f !== 'refunded')).length,
    unfinishedRefunds: unfinished.map(({ refund: r, orderNo }) => ({
      id: r.id,
      orderId: r.orderId,
      orderNo,
      channel: r.channel,
      amountFen: r.amountFen,
      kind: r.kind,
      status: r.status,
      statusName: REFUND_STATUS_NAMES[r.status],
      tries: r.tries,
      lastError: r.lastError,
      createdAt: r.createdAt,
    })),
  };
}

/** A CSV cell: quoted, and a leading = + - @ neutralised so a spreadsheet never runs a unit name as a formula. */
function cell(v: string): string {
  const safe = /^[=+\-@\t\r]/.test(v) ? `'${v}` : v;
  return `"${safe.replace(/"/g, '""')}"`;
}

const cstTime = (d: Date) => new Date(d.getTime() + CST_MS).toISOString().slice(0, 19).replace('T', ' ');

export function financeCsv(report: Awaited<ReturnType<typeof financeReport>>): string {
  const head = [
    '日期',
    '支付渠道',
    '支付交易号',
    '商户订单号',
    '金额（元）',
    '订单编号',
    '单位名称',
    '订单状态',
    '付款时间',
    '退款',
    '异常标记',
  ];
  const lines = [head.map(cell).join(',')];
  for (const r of report.rows)
    lines.push(
      [
        r.day,
        r.channelName,
        r.transactionId,
        r.outTradeNo,
        yuan(r.amountFen),
        formatOrderNumber(r.orderNo),
        r.unitName,
        r.orderStatusLabel,
        cstTime(r.paidAt),
        r.refund ? `${r.refund.statusName} ${yuan(r.refund.amountFen)}` : '',
        r.flags.map((f) => FLAG_NAMES[f]).join('；'),
      ]
        .map(cell)
        .join(','),
    );
  lines.push('');
  lines.push(['日期', '支付渠道', '笔数', '金额（元）', '已退款（元）'].map(cell).join(','));
  for (const t of report.totals)
    lines.push([t.day, t.channelName, String(t.count), yuan(t.amountFen), yuan(t.refundedFen)].map(cell).join(','));
  lines.push(['合计', '', String(report.grand.count), yuan(report.grand.amountFen), yuan(report.grand.refundedFen)].map(cell).join(','));
  // Excel on Windows reads a CSV as the local code page unless it starts with the UTF-8 BOM.
  return `\uFEFF${lines.join('\r\n')}\r\n`;
}
