/** Response shapes of 发票 (server/routes/invoices.ts); 财务's pages read them (JsonOf). */
import { z } from 'zod';
import { ZInstant, type JsonOf } from './response.js';
import { ZInvoiceStatus } from './orders-schemas.js';

export const ZInvoiceItem = z.object({
  orderId: z.string(),
  orderNo: z.string(),
  orderNoDisplay: z.string(),
  organizationName: z.string(),
  amountFen: z.number(),
  title: z.string(),
  taxNumber: z.string(),
  email: z.string(),
  status: ZInvoiceStatus,
  dueAt: ZInstant.nullable(),
  overdue: z.boolean(),
  issuedAt: ZInstant.nullable(),
  invoiceNo: z.string().nullable(),
});
export type InvoiceItem = JsonOf<typeof ZInvoiceItem>;
/** `next`: the opaque cursor of the following page, null on the last. */
export const ZInvoiceList = z.object({ items: z.array(ZInvoiceItem), next: z.string().nullable() });
export type InvoiceList = JsonOf<typeof ZInvoiceList>;

/** POST /api/staff/invoices/:orderId/issue. `emailed`: the invoice e-mail was queued. */
export const ZInvoiceIssued = z.object({
  invoice: z.object({
    orderId: z.string(),
    status: ZInvoiceStatus,
    invoiceNo: z.string().nullable(),
    issuedAt: ZInstant.nullable(),
    hasFile: z.boolean(),
    email: z.string(),
  }),
  emailed: z.boolean(),
});
