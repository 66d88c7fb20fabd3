/**
 * The database schema (Drizzle). Migrations under ./migrations are generated from this file with
 * `npm run db:generate` and committed; the same SQL runs on PGlite and on PostgreSQL.
 */
export * from './schema-core.js';
// Each module that owns many tables keeps them in a file of its own.
export * from './schema-payments.js';
export * from './schema-certificates.js';
export * from './schema-payment-sandbox.js';
export * from './schema-revocation.js';
export * from './schema-reminders.js';
export * from './schema-seal-images.js';
export * from './schema-counter.js';
export * from './schema-seals.js';
export * from './schema-files.js';
export * from './schema-renewals.js';
export * from './schema-kmc.js';
export * from './schema-tokens.js';
