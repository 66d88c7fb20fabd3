/**
 * Paying for an online renewal: WeChat Pay (Native) or Alipay (当面付) through the same provider adapters as an
 * order's payment (modules/payments; the sandbox speaks both protocols in tests), for the catalog price of
 * the certificate's project and key, read on the server.
 *
 * A renewal's attempts live in renewal_payments, their out_trade_no starting with RN: the providers'
 * notifications come to the same notify routes as an order's (routes/payments.ts hands RN numbers here), and
 * the page's poll asks the provider about a late one. Completion is one transaction: lock the renewal, lock
 * the attempt, check channel, state and the exact amount, mark the attempt paid and move the renewal
 * proven → paid (compare-and-set, event + audit). The same transaction again changes nothing. A second
 * payment for a renewal already paid is accepted (the money arrived) and left for 财务 to refund, audited.
 */
import { randomBytes } from 'node:crypto';
import { AppError, OutageError } from '../../../core/errors.js';
import type { PayChannel, VerifiedNotice } from '../../adapters/payment/port.js';
import type { OrganizationRow } from '../accounts/repository.js';
import { auditRepository } from '../audit/repository.js';
import type { RequestMeta } from '../deps.js';
import { ATTEMPT_TTL_MS, priceOf, type PaymentDeps } from '../payments/payments.js';
import { renewalRepository, type RenewalPaymentRow } from './repository.js';
import { renewalOf } from './renewal.js';
import { certificateRepository } from '../certificates/repository.js';

/** Out trade numbers of renewals: RN + time + random (≤ 32 chars, [0-9A-Za-z]). */
export const RENEWAL_TRADE_PREFIX = 'RN';
export const isRenewalTrade = (outTradeNo: string) => outTradeNo.startsWith(RENEWAL_TRADE_PREFIX);

/** A pending attempt is asked about at the provider when the page polls, at most this often. */
export const RENEWAL_QUERY_EVERY_MS = 5_000;
const REUSE_MARGIN_MS = 60_000;

function newOutTradeNo(now: Date): string {
  return `${RENEWAL_TRADE_PREFIX}${now.toISOString().replace(/\D/g, '').slice(0, 14)}${randomBytes(8).toString('hex')}`;
}

/** Starts (or hands out again) the QR code of a channel for a renewal whose UKEY has been checked. */
export async function startRenewalPayment(
  deps: PaymentDeps,
  org: OrganizationRow,
  id: string,
  channel: PayChannel,
  meta: RequestMeta,
): Promise<RenewalPaymentRow> {
  const renewal = await renewalOf(deps, org, id);
  if (renewal.status !== 'proven')
    throw new AppError('CONFLICT', renewal.status === 'started' ? '请先核验 UKEY，再付款' : '该续费已付款，请刷新页面继续');
  const cert = await certificateRepository.findById(deps.db, renewal.certificateId);
  if (!cert) throw new AppError('NOT_FOUND', '找不到该续费记录的证书');
  const price = await priceOf(deps.db, cert);
  const now = deps.clock.now();
  const made = await deps.db.transaction(async (tx) => {
    const locked = await renewalRepository.findById(tx, id, true);
    if (!locked || locked.status !== 'proven') throw new AppError('CONFLICT', '续费状态已变化，请刷新页面');
    const open = (await renewalRepository.paymentsOf(tx, id)).find(
      (p) =>
        p.channel === channel &&
        p.status === 'pending' &&
        p.codeUrl &&
        p.amountFen === price.amountFen &&
        p.expiresAt.getTime() - now.getTime() > REUSE_MARGIN_MS,
    );
    if (open) return { row: open, fresh: false };
    const row = await renewalRepository.insertPayment(tx, {
      renewalId: id,
      channel,
      outTradeNo: newOutTradeNo(now),
      amountFen: price.amountFen,
      description: `${price.description.slice(0, 30)}续费`,
      expiresAt: new Date(now.getTime() + ATTEMPT_TTL_MS),
      createdAt: now,
      updatedAt: now,
    });
    await auditRepository.record(tx, {
      actorType: 'org',
      actorId: org.id,
      action: 'renewal.pay_start',
      targetType: 'renewal',
      targetId: id,
      detail: { channel, outTradeNo: row.outTradeNo, amountFen: row.amountFen },
      ip: meta.ip,
      at: now,
    });
    return { row, fresh: true };
  });
  if (!made.fresh) return made.row;
  // After the commit: the row exists before the provider knows the number, so a notice can always find it.
  const a = made.row;
  try {
    const { codeUrl } = await deps.providers[channel].create({
      outTradeNo: a.outTradeNo,
      amountFen: a.amountFen,
      description: a.description,
      expiresAt: a.expiresAt,
    });
    return (await renewalRepository.updatePayment(deps.db, a.id, { codeUrl, updatedAt: deps.clock.now() })) ?? a;
  } catch (e) {
    await renewalRepository.updatePayment(deps.db, a.id, { status: 'failed', updatedAt: deps.clock.now() }, 'pending');
    // The provider's reason is logged with the cause; the payer reads only what to do.
    throw new OutageError('payment', e, '获取支付二维码失败，请稍后重试或换一种支付方式');
  }
}

