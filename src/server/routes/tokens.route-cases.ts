/**
 * The UKEY routes' rows for staff.test.ts's role table (every staff route × every kind of caller), kept
 * beside the routes. The initialization authorization is sealed only for the caller's own agent pairing,
 * which a shared row cannot make, so its row sends an empty body: 制证 and 管理员 (who may 制证 at the counter)
 * get 400 (the access check passed and validation named the fields), everyone else 403 before validation. tokens.test.ts covers the grant.
 */
import type { StaffRole } from '../../core/schemas.js';

export interface TokenRouteCase {
  method: 'GET' | 'POST';
  path: string;
  access: 'any' | StaffRole[];
  ok: number;
  make(): Promise<{ url: string; body?: unknown }>;
}

export function tokenRouteCases(): TokenRouteCase[] {
  return [
    {
      method: 'GET',
      path: '/api/staff/agent/pairing',
      access: ['制证', '管理员'],
      ok: 200,
      make: async () => ({ url: '/api/staff/agent/pairing' }),
    },
    {
      method: 'POST',
      path: '/api/staff/tokens/:serial/init-authorization',
      access: ['制证', '管理员'],
      ok: 400,
      make: async () => ({ url: '/api/staff/tokens/ROLETABLE0001/init-authorization', body: {} }),
    },
  ];
}
