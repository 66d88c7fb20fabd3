/**
 * Issue 21 in one run: builds the million-row cases once on PostgreSQL — BENCH_SCALE certificates of one
 * issuing CA (BENCH_REVOKED_SHARE of them revoked) and BENCH_SCALE orders — and measures each item beside its
 * baseline or peer in the same run, with the other benches' own functions, then prints one table: item,
 * figure, baseline / peer, ratio, goal, met.
 *
 *   npx tsx bench/scale.ts                      # 1,000,000 certificates and orders
 *   BENCH_SCALE=100000 npx tsx bench/scale.ts   # a quicker run
 *
 * Environment: BENCH_SCALE (default 1000000), BENCH_REVOKED_SHARE (default 0.1), BENCH_SECONDS (each load
 * window, default 5), BENCH_ROUNDS (interleaved rounds, default 3), BENCH_OCSP_SPREAD (pre-signed OCSP answers
 * the spread load asks for, default a tenth of the scale, at most 50,000; the responder's memory holds a quarter),
 * BENCH_ISSUE_N (certificates per issuance case, default 3000), BENCH_STAFF_N (requests per staff case, default
 * 200), PG_ADMIN_URL (default postgres://postgres@127.0.0.1:5432/test). Needs `wrk`, `openssl` and, for the
 * issuance peer, `cfssl` (apt-get install wrk golang-cfssl).
 *
 * The scratch database and every scratch folder (CA keys included) are removed when the process ends — at the
 * end, on an error or on Ctrl-C. On this shared 2-core machine the figures are ratios: the load average is
 * printed beside them.
 */
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { loadavg } from 'node:os';
import path from 'node:path';
import { sql } from 'drizzle-orm';
import { buildApp } from '../src/server/app.js';
import { systemClock } from '../src/server/clock.js';
import { loadConfig } from '../src/server/config.js';
import { openDb } from '../src/server/db/client.js';
import { seedCalendar } from '../src/server/modules/calendar/seed-calendar.js';
import { seedCatalog } from '../src/server/modules/catalog/seed-catalog.js';
import { COMPLETE_CRL, SHARD_COUNT } from '../src/server/modules/revocation/crl-scopes.js';
import { publisherFor } from '../src/server/modules/revocation/publication.js';
import { certificatePath, rate, startCfssl } from './ca-sign.js';
import { opensslGencrl } from './crl.js';
import { seedCertificates, writeIndexTxt } from './crl-registry.js';
import { median, servingDuringRepublish } from './crl-serving.js';
import { issuanceRates } from './issue-registry.js';
import { loadPaths, ocspGetPath, type LoadResult } from './ocsp-http.js';
import { scratchDatabase } from './scratch-db.js';
import { scratchDir } from './scratch-dir.js';
import { plainQuery, seedOrders, staffQueueTimings } from './staff-queue.js';

const SCALE = Number(process.env.BENCH_SCALE ?? 1_000_000);
const REVOKED_SHARE = Number(process.env.BENCH_REVOKED_SHARE ?? 0.1);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 5);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const CONNECTIONS = 50;
const SPREAD = Number(process.env.BENCH_OCSP_SPREAD ?? Math.min(50_000, Math.ceil(SCALE / 10)));
const ISSUE_N = Number(process.env.BENCH_ISSUE_N ?? 3000);
const STAFF_N = Number(process.env.BENCH_STAFF_N ?? 200);
const FAMILY = 'ecdsa-p256' as const; // the OCSP and CRL peers (openssl, cfssl) sign P-256

const started = performance.now();
const load = () =>
  loadavg()
    .map((x) => x.toFixed(2))
    .join(' ');
const log = (m: string) => console.log(`[scale ${((performance.now() - started) / 1000).toFixed(0)} s, load ${load()}] ${m}`);

