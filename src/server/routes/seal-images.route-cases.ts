/**
 * The seal-image routes' rows for staff.test.ts's role table (every staff route × every kind of caller),
 * kept beside the routes so that shared test file only pushes them. One order in 正在制证 with a scanned
 * sheet serves every row (extraction takes a second or two); the effects compare before and after.
 */
import { and, eq } from 'drizzle-orm';
import type { StaffRole } from '../../core/schemas.js';
import { sealExtractions } from '../db/schema.js';
import { fileStoreFor } from '../adapters/storage/configured.js';
import { orderRepository } from '../modules/orders/repository.js';
import { sealImageRepository } from '../modules/seal-images/repository.js';
import { sealImagesForApplicant } from '../modules/seal-images/seal-images.js';
import { orderWithSheet } from '../modules/seal-images/testing/orders.js';
import type { TestApp } from '../testing/harness.js';

export interface SealImageRouteCase {
  method: 'GET' | 'POST';
  path: string;
  access: 'any' | StaffRole[];
  ok: number;
  make(): Promise<{ url: string; body?: unknown; effect?: () => Promise<boolean> }>;
}

export function sealImageRouteCases(app: () => TestApp): SealImageRouteCase[] {
  let shared: Promise<{ orderId: string; documentId: string; runId: string }> | undefined;
  const order = () =>
    (shared ??= (async () => {
      const t = app();
      const o = await orderWithSheet(t, 'in_production');
      const row = (await orderRepository.findById(t.db, o.orderId))!;
      const v = await sealImagesForApplicant({ db: t.db, clock: t.clock, store: fileStoreFor(t.config, t.db) }, row);
      return { ...o, runId: v.auto!.id };
    })());
  const staffRuns = async (orderId: string) =>
    (
      await app()
        .db.select()
        .from(sealExtractions)
        .where(and(eq(sealExtractions.orderId, orderId), eq(sealExtractions.source, 'staff')))
    ).length;
  return [
    {
      method: 'GET',
      path: '/api/staff/orders/:id/seal-images',
      access: 'any',
      ok: 200,
      make: async () => ({ url: `/api/staff/orders/${(await order()).orderId}/seal-images` }),
    },
    {
      method: 'GET',
      path: '/api/staff/orders/:id/seal-images/:extractionId/:kind/:box',
      access: 'any',
      ok: 200,
      make: async () => {
        const o = await order();
        return { url: `/api/staff/orders/${o.orderId}/seal-images/${o.runId}/company-seal/0` };
      },
    },
    {
      method: 'POST',
      path: '/api/staff/orders/:id/seal-images/extract',
      access: ['制证'],
      ok: 201,
      make: async () => {
        const o = await order();
        const before = await staffRuns(o.orderId);
        return {
          url: `/api/staff/orders/${o.orderId}/seal-images/extract`,
          body: { documentId: o.documentId, threshold: 0.2 },
          effect: async () => (await staffRuns(o.orderId)) > before,
        };
      },
    },
    {
      method: 'POST',
      path: '/api/staff/orders/:id/seal-images/confirm',
      access: ['制证'],
      ok: 200,
      make: async () => {
        const o = await order();
        const before = await sealImageRepository.confirmation(app().db, o.orderId);
        return {
          url: `/api/staff/orders/${o.orderId}/seal-images/confirm`,
          body: { extractionId: o.runId, picks: { 'company-seal': 0, 'legal-person-seal': 0 }, expectedVersion: before?.version ?? null },
          effect: async () => (await sealImageRepository.confirmation(app().db, o.orderId))?.version !== before?.version,
        };
      },
    },
  ];
}
