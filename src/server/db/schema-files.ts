/**
 * Uploaded files (scans, invoices, seal sheets) as encrypted blobs in the database (issue 17): every
 * instance reads what any instance stored, and a lost machine loses no file. Only ciphertext is stored here
 * (adapters/storage/encrypted.ts seals each blob before it reaches a backend). Re-exported by schema.ts, so
 * migrations are generated from it.
 */
import { integer, pgTable, text, timestamp } from 'drizzle-orm/pg-core';
import { bytea } from './bytea.js';

export const storedBlobs = pgTable('stored_blobs', {
  /** The file key (FILE_KEY: 32 lower-case hex characters), chosen by the server. */
  name: text('name').primaryKey(),
  bytes: bytea('bytes').notNull(),
  /** Ciphertext length in bytes, so sizes can be summed without reading the blobs. */
  size: integer('size').notNull(),
  createdAt: timestamp('created_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
});
