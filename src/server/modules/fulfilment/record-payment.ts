/**
 * 付款: the entry point the payments module calls once it has verified a payment notice (WeChat Pay,
 * Alipay) or a cashier recorded a counter payment. In one transaction: lock the order, move it 资料审核通过 →
 * 正在受理 (等待邮寄纸质资料) as the system, remember when it was paid, and open its invoice task with the
 * 发票信息 of the order form.
 *
 * Payment providers deliver the same notice more than once. The call is idempotent per transaction id: the
 * same transaction again returns the same record and changes nothing; a different transaction for an order
 * already paid is refused (the payments module refunds it), so an order is never paid twice.
 */
import { AppError } from '../../../core/errors.js';
import type { OrderDraft } from '../../../core/order-form.js';
import { formatOrderNumber } from '../../../core/order-number.js';
import type { Db } from '../../db/client.js';
import { invoiceRepository } from '../invoices/repository.js';
import { orderRepository } from '../orders/repository.js';
import { ORDER_WORKFLOW } from '../orders/order-workflow.js';
import { applyTransition } from '../workflow/engine.js';
import { fulfilmentRepository } from './repository.js';

export const PAYMENT_CHANNELS = { wechat: '微信支付', alipay: '支付宝', counter: '现场缴费' } as const;
export type PaymentChannel = keyof typeof PAYMENT_CHANNELS;

export interface PaymentInput {
  channel: PaymentChannel;
  /** What was actually paid, in fen: the invoice is made out for this amount. */
  amountFen: number;
  /** The provider's transaction id (微信支付订单号 / 支付宝交易号) or the counter receipt number. */
  transactionId: string;
}

export interface PaymentRecord extends PaymentInput {
  orderId: string;
  paidAt: Date;
}

const PAY_EVENT = 'order.pay';

function checkInput(p: PaymentInput): void {
  if (!(p.channel in PAYMENT_CHANNELS)) throw new AppError('BAD_REQUEST', '付款方式不正确');
  if (!Number.isSafeInteger(p.amountFen) || p.amountFen <= 0) throw new AppError('BAD_REQUEST', '付款金额不正确');
  if (typeof p.transactionId !== 'string' || !/^[\w.:-]{1,64}$/.test(p.transactionId))
    throw new AppError('BAD_REQUEST', '付款交易号不正确');
}

export async function recordPayment(deps: { db: Db }, orderId: string, payment: PaymentInput, at: Date): Promise<PaymentRecord> {
  checkInput(payment);
  const { channel, amountFen, transactionId } = payment;
  return deps.db.transaction(async (tx) => {
    // The lock serializes two deliveries of the same notice: the second sees the first one's event.
    const order = await orderRepository.lockById(tx, orderId);
    if (!order) throw new AppError('NOT_FOUND', '找不到该订单');
    const prior = await fulfilmentRepository.lastEvent(tx, order.id, PAY_EVENT);
    if (prior) {
      const d = prior.detail as Partial<PaymentInput>;
      if (d.transactionId !== transactionId)
        throw new AppError(
          'CONFLICT',
          `订单${formatOrderNumber(order.orderNo)}已付款（交易号 ${d.transactionId ?? '—'}），本次付款（交易号 ${transactionId}）未记入`,
        );
      return {
        orderId: order.id,
        channel: d.channel as PaymentChannel,
        amountFen: d.amountFen as number,
        transactionId,
        paidAt: order.paidAt ?? prior.at,
      };
    }
    await applyTransition(ORDER_WORKFLOW, tx, order, 'pay', { kind: 'system', id: null }, at, {
      set: { paidAt: at },
      detail: { channel, amountFen, transactionId },
    });
    // Submitted orders always carry the 发票信息 (the submission rules require it).
    const inv = (order.form as OrderDraft).invoice ?? {};
    await invoiceRepository.create(tx, {
      orderId: order.id,
      status: 'waiting',
      amountFen,
      title: inv.title?.trim() ?? '',
      taxNumber: inv.taxNumber?.trim().toUpperCase() ?? '',
      email: inv.email?.trim() ?? '',
      createdAt: at,
    });
    return { orderId: order.id, channel, amountFen, transactionId, paidAt: at };
  });
}
