/**
 * 印模提取 through the real app: the applicant uploads the scanned 电子签章采集表 and sees the extracted
 * seals or why an impression will not do; another organization sees nothing; staff see the same with the
 * measurements (audited); 制证 adjusts and confirms (compare-and-set, audit row, order event); malformed
 * requests get Chinese field errors, never a 500.
 */
import { and, eq } from 'drizzle-orm';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditEvents, orderEvents } from '../db/schema.js';
import { confirmedSealImages } from '../modules/seal-images/confirmed.js';
import { orderWithSheet, uploadSheet } from '../modules/seal-images/testing/orders.js';
import { makeScan } from '../modules/seal-images/testing/scan.js';
import { testApp, type TestApp, type TestClient } from '../testing/harness.js';
import { newApplicant, staffMember, type Applicant } from '../testing/paid-order.js';

let t: TestApp;
let producer: TestClient;
let reviewer: TestClient;
let producerId: string;

beforeAll(async () => {
  t = await testApp();
  const p = await staffMember(t, ['制证'], '赵制证');
  producer = p.c;
  producerId = p.s.id;
  reviewer = (await staffMember(t, ['预审'], '周预审')).c;
});
afterAll(() => t.close());

async function draftOrder(a: Applicant): Promise<string> {
  const created = await a.c.post('/api/orders', { projectCode: 'gov-procurement', keyType: 'main', agree: true });
  expect(created.statusCode, created.body).toBe(201);
  return created.json().order.id as string;
}

const extractOf = (c: TestClient, orderId: string, body: unknown) => c.post(`/api/staff/orders/${orderId}/seal-images/extract`, body);
const confirmOf = (c: TestClient, orderId: string, body: unknown) => c.post(`/api/staff/orders/${orderId}/seal-images/confirm`, body);

