/**
 * The JSON the order routes answer (server/modules/orders/order-view.ts). The web may not import the
 * server, so the shapes are written out here; the browser tests run against the real server.
 */
import type { OrderDraft } from '../../../../core/order-form.js';
import type { SlotCode, UploadSlot } from '../../../../core/requirements.js';
import type { OrderStatus } from '../../../../core/workflow.js';

export interface OrderSummary {
  id: string;
  orderNo: string;
  orderNoDisplay: string;
  status: OrderStatus;
  statusLabel: string;
  /** The step inside 正在受理 (e.g. 等待邮寄纸质资料); null in the other statuses. */
  statusStep: string | null;
  projectCode: string;
  projectName: string;
  keyType: 'main' | 'sub';
  keyLabel: string;
  createdAt: string;
  submittedAt: string | null;
  updatedAt: string;
}

export interface UploadedDocument {
  id: string;
  uploadedAt: string;
  bytes: number;
  width: number | null;
  height: number | null;
  originalName: string;
}

export interface SlotView {
  code: SlotCode;
  label: string;
  template: UploadSlot['template'] | null;
  /** A file may be uploaded into this slot now (editable order; after 资料审核失败, only what failed). */
  canUpload: boolean;
  uploaded: UploadedDocument | null;
}

export type LegalCheckStatus = 'none' | 'passed' | 'failed';

export interface LegalCheckView {
  required: boolean;
  status: LegalCheckStatus;
  at: string | null;
  lastFailure: string | null;
  /** The QR target; null once the order is deleted (its code is dead). */
  url: string | null;
}

export interface OrderEvent {
  id: string;
  action: string;
  fromStatus: string | null;
  toStatus: string | null;
  toStatusLabel: string | null;
  reason: string | null;
  at: string;
}

/** One document's verdict in a 预审 round. */
export interface DocumentVerdict {
  verdict: 'pass' | 'fail';
  reasons: string[];
  note: string | null;
  /** What to do about each preset reason. */
  advice: string[];
}

/** The latest 预审 round (null before the first review). */
export interface ReviewView {
  round: number;
  decision: 'approve' | 'reject';
  at: string;
  orderReason: string | null;
  documents: Partial<Record<SlotCode, DocumentVerdict>>;
}

export interface OrderView {
  order: OrderSummary & {
    statusMeaning: string;
    priceFen: number | null;
    form: OrderDraft;
    formVersion: number;
    editable: boolean;
  };
  organization: { name: string; uscc: string };
  project: { code: string; name: string; purpose: string; legalCheckRequired: boolean; productionWorkingDays: number };
  slots: SlotView[];
  problems: Record<string, string>;
  missing: string[];
  applicationFormStale: boolean;
  legalCheck: LegalCheckView;
  actions: { action: 'submit' | 'resubmit' | 'delete'; label: string }[];
  events: OrderEvent[];
  review: ReviewView | null;
}
