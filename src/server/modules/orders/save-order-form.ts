/**
 * Saves what the applicant typed, as they go. Any shape-valid draft is stored (nothing typed is lost);
 * the answer lists what still breaks the rules. Saving is compare-and-set on the form version, so a stale
 * tab cannot silently overwrite newer input, and only while the order is editable.
 */
import { AppError } from '../../../core/errors.js';
import { orderFormProblems, type OrderDraft } from '../../../core/order-form.js';
import { OUT_OF_PROVINCE } from '../../../core/requirements.js';
import { EDITABLE, STATUS_LABEL, type OrderStatus } from '../../../core/workflow.js';
import type { Clock } from '../../clock.js';
import type { Db } from '../../db/client.js';
import { legalPersonOf, sameIdentity } from '../../../core/legal-person.js';
import { orderRepository, type OrderRow } from './repository.js';

export async function saveOrderForm(
  deps: { db: Db; clock: Clock },
  order: OrderRow,
  input: { form: OrderDraft; formVersion: number },
): Promise<{ formVersion: number; problems: Record<string, string> }> {
  if (!EDITABLE.includes(order.status as OrderStatus))
    throw new AppError('CONFLICT', `订单状态为“${STATUS_LABEL[order.status as OrderStatus]}”，不能再修改`);
  const now = deps.clock.now();
  const saved = await deps.db.transaction(async (tx) => {
    const row = await orderRepository.saveForm(tx, order.id, input.formVersion, EDITABLE, input.form as Record<string, unknown>, now);
    // 认证成功 vouches for one person: when the legal representative named in the form changes, the
    // verification no longer holds and must be done again (the CAS above guarantees order.form was the
    // version this save replaced).
    if (row && order.legalCheckStatus === 'passed') {
      const before = legalPersonOf(order.form);
      const after = legalPersonOf(input.form);
      if (!before || !after || !sameIdentity(before, after)) {
        await orderRepository.update(tx, order.id, { legalCheckStatus: 'none', legalCheckAt: null });
        await orderRepository.addEvent(tx, {
          orderId: order.id,
          actorType: 'org',
          actorId: order.organizationId,
          action: 'order.legal_check_reset',
          reason: '法定代表人信息已修改，需要重新进行法人核验',
          at: now,
        });
      }
    }
    return row;
  });
  if (!saved) {
    const now = await orderRepository.findById(deps.db, order.id);
    if (now && !EDITABLE.includes(now.status as OrderStatus)) throw new AppError('CONFLICT', '订单已提交，不能再修改');
    throw new AppError('CONFLICT', '订单已在其他窗口修改过，请刷新页面后再继续填写', {
      fields: { formVersion: String(now?.formVersion ?? '') },
    });
  }
  return {
    formVersion: saved.formVersion,
    problems: orderFormProblems(input.form, { outOfProvince: order.projectCode === OUT_OF_PROVINCE, today: () => deps.clock.now() }),
  };
}
