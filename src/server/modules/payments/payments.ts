/**
 * 付款 by QR code (WeChat Pay Native, Alipay 当面付 precreate) or in a phone's browser (WeChat Pay H5, Alipay
 * 手机网站支付 wap.pay): start an attempt for the catalog's price,
 * show its state to the pay page, and complete it — from a verified notification or from an active query —
 * through one code path that moves the order exactly once.
 *
 * Rules this file keeps:
 * - the amount is the catalog's, in fen, read on the server; the client never sends one;
 * - the provider is called only outside a transaction (create after the insert's commit, close/query/refund
 *   after theirs): a slow provider never holds a row lock, and a crash between the two leaves a pending
 *   attempt the job closes;
 * - completion is one transaction: lock the order, recordPayment (idempotent per transaction id), mark the
 *   attempt paid, enqueue the 付款成功 SMS with a dedupe key. A second successful payment for an order that
 *   is already paid is accepted (the money has arrived) and refunded.
 */
import { randomBytes } from 'node:crypto';
import { AppError, OutageError } from '../../../core/errors.js';
import { describeError } from '../../logging.js';
import { STATUS_LABEL, STATUS_STEP, type OrderStatus } from '../../../core/workflow.js';
import type { PayChannel, PayKind, PaymentProvider, VerifiedNotice } from '../../adapters/payment/port.js';
import type { Clock } from '../../clock.js';
import type { Db } from '../../db/client.js';
import { auditRepository } from '../audit/repository.js';
import { catalogRepository } from '../catalog/repository.js';
import { fulfilmentRepository } from '../fulfilment/repository.js';
import { recordPayment } from '../fulfilment/record-payment.js';
import { enqueueOrderSms } from '../notifications/order-sms.js';
import { paperAddress, paperAddressSmsParams } from '../settings/paper-address.js';
import { organizationRepository, type OrganizationRow } from '../accounts/repository.js';
import { orderRepository, type OrderRow } from '../orders/repository.js';
import { paymentRepository, type AttemptRow } from './repository.js';
import { fenToYuanText as yuan } from '../../../core/money.js';

export type Providers = Record<PayChannel, PaymentProvider>;
export interface PaymentDeps {
  db: Db;
  clock: Clock;
  providers: Providers;
}

/** How long a QR code can be paid (WeChat time_expire / Alipay timeout_express). */
export const ATTEMPT_TTL_MS = 15 * 60_000;
/** A pending attempt older than this is asked about at the provider when the page polls or the job runs. */
export const QUERY_AFTER_MS = 20_000;
/** At most one active query per attempt per this interval (pollers on several instances share it). */
export const QUERY_EVERY_MS = 10_000;
/** An attempt whose code expires within this is not handed out again: a new one is made. */
const REUSE_MARGIN_MS = 60_000;
/**
 * A phone's pay link is handed out again only this long: WeChat's h5_url lives five minutes, and Alipay's
 * signed URL carries its own timestamp. After that a tap makes a new attempt (the old one expires and is closed).
 */
export const PHONE_LINK_TTL_MS = 4 * 60_000;

const PAY_EVENT = 'order.pay';

/** Our merchant order number: 32 chars max, [0-9A-Za-z] (both providers accept it). */
function newOutTradeNo(now: Date): string {
  const t = now.toISOString().replace(/\D/g, '').slice(0, 14);
  return `CD${t}${randomBytes(8).toString('hex')}`;
}

/** Cuts a UTF-8 string to at most `max` bytes without splitting a character (WeChat description ≤ 127 bytes). */
function cutBytes(s: string, max: number): string {
  let out = '';
  for (const ch of s) {
    if (Buffer.byteLength(out + ch) > max) break;
    out += ch;
  }
  return out;
}

export interface PriceInfo {
  amountFen: number;
  projectName: string;
  keyType: 'main' | 'sub';
  keyLabel: string;
  withSeal: boolean;
  description: string;
}

/** What the order buys and its price in fen, from the catalog. */
export async function priceOf(db: Db, order: Pick<OrderRow, 'projectCode' | 'keyType'>): Promise<PriceInfo> {
  const project = await catalogRepository.get(db, order.projectCode);
  const key = project?.keys.find((k) => k.keyType === order.keyType);
  if (!project || !key || key.priceFen === null || !key.priceConfirmed || key.priceFen <= 0)
    throw new AppError('CONFLICT', '该证书项目的价格尚未确定，暂不能付款，请联系客服400-800-1040');
  const keyLabel = order.keyType === 'main' ? '主锁' : '副锁';
  const what = `${project.name}数字证书（${keyLabel}${key.withSeal ? '，含电子签章' : ''}）`;
  return {
    amountFen: key.priceFen,
    projectName: project.name,
    keyType: order.keyType,
    keyLabel,
    withSeal: key.withSeal,
    description: cutBytes(what, 127),
  };
}

