/** The applicant downloads the invoice PDF again from the order (only its own order; only once issued with a file). */
import { AppError } from '../../../core/errors.js';
import type { FileStore } from '../../adapters/storage/port.js';
import type { Db } from '../../db/client.js';
import type { OrderRow } from '../orders/repository.js';
import { invoiceFilename } from './invoice-mail.js';
import { invoiceRepository } from './repository.js';

export async function readInvoicePdf(deps: { db: Db; store: FileStore }, order: OrderRow): Promise<{ filename: string; bytes: Buffer }> {
  const inv = await invoiceRepository.find(deps.db, order.id);
  if (!inv || inv.status !== 'issued' || !inv.storageKey) throw new AppError('NOT_FOUND', '发票尚未开具，开具后可在此下载');
  return { filename: invoiceFilename(order.orderNo), bytes: await deps.store.get(inv.storageKey) };
}
