/**
 * The counter's read views: 查询申请单位 (the organization, the certificates a counter order may replace, its key
 * choices and recent counter orders) and the order page. Both record who looked (an audit row).
 */
import {
  BUSINESS_LABEL,
  COUNTER_PAY_CHANNELS,
  COUNTER_STATUS_LABEL,
  COUNTER_STEPS,
  STEP_INDEX,
  counterActions,
  counterMaterials,
  missingMaterials,
  type CounterStatus,
  type KeyType,
} from '../../../core/counter.js';
import { certificateValidity, VALIDITY_BASIS_TEXT } from '../../../core/certificate-validity.js';
import { allowedKeyTypes } from '../../../core/requirements.js';
import { revocationReasonLabel } from '../../../core/revocation-reasons.js';
import type { DbOrTx } from '../../db/client.js';
import { organizationRepository, type OrganizationRow } from '../accounts/repository.js';
import { auditRepository } from '../audit/repository.js';
import { catalogRepository } from '../catalog/repository.js';
import { keyHoldings } from '../certificates/key-holdings.js';
import { displaySerial } from '../certificates/registry.js';
import type { CertificateRow } from '../certificates/repository.js';
import type { RequestMeta } from '../deps.js';
import { revocationRepository } from '../revocation/repository.js';
import type { StaffActor } from '../staff/staff-accounts.js';
import { loadForActor, type CounterDeps } from './counter-access.js';
import { orgSummary } from './counter-organization.js';
import { counterRepository, officeRepository, type CounterOrderRow } from './repository.js';

// ——— organizations ———

/** 查询申请单位 by USCC: the organization, its certificates a counter order may replace, and its key choices. */
export async function lookupOrganization(deps: CounterDeps, actor: StaffActor, uscc: string, meta: RequestMeta) {
  const org = await organizationRepository.findByUscc(deps.db, uscc);
  await auditRepository.record(deps.db, {
    actorType: 'staff',
    actorId: actor.id,
    action: 'counter.lookup_org',
    targetType: 'organization',
    targetId: org?.id ?? null,
    detail: { uscc, found: !!org },
    ip: meta.ip,
    at: deps.clock.now(),
  });
  if (!org) return { organization: null, certificates: [], keyChoices: [], counterOrders: [] };
  return { organization: orgSummary(org), ...(await organizationContext(deps, org)) };
}

async function organizationContext(deps: CounterDeps, org: OrganizationRow) {
  const now = deps.clock.now();
  const projects = (await catalogRepository.list(deps.db, { activeOnly: true })).filter((p) => p.keys.some((k) => k.active));
  const projectName = new Map(projects.map((p) => [p.code, p.name]));
  const certs = await counterRepository.replaceableCertificates(deps.db, org.id, org.uscc);
  const keyChoices = [];
  for (const p of projects) {
    const keys = p.keys.filter((k) => k.active);
    const choice = allowedKeyTypes(
      { name: p.name, keys: keys.map((k) => ({ kind: k.keyType as KeyType })) },
      await keyHoldings(deps.db, org.id, p.code, now),
    );
    keyChoices.push({
      projectCode: p.code,
      projectName: p.name,
      allowed: choice.allowed,
      reason: choice.reason,
      prices: Object.fromEntries(keys.map((k) => [k.keyType, k.priceFen])),
    });
  }
  const orders = await counterRepository.recentOfOrganization(deps.db, org.id);
  return {
    certificates: certs.map((c) => ({
      id: c.id,
      serial: displaySerial(c.serial),
      projectCode: c.projectCode,
      projectName: projectName.get(c.projectCode) ?? c.projectCode,
      keyType: c.keyType,
      source: c.source,
      notBefore: c.notBefore,
      notAfter: c.notAfter,
      expired: c.notAfter.getTime() < now.getTime(),
    })),
    keyChoices,
    counterOrders: orders.map((o) => ({
      id: o.id,
      orderNo: o.orderNo,
      business: o.business,
      businessLabel: BUSINESS_LABEL[o.business],
      status: o.status,
      statusLabel: COUNTER_STATUS_LABEL[o.status as CounterStatus],
      createdAt: o.createdAt,
    })),
  };
}

// ——— the order page ———

/** The catalog price of the order's key (null while the administrator has not set one). */
export async function priceOf(db: DbOrTx, order: Pick<CounterOrderRow, 'projectCode' | 'keyType'>): Promise<number | null> {
  const project = await catalogRepository.get(db, order.projectCode);
  const key = project?.keys.find((k) => k.keyType === order.keyType);
  return key?.priceFen ?? null;
}

