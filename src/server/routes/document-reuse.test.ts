/**
 * 沿用营业执照 through the real app: a second order takes the licence scan of one of the organization's own
 * recent orders (a new document row pointing at the stored file, an event and an audit row); another
 * organization's scan, another slot, or the order's own scan cannot be taken.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditEvents, orderDocuments, orderEvents, orders } from '../db/schema.js';
import { multipart, png } from '../modules/documents/test-images.js';
import { testApp, type TestApp, type TestClient } from '../testing/harness.js';

let t: TestApp;
let dataDir: string;
beforeAll(async () => {
  dataDir = mkdtempSync(path.join(tmpdir(), 'certdesk-reuse-'));
  t = await testApp({ env: { CERTDESK_DATA_DIR: dataDir } });
});
afterAll(async () => {
  await t.close();
  rmSync(dataDir, { recursive: true, force: true });
});

async function orgClient(): Promise<TestClient> {
  const c = t.client();
  expect((await c.register()).res.statusCode).toBe(201);
  return c;
}
async function newOrder(c: TestClient, projectCode = 'gov-procurement', keyType: 'main' | 'sub' = 'main'): Promise<{ id: string }> {
  const res = await c.post('/api/orders', { projectCode, keyType, agree: true });
  expect(res.statusCode).toBe(201);
  return res.json().order;
}
async function uploadLicence(c: TestClient, orderId: string, seed: number): Promise<string> {
  const { payload, headers } = multipart([{ filename: '营业执照.png', contentType: 'image/png', data: await png(300, 200, seed) }]);
  const res = await c.request({
    method: 'POST',
    url: `/api/orders/${orderId}/documents/business-license`,
    payload,
    headers: { ...headers, 'x-csrf-token': c.csrf.org! },
  });
  expect(res.statusCode).toBe(201);
  return res.json().document.id;
}
const current = (orderId: string) => t.db.select().from(orderDocuments).where(eq(orderDocuments.orderId, orderId));
const reuses = (docId: string) =>
  t.db
    .select()
    .from(auditEvents)
    .where(and(eq(auditEvents.targetId, docId), eq(auditEvents.action, 'document.reuse')));

describe('沿用营业执照', () => {
  it('a second order of the same organization takes the recent licence scan: a new row on the stored file, an event and an audit row', async () => {
    const c = await orgClient();
    const first = await newOrder(c);
    const licence = await uploadLicence(c, first.id, 11);
    const second = await newOrder(c, 'gov-procurement', 'sub');

    const offered = await c.get(`/api/orders/${second.id}/documents/business-license/reusable`);
    expect(offered.statusCode).toBe(200);
    expect(offered.json().items).toEqual([
      expect.objectContaining({ id: licence, orderId: first.id, projectName: '江西省政府采购电子卖场' }),
    ]);
    // The order's own scan is never offered to itself.
    expect((await c.get(`/api/orders/${first.id}/documents/business-license/reusable`)).json().items).toEqual([]);

    const res = await c.post(`/api/orders/${second.id}/documents/business-license/reuse`, { documentId: licence });
    expect(res.statusCode).toBe(201);
    const copy = res.json().document.id as string;
    expect(copy).not.toBe(licence);
    const [src] = await current(first.id);
    const [dst] = await current(second.id);
    expect(dst).toMatchObject({
      id: copy,
      slot: 'business-license',
      storageKey: src!.storageKey,
      thumbnailKey: src!.thumbnailKey,
      sha256: src!.sha256,
    });
    // The same picture, read through the new order.
    const a = await c.get(`/api/orders/${first.id}/documents/${licence}/file`);
    const b = await c.get(`/api/orders/${second.id}/documents/${copy}/file`);
    expect(b.statusCode).toBe(200);
    expect(b.rawPayload.equals(a.rawPayload)).toBe(true);
    // The order page counts it as uploaded.
    const view = (await c.get(`/api/orders/${second.id}`)).json();
    expect(view.slots.find((s: { code: string }) => s.code === 'business-license').uploaded.id).toBe(copy);
    const ev = await t.db.select().from(orderEvents).where(eq(orderEvents.orderId, second.id));
    expect(ev.find((e) => e.action === 'order.upload')!.detail).toMatchObject({
      documentId: copy,
      reusedFrom: { documentId: licence, orderId: first.id },
    });
    expect(await reuses(copy)).toHaveLength(1);
    expect((await reuses(copy))[0]!.detail).toMatchObject({ orderId: second.id, fromDocumentId: licence, fromOrderId: first.id });

    // A fresh upload in the second order retires only its own row; the first order's scan stays.
    await uploadLicence(c, second.id, 12);
    expect((await current(first.id)).filter((d) => d.replacedAt === null).map((d) => d.id)).toEqual([licence]);
    expect((await c.get(`/api/orders/${first.id}/documents/${licence}/file`)).statusCode).toBe(200);
  });

  it("another organization's scan cannot be offered or reused, nor another slot, nor the order's own", async () => {
    const owner = await orgClient();
    const theirs = await newOrder(owner);
    const licence = await uploadLicence(owner, theirs.id, 21);

    const other = await orgClient();
    const mine = await newOrder(other);
    expect((await other.get(`/api/orders/${mine.id}/documents/business-license/reusable`)).json().items).toEqual([]);
    const stolen = await other.post(`/api/orders/${mine.id}/documents/business-license/reuse`, { documentId: licence });
    expect(stolen.statusCode).toBe(404);
    expect(stolen.json().error.message).toContain('找不到可沿用的扫描件');
    expect(await current(mine.id)).toEqual([]);
    // Nor through the owner's order: that order is not theirs (404, as every route).
    expect((await other.post(`/api/orders/${theirs.id}/documents/business-license/reuse`, { documentId: licence })).statusCode).toBe(404);
    expect((await other.get(`/api/orders/${theirs.id}/documents/business-license/reusable`)).statusCode).toBe(404);

    // Only the licence may be reused; and not into the order it came from.
    const second = await newOrder(owner, 'construction-approval');
    const wrongSlot = await owner.post(`/api/orders/${second.id}/documents/agent-id-front/reuse`, { documentId: licence });
    expect(wrongSlot.statusCode).toBe(400);
    expect(wrongSlot.json().error.fields.slot).toContain('营业执照');
    expect((await owner.post(`/api/orders/${theirs.id}/documents/business-license/reuse`, { documentId: licence })).statusCode).toBe(404);
    const bad = await owner.post(`/api/orders/${second.id}/documents/business-license/reuse`, { documentId: 'x' });
    expect(bad.statusCode).toBe(400);
    expect(
      (await t.db.select().from(auditEvents).where(eq(auditEvents.action, 'document.reuse'))).every(
        (a) => a.detail.fromDocumentId !== licence,
      ),
    ).toBe(true);
  });

  it('a submitted order takes no scan, as it takes no upload', async () => {
    const c = await orgClient();
    const first = await newOrder(c);
    const licence = await uploadLicence(c, first.id, 31);
    const second = await newOrder(c, 'gov-procurement', 'sub');
    await t.db.update(orders).set({ status: 'submitted' }).where(eq(orders.id, second.id));
    const res = await c.post(`/api/orders/${second.id}/documents/business-license/reuse`, { documentId: licence });
    expect(res.statusCode).toBe(409);
    expect(res.json().error.message).toContain('不能再上传或更换证件');
    expect(await current(second.id)).toEqual([]);
  });
});
