/**
 * Response shapes of 法人核验 (server/routes/legal-check.ts): the legal representative's phone page (by QR
 * token) and the applicant's live state of the check. The phone page's types are inferred from them.
 */
import { z } from 'zod';
import { ZLegalCheckStatus } from './orders-schemas.js';
import { ZInstant, type JsonOf } from './response.js';

export const ZLegalCheckState = z.object({
  required: z.boolean(),
  status: ZLegalCheckStatus,
  at: ZInstant.nullable(),
  lastFailure: z.string().nullable(),
  /** The legal representative opened the provider's page and has not come back yet. */
  inProgress: z.boolean(),
  attemptsLeft: z.number(),
  limitMessage: z.string().nullable(),
});
export type LegalCheckState = JsonOf<typeof ZLegalCheckState>;

/** GET /api/legal-check/:token: what the legal representative confirms, and whether the check can run. */
export const ZMobileLegalCheckView = z.object({
  organization: z.object({ name: z.string() }),
  order: z.object({ orderNoDisplay: z.string(), projectName: z.string(), keyLabel: z.string(), statusLabel: z.string() }),
  agent: z.object({ name: z.string().nullable(), idNumberMasked: z.string().nullable(), mobileMasked: z.string().nullable() }),
  /** Whether the order form names a legal representative yet (the check compares against it). */
  legalPersonReady: z.boolean(),
  legalCheck: ZLegalCheckState,
  service: z.object({ available: z.boolean(), sandbox: z.boolean() }),
});
export type MobileLegalCheckView = JsonOf<typeof ZMobileLegalCheckView>;

/** The provider's page to go to, and the attempts left after this one. */
export const ZLegalCheckStarted = z.object({ redirectUrl: z.string(), attemptsLeft: z.number() });
export type LegalCheckStarted = JsonOf<typeof ZLegalCheckStarted>;

export const ZLegalCheckOutcome = z.object({
  status: z.enum(['passed', 'failed', 'incomplete']),
  reason: z.string().nullable(),
  at: ZInstant.nullable(),
  attemptsLeft: z.number(),
});
export type LegalCheckOutcome = JsonOf<typeof ZLegalCheckOutcome>;
