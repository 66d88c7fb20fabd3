/**
 * Ciphertext blobs on the local disk, under `<dir>/<first two characters>/<name>` (the fan-out keeps
 * directories small). Writes are atomic: the blob goes to a temporary file in the same file system, is
 * flushed to disk, and only then renamed into place — a crash leaves either no file or the whole file,
 * never half of one. Files are readable by the service's user only (0600, directories 0700).
 *
 * No longer the configured store (instances on separate machines cannot share it): files live in the
 * database (database.ts). This backend remains to read what an older version left on disk while
 * move-files.ts moves it in, and for tests.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, open, readFile, rename, rm, unlink } from 'node:fs/promises';
import path from 'node:path';
import { FILE_KEY, StoredFileMissing, type BlobBackend } from './port.js';

export function localDiskBackend(dir: string): BlobBackend {
  const root = path.resolve(dir);
  const tmpDir = path.join(root, 'tmp');
  const pathOf = (name: string) => {
    // Names come from the encrypting store; refuse anything else rather than let it steer a path.
    if (!FILE_KEY.test(name)) throw new Error(`invalid blob name ${JSON.stringify(name.slice(0, 64))}`);
    return path.join(root, name.slice(0, 2), name);
  };
  const isMissing = (e: unknown) => (e as NodeJS.ErrnoException).code === 'ENOENT';

  return {
    async write(name, bytes) {
      const target = pathOf(name);
      await mkdir(path.dirname(target), { recursive: true, mode: 0o700 });
      await mkdir(tmpDir, { recursive: true, mode: 0o700 });
      const tmp = path.join(tmpDir, `${name}.${randomBytes(6).toString('hex')}.tmp`);
      try {
        const fh = await open(tmp, 'wx', 0o600);
        try {
          await fh.writeFile(bytes);
          await fh.sync();
        } finally {
          await fh.close();
        }
        await rename(tmp, target);
      } catch (e) {
        await rm(tmp, { force: true });
        throw e;
      }
      // The rename is durable once the directory entry is flushed too.
      const d = await open(path.dirname(target), 'r');
      try {
        await d.sync();
      } finally {
        await d.close();
      }
    },
    async read(name) {
      try {
        return await readFile(pathOf(name));
      } catch (e) {
        if (isMissing(e)) throw new StoredFileMissing(name);
        throw e;
      }
    },
    async remove(name) {
      try {
        await unlink(pathOf(name));
      } catch (e) {
        if (!isMissing(e)) throw e;
      }
    },
  };
}