/**
 * What the certificate of this order runs to, and why (the one rule, core/certificate-validity.ts): the
 * issued one's, or — before 制作证书 — what it would be if issued now, so staff can tell the unit at the
 * counter before it pays.
 */
function validityOut(order: CounterOrderRow, cert: CertificateRow | undefined, replaced: CertificateRow | undefined, now: Date) {
  const v = certificateValidity(cert?.notBefore ?? now, order.business, replaced);
  return {
    notBefore: cert?.notBefore ?? v.notBefore,
    notAfter: cert?.notAfter ?? v.notAfter,
    basis: v.basis,
    basisText: VALIDITY_BASIS_TEXT[v.basis],
    planned: !cert,
  };
}

function certOut(c: CertificateRow) {
  return {
    id: c.id,
    serial: displaySerial(c.serial),
    status: c.status,
    notBefore: c.notBefore,
    notAfter: c.notAfter,
    revokedAt: c.revokedAt,
    revocationReason: c.revocationReason,
    revocationReasonLabel: c.revocationReason === null ? null : revocationReasonLabel(c.revocationReason),
    replacesId: c.replacesId,
    unitName: c.unitName,
  };
}

type ScanRow = Awaited<ReturnType<typeof counterRepository.currentScans>>[number];

/** The order's checklist: each material, whether it is ticked, and its latest scan. */
function materialsOut(order: CounterOrderRow, scans: ScanRow[]) {
  return counterMaterials(order.business, order.keyType).map((m) => {
    const scan = scans.find((x) => x.material === m.code);
    return {
      ...m,
      ticked: !!order.materials[m.code],
      scan: scan
        ? { id: scan.id, uploadedAt: scan.uploadedAt, originalName: scan.originalName, width: scan.width, height: scan.height }
        : null,
    };
  });
}

export async function viewCounterOrder(deps: CounterDeps, actor: StaffActor, id: string, meta: RequestMeta) {
  const order = await loadForActor(deps.db, actor, id);
  const { db } = deps;
  const [org, office, events, payment, price, project, scans] = await Promise.all([
    organizationRepository.findById(db, order.organizationId),
    officeRepository.get(db, order.officeCode),
    counterRepository.events(db, order.id),
    counterRepository.paymentOf(db, order.id),
    priceOf(db, order),
    catalogRepository.get(db, order.projectCode),
    counterRepository.currentScans(db, order.id),
  ]);
  const cert = order.certificateId ? await counterRepository.certificate(db, order.certificateId) : undefined;
  const replaced = order.replacesCertificateId ? await counterRepository.certificate(db, order.replacesCertificateId) : undefined;
  const revocation = order.revocationRequestId ? await revocationRepository.requestById(db, order.revocationRequestId) : undefined;
  await auditRepository.record(db, {
    actorType: 'staff',
    actorId: actor.id,
    action: 'counter.view',
    targetType: 'counter_order',
    targetId: order.id,
    detail: { orderNo: order.orderNo },
    ip: meta.ip,
    at: deps.clock.now(),
  });
  const status = order.status as CounterStatus;
  return {
    order: {
      ...order,
      businessLabel: BUSINESS_LABEL[order.business],
      statusLabel: COUNTER_STATUS_LABEL[status],
      step: STEP_INDEX[status],
      steps: COUNTER_STEPS,
      projectName: project?.name ?? order.projectCode,
      keyTypeLabel: order.keyType === 'main' ? '主锁（含电子签章）' : '副锁（不含电子签章）',
      revocationReasonLabel: order.revocationReason === null ? null : revocationReasonLabel(order.revocationReason),
    },
    organization: org ? orgSummary(org) : null,
    office: office ? { code: office.code, name: office.name } : null,
    materials: materialsOut(order, scans),
    missing: missingMaterials(order.business, order.keyType, Object.keys(order.materials)),
    priceFen: price,
    payment: payment ? { ...payment, channelName: COUNTER_PAY_CHANNELS[payment.channel] } : null,
    certificate: cert ? certOut(cert) : null,
    replaced: replaced ? certOut(replaced) : null,
    validity: validityOut(order, cert, replaced, deps.clock.now()),
    revocationRequest: revocation
      ? { id: revocation.id, status: revocation.status, requestedAt: revocation.requestedAt, decidedAt: revocation.decidedAt }
      : null,
    actions: counterActions(status, order.keyType, actor.roles).map((t) => ({
      action: t.action,
      label: t.label,
      needsReason: !!t.needsReason,
    })),
    events: events.map(({ event: e, actorName }) => ({ ...e, actorName })),
  };
}
