/**
 * A second Drizzle handle on the same connection (PGlite instance or PostgreSQL pool) as a test database,
 * with Drizzle's query logger on: every statement the code under test sends through it is recorded, so a test
 * can state how many queries a request costs (issue 21: an unknown OCSP serial costs one), not how long.
 */
import type { PGlite } from '@electric-sql/pglite';
import type { Pool } from 'pg';
import type { Logger } from 'drizzle-orm/logger';
import type { Db } from '../db/client.js';
import * as schema from '../db/schema.js';

export interface QueryLog {
  db: Db;
  /** Every statement sent since the last reset, in order: its SQL text, then ` -- ` and its parameters as JSON. */
  queries: string[];
  reset(): void;
}

export async function queryLogged(db: Db): Promise<QueryLog> {
  const queries: string[] = [];
  const logger: Logger = { logQuery: (query, params) => void queries.push(`${query} -- ${JSON.stringify(params)}`) };
  const client = (db as unknown as { $client: PGlite | Pool }).$client;
  let logged: Db;
  if ('totalCount' in client) {
    const { drizzle } = await import('drizzle-orm/node-postgres');
    logged = drizzle(client, { schema, logger }) as unknown as Db;
  } else {
    const { drizzle } = await import('drizzle-orm/pglite');
    logged = drizzle(client, { schema, logger }) as unknown as Db;
  }
  return { db: logged, queries, reset: () => void queries.splice(0) };
}
