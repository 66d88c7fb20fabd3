/**
 * The core tables (accounts, organizations, orders and their documents, staff, sessions, the outbox, the
 * audit trail…). The whole schema is ./schema.ts, which re-exports this file and the modules' own files;
 * those import the core tables from here, never from ./schema.ts, so no schema file imports itself back.
 */
import { sql } from 'drizzle-orm';
import {
  pgTable,
  text,
  uuid,
  timestamp,
  integer,
  jsonb,
  bigserial,
  bigint,
  boolean,
  index,
  uniqueIndex,
  primaryKey,
  type AnyPgColumn,
} from 'drizzle-orm/pg-core';

const ts = (name: string) => timestamp(name, { withTimezone: true, mode: 'date' });

/** 申请单位: an applicant organization; its USCC is the login name. */
export const organizations = pgTable(
  'organizations',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    uscc: text('uscc').notNull(),
    name: text('name').notNull(),
    mobile: text('mobile').notNull(),
    passwordHash: text('password_hash').notNull(),
    agreementAcceptedAt: ts('agreement_accepted_at').notNull(),
    createdAt: ts('created_at').notNull().defaultNow(),
    updatedAt: ts('updated_at').notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex('organizations_uscc_uq').on(t.uscc),
    // Staff search by USCC prefix (LIKE 'ABC%'): pattern ops make the prefix indexable whatever the
    // database's collation (under a non-C collation the unique index above cannot serve LIKE).
    index('organizations_uscc_prefix_idx').on(t.uscc.op('text_pattern_ops')),
  ],
);

/** CA staff. Roles are the seeds' 预审/受理/制证/发放/财务/管理员. */
export const staff = pgTable(
  'staff',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    username: text('username').notNull(),
    displayName: text('display_name').notNull(),
    passwordHash: text('password_hash').notNull(),
    roles: jsonb('roles').$type<string[]>().notNull(),
    disabledAt: ts('disabled_at'),
    createdAt: ts('created_at').notNull().defaultNow(),
    createdBy: uuid('created_by'),
  },
  (t) => [uniqueIndex('staff_username_uq').on(t.username)],
);

/**
 * Sessions live here, not in process memory, so several app instances behave as one. The cookie carries
 * a random token; only its SHA-256 is stored, so a database leak hands out no live session.
 */
export const sessions = pgTable(
  'sessions',
  {
    idHash: text('id_hash').primaryKey(),
    realm: text('realm').$type<'org' | 'staff'>().notNull(),
    subjectId: uuid('subject_id'),
    csrfToken: text('csrf_token').notNull(),
    createdAt: ts('created_at').notNull().defaultNow(),
    lastSeenAt: ts('last_seen_at').notNull().defaultNow(),
    expiresAt: ts('expires_at').notNull(),
  },
  (t) => [index('sessions_subject_idx').on(t.subjectId), index('sessions_expires_idx').on(t.expiresAt)],
);

/** Single-use captchas: only a hash of the answer is kept; used_at makes a replay fail. */
export const captchas = pgTable(
  'captchas',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    answerHash: text('answer_hash').notNull(),
    createdAt: ts('created_at').notNull().defaultNow(),
    expiresAt: ts('expires_at').notNull(),
    usedAt: ts('used_at'),
  },
  (t) => [index('captchas_expires_idx').on(t.expiresAt)],
);

/** Failure counters for brute-force slowing, keyed e.g. `login:acct:<uscc>` or `login:ip:<addr>`. */
export const throttles = pgTable('throttles', {
  key: text('key').primaryKey(),
  failures: integer('failures').notNull().default(0),
  windowStartedAt: ts('window_started_at').notNull(),
  lockedUntil: ts('locked_until'),
  updatedAt: ts('updated_at').notNull().defaultNow(),
});

/** SMS codes for 忘记密码. Only a hash of the code is stored; attempts are capped. */
export const passwordResets = pgTable(
  'password_resets',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    organizationId: uuid('organization_id')
      .notNull()
      .references(() => organizations.id),
    codeHash: text('code_hash').notNull(),
    attempts: integer('attempts').notNull().default(0),
    createdAt: ts('created_at').notNull().defaultNow(),
    expiresAt: ts('expires_at').notNull(),
    usedAt: ts('used_at'),
  },
  (t) => [index('password_resets_org_idx').on(t.organizationId, t.createdAt)],
);

