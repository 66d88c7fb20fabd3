/**
 * The contract every file store passes (storage.test.ts: local disk, database; s3.test.ts: an S3 bucket):
 * the encrypting store over the backend, checked through the backend's raw bytes.
 */
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { encryptingFileStore } from './encrypted.js';
import { FILE_KEY, StoredFileMissing, StoredFileUnreadable, type BlobBackend } from './port.js';

/** Looks like a scan: the PNG signature, then text that must never reach a backend in the clear. */
export const PLAIN = Buffer.concat([
  Buffer.from([137, 80, 78, 71, 13, 10, 26, 10]),
  Buffer.from('经办人身份证 360102199003071234 '.repeat(50)),
]);

export interface ContractSubject {
  backend: BlobBackend;
  /** The stored bytes as the backend's own medium holds them (a file, a row, an object), bypassing `backend`. */
  raw(name: string): Promise<Buffer>;
  /** Replaces the stored bytes in the medium itself (to tamper with a blob). */
  overwrite(name: string, bytes: Buffer): Promise<void>;
}

export function fileStoreContract(label: string, subject: () => Promise<ContractSubject>): void {
  const KEY = randomBytes(32);

  describe(`file store contract: ${label}`, () => {
    it('stores and returns the bytes under a fresh server-chosen key; an empty file too', async () => {
      const { backend } = await subject();
      const store = encryptingFileStore(backend, KEY);
      const a = await store.put(PLAIN);
      const b = await store.put(PLAIN);
      expect(a).toMatch(FILE_KEY);
      expect(b).not.toBe(a);
      expect(await store.get(a)).toEqual(PLAIN);
      expect(await store.get(b)).toEqual(PLAIN);
      expect(await store.get(await store.put(Buffer.alloc(0)))).toEqual(Buffer.alloc(0));
    });

    it('holds ciphertext only: the format header, no plaintext bytes, a fresh IV per file', async () => {
      const { backend, raw } = await subject();
      const store = encryptingFileStore(backend, KEY);
      const a = await store.put(PLAIN);
      const b = await store.put(PLAIN);
      const stored = await raw(a);
      expect(stored.length).toBe(4 + 12 + PLAIN.length + 16);
      expect(stored.subarray(0, 4).toString('latin1')).toBe('CDF1');
      expect(stored.includes(PLAIN.subarray(0, 8))).toBe(false);
      expect(stored.includes(Buffer.from('经办人身份证'))).toBe(false);
      expect(stored.includes(Buffer.from('360102199003071234'))).toBe(false);
      expect((await raw(b)).subarray(4, 16)).not.toEqual(stored.subarray(4, 16));
    });

    it('refuses a blob that was altered, truncated, swapped for another, or read with another key', async () => {
      const { backend, raw, overwrite } = await subject();
      const store = encryptingFileStore(backend, KEY);
      const a = await store.put(PLAIN);
      const b = await store.put(Buffer.from('another file'));
      const original = await raw(a);
      const flipped = Buffer.from(original);
      flipped[40]! ^= 1;
      await overwrite(a, flipped);
      await expect(store.get(a)).rejects.toBeInstanceOf(StoredFileUnreadable);
      await overwrite(a, original.subarray(0, original.length - 1));
      await expect(store.get(a)).rejects.toBeInstanceOf(StoredFileUnreadable);
      await overwrite(a, await raw(b));
      await expect(store.get(a)).rejects.toBeInstanceOf(StoredFileUnreadable);
      await overwrite(a, original);
      expect(await store.get(a)).toEqual(PLAIN);
      await expect(encryptingFileStore(backend, randomBytes(32)).get(a)).rejects.toBeInstanceOf(StoredFileUnreadable);
    });

    it('a missing file is StoredFileMissing; deleting is idempotent; a bad key reaches no backend', async () => {
      const { backend } = await subject();
      const store = encryptingFileStore(backend, KEY);
      const a = await store.put(PLAIN);
      await store.delete(a);
      await store.delete(a);
      await expect(store.get(a)).rejects.toBeInstanceOf(StoredFileMissing);
      await expect(store.get(randomBytes(16).toString('hex'))).rejects.toBeInstanceOf(StoredFileMissing);
      for (const bad of ['../../../etc/passwd', '/etc/passwd', 'AB/../x', '0123456789abcdef0123456789ABCDEF', '']) {
        await expect(store.get(bad)).rejects.toBeInstanceOf(StoredFileUnreadable);
        await expect(store.delete(bad)).rejects.toBeInstanceOf(StoredFileUnreadable);
        await expect(backend.write(bad, Buffer.from('x'))).rejects.toThrow(/invalid blob name/);
      }
    });

    it('takes many writes at once', async () => {
      const { backend } = await subject();
      const store = encryptingFileStore(backend, KEY);
      const files = Array.from({ length: 25 }, (_, i) => Buffer.from(`file ${i} `.repeat(i + 1)));
      const keys = await Promise.all(files.map((f) => store.put(f)));
      expect(new Set(keys).size).toBe(25);
      for (const [i, k] of keys.entries()) expect(await store.get(k)).toEqual(files[i]);
    });
  });
}
