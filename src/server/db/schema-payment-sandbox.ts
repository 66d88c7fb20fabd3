/**
 * The sandbox payment provider's own records (its trades and refunds, as WeChat Pay / Alipay would keep them).
 * Re-exported by schema.ts, so migrations are generated from it with `npm run db:generate`.
 */
import { bigserial, index, integer, pgTable, text, timestamp, uniqueIndex, uuid } from 'drizzle-orm/pg-core';

const ts = (name: string) => timestamp(name, { withTimezone: true, mode: 'date' });

/** The sandbox's generated keys (PEM) and secrets, by name; inserted if absent, so every instance shares them. */
export const sandboxPayKeys = pgTable('sandbox_pay_keys', {
  name: text('name').primaryKey(),
  value: text('value').notNull(),
  createdAt: ts('created_at').notNull().defaultNow(),
});

/** A trade as the provider keeps it: created by precreate / native / h5 / wap.pay, paid on the sandbox payer page. */
export const sandboxPayTrades = pgTable(
  'sandbox_pay_trades',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    channel: text('channel').notNull(),
    outTradeNo: text('out_trade_no').notNull(),
    /** The unguessable token in the code URL (/sandbox/pay/<channel>/<token>). */
    token: text('token').notNull(),
    amountFen: integer('amount_fen').notNull(),
    description: text('description').notNull(),
    notifyUrl: text('notify_url').notNull(),
    /** qr (WeChat NATIVE / Alipay precreate) or h5 (WeChat MWEB / Alipay QUICK_WAP_WAY). */
    tradeType: text('trade_type').$type<'qr' | 'h5'>().notNull().default('qr'),
    /** Alipay WAP's return_url: where the payer's browser goes after paying (with signed return parameters). */
    returnUrl: text('return_url'),
    /** pending | paid | cancelled (by the payer) | closed (by the merchant) | refunded */
    status: text('status').notNull().default('pending'),
    transactionId: text('transaction_id'),
    expiresAt: ts('expires_at').notNull(),
    paidAt: ts('paid_at'),
    refundedFen: integer('refunded_fen').notNull().default(0),
    createdAt: ts('created_at').notNull().defaultNow(),
  },
  (t) => [uniqueIndex('sandbox_pay_trades_no_uq').on(t.channel, t.outTradeNo), uniqueIndex('sandbox_pay_trades_token_uq').on(t.token)],
);

/** Refunds, unique per out_refund_no / out_request_no so a retried request is the same refund. */
export const sandboxPayRefunds = pgTable(
  'sandbox_pay_refunds',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    channel: text('channel').notNull(),
    outRefundNo: text('out_refund_no').notNull(),
    tradeId: uuid('trade_id')
      .notNull()
      .references(() => sandboxPayTrades.id),
    amountFen: integer('amount_fen').notNull(),
    refundId: text('refund_id').notNull(),
    createdAt: ts('created_at').notNull().defaultNow(),
  },
  (t) => [uniqueIndex('sandbox_pay_refunds_no_uq').on(t.channel, t.outRefundNo)],
);

/** Payment notifications to deliver (again, with backoff) until the merchant acknowledges one. */
export const sandboxPayNotices = pgTable(
  'sandbox_pay_notices',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    tradeId: uuid('trade_id')
      .notNull()
      .references(() => sandboxPayTrades.id),
    attempts: integer('attempts').notNull().default(0),
    nextAttemptAt: ts('next_attempt_at').notNull(),
    deliveredAt: ts('delivered_at'),
    lastStatus: integer('last_status'),
    lastAnswer: text('last_answer'),
    createdAt: ts('created_at').notNull().defaultNow(),
  },
  (t) => [index('sandbox_pay_notices_due_idx').on(t.nextAttemptAt)],
);
