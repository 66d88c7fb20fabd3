/**
 * The applicant's view of an order: everything the order page shows, nothing staff-only. A read view over
 * several modules (orders, review, fulfilment, catalog), so it lives in a query module of its own that only
 * routes import (issue 18 item 5): the modules it reads do not depend back on it.
 */
import { formatOrderNumber } from '../../../core/order-number.js';
import { KEY_LABEL } from '../../../core/requirements.js';
import { adviceFor } from '../../../core/review-reasons.js';
import { availableActions, EDITABLE, STATUS_LABEL, STATUS_MEANING, STATUS_STEP, type OrderStatus } from '../../../core/workflow.js';
import type { Clock } from '../../clock.js';
import type { Db } from '../../db/client.js';
import type { OrganizationRow } from '../accounts/repository.js';
import { catalogRepository } from '../catalog/repository.js';
import { applicantFulfilment } from '../fulfilment/fulfilment-view.js';
import { documentsToReplace, latestReview, pendingRejection, replaceableSlots, type RecordedReview } from '../review/reviews.js';
import { legalToken } from '../orders/legal-token.js';
import { orderReadiness } from '../orders/order-readiness.js';
import { orderRepository, type OrderRow } from '../orders/repository.js';

export function orderSummary(o: OrderRow, projectName: string) {
  const status = o.status as OrderStatus;
  return {
    id: o.id,
    orderNo: o.orderNo,
    orderNoDisplay: formatOrderNumber(o.orderNo),
    status,
    statusLabel: STATUS_LABEL[status],
    /** The step inside 正在受理, e.g. 等待邮寄纸质资料 (null elsewhere). */
    statusStep: STATUS_STEP[status] ?? null,
    projectCode: o.projectCode,
    projectName,
    keyType: o.keyType,
    keyLabel: KEY_LABEL[o.keyType],
    createdAt: o.createdAt,
    submittedAt: o.submittedAt,
    updatedAt: o.updatedAt,
  };
}

/**
 * The latest 预审 round as the applicant sees it: decision, order-level reason and each document's verdict
 * with the reasons and note (and what to do about each preset reason) — not who reviewed, nor which file.
 */
export function applicantReview(r: RecordedReview | null) {
  if (!r) return null;
  return {
    round: r.round,
    decision: r.decision,
    at: r.at,
    orderReason: r.orderReason,
    documents: Object.fromEntries(
      Object.entries(r.documents).map(([slot, v]) => [
        slot,
        {
          verdict: v.verdict,
          reasons: v.reasons,
          note: v.note,
          advice: v.reasons.map(adviceFor).filter((a): a is string => !!a),
        },
      ]),
    ),
  };
}

function prefilledFrom(events: { action: string; detail: unknown }[]): string | null {
  const detail = events.find((e) => e.action === 'order.create')?.detail as { prefilledFrom?: string } | null | undefined;
  return detail?.prefilledFrom ? formatOrderNumber(detail.prefilledFrom) : null;
}

export async function applicantOrderView(
  deps: { db: Db; clock: Clock; secret: string },
  org: OrganizationRow,
  order: OrderRow,
  baseUrl: string,
) {
  const project = (await catalogRepository.get(deps.db, order.projectCode))!;
  const docs = await orderRepository.currentDocuments(deps.db, order.id);
  const events = await orderRepository.events(deps.db, order.id, true);
  const lastCheck = await orderRepository.latestFinishedLegalCheck(deps.db, order.id);
  const review = await latestReview(deps.db, order.id);
  // The rejection being answered: only the current round's, while the order is 资料审核失败.
  const rejection = await pendingRejection(deps.db, order, review);
  const r = orderReadiness(order, project, org, docs, () => deps.clock.now(), documentsToReplace(org, order, rejection));
  const replaceable = replaceableSlots(org, order, docs, rejection);
  const status = order.status as OrderStatus;
  const key = project.keys.find((k) => k.keyType === order.keyType);
  const live = status !== 'deleted' && status !== 'cancelled';
  return {
    order: {
      ...orderSummary(order, project.name),
      statusMeaning: STATUS_MEANING[status],
      priceFen: key?.priceFen ?? null,
      form: order.form,
      formVersion: order.formVersion,
      editable: EDITABLE.includes(status),
      /** The order number whose form this one was prefilled from (a second order), so the page can say so. */
      prefilledFrom: prefilledFrom(events),
    },
    organization: { name: org.name, uscc: org.uscc },
    project: {
      code: project.code,
      name: project.name,
      purpose: project.purpose,
      legalCheckRequired: project.legalCheckRequired,
      productionWorkingDays: project.productionWorkingDays,
    },
    slots: r.slots.map((s) => ({
      code: s.code,
      label: s.label,
      template: s.template ?? null,
      /** May a file be uploaded into this slot now (editable order; after a rejection, only what failed). */
      canUpload: EDITABLE.includes(status) && (!replaceable || replaceable.has(s.code)),
      uploaded: s.uploaded
        ? {
            id: s.uploaded.id,
            uploadedAt: s.uploaded.uploadedAt,
            bytes: s.uploaded.bytes,
            width: s.uploaded.width,
            height: s.uploaded.height,
            originalName: s.uploaded.originalName,
          }
        : null,
    })),
    problems: r.problems,
    missing: r.missing,
    review: applicantReview(review),
    applicationFormStale: r.applicationFormStale,
    legalCheck: {
      required: r.legalCheckRequired,
      status: order.legalCheckStatus,
      at: order.legalCheckAt,
      lastFailure: lastCheck?.status === 'failed' ? lastCheck.failureReason : null,
      // The QR target: only while the order lives (a deleted order's code is dead).
      url: live ? `${baseUrl}/v/${legalToken(deps.secret, order.id, order.legalCheckNonce)}` : null,
    },
    actions: availableActions(status, { kind: 'applicant' }).map((t) => ({ action: t.action, label: t.label })),
    events: events.map((e) => ({
      id: e.id,
      action: e.action,
      fromStatus: e.fromStatus,
      toStatus: e.toStatus,
      toStatusLabel: e.toStatus ? (STATUS_LABEL[e.toStatus as OrderStatus] ?? e.toStatus) : null,
      reason: e.reason,
      at: e.at,
    })),
    // After payment: paper originals and tracking numbers, the recipient and the outbound waybill, the invoice.
    ...(await applicantFulfilment(deps.db, order)),
  };
}
