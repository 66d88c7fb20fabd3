/**
 * kill -9 during issuance (issue 6 "Done means"): a separate process runs 制证 on the shared PostgreSQL
 * database and is killed with SIGKILL right after the pending certificate (serial + TBS) committed and
 * before the signature is stored. The registry then knows the serial, the order is still 正在制证, and the
 * retry through the app issues exactly that certificate — no second one. PostgreSQL only (PGlite is one
 * process's memory).
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { certificates } from '../db/schema-certificates.js';
import { openssl, tempDir, type TempDir } from '../../ca/testing/openssl.js';
import { testApp, type TestApp, type TestClient } from '../testing/harness.js';
import { orderRow, quickOrder, staffMember } from '../testing/paid-order.js';
import { testCaEnv } from '../testing/test-ca.js';

const CHILD = fileURLToPath(new URL('../testing/produce-crash-child.ts', import.meta.url));
const pg = !!process.env.DATABASE_URL;

let t: TestApp;
let producer: TestClient;
let producerId: string;
let tmp: TempDir;

describe.skipIf(!pg)('kill -9 between recording and signing', () => {
  beforeAll(async () => {
    t = await testApp({ env: await testCaEnv() });
    const p = await staffMember(t, ['制证'], '郑制证');
    producer = p.c;
    producerId = p.s.id;
    tmp = tempDir('certdesk-crash-test-');
  }, 120_000);
  afterAll(async () => {
    tmp?.remove();
    await t?.close();
  });

  it('leaves a known pending certificate; after restart the retry issues that one and no other', async () => {
    const o = await quickOrder(t, 'in_production');
    const key = tmp.path('k.pem');
    await openssl(['genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:SM2', '-out', key]);
    await openssl([
      'req',
      '-new',
      '-key',
      key,
      '-subj',
      '/CN=usbkey',
      '-sm3',
      '-sigopt',
      'distid:1234567812345678',
      '-out',
      tmp.path('r.pem'),
    ]);

    const child = spawn(process.execPath, ['--import', 'tsx', CHILD, o.orderId, producerId, tmp.path('r.pem')], {
      env: { ...process.env, ...(await testCaEnv()) },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let err = '';
    child.stderr.on('data', (d) => (err += String(d)));
    await new Promise<void>((resolve, reject) => {
      child.stdout.on('data', (d) => String(d).includes('RECORDED') && resolve());
      child.on('exit', (code) => reject(new Error(`child exited ${code} before recording: ${err}`)));
    });
    child.kill('SIGKILL');
    await new Promise((r) => child.once('exit', r));

    const pending = await t.db.select().from(certificates).where(eq(certificates.orderId, o.orderId));
    expect(pending).toHaveLength(1);
    expect(pending[0]).toMatchObject({ status: 'pending', der: null });
    expect((await orderRow(t.db, o.orderId)).status).toBe('in_production');

    const res = await producer.post(`/api/staff/orders/${o.orderId}/produce`, {
      key: { kind: 'csr', csr: (await openssl(['req', '-in', tmp.path('r.pem')])).stdout },
    });
    expect(res.statusCode, res.body).toBe(200);
    const rows = await t.db.select().from(certificates).where(eq(certificates.orderId, o.orderId));
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ id: pending[0]!.id, serial: pending[0]!.serial, status: 'issued' });
    expect((await orderRow(t.db, o.orderId)).status).toBe('produced');
  }, 60_000);
});
