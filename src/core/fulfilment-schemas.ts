/**
 * Response shapes of the steps after payment (server/routes/fulfilment.ts; requests: core/fulfilment.ts). The
 * applicant's routes answer the order page (ZOrderView); staff steps answer the order's new status.
 */
import { z } from 'zod';
import { ZProducedCertificate } from './certificates-schemas.js';
import { CALL_OUTCOMES, type CallOutcome } from './fulfilment.js';
import { ZInstant, type JsonOf } from './response.js';

/** What a staff step answers: the order's new status (the console reloads the order page). */
export const ZOrderStep = z.object({
  order: z.object({ id: z.string(), orderNo: z.string(), status: z.string(), statusLabel: z.string(), updatedAt: ZInstant }),
});

export const ZCallRecorded = z.object({
  call: z.object({
    id: z.number(),
    calledAt: ZInstant,
    outcome: z.enum(Object.keys(CALL_OUTCOMES) as [CallOutcome, ...CallOutcome[]]),
    note: z.string().nullable(),
    at: ZInstant,
  }),
});

/** 制证: the new certificate, the one-time PKCS#12 when the CA made the key, and — for a main key — its seals. */
export const ZOrderProduced = ZOrderStep.extend(ZProducedCertificate.shape).extend({
  seals: z.object({ status: z.enum(['made', 'waiting', 'failed']), message: z.string() }).optional(),
});
export type OrderProduced = JsonOf<typeof ZOrderProduced>;

/** 更正证书接收人: the new status and the recipient as now on the form. */
export const ZRecipientCorrected = ZOrderStep.extend({
  recipient: z.object({ name: z.string().optional(), mobile: z.string().optional(), address: z.string().optional() }).nullable(),
});
