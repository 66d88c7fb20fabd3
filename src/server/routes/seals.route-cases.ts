/**
 * The electronic-seal routes' rows for staff.test.ts's role table (every staff route × every kind of
 * caller), kept beside the routes so the shared test file only pushes them. Each row makes fresh targets:
 * an order through 制证 with confirmed impressions (and, for the download, its seals).
 */
import type { StaffRole } from '../../core/schemas.js';
import { sealRepository } from '../modules/seals/repository.js';
import { makeOrderSeals } from '../modules/seals/make-seals.js';
import { confirmTestImages, producedOrder } from '../modules/seals/testing.js';
import type { TestApp } from '../testing/harness.js';

export interface SealRouteCase {
  method: 'GET' | 'POST';
  path: string;
  access: 'any' | StaffRole[];
  ok: number;
  make(): Promise<{ url: string; body?: unknown; effect?: () => Promise<boolean> }>;
}

export function sealRouteCases(t: () => TestApp): SealRouteCase[] {
  const ready = async () => {
    const o = await producedOrder(t());
    await confirmTestImages(t().db, o.orderId);
    return o;
  };
  return [
    {
      method: 'GET',
      path: '/api/staff/orders/:id/seals',
      access: 'any',
      ok: 200,
      make: async () => ({ url: `/api/staff/orders/${(await ready()).orderId}/seals` }),
    },
    {
      method: 'POST',
      path: '/api/staff/orders/:id/seals',
      access: ['制证'],
      ok: 201,
      make: async () => {
        const o = await ready();
        return {
          url: `/api/staff/orders/${o.orderId}/seals`,
          effect: async () => (await sealRepository.forOrder(t().db, o.orderId)).length === 3,
        };
      },
    },
    {
      method: 'GET',
      path: '/api/staff/seals/:id/download',
      access: ['制证'],
      ok: 200,
      make: async () => {
        const o = await ready();
        const r = await makeOrderSeals(t(), { id: crypto.randomUUID(), roles: ['制证'] }, o.orderId, { ip: 'test' });
        return { url: `/api/staff/seals/${r.made[0]!.id}/download` };
      },
    },
  ];
}
