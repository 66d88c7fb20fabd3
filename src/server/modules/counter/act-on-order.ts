/** 前台受理, 审核通过, 退回补正资料, 取消办理, 办结 and 制作电子签章 (the steps that record a decision only). */
import { missingMaterials, type CounterAction } from '../../../core/counter.js';
import { AppError } from '../../../core/errors.js';
import type { RequestMeta } from '../deps.js';
import type { StaffActor } from '../staff/staff-accounts.js';
import { applyTransition, checkTransition, staffParty } from '../workflow/engine.js';
import { loadForActor, type CounterDeps } from './counter-access.js';
import { COUNTER_WORKFLOW } from './counter-workflow.js';
import { requestReplacedRevocation } from './replaced-revocation.js';
import type { CounterOrderRow } from './repository.js';

export async function actOnCounterOrder(
  deps: CounterDeps,
  actor: StaffActor,
  id: string,
  action: Exclude<CounterAction, 'produce' | 'pay'>,
  reason: string | undefined,
  meta: RequestMeta,
) {
  const now = deps.clock.now();
  return deps.db.transaction(async (tx) => {
    const order = await loadForActor(tx, actor, id, true);
    const row = checkTransition(COUNTER_WORKFLOW, order, action, staffParty(actor));
    if (row.needsReason && !reason?.trim())
      throw new AppError('VALIDATION_FAILED', `请填写${row.label}的原因`, { fields: { reason: `请填写${row.label}的原因` } });
    let set: Partial<CounterOrderRow> = {};
    let detail: Record<string, unknown> = {};
    if (action === 'accept') {
      const missing = missingMaterials(order.business, order.keyType, Object.keys(order.materials));
      if (missing.length)
        throw new AppError('VALIDATION_FAILED', `资料不齐，不能受理：尚缺 ${missing.join('；')}`, {
          fields: { materials: `尚缺：${missing.join('；')}` },
        });
      // 补办: the lost key's certificate is to be revoked as soon as the request is accepted.
      if (order.business === 'reissue') {
        const requestId = await requestReplacedRevocation(tx, order, actor, now, meta.ip);
        set = { revocationRequestId: requestId };
        detail = { revocationRequestId: requestId };
      }
    }
    return applyTransition(COUNTER_WORKFLOW, tx, order, action, staffParty(actor), now, {
      reason: reason?.trim() || null,
      set,
      detail,
      ip: meta.ip,
    });
  });
}
