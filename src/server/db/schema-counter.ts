/**
 * Counter business (现场办理, issue 7): the offices (seed 004, editable by an administrator), which office
 * each staff member works at, counter orders with their events, and payments taken at the counter.
 * Re-exported by schema.ts, so migrations are generated from both.
 */
import { sql } from 'drizzle-orm';
import { bigserial, boolean, index, integer, jsonb, pgTable, text, timestamp, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import { organizations, staff } from './schema-core.js';

const ts = (name: string) => timestamp(name, { withTimezone: true, mode: 'date' });

/** 受理点: seeded once from core/content/offices.ts; an administrator edits them afterwards. */
export const offices = pgTable('offices', {
  code: text('code').primaryKey(),
  name: text('name').notNull(),
  city: text('city').notNull(),
  address: text('address').notNull(),
  phones: jsonb('phones').$type<{ display: string; tel: string }[]>().notNull(),
  active: boolean('active').notNull().default(true),
  sortOrder: integer('sort_order').notNull(),
  updatedAt: ts('updated_at').notNull().defaultNow(),
  updatedBy: uuid('updated_by'),
});

/** The office a staff member works at (one; none for back-office staff). */
export const staffOffices = pgTable('staff_offices', {
  staffId: uuid('staff_id')
    .primaryKey()
    .references(() => staff.id),
  officeCode: text('office_code')
    .notNull()
    .references(() => offices.code),
  updatedAt: ts('updated_at').notNull(),
  updatedBy: uuid('updated_by'),
});

export type CounterMaterialTick = { at: string; by: string };

export const counterOrders = pgTable(
  'counter_orders',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    /** 15 digits like an online order number (core/order-number.ts). */
    orderNo: text('order_no').notNull(),
    officeCode: text('office_code')
      .notNull()
      .references(() => offices.code),
    business: text('business').$type<'new' | 'reissue' | 'change' | 'renew'>().notNull(),
    organizationId: uuid('organization_id')
      .notNull()
      .references(() => organizations.id),
    /** The unit's name and USCC when the order was opened. */
    uscc: text('uscc').notNull(),
    unitName: text('unit_name').notNull(),
    /** 变更: the name the new certificate carries (the organization is renamed when it is issued). */
    newUnitName: text('new_unit_name'),
    projectCode: text('project_code').notNull(),
    keyType: text('key_type').$type<'main' | 'sub'>().notNull(),
    /** 补办/变更/续费: the certificate this order replaces. */
    replacesCertificateId: uuid('replaces_certificate_id'),
    /** 补办/变更: the revocation reason for the replaced certificate (RFC 5280 CRLReason). */
    revocationReason: integer('revocation_reason'),
    agentName: text('agent_name').notNull(),
    agentMobile: text('agent_mobile').notNull(),
    status: text('status').notNull(),
    materials: jsonb('materials')
      .$type<Record<string, CounterMaterialTick>>()
      .notNull()
      .default(sql`'{}'::jsonb`),
    certificateId: uuid('certificate_id'),
    revocationRequestId: uuid('revocation_request_id'),
    openedBy: uuid('opened_by').notNull(),
    createdAt: ts('created_at').notNull(),
    statusChangedAt: ts('status_changed_at').notNull(),
    updatedAt: ts('updated_at').notNull(),
  },
  (t) => [
    uniqueIndex('counter_orders_no_uq').on(t.orderNo),
    index('counter_orders_office_day_idx').on(t.officeCode, t.createdAt),
    index('counter_orders_org_idx').on(t.organizationId, t.projectCode),
    // A certificate is replaced by at most one open counter order at a time.
    uniqueIndex('counter_orders_replaces_uq')
      .on(t.replacesCertificateId)
      .where(sql`status <> 'cancelled' and replaces_certificate_id is not null`),
  ],
);

export const counterEvents = pgTable(
  'counter_events',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    counterOrderId: uuid('counter_order_id')
      .notNull()
      .references(() => counterOrders.id),
    actorId: uuid('actor_id'),
    action: text('action').notNull(),
    fromStatus: text('from_status'),
    toStatus: text('to_status'),
    reason: text('reason'),
    detail: jsonb('detail')
      .$type<Record<string, unknown>>()
      .notNull()
      .default(sql`'{}'::jsonb`),
    at: ts('at').notNull(),
  },
  (t) => [index('counter_events_order_idx').on(t.counterOrderId, t.id)],
);

/** 现场缴费: one per counter order; the receipt number is unique across offices. */
export const counterPayments = pgTable(
  'counter_payments',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    counterOrderId: uuid('counter_order_id')
      .notNull()
      .references(() => counterOrders.id),
    officeCode: text('office_code').notNull(),
    channel: text('channel').$type<'cash' | 'card' | 'wechat' | 'alipay'>().notNull(),
    amountFen: integer('amount_fen').notNull(),
    receiptNo: text('receipt_no').notNull(),
    paidAt: ts('paid_at').notNull(),
    recordedBy: uuid('recorded_by').notNull(),
  },
  (t) => [
    uniqueIndex('counter_payments_order_uq').on(t.counterOrderId),
    uniqueIndex('counter_payments_receipt_uq').on(t.receiptNo),
    index('counter_payments_paid_idx').on(t.paidAt),
  ],
);

/**
 * A scan of one counter material (申请表, 营业执照复印件, …), stored like online documents: re-encoded, encrypted
 * at rest, with a thumbnail. A new scan of the same material retires the earlier one.
 */
export const counterScans = pgTable(
  'counter_scans',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    counterOrderId: uuid('counter_order_id')
      .notNull()
      .references(() => counterOrders.id),
    material: text('material').notNull(),
    storageKey: text('storage_key').notNull(),
    thumbnailKey: text('thumbnail_key').notNull(),
    sha256: text('sha256').notNull(),
    mime: text('mime').notNull(),
    bytes: integer('bytes').notNull(),
    width: integer('width').notNull(),
    height: integer('height').notNull(),
    originalName: text('original_name').notNull(),
    uploadedBy: uuid('uploaded_by').notNull(),
    uploadedAt: ts('uploaded_at').notNull(),
    retiredAt: ts('retired_at'),
  },
  (t) => [
    index('counter_scans_order_idx').on(t.counterOrderId, t.material),
    uniqueIndex('counter_scans_current_uq')
      .on(t.counterOrderId, t.material)
      .where(sql`retired_at is null`),
  ],
);
