/**
 * Test helper: where a secret (a private key) appears — in every column of every table of the database, in
 * files under some directories, in log lines — as raw bytes, hex or Base64. A key the system must never hold
 * in clear should be found nowhere.
 */
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { sql } from 'drizzle-orm';
import type { DbOrTx } from '../db/client.js';

const forms = (secret: Uint8Array) => {
  const b = Buffer.from(secret);
  return [b.toString('hex'), b.toString('hex').toUpperCase(), b.toString('base64'), b.toString('base64url')];
};

type Rows<T> = { rows: T[] };

/** "table.column" of every cell holding the secret (bytea: its bytes; anything else as text: hex or Base64). */
export async function findInDatabase(db: DbOrTx, secret: Uint8Array): Promise<string[]> {
  const cols = (await db.execute(
    sql`SELECT table_name, column_name, data_type FROM information_schema.columns WHERE table_schema = 'public' ORDER BY 1, 2`,
  )) as unknown as Rows<{ table_name: string; column_name: string; data_type: string }>;
  const hits: string[] = [];
  const [hex, hexUpper, b64, b64url] = forms(secret);
  for (const c of cols.rows) {
    const t = sql.identifier(c.table_name);
    const col = sql.identifier(c.column_name);
    const where =
      c.data_type === 'bytea'
        ? sql`position(${Buffer.from(secret)}::bytea in ${col}) > 0 OR position(convert_to(${hex}, 'UTF8') in ${col}) > 0`
        : sql`strpos(${col}::text, ${hex}) > 0 OR strpos(${col}::text, ${hexUpper}) > 0 OR strpos(${col}::text, ${b64}) > 0 OR strpos(${col}::text, ${b64url}) > 0`;
    const r = (await db.execute(sql`SELECT count(*)::int AS n FROM ${t} WHERE ${where}`)) as unknown as Rows<{ n: number }>;
    if (Number(r.rows[0]?.n ?? 0) > 0) hits.push(`${c.table_name}.${c.column_name}`);
  }
  return hits;
}

/** Files under `dirs` (recursively) that hold the secret in any of its forms. */
export async function findInFiles(dirs: string[], secret: Uint8Array): Promise<string[]> {
  const hits: string[] = [];
  const raw = Buffer.from(secret);
  const texts = forms(secret);
  const walk = async (dir: string): Promise<void> => {
    for (const e of await readdir(dir, { withFileTypes: true }).catch(() => [])) {
      const p = path.join(dir, e.name);
      if (e.isDirectory()) await walk(p);
      else if (e.isFile()) {
        const data = await readFile(p).catch(() => null);
        if (!data) continue;
        const latin = data.toString('latin1');
        if (data.indexOf(raw) >= 0 || texts.some((t) => latin.includes(t))) hits.push(p);
      }
    }
  };
  for (const d of dirs) await walk(d);
  return hits;
}

/** Log lines holding the secret in any of its forms. */
export function findInLines(lines: string[], secret: Uint8Array): string[] {
  const texts = forms(secret);
  const raw = Buffer.from(secret).toString('latin1');
  return lines.filter((l) => l.includes(raw) || texts.some((t) => l.includes(t)));
}
