/**
 * 我的证书 (issue 7): every certificate of the logged-in organization — online and counter — with project,
 * 主锁/副锁, serial, validity, status (有效/已吊销/已过期/吊销申请中), the order it came from, its revocation
 * requests (when requested, the 24-hour deadline, when revoked or why refused) and whether it expires within
 * 90 days (the dashboard's list). Another organization's certificate is "not found".
 */
import type { MyCertificateStatus } from '../../../core/my-certificates-schemas.js';
import { KEY_TYPE_LABEL, publicStatusOf, PUBLIC_STATUS_LABEL } from '../../../core/certificates.js';
import { BUSINESS_LABEL } from '../../../core/counter.js';
import { AppError } from '../../../core/errors.js';
import { REVOCATION_PROMISE_MS, REVOCATION_REASONS, revocationReasonLabel } from '../../../core/revocation-reasons.js';
import type { Clock } from '../../clock.js';
import type { DbOrTx } from '../../db/client.js';
import { displaySerial } from '../certificates/registry.js';
import { certificateRepository } from '../certificates/repository.js';
import { myCertificatesRepository } from './repository.js';
import { sealRepository } from '../seals/repository.js';
import { SEAL_KIND_LABEL } from '../seals/status.js';

const DAY_MS = 24 * 3600_000;
/** The dashboard lists certificates expiring within this many days (the first reminder's stage). */
export const EXPIRING_WITHIN_DAYS = 90;

export const MY_STATUS_LABEL: Record<MyCertificateStatus, string> = {
  valid: PUBLIC_STATUS_LABEL.valid,
  revoked: PUBLIC_STATUS_LABEL.revoked,
  expired: PUBLIC_STATUS_LABEL.expired,
  not_yet_valid: PUBLIC_STATUS_LABEL.not_yet_valid,
  revocation_pending: '吊销申请中',
};

/** Where the certificate was made, as the organization knows it. */
export const sourceLabel = (source: string) => (source === 'online' ? '在线办理' : '现场办理');

type Row = Awaited<ReturnType<typeof myCertificatesRepository.listOfOrg>>[number];
type Req = Awaited<ReturnType<typeof myCertificatesRepository.requestsOfOrg>>[number];

function view(c: Row, reqs: Req[], now: Date) {
  const base = publicStatusOf(c, now);
  const open = reqs.find((r) => r.status === 'pending');
  const status: MyCertificateStatus =
    base === 'valid' && open ? 'revocation_pending' : (base as Exclude<MyCertificateStatus, 'revocation_pending'>);
  const approved = reqs.find((r) => r.status === 'approved');
  const refused = !open && c.status === 'issued' ? reqs.find((r) => r.status === 'refused') : undefined;
  const daysLeft = Math.ceil((c.notAfter.getTime() - now.getTime()) / DAY_MS);
  return {
    id: c.id,
    serial: c.serial,
    serialDisplay: displaySerial(c.serial),
    family: c.family,
    unitName: c.unitName,
    projectCode: c.projectCode,
    projectName: c.projectName ?? c.projectCode,
    keyType: c.keyType,
    keyTypeLabel: KEY_TYPE_LABEL[c.keyType] ?? c.keyType,
    source: c.source,
    sourceLabel: sourceLabel(c.source),
    notBefore: c.notBefore,
    notAfter: c.notAfter,
    daysLeft,
    status,
    // Revoked because a renewal replaced it (superseded, RFC 5280 reason 4): the unit knows it as 已续费.
    statusLabel: status === 'revoked' && c.renewed && c.revocationReason === 4 ? '已续费' : MY_STATUS_LABEL[status],
    renewed: !!c.renewed,
    /** 在线续费 (issue 20): offered within the 90 days before expiry; an open one is resumed. */
    canRenewOnline: !!c.renewalOpen || (status === 'valid' && !c.renewed && daysLeft <= EXPIRING_WITHIN_DAYS),
    renewalOpen: !!c.renewalOpen,
    expiringSoon: (status === 'valid' || status === 'revocation_pending') && !c.renewed && daysLeft <= EXPIRING_WITHIN_DAYS,
    // What the server accepts (an issued certificate without an open request), less the expired ones.
    canRevoke: !open && (status === 'valid' || status === 'not_yet_valid'),
    orderId: c.orderNo ? c.orderId : null,
    orderNo: c.orderNo,
    counterOrderNo: c.counterOrderNo,
    counterBusinessLabel: c.counterOrderNo && c.counterBusiness ? (BUSINESS_LABEL[c.counterBusiness] ?? null) : null,
    officeName: c.counterOrderNo ? c.officeName : null,
    revokedAt: c.revokedAt,
    revocationReasonLabel: c.revocationReason === null ? null : revocationReasonLabel(c.revocationReason),
    /** When the organization (or staff) asked for the revocation that was approved, or is pending. */
    revocationRequestedAt: (open ?? approved)?.requestedAt ?? null,
    revocationDeadline: open ? new Date(open.requestedAt.getTime() + REVOCATION_PROMISE_MS) : null,
    revocationRequestSource: (open ?? approved)?.source ?? null,
    /** The latest refused request, if the certificate is still valid: the CA's reason. */
    revocationRefused: refused ? { requestedAt: refused.requestedAt, decidedAt: refused.decidedAt, note: refused.decisionNote } : null,
  };
}

