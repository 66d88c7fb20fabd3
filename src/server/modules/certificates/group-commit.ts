/**
 * Group commit for the registry's two issuance writes (issue 21 item 5), in Boulder's order (docs/principles.md
 * 4): the pending row with its linted TBS is committed before anything is signed, and the signed DER is stored
 * by compare-and-set pending → issued after. What changes is how many statements carry them: the rows that
 * arrive in one turn of the event loop (concurrent issuances) go to PostgreSQL as ONE multi-row INSERT, and
 * their DERs as ONE `UPDATE … FROM (VALUES …)`, instead of a transaction of three round trips and a WAL flush
 * each. With the issuance's two registry transactions taking 15–60 ms each under load, they — not the
 * signature — limited end-to-end issuance (bench/issue-registry.ts measures both ways in one run).
 *
 * Each caller's outcome is its own: a TBS the profile refuses is refused before it joins a batch (never
 * recorded); a row that breaks a unique index (its serial, a second live issuance of one order) is skipped by
 * the INSERT and refused alone; a statement the database rejects as a whole (say, a row naming a missing
 * order) is tried again row by row, each alone, so only the bad row's caller sees the error. Nothing is kept
 * between batches and nothing is answered before its statement committed.
 *
 * Used where the certificate row is the whole write. 制证 (fulfilment/produce-order.ts), the counter's
 * 制作证书 and 在线续费 write it in the same transaction as the subject's lock and the workflow step (event
 * and audit rows), and keep doing so: their batching would be the workflow engine's.
 */
import { lintTbs } from '../../../ca/cert/lint.js';
import type { CertificateProfile } from '../../../ca/cert/profiles.js';
import { AppError } from '../../../core/errors.js';
import type { DbOrTx } from '../../db/client.js';
import { lintRefusal } from './issue.js';
import { certificateRepository, type CertificateRow, type NewCertificate } from './repository.js';

/** The most rows in one statement: ~25 columns × 256 stays far below PostgreSQL's 65,535 parameters. */
export const GROUP_COMMIT_MAX = 256;

export interface RegistryCommitter {
  /**
   * Lints `row.tbs` against `profile`, then records the row ('pending', with its TBS); resolves once it is
   * committed. A refused TBS, or a serial or order that already has a live row, is a CONFLICT for this caller only.
   */
  recordPending(row: NewCertificate, profile: CertificateProfile): Promise<CertificateRow>;
  /** Compare-and-set pending → issued with the DER (its OCSP answer due at once); undefined when it was not pending. */
  storeIssued(id: string, der: Buffer, at: Date): Promise<CertificateRow | undefined>;
}

type Waiter<I, O> = { item: I; resolve: (o: O) => void; reject: (e: unknown) => void };

/**
 * Calls made in one turn of the event loop go to `many` together (at most `max` at once). `many` answers
 * each item in order, a value or an Error for that item alone; if it throws, the statement failed as a whole
 * and every item is tried again on its own.
 */
function grouped<I, O>(many: (items: I[]) => Promise<(O | Error)[]>, max: number): (item: I) => Promise<O> {
  let waiting: Waiter<I, O>[] | null = null;
  const run = async (batch: Waiter<I, O>[]): Promise<void> => {
    let answers: (O | Error)[];
    try {
      answers = await many(batch.map((w) => w.item));
    } catch (e) {
      if (batch.length === 1) return batch[0]!.reject(e);
      await Promise.all(batch.map((w) => run([w])));
      return;
    }
    batch.forEach((w, i) => {
      const a = answers[i]!;
      if (a instanceof Error) w.reject(a);
      else w.resolve(a);
    });
  };
  const send = () => {
    const batch = waiting!;
    waiting = null;
    void run(batch);
  };
  return (item) =>
    new Promise<O>((resolve, reject) => {
      if (!waiting) {
        const batch: Waiter<I, O>[] = [];
        waiting = batch;
        setImmediate(() => waiting === batch && send());
      }
      waiting.push({ item, resolve, reject });
      if (waiting.length >= max) send();
    });
}

const alreadyRecorded = () => new AppError('CONFLICT', '该序列号或该订单已有签发记录，本次未重复记录，请刷新后查看');

export function registryCommitter(db: DbOrTx, max = GROUP_COMMIT_MAX): RegistryCommitter {
  // One statement each: a single statement is its own transaction, all of its rows or none.
  const insert = grouped<NewCertificate, CertificateRow>(async (rows) => {
    const recorded = new Map((await certificateRepository.insertPendingMany(db, rows)).map((r) => [r.serial, r]));
    const answered = new Set<string>();
    return rows.map((row) => {
      const r = recorded.get(row.serial);
      // Two callers with one serial in a batch: the first has the row, the second is refused.
      if (!r || answered.has(row.serial)) return alreadyRecorded();
      answered.add(row.serial);
      return r;
    });
  }, max);
  const store = grouped<{ id: string; der: Buffer; at: Date }, CertificateRow | undefined>(async (items) => {
    const stored = new Map((await certificateRepository.storeIssuedMany(db, items)).map((r) => [r.id, r]));
    const answered = new Set<string>();
    return items.map((item) => {
      // Two DERs for one row in a batch: the row took one of them; the other lost the compare-and-set.
      const r = stored.get(item.id);
      if (!r || answered.has(item.id) || !r.der?.equals(item.der)) return undefined;
      answered.add(item.id);
      return r;
    });
  }, max);
  return {
    recordPending(row, profile) {
      if (row.status !== 'pending' || !row.tbs) return Promise.reject(new Error('recordPending takes a pending row with its TBS'));
      const problems = lintTbs(row.tbs, profile);
      if (problems.length) return Promise.reject(lintRefusal(problems));
      return insert(row);
    },
    storeIssued: (id, der, at) => store({ id, der, at }),
  };
}
