import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from './app.js';
import { loadConfig } from './config.js';
import { testApp, type TestApp } from './testing/harness.js';

let t: TestApp;

/**
 * Routes without a declared JSON answer; the test below keeps this list true, so a new route either declares
 * its response schema (core/*-schemas.ts) or is added here with the reason.
 */
const WITHOUT_RESPONSE_SCHEMA: string[] = [
  // Files, images and exports: the answer is the file, not JSON.
  'GET /api/agent/downloads/{name}',
  'GET /api/orders/{id}/documents/{docId}/file',
  'GET /api/orders/{id}/documents/{docId}/thumbnail',
  'GET /api/orders/{id}/invoice.pdf',
  'GET /api/orders/{id}/paper-checklist.pdf',
  'GET /api/orders/{id}/seal-images/{extractionId}/{kind}/{box}',
  'GET /api/orders/{id}/templates/{name}.pdf',
  'GET /api/staff/certificates/{id}/download',
  'GET /api/staff/counter/orders/{id}/scans/{scanId}/{variant}',
  'GET /api/staff/finance/payments.csv',
  'GET /api/staff/orders/{id}/documents/{docId}/file',
  'GET /api/staff/orders/{id}/documents/{docId}/thumbnail',
  'GET /api/staff/orders/{id}/seal-images/{extractionId}/{kind}/{box}',
  'GET /api/staff/seals/{id}/download',
  // The payment providers' protocols (their own notification answers and the sandbox's gateway page).
  'GET /api/sandbox-pay/alipay/gateway.do',
  'POST /api/payments/notify/alipay',
  'POST /api/payments/notify/wechat',
  // JSON still to declare (issue 18 item 2, not done yet): payments and cancellations, seals and seal images,
  // the public CA pages, the sandbox payment page, health and the development inbox.
  'GET /api/ca-downloads',
  'GET /api/cert-status',
  'GET /api/certificates/{id}/seals',
  'GET /api/dev/mail',
  'GET /api/dev/mail/{id}/attachments/{index}',
  'GET /api/dev/sms',
  'GET /api/health',
  'GET /api/orders/{id}/payment',
  'GET /api/orders/{id}/seal-images',
  'GET /api/orders/{id}/seal-try',
  'GET /api/orders/{id}/seals',
  'GET /api/sandbox-pay/{token}',
  'GET /api/staff/finance/cancellations',
  'GET /api/staff/finance/payments',
  'GET /api/staff/orders/{id}/cancellation',
  'GET /api/staff/orders/{id}/seal-images',
  'GET /api/staff/orders/{id}/seals',
  'POST /api/orders/{id}/payments',
  'POST /api/sandbox-pay/{token}/cancel',
  'POST /api/sandbox-pay/{token}/pay',
  'POST /api/seals/verify',
  'POST /api/staff/cancellations/{id}/approve',
  'POST /api/staff/cancellations/{id}/refuse',
  'POST /api/staff/orders/{id}/cancellation',
  'POST /api/staff/orders/{id}/seal-images/confirm',
  'POST /api/staff/orders/{id}/seal-images/extract',
  'POST /api/staff/orders/{id}/seals',
].sort();
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

  it('documents what every JSON route answers (its response schema from core/*-schemas.ts), and lists the rest', async () => {
    const doc = (await t.app.inject({ method: 'GET', url: '/api/openapi.json' })).json() as {
      paths: Record<string, Record<string, { responses?: Record<string, { content?: Record<string, { schema?: unknown }> }> }>>;
    };
    const without: string[] = [];
    for (const [path, ops] of Object.entries(doc.paths))
      for (const [method, op] of Object.entries(ops))
        if (!Object.entries(op.responses ?? {}).some(([code, r]) => code.startsWith('2') && r.content?.['application/json']?.schema))
          without.push(`${method.toUpperCase()} ${path}`);
    // A new route declares its response schema; these answer files, images, HTML or redirects, or are still to do.
    expect(without.sort()).toEqual(WITHOUT_RESPONSE_SCHEMA);
    // The staff order page's answer is shown field by field (a field the web reads is declared, not dropped).
    const order = doc.paths['/api/staff/orders/{id}']!.get!.responses!['200']!.content!['application/json']!.schema;
    expect(JSON.stringify(order)).toContain('waitingWorkingDays');
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
