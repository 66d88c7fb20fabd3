/**
 * A bytea column as a Buffer (node-postgres returns Buffer, PGlite Uint8Array: both normalized to Buffer).
 * In a module of its own, outside the schema files' import cycle (schema.ts re-exports them and they import
 * it back), so a schema file can use it at load time whichever file is imported first.
 */
import { customType } from 'drizzle-orm/pg-core';

export const bytea = customType<{ data: Buffer; driverData: Buffer | Uint8Array | string }>({
  dataType: () => 'bytea',
  toDriver: (v) => v,
  fromDriver: (v) =>
    typeof v === 'string' ? Buffer.from(v.startsWith('\\x') ? v.slice(2) : v, 'hex') : Buffer.from(v.buffer, v.byteOffset, v.byteLength),
});
