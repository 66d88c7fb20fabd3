/**
 * Reading 预审 back: a recorded round (its decision, order-level reason and per-document verdicts), and
 * what a rejection means for the applicant — which slots may be replaced ("the applicant fixes only what
 * failed") and which failed documents are still the ones that were judged.
 */
import type { OrderDraft } from '../../../core/order-form.js';
import type { UnitType } from '../../../core/unit-types.js';
import { uploadSlots, type UploadSlot } from '../../../core/requirements.js';
import type { DbOrTx } from '../../db/client.js';
import type { OrganizationRow } from '../accounts/repository.js';
import { applicationFormIdentity } from '../orders/order-readiness.js';
import { orderRepository, type OrderDocumentRow, type OrderEventRow, type OrderRow } from '../orders/repository.js';
import { reviewRepository } from './repository.js';

export type Verdict = 'pass' | 'fail';
export type Decision = 'approve' | 'reject';

export interface DocumentVerdict {
  verdict: Verdict;
  reasons: string[];
  note: string | null;
  documentId: string;
}

export interface RecordedReview {
  round: number;
  decision: Decision;
  at: Date;
  orderReason: string | null;
  reviewerId: string;
  documents: Record<string, DocumentVerdict>;
}

/** The order's upload slots as its project, key type and unit type define them. */
export function slotsOf(order: Pick<OrderRow, 'projectCode' | 'keyType' | 'form'>): UploadSlot[] {
  const unitType = (order.form as OrderDraft).unit?.unitType as UnitType | undefined;
  return uploadSlots({ projectCode: order.projectCode, keyType: order.keyType, unitType });
}

export const slotLabel = (slots: readonly UploadSlot[], code: string): string => slots.find((s) => s.code === code)?.label ?? code;

/** One recorded round, or null when that round was not reviewed. */
export async function loadReview(db: DbOrTx, orderId: string, round: number): Promise<RecordedReview | null> {
  const rows = await reviewRepository.verdicts(db, orderId, round);
  if (!rows.length) return null;
  const event = await reviewRepository.decisionEvent(db, orderId, round);
  const detail = (event?.detail ?? {}) as { orderReason?: string | null };
  return {
    round,
    decision: event
      ? event.action === 'order.approve'
        ? 'approve'
        : 'reject'
      : rows.some((r) => r.verdict === 'fail')
        ? 'reject'
        : 'approve',
    at: event?.at ?? rows[0]!.at,
    orderReason: detail.orderReason ?? null,
    reviewerId: rows[0]!.reviewerId,
    documents: Object.fromEntries(
      rows.map((r) => [r.slot, { verdict: r.verdict, reasons: r.reasons, note: r.note, documentId: r.documentId }]),
    ),
  };
}

/** The most recent review of the order (any round), or null before the first. */
export async function latestReview(db: DbOrTx, orderId: string): Promise<RecordedReview | null> {
  const round = await reviewRepository.lastReviewedRound(db, orderId);
  return round === null ? null : loadReview(db, orderId, round);
}

/** The submission event that opened a round (tagged with its round; before tagging, the n-th submission). */
export async function submissionOf(db: DbOrTx, orderId: string, round: number): Promise<OrderEventRow | undefined> {
  const all = await reviewRepository.submissions(db, orderId);
  return all.find((e) => (e.detail as { round?: number }).round === round) ?? all[round - 1];
}

/** A rejection the applicant is answering, with what the judged application form printed. */
export interface Rejection {
  review: RecordedReview;
  /**
   * applicationFormIdentity of the form printed when the round was submitted: when the order's data now
   * prints differently, the judged application form is out of date and must be replaced too. Undefined
   * for submissions recorded before this was kept.
   */
  submittedFormIdentity: string | null | undefined;
}

/**
 * The rejection of the order's current round while the order is 资料审核失败; null otherwise (and for an
 * order put into that status without a recorded review). `latest`: the latest review, if already loaded.
 */
export async function pendingRejection(db: DbOrTx, order: OrderRow, latest?: RecordedReview | null): Promise<Rejection | null> {
  if (order.status !== 'review_failed') return null;
  const review = latest !== undefined && latest?.round === order.reviewRound ? latest : await loadReview(db, order.id, order.reviewRound);
  if (review?.decision !== 'reject') return null;
  const submitted = await submissionOf(db, order.id, review.round);
  const detail = (submitted?.detail ?? {}) as { applicationFormIdentity?: string | null };
  return { review, submittedFormIdentity: detail.applicationFormIdentity };
}

/**
 * The judged documents that must be replaced before resubmitting: every failed one, and the application
 * form when what it prints changed since the judged one was printed (a form edit, a staff correction of
 * the unit name). Each with the document id the reviewer saw: a new upload replaces it.
 */
export function documentsToReplace(
  org: Pick<OrganizationRow, 'name' | 'uscc'>,
  order: OrderRow,
  rejection: Rejection | null,
): { slot: string; documentId: string }[] {
  if (!rejection) return [];
  const out = Object.entries(rejection.review.documents)
    .filter(([, v]) => v.verdict === 'fail')
    .map(([slot, v]) => ({ slot, documentId: v.documentId }));
  const judgedForm = rejection.review.documents['application-form'];
  const printsNow = applicationFormIdentity(org, order);
  const changed =
    rejection.submittedFormIdentity === undefined
      ? order.applicationFormPrintedIdentity !== printsNow
      : rejection.submittedFormIdentity !== printsNow;
  if (changed && judgedForm && !out.some((d) => d.slot === 'application-form'))
    out.push({ slot: 'application-form', documentId: judgedForm.documentId });
  return out;
}

/**
 * Which slots the applicant may upload to now. Null = no restriction (a draft). After a rejection: the
 * documents to replace (above) and any slot still without a file (a change of unit type can add one).
 */
export function replaceableSlots(
  org: Pick<OrganizationRow, 'name' | 'uscc'>,
  order: OrderRow,
  docs: readonly OrderDocumentRow[],
  rejection: Rejection | null,
): Set<string> | null {
  if (!rejection) return null;
  const allowed = new Set(documentsToReplace(org, order, rejection).map((d) => d.slot));
  for (const s of slotsOf(order)) if (!docs.some((d) => d.slot === s.code)) allowed.add(s.code);
  return allowed;
}

/** The slots the applicant may replace, loaded (the upload guard's question). */
export async function loadReplaceableSlots(
  db: DbOrTx,
  org: Pick<OrganizationRow, 'name' | 'uscc'>,
  order: OrderRow,
): Promise<Set<string> | null> {
  const rejection = await pendingRejection(db, order);
  if (!rejection) return null;
  return replaceableSlots(org, order, await orderRepository.currentDocuments(db, order.id), rejection);
}
