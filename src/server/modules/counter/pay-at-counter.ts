/** 现场缴费并领取: the catalog price taken at the counter against a receipt number, and the certificate handed over. */
import { COUNTER_PAY_CHANNELS, type CounterPayChannel } from '../../../core/counter.js';
import { AppError } from '../../../core/errors.js';
import { fenToYuanText } from '../../../core/money.js';
import type { RequestMeta } from '../deps.js';
import type { StaffActor } from '../staff/staff-accounts.js';
import { applyTransition, checkTransition, staffParty } from '../workflow/engine.js';
import { loadForActor, type CounterDeps } from './counter-access.js';
import { priceOf } from './counter-queries.js';
import { COUNTER_WORKFLOW } from './counter-workflow.js';
import { requestReplacedRevocation } from './replaced-revocation.js';
import { counterRepository } from './repository.js';

export async function payAtCounter(
  deps: CounterDeps,
  actor: StaffActor,
  id: string,
  input: { channel: CounterPayChannel; receiptNo: string; amountFen: number; oldUkeyReturned?: boolean },
  meta: RequestMeta,
) {
  const now = deps.clock.now();
  return deps.db.transaction(async (tx) => {
    const order = await loadForActor(tx, actor, id, true);
    checkTransition(COUNTER_WORKFLOW, order, 'pay', staffParty(actor));
    const price = await priceOf(tx, order);
    if (price === null) throw new AppError('CONFLICT', '该项目价格尚未由管理员确定，不能收款');
    if (input.amountFen !== price)
      throw new AppError('VALIDATION_FAILED', '金额与目录价格不符', {
        fields: { amountFen: `应收金额为 ${fenToYuanText(price)} 元（目录价格）` },
      });
    let materials = order.materials;
    let revocationRequestId = order.revocationRequestId;
    if (order.business === 'change') {
      if (!input.oldUkeyReturned)
        throw new AppError('VALIDATION_FAILED', '请先收回原有的 UKEY', {
          fields: { oldUkeyReturned: '变更须交回原有的数字证书（UKEY）后才能领取新证书' },
        });
      materials = { ...materials, 'old-ukey': materials['old-ukey'] ?? { at: now.toISOString(), by: actor.id } };
      // The old UKEY is back: its certificate is to be revoked now.
      revocationRequestId = (await requestReplacedRevocation(tx, order, actor, now, meta.ip)) ?? revocationRequestId;
    }
    const payment = await counterRepository.insertPayment(tx, {
      counterOrderId: order.id,
      officeCode: order.officeCode,
      channel: input.channel,
      amountFen: price,
      receiptNo: input.receiptNo,
      paidAt: now,
      recordedBy: actor.id,
    });
    if (!payment)
      throw new AppError('VALIDATION_FAILED', '该收据号已使用', { fields: { receiptNo: '该收据号已用于另一笔缴费，请核对收据' } });
    return applyTransition(COUNTER_WORKFLOW, tx, order, 'pay', staffParty(actor), now, {
      set: { materials, revocationRequestId },
      detail: { channel: input.channel, channelName: COUNTER_PAY_CHANNELS[input.channel], amountFen: price, receiptNo: input.receiptNo },
      ip: meta.ip,
    });
  });
}
