/**
 * Revocation requests (with their second approval), CRL publication state and pre-signed OCSP responses.
 * Re-exported by schema.ts, so migrations are generated from it with `npm run db:generate`.
 */
import { sql } from 'drizzle-orm';
import { bigint, boolean, index, integer, pgTable, primaryKey, text, timestamp, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import { bytea, certificates } from './schema-certificates.js';

const ts = (name: string) => timestamp(name, { withTimezone: true, mode: 'date' });

export type RevocationRequestStatus = 'pending' | 'approved' | 'refused';

/**
 * One request to revoke one certificate: made by staff (制证/受理/管理员) or online by the certificate's own
 * organization, decided by a DIFFERENT staff member (制证/管理员). The 24-hour promise (seed 004) is measured
 * from requested_at.
 */
export const revocationRequests = pgTable(
  'revocation_requests',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    certificateId: uuid('certificate_id')
      .notNull()
      .references(() => certificates.id),
    /** Copied from the certificate for the queue (the registry key people type). */
    serial: text('serial').notNull(),
    source: text('source').$type<'staff' | 'applicant'>().notNull(),
    /** RFC 5280 5.3.1 CRLReason code (see src/core/revocation-reasons.ts for the ones accepted). */
    reason: integer('reason').notNull(),
    note: text('note'),
    requestedByStaff: uuid('requested_by_staff'),
    requestedByOrg: uuid('requested_by_org'),
    requestedAt: ts('requested_at').notNull(),
    status: text('status').$type<RevocationRequestStatus>().notNull().default('pending'),
    decidedBy: uuid('decided_by'),
    decidedAt: ts('decided_at'),
    decisionNote: text('decision_note'),
  },
  (t) => [
    // At most one open request per certificate: a second one would only be a second click.
    uniqueIndex('revocation_requests_open_uq')
      .on(t.certificateId)
      .where(sql`status = 'pending'`),
    index('revocation_requests_status_idx').on(t.status, t.requestedAt),
    index('revocation_requests_cert_idx').on(t.certificateId),
  ],
);

/**
 * One CRL scope: an issuing CA (family) and a shard. crl_number only grows (RFC 5280 5.2.3); dirty_since is
 * the outbox-style marker set in the revocation's transaction and cleared by the publisher when it stores
 * the new CRL (crl_documents), so a crash between the two leaves the marker and the job republishes.
 * lease_holder / lease_until: the one instance building this scope's next CRL (crl-publisher.ts): taken by
 * compare-and-set when free or expired, renewed while the build runs, released after; held outside any
 * transaction, because a million-entry CRL takes seconds to build and the embedded database has one
 * connection.
 */
export const crlShards = pgTable(
  'crl_shards',
  {
    family: text('family').notNull(),
    shard: integer('shard').notNull(),
    crlNumber: bigint('crl_number', { mode: 'bigint' })
      .notNull()
      .default(sql`0`),
    thisUpdate: ts('this_update'),
    nextUpdate: ts('next_update'),
    entries: integer('entries').notNull().default(0),
    dirtySince: ts('dirty_since'),
    publishedAt: ts('published_at'),
    leaseHolder: text('lease_holder'),
    leaseUntil: ts('lease_until'),
  },
  (t) => [primaryKey({ columns: [t.family, t.shard] })],
);

/**
 * The signed CRLs every instance serves (issue 17): per issuing CA — family and key, so a CRL is only ever
 * served for the key that signed it — and scope: the complete CRL (-1), the shards (0…15) and the root's CRL
 * (-2, signed offline and taken in from an operator's file). One row per scope, replaced only by a CRL with
 * a greater number (compare-and-set), so a slow publisher never puts an older CRL back. The fields beside
 * the bytes are read from the bytes when they are stored (ca/crl/parse.ts); sha256 makes the ETag.
 */
export const crlDocuments = pgTable(
  'crl_documents',
  {
    family: text('family').notNull(),
    /** The signing CA's key identifier (hex): the issuing CA's, or the root's for scope -2. */
    issuerKeyId: text('issuer_key_id').notNull(),
    scope: integer('scope').notNull(),
    crlNumber: bigint('crl_number', { mode: 'bigint' }).notNull(),
    thisUpdate: ts('this_update').notNull(),
    nextUpdate: ts('next_update').notNull(),
    sha256: text('sha256').notNull(),
    size: integer('size').notNull(),
    der: bytea('der').notNull(),
    storedAt: ts('stored_at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.family, t.issuerKeyId, t.scope] })],
);

/**
 * Pre-signed OCSP responses (RFC 6960, RFC 5019 2.1.1), one per certificate, keyed by the serial the request
 * carries. Deleted in the revocation's transaction (a stored 'good' must never outlive the revocation) and
 * signed again after the commit; refreshed by the CA job well before next_update.
 */
export const ocspResponses = pgTable(
  'ocsp_responses',
  {
    serial: text('serial').primaryKey(),
    family: text('family').notNull(),
    status: text('status').$type<'good' | 'revoked'>().notNull(),
    der: bytea('der').notNull(),
    thisUpdate: ts('this_update').notNull(),
    nextUpdate: ts('next_update').notNull(),
    /** Set when the stored response should be signed again soon (refresh queue). */
    stale: boolean('stale').notNull().default(false),
  },
  (t) => [index('ocsp_responses_next_idx').on(t.nextUpdate)],
);

/**
 * The CA's own end-entity certificates that relying parties check (issue 15 item 3): the seal maker's (制章人,
 * whose key signs electronic seals) and the audit signer's, each issued by the SM2 issuing CA with a CRL DP
 * and the OCSP URL. They are not subscribers' certificates, so they stay out of the registry (certificates);
 * the OCSP responder and the CRLs read this table beside it. A server records the hierarchy's current and
 * previous ones at start (revocation/operational.ts); `npm run ca:revoke` withdraws one.
 */
export const caOperationalCertificates = pgTable('ca_operational_certificates', {
  /** Lower-case hex of the serial, without leading zeros (as certificates.serial). */
  serial: text('serial').primaryKey(),
  family: text('family').notNull(),
  /** The issuing CA's key identifier (hex), as certificates.issuer_key_id. */
  issuerKeyId: text('issuer_key_id').notNull(),
  kind: text('kind').$type<'seal' | 'audit'>().notNull(),
  der: bytea('der').notNull(),
  notBefore: ts('not_before').notNull(),
  notAfter: ts('not_after').notNull(),
  status: text('status').$type<'issued' | 'revoked'>().notNull().default('issued'),
  revokedAt: ts('revoked_at'),
  /** RFC 5280 5.3.1 CRLReason code. */
  revocationReason: integer('revocation_reason'),
  recordedAt: ts('recorded_at').notNull().defaultNow(),
});
