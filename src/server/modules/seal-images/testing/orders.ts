/**
 * Orders with an uploaded 电子签章采集表 for the HTTP tests: through the real upload route when an applicant
 * session is at hand, or written directly (encrypted store + order_documents row) for orders the role table
 * makes in bulk.
 */
import { randomUUID } from 'node:crypto';
import type { LightMyRequestResponse } from 'fastify';
import sharp from 'sharp';
import type { OrderStatus } from '../../../../core/workflow.js';
import { fileStoreFor } from '../../../adapters/storage/configured.js';
import { multipart } from '../../documents/test-images.js';
import { documentRepository } from '../../documents/repository.js';
import type { TestApp, TestClient } from '../../../testing/harness.js';
import { quickOrder } from '../../../testing/paid-order.js';
import { makeScan, type ScanOptions } from './scan.js';

export async function uploadSheet(
  c: TestClient,
  orderId: string,
  scan: Buffer,
  filename = '签章采集表.jpg',
): Promise<LightMyRequestResponse> {
  const { payload, headers } = multipart([{ filename, data: scan }]);
  return c.request({
    method: 'POST',
    url: `/api/orders/${orderId}/documents/seal-sheet`,
    payload,
    headers: { ...headers, 'x-csrf-token': c.csrf.org! },
  });
}

/** An order (of an organization that never logs in) in `status` with a scanned sheet as its current seal-sheet. */
export async function orderWithSheet(
  t: TestApp,
  status: OrderStatus,
  scan?: ScanOptions | Buffer,
): Promise<{ orderId: string; documentId: string }> {
  const { orderId } = await quickOrder(t, status);
  const bytes = Buffer.isBuffer(scan) ? scan : await makeScan(scan ?? { rotateDeg: 1.5 });
  const store = fileStoreFor(t.config, t.db);
  const meta = await sharp(bytes).metadata();
  const storageKey = await store.put(bytes);
  const thumbnailKey = await store.put(await sharp(bytes).resize({ width: 320 }).jpeg().toBuffer());
  const now = t.clock.now();
  const doc = await documentRepository.insert(t.db, {
    orderId,
    slot: 'seal-sheet',
    storageKey,
    thumbnailKey,
    sha256: randomUUID(),
    mime: 'image/jpeg',
    bytes: bytes.length,
    width: meta.width!,
    height: meta.height!,
    originalName: 'seal-sheet.jpg',
    uploadedAt: now,
  });
  return { orderId, documentId: doc.id };
}