/** What a phone payment needs from the request: the payer's IP as we saw it, and the pay page to come back to. */
export interface PhoneContext {
  payerIp: string;
  returnUrl: string;
}

/**
 * Starts (or reuses) an attempt for the channel and kind and returns it with its QR code text (qr) or the
 * address to send the phone's browser to (h5). An unexpired pending attempt of the same channel and kind is
 * handed out again (an h5 link only while it is fresh), so reloading the page does not make new codes; each
 * kind is an attempt of its own, with its own out_trade_no.
 */
export async function startPayment(
  deps: PaymentDeps,
  order: OrderRow,
  channel: PayChannel,
  kind: PayKind = 'qr',
  phone?: PhoneContext,
): Promise<AttemptRow> {
  if (kind === 'h5' && !phone) throw new Error('an h5 payment needs the payer IP and return URL');
  if (order.status !== 'review_passed')
    throw new AppError('CONFLICT', `订单当前状态为“${STATUS_LABEL[order.status as OrderStatus] ?? order.status}”，不能付款，请刷新页面`);
  const price = await priceOf(deps.db, order);
  const now = deps.clock.now();
  const attempt = await deps.db.transaction(async (tx) => {
    const locked = await orderRepository.lockById(tx, order.id);
    if (!locked || locked.status !== 'review_passed') throw new AppError('CONFLICT', '订单状态已变化，请刷新页面');
    const open = (await paymentRepository.attemptsOfOrder(tx, order.id)).find(
      (a) =>
        a.channel === channel &&
        a.kind === kind &&
        a.status === 'pending' &&
        a.codeUrl &&
        a.amountFen === price.amountFen &&
        a.expiresAt.getTime() - now.getTime() > REUSE_MARGIN_MS &&
        (kind === 'qr' || now.getTime() - a.createdAt.getTime() < PHONE_LINK_TTL_MS),
    );
    if (open) return { row: open, fresh: false };
    const row = await paymentRepository.insertAttempt(tx, {
      orderId: order.id,
      channel,
      kind,
      outTradeNo: newOutTradeNo(now),
      amountFen: price.amountFen,
      description: price.description,
      expiresAt: new Date(now.getTime() + ATTEMPT_TTL_MS),
      createdAt: now,
      updatedAt: now,
    });
    return { row, fresh: true };
  });
  if (!attempt.fresh) return attempt.row;
  // After the commit: the row exists before the provider knows the number, so a notice can always find it.
  const a = attempt.row;
  try {
    const req = { outTradeNo: a.outTradeNo, amountFen: a.amountFen, description: a.description, expiresAt: a.expiresAt };
    const provider = deps.providers[channel];
    const codeUrl =
      phone && kind === 'h5' ? (await provider.createForPhone({ ...req, ...phone })).payUrl : (await provider.create(req)).codeUrl;
    return (await paymentRepository.updateAttempt(deps.db, a.id, { codeUrl, updatedAt: deps.clock.now() })) ?? a;
  } catch (e) {
    // The attempt is kept as failed with the provider's reason for staff; the payer reads only what to do.
    const msg = describeError(e);
    await paymentRepository.updateAttempt(
      deps.db,
      a.id,
      { status: 'failed', createError: msg.slice(0, 500), updatedAt: deps.clock.now() },
      'pending',
    );
    throw new OutageError(
      'payment',
      e,
      kind === 'h5'
        ? `打开${channel === 'wechat' ? '微信支付' : '支付宝'}失败，请稍后重试或换一种支付方式`
        : '获取支付二维码失败，请稍后重试或换一种支付方式',
    );
  }
}

export type CompletionSource = 'notify' | 'query';
export type Completion = { accepted: true; outcome: 'paid' | 'already' | 'duplicate_refund' } | { accepted: false; reason: string };

/**
 * The one completion path (notification or active query). Checks the notice against our attempt — known
 * out_trade_no, same channel, paid, the exact amount — and the order (awaiting payment, or already paid by
 * this very transaction), then records it in one transaction. A refusal changes nothing and is audited.
 */
