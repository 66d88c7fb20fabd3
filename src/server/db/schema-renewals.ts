/**
 * 在线续费 (issue 20): the organization renews a certificate from 我的证书 with its UKEY through the 证书助手.
 * Re-exported by schema.ts, so migrations are generated from it with `npm run db:generate`.
 *
 * - renewals: one row per renewal, its status moved compare-and-set by modules/renewal with an event row and
 *   an audit row in the same transaction. At most one open renewal per certificate (renewals_open_uq).
 * - renewal_events: every step of a renewal (who, from, to, detail), written with the change it records.
 * - renewal_payments: the WeChat Pay / Alipay attempts of a renewal (out_trade_no starts with RN, so the
 *   providers' notifications find their way here through the same notify routes as an order's).
 */
import { sql } from 'drizzle-orm';
import { bigserial, index, integer, jsonb, pgTable, text, timestamp, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import { bytea } from './bytea.js';
import { certificates } from './schema-certificates.js';
import { organizations } from './schema-core.js';

const ts = (name: string) => timestamp(name, { withTimezone: true, mode: 'date' });

/**
 * started: SMS code checked, the UKEY chosen; proven: a PKCS#10 request made on the UKEY and the old key's
 * signature over its hash verified; paid; issued: the new certificate signed, waiting to be written to the
 * UKEY; completed: written and read back — the old certificate revoked as superseded; cancelled.
 */
export type RenewalStatus = 'started' | 'proven' | 'paid' | 'issued' | 'completed' | 'cancelled';

export const renewals = pgTable(
  'renewals',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    organizationId: uuid('organization_id')
      .notNull()
      .references(() => organizations.id),
    /** The certificate being renewed. */
    certificateId: uuid('certificate_id')
      .notNull()
      .references(() => certificates.id),
    status: text('status').$type<RenewalStatus>().notNull(),
    /** The UKEY the page chose (its PKCS#11 serial, as the 证书助手 reported it). */
    tokenSerial: text('token_serial').notNull(),
    /** The PKCS#10 request made on the UKEY (DER) and its SHA-256 (hex), bound into the challenge. */
    csr: bytea('csr'),
    csrSha256: text('csr_sha256'),
    /** The new key's CKA_ID on the UKEY (hex), so a resumed page writes the certificate next to it. */
    newKeyId: text('new_key_id'),
    /** The open challenge: 32 random bytes ‖ SHA-256(csr). Used once, 5 minutes, 5 tries counted before checking. */
    challenge: bytea('challenge'),
    challengeExpiresAt: ts('challenge_expires_at'),
    challengeUsedAt: ts('challenge_used_at'),
    proofAttempts: integer('proof_attempts').notNull().default(0),
    /** The verified proof, kept as evidence: the old key's signature and the exact bytes it covers. */
    proofSignature: bytea('proof_signature'),
    proofSignedData: bytea('proof_signed_data'),
    amountFen: integer('amount_fen'),
    paidAt: ts('paid_at'),
    newCertificateId: uuid('new_certificate_id'),
    completedAt: ts('completed_at'),
    createdAt: ts('created_at').notNull(),
    statusChangedAt: ts('status_changed_at').notNull(),
    updatedAt: ts('updated_at').notNull(),
  },
  (t) => [
    // One renewal at a time per certificate: a second start finds the open one (and is told to continue it).
    uniqueIndex('renewals_open_uq')
      .on(t.certificateId)
      .where(sql`status not in ('completed', 'cancelled')`),
    index('renewals_org_idx').on(t.organizationId, t.createdAt),
  ],
);

export const renewalEvents = pgTable(
  'renewal_events',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    renewalId: uuid('renewal_id')
      .notNull()
      .references(() => renewals.id),
    actorType: text('actor_type').$type<'org' | 'system' | 'staff'>().notNull(),
    actorId: uuid('actor_id'),
    action: text('action').notNull(),
    fromStatus: text('from_status'),
    toStatus: text('to_status'),
    detail: jsonb('detail')
      .$type<Record<string, unknown>>()
      .notNull()
      .default(sql`'{}'::jsonb`),
    at: ts('at').notNull(),
  },
  (t) => [index('renewal_events_renewal_idx').on(t.renewalId, t.at)],
);

export type RenewalPaymentStatus = 'pending' | 'paid' | 'closed' | 'expired' | 'failed';

export const renewalPayments = pgTable(
  'renewal_payments',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    renewalId: uuid('renewal_id')
      .notNull()
      .references(() => renewals.id),
    channel: text('channel').$type<'wechat' | 'alipay'>().notNull(),
    outTradeNo: text('out_trade_no').notNull(),
    amountFen: integer('amount_fen').notNull(),
    description: text('description').notNull(),
    status: text('status').$type<RenewalPaymentStatus>().notNull().default('pending'),
    codeUrl: text('code_url'),
    expiresAt: ts('expires_at').notNull(),
    transactionId: text('transaction_id'),
    paidFen: integer('paid_fen'),
    paidAt: ts('paid_at'),
    queriedAt: ts('queried_at'),
    createdAt: ts('created_at').notNull(),
    updatedAt: ts('updated_at').notNull(),
  },
  (t) => [
    uniqueIndex('renewal_payments_out_trade_no_uq').on(t.outTradeNo),
    index('renewal_payments_renewal_idx').on(t.renewalId, t.createdAt),
  ],
);
