import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AppError } from '../../../core/errors.js';
import { fileStoreFor } from '../../adapters/storage/configured.js';
import { StoredFileMissing, type FileStore } from '../../adapters/storage/port.js';
import { orderDocuments, orderEvents, orders } from '../../db/schema.js';
import { testApp, type TestApp } from '../../testing/harness.js';
import { organizationRepository } from '../accounts/repository.js';
import { orderRepository } from '../orders/repository.js';
import { png } from './test-images.js';
import { uploadDocument } from './upload-document.js';

let t: TestApp;
let dataDir: string;
beforeAll(async () => {
  dataDir = mkdtempSync(path.join(tmpdir(), 'certdesk-upload-'));
  t = await testApp({ env: { CERTDESK_DATA_DIR: dataDir } });
});
afterAll(async () => {
  await t.close();
  rmSync(dataDir, { recursive: true, force: true });
});

/** The configured store, remembering what was put and deleted. */
function recordingStore(): FileStore & { puts: string[]; deletes: string[] } {
  const inner = fileStoreFor(t.config, t.db);
  const puts: string[] = [];
  const deletes: string[] = [];
  return {
    puts,
    deletes,
    async put(bytes) {
      const k = await inner.put(bytes);
      puts.push(k);
      return k;
    },
    get: (k) => inner.get(k),
    async delete(k) {
      deletes.push(k);
      await inner.delete(k);
    },
  };
}

async function draftOrder() {
  const c = t.client();
  const { res } = await c.register();
  expect(res.statusCode).toBe(201);
  const org = (await organizationRepository.findById(t.db, (await c.get('/api/me')).json().organization.id))!;
  const created = await c.post('/api/orders', { projectCode: 'gov-procurement', keyType: 'main', agree: true });
  return { org, order: (await orderRepository.findById(t.db, created.json().order.id))! };
}

describe('uploadDocument', () => {
  it('an order submitted while the file was being checked: 409, nothing recorded, the stored blobs removed again', async () => {
    const { org, order } = await draftOrder();
    const store = recordingStore();
    const data = await png();
    // The route read the order as a draft; it is submitted before the upload's transaction runs.
    await t.db.update(orders).set({ status: 'submitted' }).where(eq(orders.id, order.id));
    const err = await uploadDocument({ db: t.db, clock: t.clock, store }, org, order, 'agent-id-front', async () => ({
      bytes: data,
      name: 'a.png',
    })).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AppError);
    expect((err as AppError).code).toBe('CONFLICT');
    expect((err as AppError).message).toMatch(/正在审核/);
    expect(store.puts).toHaveLength(2);
    expect(store.deletes.sort()).toEqual([...store.puts].sort());
    for (const k of store.puts) await expect(store.get(k)).rejects.toBeInstanceOf(StoredFileMissing);
    expect(await t.db.select().from(orderDocuments).where(eq(orderDocuments.orderId, order.id))).toEqual([]);
    const events = await t.db.select().from(orderEvents).where(eq(orderEvents.orderId, order.id));
    expect(events.map((e) => e.action)).toEqual(['order.create']);
  });

  it('checks the order and the slot before reading the upload at all', async () => {
    const { org, order } = await draftOrder();
    const store = recordingStore();
    let read = 0;
    const readFile = async () => {
      read++;
      return { bytes: await png(), name: 'a.png' };
    };
    await expect(uploadDocument({ db: t.db, clock: t.clock, store }, org, order, 'no-such-slot', readFile)).rejects.toMatchObject({
      code: 'VALIDATION_FAILED',
    });
    await expect(
      uploadDocument({ db: t.db, clock: t.clock, store }, org, { ...order, status: 'review_passed' }, 'agent-id-front', readFile),
    ).rejects.toMatchObject({ code: 'CONFLICT' });
    expect(read).toBe(0);
    expect(store.puts).toEqual([]);
  });

  it('uploads to one slot at the same moment: all recorded, exactly one current', async () => {
    const { org, order } = await draftOrder();
    const store = recordingStore();
    const files = await Promise.all([1, 2, 3, 4].map((seed) => png(60, 40, seed)));
    const docs = await Promise.all(
      files.map((bytes, i) =>
        uploadDocument({ db: t.db, clock: t.clock, store }, org, order, 'business-license', async () => ({ bytes, name: `${i}.png` })),
      ),
    );
    const rows = await t.db.select().from(orderDocuments).where(eq(orderDocuments.orderId, order.id));
    expect(rows).toHaveLength(4);
    expect(rows.filter((r) => r.replacedAt === null)).toHaveLength(1);
    expect(new Set(docs.map((d) => d.id)).size).toBe(4);
    const events = await t.db.select().from(orderEvents).where(eq(orderEvents.orderId, order.id));
    expect(events.filter((e) => e.action === 'order.upload')).toHaveLength(4);
    expect(store.deletes).toEqual([]);
  });
});
