/**
 * The file store the configuration asks for (CERTDESK_STORAGE): encrypted blobs in the database
 * (stored_blobs, the default) or in an S3-compatible bucket (s3.ts), shared by every instance either way.
 * Files an older version left under `<CERTDESK_DATA_DIR>/files`, and — when the bucket is chosen — the blobs
 * the database holds, are moved in at start (move-files.ts, called from main.ts).
 */
import type { Config } from '../../config.js';
import type { DbOrTx } from '../../db/client.js';
import { databaseBackend } from './database.js';
import { encryptingFileStore } from './encrypted.js';
import type { FileStore, MoveTarget } from './port.js';
import { s3Backend } from './s3.js';

type StorageConfig = Pick<Config, 'storageKey' | 'storage'>;

export type ConfiguredBackend = { kind: 'database'; backend: MoveTarget } | { kind: 's3'; backend: ReturnType<typeof s3Backend> };

/** One S3 client (and its connection pool) per loaded configuration, not one per request. */
const s3Backends = new WeakMap<object, ReturnType<typeof s3Backend>>();

export function configuredBackend(config: StorageConfig, db: DbOrTx): ConfiguredBackend {
  const storage = config.storage;
  if (storage.kind === 'database') return { kind: 'database', backend: databaseBackend(db) };
  let backend = s3Backends.get(storage);
  if (!backend) {
    backend = s3Backend(storage);
    s3Backends.set(storage, backend);
  }
  return { kind: 's3', backend };
}

export function fileStoreFor(config: StorageConfig, db: DbOrTx): FileStore {
  return encryptingFileStore(configuredBackend(config, db).backend, config.storageKey);
}
