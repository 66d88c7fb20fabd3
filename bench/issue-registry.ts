/**
 * Issuance end to end through the registry on PostgreSQL (issue 6 goal: ≥ 500 certificates/s; issue 21 item 5:
 * ≥ 800/s SM2 with the CA signer in place), in the production order: tx1 INSERT the pending row (serial +
 * linted TBS), sign outside any transaction, tx2 compare-and-set pending → issued with the DER. Each family
 * twice in the same run: signing in this process, and through the signer process (src/signer/main.ts on a
 * Unix socket, as `npm start` runs it, with its own registry connection: it re-parses and lints every TBS and
 * reads its pending row before it signs). Beside them the same code's build + lint + sign without a
 * database. No order rows (certificates.order_id is nullable), so this is the registry's cost, not the
 * workflow's.
 *
 *   npx tsx bench/issue-registry.ts
 *   (a scratch database bench_issue on PG_ADMIN_URL's server, dropped at the end; BENCH_N=3000 certificates,
 *    BENCH_CONCURRENCY=16, BENCH_FAMILY=sm2,ecdsa-p256)
 */
import { spawn, type ChildProcess } from 'node:child_process';
import http from 'node:http';
import path from 'node:path';
import { lintTbs } from '../src/ca/cert/lint.js';
import { subscriberProfile } from '../src/ca/cert/profiles.js';
import { newSerial, serialHex } from '../src/ca/cert/serial.js';
import { signCertificate } from '../src/ca/cert/build.js';
import type { KeyAlgorithm } from '../src/ca/signer/port.js';
import { generateSigningKey } from '../src/ca/signer/software.js';
import { openDb } from '../src/server/db/client.js';
import { caRuntime, type CaRuntime } from '../src/server/modules/certificates/ca-runtime.js';
import { buildOrderTbs } from '../src/server/modules/certificates/issue.js';
import { certificateRepository, normalizeSerial } from '../src/server/modules/certificates/repository.js';
import { testConfig } from '../src/server/testing/harness.js';
import { scratchDatabase } from './scratch-db.js';
import { scratchDir } from './scratch-dir.js';

const N = Number(process.env.BENCH_N || 3000);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY || 16);
const FAMILIES = (process.env.BENCH_FAMILY || 'sm2,ecdsa-p256').split(',') as KeyAlgorithm[];
const ROOT = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');

const dir = scratchDir('certdesk-bench-ca-');
const caEnv = {
  CERTDESK_CA_DIR: path.join(dir, 'ca'),
  CERTDESK_CA_FAMILIES: FAMILIES.join(','),
  CERTDESK_CA_AUTO_INIT: '1',
  CERTDESK_PUBLIC_URL: 'http://ca.bench',
};
const config = testConfig({ ...caEnv, CERTDESK_DATA_DIR: dir });
const local = await caRuntime(config.ca);
const scratch = await scratchDatabase('bench_issue');
const { db, close } = await openDb({ databaseUrl: scratch.url, poolSize: CONCURRENCY + 2 });

// The signer process, as npm start runs it: its own KEK-loaded keys, its own registry connection.
const socket = path.join(dir, 'signer.sock');
let signerLog = '';
const signer: ChildProcess = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'src/signer/main.ts')], {
  cwd: ROOT,
  env: {
    PATH: process.env.PATH,
    NODE_ENV: 'test',
    LOG_LEVEL: 'info', // as in production: one line per signature (with its time, read below)
    ...caEnv,
    CERTDESK_DATA_DIR: dir,
    CERTDESK_SIGNER_LISTEN: `unix:${socket}`,
    CERTDESK_SIGNER_DATABASE_URL: scratch.url,
  },
  stdio: ['ignore', 'pipe', 'pipe'],
});
signer.stdout!.on('data', (c: Buffer) => (signerLog += c.toString()));
signer.stderr!.on('data', (c: Buffer) => (signerLog += c.toString()));
process.on('exit', () => signer.kill());
const healthy = () =>
  new Promise<boolean>((resolve) => {
    const req = http.request({ socketPath: socket, path: '/v1/health' }, (res) => {
      res.resume();
      resolve(res.statusCode === 200);
    });
    req.on('error', () => resolve(false));
    req.end();
  });
for (let i = 0; !(await healthy()); i++) {
  if (signer.exitCode !== null || i > 300) throw new Error(`the signer did not start:\n${signerLog}`);
  await new Promise((r) => setTimeout(r, 200));
}
const remote = await caRuntime(
  testConfig({ CERTDESK_PUBLIC_URL: 'http://ca.bench', CERTDESK_DATA_DIR: dir, CERTDESK_SIGNER_URL: `unix:${socket}` }).ca,
);

const subjects = new Map<KeyAlgorithm, Uint8Array[]>();
for (const f of FAMILIES)
  subjects.set(f, await Promise.all(Array.from({ length: 64 }, async () => (await generateSigningKey(f)).publicKeySpki)));
