/**
 * Signed checkpoints and verification of the audit chain (chain.ts has the rules; the repository the SQL).
 *
 * The audit signer's key is the CA's (<ca dir>/sm2/audit.pem + audit.key, made by `npm run ca:init`): a
 * dedicated SM2 key under the SM2 issuing CA, so checkpoints are checked against a certificate of this CA and
 * the issuing CA's key signs nothing but certificates and CRLs. Verification needs only that certificate.
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { parseCertificate, pemToDer } from '../../../ca/cert/parse.js';
import type { Signer } from '../../../ca/signer/port.js';
import { verifySignature } from '../../../ca/signer/software.js';
import type { DbOrTx } from '../../db/client.js';
import { caRuntime } from '../certificates/ca-runtime.js';
import type { CaConfig } from '../certificates/ca-config.js';
import { auditRepository } from './repository.js';
import { checkpointMessage, GENESIS, linkHash, verifyChain, type ChainReport, type CheckpointRow } from './chain.js';

/** Rows read per query while verifying: memory stays bounded however long the chain is. */
const VERIFY_BATCH = 2000;

export interface AuditSigner {
  certDer: Uint8Array;
  signer: Signer;
}

const sha256 = (der: Uint8Array) => createHash('sha256').update(der).digest('hex');

/**
 * The audit certificate (no key needed to verify): from the CA directory, or — on a web instance that signs
 * through the signer service and has no CA directory — from the signer's public hierarchy.
 */
export async function auditCertificateOf(ca: CaConfig): Promise<Uint8Array> {
  if (!ca.signer) return pemToDer(await readFile(path.join(ca.dir, 'sm2', 'audit.pem'), 'latin1'));
  const der = (await caRuntime(ca)).hierarchy.families.sm2?.audit?.certDer;
  if (!der) throw new Error('the signer has no audit signer certificate');
  return der;
}

/**
 * Signs the chain head as a checkpoint, after checking that the rows since the last checkpoint link from it
 * to the head (so a tail rewritten by SQL without recomputing is never signed). Returns null when nothing was
 * written since the last checkpoint; throws when the tail does not link.
 */
export async function signCheckpoint(
  db: DbOrTx,
  a: AuditSigner,
  now: Date,
  kind: 'periodic' | 'cut' = 'periodic',
  at?: { seq: number; hash: string },
) {
  const head = at ?? (await auditRepository.head(db));
  if (!head || head.seq === 0) return null;
  const last = await auditRepository.lastCheckpoint(db);
  if (kind === 'periodic' && last && last.seq >= head.seq) return null;
  if (!at) {
    // From the last checkpoint (or the start) to the head: the links must agree.
    let from = last?.seq ?? 0;
    let hash = last?.hash ?? GENESIS;
    for (;;) {
      const rows = await auditRepository.chainedAfter(db, from, VERIFY_BATCH);
      const upTo = rows.filter((r) => r.seq <= head.seq);
      for (const r of upTo) {
        if (r.seq !== from + 1) throw new Error(`audit chain: row seq ${from + 1} missing; checkpoint not signed`);
        hash = linkHash(hash, r);
        if (hash !== r.chainHash) throw new Error(`audit chain: row seq ${r.seq} (id ${r.id}) does not link; checkpoint not signed`);
        from = r.seq;
      }
      if (upTo.length < rows.length || rows.length < VERIFY_BATCH) break;
    }
    if (from !== head.seq || hash !== head.hash) throw new Error('audit chain: the head does not match the rows; checkpoint not signed');
  }
  const signedAt = new Date(now.getTime());
  const c = { seq: head.seq, hash: head.hash, kind, signedAt };
  const signature = Buffer.from(await a.signer.sign(checkpointMessage(c))).toString('hex');
  const row = { ...c, signature, certSha256: sha256(a.certDer) };
  await auditRepository.addCheckpoint(db, row);
  return row;
}

/** Verifies the whole chain (from the last retention cut) against the audit certificate(s). */
export async function verifyAuditTrail(db: DbOrTx, auditCerts: Uint8Array[]): Promise<ChainReport> {
  const keys = new Map(auditCerts.map((der) => [sha256(der), parseCertificate(der).spki]));
  const [checkpoints, head, unchained] = await Promise.all([
    auditRepository.checkpoints(db),
    auditRepository.head(db),
    auditRepository.firstUnchained(db),
  ]);
  return verifyChain({
    checkpoints,
    head,
    unchained,
    signatureValid(c: CheckpointRow) {
      const spki = keys.get(c.certSha256);
      return !!spki && verifySignature(spki, 'sm2', checkpointMessage(c), Buffer.from(c.signature, 'hex'));
    },
    async *rows(fromSeq: number) {
      let after = fromSeq;
      for (;;) {
        const batch = await auditRepository.chainedAfter(db, after, VERIFY_BATCH);
        if (!batch.length) return;
        yield batch;
        after = batch.at(-1)!.seq;
        if (batch.length < VERIFY_BATCH) return;
      }
    },
  });
}

export interface AuditVerification extends ChainReport {
  /** The certificate the checkpoints were checked against (null: the CA has no audit signer yet). */
  certificate: { sha256: string } | null;
}

const running = new WeakMap<object, Promise<AuditVerification>>();

/**
 * Verification as the staff page and the command ask for it: against the audit certificate in the CA
 * directory (or the one given). One run at a time per database: a second caller shares the run in progress.
 */
export function verifyAuditTrailIn(db: DbOrTx, ca: CaConfig, certDer?: Uint8Array): Promise<AuditVerification> {
  let p = running.get(db);
  if (!p) {
    p = (async () => {
      const der = certDer ?? (await auditCertificateOf(ca).catch(() => null));
      const report = await verifyAuditTrail(db, der ? [der] : []);
      return { ...report, certificate: der ? { sha256: sha256(der) } : null };
    })().finally(() => running.delete(db));
    running.set(db, p);
  }
  return p;
}
