/**
 * The signer as the separate process `npm run signer` starts (src/signer/main.ts), killed with SIGKILL in the
 * middle of 制证 (issue 17, "kill -9 of the signer during 制证 leaves no duplicate and a clear error"): the
 * signer is frozen (SIGSTOP) so the signature request is certainly in flight, then killed. 制证 answers 503 in
 * Chinese; a new signer process comes up on the same socket and the retry issues exactly one certificate.
 * On PostgreSQL the process checks every request against the registry through its own connection.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testApp, type TestApp, type TestClient } from '../server/testing/harness.js';
import { orderInProduction } from '../server/modules/seals/testing.js';
import { staffMember } from '../server/testing/paid-order.js';
import { testCaEnv, TEST_CA_BASE_URL } from '../server/testing/test-ca.js';
import { httpStatus } from '../server/testing/processes.js';

const ROOT = path.resolve(path.dirname(new URL(import.meta.url).pathname), '../..');
let dir: string;
let socket: string;
let signer: ChildProcess | undefined;
let output = '';
let t: TestApp;
let producer: TestClient;
let paper: TestClient;

const health = async () => (await httpStatus({ socketPath: socket }, '/v1/health')) === 200;

async function startSigner(): Promise<ChildProcess> {
  const env = await testCaEnv();
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'src/signer/main.ts')], {
    cwd: ROOT,
    env: {
      PATH: process.env.PATH,
      NODE_ENV: 'test',
      LOG_LEVEL: 'info',
      ...env,
      CERTDESK_DATA_DIR: dir,
      CERTDESK_SIGNER_LISTEN: `unix:${socket}`,
      ...(process.env.DATABASE_URL ? { CERTDESK_SIGNER_DATABASE_URL: process.env.DATABASE_URL } : {}),
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout!.on('data', (c: Buffer) => (output += c.toString()));
  child.stderr!.on('data', (c: Buffer) => (output += c.toString()));
  for (let i = 0; i < 300; i++) {
    if (child.exitCode !== null) throw new Error(`signer exited: ${output}`);
    if (await health()) return child;
    await new Promise((r) => setTimeout(r, 200));
  }
  child.kill('SIGKILL');
  throw new Error(`signer did not start: ${output}`);
}

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'certdesk-signer-proc-'));
  socket = path.join(dir, 'signer.sock');
  signer = await startSigner();
  t = await testApp({
    env: {
      CERTDESK_DATA_DIR: dir,
      CERTDESK_CA_DIR: path.join(dir, 'no-ca-here'),
      CERTDESK_CA_FAMILIES: 'sm2,ecdsa-p256',
      CERTDESK_PUBLIC_URL: TEST_CA_BASE_URL,
      CERTDESK_SIGNER_URL: `unix:${socket}`,
    },
  });
  producer = (await staffMember(t, ['制证'], '进程制证')).c;
  paper = (await staffMember(t, ['受理'], '进程受理')).c;
}, 180_000);
afterAll(async () => {
  signer?.kill('SIGKILL');
  await t?.close();
});

const produce = (orderId: string) =>
  producer.post(`/api/staff/orders/${orderId}/produce`, { key: { kind: 'generate', password: 'Zhengshu2026!' } });
const certificatesOf = (orderId: string) => t.db.query.certificates.findMany({ where: (c, { eq }) => eq(c.orderId, orderId) });

describe('the signer process', () => {
  it('signs 制证 through its socket and logs the signature with the registry check', async () => {
    const o = await orderInProduction(t, paper, 'SF1000000000010');
    expect((await produce(o.orderId)).statusCode).toBe(200);
    const [cert] = await certificatesOf(o.orderId);
    expect(cert?.status).toBe('issued');
    const line = output
      .split('\n')
      .filter((l) => l.includes('"msg":"signed"'))
      .map((l) => JSON.parse(l) as Record<string, unknown>)
      .find((l) => l.kind === 'certificate' && l.serial === cert!.serial);
    expect(line).toMatchObject({ key: 'sm2/issuing', client: 'unix', registry: Boolean(process.env.DATABASE_URL) });
  });

  it('killed with SIGKILL while 制证 waits for it: 503 in Chinese, nothing issued; a new process, and the retry issues one certificate', async () => {
    const o = await orderInProduction(t, paper, 'SF1000000000010');
    signer!.kill('SIGSTOP');
    const pending = produce(o.orderId);
    // The request is in the frozen signer's socket queue once the pending row exists (written before signing).
    for (let i = 0; i < 100 && (await certificatesOf(o.orderId)).length === 0; i++) await new Promise((r) => setTimeout(r, 100));
    await new Promise((r) => setTimeout(r, 300));
    signer!.kill('SIGKILL');
    const res = await pending;
    expect(res.statusCode).toBe(503);
    expect(res.json().error).toMatchObject({ code: 'SIGNER_UNAVAILABLE' });
    expect(res.json().error.message).toMatch(/证书签发服务暂时无法连接，本次未签发/);
    expect((await certificatesOf(o.orderId)).map((c) => c.status)).toEqual(['pending']);

    signer = await startSigner();
    expect((await produce(o.orderId)).statusCode).toBe(200);
    const rows = await certificatesOf(o.orderId);
    expect(rows.filter((r) => r.status === 'issued')).toHaveLength(1);
    expect(rows.filter((r) => r.der !== null)).toHaveLength(1);
  });
});
