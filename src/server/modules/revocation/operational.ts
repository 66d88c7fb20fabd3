/**
 * The CA's own end-entity certificates under status (issue 15 item 3): the seal maker's (制章人, its key signs
 * every electronic seal) and the audit signer's. Both are issued by the SM2 issuing CA (ca/hierarchy) with a
 * CRL DP and the OCSP URL, so a GB/T 38540 verifier asks for the seal maker's status like any certificate's.
 *
 * They live in the CA directory (sm2/seal.pem, sm2/audit.pem, and the renewed ones' predecessors kept as
 * seal-<serial>.pem, audit-<serial>.pem), not in the registry of subscribers' certificates. A server records
 * them in ca_operational_certificates when its publisher starts (the CLI that makes and renews them has no
 * database), and the OCSP responder and the CRLs read that table beside the registry: `good` while issued,
 * `revoked` — and listed in the issuing CA's CRLs — once `npm run ca:revoke` has withdrawn one.
 */
import { parseCertificate } from '../../../ca/cert/parse.js';
import { operationalCertificateFiles } from '../../../ca/hierarchy/hierarchy.js';
import { readTlv } from '../../../ca/der/der.js';
import { AppError } from '../../../core/errors.js';
import { REVOCATION_REASONS } from '../../../core/revocation-reasons.js';
import type { Clock } from '../../clock.js';
import type { Db, DbOrTx } from '../../db/client.js';
import { auditRepository } from '../audit/repository.js';
import { COMPLETE_CRL, shardOfSerialHex } from './crl-scopes.js';
import { revocationRepository, type OperationalCertificateRow } from './repository.js';

export type OperationalKind = 'seal' | 'audit';
export const OPERATIONAL_KIND_LABEL: Readonly<Record<OperationalKind, string>> = { seal: '电子印章制章人证书', audit: '审计日志签名证书' };

/** The authorityKeyIdentifier's keyIdentifier (hex) of a certificate: the issuing CA it names. */
function authorityKeyIdHex(der: Uint8Array): string {
  const ext = parseCertificate(der).extensions.find((e) => e.oid === '2.5.29.35');
  if (!ext) throw new Error('no authorityKeyIdentifier');
  const seq = readTlv(ext.value, 0); // AuthorityKeyIdentifier ::= SEQUENCE { keyIdentifier [0] IMPLICIT OCTET STRING, … }
  const first = readTlv(ext.value, seq.start);
  if (first.tag !== 0x80) throw new Error('authorityKeyIdentifier without keyIdentifier');
  return Buffer.from(ext.value.subarray(first.start, first.end)).toString('hex');
}

/** The seal maker's and audit signer's certificates as rows, current first (from the CA directory or the signer service). */
export function operationalRows(files: readonly { kind: OperationalKind; current: boolean; der: Uint8Array }[]) {
  return files
    .map((f) => {
      const c = parseCertificate(f.der);
      return {
        serial: c.serialHex.replace(/^0+(?=.)/, ''), // as the registry and the OCSP lookup spell it (serialHexOf)
        family: 'sm2',
        issuerKeyId: authorityKeyIdHex(f.der),
        kind: f.kind,
        der: Buffer.from(f.der),
        notBefore: c.notBefore,
        notAfter: c.notAfter,
        current: f.current,
      };
    })
    .sort((a, b) => Number(b.current) - Number(a.current));
}

/** The seal maker's and audit signer's certificates in a CA directory, current and previous; current first. */
export async function operationalCertificatesIn(caDir: string) {
  return operationalRows(await operationalCertificateFiles(caDir));
}

/** Records the CA directory's seal maker and audit signer certificates (once each; a revoked one stays revoked). */
export async function recordOperationalCertificates(
  db: DbOrTx,
  files: readonly { kind: OperationalKind; current: boolean; der: Uint8Array }[],
): Promise<number> {
  const found = operationalRows(files);
  return revocationRepository.recordOperational(
    db,
    found.map(({ current: _current, ...row }) => row),
  );
}

/**
 * Withdraws the seal maker's or the audit signer's certificate (the current one, or an earlier one by serial):
 * in one transaction it is marked revoked (compare-and-set), its stored OCSP answer dropped, the issuing CA's
 * complete CRL and the certificate's shard marked for republication, and an audit row written. Every server's
 * OCSP responder answers `revoked` once its revocation feed sees it (about a second); its CA job publishes
 * the CRLs within 30 seconds.
 */
export async function revokeOperationalCertificate(
  deps: { db: Db; clock: Clock },
  caDir: string,
  o: { kind: OperationalKind; serial?: string; reason: number },
): Promise<OperationalCertificateRow> {
  const reason = REVOCATION_REASONS.find((r) => r.code === o.reason);
  if (!reason) throw new AppError('VALIDATION_FAILED', `吊销原因代码须为 ${REVOCATION_REASONS.map((r) => r.code).join('、')} 之一`);
  const found = (await operationalCertificatesIn(caDir)).filter((c) => c.kind === o.kind);
  const serial = o.serial ? o.serial.toLowerCase().replace(/^0+(?=.)/, '') : found.find((c) => c.current)?.serial;
  if (!serial) throw new AppError('NOT_FOUND', `CA 目录 ${caDir} 中没有${OPERATIONAL_KIND_LABEL[o.kind]}`);
  if (!found.some((c) => c.serial === serial))
    throw new AppError('NOT_FOUND', `CA 目录中没有序列号为 ${serial} 的${OPERATIONAL_KIND_LABEL[o.kind]}`);
  await recordOperationalCertificates(deps.db, await operationalCertificateFiles(caDir));
  const now = deps.clock.now();
  return deps.db.transaction(async (tx) => {
    const revoked = await revocationRepository.revokeOperational(tx, serial, now, o.reason);
    if (!revoked) throw new AppError('CONFLICT', `该${OPERATIONAL_KIND_LABEL[o.kind]}（序列号 ${serial}）已吊销`);
    await revocationRepository.dropOcsp(tx, serial);
    await revocationRepository.markDirty(tx, revoked.family, COMPLETE_CRL, now);
    await revocationRepository.markDirty(tx, revoked.family, shardOfSerialHex(serial), now);
    await auditRepository.record(tx, {
      actorType: 'system',
      action: 'ca.operational_revoke',
      targetType: 'ca_certificate',
      targetId: serial,
      detail: { kind: o.kind, serial, reason: o.reason, reasonLabel: reason.label },
      at: now,
    });
    return revoked;
  });
}
