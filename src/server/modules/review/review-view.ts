/**
 * What the reviewer sees before judging: the round, the documents to judge with their preset reasons, the
 * previous round's verdicts, and what changed since then — which documents were replaced and which form
 * fields were edited ("the reviewer sees what changed").
 */
import { AppError } from '../../../core/errors.js';
import { ORDER_REVIEW_REASONS, reasonsForDocument } from '../../../core/review-reasons.js';
import type { DbOrTx } from '../../db/client.js';
import { orderRepository } from '../orders/repository.js';
import { staffRepository } from '../staff/repository.js';
import { reviewRepository } from './repository.js';
import { loadReview, slotsOf, submissionOf, type RecordedReview } from './reviews.js';

/** Leaf values of a form by dotted path ("agent.mobile"); strings compared as typed, less outer spaces. */
function leaves(value: unknown, prefix = '', out = new Map<string, string>()): Map<string, string> {
  if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
    for (const [k, v] of Object.entries(value as Record<string, unknown>)) leaves(v, prefix ? `${prefix}.${k}` : k, out);
  } else if (value !== undefined && value !== null) {
    const text = typeof value === 'string' ? value.trim() : JSON.stringify(value);
    if (text !== '') out.set(prefix, text);
  }
  return out;
}

/** The dotted paths whose value differs between two forms (added, removed or changed), sorted. */
export function formDiff(before: unknown, after: unknown): string[] {
  const a = leaves(before);
  const b = leaves(after);
  return [...new Set([...a.keys(), ...b.keys()])].filter((k) => a.get(k) !== b.get(k)).sort();
}

async function withReviewer(db: DbOrTx, r: RecordedReview | null) {
  if (!r) return null;
  const s = await staffRepository.findById(db, r.reviewerId);
  return {
    round: r.round,
    decision: r.decision,
    at: r.at,
    orderReason: r.orderReason,
    reviewerName: s?.displayName ?? null,
    documents: r.documents,
  };
}

export async function staffReviewView(db: DbOrTx, orderId: string) {
  const order = await orderRepository.findById(db, orderId);
  if (!order) throw new AppError('NOT_FOUND', '找不到该订单');
  const round = order.reviewRound;
  const docs = await orderRepository.currentDocuments(db, order.id);
  const slots = slotsOf(order);
  const current = round > 0 ? await loadReview(db, order.id, round) : null;
  const previousRound = await reviewRepository.lastReviewedRound(db, order.id, Math.max(round, 1));
  const previous = previousRound === null ? null : await loadReview(db, order.id, previousRound);

  const changedSlots = previous
    ? slots
        .filter(
          (s) => docs.some((d) => d.slot === s.code) && docs.find((d) => d.slot === s.code)!.id !== previous.documents[s.code]?.documentId,
        )
        .map((s) => s.code)
    : [];
  let formChanged: string[] = [];
  if (previous) {
    // The form as submitted for the previous round: its submission event keeps a snapshot.
    const before = ((await submissionOf(db, order.id, previous.round))?.detail as { form?: unknown } | undefined)?.form;
    formChanged = before ? formDiff(before, order.form) : [];
  }

  return {
    order: { id: order.id, orderNo: order.orderNo, status: order.status, reviewedAt: order.reviewedAt },
    round,
    /** The documents to judge, in the seeds' order, each with the reasons it can be failed for. */
    slots: slots.map((s) => {
      const d = docs.find((x) => x.slot === s.code);
      return {
        code: s.code,
        label: s.label,
        document: d ? { id: d.id, uploadedAt: d.uploadedAt, width: d.width, height: d.height, bytes: d.bytes } : null,
      };
    }),
    /** This round's verdicts once it has been reviewed (null while it waits). */
    current: await withReviewer(db, current),
    previous: await withReviewer(db, previous),
    changedSlots,
    formChanged,
    presetReasons: {
      slots: Object.fromEntries(slots.map((s) => [s.code, reasonsForDocument(s.document)])),
      order: ORDER_REVIEW_REASONS.map((r) => r.text),
    },
  };
}
