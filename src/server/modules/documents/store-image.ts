/**
 * Stores an accepted image (the re-encoded file and its thumbnail, encrypted by the store) before the database
 * learns of it, then lets `record` write the rows that name the two keys. Online documents (upload-document.ts)
 * and counter scans (counter/scans.ts) both do this; if storing or recording fails, the new blobs are removed
 * again, so no file is left that no row names.
 */
import type { FileStore } from '../../adapters/storage/port.js';
import type { ProcessedImage } from './process-image.js';

export async function storeImageThen<T>(
  store: FileStore,
  img: ProcessedImage,
  record: (keys: { storageKey: string; thumbnailKey: string }) => Promise<T>,
): Promise<T> {
  const stored: string[] = [];
  try {
    stored.push(await store.put(img.image));
    stored.push(await store.put(img.thumbnail));
    const [storageKey, thumbnailKey] = stored as [string, string];
    return await record({ storageKey, thumbnailKey });
  } catch (e) {
    await Promise.allSettled(stored.map((k) => store.delete(k)));
    throw e;
  }
}
