/**
 * A database of a test's own, for tests that must see every row of a table — the outbox worker claims any
 * due row, so on the one PostgreSQL database that all test files share, a worker with an injected fault
 * would fail other files' messages, and theirs would deliver ours. PGlite: a fresh in-memory database
 * (one connection: every open() returns it). PostgreSQL (DATABASE_URL): a new database on the same server,
 * and every open() is a separate connection pool, as two app instances would have.
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { openDb, type DbHandle } from '../db/client.js';

export interface IsolatedDb {
  kind: 'pglite' | 'postgres';
  /** The database's connection URL (PostgreSQL only), for processes of its own. */
  url?: string;
  open(): Promise<DbHandle>;
  drop(): Promise<void>;
}

export async function isolatedDb(label: string): Promise<IsolatedDb> {
  const base = process.env.DATABASE_URL;
  if (!base) {
    const handle = await openDb({});
    return { kind: 'pglite', open: async () => handle, drop: () => handle.close() };
  }
  const url = new URL(base);
  const name = `${url.pathname.slice(1)}_${label}_${randomBytes(4).toString('hex')}`
    .toLowerCase()
    .replace(/[^a-z0-9_]/g, '_')
    .slice(0, 63);
  const admin = async (q: string) => {
    const c = new pg.Client({ connectionString: base });
    await c.connect();
    try {
      await c.query(q);
    } finally {
      await c.end();
    }
  };
  await admin(`CREATE DATABASE ${name}`);
  url.pathname = `/${name}`;
  const handles: DbHandle[] = [];
  return {
    kind: 'postgres',
    url: url.toString(),
    async open() {
      const h = await openDb({ databaseUrl: url.toString(), poolSize: 5 });
      handles.push(h);
      return h;
    },
    async drop() {
      for (const h of handles) await h.close();
      await admin(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    },
  };
}
