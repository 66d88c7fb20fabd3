/**
 * 证书接收人 (seed 001: "证书寄回的邮寄地址一定要根据实际收件人情况填写"; the recipient is "editable later"):
 * until the key is shipped, the applicant may change who receives it, and staff may correct it (受理 taking
 * a call, 发放 about to ship, or an administrator) with a reason that stays on the staff side. Either change
 * bumps the form version, so a form editor opened before it must reload rather than write the old
 * recipient back.
 */
import { AppError } from '../../../core/errors.js';
import type { Recipient } from '../../../core/fulfilment.js';
import type { OrderDraft } from '../../../core/order-form.js';
import { RECIPIENT_EDITABLE, statusName, type OrderStatus } from '../../../core/workflow.js';
import type { Clock } from '../../clock.js';
import type { Db } from '../../db/client.js';
import type { OrganizationRow } from '../accounts/repository.js';
import { auditRepository } from '../audit/repository.js';
import type { RequestMeta } from '../deps.js';
import { orderRepository, type OrderRow } from '../orders/repository.js';
import type { StaffActor } from '../staff/staff-accounts.js';

export type RecipientChange =
  { by: 'applicant'; org: OrganizationRow } | { by: 'staff'; actor: StaffActor; reason: string; meta: RequestMeta };

export async function changeRecipient(
  deps: { db: Db; clock: Clock },
  orderId: string,
  recipient: Recipient,
  who: RecipientChange,
): Promise<OrderRow> {
  const now = deps.clock.now();
  return deps.db.transaction(async (tx) => {
    const order = await orderRepository.lockById(tx, orderId);
    if (!order) throw new AppError('NOT_FOUND', '找不到该订单');
    if (!RECIPIENT_EDITABLE.includes(order.status as OrderStatus))
      throw new AppError(
        'CONFLICT',
        order.status === 'shipped'
          ? '证书已寄出（已发放），不能再修改收件人'
          : `订单当前状态为“${statusName(order.status)}”，不能修改收件人`,
      );
    const form = order.form as OrderDraft;
    const before = form.recipient ?? null;
    const after = { name: recipient.name, mobile: recipient.mobile, address: recipient.address };
    await orderRepository.update(tx, order.id, { form: { ...form, recipient: after }, formVersion: order.formVersion + 1, updatedAt: now });
    const staff = who.by === 'staff';
    await orderRepository.addEvent(tx, {
      orderId: order.id,
      actorType: staff ? 'staff' : 'org',
      actorId: staff ? who.actor.id : who.org.id,
      action: staff ? 'order.recipient_correct' : 'order.recipient_change',
      reason: staff ? who.reason : null,
      detail: { before, after },
      // The applicant sees their own change in the timeline; a staff correction and its reason stay staff-side.
      public: !staff,
      at: now,
    });
    if (who.by === 'staff')
      await auditRepository.record(tx, {
        actorType: 'staff',
        actorId: who.actor.id,
        action: 'order.recipient_correct',
        targetType: 'order',
        targetId: order.id,
        detail: { orderNo: order.orderNo, reason: who.reason, before, after },
        ip: who.meta.ip,
        at: now,
      });
    return (await orderRepository.findById(tx, order.id))!;
  });
}
