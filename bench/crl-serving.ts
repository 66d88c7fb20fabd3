/**
 * Does the server keep answering while it republishes its CRLs? (issue 21 item 1: a trivial route's p99
 * during a 1,000,000-entry republish stays within 2x its quiet value.) The real app on 127.0.0.1 over
 * PostgreSQL with N revoked certificates of one issuing CA (bench/crl-registry.ts), a trivial route
 * (GET /bench/fixed: 1.5 KB, no database) loaded by `wrk` (Debian package `wrk`) from a separate process:
 *   quiet    nothing else happening
 *   publish  the same load while the server republishes the complete CRL and all 16 shards, over and over
 * Interleaved rounds; the medians are printed with the ratio, and how many CRLs were published meanwhile.
 *
 *   npx tsx bench/crl-serving.ts               # N = 1,000,000
 *   BENCH_REVOKED=100000 npx tsx bench/crl-serving.ts
 *
 * Environment: BENCH_REVOKED, BENCH_SECONDS (default 10), BENCH_ROUNDS (default 3), BENCH_CONNECTIONS (default 50).
 */
import { spawn } from 'node:child_process';
import type { AddressInfo } from 'node:net';
import { pathToFileURL } from 'node:url';
import { buildApp } from '../src/server/app.js';
import { systemClock } from '../src/server/clock.js';
import { CRL_SCOPES } from '../src/server/modules/revocation/crl-scopes.js';
import type { Publisher } from '../src/server/modules/revocation/publication.js';
import { crlRegistry } from './crl-registry.js';

export interface Load {
  rps: number;
  p50ms: number;
  p99ms: number;
  maxms: number;
  errors: number;
}

/** `wrk` against `url` for `seconds` with `connections` connections (one thread), its --latency report read. */
export function wrk(url: string, seconds: number, connections: number): Promise<Load> {
  return new Promise((resolve, reject) => {
    const p = spawn('wrk', ['-t', '1', '-c', String(connections), '-d', `${seconds}s`, '--latency', url]);
    let out = '';
    p.stdout.on('data', (d: Buffer) => (out += d.toString()));
    p.stderr.on('data', (d: Buffer) => (out += d.toString()));
    p.on('error', reject);
    p.on('exit', (code) => {
      if (code !== 0) return reject(new Error(out));
      const ms = (re: RegExp) => {
        const m = re.exec(out);
        if (!m) return NaN;
        const v = Number(m[1]);
        return m[2] === 'us' ? v / 1000 : m[2] === 's' ? v * 1000 : m[2] === 'm' ? v * 60_000 : v;
      };
      const sock = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(out);
      resolve({
        rps: Number(/Requests\/sec:\s+([\d.]+)/.exec(out)?.[1]),
        p50ms: ms(/50%\s+([\d.]+)(us|ms|s|m)/),
        p99ms: ms(/99%\s+([\d.]+)(us|ms|s|m)/),
        maxms: ms(/Latency\s+[\d.]+\w+\s+[\d.]+\w+\s+([\d.]+)(us|ms|s|m)/),
        errors:
          Number(/Non-2xx or 3xx responses: (\d+)/.exec(out)?.[1] ?? 0) + (sock ? sock.slice(1).reduce((a, b) => a + Number(b), 0) : 0),
      });
    });
  });
}

export const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

/**
 * `rounds` interleaved pairs of wrk windows against `url`: quiet, then while `publisher` republishes the
 * complete CRL and every shard of `family` over and over. The first publication of everything is timed alone.
 */
export async function servingDuringRepublish(o: {
  url: string;
  publisher: Publisher;
  family: string;
  rounds: number;
  seconds: number;
  connections: number;
  log: (m: string) => void;
}): Promise<{ aloneSeconds: number; quiet: Load[]; busy: Load[]; published: number }> {
  const t0 = performance.now();
  for (const s of CRL_SCOPES) await o.publisher.publishCrl(o.family, s);
  const aloneSeconds = (performance.now() - t0) / 1000;
  const quiet: Load[] = [];
  const busy: Load[] = [];
  let published = 0;
  for (let r = 0; r < o.rounds; r++) {
    quiet.push(await wrk(o.url, o.seconds, o.connections));
    let stop = false;
    const publishing = (async () => {
      while (!stop)
        for (const s of CRL_SCOPES) {
          if (stop) break;
          await o.publisher.publishCrl(o.family, s);
          published++;
        }
    })();
    busy.push(await wrk(o.url, o.seconds, o.connections));
    stop = true;
    await publishing;
    o.log(`round ${r + 1}: quiet p99 ${quiet[r]!.p99ms.toFixed(2)} ms, publishing p99 ${busy[r]!.p99ms.toFixed(2)} ms`);
  }
  return { aloneSeconds, quiet, busy, published };
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const N = Number(process.env.BENCH_REVOKED ?? 1_000_000);
  const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
  const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
  const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 50);
  const log = (m: string) => console.log(`[crl-serving] ${m}`);
  const reg = await crlRegistry(N, 'ecdsa-p256', log);
  try {
    const app = await buildApp({ config: reg.config, db: reg.db, clock: systemClock });
    const fixed = Buffer.alloc(1536, 'x');
    app.get('/bench/fixed', async (_req, reply) => reply.header('content-type', 'application/octet-stream').send(fixed));
    await app.listen({ host: '127.0.0.1', port: 0 });
    const url = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}/bench/fixed`;
    const { aloneSeconds, quiet, busy, published } = await servingDuringRepublish({
      url,
      publisher: reg.publisher,
      family: 'ecdsa-p256',
      rounds: ROUNDS,
      seconds: SECONDS,
      connections: CONNECTIONS,
      log,
    });
    log(`complete CRL + 16 shards of ${N} revoked, alone: ${aloneSeconds.toFixed(2)} s`);
    await app.close();
    const row = (name: string, xs: Load[]) =>
      `${name.padEnd(10)} ${median(xs.map((x) => x.rps))
        .toFixed(0)
        .padStart(9)} ${median(xs.map((x) => x.p50ms))
        .toFixed(2)
        .padStart(8)} ${median(xs.map((x) => x.p99ms))
        .toFixed(2)
        .padStart(8)} ${median(xs.map((x) => x.maxms))
        .toFixed(1)
        .padStart(8)} ${String(xs.reduce((a, x) => a + x.errors, 0)).padStart(7)}`;
    console.log(`\nGET /bench/fixed, wrk ${CONNECTIONS} connections, ${SECONDS} s × ${ROUNDS} rounds (medians), ${N} revoked`);
    console.log('load        req/s   p50 ms   p99 ms   max ms  errors');
    console.log(row('quiet', quiet));
    console.log(row('publish', busy));
    console.log(
      `p99 publishing ÷ quiet: ${(median(busy.map((x) => x.p99ms)) / median(quiet.map((x) => x.p99ms))).toFixed(2)} (goal ≤ 2); CRLs published during the load: ${published}`,
    );
  } finally {
    await reg.close();
  }
}
