/**
 * 电子签章印模 (issue 8, extraction and quality): what CertDesk cut out of an uploaded 电子签章采集表.
 * Re-exported by schema.ts, so migrations are generated from it with `npm run db:generate`.
 *
 * - seal_extractions: one run of the extraction over one uploaded sheet (order_documents row) with its
 *   parameters. The automatic run (source 'auto', default parameters) is unique per document; 制证 staff
 *   add runs with adjusted crop/threshold (source 'staff'). Verdict and the applicant-readable problems
 *   are kept with it.
 * - seal_extraction_images: per run, per row (kind) and box (0 = left, 1 = right), the transparent PNG and
 *   the measurements the quality rules judged.
 * - seal_image_confirmations: 制证 confirmed one run and, per kind, which box's impression becomes the
 *   electronic seal's picture. One row per order, changed only by compare-and-set on `version`.
 */
import { sql } from 'drizzle-orm';
import { index, integer, jsonb, pgTable, primaryKey, real, text, timestamp, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import { bytea } from './bytea.js';
import { orderDocuments, orders } from './schema-core.js';

const ts = (name: string) => timestamp(name, { withTimezone: true, mode: 'date' });

export const sealExtractions = pgTable(
  'seal_extractions',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    orderId: uuid('order_id')
      .notNull()
      .references(() => orders.id),
    documentId: uuid('document_id')
      .notNull()
      .references(() => orderDocuments.id),
    source: text('source').$type<'auto' | 'staff'>().notNull(),
    /** ExtractionParams (modules/seal-images/params.ts). */
    params: jsonb('params').$type<Record<string, unknown>>().notNull(),
    /** 'ok': every rule passed; 'flagged': problems listed; 'unreadable': the sheet's marks were not found. */
    verdict: text('verdict').$type<'ok' | 'flagged' | 'unreadable'>().notNull(),
    /** SheetIssue[]: problems in Chinese, per kind and box. */
    issues: jsonb('issues').$type<unknown[]>().notNull(),
    /** Where the sheet was found: scale (px/mm), rotation, variant. */
    sheet: jsonb('sheet').$type<Record<string, unknown>>().notNull(),
    createdBy: uuid('created_by'),
    createdAt: ts('created_at').notNull(),
  },
  (t) => [
    index('seal_extractions_order_idx').on(t.orderId, t.createdAt),
    uniqueIndex('seal_extractions_auto_uq')
      .on(t.documentId)
      .where(sql`source = 'auto'`),
  ],
);

export const sealExtractionImages = pgTable(
  'seal_extraction_images',
  {
    extractionId: uuid('extraction_id')
      .notNull()
      .references(() => sealExtractions.id),
    /** SealBoxKind of the template: company-seal, legal-person-seal, legal-person-signature, in-gan-manager-seal. */
    kind: text('kind').notNull(),
    /** 0 = left box, 1 = right box. */
    box: integer('box').notNull(),
    /** Transparent PNG of the impression; null when the box held no ink. */
    png: bytea('png'),
    widthPx: integer('width_px').notNull(),
    heightPx: integer('height_px').notNull(),
    widthMm: real('width_mm').notNull(),
    heightMm: real('height_mm').notNull(),
    metrics: jsonb('metrics').$type<Record<string, unknown>>().notNull(),
    /** Rule codes that failed for this box. */
    issues: jsonb('issues').$type<string[]>().notNull(),
  },
  (t) => [primaryKey({ columns: [t.extractionId, t.kind, t.box] })],
);

export const sealImageConfirmations = pgTable('seal_image_confirmations', {
  orderId: uuid('order_id')
    .primaryKey()
    .references(() => orders.id),
  extractionId: uuid('extraction_id')
    .notNull()
    .references(() => sealExtractions.id),
  /** Per kind, the box whose impression is the seal picture: { "company-seal": 0, … }. */
  picks: jsonb('picks').$type<Record<string, number>>().notNull(),
  confirmedBy: uuid('confirmed_by').notNull(),
  confirmedAt: ts('confirmed_at').notNull(),
  version: integer('version').notNull(),
});