export type RenewalCompletion = { accepted: true; outcome: 'paid' | 'already' | 'duplicate' } | { accepted: false; reason: string };

/** The one completion path of a renewal's payment (notification or active query). */
export async function completeRenewalPayment(
  deps: Pick<PaymentDeps, 'db' | 'clock'>,
  notice: Pick<VerifiedNotice, 'channel' | 'outTradeNo' | 'paid' | 'providerState' | 'transactionId' | 'amountFen' | 'paidAt'>,
  source: 'notify' | 'query',
  meta: { ip?: string } = {},
): Promise<RenewalCompletion> {
  const now = deps.clock.now();
  const refuse = async (reason: string, renewalId?: string): Promise<RenewalCompletion> => {
    await auditRepository.record(deps.db, {
      actorType: 'system',
      actorId: null,
      action: 'payment.notice_refused',
      targetType: renewalId ? 'renewal' : 'payment',
      targetId: renewalId ?? notice.outTradeNo.slice(0, 64),
      detail: { source, channel: notice.channel, outTradeNo: notice.outTradeNo, transactionId: notice.transactionId, reason },
      ip: meta.ip ?? null,
      at: now,
    });
    return { accepted: false, reason };
  };
  const found = await renewalRepository.paymentByOutTradeNo(deps.db, notice.outTradeNo);
  if (!found) return refuse('unknown_out_trade_no');
  if (found.channel !== notice.channel) return refuse('channel_mismatch', found.renewalId);
  if (!notice.paid) return refuse('not_paid', found.renewalId);
  if (notice.amountFen !== found.amountFen) return refuse('amount_mismatch', found.renewalId);

  const outcome = await deps.db.transaction(async (tx): Promise<RenewalCompletion | { refuse: string }> => {
    // Renewal first, then attempt: the lock order of startRenewalPayment.
    const renewal = await renewalRepository.findById(tx, found.renewalId, true);
    const attempt = await renewalRepository.paymentByOutTradeNo(tx, notice.outTradeNo, true);
    if (!renewal || !attempt) return { refuse: 'unknown_renewal' };
    if (attempt.status === 'paid')
      return attempt.transactionId === notice.transactionId
        ? { accepted: true, outcome: 'already' }
        : { refuse: 'attempt_paid_by_other_transaction' };
    await renewalRepository.updatePayment(tx, attempt.id, {
      status: 'paid',
      transactionId: notice.transactionId,
      paidFen: notice.amountFen,
      paidAt: notice.paidAt,
      updatedAt: now,
    });
    const moved = await renewalRepository.move(tx, renewal.id, 'proven', 'paid', { paidAt: notice.paidAt }, now);
    const detail = {
      channel: attempt.channel,
      outTradeNo: attempt.outTradeNo,
      transactionId: notice.transactionId,
      amountFen: notice.amountFen,
      source,
    };
    if (!moved) {
      // Money for a renewal already paid (both codes scanned) or moved on: accepted, and 财务 refunds it.
      await auditRepository.record(tx, {
        actorType: 'system',
        actorId: null,
        action: 'renewal.duplicate_payment',
        targetType: 'renewal',
        targetId: renewal.id,
        detail: { ...detail, status: renewal.status },
        at: now,
      });
      return { accepted: true, outcome: 'duplicate' };
    }
    await renewalRepository.addEvent(tx, {
      renewalId: renewal.id,
      actorType: 'system',
      actorId: null,
      action: 'renewal.pay',
      fromStatus: 'proven',
      toStatus: 'paid',
      detail,
      at: now,
    });
    await auditRepository.record(tx, {
      actorType: 'system',
      actorId: null,
      action: 'renewal.pay',
      targetType: 'renewal',
      targetId: renewal.id,
      detail: { from: 'proven', to: 'paid', ...detail },
      at: now,
    });
    return { accepted: true, outcome: 'paid' };
  });
  if ('refuse' in outcome) return refuse(outcome.refuse, found.renewalId);
  return outcome;
}

/** A late notification: the page's poll asks the provider about the renewal's pending codes (rate-limited). */
export async function queryRenewalPayments(deps: PaymentDeps, renewalId: string, log?: { warn(o: object, m: string): void }) {
  const now = deps.clock.now();
  for (const a of await renewalRepository.pendingPayments(deps.db, renewalId)) {
    if (!(await renewalRepository.claimQuery(deps.db, a.id, now, new Date(now.getTime() - RENEWAL_QUERY_EVERY_MS)))) continue;
    try {
      const trade = await deps.providers[a.channel].query(a.outTradeNo);
      if (trade.state !== 'paid' || !trade.transactionId || trade.amountFen === undefined) continue;
      await completeRenewalPayment(
        deps,
        {
          channel: a.channel,
          outTradeNo: a.outTradeNo,
          paid: true,
          providerState: 'paid',
          transactionId: trade.transactionId,
          amountFen: trade.amountFen,
          paidAt: trade.paidAt ?? now,
        },
        'query',
      );
    } catch (e) {
      log?.warn({ err: e, outTradeNo: a.outTradeNo }, 'renewal payment query failed');
    }
  }
}
