/**
 * What the applicant's order page shows about the steps after payment: the paper originals to mail with the
 * order number to write on them and the CA's receiving address, the tracking numbers both ways with SF Express's tracking link, the
 * recipient, and the invoice — nothing staff-only (no call log, no staff names, no correction reasons).
 */
import { COURIERS, courierOf, INVOICE_STATUS_LABEL, sfTrackingUrl } from '../../../core/fulfilment.js';
import { PAPER_CHECKLIST_STATUSES } from '../../../core/paper-checklist.js';
import type { OrderDraft } from '../../../core/order-form.js';
import { RECIPIENT_EDITABLE, type OrderStatus } from '../../../core/workflow.js';
import type { DbOrTx } from '../../db/client.js';
import { invoiceRepository } from '../invoices/repository.js';
import type { OrderRow } from '../orders/repository.js';
import { PAPER_SHIPMENT_OPEN } from './enter-paper-shipment.js';
import { fulfilmentRepository, type ShipmentRow } from './repository.js';
import { paperAddress } from '../settings/paper-address.js';
import { paperListOf } from './review-paper.js';

/** The courier as stored → what people read: the code for SF/EMS, the typed name for another courier. */
function courierFields(s: ShipmentRow) {
  const c = courierOf(s.courier);
  return { courier: c.code === 'other' ? (c.name ?? '') : c.code, courierCode: c.code, courierLabel: c.name ?? COURIERS[c.code] };
}
const trackingUrlOf = (s: ShipmentRow) => (courierOf(s.courier).code === 'SF' ? sfTrackingUrl(s.trackingNo) : null);

export async function applicantFulfilment(db: DbOrTx, order: OrderRow) {
  const status = order.status as OrderStatus;
  const rows = await fulfilmentRepository.shipments(db, order.id);
  const inbound = rows.filter((s) => s.direction === 'inbound');
  const outbound = rows.filter((s) => s.direction === 'outbound').at(-1);
  const lastFailure = status === 'paper_failed' ? await fulfilmentRepository.lastEvent(db, order.id, 'order.fail_paper') : undefined;
  const failure = lastFailure?.detail as { names?: string[]; note?: string | null } | undefined;
  const invoice = await invoiceRepository.find(db, order.id);
  const items = paperListOf(order);
  const recipient = (order.form as OrderDraft).recipient ?? {};
  return {
    paper: {
      /** What to mail, one line each, in the seeds' words (the application form's line names the order number). */
      list: items.map((p) => p.text),
      /** The same list with each original's seals (core/paper-checklist.ts). */
      items,
      /** Where to mail them (系统设置). */
      mailTo: await paperAddress(db),
      /** The printable 邮寄资料清单 (GET /api/orders/:id/paper-checklist.pdf), from 资料审核通过 on. */
      checklistAvailable: PAPER_CHECKLIST_STATUSES.includes(status),
      /** Written top-left on the application form. */
      orderNo: order.orderNo,
      /** May the applicant enter a tracking number now (paid and waiting, or asked to re-send)? */
      canEnterShipment: PAPER_SHIPMENT_OPEN.includes(status),
      /** While 纸质资料需补寄: what staff asked to re-send. */
      resend: failure && lastFailure ? { names: failure.names ?? [], note: failure.note ?? null, at: lastFailure.at } : null,
      shipments: inbound.map((s) => ({ ...courierFields(s), trackingNo: s.trackingNo, trackingUrl: trackingUrlOf(s), at: s.at })),
    },
    delivery: {
      recipient: { name: recipient.name ?? '', mobile: recipient.mobile ?? '', address: recipient.address ?? '' },
      recipientEditable: RECIPIENT_EDITABLE.includes(status),
      outbound: outbound
        ? {
            courier: 'SF' as const,
            trackingNo: outbound.trackingNo,
            trackingUrl: sfTrackingUrl(outbound.trackingNo),
            shippedAt: outbound.at,
          }
        : null,
    },
    invoice: invoice
      ? {
          status: invoice.status,
          statusLabel: INVOICE_STATUS_LABEL[invoice.status],
          email: invoice.email,
          issuedAt: invoice.issuedAt,
          invoiceNo: invoice.invoiceNo,
          downloadable: invoice.status === 'issued' && !!invoice.storageKey,
        }
      : null,
  };
}
