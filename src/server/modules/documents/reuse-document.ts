/**
 * 沿用营业执照: a second order (a 副锁, another project) may take the business-licence scan the organization
 * uploaded for one of its recent orders instead of scanning it again. The new order gets a document row of
 * its own pointing at the stored (encrypted, re-encoded) file — nothing is copied or re-read, the review of
 * the new order judges it like an upload, and files are never deleted while rows point at them.
 *
 * Only the licence: the other documents belong to one order (the application form prints its number, the
 * power of attorney's QR code is bound to it, the seal sheet to its key) or to a person who may change.
 */
import { formatOrderNumber } from '../../../core/order-number.js';
import { AppError } from '../../../core/errors.js';
import type { SlotCode } from '../../../core/requirements.js';
import { EDITABLE, STATUS_LABEL, type OrderStatus } from '../../../core/workflow.js';
import type { DbOrTx } from '../../db/client.js';
import type { OrganizationRow } from '../accounts/repository.js';
import { auditRepository } from '../audit/repository.js';
import { catalogRepository } from '../catalog/repository.js';
import type { RequestMeta } from '../deps.js';
import { orderRepository, type OrderDocumentRow, type OrderRow } from '../orders/repository.js';
import { documentRepository } from './repository.js';
import { requireReplaceable, slotOf, type DocumentDeps } from './upload-document.js';

export const REUSABLE_SLOTS: readonly SlotCode[] = ['business-license'];
/** A scan older than this is not offered: a licence may have been renewed or changed since. */
const RECENT_DAYS = 180;
const OFFERED = 3;

const notReusable = () =>
  new AppError('VALIDATION_FAILED', '这项证件不能沿用，请重新上传', { fields: { slot: '只有营业执照（或其他登记证书）扫描件可以沿用' } });

function recentSince(now: Date): Date {
  return new Date(now.getTime() - RECENT_DAYS * 24 * 3600 * 1000);
}

/** The scans this order may take over, newest first, one per distinct file. */
export async function reusableDocuments(deps: Pick<DocumentDeps, 'db' | 'clock'>, order: OrderRow, slotCode: string) {
  if (!REUSABLE_SLOTS.includes(slotCode as SlotCode)) throw notReusable();
  const rows = await documentRepository.currentInSlotOfOrganization(deps.db, {
    organizationId: order.organizationId,
    slot: slotCode,
    exceptOrderId: order.id,
    since: recentSince(deps.clock.now()),
    limit: 20,
  });
  const names = new Map((await catalogRepository.list(deps.db, { activeOnly: false })).map((p) => [p.code, p.name]));
  const seen = new Set<string>();
  const items = [];
  for (const { document: d, order: o } of rows) {
    if (seen.has(d.sha256)) continue;
    seen.add(d.sha256);
    items.push({
      id: d.id,
      orderId: o.id,
      orderNoDisplay: formatOrderNumber(o.orderNo),
      projectName: names.get(o.projectCode) ?? o.projectCode,
      orderStatusLabel: STATUS_LABEL[o.status as OrderStatus] ?? o.status,
      uploadedAt: d.uploadedAt,
      width: d.width,
      height: d.height,
    });
    if (items.length === OFFERED) break;
  }
  return items;
}

export async function reuseDocument(
  deps: DocumentDeps,
  org: OrganizationRow,
  order: OrderRow,
  slotCode: string,
  sourceDocumentId: string,
  meta: RequestMeta,
): Promise<OrderDocumentRow> {
  if (!REUSABLE_SLOTS.includes(slotCode as SlotCode)) throw notReusable();
  if (!EDITABLE.includes(order.status as OrderStatus))
    throw new AppError('CONFLICT', `订单状态为“${STATUS_LABEL[order.status as OrderStatus] ?? order.status}”，不能再上传或更换证件`);
  const slot = slotOf(order, slotCode);
  const now = deps.clock.now();
  return deps.db.transaction(async (tx: DbOrTx) => {
    // The source must be a current scan of the same slot on another order of this very organization;
    // anything else — another organization's document, a retired one, an old one — is simply not found.
    const [source] = await documentRepository.currentInSlotOfOrganization(tx, {
      organizationId: org.id,
      slot: slot.code,
      exceptOrderId: order.id,
      since: recentSince(now),
      documentId: sourceDocumentId,
      limit: 1,
    });
    if (!source) throw new AppError('NOT_FOUND', '找不到可沿用的扫描件，请重新上传');
    const current = await documentRepository.claimEditableOrder(tx, order.id, EDITABLE, now);
    if (!current) throw new AppError('CONFLICT', '订单已提交，不能再上传或更换证件');
    await requireReplaceable(tx, org, current, slot);
    await documentRepository.retireCurrent(tx, order.id, slot.code, now);
    const s = source.document;
    const doc = await documentRepository.insert(tx, {
      orderId: order.id,
      slot: slot.code,
      storageKey: s.storageKey,
      thumbnailKey: s.thumbnailKey,
      sha256: s.sha256,
      mime: s.mime,
      bytes: s.bytes,
      width: s.width,
      height: s.height,
      originalName: s.originalName,
      uploadedAt: now,
    });
    await orderRepository.addEvent(tx, {
      orderId: order.id,
      actorType: 'org',
      actorId: org.id,
      action: 'order.upload',
      detail: { slot: slot.code, documentId: doc.id, sha256: s.sha256, reusedFrom: { documentId: s.id, orderId: source.order.id } },
      public: true,
      at: now,
    });
    await auditRepository.record(tx, {
      actorType: 'org',
      actorId: org.id,
      action: 'document.reuse',
      targetType: 'order_document',
      targetId: doc.id,
      detail: { orderId: order.id, slot: slot.code, fromDocumentId: s.id, fromOrderId: source.order.id },
      ip: meta.ip,
      at: now,
    });
    return doc;
  });
}
