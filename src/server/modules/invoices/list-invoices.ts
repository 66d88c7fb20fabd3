/** 发票 (财务): the invoice tasks by status, keyset-paginated; due ones show whether they are overdue. */
import { validationFailed } from '../../../core/errors.js';
import type { InvoiceStatus } from '../../../core/fulfilment.js';
import { formatOrderNumber } from '../../../core/order-number.js';
import type { Clock } from '../../clock.js';
import type { Db } from '../../db/client.js';
import { invoiceOverdue } from './overdue.js';
import { invoiceRepository, type InvoiceCursor } from './repository.js';

export const INVOICE_PAGE = 50;

const encodeCursor = (c: InvoiceCursor) => Buffer.from(JSON.stringify(c)).toString('base64url');
function decodeCursor(s: string): InvoiceCursor {
  try {
    const c = JSON.parse(Buffer.from(s, 'base64url').toString('utf8')) as InvoiceCursor;
    if (typeof c.v === 'string' && !Number.isNaN(Date.parse(c.v)) && typeof c.id === 'string' && /^[0-9a-f-]{36}$/.test(c.id)) return c;
  } catch {
    // fall through
  }
  throw validationFailed({ after: '分页参数不正确，请从第一页重新加载' });
}

export async function listInvoices(deps: { db: Db; clock: Clock }, status: InvoiceStatus, after?: string, pageSize = INVOICE_PAGE) {
  const now = deps.clock.now();
  // One row more than the page: whether there is a next page, without counting.
  const rows = await invoiceRepository.list(deps.db, status, pageSize + 1, after ? decodeCursor(after) : undefined);
  const page = rows.slice(0, pageSize);
  const items = page.map(({ invoice: i, orderNo, organizationName }) => ({
    orderId: i.orderId,
    orderNo,
    orderNoDisplay: formatOrderNumber(orderNo),
    organizationName,
    amountFen: i.amountFen,
    title: i.title,
    taxNumber: i.taxNumber,
    email: i.email,
    status: i.status,
    dueAt: i.dueAt,
    overdue: invoiceOverdue(i, now),
    issuedAt: i.issuedAt,
    invoiceNo: i.invoiceNo,
  }));
  const last = page.at(-1)?.invoice;
  const sortValue = last && (status === 'due' ? last.dueAt : status === 'waiting' ? last.createdAt : last.issuedAt);
  return {
    items,
    next: rows.length > pageSize && last && sortValue ? encodeCursor({ v: sortValue.toISOString(), id: last.orderId }) : null,
  };
}
