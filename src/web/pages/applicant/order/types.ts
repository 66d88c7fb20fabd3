/**
 * The JSON the order routes answer (server/modules/order-views/applicant-order-view.ts). The web may not import the
 * server, so the shapes are written out here; the browser tests run against the real server.
 */
import type { PaperAddress, PaperItem } from '../../../../core/paper-checklist.js';
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

export interface PaperShipment {
  /** SF / EMS, or the name typed for another courier. */
  courier: string;
  courierCode: 'SF' | 'EMS' | 'other';
  courierLabel: string;
  trackingNo: string;
  trackingUrl: string | null;
  at: string;
}

/** 邮寄纸质资料: the originals to mail for this order, and the courier numbers entered. */
export interface PaperView {
  /** One line each, in the seeds' words; the application form's line names the order number. */
  list: string[];
  /** The same originals with their short names and the seals each must carry (core/paper-checklist.ts). */
  items: PaperItem[];
  /** Where to mail them (系统设置). */
  mailTo: PaperAddress;
  /** The printable 邮寄资料清单 can be downloaded (from 资料审核通过 on). */
  checklistAvailable: boolean;
  orderNo: string;
  /** Paid and waiting for the paper, or asked to re-send it. */
  canEnterShipment: boolean;
  /** While 纸质资料需补寄: what staff asked for. */
  resend: { names: string[]; note: string | null; at: string } | null;
  shipments: PaperShipment[];
}

export interface Recipient {
  name: string;
  mobile: string;
  address: string;
}

/** 证书接收人, and the SF Express waybill once the key is shipped. */
export interface DeliveryView {
  recipient: Recipient;
  /** Until the key is shipped. */
  recipientEditable: boolean;
  outbound: { courier: 'SF'; trackingNo: string; trackingUrl: string; shippedAt: string } | null;
}

export interface InvoiceView {
  status: 'waiting' | 'due' | 'issued';
  statusLabel: string;
  email: string;
  issuedAt: string | null;
  invoiceNo: string | null;
  downloadable: boolean;
}

export interface OrderView {
  order: OrderSummary & {
    statusMeaning: string;
    priceFen: number | null;
    form: OrderDraft;
    formVersion: number;
    editable: boolean;
    /** The order number this order's form was prefilled from (a second order), or null. */
    prefilledFrom: string | null;
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
  paper: PaperView;
  delivery: DeliveryView;
  invoice: InvoiceView | null;
}