describe('the applicant', () => {
  let a: Applicant;
  let orderId: string;
  beforeAll(async () => {
    a = await newApplicant(t);
    orderId = await draftOrder(a);
  });

  it('before the upload: the sheet is required and nothing is extracted yet', async () => {
    const res = await a.c.get(`/api/orders/${orderId}/seal-images`);
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ required: true, document: null, auto: null });
  });

  it('uploads a good scan and sees six clean impressions, each a transparent PNG', async () => {
    const up = await uploadSheet(a.c, orderId, await makeScan({ rotateDeg: -2 }));
    expect(up.statusCode, up.body).toBe(201);
    const res = await a.c.get(`/api/orders/${orderId}/seal-images`);
    expect(res.statusCode).toBe(200);
    const v = res.json();
    expect(v.document.id).toBe(up.json().document.id);
    expect(v.auto.verdict).toBe('ok');
    expect(v.auto.issues).toEqual([]);
    expect(v.auto.images).toHaveLength(6);
    // The applicant does not get the staff's measurements.
    expect(v.auto.images[0].metrics).toBeUndefined();
    const first = v.auto.images[0];
    expect(first).toMatchObject({ kind: 'company-seal', label: '企业公章', box: 0, hasImage: true });
    const png = await a.c.get(`/api/orders/${orderId}/seal-images/${v.auto.id}/company-seal/0`);
    expect(png.statusCode).toBe(200);
    expect(png.headers['content-type']).toBe('image/png');
    expect(png.headers['cache-control']).toBe('no-store');
    const meta = await sharp(png.rawPayload).metadata();
    expect([meta.width, meta.height, meta.hasAlpha]).toEqual([first.widthPx, first.heightPx, true]);
    // Asked again: the same run (made once per uploaded file).
    expect((await a.c.get(`/api/orders/${orderId}/seal-images`)).json().auto.id).toBe(v.auto.id);
  });

  it('a bad scan is accepted as a file but flagged with the reasons, per box, before submission', async () => {
    const scan = await makeScan({
      rotateDeg: 1,
      stamps: {
        'company-seal:1': null,
        'legal-person-seal:0': { shape: 'legal', colour: '#1f3fb4' },
        'company-seal:0': { shape: 'company', dx: -22 },
      },
    });
    const up = await uploadSheet(a.c, orderId, scan);
    expect(up.statusCode).toBe(201);
    const v = (await a.c.get(`/api/orders/${orderId}/seal-images`)).json();
    expect(v.auto.verdict).toBe('flagged');
    const messages = (v.auto.issues as { message: string }[]).map((i) => i.message);
    expect(messages).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^企业公章（右格）：这一格没有盖章/),
        expect.stringMatching(/^法人私章（左格）：法人私章不是红色/),
        expect.stringMatching(/^企业公章（左格）：印章压在采集框的线上/),
      ]),
    );
  });

  it('a refused upload leaves the earlier sheet and its result in place', async () => {
    const good = await uploadSheet(a.c, orderId, await makeScan({ rotateDeg: 0.5 }));
    expect(good.statusCode).toBe(201);
    const before = (await a.c.get(`/api/orders/${orderId}/seal-images`)).json();
    const bad = await uploadSheet(a.c, orderId, Buffer.from('<html>not a scan</html>'), 'sheet.jpg');
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.fields.file).toMatch(/不是图片/);
    const after = (await a.c.get(`/api/orders/${orderId}/seal-images`)).json();
    expect(after.document.id).toBe(good.json().document.id);
    expect(after.auto.id).toBe(before.auto.id);
    expect(after.auto.verdict).toBe('ok');
  });

  it('a scan of something else: unreadable, with what to do', async () => {
    const b = await newApplicant(t);
    const id = await draftOrder(b);
    const photo = await sharp({ create: { width: 900, height: 1200, channels: 3, background: '#d0c8b8' } })
      .jpeg()
      .toBuffer();
    expect((await uploadSheet(b.c, id, photo)).statusCode).toBe(201);
    const v = (await b.c.get(`/api/orders/${id}/seal-images`)).json();
    expect(v.auto.verdict).toBe('unreadable');
    expect(v.auto.issues[0].message).toMatch(/黑色定位方块/);
  });

  it('another organization sees neither the result nor the images (404), and a sub key needs no sheet', async () => {
    const other = await newApplicant(t);
    const v = (await a.c.get(`/api/orders/${orderId}/seal-images`)).json();
    const res = await other.c.get(`/api/orders/${orderId}/seal-images`);
    expect(res.statusCode).toBe(404);
    expect(res.json().error.message).toBe('找不到该订单');
    expect((await other.c.get(`/api/orders/${orderId}/seal-images/${v.auto.id}/company-seal/0`)).statusCode).toBe(404);
    // Their own order, someone else's run id: not found either.
    const theirs = await draftOrder(other);
    expect((await other.c.get(`/api/orders/${theirs}/seal-images/${v.auto.id}/company-seal/0`)).statusCode).toBe(404);
    const sub = await other.c.post('/api/orders', { projectCode: 'gov-procurement', keyType: 'sub', agree: true });
    if (sub.statusCode === 201) expect((await other.c.get(`/api/orders/${sub.json().order.id}/seal-images`)).json().required).toBe(false);
    expect((await t.client().get(`/api/orders/${orderId}/seal-images`)).statusCode).toBe(401);
  });

  it.each([
    ['not-a-uuid', 'company-seal', '0', /订单编号格式不正确/],
    [null, 'stamp', '0', /印模种类不正确/],
    [null, 'company-seal', '2', /左.*右/],
  ])('bad image address (%s, %s, %s) → 400 in Chinese', async (id, kind, box, message) => {
    const v = (await a.c.get(`/api/orders/${orderId}/seal-images`)).json();
    const res = await a.c.get(`/api/orders/${id ?? orderId}/seal-images/${v.auto.id}/${kind}/${box}`);
    expect(res.statusCode).toBe(400);
    expect(JSON.stringify(res.json().error)).toMatch(message);
  });
});

