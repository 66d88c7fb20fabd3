/**
 * OCSP live signing vs pre-signed answers, and the live-signing cap (issue 16, item 11).
 *
 * Over PostgreSQL with BENCH_CERTS certificates of BENCH_FAMILY (default sm2) whose responses are pre-signed:
 *   1. per request, in-process through the real routes (app.inject, no sockets): a pre-signed answer (POST
 *      without nonce) vs a live-signed one (POST with a nonce, the cap lifted) — their ratio;
 *   2. contention on one event loop (what one responder process has): 16 relying parties asking without nonce
 *      for BENCH_SECONDS, alone and beside 16 attacker loops sending nonce requests — from one address and from
 *      BENCH_ATTACKERS addresses — with the cap (LIVE_SIGNING_POLICY) and without it. Printed: pre-signed answers
 *      a second, live signatures a second.
 *
 *   npx tsx bench/ocsp-live-signing.ts     # makes (and drops) its own database on PG_ADMIN_URL
 *
 * Environment: BENCH_CERTS (default 200), BENCH_SECONDS (default 5), BENCH_ATTACKERS (default 1000),
 * BENCH_FAMILY (sm2 | ecdsa-p256, default sm2), PG_ADMIN_URL (default postgres://postgres@127.0.0.1:5432/test).
 *
 * Measured on this shared 2-vCPU machine (sm2, 200 certificates, 5 s per row):
 *   per request: pre-signed 1.38 ms (724/s), live with a nonce 11.7 ms (85/s) — 8.5x; signLive alone 7.7 ms.
 *   relying parties alone 1,734 answers/s; beside 16 loops of plain requests 1,005/s (58 %); beside 16 nonce
 *   loops from one address, capped 1,134/s (65 %, 9 signatures/s), from 1,000 addresses capped 801/s (46 %,
 *   30 signatures/s), uncapped (before) 252/s (15 %, 136 signatures/s).
 */
import { randomBytes } from 'node:crypto';
import Fastify from 'fastify';
import { scratchDatabase } from './scratch-db.js';
import { issueCertificates, scratchCaConfig } from './scratch-ca.js';
import { explicit, octetString, oid, sequence } from '../src/ca/der/der.js';
import { parseOcspRequest } from '../src/ca/ocsp/request.js';
import type { KeyAlgorithm } from '../src/ca/signer/port.js';
import { systemClock } from '../src/server/clock.js';
import { openDb } from '../src/server/db/client.js';
import type { UseCaseDeps } from '../src/server/modules/deps.js';
import { LIVE_SIGNING_POLICY, LiveSigningLimit } from '../src/server/modules/revocation/live-signing-limit.js';
import { certIdFor } from '../src/server/modules/revocation/ocsp-issuers.js';
import { publisherFor } from '../src/server/modules/revocation/publication.js';
import { caPublicationRoutes } from '../src/server/routes/ca-publication.js';

const CERTS = Number(process.env.BENCH_CERTS ?? 200);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 5);
const ATTACKERS = Number(process.env.BENCH_ATTACKERS ?? 1000);
const FAMILY = (process.env.BENCH_FAMILY ?? 'sm2') as KeyAlgorithm;
const LOOPS = 16;
const log = (m: string) => console.log(`[ocsp-live-signing] ${m}`);

const request = (certId: Uint8Array, nonce?: Uint8Array) =>
  Buffer.from(
    sequence(
      sequence(
        sequence(sequence(certId)),
        ...(nonce ? [explicit(2, sequence(sequence(oid('1.3.6.1.5.5.7.48.1.2'), octetString(octetString(nonce)))))] : []),
      ),
    ),
  );

