/**
 * Ciphertext blobs in the database (stored_blobs): the default store, so instances on separate machines
 * share files through the one thing they already share, and a backup of the database is a backup of the
 * files. A write is one INSERT (all or nothing); names are the encrypting store's random keys, so two
 * writers never share one.
 */
import { asc, eq, gt } from 'drizzle-orm';
import type { DbOrTx } from '../../db/client.js';
import { storedBlobs } from '../../db/schema.js';
import { FILE_KEY, StoredFileMissing, type BlobBackend } from './port.js';

export function databaseBackend(db: DbOrTx): BlobBackend & {
  /** Writes the blob unless one of that name is there already; true when it wrote. */
  writeIfAbsent(name: string, bytes: Buffer): Promise<boolean>;
  /** Up to `limit` names after `after`, in order (for moving every blob elsewhere, page by page). */
  names(after: string, limit: number): Promise<string[]>;
} {
  const checked = (name: string) => {
    if (!FILE_KEY.test(name)) throw new Error(`invalid blob name ${JSON.stringify(name.slice(0, 64))}`);
    return name;
  };
  return {
    async write(name, bytes) {
      await db.insert(storedBlobs).values({ name: checked(name), bytes, size: bytes.length });
    },
    async writeIfAbsent(name, bytes) {
      const rows = await db
        .insert(storedBlobs)
        .values({ name: checked(name), bytes, size: bytes.length })
        .onConflictDoNothing()
        .returning({ name: storedBlobs.name });
      return rows.length === 1;
    },
    async read(name) {
      const [row] = await db
        .select({ bytes: storedBlobs.bytes })
        .from(storedBlobs)
        .where(eq(storedBlobs.name, checked(name)));
      if (!row) throw new StoredFileMissing(name);
      return row.bytes;
    },
    async names(after, limit) {
      const rows = await db
        .select({ name: storedBlobs.name })
        .from(storedBlobs)
        .where(gt(storedBlobs.name, after))
        .orderBy(asc(storedBlobs.name))
        .limit(limit);
      return rows.map((r) => r.name);
    },
    async remove(name) {
      await db.delete(storedBlobs).where(eq(storedBlobs.name, checked(name)));
    },
  };
}
