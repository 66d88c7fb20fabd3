/**
 * Response shapes of 在线续费 (server/routes/renewal.ts, modules/renewal): whether a certificate can be renewed
 * online, the renewal as the page follows it step by step, the challenge the old key signs and the payment's
 * QR code. The renewal page's types come from here.
 */
import { z } from 'zod';
import { ZRevocationCodeSent } from './my-certificates-schemas.js';
import { ZKeyType } from './orders-schemas.js';
import { ZInstant, type JsonOf } from './response.js';

export const RENEWAL_STATUSES = ['started', 'proven', 'paid', 'issued', 'completed', 'cancelled'] as const;
const ZPayChannel = z.enum(['wechat', 'alipay']);
/** Whether each provider is the sandbox (the page says so). */
const ZSandbox = z.object({ wechat: z.boolean(), alipay: z.boolean() });

export const ZRenewalView = z.object({
  id: z.string(),
  certificateId: z.string(),
  status: z.enum(RENEWAL_STATUSES),
  statusLabel: z.string(),
  /** The UKEY chosen at the start: the page finds it again after a closed browser. */
  tokenSerial: z.string(),
  newKeyId: z.string().nullable(),
  requestSubmitted: z.boolean(),
  amountFen: z.number().nullable(),
  paidAt: ZInstant.nullable(),
  completedAt: ZInstant.nullable(),
  payments: z.array(
    z.object({
      channel: ZPayChannel,
      status: z.enum(['pending', 'paid', 'closed', 'expired', 'failed']),
      /** Only while the attempt is pending and unexpired. */
      codeUrl: z.string().nullable(),
      expiresAt: ZInstant,
      amountFen: z.number(),
      transactionId: z.string().nullable(),
      paidAt: ZInstant.nullable(),
    }),
  ),
  /** Once issued: what the page writes to the UKEY. */
  newCertificate: z
    .object({ id: z.string(), serialDisplay: z.string(), notBefore: ZInstant, notAfter: ZInstant, pem: z.string() })
    .nullable(),
});
export type RenewalView = JsonOf<typeof ZRenewalView>;

/** A renewal and whether the payment providers are sandboxes (GET /api/renewals/:id). */
export const ZRenewalState = ZRenewalView.extend({ sandbox: ZSandbox });

export const ZRenewalInfo = z.object({
  certificate: z.object({
    id: z.string(),
    serialDisplay: z.string(),
    /** The serial as the 证书助手 reports it (lower-case hex): the page finds the UKEY holding it. */
    serial: z.string(),
    unitName: z.string(),
    uscc: z.string(),
    family: z.string(),
    keyType: ZKeyType,
    projectCode: z.string(),
    notBefore: ZInstant,
    notAfter: ZInstant,
  }),
  window: z.object({ opensAt: ZInstant, closesAt: ZInstant }),
  canStart: z.boolean(),
  /** Why not online; `counter`: go to the counter for this business, with these materials. */
  refusal: z
    .object({
      reason: z.string(),
      counter: z.object({ business: z.enum(['renew', 'change']), materials: z.string() }).nullable(),
    })
    .nullable(),
  price: z
    .object({
      amountFen: z.number(),
      projectName: z.string(),
      keyType: ZKeyType,
      keyLabel: z.string(),
      withSeal: z.boolean(),
      description: z.string(),
    })
    .nullable(),
  newValidity: z.object({ notAfter: ZInstant, basis: z.string() }),
  maskedMobile: z.string(),
  /** The open renewal to resume, or the completed one. */
  renewal: ZRenewalView.nullable(),
  sandbox: ZSandbox,
});
export type RenewalInfo = JsonOf<typeof ZRenewalInfo>;

/** The renewal's SMS code is sent as a revocation's is (modules/my-certificates/revocation-code.ts, purpose 'renew'). */
export const ZRenewalCodeSent = ZRevocationCodeSent;
export type RenewalCodeSent = JsonOf<typeof ZRenewalCodeSent>;

/** The challenge the old certificate's key signs (Base64: 32 random bytes ‖ SHA-256 of the request). */
export const ZRenewalChallenge = z.object({ challenge: z.string(), expiresAt: ZInstant });
export type RenewalChallenge = JsonOf<typeof ZRenewalChallenge>;

export const ZRenewalPayment = z.object({
  channel: ZPayChannel,
  channelName: z.string(),
  codeUrl: z.string().nullable(),
  amountFen: z.number(),
  expiresAt: ZInstant,
  sandbox: z.boolean(),
});
export type RenewalPayment = JsonOf<typeof ZRenewalPayment>;