// Folders first: scratchDir ends the process on a signal, and 'exit' then drops the database (synchronously).
const dir = scratchDir('certdesk-scale-');
const scratch = await scratchDatabase(`certdesk_scale_${process.pid}`);
const admin = process.env.PG_ADMIN_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
let dropped = false;
process.on('exit', () => {
  if (!dropped)
    spawnSync('psql', [admin, '-qc', `DROP DATABASE IF EXISTS certdesk_scale_${process.pid} WITH (FORCE)`], { stdio: 'ignore' });
});

interface Row {
  item: string;
  figure: string;
  baseline: string;
  ratio: number | null;
  goal: string;
  met: boolean | null;
}
const rows: Row[] = [];
const add = (r: Row) => {
  rows.push(r);
  log(`${r.item} — ${r.figure} | ${r.baseline} | ${r.ratio === null ? '—' : `${r.ratio.toFixed(2)}x`} | ${r.goal}`);
};
const ms = (x: number) => `${x.toFixed(2)} ms`;
const perS = (x: number) => `${x.toFixed(0)}/s`;

const handle = await openDb({ databaseUrl: scratch.url, poolSize: 20 });
const { db } = handle;
const plain = plainQuery(scratch.url);
try {
  const loadStart = load();
  await seedCatalog(db, new Date());
  await seedCalendar(db, new Date());
  const config = loadConfig({
    NODE_ENV: 'test',
    LOG_LEVEL: 'silent',
    CERTDESK_CAPTCHA_FIXED: 'k7m3',
    CERTDESK_DATA_DIR: dir,
    DATABASE_URL: scratch.url,
    CERTDESK_CA_DIR: path.join(dir, 'ca'),
    CERTDESK_CA_FAMILIES: FAMILY,
    CERTDESK_CA_AUTO_INIT: '1',
    CERTDESK_PUBLIC_URL: 'http://ca.certdesk.test',
    // Room for about a quarter of the spread set (≈2.6 KB per kept answer), as in bench/ocsp-http.ts.
    CERTDESK_OCSP_MEMORY_MB: String(Math.max(0.05, (SPREAD * 2.6) / 4 / 1024).toFixed(2)),
  });
  const publisher = await publisherFor({ db, clock: systemClock, config });
  const entry = publisher.issuerOfFamily(FAMILY)!;

  // The CA job's OCSP refresh when nothing is due, on the empty registry (item 4's baseline: the same call
  // before the registry holds anything) — timed again below at BENCH_SCALE rows.
  const nothingDueTimes = async () => {
    const times: number[] = [];
    for (let i = 0; i < 200; i++) {
      const t0 = performance.now();
      if ((await publisher.refreshOcsp(500)) !== 0) throw new Error('something was due');
      times.push(performance.now() - t0);
    }
    return times;
  };
  const nothingDueEmpty = await nothingDueTimes();

  // ------------------------------------------------------------------------------------------------ seed
  let t = performance.now();
  await seedCertificates(db, { family: FAMILY, issuerKeyId: entry.keyIdHex, n: SCALE, revokedShare: REVOKED_SHARE });
  const revoked = Number(
    ((await db.execute(sql`select count(*)::int as n from certificates where status = 'revoked'`)) as unknown as { rows: { n: number }[] })
      .rows[0]!.n,
  );
  log(`${SCALE} certificates (${revoked} revoked) in ${((performance.now() - t) / 1000).toFixed(1)} s`);
  t = performance.now();
  await seedOrders(plain.one, Math.ceil(SCALE * 0.3), SCALE, log);
  log(`${SCALE} orders in ${((performance.now() - t) / 1000).toFixed(1)} s`);

  // ------------------------------------------------- item 4: the CA job's OCSP refresh when nothing is due
  const nothingDue = await nothingDueTimes();
  add({
    item: '4 OCSP refresh, nothing due',
    figure: `median ${ms(median(nothingDue))} at ${SCALE} rows`,
    baseline: `the same on the empty registry ${ms(median(nothingDueEmpty))}`,
    ratio: median(nothingDue) / median(nothingDueEmpty),
    goal: 'costs nothing: does not grow with the registry (≤ 2x)',
    met: median(nothingDue) / median(nothingDueEmpty) <= 2,
  });

  // Due: the spread set, signed by the same job in batches of 500 (each batch one indexed range read).
  await db.execute(
    sql`update certificates set ocsp_due_at = now() where id in (select id from certificates order by random() limit ${SPREAD})`,
  );
  const batches: number[] = [];
  for (;;) {
    const t0 = performance.now();
    const n = await publisher.refreshOcsp(500);
    if (n === 0) break;
    batches.push(((performance.now() - t0) / n) * 500);
  }
  const ocspSigner = entry.issuingSigner; // a signature of the same kind, as the baseline
  const body = randomBytes(300);
  const rawOcsp = await rate('raw P-256 signature of 300 bytes', () => ocspSigner.sign(body), 2);
  add({
    item: '4 OCSP re-signing',
    figure: `${(batches.length ? 500 / (median(batches) / 1000) : 0).toFixed(0)} answers/s (median 500-batch ${ms(median(batches))}), ${SPREAD} answers`,
    baseline: `raw signing ${perS(rawOcsp)}`,
    ratio: batches.length ? 500 / (median(batches) / 1000) / rawOcsp : null,
    goal: `linear: all ${SCALE} in ${(SCALE / (500 / (median(batches) / 1000)) / 60).toFixed(1)} min`,
    met: null,
  });

  // ------------------------------------------------------------------------ the app (OCSP, CRL, staff)
  const app = await buildApp({ config, db, clock: systemClock });
  const fixed = Buffer.alloc(1536, 'x');
  app.get('/bench/fixed', async (_req, reply) => reply.header('content-type', 'application/octet-stream').send(fixed));
  await app.listen({ host: '127.0.0.1', port: 0 });
  const base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;

  // ------------------------------------------------------------------------------- items 2 and 3: OCSP
  const presigned = (
    (await db.execute(sql`select serial from certificates where ocsp_due_at > now()`)) as unknown as { rows: { serial: string }[] }
  ).rows.map((r) => r.serial);
  const spreadPaths = presigned.map((s) => ocspGetPath(entry, s)).sort(() => Math.random() - 0.5);
  const hotPaths = spreadPaths.slice(0, Math.max(1, Math.floor(spreadPaths.length / 10)));
  const unknownPaths = Array.from({ length: 60_000 }, () => ocspGetPath(entry, `7${randomBytes(15).toString('hex')}`));
  const lo = { seconds: SECONDS, connections: CONNECTIONS };
  await loadPaths(base, hotPaths, lo); // warm-up: JIT, pools, the hot set in memory
  const ocsp: { fixed: LoadResult; hot: LoadResult; spread: LoadResult; unknown: LoadResult }[] = [];
  for (let r = 0; r < ROUNDS; r++) {
    const round = {
      fixed: await loadPaths(base, ['/bench/fixed'], lo),
      hot: await loadPaths(base, hotPaths, lo),
      spread: await loadPaths(base, spreadPaths, lo),
      unknown: await loadPaths(base, [...unknownPaths.slice(r * 20_000), ...unknownPaths.slice(0, r * 20_000)], lo),
    };
    ocsp.push(round);
    log(
      `OCSP round ${r + 1}: fixed ${perS(round.fixed.rps)}, hot ${perS(round.hot.rps)}, spread ${perS(round.spread.rps)}, unknown ${perS(round.unknown.rps)}`,
    );
  }
  const m = (k: keyof (typeof ocsp)[0], f: keyof LoadResult) => median(ocsp.map((r) => Number(r[k][f])));
  add({
    item: '(6) OCSP GET, cached',
    figure: `${perS(m('hot', 'rps'))}, p99 ${ms(m('hot', 'p99ms'))}`,
    baseline: `fixed 1.5 KB route ${perS(m('fixed', 'rps'))}`,
    ratio: median(ocsp.map((r) => r.hot.rps / r.fixed.rps)),
    goal: '≥ 0.6x',
    met: median(ocsp.map((r) => r.hot.rps / r.fixed.rps)) >= 0.6,
  });
  add({
    item: '2 OCSP GET, never-issued serials',
    figure: `${perS(m('unknown', 'rps'))}, p99 ${ms(m('unknown', 'p99ms'))}`,
    baseline: `cached hot set ${perS(m('hot', 'rps'))}`,
    ratio: median(ocsp.map((r) => r.unknown.rps / r.hot.rps)),
    goal: '≥ 0.5x (≤ 2x a cached hit)',
    met: median(ocsp.map((r) => r.unknown.rps / r.hot.rps)) >= 0.5,
  });
  add({
    item: '3 OCSP GET, spread',
    figure: `${perS(m('spread', 'rps'))}, p99 ${ms(m('spread', 'p99ms'))} (${spreadPaths.length} answers, memory for a quarter)`,
    baseline: `cached hot set ${perS(m('hot', 'rps'))}`,
    ratio: median(ocsp.map((r) => r.spread.rps / r.hot.rps)),
    goal: '≥ 0.6x, p99 < 10 ms',
    met: median(ocsp.map((r) => r.spread.rps / r.hot.rps)) >= 0.6 && m('spread', 'p99ms') < 10,
  });

  // ---------------------------------------------------------------------------------------- item 1: CRLs
  t = performance.now();
  const complete = await publisher.publishCrl(FAMILY, COMPLETE_CRL);
  const completeS = (performance.now() - t) / 1000;
  const theirs = await opensslGencrl(scratchDir('certdesk-scale-openssl-'), (file) => writeIndexTxt(db, FAMILY, file));
  add({
    item: '1 complete CRL, from the database',
    figure: `${completeS.toFixed(2)} s, ${complete.entries} entries, ${complete.der.length} bytes`,
    baseline: `openssl ca -gencrl ${theirs.seconds.toFixed(2)} s, ${theirs.bytes} bytes`,
    ratio: completeS / theirs.seconds,
    goal: '≤ 1.5x',
    met: completeS / theirs.seconds <= 1.5,
  });
  const shardTimes: number[] = [];
  for (let s = 0; s < SHARD_COUNT; s++) {
    const t0 = performance.now();
    await publisher.publishCrl(FAMILY, s);
    shardTimes.push((performance.now() - t0) / 1000);
  }
  add({
    item: '1 one shard CRL',
    figure: `median ${median(shardTimes).toFixed(3)} s`,
    baseline: `complete ÷ ${SHARD_COUNT}: ${(completeS / SHARD_COUNT).toFixed(3)} s`,
    ratio: median(shardTimes) / (completeS / SHARD_COUNT),
    goal: 'costs what it holds: ≤ 2x',
    met: median(shardTimes) / (completeS / SHARD_COUNT) <= 2,
  });
  const serving = await servingDuringRepublish({
    url: `${base}/bench/fixed`,
    publisher,
    family: FAMILY,
    rounds: ROUNDS,
    seconds: SECONDS,
    connections: CONNECTIONS,
    log,
  });
  const quietP99 = median(serving.quiet.map((x) => x.p99ms));
  const busyP99 = median(serving.busy.map((x) => x.p99ms));
  add({
    item: '1 a route while republishing',
    figure: `p99 ${ms(busyP99)}, ${perS(median(serving.busy.map((x) => x.rps)))} (${serving.published} CRLs published meanwhile)`,
    baseline: `quiet p99 ${ms(quietP99)}, ${perS(median(serving.quiet.map((x) => x.rps)))}`,
    ratio: busyP99 / quietP99,
    goal: '≤ 2x',
    met: busyP99 / quietP99 <= 2,
  });

  // ------------------------------------------------------------------------------- item 6: staff queues
  const staff = await staffQueueTimings({ db, one: plain.one, base, n: STAFF_N, log });
  const byLabel = (prefix: string) => staff.results.find((r) => r.label.startsWith(prefix))!;
  const pwd = byLabel('GET /api/password-rule');
  for (const [item, prefix] of [
    ['6 staff queue counts', 'queues'],
    ['6 unit-name search, rare fragment', 'search: unit name, rare'],
  ] as const) {
    const r = byLabel(prefix);
    add({
      item,
      figure: `p99 ${ms(r.p99)}, median ${ms(r.median)} (HTTP, ${SCALE} orders)`,
      baseline: `password-rule p99 ${ms(pwd.p99)}`,
      ratio: r.p99 / pwd.p99,
      goal: 'p99 < 10 ms',
      met: r.p99 < 10,
    });
  }
  await app.close();

  // ------------------------------------------------------------------------------------ item 5: issuance
  const p256 = await certificatePath('ecdsa-p256');
  const peer = await startCfssl(SECONDS);
  const ours: number[] = [];
  const cfssl: number[] = [];
  for (let r = 0; r < ROUNDS; r++) {
    ours.push(await rate(`ecdsa-p256 build + lint + sign (round ${r + 1})`, p256.buildLintSign, SECONDS));
    if (typeof peer !== 'string') cfssl.push(await peer.load(r + 1));
  }
  if (typeof peer !== 'string') peer.stop();
  add({
    item: '5 build + lint + sign, P-256',
    figure: `${perS(median(ours))} (one core)`,
    baseline: typeof peer === 'string' ? `cfssl not run: ${peer}` : `cfssl sign API ${perS(median(cfssl))} (16 connections)`,
    ratio: cfssl.length ? median(ours) / median(cfssl) : null,
    goal: '≥ 1x',
    met: cfssl.length ? median(ours) / median(cfssl) >= 1 : null,
  });
  const [sm2] = await issuanceRates({ databaseUrl: scratch.url, families: ['sm2'], n: ISSUE_N, concurrency: 16, log });
  add({
    item: '5 SM2 end to end via the signer',
    figure: `group commit ${perS(sm2!.viaSigner.groupCommit.rate)}`,
    baseline: `per-certificate transactions ${perS(sm2!.viaSigner.perCertificate.rate)}`,
    ratio: sm2!.viaSigner.groupCommit.rate / sm2!.viaSigner.perCertificate.rate,
    goal: '≥ 800/s',
    met: sm2!.viaSigner.groupCommit.rate >= 800,
  });
  add({
    item: '5 SM2 end to end in process',
    figure: `group commit ${perS(sm2!.inProcess.groupCommit.rate)}`,
    baseline: `per-certificate transactions ${perS(sm2!.inProcess.perCertificate.rate)}; build + lint + sign ${perS(sm2!.raw)}`,
    ratio: sm2!.inProcess.groupCommit.rate / sm2!.inProcess.perCertificate.rate,
    goal: '(no signer: reference)',
    met: null,
  });

  // ----------------------------------------------------------------------------------------------- table
  console.log(
    `\nissue 21 at scale: ${SCALE} certificates (${revoked} revoked), ${SCALE} orders, PostgreSQL; ${ROUNDS} rounds of ${SECONDS} s, wrk ${CONNECTIONS} connections (medians)`,
  );
  console.log(`load average at start ${loadStart}, at the end ${load()} (2 cores, shared: compare ratios)`);
  console.log('\n| item | figure | baseline / peer (same run) | ratio | goal | met |');
  console.log('|---|---|---|---:|---|---|');
  for (const r of rows)
    console.log(
      `| ${r.item} | ${r.figure} | ${r.baseline} | ${r.ratio === null ? '—' : `${r.ratio.toFixed(2)}x`} | ${r.goal} | ${r.met === null ? '—' : r.met ? 'yes' : 'NO'} |`,
    );
} finally {
  await plain.end();
  await handle.close();
  await scratch.drop();
  dropped = true;
}
