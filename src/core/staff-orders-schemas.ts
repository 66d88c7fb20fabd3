/**
 * Response shapes of the staff console's work lists, order page and working-day calendar
 * (server/routes/staff-orders.ts). The server answers through them (undeclared fields fail the tests), the
 * OpenAPI document shows them, and the web's types are inferred from them (JsonOf: dates as ISO text).
 */
import { z } from 'zod';
import { CALL_OUTCOMES, type CallOutcome } from './fulfilment.js';
import { ZOrderDraft } from './order-form.js';
import { ZInvoiceStatus, ZKeyType, ZLegalCheckStatus, ZOrderStatus } from './orders-schemas.js';
import { ZPaperItem } from './paper-checklist.js';
import { ZStaffRole } from './schemas.js';
import { ZInstant, type JsonOf } from './response.js';

export const ZQueueInfo = z.object({
  status: ZOrderStatus,
  label: z.string(),
  step: z.string().nullable(),
  roles: z.array(ZStaffRole),
  count: z.number(),
  overdueCount: z.number(),
});
export type QueueInfo = JsonOf<typeof ZQueueInfo>;
export const ZQueues = z.object({ queues: z.array(ZQueueInfo) });

export const ZQueueItem = z.object({
  id: z.string(),
  orderNo: z.string(),
  orderNoDisplay: z.string(),
  organizationName: z.string(),
  uscc: z.string(),
  projectCode: z.string(),
  projectName: z.string(),
  keyType: ZKeyType,
  keyLabel: z.string(),
  status: ZOrderStatus,
  statusLabel: z.string(),
  statusStep: z.string().nullable(),
  statusChangedAt: ZInstant,
  waitingWorkingDays: z.number(),
  dueAt: ZInstant.nullable(),
  overdue: z.boolean(),
  agentName: z.string().nullable(),
  agentMobileMasked: z.string().nullable(),
});
export type QueueItem = JsonOf<typeof ZQueueItem>;
/** `next`: the opaque cursor of the following page, null on the last. */
export const ZOrderList = z.object({ items: z.array(ZQueueItem), next: z.string().nullable() });

const ZOrderTimestamps = z.object({
  createdAt: ZInstant,
  submittedAt: ZInstant.nullable(),
  reviewedAt: ZInstant.nullable(),
  paidAt: ZInstant.nullable(),
  paperReceivedAt: ZInstant.nullable(),
  productionStartedAt: ZInstant.nullable(),
  producedAt: ZInstant.nullable(),
  shippedAt: ZInstant.nullable(),
  deletedAt: ZInstant.nullable(),
  statusChangedAt: ZInstant,
});

export const ZStaffDocument = z.object({
  id: z.string(),
  slot: z.string(),
  label: z.string(),
  uploadedAt: ZInstant,
  replacedAt: ZInstant.nullable(),
  bytes: z.number(),
  width: z.number(),
  height: z.number(),
  originalName: z.string(),
  current: z.boolean(),
  fileUrl: z.string(),
  thumbnailUrl: z.string(),
});
export type StaffDocument = JsonOf<typeof ZStaffDocument>;

/** One of the organization's other orders (the main/sub-key history). */
export const ZKeyHistoryItem = z.object({
  id: z.string(),
  orderNo: z.string(),
  orderNoDisplay: z.string(),
  projectCode: z.string(),
  projectName: z.string(),
  keyType: ZKeyType,
  keyLabel: z.string(),
  status: z.string(),
  statusLabel: z.string(),
  createdAt: ZInstant,
});
export type KeyHistoryItem = JsonOf<typeof ZKeyHistoryItem>;

export const ZStaffOrderEvent = z.object({
  id: z.number(),
  action: z.string(),
  actorType: z.enum(['org', 'staff', 'system', 'legal_person']),
  actorName: z.string().nullable(),
  fromStatus: z.string().nullable(),
  toStatus: z.string().nullable(),
  toStatusLabel: z.string().nullable(),
  reason: z.string().nullable(),
  detail: z.record(z.string(), z.unknown()),
  public: z.boolean(),
  at: ZInstant,
});
export type StaffOrderEvent = JsonOf<typeof ZStaffOrderEvent>;