export async function completePayment(
  deps: Pick<PaymentDeps, 'db' | 'clock'>,
  notice: Pick<VerifiedNotice, 'channel' | 'outTradeNo' | 'paid' | 'providerState' | 'transactionId' | 'amountFen' | 'paidAt'>,
  source: CompletionSource,
  meta: { ip?: string } = {},
): Promise<Completion> {
  const now = deps.clock.now();
  const refuse = async (reason: string, detail: Record<string, unknown> = {}, orderId?: string): Promise<Completion> => {
    await auditRepository.record(deps.db, {
      actorType: 'system',
      actorId: null,
      action: 'payment.notice_refused',
      targetType: orderId ? 'order' : 'payment',
      targetId: orderId ?? notice.outTradeNo.slice(0, 64),
      detail: { source, channel: notice.channel, outTradeNo: notice.outTradeNo, transactionId: notice.transactionId, reason, ...detail },
      ip: meta.ip ?? null,
      at: now,
    });
    return { accepted: false, reason };
  };

  const found = await paymentRepository.attemptByOutTradeNo(deps.db, notice.outTradeNo);
  if (!found) return refuse('unknown_out_trade_no');
  if (found.channel !== notice.channel) return refuse('channel_mismatch', { attemptChannel: found.channel }, found.orderId);
  if (!notice.paid) return refuse('not_paid', { providerState: notice.providerState }, found.orderId);
  if (notice.amountFen !== found.amountFen)
    return refuse('amount_mismatch', { expectedFen: found.amountFen, noticeFen: notice.amountFen }, found.orderId);

  type Outcome = Completion | { refuse: string; detail: Record<string, unknown> };
  const outcome: Outcome = await deps.db.transaction(async (tx): Promise<Outcome> => {
    // Order first, then attempt: the same lock order as every other writer of these rows.
    const order = await orderRepository.lockById(tx, found.orderId);
    const attempt = await paymentRepository.attemptByOutTradeNo(tx, notice.outTradeNo, true);
    if (!order || !attempt) return { refuse: 'unknown_order', detail: {} };
    if (attempt.status === 'paid') {
      if (attempt.transactionId === notice.transactionId) return { accepted: true, outcome: 'already' };
      return { refuse: 'attempt_paid_by_other_transaction', detail: { recorded: attempt.transactionId } };
    }
    const prior = await fulfilmentRepository.lastEvent(tx, order.id, PAY_EVENT);
    const priorTx = (prior?.detail as { transactionId?: string } | undefined)?.transactionId;
    const markPaid = () =>
      paymentRepository.updateAttempt(tx, attempt.id, {
        status: 'paid',
        transactionId: notice.transactionId,
        paidFen: notice.amountFen,
        paidAt: notice.paidAt,
        updatedAt: now,
      });
    if (prior && priorTx !== notice.transactionId) {
      // Money arrived for an order already paid by another transaction (the payer scanned both codes):
      // accept it — refusing would make the provider redeliver forever — and refund it in full.
      await markPaid();
      await paymentRepository.insertRefund(tx, {
        attemptId: attempt.id,
        orderId: order.id,
        channel: attempt.channel,
        outRefundNo: `RF${attempt.outTradeNo.slice(2)}`,
        amountFen: notice.amountFen,
        kind: 'duplicate',
        reason: '重复付款，自动退款',
        nextTryAt: now,
        createdAt: now,
      });
      await auditRepository.record(tx, {
        actorType: 'system',
        actorId: null,
        action: 'payment.duplicate_refund',
        targetType: 'order',
        targetId: order.id,
        detail: { channel: attempt.channel, outTradeNo: attempt.outTradeNo, transactionId: notice.transactionId, paidBy: priorTx },
        at: now,
      });
      return { accepted: true, outcome: 'duplicate_refund' };
    }
    if (!prior && order.status !== 'review_passed') return { refuse: 'order_not_awaiting_payment', detail: { status: order.status } };
    // recordPayment runs in this transaction (a savepoint): its lock is the one we already hold.
    await recordPayment(
      { db: tx as unknown as Db },
      order.id,
      { channel: attempt.channel, amountFen: notice.amountFen, transactionId: notice.transactionId },
      now,
    );
    await markPaid();
    const org = await organizationRepository.findById(tx, order.organizationId);
    await enqueueOrderSms(
      tx,
      order,
      'paid',
      { unit: org?.name ?? '', orderNo: order.orderNo, amount: yuan(notice.amountFen), ...paperAddressSmsParams(await paperAddress(tx)) },
      'paid',
      now,
    );
    return { accepted: true, outcome: prior ? 'already' : 'paid' };
  });
  if ('refuse' in outcome) return refuse(outcome.refuse, outcome.detail, found.orderId);
  return outcome;
}

/**
 * Active query of one pending attempt (a late notification): claims the query slot, asks the provider, and
 * completes through completePayment when it says paid. Returns whether the attempt is now paid.
 */
export async function queryAttempt(deps: PaymentDeps, attempt: AttemptRow, log?: { warn(o: object, m: string): void }): Promise<boolean> {
  const now = deps.clock.now();
  if (!(await paymentRepository.claimQuery(deps.db, attempt.id, now, new Date(now.getTime() - QUERY_EVERY_MS)))) return false;
  try {
    const trade = await deps.providers[attempt.channel].query(attempt.outTradeNo);
    if (trade.state !== 'paid' || !trade.transactionId || trade.amountFen === undefined) return false;
    const r = await completePayment(
      deps,
      {
        channel: attempt.channel,
        outTradeNo: attempt.outTradeNo,
        paid: true,
        providerState: 'paid',
        transactionId: trade.transactionId,
        amountFen: trade.amountFen,
        paidAt: trade.paidAt ?? now,
      },
      'query',
    );
    return r.accepted;
  } catch (e) {
    log?.warn({ err: e, outTradeNo: attempt.outTradeNo }, 'payment query failed');
    return false;
  }
}

