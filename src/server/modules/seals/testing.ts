/**
 * Test helpers for electronic seals: transparent red impressions drawn with sharp (a round company seal, a
 * square legal-person seal, signature strokes), confirmed for an order the way the seal-image step records
 * a confirmation (extraction run + images + confirmation rows), and an order taken through 制证 by the real
 * produceOrder so it has an issued SM2 certificate.
 */
import { expect } from 'vitest';
import { randomBytes, randomUUID } from 'node:crypto';
import sharp from 'sharp';
import type { Clock } from '../../clock.js';
import type { Config } from '../../config.js';
import type { Db } from '../../db/client.js';
import { orderDocuments, sealExtractionImages, sealExtractions, sealImageConfirmations } from '../../db/schema.js';
import { produceOrder } from '../fulfilment/produce-order.js';
import { makeOrderSeals } from './make-seals.js';
import type { TestApp, TestClient } from '../../testing/harness.js';
import { ALL_PAPER_CHECKED, paidOrder, quickOrder, type TestOrder } from '../../testing/paid-order.js';

const RED = '#d40000';
const SVG: Record<'company' | 'legal-person' | 'signature', { w: number; h: number; body: string }> = {
  company: {
    w: 420,
    h: 420,
    body: `<circle cx="210" cy="210" r="195" fill="none" stroke="${RED}" stroke-width="16"/><polygon points="210,120 232,185 300,185 245,225 266,290 210,250 154,290 175,225 120,185 188,185" fill="${RED}"/>`,
  },
  'legal-person': {
    w: 200,
    h: 200,
    body: `<rect x="10" y="10" width="180" height="180" fill="none" stroke="${RED}" stroke-width="14"/><rect x="50" y="50" width="100" height="100" fill="${RED}"/>`,
  },
  signature: {
    w: 350,
    h: 140,
    body: `<path d="M20 110 C 60 10, 90 10, 110 100 S 170 20, 200 90 S 280 30, 330 60" fill="none" stroke="${RED}" stroke-width="9" stroke-linecap="round"/>`,
  },
};

/** A transparent PNG of the impression; `variant` changes it (a re-confirmed, different picture). */
export async function impressionPng(kind: keyof typeof SVG, variant = 0): Promise<Buffer> {
  const s = SVG[kind];
  const extra = variant ? `<circle cx="${20 + variant * 7}" cy="20" r="6" fill="${RED}"/>` : '';
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${s.w}" height="${s.h}">${s.body}${extra}</svg>`;
  return sharp(Buffer.from(svg)).png().toBuffer();
}

const MM = { company: [42, 42], 'legal-person': [20, 20], signature: [35, 14] } as const;

/** Records a confirmation of the three impressions for the order (as 制证 confirms them in the seal-image step). */
export async function confirmTestImages(db: Db, orderId: string, opts: { variant?: number; kinds?: (keyof typeof SVG)[] } = {}) {
  const now = new Date();
  const [doc] = await db
    .insert(orderDocuments)
    .values({
      orderId,
      slot: 'seal-sheet',
      storageKey: `test/${randomUUID()}`,
      thumbnailKey: `test/${randomUUID()}`,
      sha256: randomBytes(32).toString('hex'),
      mime: 'image/png',
      bytes: 1,
      width: 2480,
      height: 3508,
      originalName: '电子签章采集表.png',
      uploadedAt: now,
      // Kept out of the order's current documents, so other tests' views of the order do not change.
      replacedAt: now,
    })
    .returning();
  const [run] = await db
    .insert(sealExtractions)
    .values({ orderId, documentId: doc!.id, source: 'staff', params: {}, verdict: 'ok', issues: [], sheet: {}, createdAt: now })
    .returning();
  const boxKind = { company: 'company-seal', 'legal-person': 'legal-person-seal', signature: 'legal-person-signature' } as const;
  const kinds = opts.kinds ?? (['company', 'legal-person', 'signature'] as const);
  for (const k of kinds) {
    const png = await impressionPng(k, opts.variant ?? 0);
    const meta = await sharp(png).metadata();
    await db.insert(sealExtractionImages).values({
      extractionId: run!.id,
      kind: boxKind[k],
      box: 0,
      png,
      widthPx: meta.width!,
      heightPx: meta.height!,
      widthMm: MM[k][0],
      heightMm: MM[k][1],
      metrics: {},
      issues: [],
    });
  }
  const picks = Object.fromEntries(kinds.map((k) => [boxKind[k], 0]));
  await db
    .insert(sealImageConfirmations)
    .values({ orderId, extractionId: run!.id, picks, confirmedBy: randomUUID(), confirmedAt: now, version: 1 })
    .onConflictDoUpdate({ target: sealImageConfirmations.orderId, set: { extractionId: run!.id, picks, confirmedAt: now, version: 2 } });
}

/** An order in 制证完成 with an issued SM2 certificate (the real produceOrder, key generated), images not yet confirmed. */
export async function producedOrder(
  t: TestApp | { db: Db; clock: Clock; config: Config },
): Promise<{ orderId: string; orderNo: string; certificateId: string }> {
  const o = await quickOrder(t as TestApp, 'in_production');
  const r = await produceOrder(
    t,
    { id: randomUUID(), roles: ['制证'] },
    o.orderId,
    { kind: 'generate', password: 'seal-test-pass' },
    { ip: 'test' },
  );
  return { ...o, certificateId: r.certificate.id };
}

/** An order in 制证完成 whose impressions are confirmed and whose seals are made: ready for 发放. */
export async function sealedOrder(t: TestApp): Promise<{ orderId: string; orderNo: string; certificateId: string }> {
  const o = await producedOrder(t);
  await confirmTestImages(t.db, o.orderId);
  await makeOrderSeals(t, { id: randomUUID(), roles: ['制证'] }, o.orderId, { ip: 'test' });
  return o;
}

/**
 * A paid order walked by the real endpoints to 正在制证: the paper sent, received and passed by 受理 (`paper`),
 * the seal impressions confirmed — ready for 制证.
 */
export async function orderInProduction(t: TestApp, paper: TestClient, trackingNo = 'SF1000000000009'): Promise<TestOrder> {
  const o = await paidOrder(t);
  expect((await o.a.c.post(`/api/orders/${o.orderId}/paper-shipment`, { courier: 'SF', trackingNo })).statusCode).toBe(201);
  expect((await paper.post(`/api/staff/orders/${o.orderId}/paper/receive`, {})).statusCode).toBe(200);
  expect((await paper.post(`/api/staff/orders/${o.orderId}/paper/pass`, ALL_PAPER_CHECKED)).statusCode).toBe(200);
  await confirmTestImages(t.db, o.orderId);
  return o;
}
