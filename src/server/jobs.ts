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
