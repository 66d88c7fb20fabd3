/**
 * Issuance end to end through the registry on PostgreSQL (issue 6 goal: ≥ 500 certificates/s; issue 21 item 5:
 * ≥ 800/s SM2 with the CA signer in place), in the production order: record the pending row (serial + linted
 * TBS), sign outside any transaction, compare-and-set pending → issued with the DER. Each family four ways in
 * the same run:
 *   - signing in this process, or through the signer process (src/signer/main.ts on a Unix socket, as `npm
 *     start` runs it, with its own registry connection: it re-parses and lints every TBS and reads its
 *     pending row before it signs);
 *   - each certificate in two transactions of its own (what 制证 does, beside its order row), or through the
 *     registry's group commit (modules/certificates/group-commit.ts: the rows that arrive together as one
 *     INSERT, their DERs as one UPDATE).
 * Beside them the same code's build + lint + sign without a database. No order rows (certificates.order_id is
 * nullable), so this is the registry's cost, not the workflow's.
 *
 *   npx tsx bench/issue-registry.ts
 *   (a scratch database bench_issue on PG_ADMIN_URL's server, dropped at the end; BENCH_N=3000 certificates,
 *    BENCH_CONCURRENCY=16, BENCH_FAMILY=sm2,ecdsa-p256)
 *
 * bench/scale.ts runs issuanceRates() against its million-row registry.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { lintTbs } from '../src/ca/cert/lint.js';
import { subscriberProfile } from '../src/ca/cert/profiles.js';
import { newSerial, serialHex } from '../src/ca/cert/serial.js';
import { signCertificate } from '../src/ca/cert/build.js';
import type { KeyAlgorithm } from '../src/ca/signer/port.js';
import { generateSigningKey } from '../src/ca/signer/software.js';
import { openDb } from '../src/server/db/client.js';
import { caRuntime, type CaRuntime } from '../src/server/modules/certificates/ca-runtime.js';
import { registryCommitter } from '../src/server/modules/certificates/group-commit.js';
import { buildOrderTbs } from '../src/server/modules/certificates/issue.js';
import { certificateRepository, normalizeSerial, type NewCertificate } from '../src/server/modules/certificates/repository.js';
import { testConfig } from '../src/server/testing/harness.js';
import { scratchDatabase } from './scratch-db.js';
import { scratchDir } from './scratch-dir.js';

/** User + system CPU time of a process so far (ms), from /proc (Linux); 0 when it is gone. */
function cpuMs(pid: number): number {
  try {
    const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return ((Number(f[11]) + Number(f[12])) * 1000) / 100; // utime + stime, in clock ticks of 1/100 s
  } catch {
    return 0;
  }
}
/** The CPU time of each PostgreSQL process now (pid → ms; all databases: on a shared machine, an upper bound). */
function postgresCpu(): Map<number, number> {
  const out = new Map<number, number>();
  for (const d of readdirSync('/proc'))
    if (/^\d+$/.test(d))
      try {
        if (readFileSync(`/proc/${d}/comm`, 'utf8').startsWith('postgres')) out.set(Number(d), cpuMs(Number(d)));
      } catch {
        // gone meanwhile
      }
  return out;
}
/** PostgreSQL's CPU time since `before`: backends that ended meanwhile are not counted, new ones wholly. */
function postgresCpuSince(before: Map<number, number>): number {
  let total = 0;
  for (const [pid, ms] of postgresCpu()) total += Math.max(0, ms - (before.get(pid) ?? 0));
  return total;
}

const ROOT = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
const UNIT = '江西基准测试有限公司';
const USCC = '91360100MA35G8XX10';

/** Where the time goes: each phase's mean latency per certificate (ms), under the run's concurrency. */
export type Phases = { build: number; record: number; sign: number; store: number };
export interface IssuanceCase {
  rate: number;
  phases: Phases;
  /** CPU time per certificate (ms): this process (the RA's side), the signer process, PostgreSQL's backends. */
  cpu: { ra: number; signer: number; postgres: number };
}
export interface FamilyIssuance {
  family: KeyAlgorithm;
  /** build + lint + sign, one at a time, no database. */
  raw: number;
  inProcess: { perCertificate: IssuanceCase; groupCommit: IssuanceCase };
  viaSigner: { perCertificate: IssuanceCase; groupCommit: IssuanceCase; signerMedian: string };
}

/**
 * The issuance rates of `families` on the database at `databaseUrl` (left as it is, plus the rows issued):
 * `n` certificates per case, `concurrency` at a time.
 */