describe('staff: 预审 sees, 制证 adjusts and confirms', () => {
  let orderId: string;
  let documentId: string;
  beforeAll(async () => {
    ({ orderId, documentId } = await orderWithSheet(t, 'in_production', { rotateDeg: 2, stamps: { 'company-seal:1': null } }));
  });

  it('预审 sees the flags and the measurements; the view is audited', async () => {
    const res = await reviewer.get(`/api/staff/orders/${orderId}/seal-images`);
    expect(res.statusCode).toBe(200);
    const v = res.json();
    expect(v.auto.verdict).toBe('flagged');
    expect(v.auto.issues.map((i: { message: string }) => i.message)).toEqual([expect.stringMatching(/^企业公章（右格）：这一格没有盖章/)]);
    expect(v.auto.images[0].metrics).toMatchObject({ pxPerMm: expect.any(Number), inkAreaMm2: expect.any(Number) });
    expect(v.canConfirm).toBe(false);
    const audit = await t.db
      .select()
      .from(auditEvents)
      .where(and(eq(auditEvents.action, 'sealimages.view'), eq(auditEvents.targetId, orderId)));
    expect(audit.length).toBeGreaterThan(0);
    const png = await reviewer.get(`/api/staff/orders/${orderId}/seal-images/${v.auto.id}/company-seal/0`);
    expect(png.statusCode).toBe(200);
    // 预审 may not adjust or confirm.
    expect((await extractOf(reviewer, orderId, { documentId, threshold: 0.2 })).statusCode).toBe(403);
    expect(
      (await confirmOf(reviewer, orderId, { extractionId: v.auto.id, picks: { 'company-seal': 0 }, expectedVersion: null })).statusCode,
    ).toBe(403);
  });

  it('制证 re-extracts with a threshold and a crop, confirms, and the seal maker gets the PNGs', async () => {
    const v = (await producer.get(`/api/staff/orders/${orderId}/seal-images`)).json();
    expect(v.canConfirm).toBe(true);
    expect(await confirmedSealImages(t.db, orderId)).toEqual([]);
    const crop = { x: 8, y: 6, width: 48, height: 48 };
    const ex = await extractOf(producer, orderId, { documentId, threshold: 0.2, crops: { 'company-seal:0': crop } });
    expect(ex.statusCode, ex.body).toBe(201);
    const run = ex.json().run;
    expect(run).toMatchObject({ source: 'staff', createdBy: '赵制证', params: { threshold: 0.2 } });
    expect(run.images.find((i: { kind: string; box: number }) => i.kind === 'company-seal' && i.box === 0).crop).toEqual(crop);
    // The newest run is what staff see next.
    expect((await producer.get(`/api/staff/orders/${orderId}/seal-images`)).json().latest.id).toBe(run.id);

    const picks = { 'company-seal': 0, 'legal-person-seal': 1, 'legal-person-signature': 0 };
    const ok = await confirmOf(producer, orderId, { extractionId: run.id, picks, expectedVersion: null });
    expect(ok.statusCode, ok.body).toBe(200);
    expect(ok.json().confirmation).toMatchObject({ extractionId: run.id, picks, confirmedBy: '赵制证', version: 1 });

    const seals = await confirmedSealImages(t.db, orderId);
    expect(seals.map((s) => s.kind)).toEqual(['company', 'legal-person', 'signature']);
    const company = seals[0]!;
    expect(company.widthMm).toBeCloseTo(48, 0);
    const meta = await sharp(company.png).metadata();
    expect([meta.format, meta.width, meta.height, meta.hasAlpha]).toEqual(['png', company.widthPx, company.heightPx, true]);
    expect(company.widthPx / company.widthMm).toBeCloseTo(150 / 25.4, 0);

    const audit = await t.db
      .select()
      .from(auditEvents)
      .where(and(eq(auditEvents.action, 'sealimages.confirm'), eq(auditEvents.targetId, orderId)));
    expect(audit).toHaveLength(1);
    expect(audit[0]!.actorId).toBe(producerId);
    const events = await t.db
      .select()
      .from(orderEvents)
      .where(and(eq(orderEvents.orderId, orderId), eq(orderEvents.action, 'order.seal_images_confirmed')));
    expect(events).toHaveLength(1);
    expect(events[0]!.public).toBe(false);
  });

  it('a second confirmation must name the version it saw: a stale one is a 409 and changes nothing', async () => {
    const v = (await producer.get(`/api/staff/orders/${orderId}/seal-images`)).json();
    const picks = { 'company-seal': 0, 'legal-person-signature': 1 };
    const again = await confirmOf(producer, orderId, { extractionId: v.auto.id, picks, expectedVersion: null });
    expect(again.statusCode).toBe(409);
    expect(again.json().error.message).toMatch(/已被其他人修改/);
    const next = await confirmOf(producer, orderId, { extractionId: v.auto.id, picks, expectedVersion: 1 });
    expect(next.statusCode, next.body).toBe(200);
    expect(next.json().confirmation.version).toBe(2);
    const stale = await confirmOf(producer, orderId, {
      extractionId: v.auto.id,
      picks: { 'company-seal': 0, 'legal-person-seal': 0 },
      expectedVersion: 1,
    });
    expect(stale.statusCode).toBe(409);
    expect((await confirmedSealImages(t.db, orderId)).map((s) => s.kind)).toEqual(['company', 'signature']);
  });

  it.each<[string, (v: { auto: { id: string } }) => unknown, string, RegExp]>([
    ['threshold not a number', () => ({ documentId: 'D', threshold: 'high' }), 'threshold', /红色阈值须为数字/],
    ['threshold out of range', () => ({ documentId: 'D', threshold: 0.9 }), 'threshold', /不能大于 0.6/],
    [
      'crop too small',
      () => ({ documentId: 'D', threshold: 0.2, crops: { 'company-seal:0': { x: 0, y: 0, width: 1, height: 20 } } }),
      'crops',
      /至少 3 毫米/,
    ],
    [
      'crop of a box that does not exist',
      () => ({ documentId: 'D', threshold: 0.2, crops: { 'stamp:0': { x: 0, y: 0, width: 10, height: 10 } } }),
      'crops',
      /采集格/,
    ],
    ['no document', () => ({ threshold: 0.2 }), 'documentId', /电子签章采集表/],
  ])('extract: %s → 400 naming the field', async (_n, body, field, message) => {
    const v = (await producer.get(`/api/staff/orders/${orderId}/seal-images`)).json();
    const b = JSON.parse(JSON.stringify(body(v)).replace('"D"', JSON.stringify(documentId))) as Record<string, unknown>;
    const res = await extractOf(producer, orderId, b);
    expect(res.statusCode, res.body).toBe(400);
    const fields = res.json().error.fields as Record<string, string>;
    const key = Object.keys(fields).find((k) => k.startsWith(field));
    expect(key, JSON.stringify(fields)).toBeDefined();
    expect(fields[key!]).toMatch(message);
  });

  it.each<[string, (run: string) => unknown, number, RegExp]>([
    ['no picks', (run) => ({ extractionId: run, picks: {}, expectedVersion: 2 }), 400, /请选择企业公章/],
    [
      'an empty box picked',
      (run) => ({ extractionId: run, picks: { 'company-seal': 1, 'legal-person-seal': 0 }, expectedVersion: 2 }),
      400,
      /没有可用的印模/,
    ],
    ['box 3', (run) => ({ extractionId: run, picks: { 'company-seal': 3 }, expectedVersion: 2 }), 400, /左格（0）或右格（1）/],
    [
      'unknown run',
      () => ({ extractionId: '00000000-0000-4000-8000-000000000000', picks: { 'company-seal': 0 }, expectedVersion: 2 }),
      404,
      /找不到这次印模提取结果/,
    ],
    ['version missing', (run) => ({ extractionId: run, picks: { 'company-seal': 0 } }), 400, /请刷新页面/],
    [
      'a JSON string, not an object',
      () => ({ extractionId: ['x'], picks: 'all', expectedVersion: 'one' }),
      400,
      /提取结果编号|请为每种印模|请刷新页面/,
    ],
  ])('confirm: %s → %d in Chinese', async (_n, body, status, message) => {
    const v = (await producer.get(`/api/staff/orders/${orderId}/seal-images`)).json();
    const res = await confirmOf(producer, orderId, body(v.auto.id));
    expect(res.statusCode, res.body).toBe(status);
    expect(JSON.stringify(res.json().error)).toMatch(message);
    expect((await confirmedSealImages(t.db, orderId)).map((s) => s.kind)).toEqual(['company', 'signature']);
  });

  it.each([
    ['produced', true, 200],
    ['shipped', false, 409],
  ] as const)('at %s (certificate issued first): canConfirm %s, confirming answers %d', async (status, can, code) => {
    const o = await orderWithSheet(t, status);
    const v = (await producer.get(`/api/staff/orders/${o.orderId}/seal-images`)).json();
    expect(v.canConfirm).toBe(can);
    const picks = { 'company-seal': 0, 'legal-person-seal': 0 };
    const res = await confirmOf(producer, o.orderId, { extractionId: v.auto.id, picks, expectedVersion: null });
    expect(res.statusCode, res.body).toBe(code);
    expect((await confirmedSealImages(t.db, o.orderId)).map((s) => s.kind)).toEqual(can ? ['company', 'legal-person'] : []);
    if (!can) expect(res.json().error.message).toMatch(/不在制证环节/);
  });

  it('outside 正在制证 nothing can be adjusted or confirmed (409), and unknown orders are 404', async () => {
    const draft = await orderWithSheet(t, 'paper_awaiting');
    const res = await extractOf(producer, draft.orderId, { documentId: draft.documentId, threshold: 0.2 });
    expect(res.statusCode).toBe(409);
    expect(res.json().error.message).toMatch(/不在制证环节/);
    const missing = '00000000-0000-4000-8000-000000000001';
    expect((await producer.get(`/api/staff/orders/${missing}/seal-images`)).statusCode).toBe(404);
    expect((await extractOf(producer, 'nope', { documentId, threshold: 0.2 })).statusCode).toBe(400);
    // A document id that is not this order's current sheet.
    const wrong = await extractOf(producer, orderId, { documentId: draft.documentId, threshold: 0.2 });
    expect(wrong.statusCode).toBe(409);
    expect(wrong.json().error.message).toMatch(/已更换/);
  });
});
