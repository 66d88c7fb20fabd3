/**
 * Opens the database: embedded PGlite (default, data under the data directory, or in memory for tests) or
 * PostgreSQL when DATABASE_URL is set. Both run the same committed migrations and are used through the
 * same Drizzle API, so repositories never know which one they talk to.
 */
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import { existsSync, mkdirSync } from 'node:fs';
import type { PgDatabase, PgQueryResultHKT } from 'drizzle-orm/pg-core';
import { sql } from 'drizzle-orm';
import * as schema from './schema.js';

export type Db = PgDatabase<PgQueryResultHKT, typeof schema>;
/** A transaction handle has the same query API as the database. */
export type Tx = Parameters<Parameters<Db['transaction']>[0]>[0];
export type DbOrTx = Db | Tx;

export interface DbHandle {
  db: Db;
  kind: 'pglite' | 'postgres';
  close(): Promise<void>;
}

const migrationsFolder = fileURLToPath(new URL('./migrations', import.meta.url));

export interface OpenDbOptions {
  /** postgres://… → PostgreSQL; otherwise PGlite. */
  databaseUrl?: string;
  /** PGlite data directory; undefined → in memory. */
  dataDir?: string;
  /** Max pool size for PostgreSQL. */
  poolSize?: number;
  migrate?: boolean;
}

export async function openDb(opts: OpenDbOptions): Promise<DbHandle> {
  const migrate = opts.migrate ?? true;
  if (opts.databaseUrl) {
    const { default: pg } = await import('pg');
    const { drizzle } = await import('drizzle-orm/node-postgres');
    const pool = new pg.Pool({ connectionString: opts.databaseUrl, max: opts.poolSize ?? 10 });
    // An idle client that errors (server restart) must not crash the process; the pool replaces it.
    pool.on('error', () => {});
    const db = drizzle(pool, { schema }) as unknown as Db;
    if (migrate) {
      const { migrate: run } = await import('drizzle-orm/node-postgres/migrator');
      // Several instances may start at once: an advisory lock makes migration happen exactly once.
      const client = await pool.connect();
      try {
        await client.query('SELECT pg_advisory_lock(727274)');
        await run(drizzle(client, { schema }), { migrationsFolder });
      } finally {
        await client.query('SELECT pg_advisory_unlock(727274)').catch(() => {});
        client.release();
      }
    }
    return { db, kind: 'postgres', close: () => pool.end() };
  }
  const { PGlite } = await import('@electric-sql/pglite');
  const { drizzle } = await import('drizzle-orm/pglite');
  if (opts.dataDir) mkdirSync(path.dirname(opts.dataDir), { recursive: true });
  if (opts.dataDir && !existsSync(path.join(opts.dataDir, 'PG_VERSION'))) {
    // A fresh data directory: initdb inside the WebAssembly heap grows it to ~900 MB, and a WebAssembly
    // memory never shrinks (nor is a closed one's freed soon), so `npm start`'s first run kept twice the
    // resident memory of every later one (issue 21 item 7). initdb runs in a worker thread, whose heap goes
    // with it; this process then opens the initialized directory.
    await initInWorker(opts.dataDir);
  }
  const client = opts.dataDir ? new PGlite(opts.dataDir) : new PGlite();
  await client.waitReady;
  const db = drizzle(client, { schema }) as unknown as Db;
  if (migrate) {
    const { migrate: run } = await import('drizzle-orm/pglite/migrator');
    await run(drizzle(client, { schema }), { migrationsFolder });
  }
  return { db, kind: 'pglite', close: () => client.close() };
}

/** Creates a PGlite data directory in a worker thread and waits for it to finish (see openDb). */
async function initInWorker(dataDir: string): Promise<void> {
  const { Worker } = await import('node:worker_threads');
  const code = `
    const { workerData, parentPort } = require('node:worker_threads');
    import(workerData.pglite)
      .then(async ({ PGlite }) => { const c = new PGlite(workerData.dataDir); await c.waitReady; await c.close(); parentPort.postMessage('ok'); })
      .catch((e) => parentPort.postMessage(String((e && e.stack) || e)));`;
  await new Promise<void>((resolve, reject) => {
    const w = new Worker(code, { eval: true, workerData: { dataDir, pglite: import.meta.resolve('@electric-sql/pglite') } });
    w.once('message', (m: string) => (m === 'ok' ? resolve() : reject(new Error(`PGlite could not create ${dataDir}: ${m}`))));
    w.once('error', reject);
    w.once('exit', (code) => reject(new Error(`PGlite's initialization stopped (exit ${code})`)));
  });
}

export async function ping(db: Db): Promise<void> {
  await db.execute(sql`select 1`);
}
