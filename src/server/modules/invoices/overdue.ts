import type { InvoiceRow } from './repository.js';

/** An invoice past its due date (3 working days after 制证完成) and not yet issued. */
export const invoiceOverdue = (inv: InvoiceRow, now: Date): boolean =>
  inv.status === 'due' && !!inv.dueAt && now.getTime() > inv.dueAt.getTime();
