/**
 * Outages through the real app (docs/error-handling.md): when something we depend on fails — the seal maker's
 * or the issuing CA's signer, a payment provider, 人脸核身, the database — the answer is a 502/503 with a
 * Chinese message and nothing of the failure (no exception text, stack or SQL); the log has it, at error, with
 * its cause chain; nothing is left half done, and the same request works once the dependency is back.
 */
import { createServer } from 'node:net';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { idCheckChar } from '../../core/id-number.js';
import { DEPENDENCIES } from '../../core/errors.js';
import { paymentProvidersFor } from '../adapters/payment/configured.js';
import { certificates, legalChecks, paymentAttempts } from '../db/schema.js';
import { caRuntime } from '../modules/certificates/ca-runtime.js';
import { seedCalendar } from '../modules/calendar/seed-calendar.js';
import { seedCatalog } from '../modules/catalog/seed-catalog.js';
import { SEAL_SIGNER_DOWN } from '../modules/seals/make-seals.js';
import { confirmTestImages, producedOrder } from '../modules/seals/testing.js';
import { testApp, type TestApp, type TestClient } from '../testing/harness.js';
import { isolatedDb } from '../testing/isolated-db.js';
import { approvedOrder, orderRow, quickOrder, staffMember } from '../testing/paid-order.js';
import { testCaEnv } from '../testing/test-ca.js';

interface LogLine {
  level: number;
  msg: string;
  code?: string;
  dependency?: string;
  err?: { type: string; message: string; stack: string; code?: string; cause?: LogLine['err'] };
}

let t: TestApp;
let producer: TestClient;
beforeAll(async () => {
  t = await testApp({ env: await testCaEnv(), captureLogs: true });
  producer = (await staffMember(t, ['制证'], '郑制证')).c;
}, 120_000);
afterAll(async () => {
  await t?.close();
});

/** The log lines written since `from` with this message. */
const linesSince = (app: TestApp, from: number, msg: string): LogLine[] =>
  app.logs
    .slice(from)
    .map((l) => JSON.parse(l) as LogLine)
    .filter((l) => l.msg === msg);

/** A body a person may read: the code and a Chinese message, nothing of what failed underneath. */
function expectNoInternals(body: string, ...secrets: string[]) {
  expect(Object.keys(JSON.parse(body).error).sort()).toEqual(['code', 'message']);
  expect(JSON.parse(body).error.message).toMatch(/[\u4e00-\u9fff]/);
  for (const s of ['Error', '    at ', 'select ', 'insert ', 'Failed query', 'stack', ...secrets]) expect(body).not.toContain(s);
}

describe('the seal maker’s signer fails', () => {
  it('制作电子签章: 503 with a Chinese message, the cause logged at error, no seal written; works once the signer is back', async () => {
    const o = await producedOrder(t);
    await confirmTestImages(t.db, o.orderId);
    const { signer } = (await caRuntime(t.config.ca)).sealMaker();
    const sign = vi.spyOn(signer, 'sign').mockRejectedValue(new Error('CKR_DEVICE_REMOVED: token removed from slot 0'));
    const from = t.logs.length;
    try {
      const res = await producer.post(`/api/staff/orders/${o.orderId}/seals`);
      expect(res.statusCode).toBe(503);
      expect(res.json()).toEqual({ error: { code: 'SERVICE_UNAVAILABLE', message: SEAL_SIGNER_DOWN } });
      expectNoInternals(res.body, 'CKR_DEVICE_REMOVED', 'slot');
      const [line, ...more] = linesSince(t, from, 'signer unavailable');
      expect(more).toEqual([]);
      expect(line).toMatchObject({ level: 50, code: 'SERVICE_UNAVAILABLE', dependency: 'signer' });
      expect(line!.err).toMatchObject({ type: 'Error', message: 'CKR_DEVICE_REMOVED: token removed from slot 0' });
      expect(line!.err!.stack).toContain('CKR_DEVICE_REMOVED');
      expect(linesSince(t, from, 'request refused')).toEqual([]);
      expect((await producer.get(`/api/staff/orders/${o.orderId}/seals`)).json().seals).toEqual([]);
    } finally {
      sign.mockRestore();
    }
    const again = await producer.post(`/api/staff/orders/${o.orderId}/seals`);
    expect(again.statusCode, again.body).toBe(201);
  });

  it('seals right after 签发证书: the certificate stays issued, 制证 reads what to do, the cause is logged at error', async () => {
    const o = await quickOrder(t, 'in_production');
    await confirmTestImages(t.db, o.orderId);
    const { signer } = (await caRuntime(t.config.ca)).sealMaker();
    const sign = vi.spyOn(signer, 'sign').mockRejectedValue(new Error('PKCS#11 C_Sign: CKR_SESSION_HANDLE_INVALID'));
    const from = t.logs.length;
    try {
      const res = await producer.post(`/api/staff/orders/${o.orderId}/produce`, { key: { kind: 'generate', password: 'Zhengshu2026!' } });
      expect(res.statusCode, res.body).toBe(200);
      expect(res.json().seals).toEqual({
        status: 'failed',
        message: `证书已签发，但电子签章未能制作：${SEAL_SIGNER_DOWN}。请处理后点击“制作电子签章”`,
      });
      expect(res.body).not.toContain('CKR_SESSION_HANDLE_INVALID');
      expect((await orderRow(t.db, o.orderId)).status).toBe('produced');
      const [line] = linesSince(t, from, 'signer unavailable');
      expect(line).toMatchObject({ level: 50, dependency: 'signer', err: { message: 'PKCS#11 C_Sign: CKR_SESSION_HANDLE_INVALID' } });
    } finally {
      sign.mockRestore();
    }
  });
});

