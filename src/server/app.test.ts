import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from './app.js';
import { loadConfig } from './config.js';
import { testApp, type TestApp } from './testing/harness.js';

let t: TestApp;
beforeAll(async () => {
  t = await testApp();
});
afterAll(() => t.close());

describe('the app', () => {
  it('reports health', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/api/health' });
    expect(res.statusCode).toBe(200);
    // The checks one by one: health-metrics.test.ts (on a database of its own).
    expect(res.json()).toMatchObject({ status: 'ok', checks: { database: 'ok', storage: 'database' } });
  });

  it('serves an OpenAPI document that lists the JSON API', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/api/openapi.json' });
    expect(res.statusCode).toBe(200);
    const doc = res.json();
    expect(doc.openapi).toMatch(/^3\./);
    for (const p of [
      '/api/register',
      '/api/login',
      '/api/logout',
      '/api/password-reset/request',
      '/api/staff/login',
      '/api/staff/accounts',
    ])
      expect(Object.keys(doc.paths)).toContain(p);
    // Request bodies are documented from the shared zod schemas.
    expect(JSON.stringify(doc.paths['/api/register'].post.requestBody)).toContain('uscc');
  });

  it('sends security headers', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/api/health' });
    expect(res.headers['content-security-policy']).toMatch(/default-src 'self'/);
    expect(res.headers['content-security-policy']).toMatch(/frame-ancestors 'none'/);
    expect(res.headers['x-content-type-options']).toBe('nosniff');
  });

  it('answers an unknown API path with a JSON 404 in Chinese', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/api/nope' });
    expect(res.statusCode).toBe(404);
    expect(res.json().error).toMatchObject({ code: 'NOT_FOUND', message: '找不到请求的内容' });
  });

  it('OCSP on a server whose CA is not set up answers internalError with HTTP 200 (RFC 6960 2.3), never a 5xx', async () => {
    const config = loadConfig({
      NODE_ENV: 'production',
      CERTDESK_SECRET: 'p'.repeat(40),
      LOG_LEVEL: 'silent',
      CERTDESK_DATA_DIR: mkdtempSync(path.join(tmpdir(), 'certdesk-no-ca-')),
    });
    const prod = await buildApp({ config, db: t.db, clock: t.clock });
    try {
      const get = await prod.inject({ method: 'GET', url: '/ocsp/MAA=' });
      const post = await prod.inject({
        method: 'POST',
        url: '/ocsp',
        headers: { 'content-type': 'application/ocsp-request' },
        payload: Buffer.from('3000', 'hex'),
      });
      for (const r of [get, post]) {
        expect(r.statusCode).toBe(200);
        expect(r.headers['content-type']).toBe('application/ocsp-response');
        expect(r.rawPayload.toString('hex')).toBe('30030a0102'); // OCSPResponseStatus internalError (2)
      }
    } finally {
      await prod.close();
    }
  });

  it('never mounts the development inbox or the sandbox gateway in production', async () => {
    const config = loadConfig({ NODE_ENV: 'production', CERTDESK_SECRET: 'p'.repeat(40), LOG_LEVEL: 'silent' });
    const prod = await buildApp({ config, db: t.db, clock: t.clock });
    try {
      expect((await prod.inject({ method: 'GET', url: '/api/dev/sms' })).statusCode).toBe(404);
      expect((await prod.inject({ method: 'POST', url: '/sandbox/dysmsapi', payload: {} })).statusCode).toBe(404);
      expect((await t.app.inject({ method: 'GET', url: '/api/dev/sms' })).statusCode).toBe(200);
    } finally {
      await prod.close();
    }
  });
});
