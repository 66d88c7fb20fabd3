/**
 * 上传证件: one file into one slot of an order. Checks run cheapest first — the order can take uploads,
 * the slot is one of this order's — and only then is the body read and the image judged. A file that
 * passes is encrypted and stored before the database learns of it; then one transaction retires the
 * slot's earlier file, records the new one and writes the order's event. Whatever fails — a refused
 * image, the order submitted meanwhile, the database — the earlier file stays current and untouched, and
 * the new blobs are removed again.
 */
import { AppError } from '../../../core/errors.js';
import type { OrderDraft } from '../../../core/order-form.js';
import type { UnitType } from '../../../core/unit-types.js';
import { uploadSlots, type UploadSlot } from '../../../core/requirements.js';
import { EDITABLE, STATUS_LABEL, type OrderStatus } from '../../../core/workflow.js';
import type { FileStore } from '../../adapters/storage/port.js';
import type { Clock } from '../../clock.js';
import type { Db, DbOrTx } from '../../db/client.js';
import type { OrganizationRow } from '../accounts/repository.js';
import { orderRepository, type OrderDocumentRow, type OrderRow } from '../orders/repository.js';
import { loadReplaceableSlots, slotLabel, slotsOf } from '../review/reviews.js';
import { processUpload } from './process-image.js';
import { documentRepository } from './repository.js';
import { storeImageThen } from './store-image.js';

export interface DocumentDeps {
  db: Db;
  clock: Clock;
  store: FileStore;
}

export interface UploadedFile {
  bytes: Buffer;
  /** Display text only (display-name.ts). */
  name: string;
}

const notEditable = (status: string) =>
  new AppError('CONFLICT', `订单状态为“${STATUS_LABEL[status as OrderStatus] ?? status}”，不能再上传或更换证件`);

/** The order's slot with this code, judged by the order's project, key type and unit type. */
export function slotOf(order: OrderRow, code: string): UploadSlot {
  const unitType = (order.form as OrderDraft).unit?.unitType as UnitType | undefined;
  const slot = uploadSlots({ projectCode: order.projectCode, keyType: order.keyType, unitType }).find((s) => s.code === code);
  if (!slot) throw new AppError('VALIDATION_FAILED', '本订单不需要上传这项证件', { fields: { slot: '本订单不需要上传这项证件' } });
  return slot;
}

/**
 * After 资料审核失败 the applicant replaces only what the reviewer failed (plus a slot still empty, or the
 * application form when the data it prints changed); the documents that passed stay as they were judged.
 */
export async function requireReplaceable(db: DbOrTx, org: OrganizationRow, order: OrderRow, slot: UploadSlot): Promise<void> {
  const allowed = await loadReplaceableSlots(db, org, order);
  if (!allowed || allowed.has(slot.code)) return;
  const slots = slotsOf(order);
  const names = slots.filter((s) => allowed.has(s.code)).map((s) => s.label);
  throw new AppError(
    'CONFLICT',
    `${slotLabel(slots, slot.code)}已审核通过，无需重新上传；资料审核失败后只能重新上传未通过的证件${names.length ? `：${names.join('、')}` : ''}`,
  );
}

/** The answer to an upload, and what the order page lists per slot. */
export const documentSummary = (d: OrderDocumentRow) => ({
  id: d.id,
  slot: d.slot,
  uploadedAt: d.uploadedAt,
  bytes: d.bytes,
  width: d.width,
  height: d.height,
  originalName: d.originalName,
});

export async function uploadDocument(
  deps: DocumentDeps,
  org: OrganizationRow,
  order: OrderRow,
  slotCode: string,
  readFile: () => Promise<UploadedFile>,
): Promise<OrderDocumentRow> {
  if (!EDITABLE.includes(order.status as OrderStatus)) throw notEditable(order.status);
  const slot = slotOf(order, slotCode);
  // Checked before the body is read, and again under the order's lock below.
  await requireReplaceable(deps.db, org, order, slot);
  const file = await readFile();
  const img = await processUpload(file.bytes, file.name);

  return storeImageThen(deps.store, img, async ({ storageKey, thumbnailKey }) => {
    const now = deps.clock.now();
    return deps.db.transaction(async (tx) => {
      const current = await documentRepository.claimEditableOrder(tx, order.id, EDITABLE, now);
      if (!current) {
        const latest = await orderRepository.findById(tx, order.id);
        throw notEditable(latest?.status ?? order.status);
      }
      await requireReplaceable(tx, org, current, slot);
      await documentRepository.retireCurrent(tx, order.id, slot.code, now);
      const doc = await documentRepository.insert(tx, {
        orderId: order.id,
        slot: slot.code,
        storageKey,
        thumbnailKey,
        // The stored (re-encoded) image: what staff review and what submission refers to.
        sha256: img.sha256,
        mime: img.mime,
        // The size the applicant uploaded — the one the 1 MB rule is about.
        bytes: file.bytes.length,
        width: img.width,
        height: img.height,
        originalName: file.name,
        uploadedAt: now,
      });
      await orderRepository.addEvent(tx, {
        orderId: order.id,
        actorType: 'org',
        actorId: org.id,
        action: 'order.upload',
        detail: { slot: slot.code, documentId: doc.id, sha256: img.sha256 },
        public: true,
        at: now,
      });
      return doc;
    });
  });
}
