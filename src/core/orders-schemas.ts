/**
 * Response shapes of the applicant's order routes (server/routes/orders.ts): the catalog, the key choice,
 * the order list and the order page. The server answers through them, the OpenAPI document shows them, and
 * the applicant pages' types are inferred from them (JsonOf: dates as ISO text).
 */
import { z } from 'zod';
import { ZOrderDraft } from './order-form.js';
import { ZPaperItem } from './paper-checklist.js';
import { ZInstant, type JsonOf } from './response.js';
import { ORDER_STATUSES } from './workflow.js';

export const ZOrderStatus = z.enum(ORDER_STATUSES);
export const ZKeyType = z.enum(['main', 'sub']);
export const ZLegalCheckStatus = z.enum(['none', 'passed', 'failed']);
export const ZInvoiceStatus = z.enum(['waiting', 'due', 'issued']);
/** The answer of a request that has nothing to report but success. */
export const ZOk = z.object({ ok: z.boolean() });

export const ZCatalog = z.object({
  items: z.array(
    z.object({
      code: z.string(),
      name: z.string(),
      platform: z.string(),
      purpose: z.string(),
      notFor: z.string().nullable(),
      legalCheckRequired: z.boolean(),
      productionWorkingDays: z.number(),
      /** The certificate comes as a pair, 签名证书 + 加密证书 (docs/kmc.md; SM2 projects only). */
      dualCertificates: z.boolean(),
      keys: z.array(
        z.object({
          keyType: ZKeyType,
          withSeal: z.boolean(),
          /** null until the price is confirmed. */
          priceFen: z.number().nullable(),
          orderable: z.boolean(),
        }),
      ),
    }),
  ),
});
export type Catalog = JsonOf<typeof ZCatalog>;
export type CatalogProject = Catalog['items'][number];

export const ZOrderSummary = z.object({
  id: z.string(),
  orderNo: z.string(),
  orderNoDisplay: z.string(),
  status: ZOrderStatus,
  statusLabel: z.string(),
  /** The step inside 正在受理 (e.g. 等待邮寄纸质资料); null in the other statuses. */
  statusStep: z.string().nullable(),
  projectCode: z.string(),
  projectName: z.string(),
  keyType: ZKeyType,
  keyLabel: z.string(),
  createdAt: ZInstant,
  submittedAt: ZInstant.nullable(),
  updatedAt: ZInstant,
});
export type OrderSummary = JsonOf<typeof ZOrderSummary>;
export const ZOrderSummaries = z.object({ items: z.array(ZOrderSummary) });
export type OrderSummaries = JsonOf<typeof ZOrderSummaries>;

/** GET /api/apply/key-choice: the key types this organization may order, why, and its unfinished orders. */
export const ZKeyChoice = z.object({
  allowed: z.array(ZKeyType),
  reason: z.string(),
  unfinished: z.array(ZOrderSummary),
});
export type KeyChoice = JsonOf<typeof ZKeyChoice>;

export const ZUploadedDocument = z.object({
  id: z.string(),
  uploadedAt: ZInstant,
  bytes: z.number(),
  width: z.number(),
  height: z.number(),
  originalName: z.string(),
});
export type UploadedDocument = JsonOf<typeof ZUploadedDocument>;

export const SLOT_CODES = [
  'application-form',
  'business-license',
  'agent-id-front',
  'agent-id-back',
  'power-of-attorney',
  'seal-sheet',
  'appointment-letter',
] as const;

export const ZSlotView = z.object({
  code: z.enum(SLOT_CODES),
  label: z.string(),
  template: z.enum(['application-form', 'power-of-attorney', 'seal-sheet', 'appointment-letter']).nullable(),
  /** A file may be uploaded into this slot now (editable order; after 资料审核失败, only what failed). */
  canUpload: z.boolean(),
  uploaded: ZUploadedDocument.nullable(),
});
export type SlotView = JsonOf<typeof ZSlotView>;

export const ZLegalCheckView = z.object({
  required: z.boolean(),
  status: ZLegalCheckStatus,
  at: ZInstant.nullable(),
  lastFailure: z.string().nullable(),
  /** The QR target; null once the order is deleted (its code is dead). */
  url: z.string().nullable(),
});
export type LegalCheckView = JsonOf<typeof ZLegalCheckView>;
export type LegalCheckStatus = LegalCheckView['status'];

export const ZOrderEvent = z.object({
  id: z.number(),
  action: z.string(),
  fromStatus: z.string().nullable(),
  toStatus: z.string().nullable(),
  toStatusLabel: z.string().nullable(),
  reason: z.string().nullable(),
  at: ZInstant,
});
export type OrderEvent = JsonOf<typeof ZOrderEvent>;

/** One document's verdict in a 预审 round, with what to do about each preset reason. */
export const ZDocumentVerdict = z.object({
  verdict: z.enum(['pass', 'fail']),
  reasons: z.array(z.string()),
  note: z.string().nullable(),
  advice: z.array(z.string()),
});
export type DocumentVerdict = JsonOf<typeof ZDocumentVerdict>;

