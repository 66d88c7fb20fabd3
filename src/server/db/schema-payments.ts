/**
 * The payments module's tables (WeChat Pay / Alipay attempts, refunds, cancellation requests). Re-exported
 * by schema.ts, so migrations are generated from both with `npm run db:generate`.
 *
 * One order may have several attempts (one per channel, a new one after expiry); recordPayment lets only
 * one of them move the order. A second successful attempt is refunded (kind 'duplicate').
 */
import { sql } from 'drizzle-orm';
import { pgTable, text, uuid, timestamp, integer, index, primaryKey, uniqueIndex } from 'drizzle-orm/pg-core';
import { orders } from './schema-core.js';

const ts = (name: string) => timestamp(name, { withTimezone: true, mode: 'date' });

export type PaymentAttemptStatus = 'pending' | 'paid' | 'closed' | 'expired' | 'failed';

/** One QR code shown to the payer: our out_trade_no at one provider, for the catalog's price of the order. */
export const paymentAttempts = pgTable(
  'payment_attempts',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    orderId: uuid('order_id')
      .notNull()
      .references(() => orders.id),
    channel: text('channel').$type<'wechat' | 'alipay'>().notNull(),
    /**
     * How the payer pays: qr = a QR code scanned with a phone (WeChat Pay Native, Alipay precreate); h5 = in
     * the phone's own browser (WeChat Pay H5, Alipay 手机网站支付). Each kind is an attempt of its own.
     */
    kind: text('kind').$type<'qr' | 'h5'>().notNull().default('qr'),
    /** Our merchant order number at the provider (≤ 32 chars, [0-9A-Za-z]). */
    outTradeNo: text('out_trade_no').notNull(),
    /** The catalog's price when the attempt was made, in fen: the only amount a notice may carry. */
    amountFen: integer('amount_fen').notNull(),
    description: text('description').notNull(),
    status: text('status').$type<PaymentAttemptStatus>().notNull().default('pending'),
    /**
     * Set after the provider answered (outside the transaction that inserted the row): qr, the QR code's text;
     * h5, the address the phone's browser is sent to (WeChat h5_url with our redirect_url, Alipay's signed URL).
     */
    codeUrl: text('code_url'),
    createError: text('create_error'),
    expiresAt: ts('expires_at').notNull(),
    transactionId: text('transaction_id'),
    paidFen: integer('paid_fen'),
    paidAt: ts('paid_at'),
    /** Last active query at the provider (rate limit for the pay page's poll and the job). */
    queriedAt: ts('queried_at'),
    createdAt: ts('created_at').notNull(),
    updatedAt: ts('updated_at').notNull(),
  },
  (t) => [
    uniqueIndex('payment_attempts_out_trade_no_uq').on(t.outTradeNo),
    index('payment_attempts_order_idx').on(t.orderId, t.createdAt),
    index('payment_attempts_status_idx').on(t.status, t.createdAt),
    index('payment_attempts_paid_idx').on(t.paidAt),
  ],
);

export type RefundStatus = 'pending' | 'processing' | 'success' | 'failed';

/** A full refund of one paid attempt: after a cancellation, or of a second payment for an already-paid order. */
export const paymentRefunds = pgTable(
  'payment_refunds',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    attemptId: uuid('attempt_id')
      .notNull()
      .references(() => paymentAttempts.id),
    orderId: uuid('order_id')
      .notNull()
      .references(() => orders.id),
    channel: text('channel').$type<'wechat' | 'alipay'>().notNull(),
    /** out_refund_no / out_request_no: retries reuse it, so the provider refunds once. */
    outRefundNo: text('out_refund_no').notNull(),
    amountFen: integer('amount_fen').notNull(),
    kind: text('kind').$type<'cancel' | 'duplicate'>().notNull(),
    reason: text('reason').notNull(),
    status: text('status').$type<RefundStatus>().notNull().default('pending'),
    refundId: text('refund_id'),
    tries: integer('tries').notNull().default(0),
    nextTryAt: ts('next_try_at').notNull(),
    lastError: text('last_error'),
    createdAt: ts('created_at').notNull(),
    completedAt: ts('completed_at'),
  },
  (t) => [
    uniqueIndex('payment_refunds_out_refund_no_uq').on(t.outRefundNo),
    // Full refunds only: one per paid attempt, so a retried approval cannot refund twice.
    uniqueIndex('payment_refunds_attempt_uq').on(t.attemptId),
    index('payment_refunds_due_idx').on(t.status, t.nextTryAt),
  ],
);

/** 取消订单: asked by one staff member with a reason, approved (or refused) by a different one. */
export const orderCancellations = pgTable(
  'order_cancellations',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    orderId: uuid('order_id')
      .notNull()
      .references(() => orders.id),
    reason: text('reason').notNull(),
    status: text('status').$type<'pending' | 'approved' | 'refused'>().notNull().default('pending'),
    requestedBy: uuid('requested_by').notNull(),
    requestedAt: ts('requested_at').notNull(),
    decidedBy: uuid('decided_by'),
    decidedAt: ts('decided_at'),
    decisionNote: text('decision_note'),
  },
  (t) => [
    uniqueIndex('order_cancellations_pending_uq')
      .on(t.orderId)
      .where(sql`status = 'pending'`),
    index('order_cancellations_status_idx').on(t.status, t.requestedAt),
  ],
);

/**
 * Refused payment notifications, counted (issue 16, item 4): one row per source address (an IPv4 address or
 * an IPv6 /64), hour, channel and reason, instead of one audit row per refused notice — a flood of forged
 * notices adds to a count, and the audit trail gets one row per address, reason and hour.
 */
export const paymentNoticeRefusals = pgTable(
  'payment_notice_refusals',
  {
    address: text('address').notNull(),
    windowStart: ts('window_start').notNull(),
    channel: text('channel').notNull(),
    reason: text('reason').notNull(),
    count: integer('count').notNull(),
    firstAt: ts('first_at').notNull(),
    lastAt: ts('last_at').notNull(),
  },
  (t) => [
    // Address first: the per-address total of a window is one range of the key.
    primaryKey({ columns: [t.address, t.windowStart, t.channel, t.reason] }),
    index('payment_notice_refusals_window_idx').on(t.windowStart),
  ],
);