/**
 * The outbox: messages to the outside world (SMS, e-mail) are written here in the same transaction as the
 * change that causes them and sent by a worker after commit, with retries (docs/principles.md 3).
 * `dedupeKey` makes "never twice for one event" a database guarantee.
 */
export const outbox = pgTable(
  'outbox',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    channel: text('channel').$type<'sms' | 'email'>().notNull(),
    dedupeKey: text('dedupe_key').notNull(),
    payload: jsonb('payload').$type<Record<string, unknown>>().notNull(),
    status: text('status').$type<'pending' | 'sent' | 'dead'>().notNull().default('pending'),
    attempts: integer('attempts').notNull().default(0),
    nextAttemptAt: ts('next_attempt_at').notNull().defaultNow(),
    lockedUntil: ts('locked_until'),
    lastError: text('last_error'),
    providerMessageId: text('provider_message_id'),
    createdAt: ts('created_at').notNull().defaultNow(),
    sentAt: ts('sent_at'),
    /** When 管理员 sent a dead message again (its retry window starts anew), and who. */
    resentAt: ts('resent_at'),
    resentBy: uuid('resent_by'),
  },
  (t) => [uniqueIndex('outbox_dedupe_uq').on(t.dedupeKey), index('outbox_due_idx').on(t.status, t.nextAttemptAt)],
);

/** What the sandbox SMS gateway "delivered": the development inbox (/dev/inbox) reads this table. */
export const sandboxSms = pgTable(
  'sandbox_sms',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    bizId: text('biz_id').notNull(),
    phoneNumber: text('phone_number').notNull(),
    signName: text('sign_name').notNull(),
    templateCode: text('template_code').notNull(),
    templateParam: jsonb('template_param').$type<Record<string, string>>().notNull(),
    text: text('text').notNull(),
    receivedAt: ts('received_at').notNull().defaultNow(),
  },
  (t) => [index('sandbox_sms_phone_idx').on(t.phoneNumber, t.receivedAt)],
);

/** Who did what, when: every staff action and every security-relevant applicant action. */
export const auditEvents = pgTable(
  'audit_events',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    actorType: text('actor_type').$type<'staff' | 'org' | 'system' | 'anonymous'>().notNull(),
    actorId: uuid('actor_id'),
    action: text('action').notNull(),
    targetType: text('target_type'),
    targetId: text('target_id'),
    detail: jsonb('detail')
      .$type<Record<string, unknown>>()
      .notNull()
      .default(sql`'{}'::jsonb`),
    ip: text('ip'),
    at: ts('at').notNull().defaultNow(),
    /**
     * The row's place in the audit chain (modules/audit/chain.ts): 1, 2, 3, … with no gaps, assigned under
     * the lock on `audit_chain`'s head row in the transaction that writes the row. Null only on rows written
     * before the chain existed, until the first chained write links them (and on rows someone inserted by SQL).
     */
    seq: bigint('seq', { mode: 'number' }),
    /** SM3(previous row's chain_hash ‖ canonical encoding of this row), hex. */
    chainHash: text('chain_hash'),
  },
  (t) => [
    index('audit_target_idx').on(t.targetType, t.targetId, t.at),
    index('audit_actor_idx').on(t.actorId, t.at),
    uniqueIndex('audit_seq_idx').on(t.seq),
  ],
);

/**
 * The head of the audit chain: one row (id 1), locked FOR UPDATE by every audit write so rows get a total
 * order even from concurrent transactions; holds the last row's seq and chain_hash.
 */
export const auditChain = pgTable('audit_chain', {
  id: integer('id').primaryKey(),
  seq: bigint('seq', { mode: 'number' }).notNull(),
  hash: text('hash').notNull(),
});

/**
 * Signed checkpoints: the CA's audit key (SM2, <ca dir>/sm2/audit.pem) signs (seq, chain_hash) of the chain
 * head every few minutes, and at every retention cut. Anyone with SQL can recompute a plain hash chain; they
 * cannot sign, so everything up to the last checkpoint is pinned. `kind` 'cut' marks where a purge removed
 * the rows before it: verification starts there.
 */
