/**
 * The registry as the signer reads it: its own connection to the production PostgreSQL database (a role
 * that may only read certificates and ca_operational_certificates is enough: docs/OPERATIONS.md). Reads go
 * through the same repositories as the RA's, so "pending", "issued" and "revoked" mean the same thing here.
 */
import type { SignerRegistry } from '../ca/signer/inspect.js';
import type { DbOrTx } from '../server/db/client.js';
import { certificateRepository } from '../server/modules/certificates/repository.js';
import { revocationRepository } from '../server/modules/revocation/repository.js';

export function databaseRegistry(db: DbOrTx): SignerRegistry {
  return {
    async certificate(serialHex) {
      const row = await certificateRepository.findBySerial(db, serialHex);
      return row ? { status: row.status, tbs: row.tbs, notAfter: row.notAfter } : undefined;
    },
    async ocspStatus(serialHex) {
      const row = await revocationRepository.ocspLookup(db, serialHex);
      if (row?.status === 'issued') return 'good';
      if (row?.status === 'revoked') return 'revoked';
      return 'unknown';
    },
  };
}
