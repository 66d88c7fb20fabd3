/**
 * The file store the configuration asks for: encrypted blobs in the database (stored_blobs), shared by every
 * instance. Files an older version left under `<CERTDESK_DATA_DIR>/files` are moved in at start
 * (move-disk-files.ts, called from main.ts).
 */
import type { Config } from '../../config.js';
import type { DbOrTx } from '../../db/client.js';
import { databaseBackend } from './database.js';
import { encryptingFileStore } from './encrypted.js';
import type { FileStore } from './port.js';

export function fileStoreFor(config: Pick<Config, 'storageKey'>, db: DbOrTx): FileStore {
  return encryptingFileStore(databaseBackend(db), config.storageKey);
}