export const auditCheckpoints = pgTable(
  'audit_checkpoints',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    seq: bigint('seq', { mode: 'number' }).notNull(),
    hash: text('hash').notNull(),
    kind: text('kind').$type<'periodic' | 'cut'>().notNull(),
    signedAt: ts('signed_at').notNull(),
    /** SM2 signature (DER) over checkpointMessage(seq, hash, kind, signedAt). */
    signature: text('signature').notNull(),
    /** SHA-256 of the audit certificate that signed it, hex (which key to check it with). */
    certSha256: text('cert_sha256').notNull(),
  },
  (t) => [index('audit_checkpoints_seq_idx').on(t.seq)],
);

/** 证书项目: the catalog, seeded from core/content/projects.ts and edited by administrators. */
export const projects = pgTable('projects', {
  code: text('code').primaryKey(),
  name: text('name').notNull(),
  platform: text('platform').notNull(),
  purpose: text('purpose').notNull(),
  notFor: text('not_for'),
  /** Whether 法人核验 must show 认证成功 before submission. */
  legalCheckRequired: boolean('legal_check_required').notNull(),
  productionWorkingDays: integer('production_working_days').notNull(),
  /** Which CA family issues this project's certificates (the CA issue uses it). */
  certFamily: text('cert_family').$type<'sm2' | 'ecdsa' | 'rsa'>().notNull().default('sm2'),
  /**
   * Whether 制证 issues an SM2 pair (GM/T 0034): the signing certificate beside an encryption certificate whose key
   * the key management centre makes, escrows and envelopes (docs/kmc.md). The bidding and procurement platforms
   * encrypt to the holder (seeds 000 and 001); SM2 projects only.
   */
  dualCertificates: boolean('dual_certificates').notNull().default(false),
  active: boolean('active').notNull().default(true),
  sortOrder: integer('sort_order').notNull().default(0),
  updatedAt: ts('updated_at').notNull().defaultNow(),
  updatedBy: uuid('updated_by'),
});

/** The keys a project offers, with prices in fen (never floats). */
export const projectKeys = pgTable(
  'project_keys',
  {
    projectCode: text('project_code')
      .notNull()
      .references(() => projects.code),
    keyType: text('key_type').$type<'main' | 'sub'>().notNull(),
    withSeal: boolean('with_seal').notNull(),
    priceFen: integer('price_fen'),
    /** False while a seeded price is a placeholder the seeds did not state: such a key cannot be ordered. */
    priceConfirmed: boolean('price_confirmed').notNull(),
    active: boolean('active').notNull().default(true),
  },
  (t) => [primaryKey({ columns: [t.projectCode, t.keyType] })],
);

/**
 * The agent's (经办人) mobile as staff search it: the digits of form.agent.mobile, last 11. The draft keeps
 * what the applicant typed ("+86 138-0013-8000"); this reads it the way normalizeMobile does for any
 * number that passes the mobile rule. The index orders_agent_mobile_idx is built on this very expression,
 * and the search must use the same one for PostgreSQL to use the index.
 */
export const agentMobileSql = (form: AnyPgColumn) => sql`right(regexp_replace((${form} -> 'agent' ->> 'mobile'), '[^0-9]', '', 'g'), 11)`;