export async function issuanceRates(opts: {
  databaseUrl: string;
  families: KeyAlgorithm[];
  n: number;
  concurrency: number;
  log?: (line: string) => void;
}): Promise<FamilyIssuance[]> {
  const { databaseUrl, families, n, concurrency } = opts;
  const log = opts.log ?? (() => undefined);
  const dir = scratchDir('certdesk-bench-ca-');
  const caEnv = {
    CERTDESK_CA_DIR: path.join(dir, 'ca'),
    CERTDESK_CA_FAMILIES: families.join(','),
    CERTDESK_CA_AUTO_INIT: '1',
    CERTDESK_PUBLIC_URL: 'http://ca.bench',
  };
  const config = testConfig({ ...caEnv, CERTDESK_DATA_DIR: dir });
  const local = await caRuntime(config.ca);
  const { db, close } = await openDb({ databaseUrl, poolSize: concurrency + 2 });

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
      CERTDESK_SIGNER_DATABASE_URL: databaseUrl,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  signer.stdout!.on('data', (c: Buffer) => (signerLog += c.toString()));
  signer.stderr!.on('data', (c: Buffer) => (signerLog += c.toString()));
  const killSigner = () => signer.kill();
  process.on('exit', killSigner);
  try {
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
    for (const f of families)
      subjects.set(f, await Promise.all(Array.from({ length: 64 }, async () => (await generateSigningKey(f)).publicKeySpki)));
    let k = 0;

    const builder = (runtime: CaRuntime, family: KeyAlgorithm) => {
      const issuing = runtime.issuing(family);
      const profile = subscriberProfile(family, { policyOids: [config.ca.policyOid] });
      const pool = subjects.get(family)!;
      const build = () => {
        const serial = newSerial();
        const { tbs, notBefore, notAfter } = buildOrderTbs({
          issuing,
          serial,
          unitName: UNIT,
          uscc: USCC,
          spki: pool[k++ & 63]!,
          at: new Date(),
          baseUrl: config.ca.baseUrl,
          policyOid: config.ca.policyOid,
        });
        const row: NewCertificate = {
          serial: normalizeSerial(serialHex(serial))!,
          family,
          issuer: issuing.nameText,
          issuerKeyId: Buffer.from(issuing.keyId).toString('hex'),
          uscc: USCC,
          unitName: UNIT,
          projectCode: 'bench',
          keyType: 'sub',
          status: 'pending',
          keySource: 'csr',
          tbs: Buffer.from(tbs),
          notBefore,
          notAfter,
          source: 'online',
        };
        return row;
      };
      return { issuing, profile, build };
    };

    /**
     * The registry's two writes, either way. Per certificate: lint, then a transaction each, as
     * recordIssuance and produce-order's tx2 write them. Group commit: the product's committer.
     */
    const committer = registryCommitter(db);
    const writes = {
      perCertificate: {
        async record(row: NewCertificate, profile: ReturnType<typeof subscriberProfile>) {
          if (lintTbs(row.tbs!, profile).length) throw new Error('lint');
          return db.transaction((tx) => certificateRepository.insert(tx, row));
        },
        store: (id: string, der: Buffer, at: Date) => db.transaction((tx) => certificateRepository.storeIssued(tx, id, der, at)),
      },
      groupCommit: {
        record: (row: NewCertificate, profile: ReturnType<typeof subscriberProfile>) => committer.recordPending(row, profile),
        store: (id: string, der: Buffer, at: Date) => committer.storeIssued(id, der, at),
      },
    };

    const throughRegistry = async (runtime: CaRuntime, family: KeyAlgorithm, how: keyof typeof writes): Promise<IssuanceCase> => {
      const { issuing, profile, build } = builder(runtime, family);
      const w = writes[how];
      const phases: Phases = { build: 0, record: 0, sign: 0, store: 0 };
      let started = 0;
      const run = async () => {
        while (started++ < n) {
          let t = performance.now();
          const lap = (phase: keyof Phases) => {
            const now = performance.now();
            phases[phase] += now - t;
            t = now;
          };
          const built = build();
          lap('build');
          const row = await w.record(built, profile);
          lap('record');
          const der = Buffer.from(await signCertificate(row.tbs!, issuing.signer));
          lap('sign');
          if (!(await w.store(row.id, der, new Date()))) throw new Error('compare-and-set lost');
          lap('store');
        }
      };
      const cpu0 = { ra: process.cpuUsage(), signer: cpuMs(signer.pid!), postgres: postgresCpu() };
      const t0 = performance.now();
      await Promise.all(Array.from({ length: concurrency }, run));
      const rate = n / ((performance.now() - t0) / 1000);
      const ra = process.cpuUsage(cpu0.ra);
      const cpu = {
        ra: (ra.user + ra.system) / 1000 / n,
        signer: (cpuMs(signer.pid!) - cpu0.signer) / n,
        postgres: postgresCpuSince(cpu0.postgres) / n,
      };
      for (const p of Object.keys(phases) as (keyof Phases)[]) phases[p] /= n;
      return { rate, phases, cpu };
    };

    /** The signer's own time per certificate (inspect = parse + lint + registry read; then the signature), from its log. */
    const signerTimes = (): string => {
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
    };

    const out: FamilyIssuance[] = [];
    for (const family of families) {
      const { issuing, profile, build } = builder(local, family);
      const t0 = performance.now();
      for (let i = 0; i < 2000; i++) {
        const { tbs } = build();
        if (lintTbs(tbs!, profile).length) throw new Error('lint');
        await signCertificate(tbs!, issuing.signer);
      }
      const raw = 2000 / ((performance.now() - t0) / 1000);
      log(`${family}: build + lint + sign ${raw.toFixed(0)}/s`);
      // Interleaved, so a change in the machine's load falls on both ways alike.
      const perIn = await throughRegistry(local, family, 'perCertificate');
      const groupIn = await throughRegistry(local, family, 'groupCommit');
      log(`${family} in process: per certificate ${perIn.rate.toFixed(0)}/s, group commit ${groupIn.rate.toFixed(0)}/s`);
      signerLog = '';
      const perVia = await throughRegistry(remote, family, 'perCertificate');
      const groupVia = await throughRegistry(remote, family, 'groupCommit');
      const signerMedian = signerTimes();
      log(`${family} via signer: per certificate ${perVia.rate.toFixed(0)}/s, group commit ${groupVia.rate.toFixed(0)}/s`);
      out.push({
        family,
        raw,
        inProcess: { perCertificate: perIn, groupCommit: groupIn },
        viaSigner: { perCertificate: perVia, groupCommit: groupVia, signerMedian },
      });
    }
    return out;
  } finally {
    killSigner();
    process.off('exit', killSigner);
    await close();
  }
}

