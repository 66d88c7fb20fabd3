/**
 * Background work that runs beside the HTTP server (closing expired payments, republishing CRLs,
 * refreshing pre-signed OCSP responses). Each job keeps its state in the database, so any number of
 * instances may run it; `runOnce` lets tests drive it with a ManualClock.
 */
import type { FastifyBaseLogger } from 'fastify';
import type { Clock } from './clock.js';
import type { Config } from './config.js';
import type { Db } from './db/client.js';

export interface JobDeps {
  db: Db;
  clock: Clock;
  config: Config;
  log: FastifyBaseLogger;
}

export interface BackgroundJob {
  readonly name: string;
  start(): void;
  runOnce(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * A job that runs `run` first after `firstAfterMs` (default: at once), then every `everyMs`, never two runs at a
 * time in one process; a failed run is logged at `failLevel` and the next tick tries again.
 */
export function periodicJob(opts: {
  name: string;
  everyMs: number;
  firstAfterMs?: number;
  log: FastifyBaseLogger;
  failLevel?: 'warn' | 'error';
  run: () => Promise<void>;
}): BackgroundJob {
  let timer: NodeJS.Timeout | undefined;
  let first: NodeJS.Timeout | undefined;
  let running: Promise<void> | undefined;
  const tick = () => {
    if (running) return;
    running = opts
      .run()
      .catch((e: unknown) => opts.log[opts.failLevel ?? 'error']({ err: e }, `${opts.name} job failed`))
      .finally(() => (running = undefined));
  };
  return {
    name: opts.name,
    start() {
      if (first || timer) return;
      first = setTimeout(() => {
        first = undefined;
        tick();
        timer = setInterval(tick, opts.everyMs);
        timer.unref();
      }, opts.firstAfterMs ?? 0);
      first.unref();
    },
    runOnce: opts.run,
    async stop() {
      if (first) clearTimeout(first);
      if (timer) clearInterval(timer);
      first = timer = undefined;
      await running;
    },
  };
}