/** 订单: one online 新制 application. */
export const orders = pgTable(
  'orders',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    orderNo: text('order_no').notNull(),
    organizationId: uuid('organization_id')
      .notNull()
      .references(() => organizations.id),
    projectCode: text('project_code')
      .notNull()
      .references(() => projects.code),
    keyType: text('key_type').$type<'main' | 'sub'>().notNull(),
    status: text('status').notNull(),
    /** What the applicant typed, saved as they go (ZOrderDraft). */
    form: jsonb('form').$type<Record<string, unknown>>().notNull(),
    /** Bumped by every saved change: the optimistic-concurrency check for form saves. */
    formVersion: integer('form_version').notNull().default(1),
    /** The unit name + USCC + project the application form PDF was last printed from (null: never). */
    applicationFormPrintedIdentity: text('application_form_printed_identity'),
    applicationFormPrintedAt: ts('application_form_printed_at'),
    /** 法人核验: the QR token is HMAC(secret, id:nonce); only its hash is stored, for lookup. */
    legalCheckNonce: text('legal_check_nonce').notNull(),
    legalCheckTokenHash: text('legal_check_token_hash').notNull(),
    legalCheckStatus: text('legal_check_status').$type<'none' | 'passed' | 'failed'>().notNull().default('none'),
    legalCheckAt: ts('legal_check_at'),
    submittedAt: ts('submitted_at'),
    /** When the order entered its current status: the staff queues wait oldest-first on this. */
    statusChangedAt: ts('status_changed_at').notNull().defaultNow(),
    /** Which pre-review round the order is in (1 after the first submission; +1 per resubmission). */
    reviewRound: integer('review_round').notNull().default(0),
    reviewedAt: ts('reviewed_at'),
    paidAt: ts('paid_at'),
    paperReceivedAt: ts('paper_received_at'),
    productionStartedAt: ts('production_started_at'),
    producedAt: ts('produced_at'),
    shippedAt: ts('shipped_at'),
    deletedAt: ts('deleted_at'),
    createdAt: ts('created_at').notNull().defaultNow(),
    updatedAt: ts('updated_at').notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex('orders_order_no_uq').on(t.orderNo),
    uniqueIndex('orders_legal_token_uq').on(t.legalCheckTokenHash),
    index('orders_org_idx').on(t.organizationId, t.createdAt),
    index('orders_status_idx').on(t.status, t.updatedAt),
    index('orders_queue_idx').on(t.status, t.statusChangedAt, t.id),
    // Staff search (modules/staff-orders): newest first, and the agent's mobile (see agentMobileSql).
    index('orders_created_idx').on(t.createdAt, t.id),
    index('orders_agent_mobile_idx').on(agentMobileSql(t.form)),
    // The 制证 deadline clock (modules/staff-orders/deadlines.ts) of the orders in production, so counting
    // the overdue ones reads this small index and no table rows.
    index('orders_production_idx')
      .on(t.projectCode, t.productionStartedAt, t.statusChangedAt)
      .where(sql`status = 'in_production'`),
  ],
);

/**
 * How many orders are in each status, kept by triggers on `orders` (migration 0023) so the staff queues
 * never count a million rows. Each statement that changes statuses appends its net change per status, so
 * concurrent transitions never wait on one counter row; a job folds the rows into one per status
 * (staffOrderRepository.foldStatusCounts). The count of a status is the sum of its rows.
 */
export const orderStatusCounts = pgTable(
  'order_status_counts',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    status: text('status').notNull(),
    n: bigint('n', { mode: 'number' }).notNull(),
  },
  (t) => [index('order_status_counts_status_idx').on(t.status)],
);

/** Every step of an order: who, what, when, why, before/after (written with the change it records). */
export const orderEvents = pgTable(
  'order_events',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    orderId: uuid('order_id')
      .notNull()
      .references(() => orders.id),
    actorType: text('actor_type').$type<'org' | 'staff' | 'system' | 'legal_person'>().notNull(),
    actorId: uuid('actor_id'),
    action: text('action').notNull(),
    fromStatus: text('from_status'),
    toStatus: text('to_status'),
    reason: text('reason'),
    detail: jsonb('detail')
      .$type<Record<string, unknown>>()
      .notNull()
      .default(sql`'{}'::jsonb`),
    /** Visible to the applicant? Staff-only notes are not. */
    public: boolean('public').notNull().default(true),
    at: ts('at').notNull().defaultNow(),
  },
  (t) => [index('order_events_order_idx').on(t.orderId, t.id)],
);

/**
 * Uploaded scans. The file itself is encrypted on disk (AES-256-GCM) under a server-chosen name; this row
 * knows where, and its hash. A replaced file keeps its row (replaced_at set) so the history stays whole.
 */
