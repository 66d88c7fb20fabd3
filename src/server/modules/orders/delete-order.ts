/** 删除订单: the applicant's step that ends a draft or a rejected order (the record is kept). */
import type { Clock } from '../../clock.js';
import type { Db } from '../../db/client.js';
import type { OrganizationRow } from '../accounts/repository.js';
import type { RequestMeta } from '../deps.js';
import { applyTransition } from '../workflow/engine.js';
import { ORDER_WORKFLOW } from './order-workflow.js';
import type { OrderRow } from './repository.js';

export async function deleteOrder(
  deps: { db: Db; clock: Clock },
  org: OrganizationRow,
  order: OrderRow,
  meta: RequestMeta,
): Promise<OrderRow> {
  const now = deps.clock.now();
  return deps.db.transaction((tx) =>
    applyTransition(ORDER_WORKFLOW, tx, order, 'delete', { kind: 'applicant', id: org.id }, now, { set: { deletedAt: now }, ip: meta.ip }),
  );
}
