/**
 * 电子签章 (issue 8, the electronic seal): the GM/T 0031 seals made at 制证, one per impression kind, bound
 * to the order's main-key certificate. Re-exported by schema.ts, so migrations are generated from it.
 *
 * A seal is never changed: making it again from a different picture marks the old row 'superseded' and
 * inserts a new one (one active seal per certificate and kind). Revocation is not stored here: a seal
 * whose certificate is revoked (or expired) is treated as such wherever it is read, from the certificate
 * registry's status (modules/seals/status.ts).
 */
import { sql } from 'drizzle-orm';
import { index, integer, pgTable, text, timestamp, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import { bytea } from './bytea.js';
import { orders } from './schema-core.js';
import { certificates } from './schema-certificates.js';

const ts = (name: string) => timestamp(name, { withTimezone: true, mode: 'date' });

export type SealKind = 'company' | 'legal-person' | 'signature' | 'in-gan-manager';

export const seals = pgTable(
  'seals',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    orderId: uuid('order_id')
      .notNull()
      .references(() => orders.id),
    certificateId: uuid('certificate_id')
      .notNull()
      .references(() => certificates.id),
    organizationId: uuid('organization_id').notNull(),
    kind: text('kind').$type<SealKind>().notNull(),
    /** SES_SealInfo.esID. */
    esId: text('es_id').notNull(),
    name: text('name').notNull(),
    /** SES_ESPropertyInfo.type: 1 单位印章, 2 个人印章. */
    sealType: integer('seal_type').notNull(),
    /** The whole SESeal, DER: what is written onto the key. */
    der: bytea('der').notNull(),
    /** SHA-256 of the picture (hex): making again from the same picture keeps this seal. */
    pictureSha256: text('picture_sha256').notNull(),
    widthMm: integer('width_mm').notNull(),
    heightMm: integer('height_mm').notNull(),
    validStart: ts('valid_start').notNull(),
    validEnd: ts('valid_end').notNull(),
    status: text('status').$type<'active' | 'superseded'>().notNull(),
    supersededAt: ts('superseded_at'),
    createdBy: uuid('created_by').notNull(),
    createdAt: ts('created_at').notNull(),
  },
  (t) => [
    uniqueIndex('seals_es_id_uq').on(t.esId),
    uniqueIndex('seals_active_uq')
      .on(t.certificateId, t.kind)
      .where(sql`status = 'active'`),
    index('seals_order_idx').on(t.orderId, t.createdAt),
    index('seals_certificate_idx').on(t.certificateId, t.createdAt),
  ],
);
