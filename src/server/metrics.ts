/**
 * Prometheus metrics at /metrics, for an operator watching several instances: requests by route, the
 * outbox, OCSP answers, CRL freshness, certificates signed and the signer's latency, plus Node's own
 * (memory, event-loop delay, GC). Counters live in this process's registry (one process = one scrape
 * target); what the database knows (outbox, CRLs) is read at scrape time, so every instance reports the
 * same. /metrics answers only addresses in CERTDESK_METRICS_FROM (loopback by default), and never a request
 * that came through a reverse proxy: the public site must not publish it.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { Clock } from './clock.js';
import type { Config } from './config.js';
import type { Db } from './db/client.js';
import { outboxRepository } from './modules/outbox/repository.js';
import { dependencyCall } from './outages.js';
import { revocationRepository } from './modules/revocation/repository.js';
import { addressMatcher } from './trust-proxy.js';

const processRegistry = new Registry();
collectDefaultMetrics({ register: processRegistry, prefix: 'certdesk_' });

export const httpRequestSeconds = new Histogram({
  name: 'certdesk_http_request_duration_seconds',
  help: 'HTTP requests by route (the matched pattern, never the raw URL), method and status',
  labelNames: ['route', 'method', 'status'] as const,
  buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
  registers: [processRegistry],
});

export const certificatesSigned = new Counter({
  name: 'certdesk_certificates_signed_total',
  help: 'Subscriber certificates signed by this process, by key family',
  labelNames: ['family'] as const,
  registers: [processRegistry],
});

export const signerSeconds = new Histogram({
  name: 'certdesk_signer_duration_seconds',
  help: 'Time the CA signer took per signature, by what was signed',
  labelNames: ['operation'] as const,
  buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1],
  registers: [processRegistry],
});

export const ocspAnswers = new Counter({
  name: 'certdesk_ocsp_answers_total',
  help: 'OCSP answers sent by this process: good or revoked (pre-signed), signed at request (a serial never issued, a nonce, several CertIDs), or the OCSP error status',
  labelNames: ['status'] as const,
  registers: [processRegistry],
});

/** Times `fn` into signerSeconds under `operation`; a failure is the signer's outage (503, cause logged). */
export async function timedSignature<T>(operation: string, fn: () => Promise<T>): Promise<T> {
  const end = signerSeconds.startTimer({ operation });
  try {
    return await dependencyCall('signer', fn);
  } finally {
    end();
  }
}

/** The metrics read from the database at scrape time, for one app's database. */
function databaseRegistry(db: Db, clock: Clock): Registry {
  const registry = new Registry();
  new Gauge({
    name: 'certdesk_outbox_messages',
    help: 'Outbox messages waiting (pending) or given up on (dead), by channel',
    labelNames: ['status', 'channel'] as const,
    registers: [registry],
    async collect() {
      this.reset();
      for (const r of await outboxRepository.unsentCounts(db)) this.set({ status: r.status, channel: r.channel }, r.count);
    },
  });
  const secondsFromNow = async (pick: (c: { nextUpdate: Date; thisUpdate: Date }) => Date, sign: 1 | -1) => {
    const now = clock.now().getTime();
    return (await revocationRepository.crlFreshness(db)).map((c) => ({
      family: c.family,
      seconds: Math.round((sign * (pick(c).getTime() - now)) / 1000),
    }));
  };
  new Gauge({
    name: 'certdesk_crl_age_seconds',
    help: 'Age of the oldest published CRL of each issuing CA (since its thisUpdate)',
    labelNames: ['family'] as const,
    registers: [registry],
    async collect() {
      this.reset();
      for (const c of await secondsFromNow((x) => x.thisUpdate, -1)) this.set({ family: c.family }, c.seconds);
    },
  });
  new Gauge({
    name: 'certdesk_crl_next_update_seconds',
    help: 'Seconds until the soonest nextUpdate of the published CRLs of each issuing CA (negative: relying parties refuse it)',
    labelNames: ['family'] as const,
    registers: [registry],
    async collect() {
      this.reset();
      for (const c of await secondsFromNow((x) => x.nextUpdate, 1)) this.set({ family: c.family }, c.seconds);
    },
  });
  return registry;
}

export function registerMetrics(app: FastifyInstance, opts: { db: Db; clock: Clock; config: Config }): void {
  app.addHook('onResponse', async (req, reply) => {
    httpRequestSeconds.observe(
      { route: req.routeOptions.url ?? 'unmatched', method: req.method, status: String(reply.statusCode) },
      reply.elapsedTime / 1000,
    );
  });
  const registry = Registry.merge([processRegistry, databaseRegistry(opts.db, opts.clock)]);
  const allowed = addressMatcher(opts.config.metricsFrom);
  const proxied = (req: FastifyRequest) => req.headers['x-forwarded-for'] !== undefined || req.headers.forwarded !== undefined;
  app.get('/metrics', { schema: { hide: true } }, async (req, reply) => {
    if (proxied(req) || !allowed(req.socket.remoteAddress ?? ''))
      return reply.status(404).header('content-type', 'text/plain; charset=utf-8').send('Not Found');
    reply.header('content-type', registry.contentType).header('cache-control', 'no-store');
    return registry.metrics();
  });
}