export const orderDocuments = pgTable(
  'order_documents',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    orderId: uuid('order_id')
      .notNull()
      .references(() => orders.id),
    slot: text('slot').notNull(),
    storageKey: text('storage_key').notNull(),
    thumbnailKey: text('thumbnail_key').notNull(),
    sha256: text('sha256').notNull(),
    mime: text('mime').notNull(),
    bytes: integer('bytes').notNull(),
    width: integer('width').notNull(),
    height: integer('height').notNull(),
    originalName: text('original_name').notNull(),
    uploadedAt: ts('uploaded_at').notNull().defaultNow(),
    replacedAt: ts('replaced_at'),
  },
  (t) => [
    index('order_documents_order_idx').on(t.orderId, t.slot),
    uniqueIndex('order_documents_current_uq')
      .on(t.orderId, t.slot)
      .where(sql`replaced_at is null`),
  ],
);

/** One face-verification attempt of the legal representative (法人核验). */
export const legalChecks = pgTable(
  'legal_checks',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    orderId: uuid('order_id')
      .notNull()
      .references(() => orders.id),
    provider: text('provider').notNull(),
    bizToken: text('biz_token').notNull(),
    /**
     * started → passed | failed (compare-and-set, once). 'error': the provider refused to start the check
     * (outage, bad credentials); such a row records the trouble but does not count as an attempt.
     */
    status: text('status').$type<'started' | 'passed' | 'failed' | 'error'>().notNull(),
    failureReason: text('failure_reason'),
    startedAt: ts('started_at').notNull().defaultNow(),
    finishedAt: ts('finished_at'),
  },
  (t) => [uniqueIndex('legal_checks_biz_uq').on(t.bizToken), index('legal_checks_order_idx').on(t.orderId, t.startedAt)],
);

/**
 * The sandbox FaceID gateway's state (adapters/face/sandbox-gateway.ts): one row per BizToken it issued,
 * with what DetectAuth was given and what the tester chose on the sandbox liveness page. In the database,
 * not in memory, so the page and the API answer the same on every app instance.
 */
export const sandboxFaceid = pgTable(
  'sandbox_faceid',
  {
    bizToken: text('biz_token').primaryKey(),
    ruleId: text('rule_id').notNull(),
    name: text('name').notNull(),
    idCard: text('id_card').notNull(),
    redirectUrl: text('redirect_url').notNull(),
    extra: text('extra'),
    /** null until the tester chooses on the sandbox page. */
    outcome: text('outcome').$type<'passed' | 'not_self' | 'liveness_failed'>(),
    createdAt: ts('created_at').notNull().defaultNow(),
    /** The H5 page works until then (Tencent: 7,200 s); results can be fetched for 3 days. */
    expiresAt: ts('expires_at').notNull(),
    completedAt: ts('completed_at'),
  },
  (t) => [index('sandbox_faceid_created_idx').on(t.createdAt)],
);

/**
 * 预审 per document: pass or fail with preset reasons and a note, one row per document per review round.
 * The applicant sees the reasons of failed documents; the reviewer sees what changed since the last round.
 */
export const documentReviews = pgTable(
  'document_reviews',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    orderId: uuid('order_id')
      .notNull()
      .references(() => orders.id),
    round: integer('round').notNull(),
    slot: text('slot').notNull(),
    documentId: uuid('document_id')
      .notNull()
      .references(() => orderDocuments.id),
    verdict: text('verdict').$type<'pass' | 'fail'>().notNull(),
    reasons: jsonb('reasons')
      .$type<string[]>()
      .notNull()
      .default(sql`'[]'::jsonb`),
    note: text('note'),
    reviewerId: uuid('reviewer_id').notNull(),
    at: ts('at').notNull().defaultNow(),
  },
  (t) => [uniqueIndex('document_reviews_uq').on(t.orderId, t.round, t.slot)],
);

/** Courier shipments: the applicant's paper originals (inbound) and the key sent by SF Express (outbound). */
export const shipments = pgTable(
  'shipments',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    orderId: uuid('order_id')
      .notNull()
      .references(() => orders.id),
    direction: text('direction').$type<'inbound' | 'outbound'>().notNull(),
    courier: text('courier').notNull(),
    trackingNo: text('tracking_no').notNull(),
    enteredByType: text('entered_by_type').$type<'org' | 'staff'>().notNull(),
    enteredById: uuid('entered_by_id').notNull(),
    at: ts('at').notNull().defaultNow(),
  },
  (t) => [
    index('shipments_order_idx').on(t.orderId, t.direction, t.at),
    // 受理 finds an order by the courier number on the envelope that arrived.
    index('shipments_inbound_tracking_idx')
      .on(t.trackingNo)
      .where(sql`direction = 'inbound'`),
  ],
);

