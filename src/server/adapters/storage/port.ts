/**
 * The file-storage port for uploaded scans. Use cases see only `FileStore`: bytes in, an opaque key out.
 * Keys are chosen by the server (never from a user's file name), and the bytes are encrypted before they
 * reach any backend, so a backend only ever holds ciphertext.
 *
 * Two layers, so a new place to keep files is one small adapter: `BlobBackend` stores named ciphertext
 * blobs (the database: database.ts, the default; an S3-compatible bucket: s3.ts; local-disk.ts only for
 * files an older version left on disk); `encryptingFileStore` (encrypted.ts) turns any backend into a
 * FileStore. The port is whole buffers, not streams: files are at most a few MB (the upload limit), and
 * AES-GCM's tag can only be checked once the whole blob is in.
 */
export interface FileStore {
  /** Stores the bytes and returns the key to fetch them with. */
  put(bytes: Uint8Array): Promise<string>;
  /** The bytes stored under the key; StoredFileMissing or StoredFileUnreadable when they cannot be had. */
  get(key: string): Promise<Buffer>;
  /** Removes the file; removing a missing file is not an error. */
  delete(key: string): Promise<void>;
}

/** Where ciphertext lives. Names are the server's own (see FILE_KEY); a write is all or nothing. */
export interface BlobBackend {
  write(name: string, bytes: Buffer): Promise<void>;
  /** The blob, or StoredFileMissing. */
  read(name: string): Promise<Buffer>;
  remove(name: string): Promise<void>;
}

/** A backend files can be moved into (move-files.ts): writes unless a blob of that name is there already. */
export interface MoveTarget extends BlobBackend {
  /** True when it wrote; false when the name was taken (the caller compares the bytes). */
  writeIfAbsent(name: string, bytes: Buffer): Promise<boolean>;
}

/** Keys are 32 lower-case hex characters (128 random bits): nothing a path or an object name could misread. */
export const FILE_KEY = /^[0-9a-f]{32}$/;

export class StoredFileMissing extends Error {
  constructor(key: string) {
    super(`stored file ${key} is missing`);
    this.name = 'StoredFileMissing';
  }
}

/** The blob exists but is not what was stored: wrong key, tampered with, truncated, or moved from another name. */
export class StoredFileUnreadable extends Error {
  constructor(key: string, why: string) {
    super(`stored file ${key} cannot be read: ${why}`);
    this.name = 'StoredFileUnreadable';
  }
}

/**
 * The store cannot be used at all — not reachable, its credentials refused, its bucket missing — as
 * opposed to one file being missing. A request that needs it answers 503 (outages.ts); /api/health says so.
 */
export class StorageUnavailable extends Error {
  constructor(
    readonly reason: 'credentials' | 'bucket' | 'unreachable' | 'error',
    detail: string,
    options?: { cause?: unknown },
  ) {
    super(`file storage unavailable (${reason}): ${detail}`, options);
    this.name = 'StorageUnavailable';
  }
}
