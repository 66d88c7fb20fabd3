/**
 * The pre-signed OCSP responses (RFC 5019): one per certificate, signed ahead of time by the family's delegated
 * responder and stored, so serving a request without a nonce costs no signature. Responses live
 * OCSP_VALIDITY_MS and are re-signed by the CA job when due (certificates.ocsp_due_at: issued or revoked
 * lately, or at half-life), and at once after a revocation (the row is deleted in the revocation's
 * transaction, so a stored `good` never outlives it).
 */
import type { Clock } from '../../clock.js';
import type { Db } from '../../db/client.js';
import type { CachedOcsp, OcspCache } from './ocsp-cache.js';
import { certIdFor, type IssuerEntry } from './ocsp-issuers.js';
import { OCSP_REFRESH_MS, OCSP_VALIDITY_MS, nextOcspDue, statusOfRow, type OcspRow, type OcspSigning } from './ocsp-signing.js';
import type { UnknownAnswers } from './ocsp-unknown.js';
import { revocationRepository } from './repository.js';

/** Signatures in flight at once while the CA job re-signs a batch (through the signer: requests in flight). */
const OCSP_SIGN_CONCURRENCY = 16;

type SignedAnswer = NonNullable<Awaited<ReturnType<OcspPresigner['signAnswer']>>>;

export class OcspPresigner {
  constructor(
    private readonly deps: { db: Db; clock: Clock },
    private readonly issuers: readonly IssuerEntry[],
    private readonly signing: OcspSigning,
    private readonly cache: OcspCache,
    private readonly unknown: UnknownAnswers,
  ) {}

  private issuerOf(c: { family: string; issuerKeyId: string | null }): IssuerEntry | undefined {
    return this.issuers.find((x) => x.family === c.family && x.keyIdHex === c.issuerKeyId);
  }

  /** Signs and stores the pre-signed response of one serial (only for certificates this CA issued). */
  async presign(serialHex: string): Promise<CachedOcsp | null> {
    const c = await revocationRepository.certificateForOcsp(this.deps.db, serialHex);
    const e = c && this.issuerOf(c);
    if (!c || !e) return null;
    return this.presignRow(serialHex, e, c);
  }

  /** presign, with the registry row already read (c: the certificate, of issuer e). */
  async presignRow(serialHex: string, e: IssuerEntry, c: OcspRow): Promise<CachedOcsp | null> {
    const { db } = this.deps;
    const a = await this.signAnswer(serialHex, e, c);
    if (!a) {
      await revocationRepository.dropOcsp(db, serialHex);
      await revocationRepository.setOcspDue(db, serialHex, null);
      this.cache.forget(serialHex);
      return null;
    }
    await revocationRepository.storeOcsp(db, a.stored);
    await revocationRepository.setOcspDue(db, serialHex, a.dueAt, c.status);
    return this.cache.remember(serialHex, e.family, a.stored.status, a.stored.der, a.stored.thisUpdate, a.stored.nextUpdate);
  }

  /**
   * The answer to store for one certificate, signed, and when it is next due; null for a row no one holds
   * (pending, failed), which gets no answer.
   */
  private async signAnswer(serialHex: string, e: IssuerEntry, c: OcspRow) {
    const s = statusOfRow(c);
    if (s.status === 'unknown') return null;
    this.unknown.forget(e.family, serialHex); // issued (or revoked) after all
    const thisUpdate = this.deps.clock.now();
    const nextUpdate = new Date(thisUpdate.getTime() + OCSP_VALIDITY_MS);
    const der = await this.signing.sign(e, [{ certId: { der: certIdFor(e, serialHex) }, ...s }], undefined, thisUpdate);
    const stored = { serial: serialHex, family: e.family, status: s.status, der: Buffer.from(der), thisUpdate, nextUpdate };
    return { stored, dueAt: nextOcspDue(thisUpdate, c.notAfter) };
  }

  /**
   * Signs the responses that are due (certificates.ocsp_due_at: issued or revoked lately, or at half-life), a
   * batch per call, earliest first. One indexed range read; when nothing is due it reads no row. A batch is
   * read in one query, signed, and stored in one transaction — every answer in one INSERT, every next due
   * time in one UPDATE (each still only while the certificate has the status it was signed for) — instead of
   * four round trips and two commits per answer, which re-signed some 50 answers/s on this machine under
   * load (bench/scale.ts; issue 21 item 4).
   */
  async refreshOcsp(limit = 500): Promise<number> {
    const { db, clock } = this.deps;
    const due = await revocationRepository.ocspDue(
      db,
      this.issuers.map((e) => e.keyIdHex),
      clock.now(),
      limit,
      new Date(clock.now().getTime() + OCSP_REFRESH_MS),
    );
    if (due.length === 0) return 0;
    const serials = [...new Set(due.map((d) => d.serial))];
    const rows = new Map((await revocationRepository.certificatesForOcsp(db, serials)).map((r) => [r.serial, r]));
    const signed: { serial: string; family: string; c: OcspRow; answer: SignedAnswer }[] = [];
    for (let i = 0; i < serials.length; i += OCSP_SIGN_CONCURRENCY)
      await Promise.all(
        serials.slice(i, i + OCSP_SIGN_CONCURRENCY).map(async (serial) => {
          const c = rows.get(serial);
          const e = c && this.issuerOf(c);
          if (!c || !e) return revocationRepository.setOcspDue(db, serial, null); // not ours to sign: never due again
          const answer = await this.signAnswer(serial, e, c);
          if (!answer) return this.presignRow(serial, e, c); // no one holds it: its answer goes, one row at a time (rare)
          signed.push({ serial, family: e.family, c, answer });
        }),
      );
    if (signed.length === 0) return due.length;
    await db.transaction(async (tx) => {
      await revocationRepository.storeOcspMany(
        tx,
        signed.map((x) => x.answer.stored),
      );
      await revocationRepository.setOcspDueMany(
        tx,
        signed.map((x) => ({ serial: x.serial, dueAt: x.answer.dueAt, whileStatus: x.c.status })),
      );
    });
    for (const { serial, family, answer: a } of signed)
      this.cache.remember(serial, family, a.stored.status, a.stored.der, a.stored.thisUpdate, a.stored.nextUpdate);
    return due.length;
  }
}
