/**
 * 开具发票 (财务): the invoice number, and the invoice PDF when there is one (or just "issued", when the
 * invoice went out another way). The PDF is stored encrypted; the invoice becomes issued compare-and-set
 * (a second click, or a colleague at the same time, is refused and mails nothing); and an e-mail with the
 * PDF attached goes to the 发票接收邮箱 through the outbox — its dedupe key names the order, so an invoice is
 * never mailed twice.
 */
import { z } from 'zod';
import { AppError, validationFailed } from '../../../core/errors.js';
import type { FileStore } from '../../adapters/storage/port.js';
import type { Clock } from '../../clock.js';
import type { Db } from '../../db/client.js';
import { auditRepository } from '../audit/repository.js';
import { catalogRepository } from '../catalog/repository.js';
import type { RequestMeta } from '../deps.js';
import { orderRepository } from '../orders/repository.js';
import { enqueueEmail } from '../outbox/outbox.js';
import type { StaffActor } from '../staff/staff-accounts.js';
import { invoiceEmail } from './invoice-mail.js';
import { checkPdf, pdfRefusal } from './pdf-active-content.js';
import { invoiceRepository, type InvoiceRow } from './repository.js';

/** A PDF starts with "%PDF-" (ISO 32000-1 §7.5.2); the type is judged by these bytes, not by a name. */
export const PDF_MAGIC = Buffer.from('%PDF-', 'latin1');
export const INVOICE_MAX_BYTES = 5 * 1024 * 1024;

const alreadyIssued = (inv: InvoiceRow) => new AppError('CONFLICT', `该订单的发票已开具（发票号码 ${inv.invoiceNo ?? '—'}），不能重复开具`);

export async function issueInvoice(
  deps: { db: Db; clock: Clock; store: FileStore },
  actor: StaffActor,
  orderId: string,
  input: { invoiceNo: string; pdf?: Buffer },
  meta: RequestMeta,
): Promise<{ invoice: InvoiceRow; emailed: boolean }> {
  const existing = await invoiceRepository.find(deps.db, orderId);
  if (!existing) throw new AppError('NOT_FOUND', '该订单还没有发票任务（订单付款后才开具发票）');
  // Refused before the file is stored: nothing to clean up.
  if (existing.status === 'issued') throw alreadyIssued(existing);
  if (input.pdf) {
    if (!input.pdf.subarray(0, PDF_MAGIC.length).equals(PDF_MAGIC)) throw validationFailed({ file: '发票文件必须是PDF格式' });
    if (input.pdf.length > INVOICE_MAX_BYTES) throw validationFailed({ file: '发票文件不能超过5MB' });
    // No JavaScript, automatic actions, launched programs or embedded files reach the store or a customer.
    const check = await checkPdf(input.pdf);
    if (!check.ok) throw validationFailed({ file: pdfRefusal(check) });
  }
  const storageKey = input.pdf ? await deps.store.put(input.pdf) : null;
  const now = deps.clock.now();
  try {
    return await deps.db.transaction(async (tx) => {
      const locked = (await invoiceRepository.lock(tx, orderId))!;
      if (locked.status === 'issued') throw alreadyIssued(locked);
      const invoice = (await invoiceRepository.markIssued(tx, orderId, {
        invoiceNo: input.invoiceNo,
        storageKey,
        issuedAt: now,
        issuedBy: actor.id,
      }))!;
      const order = (await orderRepository.findById(tx, orderId))!;
      const project = await catalogRepository.get(tx, order.projectCode);
      const emailed = z.email().safeParse(invoice.email).success;
      if (emailed)
        await enqueueEmail(
          tx,
          `invoice:${orderId}`,
          invoiceEmail(invoice, { orderNo: order.orderNo, projectName: project?.name ?? order.projectCode }),
          now,
        );
      await orderRepository.addEvent(tx, {
        orderId,
        actorType: 'staff',
        actorId: actor.id,
        action: 'order.invoice_issued',
        detail: { invoiceNo: input.invoiceNo, withFile: !!storageKey, emailed },
        public: true,
        at: now,
      });
      await auditRepository.record(tx, {
        actorType: 'staff',
        actorId: actor.id,
        action: 'invoice.issue',
        targetType: 'order',
        targetId: orderId,
        detail: { orderNo: order.orderNo, invoiceNo: input.invoiceNo, withFile: !!storageKey, emailed },
        ip: meta.ip,
        at: now,
      });
      return { invoice, emailed };
    });
  } catch (e) {
    if (storageKey) await deps.store.delete(storageKey).catch(() => {});
    throw e;
  }
}
