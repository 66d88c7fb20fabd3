/**
 * Moves the blobs an older CertDesk kept under `<CERTDESK_DATA_DIR>/files` into the database store. Each
 * blob moves as it is (still ciphertext: its name is its authenticated data, so it decrypts under the same
 * key wherever it lives), is read back and compared, and only then is the disk copy removed. Running it
 * again, or on every machine of a cluster at once, is safe: a blob already in the database is left alone.
 * A blob whose name is in the database with different bytes is kept on disk and reported.
 */
import { readdir, readFile, unlink } from 'node:fs/promises';
import path from 'node:path';
import type { Db } from '../../db/client.js';
import { databaseBackend } from './database.js';
import { FILE_KEY } from './port.js';

const ignoreMissing = (e: unknown): undefined => {
  if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
  throw e;
};

export interface MoveReport {
  moved: number;
  /** Already in the database with the same bytes (an earlier, interrupted run): the disk copy is removed. */
  alreadyThere: number;
  /** Names in the database with other bytes: left on disk for a person to look at. */
  conflicts: string[];
}

export async function moveDiskFilesToDatabase(db: Db, filesDir: string): Promise<MoveReport> {
  const report: MoveReport = { moved: 0, alreadyThere: 0, conflicts: [] };
  const backend = databaseBackend(db);
  let fanouts: string[];
  try {
    fanouts = await readdir(filesDir);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return report;
    throw e;
  }
  for (const fanout of fanouts.filter((d) => /^[0-9a-f]{2}$/.test(d)).sort()) {
    const names = (await readdir(path.join(filesDir, fanout))).filter((n) => FILE_KEY.test(n) && n.startsWith(fanout)).sort();
    for (const name of names) {
      const file = path.join(filesDir, fanout, name);
      // Another mover (another machine on a shared disk, or a second run) may take a file first.
      const bytes = await readFile(file).catch(ignoreMissing);
      if (!bytes) continue;
      const wrote = await backend.writeIfAbsent(name, bytes);
      if (!(await backend.read(name)).equals(bytes)) {
        report.conflicts.push(name);
        continue;
      }
      await unlink(file).catch(ignoreMissing);
      if (wrote) report.moved++;
      else report.alreadyThere++;
    }
  }
  return report;
}