const uscc = '91360100MA35G8XX10';
let k = 0;

function builder(runtime: CaRuntime, family: KeyAlgorithm) {
  const issuing = runtime.issuing(family);
  const profile = subscriberProfile(family, { policyOids: [config.ca.policyOid] });
  const pool = subjects.get(family)!;
  const build = () => {
    const serial = newSerial();
    const { tbs, notBefore, notAfter } = buildOrderTbs({
      issuing,
      serial,
      unitName: '江西基准测试有限公司',
      uscc,
      spki: pool[k++ & 63]!,
      at: new Date(),
      baseUrl: config.ca.baseUrl,
      policyOid: config.ca.policyOid,
    });
    if (lintTbs(tbs, profile).length) throw new Error(`lint: ${lintTbs(tbs, profile).map((p) => p.code)}`);
    return { serial, tbs, notBefore, notAfter };
  };
  return { issuing, build };
}

/** Where the time goes: each phase's mean latency per certificate (ms), under the run's concurrency. */
type Phases = { build: number; tx1: number; sign: number; tx2: number };

async function throughRegistry(runtime: CaRuntime, family: KeyAlgorithm): Promise<{ rate: number; phases: Phases }> {
  const { issuing, build } = builder(runtime, family);
  const phases: Phases = { build: 0, tx1: 0, sign: 0, tx2: 0 };
  let started = 0;
  const run = async () => {
    while (started++ < N) {
      let t = performance.now();
      const lap = (phase: keyof Phases) => {
        const now = performance.now();
        phases[phase] += now - t;
        t = now;
      };
      const { serial, tbs, notBefore, notAfter } = build();
      lap('build');
      const row = await db.transaction((tx) =>
        certificateRepository.insert(tx, {
          serial: normalizeSerial(serialHex(serial))!,
          family,
          issuer: issuing.nameText,
          uscc,
          unitName: '江西基准测试有限公司',
          projectCode: 'bench',
          keyType: 'sub',
          status: 'pending',
          keySource: 'csr',
          tbs: Buffer.from(tbs),
          notBefore,
          notAfter,
          source: 'online',
        }),
      );
      lap('tx1');
      const der = Buffer.from(await signCertificate(tbs, issuing.signer));
      lap('sign');
      await db.transaction(async (tx) => {
        if (!(await certificateRepository.storeIssued(tx, row.id, der, new Date()))) throw new Error('CAS');
      });
      lap('tx2');
    }
  };
  const t0 = performance.now();
  await Promise.all(Array.from({ length: CONCURRENCY }, run));
  const rate = N / ((performance.now() - t0) / 1000);
  for (const p of Object.keys(phases) as (keyof Phases)[]) phases[p] /= N;
  return { rate, phases };
}
const showPhases = (p: Phases) =>
  `build + lint ${p.build.toFixed(2)} ms, tx1 ${p.tx1.toFixed(2)} ms, sign ${p.sign.toFixed(2)} ms, tx2 ${p.tx2.toFixed(2)} ms`;
/** The signer's own time per certificate (inspect = parse + lint + registry read; then the signature), from its log. */
function signerTimes(): string {
  const inspect: number[] = [];
  const total: number[] = [];
  for (const line of signerLog.split('\n')) {
    if (!line.includes('"kind":"certificate"')) continue;
    const o = JSON.parse(line) as { ms: number; inspectMs: number };
    inspect.push(o.inspectMs);
    total.push(o.ms);
  }
  signerLog = '';
  const med = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1] ?? NaN;
  return `signer median: inspect ${med(inspect).toFixed(2)} ms of ${med(total).toFixed(2)} ms`;
}

const lines: string[] = [];
for (const family of FAMILIES) {
  const { issuing, build } = builder(local, family);
  const t0 = performance.now();
  for (let i = 0; i < 2000; i++) await signCertificate(build().tbs, issuing.signer);
  const raw = 2000 / ((performance.now() - t0) / 1000);
  const inProcess = await throughRegistry(local, family);
  signerLog = '';
  const viaSigner = await throughRegistry(remote, family);
  lines.push(
    `${family}: build + lint + sign (no database) ${raw.toFixed(0)}/s; through the registry (tx1, sign, tx2): signing in process ${inProcess.rate.toFixed(0)}/s (${(inProcess.rate / raw).toFixed(2)}x), through the signer process ${viaSigner.rate.toFixed(0)}/s (${(viaSigner.rate / raw).toFixed(2)}x)`,
    `  in process: ${showPhases(inProcess.phases)}`,
    `  via signer: ${showPhases(viaSigner.phases)}; ${signerTimes()}`,
  );
  console.log(lines.slice(-3).join('\n'));
}
console.log(`\n${N} certificates per case, concurrency ${CONCURRENCY}, PostgreSQL\n${lines.join('\n')}`);
signer.kill();
await close();
await scratch.drop();
