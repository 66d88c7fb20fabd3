/** 核对资料清单: the clerk ticks the materials received; each tick keeps who ticked it and when. */
import { COUNTER_STATUS_LABEL, counterMaterials, type CounterStatus } from '../../../core/counter.js';
import { AppError } from '../../../core/errors.js';
import type { StaffRole } from '../../../core/schemas.js';
import { auditRepository } from '../audit/repository.js';
import type { RequestMeta } from '../deps.js';
import type { StaffActor } from '../staff/staff-accounts.js';
import { loadForActor, type CounterDeps } from './counter-access.js';
import { counterRepository, type CounterOrderRow } from './repository.js';

export async function tickMaterials(deps: CounterDeps, actor: StaffActor, id: string, ticked: string[], meta: RequestMeta) {
  const now = deps.clock.now();
  return deps.db.transaction(async (tx) => {
    const order = await loadForActor(tx, actor, id, true);
    if (order.status === 'completed' || order.status === 'cancelled')
      throw new AppError('CONFLICT', `该业务${COUNTER_STATUS_LABEL[order.status as CounterStatus]}，资料清单不能再修改`);
    if (!actor.roles.some((r) => (['受理', '制证', '管理员'] as StaffRole[]).includes(r)))
      throw new AppError('FORBIDDEN', '核对资料需要以下角色之一：受理、制证、管理员');
    const list = counterMaterials(order.business, order.keyType);
    const unknown = ticked.filter((c) => !list.some((m) => m.code === c));
    if (unknown.length)
      throw new AppError('VALIDATION_FAILED', '资料清单不正确', { fields: { ticked: '请只勾选本业务的资料清单中的项目' } });
    const next: CounterOrderRow['materials'] = {};
    for (const m of list) if (ticked.includes(m.code)) next[m.code] = order.materials[m.code] ?? { at: now.toISOString(), by: actor.id };
    const updated = await counterRepository.setMaterials(tx, order.id, order.status, next, now);
    if (!updated) throw new AppError('CONFLICT', '该业务已被其他人处理，请刷新页面');
    await counterRepository.insertEvent(tx, {
      counterOrderId: order.id,
      actorId: actor.id,
      action: 'materials',
      fromStatus: order.status,
      toStatus: order.status,
      detail: { ticked: Object.keys(next) },
      at: now,
    });
    await auditRepository.record(tx, {
      actorType: 'staff',
      actorId: actor.id,
      action: 'counter.materials',
      targetType: 'counter_order',
      targetId: order.id,
      detail: { orderNo: order.orderNo, ticked: Object.keys(next) },
      ip: meta.ip,
      at: now,
    });
    return updated;
  });
}