describe('the issuing CA’s signer fails', () => {
  it('签发证书: 503, the order stays in 正在制证 with its certificate pending; the retry signs it', async () => {
    const o = await quickOrder(t, 'in_production');
    const rt = await caRuntime(t.config.ca);
    const signers = Object.values(rt.hierarchy.families).map((f) => f!.issuing.signer);
    const spies = signers.map((s) => vi.spyOn(s, 'sign').mockRejectedValue(new Error('HSM timeout after 5000 ms')));
    const from = t.logs.length;
    try {
      const res = await producer.post(`/api/staff/orders/${o.orderId}/produce`, { key: { kind: 'generate', password: 'Zhengshu2026!' } });
      expect(res.statusCode).toBe(503);
      expect(res.json()).toEqual({ error: { code: 'SERVICE_UNAVAILABLE', message: DEPENDENCIES.signer.message } });
      expectNoInternals(res.body, 'HSM', '5000');
      expect(linesSince(t, from, 'signer unavailable')).toMatchObject([{ level: 50, err: { message: 'HSM timeout after 5000 ms' } }]);
      expect((await orderRow(t.db, o.orderId)).status).toBe('in_production');
      const rows = await t.db.select().from(certificates).where(eq(certificates.orderId, o.orderId));
      expect(rows.map((r) => r.status)).toEqual(['pending']);
    } finally {
      for (const s of spies) s.mockRestore();
    }
    const again = await producer.post(`/api/staff/orders/${o.orderId}/produce`, { key: { kind: 'generate', password: 'Zhengshu2026!' } });
    expect(again.statusCode, again.body).toBe(200);
    expect((await orderRow(t.db, o.orderId)).status).toBe('produced');
  });
});

describe('a payment provider is unreachable', () => {
  it('付款: 502 with what to do, the cause chain logged at error, the attempt recorded as failed; the next try works', async () => {
    const o = await approvedOrder(t);
    const providers = paymentProvidersFor(t.config, { db: t.db, clock: t.clock });
    // What fetch throws when the provider's host refuses the connection.
    const refused = Object.assign(new Error('connect ECONNREFUSED 203.0.113.7:443'), { code: 'ECONNREFUSED', syscall: 'connect' });
    const create = vi.spyOn(providers.wechat, 'create').mockRejectedValue(new TypeError('fetch failed', { cause: refused }));
    const from = t.logs.length;
    try {
      const res = await o.a.c.post(`/api/orders/${o.orderId}/payments`, { channel: 'wechat' });
      expect(res.statusCode).toBe(502);
      expect(res.json()).toEqual({ error: { code: 'PROVIDER_UNAVAILABLE', message: '获取支付二维码失败，请稍后重试或换一种支付方式' } });
      expectNoInternals(res.body, 'ECONNREFUSED', '203.0.113.7', 'fetch failed');
      const [line, ...more] = linesSince(t, from, 'payment unavailable');
      expect(more).toEqual([]);
      expect(line).toMatchObject({
        level: 50,
        code: 'PROVIDER_UNAVAILABLE',
        dependency: 'payment',
        err: {
          type: 'TypeError',
          message: 'fetch failed',
          cause: { message: 'connect ECONNREFUSED 203.0.113.7:443', code: 'ECONNREFUSED' },
        },
      });
      const attempts = await t.db.select().from(paymentAttempts).where(eq(paymentAttempts.orderId, o.orderId));
      expect(attempts).toMatchObject([{ channel: 'wechat', status: 'failed', createError: 'fetch failed' }]);
    } finally {
      create.mockRestore();
    }
    const again = await o.a.c.post(`/api/orders/${o.orderId}/payments`, { channel: 'wechat' });
    expect(again.statusCode, again.body).toBe(201);
  });

  it('paying in the phone’s browser: 502 naming the provider, the provider’s own error text not shown', async () => {
    const o = await approvedOrder(t);
    const providers = paymentProvidersFor(t.config, { db: t.db, clock: t.clock });
    const create = vi.spyOn(providers.alipay, 'createForPhone').mockRejectedValue(new Error('alipay: 40004: ACQ.SYSTEM_ERROR 系统错误'));
    try {
      const res = await o.a.c.post(`/api/orders/${o.orderId}/payments`, { channel: 'alipay', kind: 'h5' });
      expect(res.statusCode).toBe(502);
      expect(res.json().error).toEqual({ code: 'PROVIDER_UNAVAILABLE', message: '打开支付宝失败，请稍后重试或换一种支付方式' });
      expectNoInternals(res.body, 'ACQ.SYSTEM_ERROR', '系统错误', '40004');
    } finally {
      create.mockRestore();
    }
  });
});

