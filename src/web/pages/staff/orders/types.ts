/**
 * The JSON the staff order routes answer (server/routes/staff-orders.ts, review.ts, fulfilment.ts,
 * invoices.ts). The web may not import the server, so the shapes are written out here; the browser tests
 * run against the real server.
 */
import type { PaperItem } from '../../../../core/paper-checklist.js';
import type { OrderDraft } from '../../../../core/order-form.js';
import type { StaffRole } from '../../../../core/schemas.js';
import type { OrderStatus } from '../../../../core/workflow.js';

export interface QueueInfo {
  status: OrderStatus;
  label: string;
  step: string | null;
  roles: StaffRole[];
  count: number;
  overdueCount: number;
}

export interface QueueItem {
  id: string;
  orderNo: string;
  orderNoDisplay: string;
  organizationName: string;
  uscc: string;
  projectCode: string;
  projectName: string;
  keyType: 'main' | 'sub';
  keyLabel: string;
  status: OrderStatus;
  statusLabel: string;
  statusStep: string | null;
  statusChangedAt: string;
  waitingWorkingDays: number;
  dueAt: string | null;
  overdue: boolean;
  agentName: string | null;
  agentMobileMasked: string | null;
}

export interface StaffDocument {
  id: string;
  slot: string;
  label: string;
  uploadedAt: string;
  replacedAt: string | null;
  bytes: number;
  width: number | null;
  height: number | null;
  originalName: string;
  current: boolean;
}

export interface StaffOrderEvent {
  id: string | number;
  action: string;
  actorType: string;
  actorName: string | null;
  fromStatus: string | null;
  toStatus: string | null;
  toStatusLabel?: string | null;
  reason: string | null;
  detail?: Record<string, unknown> | null;
  public: boolean;
  at: string;
}

export interface Shipment {
  id: string;
  direction: 'inbound' | 'outbound';
  courier: string;
  trackingNo: string;
  trackingUrl?: string | null;
  enteredByType?: string;
  enteredByName?: string | null;
  at: string;
}

export type CallOutcome = 'reached' | 'no_answer' | 'wrong_number' | 'call_back';

export interface OrderCall {
  id: string | number;
  calledAt: string;
  outcome: CallOutcome;
  note: string | null;
  staffName?: string | null;
  at: string;
}

export interface InvoiceInfo {
  status: 'waiting' | 'due' | 'issued';
  amountFen: number;
  title: string;
  taxNumber: string;
  email: string;
  dueAt: string | null;
  overdue?: boolean;
  invoiceNo: string | null;
  issuedAt: string | null;
  hasFile?: boolean;
}

/** One of the organization's other orders (the main/sub-key history). */
export interface KeyHistoryItem {
  id: string;
  orderNo: string;
  orderNoDisplay: string;
  projectCode: string;
  projectName: string;
  keyType: 'main' | 'sub';
  keyLabel: string;
  status: string;
  statusLabel: string;
  createdAt: string;
}

export interface StaffOrderView {
  order: {
    id: string;
    orderNo: string;
    orderNoDisplay: string;
    status: OrderStatus;
    statusLabel: string;
    statusStep: string | null;
    projectCode: string;
    projectName: string;
    keyType: 'main' | 'sub';
    keyLabel: string;
    priceFen?: number | null;
    form: OrderDraft;
    reviewRound: number;
    statusChangedAt?: string;
    timestamps: Record<string, string | null>;
    dueAt: string | null;
    overdue: boolean;
  };
  organization: { id: string; name: string; uscc: string; mobile?: string };
  project: { code: string; name: string; purpose?: string; legalCheckRequired?: boolean; productionWorkingDays?: number };
  legalCheck: { required: boolean; status: 'none' | 'passed' | 'failed'; at: string | null; lastFailure?: string | null };
  documents: StaffDocument[];
  keyHistory: KeyHistoryItem[];
  events: StaffOrderEvent[];
  shipments: Shipment[];
  calls: OrderCall[];
  invoice: InvoiceInfo | null;
  paperChecklist: PaperChecklistView;
  /** `blocked`: why a guarded action cannot be taken yet (the workflow table's guard, checked on the server). */
  actions: { action: string; label: string; blocked: string | null }[];
}

/** 受理's paper checklist: the order's originals with their seals, and the ticks of the last paper review. */
export interface PaperChecklistView {
  items: PaperItem[];
  lastReview: {
    action: 'order.pass_paper' | 'order.fail_paper';
    checked: string[];
    missing: string[];
    by: string | null;
    at: string;
  } | null;
}

export interface ReviewedDocument {
  verdict: 'pass' | 'fail';
  reasons: string[];
  note: string | null;
  documentId: string;
}

export interface RecordedReview {
  round: number;
  decision: 'approve' | 'reject';
  at: string;
  orderReason: string | null;
  reviewerName: string | null;
  documents: Record<string, ReviewedDocument>;
}

/** GET /api/staff/orders/:id/review (server/modules/review/review-view.ts). */
export interface ReviewInfo {
  round: number;
  slots: {
    code: string;
    label: string;
    document: { id: string; uploadedAt: string; width: number; height: number; bytes: number } | null;
  }[];
  current: RecordedReview | null;
  previous: RecordedReview | null;
  changedSlots: string[];
  formChanged: string[];
  presetReasons: { slots: Record<string, string[]>; order: string[] };
}

export interface InvoiceItem {
  orderId: string;
  orderNo: string;
  orderNoDisplay: string;
  organizationName: string;
  amountFen: number;
  title: string;
  taxNumber: string;
  email: string;
  status: 'waiting' | 'due' | 'issued';
  dueAt: string | null;
  overdue: boolean;
  issuedAt: string | null;
  invoiceNo: string | null;
}