/** The latest 预审 round as the applicant sees it (null before the first review). */
export const ZReviewView = z.object({
  round: z.number(),
  decision: z.enum(['approve', 'reject']),
  at: ZInstant,
  orderReason: z.string().nullable(),
  documents: z.record(z.string(), ZDocumentVerdict),
});
export type ReviewView = JsonOf<typeof ZReviewView>;

export const ZPaperShipment = z.object({
  /** SF / EMS, or the name typed for another courier. */
  courier: z.string(),
  courierCode: z.enum(['SF', 'EMS', 'other']),
  courierLabel: z.string(),
  trackingNo: z.string(),
  trackingUrl: z.string().nullable(),
  at: ZInstant,
});

/** 邮寄纸质资料: the originals to mail for this order, where, and the courier numbers entered. */
export const ZPaperView = z.object({
  /** One line each, in the seeds' words; the application form's line names the order number. */
  list: z.array(z.string()),
  /** The same originals with their short names and the seals each must carry (core/paper-checklist.ts). */
  items: z.array(ZPaperItem),
  /** Where to mail them (系统设置). */
  mailTo: z.object({ address: z.string(), recipient: z.string(), phone: z.string() }),
  /** The printable 邮寄资料清单 can be downloaded (from 资料审核通过 on). */
  checklistAvailable: z.boolean(),
  orderNo: z.string(),
  /** Paid and waiting for the paper, or asked to re-send it. */
  canEnterShipment: z.boolean(),
  /** While 纸质资料需补寄: what staff asked for. */
  resend: z.object({ names: z.array(z.string()), note: z.string().nullable(), at: ZInstant }).nullable(),
  shipments: z.array(ZPaperShipment),
});
export type PaperView = JsonOf<typeof ZPaperView>;

export const ZRecipient = z.object({ name: z.string(), mobile: z.string(), address: z.string() });
export type Recipient = JsonOf<typeof ZRecipient>;

/** 证书接收人, and the SF Express waybill once the key is shipped. */
export const ZDeliveryView = z.object({
  recipient: ZRecipient,
  /** Until the key is shipped. */
  recipientEditable: z.boolean(),
  outbound: z.object({ courier: z.literal('SF'), trackingNo: z.string(), trackingUrl: z.string(), shippedAt: ZInstant }).nullable(),
});
export type DeliveryView = JsonOf<typeof ZDeliveryView>;

export const ZInvoiceView = z.object({
  status: ZInvoiceStatus,
  statusLabel: z.string(),
  email: z.string(),
  issuedAt: ZInstant.nullable(),
  invoiceNo: z.string().nullable(),
  downloadable: z.boolean(),
});
export type InvoiceView = JsonOf<typeof ZInvoiceView>;

/** The applicant's order page: everything it shows, nothing staff-only. */
export const ZOrderView = z.object({
  order: ZOrderSummary.extend({
    statusMeaning: z.string(),
    priceFen: z.number().nullable(),
    form: ZOrderDraft,
    formVersion: z.number(),
    editable: z.boolean(),
    /** The order number this order's form was prefilled from (a second order), or null. */
    prefilledFrom: z.string().nullable(),
  }),
  organization: z.object({ name: z.string(), uscc: z.string() }),
  project: z.object({
    code: z.string(),
    name: z.string(),
    purpose: z.string(),
    legalCheckRequired: z.boolean(),
    productionWorkingDays: z.number(),
  }),
  slots: z.array(ZSlotView),
  /** Form problems by dotted field path. */
  problems: z.record(z.string(), z.string()),
  missing: z.array(z.string()),
  review: ZReviewView.nullable(),
  applicationFormStale: z.boolean(),
  legalCheck: ZLegalCheckView,
  actions: z.array(z.object({ action: z.string(), label: z.string() })),
  events: z.array(ZOrderEvent),
  paper: ZPaperView,
  delivery: ZDeliveryView,
  invoice: ZInvoiceView.nullable(),
});
export type OrderView = JsonOf<typeof ZOrderView>;

/** PUT /api/orders/:id/form: the saved version and what the form still lacks for submission. */
export const ZFormSaved = z.object({ formVersion: z.number(), problems: z.record(z.string(), z.string()) });
export type FormSaved = JsonOf<typeof ZFormSaved>;

/** 上传证件 and 沿用: the document now in the slot. */
export const ZDocumentStored = z.object({ document: ZUploadedDocument.extend({ slot: z.string() }) });
export type DocumentStored = JsonOf<typeof ZDocumentStored>;

/** Business-licence scans of the organization's other recent orders that may be reused here. */
export const ZReusableScans = z.object({
  items: z.array(
    z.object({
      id: z.string(),
      orderId: z.string(),
      orderNoDisplay: z.string(),
      projectName: z.string(),
      orderStatusLabel: z.string(),
      uploadedAt: ZInstant,
      width: z.number(),
      height: z.number(),
    }),
  ),
});
export type ReusableScans = JsonOf<typeof ZReusableScans>;
