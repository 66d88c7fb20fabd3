/**
 * Response shapes of the key management centre's staff routes (server/routes/kmc.ts, docs/kmc.md): an
 * encryption key's envelope, downloaded once, and 密钥恢复's requests.
 */
import { z } from 'zod';
import { ZInstant, type JsonOf } from './response.js';

/**
 * An encryption key's envelope (GM/T 0016 ENVELOPEDKEYBLOB, Base64 as the one-time PKCS#12 is): only the
 * recipient's key opens it — the UKEY's signing key, or the authority's for a judicial recovery.
 */
export const ZEnvelopedKey = z.object({
  serial: z.string(),
  format: z.literal('GM/T 0016 ENVELOPEDKEYBLOB'),
  envelopedKeyBlob: z.string(),
});
export type EnvelopedKey = JsonOf<typeof ZEnvelopedKey>;

const ZRecoveryKind = z.enum(['user', 'judicial']);
const ZRecoveryStatus = z.enum(['pending', 'approved', 'refused']);

/** A recovery request as a step answers it (request, approve, refuse). */
export const ZRecovery = z.object({
  id: z.string(),
  certificateId: z.string(),
  kind: ZRecoveryKind,
  status: ZRecoveryStatus,
  reason: z.string(),
  requestedAt: ZInstant,
  decidedAt: ZInstant.nullable(),
});
export const ZRecoveryOne = z.object({ recovery: ZRecovery });
export type RecoveryOne = JsonOf<typeof ZRecoveryOne>;

/**
 * The 密钥恢复 page's list: the certificate's unit and serial, who receives the key (in words), who asked and who
 * decided (four eyes: `mine`, the reader asked, so another must decide), and whether the envelope was handed over.
 */
export const ZRecoveryItem = ZRecovery.extend({
  serial: z.string(),
  unitName: z.string(),
  uscc: z.string(),
  certificateStatus: z.enum(['pending', 'issued', 'revoked', 'failed']),
  kindLabel: z.string(),
  recipientLabel: z.string(),
  requestedBy: z.string(),
  requestedByName: z.string().nullable(),
  decidedBy: z.string().nullable(),
  decidedByName: z.string().nullable(),
  decisionNote: z.string().nullable(),
  deliveredAt: ZInstant.nullable(),
  deliveredByName: z.string().nullable(),
  mine: z.boolean(),
});
export type RecoveryItem = JsonOf<typeof ZRecoveryItem>;
export const ZRecoveries = z.object({ recoveries: z.array(ZRecoveryItem) });
export type Recoveries = JsonOf<typeof ZRecoveries>;
