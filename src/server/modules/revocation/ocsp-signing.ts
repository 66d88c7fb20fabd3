/**
 * Signing OCSP responses (RFC 6960, RFC 5019 profile) with a family's delegated responder, and the rules for
 * how long an answer lives: what the pre-signing job, the live answers and the kept `unknown` answers share.
 */
import type { OcspCertId } from '../../../ca/ocsp/request.js';
import { buildOcspResponse, type OcspSingleResponse, type OcspStatus } from '../../../ca/ocsp/response.js';
import type { Clock } from '../../clock.js';
import type { Db, DbOrTx } from '../../db/client.js';
import type { CertificateStatus } from '../../db/schema-certificates.js';
import { serialHexOf, type IssuerEntry } from './ocsp-issuers.js';
import { revocationRepository } from './repository.js';

/** RFC 5019 2.2: responses are cached until nextUpdate; 4 days as Let's Encrypt does, refreshed at half-life. */
export const OCSP_VALIDITY_MS = 4 * 86_400_000;
export const OCSP_REFRESH_MS = 2 * 86_400_000;

/**
 * When the CA job next signs the OCSP response of a certificate whose response was just signed at
 * `thisUpdate` (certificates.ocsp_due_at): at the response's half-life, while the certificate is valid then;
 * null — no more scheduled signing — once this response already reaches OCSP_REFRESH_MS or more past the
 * certificate's notAfter (it is valid until thisUpdate + OCSP_VALIDITY_MS). An expired certificate asked about
 * later is signed on demand, one signature per OCSP_VALIDITY_MS, stored for everyone (OcspAnswers.answerSingle).
 * The rule and why: docs/revocation.md, "Expired certificates in OCSP and CRLs".
 */
export function nextOcspDue(thisUpdate: Date, notAfter: Date): Date | null {
  const due = thisUpdate.getTime() + OCSP_VALIDITY_MS - OCSP_REFRESH_MS;
  return due > notAfter.getTime() ? null : new Date(due);
}

/** What an OCSP answer is made from: the registry's (or the CA's own certificates') row. */
export type OcspRow = { status: CertificateStatus; revokedAt: Date | null; revocationReason: number | null; notAfter: Date };

/** The registry's status of a row for OCSP (never good for a certificate not issued). */
export function statusOfRow(c: { status: CertificateStatus; revokedAt: Date | null; revocationReason: number | null }): {
  status: OcspStatus;
  revokedAt?: Date;
  reason?: number;
} {
  if (c.status === 'issued') return { status: 'good' };
  if (c.status === 'revoked' && c.revokedAt) return { status: 'revoked', revokedAt: c.revokedAt, reason: c.revocationReason ?? undefined };
  return { status: 'unknown' }; // pending / failed: not a certificate anyone holds
}

/** One CertID's status as a response states it, before its validity times are added. */
export type CertIdStatus = Omit<OcspSingleResponse, 'thisUpdate' | 'nextUpdate'>;

export class OcspSigning {
  /** Counts signatures made for OCSP (tests check the pre-signed path makes none). */
  signatures = 0;

  constructor(private readonly deps: { db: Db; clock: Clock }) {}

  /** The status the registry gives a serial for this issuer: unknown unless this CA issued it (never good otherwise). */
  async statusOf(db: DbOrTx, e: IssuerEntry, serialHex: string): Promise<{ status: OcspStatus; revokedAt?: Date; reason?: number }> {
    const c = await revocationRepository.certificateForOcsp(db, serialHex);
    if (!c || c.family !== e.family || c.issuerKeyId !== e.keyIdHex) return { status: 'unknown' };
    return statusOfRow(c);
  }

  /** Signs a response for these CertIDs (live: with a nonce, several CertIDs, or a cache miss). */
  async signLive(e: IssuerEntry, certIds: readonly OcspCertId[], nonce?: Uint8Array): Promise<Uint8Array> {
    const statuses = [];
    for (const id of certIds) statuses.push({ certId: id, ...(await this.statusOf(this.deps.db, e, serialHexOf(id.serial))) });
    return this.sign(e, statuses, nonce);
  }

  /** Signs one response by the family's responder, valid OCSP_VALIDITY_MS from `now` (its thisUpdate and producedAt). */
  sign(e: IssuerEntry, statuses: readonly CertIdStatus[], nonce?: Uint8Array, now = this.deps.clock.now()): Promise<Uint8Array> {
    const nextUpdate = new Date(now.getTime() + OCSP_VALIDITY_MS);
    this.signatures++;
    return buildOcspResponse({
      responderCertDer: e.responderCertDer,
      responderNameDer: e.responderNameDer,
      signer: e.responderSigner,
      producedAt: now,
      responses: statuses.map((s) => ({ ...s, thisUpdate: now, nextUpdate })),
      nonce,
    });
  }
}
