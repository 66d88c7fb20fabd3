/**
 * What strangers can make the OCSP responder hold (issue 16, item 2: 100,000 GETs of 12 KB random base64 took
 * the process from 288 MB to 1,466 MB, kept). Starts the real app on 127.0.0.1:0 over PostgreSQL with
 * BENCH_CERTS certificates whose OCSP responses are pre-signed, then sends from a SEPARATE process (a small
 * node:http keep-alive client, so the client's memory is not counted), one phase after another:
 *   (a) BENCH_REQUESTS GETs of 12 KB random base64            → malformedRequest, nothing remembered
 *   (b) BENCH_REQUESTS GETs of valid requests, rotating over the BENCH_CERTS certificates (pre-signed answers)
 *   (c) BENCH_UNKNOWN GETs of distinct CertIDs of ours with never-issued serials (each signed once, `unknown`)
 * and prints the server's RSS and heap (after a forced GC when run with --expose-gc) and the responder's kept
 * bytes after each phase, beside their budgets.
 *
 *   node --expose-gc --import tsx bench/ocsp-memory.ts   # makes (and drops) its own database on PG_ADMIN_URL
 *
 * Environment: BENCH_CERTS (default 2000), BENCH_REQUESTS (default 100000), BENCH_UNKNOWN (default 20000),
 * BENCH_CONNECTIONS (default 20), BENCH_FAMILY (ecdsa-p256 | sm2, default ecdsa-p256),
 * PG_ADMIN_URL (default postgres://postgres@127.0.0.1:5432/test).
 *
 * Measured on this shared 2-vCPU machine (ecdsa-p256, 2000 certificates, RSS / heap used after a forced GC):
 *   start 275.7 / 54.2 MB; after (a) 100,000 garbage GETs 247.7 / 54.2 MB; after (b) 100,000 valid GETs
 *   247.7 / 54.2 MB; after (c) 20,000 distinct never-issued serials 272.9 / 69.7 MB (both caches at their
 *   16 MiB budgets by their own, conservative, count: 12,652 requests and 5,373 `unknown` answers).
 *   Before the fix (same bench, 200 certificates): 30,000 garbage GETs took RSS 236.6 → 620.7 MB and heap
 *   62.0 → 430.3 MB, kept after GC.
 */
import { scratchDir } from './scratch-dir.js';
import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { promisify } from 'node:util';
import { scratchDatabase } from './scratch-db.js';
import { issueCertificates, scratchCaConfig } from './scratch-ca.js';
import { sequence } from '../src/ca/der/der.js';
import type { KeyAlgorithm } from '../src/ca/signer/port.js';
import { buildApp } from '../src/server/app.js';
import { systemClock } from '../src/server/clock.js';
import { openDb } from '../src/server/db/client.js';
import { certIdFor } from '../src/server/modules/revocation/ocsp-issuers.js';
import { OCSP_ASKED_BUDGET_BYTES } from '../src/server/modules/revocation/ocsp-requests.js';
import { OCSP_UNKNOWN_BUDGET_BYTES } from '../src/server/modules/revocation/ocsp-unknown.js';
import { publisherFor } from '../src/server/modules/revocation/publication.js';

const CERTS = Number(process.env.BENCH_CERTS ?? 2000);
const REQUESTS = Number(process.env.BENCH_REQUESTS ?? 100_000);
const UNKNOWN = Number(process.env.BENCH_UNKNOWN ?? 20_000);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 20);
const FAMILY = (process.env.BENCH_FAMILY ?? 'ecdsa-p256') as KeyAlgorithm;
const log = (m: string) => console.log(`[ocsp-memory] ${m}`);
const MB = (n: number) => (n / 1024 / 1024).toFixed(1);

const scratch = await scratchDatabase(`certdesk_bench_ocspmem_${process.pid}`);

/**
 * The client, in a child process: `count` GETs over `connections` keep-alive sockets. mode 'garbage' makes
 * each path from 9,000 random bytes (12 KB of base64); 'paths' rotates over the paths in a file; 'unknown'
 * makes a CertID of ours (the prefix given) with a fresh random 16-byte serial per request.
 */
