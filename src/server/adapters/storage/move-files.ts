/**
 * Moves stored files into the configured store (configured.ts), at every start (main.ts):
 * - the blobs an older CertDesk kept under `<CERTDESK_DATA_DIR>/files`, into the database or the bucket;
 * - when the bucket is configured (CERTDESK_STORAGE=s3), the blobs the database holds (stored_blobs).
 *
 * Each blob moves as it is (still ciphertext: its name is its authenticated data, so it decrypts under the
 * same key wherever it lives), is read back and compared, and only then is the old copy removed. Running it
 * again, or on every machine of a cluster at once, is safe: a blob already in the target with the same
 * bytes is counted and its old copy removed. A blob whose name the target holds with different bytes is
 * kept where it was and reported.
 */
import { readdir, readFile, unlink } from 'node:fs/promises';
import path from 'node:path';
import type { Db } from '../../db/client.js';
import type { ConfiguredBackend } from './configured.js';
import { databaseBackend } from './database.js';
import { FILE_KEY, StoredFileMissing, type MoveTarget } from './port.js';

const ignoreMissing = (e: unknown): undefined => {
  if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
  throw e;
};

export interface MoveReport {
  moved: number;
  /** Already in the target with the same bytes (an earlier, interrupted run): the old copy is removed. */
  alreadyThere: number;
  /** Names the target holds with other bytes: left where they were for a person to look at. */
  conflicts: string[];
}

/** Database pages of this many blobs while moving them to the bucket. */
const PAGE = 100;

/** Copies one blob into the target and checks it; true when the old copy may go. */
async function moveOne(target: MoveTarget, name: string, bytes: Buffer, report: MoveReport): Promise<boolean> {
  const wrote = await target.writeIfAbsent(name, bytes);
  if (!(await target.read(name)).equals(bytes)) {
    report.conflicts.push(name);
    return false;
  }
  if (wrote) report.moved++;
  else report.alreadyThere++;
  return true;
}

async function moveDiskFiles(filesDir: string, target: MoveTarget, report: MoveReport): Promise<void> {
  let fanouts: string[];
  try {
    fanouts = await readdir(filesDir);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw e;
  }
  for (const fanout of fanouts.filter((d) => /^[0-9a-f]{2}$/.test(d)).sort()) {
    const names = (await readdir(path.join(filesDir, fanout))).filter((n) => FILE_KEY.test(n) && n.startsWith(fanout)).sort();
    for (const name of names) {
      const file = path.join(filesDir, fanout, name);
      // Another mover (another machine on a shared disk, or a second run) may take a file first.
      const bytes = await readFile(file).catch(ignoreMissing);
      if (!bytes) continue;
      if (await moveOne(target, name, bytes, report)) await unlink(file).catch(ignoreMissing);
    }
  }
}

async function moveDatabaseBlobs(db: Db, target: MoveTarget, report: MoveReport): Promise<void> {
  const source = databaseBackend(db);
  let after = '';
  for (;;) {
    const names = await source.names(after, PAGE);
    if (names.length === 0) return;
    for (const name of names) {
      // Another instance moving at the same time may have removed it already.
      const bytes = await source.read(name).catch((e: unknown) => {
        if (e instanceof StoredFileMissing) return undefined;
        throw e;
      });
      if (bytes && (await moveOne(target, name, bytes, report))) await source.remove(name);
    }
    after = names[names.length - 1]!;
  }
}

/** Moves what is on this machine's disk, and (into a bucket) what is in the database, into `target`. */
export async function moveFilesIntoStore(db: Db, filesDir: string, target: ConfiguredBackend): Promise<MoveReport> {
  const report: MoveReport = { moved: 0, alreadyThere: 0, conflicts: [] };
  await moveDiskFiles(filesDir, target.backend, report);
  if (target.kind !== 'database') await moveDatabaseBlobs(db, target.backend, report);
  return report;
}
