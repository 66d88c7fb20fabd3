/**
 * The CA's public routes (OCSP, CRLs, CA certificates) are relying parties' traffic: they write no
 * per-request info lines even with the log at its most verbose, while the rest of the app does; and they sit
 * outside the web app's context (app.ts), so none of its browser hooks run there, while every page keeps them.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testApp, type TestApp } from '../testing/harness.js';
import { testCaEnv } from '../testing/test-ca.js';

let t: TestApp;
beforeAll(async () => {
  t = await testApp({ env: await testCaEnv(), captureLogs: true });
}, 120_000);
afterAll(async () => {
  await t?.close();
});

/** The "incoming request" lines of a path (the request serializer logs method, path and address: logging.ts). */
const completedFor = (url: string) =>
  t.logs
    .map((l) => JSON.parse(l) as { msg?: string; req?: { path?: string } })
    .filter((l) => l.msg === 'incoming request' && l.req?.path === url);

describe('CA publication logging', () => {
  it.each(['/crl/sm2/0.crl', '/crl/sm2/root.crl', '/ca/sm2.cer', '/ocsp/MAA='])('%s writes no request lines', async (url) => {
    const r = await t.app.inject({ method: 'GET', url });
    expect(r.statusCode).toBeLessThan(500);
    expect(completedFor(url)).toEqual([]);
  });

  it('an ordinary API route still does (the check above can fail)', async () => {
    await t.app.inject({ method: 'GET', url: '/api/session' });
    expect(completedFor('/api/session')).toHaveLength(1);
  });
});

describe('two contexts: the CA publication and the web app', () => {
  it.each(['/ca/sm2.cer', '/ocsp/MAA=', '/crl/sm2/0.crl'])('%s carries no browser headers and sets no cookie', async (url) => {
    const r = await t.app.inject({ method: 'GET', url, headers: { cookie: 'certdesk_org=whatever' } });
    expect(r.statusCode).toBe(200);
    expect(r.headers['content-security-policy']).toBeUndefined();
    expect(r.headers['set-cookie']).toBeUndefined();
  });

  it.each(['/api/session', '/api/nope', '/login', '/ocsp', '/crl'])(
    '%s (the web app, its 404s, and paths no CA route takes) keeps helmet’s headers',
    async (url) => {
      const r = await t.app.inject({ method: 'GET', url });
      expect(r.statusCode).toBeLessThan(500);
      expect(r.headers['content-security-policy']).toMatch(/frame-ancestors 'none'/);
      expect(r.headers['x-content-type-options']).toBe('nosniff');
    },
  );
});