export const showPhases = ({ phases: p, cpu }: IssuanceCase) =>
  `build + lint ${p.build.toFixed(2)} ms, record ${p.record.toFixed(2)} ms, sign ${p.sign.toFixed(2)} ms, store ${p.store.toFixed(2)} ms; ` +
  `CPU per certificate: this process ${cpu.ra.toFixed(2)} ms, signer ${cpu.signer.toFixed(2)} ms, PostgreSQL ${cpu.postgres.toFixed(2)} ms`;

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const N = Number(process.env.BENCH_N || 3000);
  const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY || 16);
  const FAMILIES = (process.env.BENCH_FAMILY || 'sm2,ecdsa-p256').split(',') as KeyAlgorithm[];
  const scratch = await scratchDatabase('bench_issue');
  try {
    const results = await issuanceRates({ databaseUrl: scratch.url, families: FAMILIES, n: N, concurrency: CONCURRENCY, log: console.log });
    console.log(`\n${N} certificates per case, concurrency ${CONCURRENCY}, PostgreSQL`);
    for (const r of results) {
      const x = (c: IssuanceCase) => `${c.rate.toFixed(0)}/s (${(c.rate / r.raw).toFixed(2)}x)`;
      console.log(`${r.family}: build + lint + sign (no database) ${r.raw.toFixed(0)}/s`);
      console.log(`  in process, per certificate: ${x(r.inProcess.perCertificate)}; ${showPhases(r.inProcess.perCertificate)}`);
      console.log(`  in process, group commit:    ${x(r.inProcess.groupCommit)}; ${showPhases(r.inProcess.groupCommit)}`);
      console.log(`  via signer, per certificate: ${x(r.viaSigner.perCertificate)}; ${showPhases(r.viaSigner.perCertificate)}`);
      console.log(`  via signer, group commit:    ${x(r.viaSigner.groupCommit)}; ${showPhases(r.viaSigner.groupCommit)}`);
      console.log(`  ${r.viaSigner.signerMedian}`);
    }
  } finally {
    await scratch.drop();
  }
}
