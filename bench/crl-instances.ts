/**
 * A large complete CRL served from the database by a second instance (issue 17 item 2): what it costs an
 * instance to learn of and serve a CRL another instance published, and that many requests at once do not
 * multiply it in memory. On PostgreSQL with N revoked certificates of one issuing CA (bench/crl-registry.ts):
 *   A  the registry's publisher: builds, signs and stores the complete CRL (crl_documents);
 *   B  a second app on its own connection pool and its own copy of the CA directory, on 127.0.0.1, asked
 *      over HTTP: its first request (one read of the stored bytes), then — after A republishes and B's
 *      memory check is due — C requests at once.
 * Printed: A's publication time, B's first-request time and the growth of Buffers (process.memoryUsage()
 * .arrayBuffers) after B's first load, at the peak of the C concurrent requests and after them, with how many
 * times B read the bytes from the database, and the longest event-loop stall while B read them. A and B share
 * this process (the first body is streamed into a hash, the C concurrent requests are curl processes): A's own
 * copy of the CRL it built is in the baseline; the growth is what B's serving adds, plus A's next CRL once A
 * republishes.
 *
 *   node --expose-gc --import tsx bench/crl-instances.ts            # N = 1,000,000
 *   BENCH_REVOKED=100000 BENCH_CONCURRENT=50 node --expose-gc --import tsx bench/crl-instances.ts
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cpSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { promisify } from 'node:util';
import { buildApp } from '../src/server/app.js';
import { systemClock } from '../src/server/clock.js';
import { loadConfig } from '../src/server/config.js';
import { openDb } from '../src/server/db/client.js';
import { COMPLETE_CRL } from '../src/server/modules/revocation/crl-scopes.js';
import { CRL_MEMORY_TTL_MS } from '../src/server/modules/revocation/crl-serving.js';
import { publisherFor } from '../src/server/modules/revocation/publication.js';
import { crlRegistry } from './crl-registry.js';

const N = Number(process.env.BENCH_REVOKED ?? 1_000_000);
const C = Number(process.env.BENCH_CONCURRENT ?? 50);
const MB = 1024 * 1024;
const log = (m: string) => console.log(`[crl-instances] ${m}`);
const gc = () => (globalThis as { gc?: () => void }).gc?.();
const buffers = () => {
  gc();
  return process.memoryUsage().arrayBuffers;
};
/** GET, the body streamed into a hash (nothing of it kept): its SHA-256. */
async function fetchHash(url: string): Promise<string> {
  const res = await fetch(url);
  if (res.status !== 200 || !res.body) throw new Error(`HTTP ${res.status}`);
  const h = createHash('sha256');
  const reader = res.body.getReader();
  for (let r = await reader.read(); !r.done; r = await reader.read()) h.update(r.value);
  return h.digest('hex');
}
const sha256 = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');
/** GET by curl in a process of its own (so the client's buffers are not this process's): the body's size. */
const curlSize = async (url: string) =>
  Number((await promisify(execFile)('curl', ['-sS', '-o', '/dev/null', '-w', '%{size_download}', url])).stdout);

const reg = await crlRegistry(N, 'ecdsa-p256', log);
try {
  let t0 = performance.now();
  const first = await reg.publisher.publishCrl('ecdsa-p256', COMPLETE_CRL);
  log(
    `A: complete CRL #${first.crlNumber}, ${first.entries} entries, ${(first.der.length / MB).toFixed(1)} MB built, signed and stored in ${((performance.now() - t0) / 1000).toFixed(2)} s`,
  );

  const dirB = path.join(reg.dir, 'b-ca');
  cpSync(reg.config.ca.dir, dirB, { recursive: true });
  const configB = loadConfig({
    NODE_ENV: 'test',
    LOG_LEVEL: 'silent',
    CERTDESK_DATA_DIR: path.join(reg.dir, 'b-data'),
    DATABASE_URL: reg.config.databaseUrl!,
    CERTDESK_CA_DIR: dirB,
    CERTDESK_CA_FAMILIES: 'ecdsa-p256',
    CERTDESK_PUBLIC_URL: 'http://ca.certdesk.test',
  });
  const handleB = await openDb({ databaseUrl: reg.config.databaseUrl!, poolSize: 10 });
  const appB = await buildApp({ config: configB, db: handleB.db, clock: systemClock });
  await appB.listen({ host: '127.0.0.1', port: 0 });
  const url = `http://127.0.0.1:${(appB.server.address() as AddressInfo).port}/crl/ecdsa-p256/complete.crl`;
  const pB = await publisherFor({ db: handleB.db, clock: systemClock, config: configB });
  try {
    const base = buffers();
    const delay = monitorEventLoopDelay({ resolution: 5 });
    delay.enable();
    t0 = performance.now();
    const got = await fetchHash(url);
    const firstMs = performance.now() - t0;
    delay.disable();
    if (got !== sha256(first.der)) throw new Error('B served other bytes than A stored');
    if ((await fetchHash(url)) !== got) throw new Error('B changed its answer');
    const afterFirst = buffers() - base;
    log(
      `B: first request ${firstMs.toFixed(0)} ms (read ${pB.crlLoadCount}× from the database; longest event-loop stall ` +
        `${(delay.max / 1e6).toFixed(0)} ms); B's Buffers +${(afterFirst / MB).toFixed(1)} MB`,
    );

    const next = await reg.publisher.publishCrl('ecdsa-p256', COMPLETE_CRL);
    await new Promise((r) => setTimeout(r, CRL_MEMORY_TTL_MS + 100));
    const loads = pB.crlLoadCount;
    let peak = 0;
    const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().arrayBuffers)), 5);
    t0 = performance.now();
    const sizes = await Promise.all(Array.from({ length: C }, () => curlSize(url)));
    const allMs = performance.now() - t0;
    clearInterval(sampler);
    if (sizes.some((n) => n !== next.der.length)) throw new Error('a request got another CRL than the new one');
    log(
      `B: ${C} requests at once after A's republication: ${allMs.toFixed(0)} ms, read ${pB.crlLoadCount - loads}× from the database; ` +
        `peak Buffers during them +${((peak - base) / MB).toFixed(1)} MB, ` +
        `after +${((buffers() - base) / MB).toFixed(1)} MB`,
    );
  } finally {
    await appB.close();
    await handleB.close();
  }
} finally {
  await reg.close();
}
