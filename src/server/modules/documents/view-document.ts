/**
 * Reading an uploaded document back: the full image or its thumbnail, decrypted. The applicant reaches
 * only documents of their own order (the route has checked ownership); staff reach any, and every staff
 * view is written to the audit trail before a byte is sent (ID-card scans are sensitive personal
 * information: who looked at them is part of the record).
 */
import { AppError } from '../../../core/errors.js';
import type { RequestMeta } from '../deps.js';
import { auditRepository } from '../audit/repository.js';
import type { StaffActor } from '../staff/staff-accounts.js';
import type { DocumentDeps } from './upload-document.js';
import { documentRepository } from './repository.js';

export type DocumentVariant = 'file' | 'thumbnail';

export interface DocumentContent {
  bytes: Buffer;
  mime: string;
  /** ASCII, server-chosen: the slot code and the stored type. */
  filename: string;
}

async function load(deps: Pick<DocumentDeps, 'db' | 'store'>, orderId: string, documentId: string, variant: DocumentVariant) {
  const doc = await documentRepository.findInOrder(deps.db, orderId, documentId);
  if (!doc) throw new AppError('NOT_FOUND', '找不到该证件');
  const full = variant === 'file';
  const bytes = await deps.store.get(full ? doc.storageKey : doc.thumbnailKey);
  const mime = full ? doc.mime : 'image/jpeg';
  const ext = mime === 'image/png' ? 'png' : 'jpg';
  return { doc, content: { bytes, mime, filename: `${doc.slot}${full ? '' : '-thumbnail'}.${ext}` } };
}

export async function readOwnDocument(
  deps: Pick<DocumentDeps, 'db' | 'store'>,
  orderId: string,
  documentId: string,
  variant: DocumentVariant,
): Promise<DocumentContent> {
  return (await load(deps, orderId, documentId, variant)).content;
}

export async function readDocumentForStaff(
  deps: DocumentDeps,
  actor: StaffActor,
  orderId: string,
  documentId: string,
  variant: DocumentVariant,
  meta: RequestMeta,
): Promise<DocumentContent> {
  const { doc, content } = await load(deps, orderId, documentId, variant);
  await auditRepository.record(deps.db, {
    actorType: 'staff',
    actorId: actor.id,
    action: 'document.view',
    targetType: 'order_document',
    targetId: doc.id,
    detail: { orderId: doc.orderId, slot: doc.slot, variant },
    ip: meta.ip,
    at: deps.clock.now(),
  });
  return content;
}
