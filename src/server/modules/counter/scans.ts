/**
 * Scans of counter materials (申请表, 营业执照复印件, …), optional beside the tick: judged, re-encoded and stored
 * encrypted exactly as online documents are (modules/documents/process-image.ts, adapters/storage). The file
 * is stored before the database learns of it; one transaction retires the material's earlier scan, records
 * the new one, and writes the counter event and the audit row; on any failure the new blobs are removed. Every
 * staff view of a scan is audited.
 */
import { AppError } from '../../../core/errors.js';
import { counterMaterials } from '../../../core/counter.js';
import { formatOrderNumber } from '../../../core/order-number.js';
import type { StaffRole } from '../../../core/schemas.js';
import type { FileStore } from '../../adapters/storage/port.js';
import { auditRepository } from '../audit/repository.js';
import type { RequestMeta } from '../deps.js';
import { processUpload } from '../documents/process-image.js';
import { storeImageThen } from '../documents/store-image.js';
import type { UploadedFile } from '../documents/upload-document.js';
import type { StaffActor } from '../staff/staff-accounts.js';
import { loadForActor, type CounterDeps } from './counter-access.js';
import { counterRepository, type CounterOrderRow, type CounterScanRow } from './repository.js';

export const SCANNERS: readonly StaffRole[] = ['受理', '制证', '管理员'];

function checkOpen(order: CounterOrderRow) {
  if (order.status === 'completed' || order.status === 'cancelled')
    throw new AppError('CONFLICT', '该业务已办结或已取消，不能再上传扫描件');
}

export async function uploadScan(
  deps: CounterDeps & { store: FileStore },
  actor: StaffActor,
  id: string,
  material: string,
  readFile: () => Promise<UploadedFile>,
  meta: RequestMeta,
): Promise<CounterScanRow> {
  if (!actor.roles.some((r) => SCANNERS.includes(r))) throw new AppError('FORBIDDEN', `上传扫描件需要以下角色之一：${SCANNERS.join('、')}`);
  const order = await loadForActor(deps.db, actor, id);
  checkOpen(order);
  if (!counterMaterials(order.business, order.keyType).some((m) => m.code === material))
    throw new AppError('VALIDATION_FAILED', '本业务的资料清单中没有这项资料', { fields: { material: '本业务的资料清单中没有这项资料' } });
  const file = await readFile();
  const img = await processUpload(file.bytes, file.name);
  return storeImageThen(deps.store, img, async ({ storageKey, thumbnailKey }) => {
    const now = deps.clock.now();
    return deps.db.transaction(async (tx) => {
      const locked = await loadForActor(tx, actor, id, true);
      checkOpen(locked);
      await counterRepository.retireScan(tx, locked.id, material, now);
      const scan = await counterRepository.insertScan(tx, {
        counterOrderId: locked.id,
        material,
        storageKey,
        thumbnailKey,
        sha256: img.sha256,
        mime: img.mime,
        bytes: file.bytes.length,
        width: img.width,
        height: img.height,
        originalName: file.name,
        uploadedBy: actor.id,
        uploadedAt: now,
      });
      await counterRepository.insertEvent(tx, {
        counterOrderId: locked.id,
        actorId: actor.id,
        action: 'scan',
        fromStatus: locked.status,
        toStatus: locked.status,
        detail: { material, scanId: scan.id, sha256: img.sha256 },
        at: now,
      });
      await auditRepository.record(tx, {
        actorType: 'staff',
        actorId: actor.id,
        action: 'counter.scan_upload',
        targetType: 'counter_order',
        targetId: locked.id,
        detail: { orderNo: locked.orderNo, material, scanId: scan.id },
        ip: meta.ip,
        at: now,
      });
      return scan;
    });
  });
}

export async function readScan(
  deps: CounterDeps & { store: FileStore },
  actor: StaffActor,
  id: string,
  scanId: string,
  variant: 'file' | 'thumbnail',
  meta: RequestMeta,
): Promise<{ bytes: Buffer; mime: string; filename: string }> {
  const order = await loadForActor(deps.db, actor, id);
  const scan = await counterRepository.scan(deps.db, order.id, scanId);
  if (!scan) throw new AppError('NOT_FOUND', '找不到该扫描件');
  await auditRepository.record(deps.db, {
    actorType: 'staff',
    actorId: actor.id,
    action: 'counter.scan_view',
    targetType: 'counter_order',
    targetId: order.id,
    detail: { orderNo: order.orderNo, material: scan.material, scanId: scan.id, variant },
    ip: meta.ip,
    at: deps.clock.now(),
  });
  const bytes = await deps.store.get(variant === 'file' ? scan.storageKey : scan.thumbnailKey);
  const ext = variant === 'file' && scan.mime === 'image/png' ? 'png' : 'jpg';
  return {
    bytes,
    mime: variant === 'file' ? scan.mime : 'image/jpeg',
    filename: `${formatOrderNumber(order.orderNo)}-${scan.material}.${ext}`,
  };
}
