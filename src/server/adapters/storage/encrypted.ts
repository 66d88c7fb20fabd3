/**
 * Encryption at rest for uploaded files: AES-256-GCM, a fresh random 96-bit IV per file (NIST SP 800-38D
 * §8.2.2; at 2^32 files per key the collision risk stays within its bound), the 128-bit tag checked on
 * every read. The file's key name and the format header are the additional authenticated data, so a blob
 * copied over another name, or a header edited, fails authentication instead of decrypting.
 *
 * Blob layout: "CDF1" (4 bytes) | IV (12) | ciphertext | tag (16).
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { FILE_KEY, StoredFileUnreadable, type BlobBackend, type FileStore } from './port.js';

const MAGIC = Buffer.from('CDF1', 'latin1');
const IV_BYTES = 12;
const TAG_BYTES = 16;

const aad = (name: string) => Buffer.concat([MAGIC, Buffer.from(name, 'latin1')]);

export function sealBlob(key: Buffer, name: string, plain: Uint8Array): Buffer {
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', key, iv, { authTagLength: TAG_BYTES });
  cipher.setAAD(aad(name));
  const body = Buffer.concat([cipher.update(plain), cipher.final()]);
  return Buffer.concat([MAGIC, iv, body, cipher.getAuthTag()]);
}

export function openBlob(key: Buffer, name: string, blob: Buffer): Buffer {
  if (blob.length < MAGIC.length + IV_BYTES + TAG_BYTES || !blob.subarray(0, MAGIC.length).equals(MAGIC))
    throw new StoredFileUnreadable(name, 'not a CertDesk encrypted file');
  const iv = blob.subarray(MAGIC.length, MAGIC.length + IV_BYTES);
  const tag = blob.subarray(blob.length - TAG_BYTES);
  const decipher = createDecipheriv('aes-256-gcm', key, iv, { authTagLength: TAG_BYTES });
  decipher.setAAD(aad(name));
  decipher.setAuthTag(tag);
  try {
    return Buffer.concat([decipher.update(blob.subarray(MAGIC.length + IV_BYTES, blob.length - TAG_BYTES)), decipher.final()]);
  } catch {
    throw new StoredFileUnreadable(name, 'authentication failed (wrong key or altered file)');
  }
}

export function encryptingFileStore(backend: BlobBackend, key: Buffer): FileStore {
  if (key.length !== 32) throw new Error('the file-storage key must be 32 bytes');
  const checked = (name: string) => {
    if (!FILE_KEY.test(name)) throw new StoredFileUnreadable(name.slice(0, 64), 'not a file key');
    return name;
  };
  return {
    async put(bytes) {
      const name = randomBytes(16).toString('hex');
      await backend.write(name, sealBlob(key, name, bytes));
      return name;
    },
    async get(name) {
      return openBlob(key, name, await backend.read(checked(name)));
    },
    async delete(name) {
      await backend.remove(checked(name));
    },
  };
}
