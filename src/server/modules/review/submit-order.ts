/**
 * 提交 / 重新提交: the applicant's step that opens a 预审 round. It lives with 预审 (issue 18 item 5): after a
 * rejection it needs the round's verdicts (which failed documents were replaced), and 预审 reads orders, not
 * the other way round.
 */
import { AppError } from '../../../core/errors.js';
import type { Clock } from '../../clock.js';
import type { Db } from '../../db/client.js';
import type { OrganizationRow } from '../accounts/repository.js';
import { catalogRepository } from '../catalog/repository.js';
import type { RequestMeta } from '../deps.js';
import { orderReadiness } from '../orders/order-readiness.js';
import { ORDER_WORKFLOW } from '../orders/order-workflow.js';
import { orderRepository, type OrderRow } from '../orders/repository.js';
import { applyTransition } from '../workflow/engine.js';
import { documentsToReplace, pendingRejection } from './reviews.js';

export async function submitOrder(
  deps: { db: Db; clock: Clock },
  org: OrganizationRow,
  order: OrderRow,
  meta: RequestMeta,
): Promise<OrderRow> {
  const project = await catalogRepository.get(deps.db, order.projectCode);
  if (!project) throw new AppError('NOT_FOUND', '找不到该证书项目');
  const now = deps.clock.now();
  return deps.db.transaction(async (tx) => {
    // Lock and re-read inside the transaction: the guards must judge the same state the status change
    // replaces, and an upload racing with the submit waits for it (uploads lock the same row).
    const current = (await orderRepository.lockById(tx, order.id))!;
    const docs = await orderRepository.currentDocuments(tx, order.id);
    // After a rejection, every failed document must have been replaced (the reviewer judged the old one).
    const toReplace = documentsToReplace(org, current, await pendingRejection(tx, current));
    const r = orderReadiness(current, project, org, docs, () => now, toReplace);
    if (r.missing.length) throw new AppError('CONFLICT', `还不能提交：${r.missing.join('；')}`, { fields: r.problems });
    const action = current.status === 'review_failed' ? 'resubmit' : 'submit';
    // Each submission opens a review round; its event keeps what was submitted (form and documents), so
    // the reviewer of the next round can be shown what changed.
    const round = current.reviewRound + 1;
    return applyTransition(ORDER_WORKFLOW, tx, current, action, { kind: 'applicant', id: org.id }, now, {
      set: { submittedAt: now, reviewRound: round },
      // The audit row names the round; the event keeps the whole submission.
      audit: { round, documents: docs.length },
      ip: meta.ip,
      detail: {
        round,
        formVersion: current.formVersion,
        form: current.form,
        applicationFormIdentity: current.applicationFormPrintedIdentity,
        documents: docs.map((d) => ({ slot: d.slot, id: d.id, sha256: d.sha256 })),
      },
    });
  });
}