const scratch = await scratchDatabase(`certdesk_bench_live_${process.pid}`);
try {
  const handle = await openDb({ databaseUrl: scratch.url, poolSize: 10 });
  const db = handle.db;
  const { config } = scratchCaConfig(scratch.url, 'certdesk-bench-live-', FAMILY);
  const deps = { db, clock: systemClock, config } as unknown as UseCaseDeps;
  log(`issuing ${CERTS} ${FAMILY} certificates and pre-signing their OCSP responses…`);
  const serials = await issueCertificates({ db, config }, FAMILY, CERTS);
  const publisher = await publisherFor(deps);
  while ((await publisher.refreshOcsp(500)) === 500);
  const entry = publisher.issuerOfFamily(FAMILY)!;
  const certIds = serials.map((s) => certIdFor(entry, s));
  const plain = certIds.map((c) => request(c));

  const UNLIMITED = new LiveSigningLimit({
    perAddress: { burst: 1e12, perSecond: 1e12 },
    total: { burst: 1e12, perSecond: 1e12 },
    maxAddresses: 10_000,
  });
  const appWith = async (liveSigning: LiveSigningLimit) => {
    const app = Fastify({ trustProxy: false });
    await app.register(caPublicationRoutes({ deps, liveSigning }));
    await app.ready();
    return app;
  };
  const post = (app: Awaited<ReturnType<typeof appWith>>, body: Buffer, ip: string) =>
    app.inject({ method: 'POST', url: '/ocsp', headers: { 'content-type': 'application/ocsp-request' }, payload: body, remoteAddress: ip });

  // 1. Per request.
  {
    const app = await appWith(UNLIMITED);
    const time = async (n: number, f: (i: number) => Promise<unknown>) => {
      for (let i = 0; i < Math.min(50, n); i++) await f(i); // warm-up
      const t0 = performance.now();
      for (let i = 0; i < n; i++) await f(i);
      return (performance.now() - t0) / n;
    };
    const sigBefore = publisher.ocspSignatures;
    const pre = await time(5000, (i) => post(app, plain[i % plain.length]!, '10.0.0.1'));
    if (publisher.ocspSignatures !== sigBefore) throw new Error('pre-signed path signed');
    const live = await time(500, (i) => post(app, request(certIds[i % certIds.length]!, randomBytes(16)), '10.0.0.1'));
    const parsed = plain.map((r) => parseOcspRequest(r).certIds[0]!);
    const sign = await time(500, (i) => publisher.signLive(entry, [parsed[i % parsed.length]!], randomBytes(16)));
    console.log('');
    console.log(`| ${FAMILY}, one request after another | ms each | per second |`);
    console.log('|---|---:|---:|');
    console.log(`| POST without nonce: pre-signed answer | ${pre.toFixed(3)} | ${(1000 / pre).toFixed(0)} |`);
    console.log(`| POST with a nonce: signed live | ${live.toFixed(3)} | ${(1000 / live).toFixed(0)} |`);
    console.log(`| Publisher.signLive alone (status lookup + signature) | ${sign.toFixed(3)} | ${(1000 / sign).toFixed(0)} |`);
    console.log(`\nlive / pre-signed: ${(live / pre).toFixed(1)}x the time per request`);
    await app.close();
  }

  // 2. Contention.
  const run = async (name: string, limit: LiveSigningLimit, attackerIp: ((i: number) => string) | null, withNonce = true) => {
    const app = await appWith(limit);
    const end = performance.now() + SECONDS * 1000;
    let honest = 0;
    let honestFailed = 0;
    let attacks = 0;
    const sigBefore = publisher.ocspSignatures;
    let k = 0;
    const honestLoop = async (j: number) => {
      for (let i = j; performance.now() < end; i += LOOPS) {
        const r = await post(app, plain[i % plain.length]!, '192.0.2.10');
        if (r.statusCode === 200 && r.rawPayload.length > 100) honest++;
        else honestFailed++;
      }
    };
    const attackLoop = async () => {
      while (performance.now() < end) {
        const i = k++;
        await post(app, withNonce ? request(certIds[i % certIds.length]!, randomBytes(16)) : plain[i % plain.length]!, attackerIp!(i));
        attacks++;
      }
    };
    const t0 = performance.now();
    await Promise.all([
      ...Array.from({ length: LOOPS }, (_, j) => honestLoop(j)),
      ...(attackerIp ? Array.from({ length: LOOPS }, attackLoop) : []),
    ]);
    const s = (performance.now() - t0) / 1000;
    const signed = publisher.ocspSignatures - sigBefore;
    console.log(`| ${name} | ${(honest / s).toFixed(0)} | ${honestFailed} | ${(attacks / s).toFixed(0)} | ${(signed / s).toFixed(0)} |`);
    await app.close();
    return honest / s;
  };
  console.log('');
  console.log(
    `| ${FAMILY}, ${LOOPS} relying-party loops (no nonce) for ${SECONDS} s | pre-signed answers/s | failed | attacker requests/s | live signatures/s |`,
  );
  console.log('|---|---:|---:|---:|---:|');
  const alone = await run('relying parties alone', new LiveSigningLimit(), null);
  const same = await run(
    `+ ${LOOPS} loops from 1 address WITHOUT nonce (baseline: any extra traffic)`,
    new LiveSigningLimit(),
    () => '198.51.100.8',
    false,
  );
  const one = await run(`+ ${LOOPS} nonce loops from 1 address, capped`, new LiveSigningLimit(), () => '198.51.100.7');
  const many = await run(
    `+ ${LOOPS} nonce loops from ${ATTACKERS} addresses, capped`,
    new LiveSigningLimit(),
    (i) => `10.${(i % ATTACKERS) >> 8}.${(i % ATTACKERS) & 255}.1`,
  );
  const open = await run(`+ ${LOOPS} nonce loops from 1 address, NO cap (before)`, UNLIMITED, () => '198.51.100.7');
  console.log(
    `\npre-signed answers/s kept beside the extra traffic: without nonce ${((same / alone) * 100).toFixed(0)} %; nonce, capped, 1 address ${((one / alone) * 100).toFixed(0)} %; capped, ${ATTACKERS} addresses ${((many / alone) * 100).toFixed(0)} %; no cap ${((open / alone) * 100).toFixed(0)} %`,
  );
  console.log(
    `policy: per address burst ${LIVE_SIGNING_POLICY.perAddress.burst}, ${LIVE_SIGNING_POLICY.perAddress.perSecond}/s; all addresses burst ${LIVE_SIGNING_POLICY.total.burst}, ${LIVE_SIGNING_POLICY.total.perSecond}/s`,
  );
  await handle.close();
} finally {
  await scratch.drop();
}
