/**
 * The path → page table of web-preload.ts against the web app's own routes: every page the route files load
 * lazily is in the table (a new page without an entry would load a round trip late, silently), and every
 * module the table names still exists.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { pageModules, PRELOADED_PAGES } from './web-preload.js';

const WEB = path.resolve(import.meta.dirname, '../../web');
/** Pages reached only when nothing else matches: no path names them. */
const NO_PATH = new Set(['pages/public/NotFound.tsx']);

/** The modules a route file loads with lazyPage(() => import('./x.js'), …), as the build's manifest names them. */
function lazyPages(routeFile: string): string[] {
  const src = readFileSync(path.join(WEB, routeFile), 'utf8');
  return [...src.matchAll(/lazyPage\(\(\) => import\('([^']+)\.js'\)/g)].map((m) =>
    path
      .relative(WEB, path.resolve(path.dirname(path.join(WEB, routeFile)), `${m[1]}.tsx`))
      .split(path.sep)
      .join('/'),
  );
}

describe('web-preload tables', () => {
  it.each(['main.tsx', 'PublicSite.tsx', 'pages/staff/StaffApp.tsx'])('every lazy page of %s has an entry', (file) => {
    const pages = lazyPages(file);
    expect(pages.length).toBeGreaterThan(2);
    expect(pages.filter((p) => !NO_PATH.has(p) && !PRELOADED_PAGES.includes(p))).toEqual([]);
  });

  it('every module the tables name exists', () => {
    expect(PRELOADED_PAGES.filter((m) => !existsSync(path.join(WEB, m)))).toEqual([]);
  });

  it.each([
    ['/login', ['PublicSite.tsx', 'pages/applicant/Login.tsx']],
    ['/orders', ['PublicSite.tsx', 'pages/applicant/Orders.tsx']],
    ['/orders/0b8f6d2e-1c1f-4c6e-9a53-3a7c5e1d2f40', ['PublicSite.tsx', 'pages/applicant/Order.tsx']],
    ['/orders/0b8f6d2e-1c1f-4c6e-9a53-3a7c5e1d2f40/pay', ['PublicSite.tsx', 'pages/applicant/Pay.tsx']],
    ['/certificates/abc/renew', ['PublicSite.tsx', 'pages/applicant/renewal/Renew.tsx']],
    ['/staff', ['pages/staff/StaffApp.tsx', 'pages/staff/StaffDashboard.tsx']],
    ['/staff/orders', ['pages/staff/StaffApp.tsx', 'pages/staff/orders/StaffQueue.tsx']],
    ['/staff/orders/42', ['pages/staff/StaffApp.tsx', 'pages/staff/orders/StaffOrder.tsx']],
    ['/staff/queue/pending', ['pages/staff/StaffApp.tsx', 'pages/staff/orders/StaffQueue.tsx']],
    ['/v/abc', ['pages/mobile/LegalCheck.tsx']],
    ['/sandbox/pay/x', ['pages/mobile/SandboxPay.tsx']],
    ['/nowhere', ['PublicSite.tsx']],
  ])('%s → %j', (pathname, modules) => {
    expect(pageModules(pathname)).toEqual(modules);
  });
});