/** Closes an unpaid attempt at the provider and marks it (expired or closed). A paid one is completed instead. */
export async function closeAttempt(
  deps: PaymentDeps,
  attempt: AttemptRow,
  as: 'expired' | 'closed',
  log?: { warn(o: object, m: string): void },
) {
  const provider = deps.providers[attempt.channel];
  try {
    // Ask first: a payment that landed in the last second must be completed, not closed.
    const trade = await provider.query(attempt.outTradeNo);
    if (trade.state === 'paid' && trade.transactionId && trade.amountFen !== undefined) {
      await completePayment(
        deps,
        {
          channel: attempt.channel,
          outTradeNo: attempt.outTradeNo,
          paid: true,
          providerState: 'paid',
          transactionId: trade.transactionId,
          amountFen: trade.amountFen,
          paidAt: trade.paidAt ?? deps.clock.now(),
        },
        'query',
      );
      return;
    }
    if (trade.state === 'pending') await provider.close(attempt.outTradeNo);
  } catch (e) {
    log?.warn({ err: e, outTradeNo: attempt.outTradeNo }, 'payment close failed; retried next run');
    return;
  }
  await paymentRepository.updateAttempt(deps.db, attempt.id, { status: as, updatedAt: deps.clock.now() }, 'pending');
}

/** What the pay page shows and polls. */
export async function paymentView(deps: PaymentDeps, org: OrganizationRow, order: OrderRow, log?: { warn(o: object, m: string): void }) {
  const now = deps.clock.now();
  let attempts = await paymentRepository.attemptsOfOrder(deps.db, order.id);
  // A late notification: ask the provider (rate-limited per attempt), through the same completion path.
  for (const a of attempts.filter((x) => x.status === 'pending').slice(0, 2)) {
    if (order.status !== 'review_passed' || now.getTime() - a.createdAt.getTime() <= QUERY_AFTER_MS) continue;
    if (await queryAttempt(deps, a, log)) {
      order = (await orderRepository.findById(deps.db, order.id)) ?? order;
      attempts = await paymentRepository.attemptsOfOrder(deps.db, order.id);
      break;
    }
  }
  const paidAttempt = attempts.find((a) => a.status === 'paid');
  const latestOf = (channel: PayChannel, kind: PayKind) => {
    const mine = attempts.filter((x) => x.channel === channel && x.kind === kind);
    const a = mine.find((x) => x.status !== 'failed') ?? mine[0];
    if (!a) return null;
    const linkFresh = kind === 'qr' || now.getTime() - a.createdAt.getTime() < PHONE_LINK_TTL_MS;
    return {
      channel: a.channel,
      kind: a.kind,
      status: a.status === 'pending' && a.expiresAt <= now ? ('expired' as const) : a.status,
      codeUrl: a.status === 'pending' && linkFresh ? a.codeUrl : null,
      expiresAt: a.expiresAt,
      amountFen: a.amountFen,
      createdAt: a.createdAt,
    };
  };
  const price = await priceOf(deps.db, order).catch(() => null);
  const status = order.status as OrderStatus;
  return {
    order: {
      id: order.id,
      orderNo: order.orderNo,
      status,
      statusLabel: STATUS_LABEL[status],
      statusStep: STATUS_STEP[status] ?? null,
      unitName: org.name,
      paidAt: order.paidAt,
    },
    price,
    canPay: status === 'review_passed' && price !== null,
    paid: order.paidAt !== null,
    /** Where the paper originals go next (shown once paid). */
    mailTo: order.paidAt !== null ? await paperAddress(deps.db) : null,
    payment: paidAttempt
      ? {
          channel: paidAttempt.channel,
          kind: paidAttempt.kind,
          amountFen: paidAttempt.paidFen ?? paidAttempt.amountFen,
          transactionId: paidAttempt.transactionId,
          paidAt: paidAttempt.paidAt,
        }
      : null,
    /** QR codes (scanned with a phone). */
    attempts: { wechat: latestOf('wechat', 'qr'), alipay: latestOf('alipay', 'qr') },
    /** Payments in this phone's browser: codeUrl is where to send it (while the link is fresh). */
    phone: { wechat: latestOf('wechat', 'h5'), alipay: latestOf('alipay', 'h5') },
    sandbox: { wechat: deps.providers.wechat.sandbox, alipay: deps.providers.alipay.sandbox },
    now,
  };
}
