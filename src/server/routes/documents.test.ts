import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { and, eq } from 'drizzle-orm';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashPassword } from '../crypto.js';
import { auditEvents, orderDocuments, orderEvents, orders, staff, storedBlobs } from '../db/schema.js';
import {
  ARTIST,
  bilevelPng,
  bmp24,
  jpegWithExif,
  multipart,
  padPng,
  png,
  TEXT_SECRET,
  type FilePart,
} from '../modules/documents/test-images.js';
import { testApp, type TestApp, type TestClient } from '../testing/harness.js';

/**
 * Uploads through the real app, on PGlite and on PostgreSQL. Files go to a temporary data directory of
 * this test file's own; organizations are registered with fresh USCCs, staff with fresh user names.
 */
let t: TestApp;
let dataDir: string;
const STAFF_PW = 'Staff2026pass';
let staffHash: string;

beforeAll(async () => {
  dataDir = mkdtempSync(path.join(tmpdir(), 'certdesk-docs-'));
  t = await testApp({ env: { CERTDESK_DATA_DIR: dataDir } });
  staffHash = await hashPassword(STAFF_PW);
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
async function newOrder(c: TestClient, keyType: 'main' | 'sub' = 'main'): Promise<{ id: string }> {
  const res = await c.post('/api/orders', { projectCode: 'gov-procurement', keyType, agree: true });
  expect(res.statusCode).toBe(201);
  return res.json().order;
}
async function staffClient(roles: string[] = ['预审']) {
  const username = `doc${randomBytes(5).toString('hex')}`;
  const [s] = await t.db.insert(staff).values({ username, displayName: '测试预审', passwordHash: staffHash, roles }).returning();
  const c = t.client();
  expect((await c.staffLogin(username, STAFF_PW)).statusCode).toBe(200);
  return { c, id: s!.id };
}

function upload(c: TestClient, orderId: string, slot: string, files: FilePart[], fields?: Record<string, string>) {
  const { payload, headers } = multipart(files, fields);
  return c.request({
    method: 'POST',
    url: `/api/orders/${orderId}/documents/${slot}`,
    payload,
    headers: { ...headers, 'x-csrf-token': c.csrf.org! },
  });
}
const docsOf = (orderId: string) => t.db.select().from(orderDocuments).where(eq(orderDocuments.orderId, orderId));
// In the order they were written: a SELECT without ORDER BY has none (a CI run got two uploads swapped).
const eventsOf = (orderId: string) => t.db.select().from(orderEvents).where(eq(orderEvents.orderId, orderId)).orderBy(orderEvents.id);
const viewsOf = (docId: string) =>
  t.db
    .select()
    .from(auditEvents)
    .where(and(eq(auditEvents.targetId, docId), eq(auditEvents.action, 'document.view')));
/** What the store holds for a key: the encrypted blob in the database. */
const blob = async (key: string) => (await t.db.select().from(storedBlobs).where(eq(storedBlobs.name, key)))[0]!.bytes;

function expectImageHeaders(res: { headers: Record<string, unknown> }, type: string, filename: string) {
  expect(res.headers['content-type']).toBe(type);
  expect(res.headers['cache-control']).toBe('no-store');
  expect(res.headers['x-content-type-options']).toBe('nosniff');
  expect(res.headers['content-disposition']).toBe(`inline; filename="${filename}"`);
}

describe('上传证件 (upload)', () => {
  it('accepts a JPEG, answers 201 with the document, strips EXIF and GPS, and serves it and its thumbnail', async () => {
    const c = await orgClient();
    const o = await newOrder(c);
    const input = await jpegWithExif(640, 480);
    const res = await upload(c, o.id, 'agent-id-front', [{ filename: '身份证正面.jpg', contentType: 'image/jpeg', data: input }]);
    expect(res.statusCode, res.body).toBe(201);
    const d = res.json().document;
    expect(Object.keys(d).sort()).toEqual(['bytes', 'height', 'id', 'originalName', 'slot', 'uploadedAt', 'width']);
    expect(d).toMatchObject({ slot: 'agent-id-front', bytes: input.length, width: 640, height: 480, originalName: '身份证正面.jpg' });

    const file = await c.get(`/api/orders/${o.id}/documents/${d.id}/file`);
    expect(file.statusCode).toBe(200);
    expectImageHeaders(file, 'image/jpeg', 'agent-id-front.jpg');
    const served = file.rawPayload;
    const meta = await sharp(served).metadata();
    expect(meta).toMatchObject({ format: 'jpeg', width: 640, height: 480 });
    expect(meta.exif).toBeUndefined();
    expect(served.includes(ARTIST)).toBe(false);
    expect(served.includes('Exif\0\0')).toBe(false);

    const thumb = await c.get(`/api/orders/${o.id}/documents/${d.id}/thumbnail`);
    expect(thumb.statusCode).toBe(200);
    expectImageHeaders(thumb, 'image/jpeg', 'agent-id-front-thumbnail.jpg');
    expect(await sharp(thumb.rawPayload).metadata()).toMatchObject({ format: 'jpeg', width: 320, height: 240 });

    // The order page lists it under its slot, and the history has a public upload event.
    const view = (await c.get(`/api/orders/${o.id}`)).json();
    const slot = view.slots.find((s: { code: string }) => s.code === 'agent-id-front');
    expect(slot.uploaded).toMatchObject({ id: d.id, originalName: '身份证正面.jpg' });
    const [row] = await docsOf(o.id);
    const ev = (await eventsOf(o.id)).filter((e) => e.action === 'order.upload');
    expect(ev).toHaveLength(1);
    expect(ev[0]).toMatchObject({
      public: true,
      actorType: 'org',
      detail: { slot: 'agent-id-front', documentId: d.id, sha256: row!.sha256 },
    });
    expect(view.events.map((e: { action: string }) => e.action)).toContain('order.upload');
  });

  it('keeps files encrypted at rest: the stored bytes hold neither image magic nor the plaintext', async () => {
    const c = await orgClient();
    const o = await newOrder(c);
    expect((await upload(c, o.id, 'business-license', [{ filename: 'a.jpg', data: await jpegWithExif() }])).statusCode).toBe(201);
    expect((await upload(c, o.id, 'agent-id-back', [{ filename: 'b.png', data: await png(200, 150) }])).statusCode).toBe(201);
    for (const d of await docsOf(o.id)) {
      const served = (await c.get(`/api/orders/${o.id}/documents/${d.id}/file`)).rawPayload;
      const thumb = (await c.get(`/api/orders/${o.id}/documents/${d.id}/thumbnail`)).rawPayload;
      for (const [key, plain] of [
        [d.storageKey, served],
        [d.thumbnailKey, thumb],
      ] as const) {
        const stored = await blob(key);
        expect(stored.subarray(0, 4).toString('latin1')).toBe('CDF1');
        expect(stored.subarray(0, 3)).not.toEqual(Buffer.from([0xff, 0xd8, 0xff]));
        expect(stored.includes(Buffer.from([137, 80, 78, 71, 13, 10, 26, 10]))).toBe(false);
        expect(stored.includes('JFIF')).toBe(false);
        expect(stored.includes('IHDR')).toBe(false);
        for (const at of [0, 100, plain.length - 40]) expect(stored.includes(plain.subarray(at, at + 32))).toBe(false);
      }
    }
  });

  it('a PNG named .jpg is a PNG: accepted and served as image/png', async () => {
    const c = await orgClient();
    const o = await newOrder(c);
    const res = await upload(c, o.id, 'business-license', [{ filename: '营业执照.jpg', contentType: 'image/jpeg', data: await png() }]);
    expect(res.statusCode).toBe(201);
    const file = await c.get(`/api/orders/${o.id}/documents/${res.json().document.id}/file`);
    expectImageHeaders(file, 'image/png', 'business-license.png');
    expect((await sharp(file.rawPayload).metadata()).format).toBe('png');
  });

  it('accepts a hand-made 24-bit BMP and serves it as PNG with the same pixels', async () => {
    const c = await orgClient();
    const o = await newOrder(c);
    const px = (x: number, y: number): [number, number, number] => [x * 4, y * 5, 255 - x];
    const res = await upload(c, o.id, 'power-of-attorney', [{ filename: '委托书.bmp', contentType: 'image/bmp', data: bmp24(63, 41, px) }]);
    expect(res.statusCode, res.body).toBe(201);
    expect(res.json().document).toMatchObject({ width: 63, height: 41, originalName: '委托书.bmp' });
    const file = await c.get(`/api/orders/${o.id}/documents/${res.json().document.id}/file`);
    expectImageHeaders(file, 'image/png', 'power-of-attorney.png');
    const { data } = await sharp(file.rawPayload).raw().toBuffer({ resolveWithObject: true });
    const at = (x: number, y: number) => [...data.subarray((y * 63 + x) * 3, (y * 63 + x) * 3 + 3)];
    expect([at(0, 0), at(62, 40), at(10, 20)]).toEqual([px(0, 0), px(62, 40), px(10, 20)]);
  });

  it('takes exactly 1 MB and refuses 1 MB + 1 byte, naming the file; the refusal changes nothing', async () => {
    const c = await orgClient();
    const o = await newOrder(c);
    const base = await png(300, 200);
    const exact = await upload(c, o.id, 'application-form', [{ filename: '申请表.png', data: padPng(base, 1024 * 1024) }]);
    expect(exact.statusCode, exact.body).toBe(201);
    expect(exact.json().document.bytes).toBe(1024 * 1024);
    const served = (await c.get(`/api/orders/${o.id}/documents/${exact.json().document.id}/file`)).rawPayload;
    expect(served.includes(TEXT_SECRET)).toBe(false);

    const before = { docs: await docsOf(o.id), events: await eventsOf(o.id) };
    const over = await upload(c, o.id, 'application-form', [{ filename: '身份证.png', data: padPng(base, 1024 * 1024 + 1) }]);
    expect(over.statusCode).toBe(400);
    expect(over.json().error.code).toBe('VALIDATION_FAILED');
    expect(over.json().error.fields.file).toMatch(/^身份证\.png：文件大小超过1MB（约1025KB），请压缩或重新扫描后上传$/);
    const big = await upload(c, o.id, 'application-form', [{ filename: '大图.png', data: padPng(base, Math.round(1.2 * 1024 * 1024)) }]);
    expect(big.json().error.fields.file).toBe('大图.png：文件大小超过1MB（约1.2MB），请压缩或重新扫描后上传');
    expect(await docsOf(o.id)).toEqual(before.docs);
    expect(await eventsOf(o.id)).toEqual(before.events);
  });

  it('refuses what is not an allowed image, by content, naming the file and the rule', async () => {
    const c = await orgClient();
    const o = await newOrder(c);
    const jpg = await jpegWithExif(300, 200);
    const gif = await sharp({ create: { width: 10, height: 10, channels: 3, background: '#f00' } })
      .gif()
      .toBuffer();
    const cases: [FilePart, RegExp][] = [
      [
        { filename: 'x.jpg', contentType: 'image/jpeg', data: Buffer.from('<html><script>alert(1)</script></html>') },
        /^x\.jpg：文件内容不是图片（只接受 jpeg、jpg、png、bmp）$/,
      ],
      [{ filename: '执照.png', contentType: 'image/png', data: gif }, /^执照\.png：文件是GIF格式，不能上传（只接受 jpeg、jpg、png、bmp）$/],
      [{ filename: 'cut.jpg', data: jpg.subarray(0, Math.floor(jpg.length / 2)) }, /^cut\.jpg：文件不完整.*请重新扫描后上传$/],
      [{ filename: 'bomb.png', data: await bilevelPng(20_000, 20_000) }, /^bomb\.png：图片像素过大（20000×20000）/],
      [{ filename: 'empty.jpg', data: Buffer.alloc(0) }, /^empty\.jpg：文件是空的/],
    ];
    for (const [part, message] of cases) {
      const res = await upload(c, o.id, 'agent-id-front', [part]);
      expect(res.statusCode, part.filename).toBe(400);
      expect(res.json().error.code).toBe('VALIDATION_FAILED');
      expect(res.json().error.fields.file).toMatch(message);
      expect(res.json().error.message).toBe(res.json().error.fields.file);
    }
    expect(await docsOf(o.id)).toEqual([]);
    expect((await eventsOf(o.id)).map((e) => e.action)).toEqual(['order.create']);
  });

  it('no malformed request gets a 500 or changes anything', async () => {
    const c = await orgClient();
    const o = await newOrder(c);
    const good = await png(40, 30);
    const url = `/api/orders/${o.id}/documents/agent-id-front`;
    const csrf = { 'x-csrf-token': c.csrf.org! };
    const boundary = '----x';
    const raw = (payload: string | Buffer, contentType: string) =>
      c.request({ method: 'POST', url, payload, headers: { ...csrf, 'content-type': contentType } });
    const attempts: [string, () => Promise<{ statusCode: number; body: string }>, RegExp][] = [
      ['JSON instead of a form', () => c.post(url, { file: 'x' }), /multipart\/form-data/],
      ['no body', () => c.request({ method: 'POST', url, headers: csrf }), /multipart\/form-data/],
      ['text/plain', () => raw('hello', 'text/plain'), /multipart\/form-data/],
      ['a form without a file', () => upload(c, o.id, 'agent-id-front', [], { note: 'x' }), /请选择要上传的文件/],
      ['an empty form', () => raw(`--${boundary}--\r\n`, `multipart/form-data; boundary=${boundary}`), /请选择要上传的文件/],
      [
        'two files',
        () =>
          upload(c, o.id, 'agent-id-front', [
            { filename: 'a.png', data: good },
            { filename: 'b.png', data: good },
          ]),
        /一次只能上传一个文件/,
      ],
      [
        'the file under another field name',
        () => upload(c, o.id, 'agent-id-front', [{ field: 'upload', filename: 'a.png', data: good }]),
        /请选择要上传的文件/,
      ],
      [
        'too many fields',
        () => upload(c, o.id, 'agent-id-front', [{ filename: 'a.png', data: good }], { a: '1', b: '2', c: '3', d: '4', e: '5' }),
        /上传的内容过多/,
      ],
      ['no boundary', () => raw('whatever', 'multipart/form-data'), /不完整或格式不正确/],
      [
        'cut off before the closing boundary',
        () => {
          const { payload, headers } = multipart([{ filename: 'a.png', data: good }]);
          return raw(payload.subarray(0, payload.length - 60), headers['content-type']!);
        },
        /不完整或格式不正确/,
      ],
      [
        'a header line with no end',
        () =>
          raw(
            `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="a.png"`,
            `multipart/form-data; boundary=${boundary}`,
          ),
        /不完整或格式不正确/,
      ],
      [
        'a field named __proto__',
        () => upload(c, o.id, 'agent-id-front', [{ field: '__proto__', filename: 'a.png', data: good }]),
        /不完整或格式不正确/,
      ],
    ];
    for (const [label, send, message] of attempts) {
      const res = await send();
      expect(res.statusCode, `${label}: ${res.body}`).toBeGreaterThanOrEqual(400);
      expect(res.statusCode, label).toBeLessThan(500);
      expect(JSON.parse(res.body).error.fields.file, label).toMatch(message);
    }
    expect(await docsOf(o.id)).toEqual([]);
    expect((await eventsOf(o.id)).map((e) => e.action)).toEqual(['order.create']);
    // And the same route still works afterwards.
    expect((await upload(c, o.id, 'agent-id-front', [{ filename: 'a.png', data: good }])).statusCode).toBe(201);
  });

  it('needs a login and the CSRF token', async () => {
    const c = await orgClient();
    const o = await newOrder(c);
    const { payload, headers } = multipart([{ filename: 'a.png', data: await png() }]);
    const url = `/api/orders/${o.id}/documents/agent-id-front`;
    const noToken = await c.request({ method: 'POST', url, payload, headers });
    expect(noToken.statusCode).toBe(403);
    const anon = t.client();
    await anon.session();
    const res = await anon.request({ method: 'POST', url, payload, headers: { ...headers, 'x-csrf-token': anon.csrf.org! } });
    expect(res.statusCode).toBe(401);
    expect(await docsOf(o.id)).toEqual([]);
  });

  it("takes only the order's own slots: no seal sheet for a sub key, no made-up slot", async () => {
    const c = await orgClient();
    await newOrder(c, 'main');
    const sub = await newOrder(c, 'sub');
    const data = await png();
    for (const slot of ['seal-sheet', 'appointment-letter', 'passport', '..%2F..%2Fetc']) {
      const res = await upload(c, sub.id, slot, [{ filename: 'a.png', data }]);
      expect(res.statusCode, slot).toBe(400);
      expect(res.json().error.fields.slot).toBe('本订单不需要上传这项证件');
    }
    expect((await upload(c, sub.id, 'power-of-attorney', [{ filename: 'a.png', data }])).statusCode).toBe(201);
  });
});

describe('更换证件 (replacing a file)', () => {
  it('the new file becomes current only once accepted; a refused replacement leaves the earlier file as it was', async () => {
    const c = await orgClient();
    const o = await newOrder(c);
    const first = (await upload(c, o.id, 'business-license', [{ filename: '旧.png', data: await png(100, 80, 1) }])).json().document;
    const firstBytes = (await c.get(`/api/orders/${o.id}/documents/${first.id}/file`)).rawPayload;

    for (const bad of [Buffer.from('<html></html>'), (await jpegWithExif()).subarray(0, 5000), padPng(await png(), 1024 * 1024 + 1)]) {
      const res = await upload(c, o.id, 'business-license', [{ filename: '新.jpg', data: bad }]);
      expect(res.statusCode).toBe(400);
      const current = (await docsOf(o.id)).filter((d) => d.replacedAt === null);
      expect(current.map((d) => d.id)).toEqual([first.id]);
      const again = await c.get(`/api/orders/${o.id}/documents/${first.id}/file`);
      expect(again.statusCode).toBe(200);
      expect(again.rawPayload).toEqual(firstBytes);
    }

    const second = (await upload(c, o.id, 'business-license', [{ filename: '新.png', data: await png(90, 70, 3) }])).json().document;
    const rows = await docsOf(o.id);
    expect(rows.find((d) => d.id === first.id)!.replacedAt).not.toBeNull();
    expect(rows.find((d) => d.id === second.id)!.replacedAt).toBeNull();
    const view = (await c.get(`/api/orders/${o.id}`)).json();
    expect(view.slots.find((s: { code: string }) => s.code === 'business-license').uploaded.id).toBe(second.id);
    // The replaced file stays on record and can still be opened.
    expect((await c.get(`/api/orders/${o.id}/documents/${first.id}/file`)).rawPayload).toEqual(firstBytes);
    const uploads = (await eventsOf(o.id))
      .filter((e) => e.action === 'order.upload')
      .map((e) => (e.detail as { documentId: string }).documentId);
    expect(uploads).toEqual([first.id, second.id]);
  });

  it('refuses uploads once the order is submitted (409) and takes them again after 资料审核失败', async () => {
    const c = await orgClient();
    const o = await newOrder(c);
    const first = (await upload(c, o.id, 'agent-id-back', [{ filename: 'a.png', data: await png() }])).json().document;
    await t.db.update(orders).set({ status: 'submitted' }).where(eq(orders.id, o.id));
    const res = await upload(c, o.id, 'agent-id-back', [{ filename: 'b.png', data: await png(50, 50, 9) }]);
    expect(res.statusCode).toBe(409);
    expect(res.json().error.message).toMatch(/正在审核.*不能再上传或更换证件/);
    expect((await docsOf(o.id)).map((d) => [d.id, d.replacedAt])).toEqual([[first.id, null]]);
    // Viewing is still fine.
    expect((await c.get(`/api/orders/${o.id}/documents/${first.id}/thumbnail`)).statusCode).toBe(200);
    await t.db.update(orders).set({ status: 'review_failed' }).where(eq(orders.id, o.id));
    expect((await upload(c, o.id, 'agent-id-back', [{ filename: 'b.png', data: await png(50, 50, 9) }])).statusCode).toBe(201);
  });
});

describe('who may see a document', () => {
  it("another organization gets 404 on upload, file and thumbnail; an order's route serves only its own documents", async () => {
    const owner = await orgClient();
    const o = await newOrder(owner);
    const d = (await upload(owner, o.id, 'agent-id-front', [{ filename: 'a.png', data: await png() }])).json().document;
    const other = await orgClient();
    const theirs = await newOrder(other);
    for (const res of [
      await upload(other, o.id, 'agent-id-front', [{ filename: 'x.png', data: await png() }]),
      await other.get(`/api/orders/${o.id}/documents/${d.id}/file`),
      await other.get(`/api/orders/${o.id}/documents/${d.id}/thumbnail`),
      // Their own order's route with our document's id: still not found.
      await other.get(`/api/orders/${theirs.id}/documents/${d.id}/file`),
    ]) {
      expect(res.statusCode).toBe(404);
      expect(res.json().error.code).toBe('NOT_FOUND');
    }
    const second = await newOrder(owner, 'sub');
    expect((await owner.get(`/api/orders/${second.id}/documents/${d.id}/file`)).statusCode).toBe(404);
    expect((await owner.get(`/api/orders/${o.id}/documents/${randomUuid()}/file`)).statusCode).toBe(404);
    expect((await owner.get(`/api/orders/${o.id}/documents/not-a-uuid/file`)).statusCode).toBe(400);
    expect(await docsOf(o.id)).toHaveLength(1);
    expect((await t.client().get(`/api/orders/${o.id}/documents/${d.id}/file`)).statusCode).toBe(401);
  });

  it('staff see any document; every view is recorded once, before the bytes go out', async () => {
    const c = await orgClient();
    const o = await newOrder(c);
    const d = (await upload(c, o.id, 'agent-id-front', [{ filename: '身份证.jpg', data: await jpegWithExif() }])).json().document;
    const owned = (await c.get(`/api/orders/${o.id}/documents/${d.id}/file`)).rawPayload;
    expect(await viewsOf(d.id)).toEqual([]); // the applicant's own views are not staff views

    const { c: s, id: staffId } = await staffClient(['预审']);
    const file = await s.get(`/api/staff/orders/${o.id}/documents/${d.id}/file`);
    expect(file.statusCode).toBe(200);
    expectImageHeaders(file, 'image/jpeg', 'agent-id-front.jpg');
    expect(file.rawPayload).toEqual(owned);
    const views = await viewsOf(d.id);
    expect(views).toHaveLength(1);
    expect(views[0]).toMatchObject({
      actorType: 'staff',
      actorId: staffId,
      action: 'document.view',
      targetType: 'order_document',
      targetId: d.id,
      detail: { orderId: o.id, slot: 'agent-id-front', variant: 'file' },
    });

    const thumb = await s.get(`/api/staff/orders/${o.id}/documents/${d.id}/thumbnail`);
    expect(thumb.statusCode).toBe(200);
    expectImageHeaders(thumb, 'image/jpeg', 'agent-id-front-thumbnail.jpg');
    expect((await viewsOf(d.id)).map((v) => (v.detail as { variant: string }).variant).sort()).toEqual(['file', 'thumbnail']);

    // Any staff role may look for now.
    const { c: finance } = await staffClient(['财务']);
    expect((await finance.get(`/api/staff/orders/${o.id}/documents/${d.id}/file`)).statusCode).toBe(200);
    expect(await viewsOf(d.id)).toHaveLength(3);

    // Not found: nothing shown, nothing recorded.
    const other = await newOrder(await orgClient());
    expect((await s.get(`/api/staff/orders/${other.id}/documents/${d.id}/file`)).statusCode).toBe(404);
    expect(await viewsOf(d.id)).toHaveLength(3);
  });

  it('an applicant session, or none, gets 401 on the staff routes and leaves no audit row', async () => {
    const c = await orgClient();
    const o = await newOrder(c);
    const d = (await upload(c, o.id, 'agent-id-front', [{ filename: 'a.png', data: await png() }])).json().document;
    for (const who of [c, t.client()])
      for (const variant of ['file', 'thumbnail']) {
        const res = await who.get(`/api/staff/orders/${o.id}/documents/${d.id}/${variant}`);
        expect(res.statusCode).toBe(401);
        expect(res.json().error.code).toBe('NOT_AUTHENTICATED');
      }
    // Who is asking is settled before the parameters are judged.
    expect((await c.get(`/api/staff/orders/${o.id}/documents/not-a-uuid/file`)).statusCode).toBe(401);
    expect(await viewsOf(d.id)).toEqual([]);
  });

  it('staff get no HEAD route: every answer a staff member gets is a recorded view', async () => {
    const c = await orgClient();
    const o = await newOrder(c);
    const d = (await upload(c, o.id, 'agent-id-front', [{ filename: 'a.png', data: await png() }])).json().document;
    const { c: s } = await staffClient();
    const head = await s.request({ method: 'HEAD', url: `/api/staff/orders/${o.id}/documents/${d.id}/file` });
    expect(head.statusCode).toBe(404);
    expect(await viewsOf(d.id)).toEqual([]);
  });
});

function randomUuid(): string {
  return crypto.randomUUID();
}
