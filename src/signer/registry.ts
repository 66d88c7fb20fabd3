/**
 * The registry as the signer reads it: its own connection to the production PostgreSQL database (a role
 * that may only read certificates and ca_operational_certificates is enough: docs/OPERATIONS.md). Reads go
 * through the same repositories as the RA's, so "pending", "issued" and "revoked" mean the same thing here.
 *
 * Certificate checks are batched (issue 21 item 5): the lookups that arrive in one turn of the event loop —
 * the RA's concurrent 制证 requests — go to PostgreSQL as one `serial IN (…)` query instead of one query
 * each queueing for the signer's few connections. Nothing is cached: every lookup is answered by a query
 * made after it was asked.
 */
import type { SignerRegistry } from '../ca/signer/inspect.js';
import type { DbOrTx } from '../server/db/client.js';
import { certificateRepository } from '../server/modules/certificates/repository.js';
import { kmcRepository } from '../server/modules/kmc/repository.js';
import { revocationRepository } from '../server/modules/revocation/repository.js';

type CertificateCheck = Awaited<ReturnType<SignerRegistry['certificate']>>;
type Waiter = { resolve: (v: CertificateCheck) => void; reject: (e: unknown) => void };

/** The most serials in one query (PostgreSQL's parameter limit is far above; this keeps a query short). */
export const SIGNER_LOOKUP_BATCH = 256;

export function databaseRegistry(db: DbOrTx): SignerRegistry {
  let waiting: Map<string, Waiter[]> | null = null;

  const flush = async (batch: Map<string, Waiter[]>) => {
    try {
      const rows = await certificateRepository.signingChecks(db, [...batch.keys()]);
      const bySerial = new Map(rows.map((r) => [r.serial, r]));
      for (const [serial, waiters] of batch) {
        const r = bySerial.get(serial);
        for (const w of waiters) w.resolve(r ? { status: r.status, tbs: r.tbs, notAfter: r.notAfter } : undefined);
      }
    } catch (e) {
      for (const waiters of batch.values()) for (const w of waiters) w.reject(e);
    }
  };
  const send = () => {
    const batch = waiting!;
    waiting = null;
    void flush(batch);
  };

  return {
    certificate(serialHex) {
      return new Promise<CertificateCheck>((resolve, reject) => {
        if (!waiting) {
          const batch = new Map<string, Waiter[]>();
          waiting = batch;
          setImmediate(() => waiting === batch && send());
        }
        const list = waiting.get(serialHex);
        if (list) list.push({ resolve, reject });
        else waiting.set(serialHex, [{ resolve, reject }]);
        if (waiting.size >= SIGNER_LOOKUP_BATCH) send();
      });
    },
    recoveryApproved: (publicKey, recipient) => kmcRepository.approvedRecoveryFor(db, publicKey, recipient),
    async ocspStatus(serialHex) {
      const row = await revocationRepository.ocspLookup(db, serialHex);
      if (row?.status === 'issued') return 'good';
      if (row?.status === 'revoked') return 'revoked';
      return 'unknown';
    },
  };
}
