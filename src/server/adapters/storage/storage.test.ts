import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync, renameSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { eq } from 'drizzle-orm';
import { afterAll, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../config.js';
import { configuredBackend, fileStoreFor } from './configured.js';
import { encryptingFileStore } from './encrypted.js';
import { localDiskBackend } from './local-disk.js';
import { FILE_KEY, StoredFileMissing, StoredFileUnreadable } from './port.js';
import { databaseBackend } from './database.js';
import { moveFilesIntoStore } from './move-files.js';
import { fileStoreContract, PLAIN } from './testing.js';
import { storedBlobs } from '../../db/schema.js';
import { testDb } from '../../testing/harness.js';

const dirs: string[] = [];
function tempDir(): string {
  const d = mkdtempSync(path.join(tmpdir(), 'certdesk-store-'));
  dirs.push(d);
  return d;
}
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

const KEY = randomBytes(32);
const blobPath = (dir: string, key: string) => path.join(dir, key.slice(0, 2), key);

/** The configured backend when the database is the store (the default). */
const intoDatabase = (db: Parameters<typeof databaseBackend>[0]) => configuredBackend(loadConfig({ NODE_ENV: 'test' }), db);

fileStoreContract('local disk', async () => {
  const dir = tempDir();
  return {
    backend: localDiskBackend(dir),
    raw: async (name) => readFileSync(blobPath(dir, name)),
    overwrite: async (name, bytes) => writeFileSync(blobPath(dir, name), bytes),
  };
});

fileStoreContract('database', async () => {
  const { db } = await testDb();
  return {
    backend: databaseBackend(db),
    raw: async (name) => (await db.select().from(storedBlobs).where(eq(storedBlobs.name, name)))[0]!.bytes,
    overwrite: async (name, bytes) => {
      await db.update(storedBlobs).set({ bytes, size: bytes.length }).where(eq(storedBlobs.name, name));
    },
  };
});

// What the contract above cannot see from the outside: how the local disk holds the files.
describe('encrypted local file store, on the disk', () => {
  it('keeps each file owner-only, in an owner-only directory', async () => {
    const dir = tempDir();
    const store = encryptingFileStore(localDiskBackend(dir), KEY);
    const a = await store.put(PLAIN);
    expect(statSync(blobPath(dir, a)).mode & 0o777).toBe(0o600);
    expect(statSync(path.dirname(blobPath(dir, a))).mode & 0o777).toBe(0o700);
  });

  it('never lets a name steer a path: nothing is written outside the store', async () => {
    const dir = tempDir();
    await expect(localDiskBackend(dir).write('../escape', Buffer.from('x'))).rejects.toThrow(/invalid blob name/);
    expect(readdirSync(path.dirname(dir)).includes('escape')).toBe(false);
  });

  it('writes atomically: a write that cannot be put in place leaves neither a partial file nor a temp file', async () => {
    const dir = tempDir();
    const backend = localDiskBackend(dir);
    const name = 'ab'.padEnd(32, '0');
    await backend.write(name, Buffer.from('first'));
    // Make the final rename fail: a non-empty directory where the file should go.
    renameSync(blobPath(dir, name), path.join(dir, 'moved'));
    mkdirSync(blobPath(dir, name));
    writeFileSync(path.join(blobPath(dir, name), 'occupied'), 'x');
    await expect(backend.write(name, Buffer.from('second'))).rejects.toThrow();
    expect(readdirSync(path.join(dir, 'tmp'))).toEqual([]);
    expect(readdirSync(blobPath(dir, name))).toEqual(['occupied']);
  });

  it('leaves no temp file after many writes at once', async () => {
    const dir = tempDir();
    const store = encryptingFileStore(localDiskBackend(dir), KEY);
    await Promise.all(Array.from({ length: 25 }, (_, i) => store.put(Buffer.from(`file ${i} `.repeat(i + 1)))));
    expect(readdirSync(path.join(dir, 'tmp'))).toEqual([]);
  });
});

describe('database file store (the configured one)', () => {
  it('stores ciphertext only, in stored_blobs, readable by every instance (any store on the same database)', async () => {
    const { db } = await testDb();
    const config = loadConfig({ NODE_ENV: 'test', CERTDESK_DATA_DIR: tempDir() });
    const a = await fileStoreFor(config, db).put(PLAIN);
    expect(a).toMatch(FILE_KEY);
    // Another instance: another store object over the same database, nothing shared on disk.
    expect(await fileStoreFor(loadConfig({ NODE_ENV: 'test', CERTDESK_DATA_DIR: tempDir() }), db).get(a)).toEqual(PLAIN);
    const [row] = await db.select().from(storedBlobs).where(eq(storedBlobs.name, a));
    expect(row!.size).toBe(4 + 12 + PLAIN.length + 16);
    expect(row!.bytes.subarray(0, 4).toString('latin1')).toBe('CDF1');
    expect(row!.bytes.includes(Buffer.from('360102199003071234'))).toBe(false);
    expect(row!.bytes.includes(Buffer.from('经办人身份证'))).toBe(false);
  });

  it('refuses an altered or swapped blob, and one read with another key', async () => {
    const { db } = await testDb();
    const store = encryptingFileStore(databaseBackend(db), KEY);
    const a = await store.put(PLAIN);
    const b = await store.put(Buffer.from('another file'));
    const [orig] = await db.select().from(storedBlobs).where(eq(storedBlobs.name, a));
    const flipped = Buffer.from(orig!.bytes);
    flipped[40]! ^= 1;
    await db.update(storedBlobs).set({ bytes: flipped }).where(eq(storedBlobs.name, a));
    await expect(store.get(a)).rejects.toBeInstanceOf(StoredFileUnreadable);
    const [other] = await db.select().from(storedBlobs).where(eq(storedBlobs.name, b));
    await db.update(storedBlobs).set({ bytes: other!.bytes }).where(eq(storedBlobs.name, a));
    await expect(store.get(a)).rejects.toBeInstanceOf(StoredFileUnreadable);
    await db.update(storedBlobs).set({ bytes: orig!.bytes }).where(eq(storedBlobs.name, a));
    expect(await store.get(a)).toEqual(PLAIN);
    await expect(encryptingFileStore(databaseBackend(db), randomBytes(32)).get(a)).rejects.toBeInstanceOf(StoredFileUnreadable);
  });

  it('a missing file is StoredFileMissing; deleting is idempotent; a bad name never reaches SQL', async () => {
    const { db } = await testDb();
    const store = encryptingFileStore(databaseBackend(db), KEY);
    const a = await store.put(PLAIN);
    await store.delete(a);
    await store.delete(a);
    await expect(store.get(a)).rejects.toBeInstanceOf(StoredFileMissing);
    for (const bad of ["x' OR '1'='1", '../etc/passwd', '0123456789abcdef0123456789ABCDEF', ''])
      await expect(databaseBackend(db).read(bad)).rejects.toThrow(/invalid blob name/);
  });

  it('takes many writes at once', async () => {
    const { db } = await testDb();
    const store = encryptingFileStore(databaseBackend(db), KEY);
    const files = Array.from({ length: 25 }, (_, i) => Buffer.from(`file ${i} `.repeat(i + 1)));
    const keys = await Promise.all(files.map((f) => store.put(f)));
    expect(new Set(keys).size).toBe(25);
    for (const [i, k] of keys.entries()) expect(await store.get(k)).toEqual(files[i]);
  });
});

describe('moving files an older version kept on disk into the database', () => {
  it('moves each blob as it is, removes the disk copy, and can run again (or on another machine at once)', async () => {
    const { db } = await testDb();
    const dir = tempDir();
    const disk = encryptingFileStore(localDiskBackend(dir), KEY);
    const keys = await Promise.all([PLAIN, Buffer.from('发票'), Buffer.alloc(0)].map((f) => disk.put(f)));
    // A stray file that is not a blob stays where it is.
    writeFileSync(path.join(dir, 'README'), 'not a blob');
    const [first, second] = await Promise.all([
      moveFilesIntoStore(db, dir, intoDatabase(db)),
      moveFilesIntoStore(db, dir, intoDatabase(db)),
    ]);
    // Two movers at once: each blob counted once as moved, never lost, never a conflict.
    expect(first!.moved + second!.moved).toBe(3);
    expect([...first!.conflicts, ...second!.conflicts]).toEqual([]);
    const store = encryptingFileStore(databaseBackend(db), KEY);
    expect(await store.get(keys[0]!)).toEqual(PLAIN);
    expect((await store.get(keys[1]!)).toString()).toBe('发票');
    expect(await store.get(keys[2]!)).toEqual(Buffer.alloc(0));
    for (const k of keys) expect(existsSync(blobPath(dir, k))).toBe(false);
    expect(readFileSync(path.join(dir, 'README'), 'utf8')).toBe('not a blob');
    expect(await moveFilesIntoStore(db, dir, intoDatabase(db))).toEqual({ moved: 0, alreadyThere: 0, conflicts: [] });
    expect(await moveFilesIntoStore(db, path.join(dir, 'absent'), intoDatabase(db))).toEqual({ moved: 0, alreadyThere: 0, conflicts: [] });
  });

  it('keeps a disk blob whose name the database holds with other bytes, and says so', async () => {
    const { db } = await testDb();
    const dir = tempDir();
    const name = randomBytes(16).toString('hex');
    await databaseBackend(db).write(name, Buffer.from('in the database'));
    await localDiskBackend(dir).write(name, Buffer.from('on the disk'));
    expect(await moveFilesIntoStore(db, dir, intoDatabase(db))).toEqual({ moved: 0, alreadyThere: 0, conflicts: [name] });
    expect(readFileSync(blobPath(dir, name), 'utf8')).toBe('on the disk');
  });
});

describe('CERTDESK_STORAGE_KEY', () => {
  const SECRET = 'x'.repeat(40);
  const given = randomBytes(32);

  it('is 32 bytes of base64 (standard or URL-safe, padded or not)', () => {
    for (const text of [given.toString('base64'), given.toString('base64url'), given.toString('base64').replace(/=$/, '')])
      expect(loadConfig({ CERTDESK_STORAGE_KEY: text }).storageKey).toEqual(given);
  });

  it('when unset, is derived from CERTDESK_SECRET with HKDF: stable, different per secret, not the secret', () => {
    const a = loadConfig({ CERTDESK_SECRET: SECRET }).storageKey;
    expect(a).toHaveLength(32);
    expect(loadConfig({ CERTDESK_SECRET: SECRET }).storageKey).toEqual(a);
    expect(loadConfig({ CERTDESK_SECRET: `${SECRET}y` }).storageKey).not.toEqual(a);
    expect(a.toString('latin1').includes('xxxx')).toBe(false);
    expect(loadConfig({ CERTDESK_SECRET: SECRET, CERTDESK_STORAGE_KEY: given.toString('base64') }).storageKey).toEqual(given);
  });

  it.each([
    ['too short', randomBytes(31).toString('base64')],
    ['too long', randomBytes(33).toString('base64')],
    ['not base64', `${'!'.repeat(43)}=`],
    ['hex, not base64', randomBytes(32).toString('hex')],
    ['a passphrase', 'correct horse battery staple'],
  ])('refuses a key that is %s, in every mode', (_label, text) => {
    for (const NODE_ENV of ['development', 'test', 'production'])
      expect(() => loadConfig({ NODE_ENV, CERTDESK_SECRET: SECRET, CERTDESK_STORAGE_KEY: text })).toThrow(
        /CERTDESK_STORAGE_KEY must be 32 random bytes/,
      );
  });

  it('production: refuses a key that is not random, and starts with a derived key only when CERTDESK_SECRET is set', () => {
    expect(() =>
      loadConfig({ NODE_ENV: 'production', CERTDESK_SECRET: SECRET, CERTDESK_STORAGE_KEY: Buffer.alloc(32).toString('base64') }),
    ).toThrow(ConfigError);
    expect(() => loadConfig({ NODE_ENV: 'production', CERTDESK_STORAGE_KEY: given.toString('base64') })).toThrow(/CERTDESK_SECRET/);
    expect(loadConfig({ NODE_ENV: 'production', CERTDESK_SECRET: SECRET }).storageKey).toHaveLength(32);
    expect(
      loadConfig({ NODE_ENV: 'production', CERTDESK_SECRET: SECRET, CERTDESK_STORAGE_KEY: given.toString('base64') }).storageKey,
    ).toEqual(given);
  });
});