export const ZShipment = z.object({
  id: z.string(),
  direction: z.enum(['inbound', 'outbound']),
  courier: z.string(),
  trackingNo: z.string(),
  trackingUrl: z.string().nullable(),
  enteredByType: z.enum(['org', 'staff']),
  enteredByName: z.string(),
  at: ZInstant,
});
export type Shipment = JsonOf<typeof ZShipment>;

export const ZOrderCall = z.object({
  id: z.number(),
  calledAt: ZInstant,
  outcome: z.enum(Object.keys(CALL_OUTCOMES) as [CallOutcome, ...CallOutcome[]]),
  note: z.string().nullable(),
  staffName: z.string().nullable(),
  at: ZInstant,
});
export type OrderCall = JsonOf<typeof ZOrderCall>;

export const ZStaffInvoiceTask = z.object({
  orderId: z.string(),
  status: ZInvoiceStatus,
  amountFen: z.number(),
  title: z.string(),
  taxNumber: z.string(),
  email: z.string(),
  dueAt: ZInstant.nullable(),
  overdue: z.boolean(),
  invoiceNo: z.string().nullable(),
  issuedAt: ZInstant.nullable(),
  issuedBy: z.string().nullable(),
  createdAt: ZInstant,
  /** Where the PDF is stored stays on the server; the page only needs to know there is one. */
  hasFile: z.boolean(),
});
export type InvoiceInfo = JsonOf<typeof ZStaffInvoiceTask>;

/** 受理's paper checklist: the order's originals with their seals, and the ticks of the last paper review. */
export const ZPaperChecklistView = z.object({
  items: z.array(ZPaperItem),
  lastReview: z
    .object({
      action: z.enum(['order.pass_paper', 'order.fail_paper']),
      checked: z.array(z.string()),
      missing: z.array(z.string()),
      by: z.string().nullable(),
      at: ZInstant,
    })
    .nullable(),
});
export type PaperChecklistView = JsonOf<typeof ZPaperChecklistView>;

/** GET /api/staff/orders/:id — the staff order page. */
export const ZStaffOrderView = z.object({
  order: z.object({
    id: z.string(),
    orderNo: z.string(),
    orderNoDisplay: z.string(),
    status: ZOrderStatus,
    statusLabel: z.string(),
    statusStep: z.string().nullable(),
    waitingWorkingDays: z.number(),
    projectCode: z.string(),
    projectName: z.string(),
    keyType: ZKeyType,
    keyLabel: z.string(),
    priceFen: z.number().nullable(),
    form: ZOrderDraft,
    formVersion: z.number(),
    reviewRound: z.number(),
    ...ZOrderTimestamps.shape,
    timestamps: ZOrderTimestamps,
    dueAt: ZInstant.nullable(),
    overdue: z.boolean(),
  }),
  organization: z.object({ id: z.string(), name: z.string(), uscc: z.string(), mobile: z.string() }),
  project: z.object({ code: z.string(), name: z.string(), legalCheckRequired: z.boolean(), productionWorkingDays: z.number() }),
  legalCheck: z.object({ required: z.boolean(), status: ZLegalCheckStatus, at: ZInstant.nullable() }),
  documents: z.array(ZStaffDocument),
  keyHistory: z.array(ZKeyHistoryItem),
  events: z.array(ZStaffOrderEvent),
  shipments: z.array(ZShipment),
  calls: z.array(ZOrderCall),
  invoice: ZStaffInvoiceTask.nullable(),
  paperChecklist: ZPaperChecklistView,
  /** `blocked`: why a guarded action cannot be taken yet (the workflow table's guard, checked on the server). */
  actions: z.array(z.object({ action: z.string(), label: z.string(), blocked: z.string().nullable() })),
});
export type StaffOrderView = JsonOf<typeof ZStaffOrderView>;

export const ZCalendarDay = z.object({ day: z.string(), kind: z.enum(['holiday', 'workday']), name: z.string() });
export const ZCalendarYear = z.object({ year: z.number(), days: z.array(ZCalendarDay) });
export type CalendarYear = JsonOf<typeof ZCalendarYear>;
