/** Response shapes of 预审 (server/routes/review.ts); the staff console's review panel reads them (JsonOf). */
import { z } from 'zod';
import { ZInstant, type JsonOf } from './response.js';

const ZDecision = z.enum(['approve', 'reject']);

export const ZReviewedDocument = z.object({
  verdict: z.enum(['pass', 'fail']),
  reasons: z.array(z.string()),
  note: z.string().nullable(),
  documentId: z.string(),
});
export type ReviewedDocument = JsonOf<typeof ZReviewedDocument>;

/** A recorded round, with the reviewer's name. */
export const ZRecordedReview = z.object({
  round: z.number(),
  decision: ZDecision,
  at: ZInstant,
  orderReason: z.string().nullable(),
  reviewerName: z.string().nullable(),
  documents: z.record(z.string(), ZReviewedDocument),
});
export type RecordedReview = JsonOf<typeof ZRecordedReview>;

/** GET /api/staff/orders/:id/review: what to judge, the reasons to choose from, and what changed since the last round. */
export const ZReviewInfo = z.object({
  order: z.object({ id: z.string(), orderNo: z.string(), status: z.string(), reviewedAt: ZInstant.nullable() }),
  round: z.number(),
  /** The documents to judge, in the seeds' order. */
  slots: z.array(
    z.object({
      code: z.string(),
      label: z.string(),
      document: z.object({ id: z.string(), uploadedAt: ZInstant, width: z.number(), height: z.number(), bytes: z.number() }).nullable(),
    }),
  ),
  /** This round's verdicts once it has been reviewed (null while it waits). */
  current: ZRecordedReview.nullable(),
  previous: ZRecordedReview.nullable(),
  changedSlots: z.array(z.string()),
  formChanged: z.array(z.string()),
  presetReasons: z.object({ slots: z.record(z.string(), z.array(z.string())), order: z.array(z.string()) }),
});
export type ReviewInfo = JsonOf<typeof ZReviewInfo>;

/** POST /api/staff/orders/:id/review. */
export const ZReviewDone = z.object({
  order: z.object({ id: z.string(), status: z.string(), reviewRound: z.number(), reviewedAt: ZInstant.nullable() }),
  round: z.number(),
  decision: ZDecision,
  summary: z.string(),
  smsQueued: z.boolean(),
});
