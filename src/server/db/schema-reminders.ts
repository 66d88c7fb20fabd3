/**
 * 我的证书 (issue 7): what the organization's own certificate pages need beyond the registry.
 * Re-exported by schema.ts, so migrations are generated from it with `npm run db:generate`.
 *
 * - certificate_reminders: one row per certificate and reminder stage (90, 30, 7 days before expiry), written
 *   in the transaction that enqueues the SMS. The primary key makes "once each" a database guarantee, whatever
 *   the number of instances running the reminder job or restarts in between.
 * - revocation_codes: the SMS code that confirms an organization's online revocation request (or, purpose
 *   'renew', its online renewal), bound to the organization and the certificate; stored only as an HMAC,
 *   10 minutes, 5 tries, used once.
 */
import { index, integer, pgTable, primaryKey, text, timestamp, uuid } from 'drizzle-orm/pg-core';
import { certificates } from './schema-certificates.js';
import { organizations } from './schema-core.js';

const ts = (name: string) => timestamp(name, { withTimezone: true, mode: 'date' });

export const certificateReminders = pgTable(
  'certificate_reminders',
  {
    certificateId: uuid('certificate_id')
      .notNull()
      .references(() => certificates.id),
    /** Days before expiry this reminder is for: 90, 30 or 7. */
    stage: integer('stage').notNull(),
    /** The mobile the SMS went to (the organization's registered mobile at that time). */
    phoneNumber: text('phone_number').notNull(),
    /** The certificate's notAfter the reminder spoke of. */
    notAfter: ts('not_after').notNull(),
    /** The outbox row's dedupe key (the SMS itself is sent by the outbox worker). */
    dedupeKey: text('dedupe_key').notNull(),
    createdAt: ts('created_at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.certificateId, t.stage] })],
);

export const revocationCodes = pgTable(
  'revocation_codes',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    organizationId: uuid('organization_id')
      .notNull()
      .references(() => organizations.id),
    certificateId: uuid('certificate_id')
      .notNull()
      .references(() => certificates.id),
    /** What the code confirms: an online revocation request, or an online renewal (issue 20). */
    purpose: text('purpose').$type<'revoke' | 'renew'>().notNull().default('revoke'),
    codeHash: text('code_hash').notNull(),
    attempts: integer('attempts').notNull().default(0),
    createdAt: ts('created_at').notNull(),
    expiresAt: ts('expires_at').notNull(),
    usedAt: ts('used_at'),
  },
  (t) => [index('revocation_codes_cert_idx').on(t.certificateId, t.organizationId, t.createdAt)],
);