describe('人脸核身 is unreachable', () => {
  it('开始核验: 502 with the hotline, the cause logged at error without the ID number', async () => {
    // A port nobody listens on: the real Tencent client's real HTTP request is refused.
    const port = await new Promise<number>((resolve) => {
      const s = createServer().listen(0, '127.0.0.1', () => {
        const p = (s.address() as { port: number }).port;
        s.close(() => resolve(p));
      });
    });
    const face = await testApp({
      captureLogs: true,
      env: {
        CERTDESK_FACE: 'tencent',
        TENCENT_SECRET_ID: 'AKIDtest',
        TENCENT_SECRET_KEY: 'test-secret-key',
        TENCENT_FACEID_RULE_ID: '1',
        TENCENT_FACEID_ENDPOINT: `http://127.0.0.1:${port}/`,
      },
    });
    try {
      const c = face.client();
      expect((await c.register()).res.statusCode).toBe(201);
      const created = await c.post('/api/orders', { projectCode: 'gov-procurement', keyType: 'main', agree: true });
      const order = created.json().order as { id: string; formVersion: number };
      const legal = { name: '张三', idNumber: '36010219700101123' + idCheckChar('36010219700101123'), mobile: '13800138001' };
      const put = await c.request({
        method: 'PUT',
        url: `/api/orders/${order.id}/form`,
        payload: { formVersion: order.formVersion, form: { legalPerson: legal } },
        headers: { 'x-csrf-token': c.csrf.org! },
      });
      expect(put.statusCode, put.body).toBe(200);
      const url = (await c.get(`/api/orders/${order.id}`)).json().legalCheck.url as string;
      const token = /\/v\/([A-Za-z0-9_-]+)$/.exec(url)![1]!;
      const from = face.logs.length;
      const res = await face.client().post(`/api/legal-check/${token}/start`, { name: legal.name, idNumber: legal.idNumber });
      expect(res.statusCode).toBe(502);
      expect(res.json()).toEqual({ error: { code: 'PROVIDER_UNAVAILABLE', message: DEPENDENCIES.face.message } });
      expect(DEPENDENCIES.face.message).toContain('400-800-1040');
      expectNoInternals(res.body, 'ECONNREFUSED', String(port));
      const [line] = linesSince(face, from, 'face unavailable');
      expect(line).toMatchObject({ level: 50, dependency: 'face', err: { message: expect.stringMatching(/^transport: /) } });
      expect(JSON.stringify(line)).toMatch(/ECONNREFUSED/);
      for (const l of face.logs.slice(from)) expect(l).not.toContain(legal.idNumber);
      // The attempt never reached the person: recorded as an error, not counted.
      const checks = await face.db.select().from(legalChecks).where(eq(legalChecks.orderId, order.id));
      expect(checks.map((x) => x.status)).toEqual(['error']);
    } finally {
      await face.close();
    }
  });
});

describe('the database is gone', () => {
  it('any request: 503 with a Chinese message, the failed query logged at error without its values', async () => {
    const iso = await isolatedDb('outage');
    const h = await iso.open();
    await seedCatalog(h.db, new Date());
    await seedCalendar(h.db, new Date());
    const down = await testApp({ db: h.db, captureLogs: true });
    try {
      const c = down.client();
      expect((await c.get('/api/session')).statusCode).toBe(200);
      await iso.drop(); // closes the connections and, on PostgreSQL, drops the database
      const from = down.logs.length;
      for (const url of ['/api/session', '/api/captcha']) {
        const res = await c.get(url);
        expect(res.statusCode, url).toBe(503);
        expect(res.json()).toEqual({ error: { code: 'SERVICE_UNAVAILABLE', message: DEPENDENCIES.database.message } });
        expectNoInternals(res.body, 'PGlite', 'pool', 'sessions', 'captchas');
      }
      const lines = linesSince(down, from, 'database unavailable');
      expect(lines).toHaveLength(2);
      for (const l of lines) {
        expect(l).toMatchObject({ level: 50, code: 'SERVICE_UNAVAILABLE', dependency: 'database' });
        expect(JSON.stringify(l.err)).toMatch(/PGlite is closed|Cannot use a pool after calling end/);
      }
      expect(linesSince(down, from, 'unhandled error')).toEqual([]);
    } finally {
      await down.app.close();
    }
  });
});