/** 电话通知补寄: each call staff made about an order, with its outcome. */
export const orderCalls = pgTable(
  'order_calls',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    orderId: uuid('order_id')
      .notNull()
      .references(() => orders.id),
    staffId: uuid('staff_id').notNull(),
    calledAt: ts('called_at').notNull(),
    outcome: text('outcome').$type<'reached' | 'no_answer' | 'wrong_number' | 'call_back'>().notNull(),
    note: text('note'),
    at: ts('at').notNull().defaultNow(),
  },
  (t) => [index('order_calls_order_idx').on(t.orderId, t.calledAt)],
);

/** 发票: one task per paid order, due 3 working days after 制证完成; the PDF is kept in the encrypted store. */
export const invoices = pgTable(
  'invoices',
  {
    orderId: uuid('order_id')
      .primaryKey()
      .references(() => orders.id),
    status: text('status').$type<'waiting' | 'due' | 'issued'>().notNull(),
    amountFen: integer('amount_fen').notNull(),
    title: text('title').notNull(),
    taxNumber: text('tax_number').notNull(),
    email: text('email').notNull(),
    dueAt: ts('due_at'),
    invoiceNo: text('invoice_no'),
    storageKey: text('storage_key'),
    issuedAt: ts('issued_at'),
    issuedBy: uuid('issued_by'),
    createdAt: ts('created_at').notNull().defaultNow(),
  },
  (t) => [index('invoices_status_idx').on(t.status, t.dueAt)],
);

/**
 * The working-day calendar's exceptions: public holidays on weekdays ('holiday') and make-up working days
 * on weekends ('workday', 调休). Every other weekday is a working day. Editable by an administrator.
 */
export const calendarDays = pgTable('calendar_days', {
  day: text('day').primaryKey(),
  kind: text('kind').$type<'holiday' | 'workday'>().notNull(),
  name: text('name').notNull(),
  updatedAt: ts('updated_at').notNull().defaultNow(),
  updatedBy: uuid('updated_by'),
});

/**
 * Which published holiday schedules (modules/calendar/official-schedules.ts) have been loaded into
 * calendar_days. A schedule is loaded once: a day an administrator deleted afterwards stays deleted.
 */
export const calendarSeeds = pgTable('calendar_seeds', {
  key: text('key').primaryKey(),
  seededAt: ts('seeded_at').notNull().defaultNow(),
});

/** SMS texts as an administrator edited them (the code holds the defaults). */
export const smsTemplates = pgTable('sms_templates', {
  key: text('key').primaryKey(),
  text: text('text').notNull(),
  updatedAt: ts('updated_at').notNull().defaultNow(),
  updatedBy: uuid('updated_by'),
});

/**
 * Settings an administrator edits in 系统设置, one row per key, the value checked by the key's zod schema
 * when written and read (e.g. 'paper_address': where applicants mail the paper originals). The code holds
 * each key's default; a missing row means the default.
 */
export const settings = pgTable('settings', {
  key: text('key').primaryKey(),
  value: jsonb('value').notNull(),
  updatedAt: ts('updated_at').notNull().defaultNow(),
  updatedBy: uuid('updated_by'),
});

/** What the sandbox mail server "delivered": the development inbox shows it. */
export const sandboxMail = pgTable(
  'sandbox_mail',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    messageId: text('message_id').notNull(),
    to: text('to').notNull(),
    subject: text('subject').notNull(),
    text: text('text').notNull(),
    attachments: jsonb('attachments').$type<{ filename: string; contentType: string; bytes: number }[]>().notNull(),
    raw: text('raw').notNull(),
    receivedAt: ts('received_at').notNull().defaultNow(),
  },
  (t) => [index('sandbox_mail_to_idx').on(t.to, t.receivedAt)],
);
