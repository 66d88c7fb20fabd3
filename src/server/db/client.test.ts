/**
 * The embedded database's directory: made on first open (initdb in a worker thread, so the heap initdb
 * grows is not kept by the server, issue 21 item 7), migrated, and opened as it is afterwards.
 */
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { sql } from 'drizzle-orm';
import { afterAll, describe, expect, it } from 'vitest';
import { openDb } from './client.js';

const root = mkdtempSync(path.join(tmpdir(), 'certdesk-pglite-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('openDb on a PGlite data directory', () => {
  it('creates a fresh directory, migrates it, and opens it again with its rows', async () => {
    const dir = path.join(root, 'fresh', 'pglite');
    const first = await openDb({ dataDir: dir });
    expect(existsSync(path.join(dir, 'PG_VERSION'))).toBe(true);
    await first.db.execute(sql`insert into order_status_counts (status, n) values ('draft', 7)`);
    await first.close();
    const again = await openDb({ dataDir: dir });
    const rows = (await again.db.execute(sql`select n from order_status_counts where status = 'draft'`)) as unknown as {
      rows: { n: string | number }[];
    };
    expect(rows.rows.map((r) => Number(r.n))).toEqual([7]);
    await again.close();
  }, 120_000);

  it('a directory PGlite cannot create is a clear error, not a hang', async () => {
    const blocker = path.join(root, 'file');
    writeFileSync(blocker, 'not a directory');
    await expect(openDb({ dataDir: path.join(blocker, 'pglite') })).rejects.toThrow();
  }, 120_000);
});
