/** The file store the configuration asks for: encrypted blobs under `<CERTDESK_DATA_DIR>/files`. */
import path from 'node:path';
import type { Config } from '../../config.js';
import { encryptingFileStore } from './encrypted.js';
import { localDiskBackend } from './local-disk.js';
import type { FileStore } from './port.js';

export function fileStoreFor(config: Pick<Config, 'dataDir' | 'storageKey'>): FileStore {
  return encryptingFileStore(localDiskBackend(path.join(config.dataDir, 'files')), config.storageKey);
}