async function send(
  base: string,
  mode: 'garbage' | 'paths' | 'unknown',
  count: number,
  arg = '',
): Promise<{ ok: number; other: number; seconds: number }> {
  const dir = scratchDir('certdesk-ocspmem-');
  const file = path.join(dir, 'client.mjs');
  writeFileSync(
    file,
    `import http from 'node:http';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
const [base, mode, countText, conns, arg] = process.argv.slice(2);
const count = Number(countText);
const paths = mode === 'paths' ? readFileSync(arg, 'utf8').trim().split('\\n') : [];
const prefix = mode === 'unknown' ? Buffer.from(arg, 'hex') : null;
// DER of OCSPRequest{TBSRequest{requestList{Request{CertID{prefix, INTEGER serial}}}}}, all lengths < 128.
const seq = (...p) => { const b = Buffer.concat(p); return Buffer.concat([Buffer.from([0x30, b.length]), b]); };
const next = (i) => {
  if (mode === 'garbage') return '/ocsp/' + encodeURIComponent(randomBytes(9000).toString('base64'));
  if (mode === 'paths') return paths[i % paths.length];
  const serial = randomBytes(16); serial[0] = (serial[0] & 0x7f) | 0x10;
  return '/ocsp/' + encodeURIComponent(seq(seq(seq(seq(seq(prefix, Buffer.from([0x02, 16]), serial))))).toString('base64'));
};
const agent = new http.Agent({ keepAlive: true, maxSockets: Number(conns) });
const u = new URL(base);
let i = 0, ok = 0, other = 0;
const one = () => new Promise((res) => {
  const req = http.get({ host: u.hostname, port: u.port, path: next(i++), agent }, (r) => {
    r.resume(); r.on('end', () => { if (r.statusCode === 200) ok++; else other++; res(); });
  });
  req.on('error', () => { other++; res(); });
});
const t0 = Date.now();
await Promise.all(Array.from({ length: Number(conns) }, async () => { while (i < count) await one(); }));
process.stdout.write(JSON.stringify({ ok, other, seconds: (Date.now() - t0) / 1000 }));
agent.destroy();
`,
  );
  const { stdout } = await promisify(execFile)(process.execPath, [file, base, mode, String(count), String(CONNECTIONS), arg], {
    maxBuffer: 1024 * 1024,
  });
  return JSON.parse(stdout) as { ok: number; other: number; seconds: number };
}

try {
  const handle = await openDb({ databaseUrl: scratch.url, poolSize: 10 });
  const db = handle.db;
  const { config } = scratchCaConfig(scratch.url, 'certdesk-bench-ocspmem-', FAMILY);

  log(`issuing ${CERTS} ${FAMILY} certificates and pre-signing their OCSP responses…`);
  const serials = await issueCertificates({ db, config }, FAMILY, CERTS);
  const publisher = await publisherFor({ db, clock: systemClock, config });
  while ((await publisher.refreshOcsp(500)) === 500);

  const app = await buildApp({ config, db, clock: systemClock });
  await app.listen({ host: '127.0.0.1', port: 0 });
  const base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
  const entry = publisher.issuerOfFamily(FAMILY)!;
  const validPaths = serials.map(
    (s) => `/ocsp/${encodeURIComponent(Buffer.from(sequence(sequence(sequence(sequence(certIdFor(entry, s)))))).toString('base64'))}`,
  );
  const pathsFile = path.join(scratchDir('certdesk-ocspmem-paths-'), 'paths.txt');
  writeFileSync(pathsFile, validPaths.join('\n') + '\n');
  // certIdFor of serial "00" minus its INTEGER: the SHA-1 CertID prefix (hashAlgorithm, name hash, key hash).
  const prefixHex = Buffer.from(entry.certIdPrefix).toString('hex');

  const gc = (globalThis as { gc?: () => void }).gc;
  const rows: string[] = [];
  const measure = (phase: string, r?: { ok: number; other: number; seconds: number }) => {
    gc?.();
    const m = process.memoryUsage();
    rows.push(
      `| ${phase} | ${r ? `${r.ok} / ${r.other}` : '—'} | ${r ? r.seconds.toFixed(1) : '—'} | ${MB(m.rss)} | ${MB(m.heapUsed)} | ${MB(publisher.asked.bytes)} (${publisher.asked.size}) | ${MB(publisher.unknown.bytes)} (${publisher.unknown.size}) |`,
    );
    log(rows.at(-1)!);
  };
  // Warm up (JIT, pools, the pre-signed answers in memory) so "before" is the steady state, not a cold start.
  await send(base, 'paths', Math.min(REQUESTS, 5 * CERTS), pathsFile);
  await send(base, 'garbage', 1_000);
  measure('start (after warm-up)');
  measure(`(a) ${REQUESTS} garbage GETs, 12 KB each`, await send(base, 'garbage', REQUESTS));
  measure(`(b) ${REQUESTS} valid GETs over ${CERTS} certificates`, await send(base, 'paths', REQUESTS, pathsFile));
  measure(`(c) ${UNKNOWN} valid GETs, distinct never-issued serials`, await send(base, 'unknown', UNKNOWN, prefixHex));

  console.log('');
  console.log(`${FAMILY}, ${CONNECTIONS} connections, GC forced before each reading: ${gc ? 'yes' : 'no (run with node --expose-gc)'}`);
  console.log(`budgets: remembered requests ${MB(OCSP_ASKED_BUDGET_BYTES)} MB, kept unknown answers ${MB(OCSP_UNKNOWN_BUDGET_BYTES)} MB`);
  console.log('');
  console.log('| after | HTTP 200 / other | s | RSS MB | heap used MB | remembered requests MB (entries) | kept unknown MB (entries) |');
  console.log('|---|---:|---:|---:|---:|---:|---:|');
  for (const r of rows) console.log(r);
  await app.close();
  await handle.close();
} finally {
  await scratch.drop();
}