export type MyCertificate = ReturnType<typeof view>;

export async function listMyCertificates(deps: { db: DbOrTx; clock: Clock }, organizationId: string) {
  const now = deps.clock.now();
  const [rows, reqs] = await Promise.all([
    myCertificatesRepository.listOfOrg(deps.db, organizationId),
    myCertificatesRepository.requestsOfOrg(deps.db, organizationId),
  ]);
  const byCert = new Map<string, Req[]>();
  for (const r of reqs) byCert.set(r.certificateId, [...(byCert.get(r.certificateId) ?? []), r]);
  // A main key's electronic seals (issue 8) are listed with it; their status is the certificate's.
  const sealsOf = new Map<string, { kind: string; kindLabel: string; esId: string }[]>();
  for (const s of await sealRepository.activeForCertificates(
    deps.db,
    rows.map((c) => c.id),
  ))
    sealsOf.set(s.certificateId, [
      ...(sealsOf.get(s.certificateId) ?? []),
      { kind: s.kind, kindLabel: SEAL_KIND_LABEL[s.kind] ?? s.kind, esId: s.esId },
    ]);
  // An SM2 pair's encryption certificate (docs/kmc.md) is shown with its signing certificate: revoked and renewed with it.
  const encryptionOf = new Map<string, { id: string; serial: string; serialDisplay: string; statusLabel: string; notAfter: Date }>();
  for (const e of await certificateRepository.encryptionsOf(
    deps.db,
    rows.map((c) => c.id),
  ))
    if (e.signingCertificateId && (e.status === 'issued' || e.status === 'revoked'))
      encryptionOf.set(e.signingCertificateId, {
        id: e.id,
        serial: e.serial,
        serialDisplay: displaySerial(e.serial),
        statusLabel: PUBLIC_STATUS_LABEL[publicStatusOf(e, now)],
        notAfter: e.notAfter,
      });
  const certificates = rows.map((c) => ({
    ...view(c, byCert.get(c.id) ?? [], now),
    seals: sealsOf.get(c.id) ?? [],
    encryption: encryptionOf.get(c.id) ?? null,
  }));
  return {
    certificates,
    expiring: certificates.filter((c) => c.expiringSoon).sort((a, b) => a.notAfter.getTime() - b.notAfter.getTime()),
    reasons: REVOCATION_REASONS.filter((r) => r.applicant),
    checkedAt: now,
  };
}

export async function myCertificate(deps: { db: DbOrTx; clock: Clock }, organizationId: string, id: string) {
  const own = await myCertificatesRepository.ownCertificate(deps.db, organizationId, id);
  if (!own) throw new AppError('NOT_FOUND', '找不到该证书');
  const { certificates, reasons } = await listMyCertificates(deps, organizationId);
  const c = certificates.find((x) => x.id === id);
  if (!c) throw new AppError('NOT_FOUND', '找不到该证书');
  const reqs = (await myCertificatesRepository.requestsOfOrg(deps.db, organizationId)).filter((r) => r.certificateId === id);
  return {
    certificate: c,
    requests: reqs.map((r) => ({
      id: r.id,
      source: r.source,
      reasonLabel: revocationReasonLabel(r.reason),
      note: r.note,
      status: r.status,
      statusLabel: r.status === 'pending' ? '处理中' : r.status === 'approved' ? '已吊销' : '未批准',
      requestedAt: r.requestedAt,
      deadline: new Date(r.requestedAt.getTime() + REVOCATION_PROMISE_MS),
      decidedAt: r.decidedAt,
      decisionNote: r.status === 'refused' ? r.decisionNote : null,
    })),
    reasons,
  };
}
