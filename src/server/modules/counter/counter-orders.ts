/**
 * Counter business (现场办理, seed 004): a clerk at an office looks up (or registers) the organization,
 * opens a counter order of type 新办/补办/变更/续费 and takes it through the seed's flow, defined once in
 * core/counter.ts. Every status change goes through the workflow engine (counter-workflow.ts): one
 * compare-and-set UPDATE plus a counter_events row and an audit row in one transaction; the order row is locked
 * first, so two clicks give one change.
 *
 * The main/sub rule (core/requirements.ts) is checked for 新办 under the same per-organization-and-project
 * advisory lock as online orders, and modules/certificates/key-holdings.ts counts open counter 新办 main keys, so
 * the rule holds across both. 补办/变更/续费 replace one certificate of the organization with another of the
 * same project and key type. Replaced certificates are revoked through the registry's four-eyes revocation
 * flow: 补办 asks at 前台受理 (the key is lost), 变更 when the old UKEY is handed back at 领取.
 */
import { randomInt } from 'node:crypto';
import {
  BUSINESS_LABEL,
  COUNTER_PAY_CHANNELS,
  COUNTER_STATUS_LABEL,
  COUNTER_STEPS,
  REPLACEMENT_REVOCATION,
  STEP_INDEX,
  counterActions,
  counterMaterials,
  missingMaterials,
  type CounterAction,
  type CounterBusiness,
  type CounterPayChannel,
  type CounterStatus,
  type KeyType,
} from '../../../core/counter.js';
import { certificateValidity, VALIDITY_BASIS_TEXT } from '../../../core/certificate-validity.js';
import type { CounterOpenInput } from '../../../core/counter-schemas.js';
import { AppError } from '../../../core/errors.js';
import { fenToYuanText } from '../../../core/money.js';
import { maskMobile } from '../../../core/mobile.js';
import { formatOrderNumber, makeOrderNumber } from '../../../core/order-number.js';
import { allowedKeyTypes } from '../../../core/requirements.js';
import { revocationReasonLabel } from '../../../core/revocation-reasons.js';
import type { StaffRole } from '../../../core/schemas.js';
import type { Clock } from '../../clock.js';
import type { Config } from '../../config.js';
import type { Db, DbOrTx, Tx } from '../../db/client.js';
import { organizationRepository, type OrganizationRow } from '../accounts/repository.js';
import { auditRepository } from '../audit/repository.js';
import { orderRepository } from '../orders/repository.js';
import { catalogRepository } from '../catalog/repository.js';
import { displaySerial } from '../certificates/registry.js';
import type { RequestMeta } from '../deps.js';
import { keyHoldings } from '../certificates/key-holdings.js';
import { revocationRepository } from '../revocation/repository.js';
import type { StaffActor } from '../staff/staff-accounts.js';
import { clearRenewalForCounter } from '../renewal/counter-handover.js';
import { applyTransition, checkTransition, staffParty } from '../workflow/engine.js';
import { COUNTER_WORKFLOW } from './counter-workflow.js';
import { requireOffice } from './offices.js';
import type { CertificateRow } from '../certificates/repository.js';
import { counterRepository, officeRepository, type CounterOrderRow } from './repository.js';

export type CounterDeps = { db: Db; clock: Clock; config: Config };

/** The password hash of an organization registered at a counter: no password logs in until it is claimed. */
export const UNCLAIMED = 'counter:unclaimed';

/** Roles that see every office's counter orders (the others see their own office's). */
const ALL_OFFICES: readonly StaffRole[] = ['管理员', '财务'];
const seesAllOffices = (actor: StaffActor) => actor.roles.some((r) => ALL_OFFICES.includes(r));

// ——— organizations ———

function orgSummary(o: OrganizationRow) {
  return { id: o.id, uscc: o.uscc, name: o.name, mobileMasked: maskMobile(o.mobile), claimed: o.passwordHash !== UNCLAIMED };
}

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

/** 登记申请单位 at the counter, without a password: the unit claims the account online with 忘记密码 (SMS). */
export async function registerOrganizationAtCounter(
  deps: CounterDeps,
  actor: StaffActor,
  input: { uscc: string; name: string; mobile: string },
  meta: RequestMeta,
) {
  await requireOffice(deps.db, actor);
  const now = deps.clock.now();
  return deps.db.transaction(async (tx) => {
    const org = await organizationRepository.insert(tx, {
      uscc: input.uscc,
      name: input.name,
      mobile: input.mobile,
      passwordHash: UNCLAIMED,
      // The paper application form carries the user agreement on its back (seed 004), signed at the counter.
      agreementAcceptedAt: now,
      createdAt: now,
      updatedAt: now,
    });
    if (!org)
      throw new AppError('CONFLICT', '该统一社会信用代码已登记', { fields: { uscc: '该统一社会信用代码已登记，请直接查询后办理' } });
    await auditRepository.record(tx, {
      actorType: 'staff',
      actorId: actor.id,
      action: 'counter.register_org',
      targetType: 'organization',
      targetId: org.id,
      detail: { uscc: org.uscc, name: org.name },
      ip: meta.ip,
      at: now,
    });
    return orgSummary(org);
  });
}

// ——— opening an order ———

const lockProject = (tx: Tx, organizationId: string, projectCode: string) =>
  orderRepository.lockOrganizationProject(tx, organizationId, projectCode);

export async function openCounterOrder(deps: CounterDeps, actor: StaffActor, input: CounterOpenInput, meta: RequestMeta) {
  const office = await requireOffice(deps.db, actor);
  const now = deps.clock.now();
  const business = input.business as CounterBusiness;
  return deps.db.transaction(async (tx) => {
    const org = await organizationRepository.findById(tx, input.organizationId);
    if (!org) throw new AppError('NOT_FOUND', '找不到该申请单位');
    let projectCode: string;
    let keyType: KeyType;
    let replaces: string | null = null;
    let revocationReason: number | null = null;
    if (business === 'new') {
      const project = await catalogRepository.get(tx, input.projectCode!);
      const key = project?.keys.find((k) => k.keyType === input.keyType && k.active);
      if (!project || !project.active)
        throw new AppError('VALIDATION_FAILED', '请选择证书项目', { fields: { projectCode: '请选择列表中的证书项目' } });
      if (!key) throw new AppError('VALIDATION_FAILED', '该项目不提供此类证书', { fields: { keyType: `“${project.name}”不提供所选的锁` } });
      if (key.priceFen === null || !key.priceConfirmed)
        throw new AppError('VALIDATION_FAILED', '该项目价格尚未确定', { fields: { keyType: '该项目价格尚未由管理员确定，暂不能办理' } });
      await lockProject(tx, org.id, project.code);
      const choice = allowedKeyTypes(
        { name: project.name, keys: project.keys.filter((k) => k.active).map((k) => ({ kind: k.keyType as KeyType })) },
        await keyHoldings(tx, org.id, project.code, now),
      );
      if (!choice.allowed.includes(input.keyType!))
        throw new AppError('VALIDATION_FAILED', choice.reason, { fields: { keyType: choice.reason } });
      projectCode = project.code;
      keyType = input.keyType!;
    } else {
      const cert = await revocationRepository.lockCertificate(tx, input.replacesCertificateId!);
      if (!cert || (cert.organizationId !== org.id && cert.uscc !== org.uscc))
        throw new AppError('VALIDATION_FAILED', '请选择该单位的证书', { fields: { replacesCertificateId: '请选择该单位名下的证书' } });
      if (cert.status !== 'issued')
        throw new AppError('VALIDATION_FAILED', '该证书已吊销或尚未签发', {
          fields: { replacesCertificateId: '只能补办、变更或续费有效（未吊销）的证书' },
        });
      if (await counterRepository.successorOf(tx, cert.id))
        throw new AppError('VALIDATION_FAILED', '该证书已被新证书替代', {
          fields: { replacesCertificateId: '该证书已办理过补办、变更或续费' },
        });
      if (business === 'reissue' || business === 'change') {
        const allowed: readonly number[] = REPLACEMENT_REVOCATION[business];
        revocationReason = input.revocationReason ?? allowed[0]!;
        if (!allowed.includes(revocationReason))
          throw new AppError('VALIDATION_FAILED', '吊销原因不正确', {
            fields: { revocationReason: `请选择：${allowed.map((c) => revocationReasonLabel(c)).join('或')}` },
          });
      }
      await lockProject(tx, org.id, cert.projectCode);
      projectCode = cert.projectCode;
      keyType = cert.keyType;
      replaces = cert.id;
    }
    if (business === 'change' && input.newUnitName === org.name)
      throw new AppError('VALIDATION_FAILED', '变更后的单位名称与现名称相同', { fields: { newUnitName: '变更后的单位名称与现名称相同' } });
    // The certificate row is locked above, so this check and the insert cannot interleave with another.
    if (replaces && (await counterRepository.openOrderReplacing(tx, replaces)))
      throw new AppError('VALIDATION_FAILED', '该证书已有正在办理的柜台业务', {
        fields: { replacesCertificateId: '该证书已有正在办理的柜台业务，请在该业务中继续办理' },
      });
    // Nor beside an online renewal of it (refused, or closed when unpaid and given up): one successor per certificate.
    if (replaces) await clearRenewalForCounter(tx, replaces, { staffId: actor.id, ip: meta.ip }, { business }, now);
    const order = await counterRepository.insert(tx, {
      orderNo: makeOrderNumber(now, String(randomInt(0, 100_000_000)).padStart(8, '0')),
      officeCode: office.code,
      business,
      organizationId: org.id,
      uscc: org.uscc,
      unitName: org.name,
      newUnitName: business === 'change' ? input.newUnitName! : null,
      projectCode,
      keyType,
      replacesCertificateId: replaces,
      revocationReason,
      agentName: input.agentName,
      agentMobile: input.agentMobile,
      status: 'submitted',
      openedBy: actor.id,
      createdAt: now,
      statusChangedAt: now,
      updatedAt: now,
    });
    await counterRepository.insertEvent(tx, {
      counterOrderId: order.id,
      actorId: actor.id,
      action: 'open',
      fromStatus: null,
      toStatus: 'submitted',
      detail: { business, projectCode, keyType, replaces, office: office.code },
      at: now,
    });
    await auditRepository.record(tx, {
      actorType: 'staff',
      actorId: actor.id,
      action: 'counter.open',
      targetType: 'counter_order',
      targetId: order.id,
      detail: { orderNo: order.orderNo, business, uscc: org.uscc, projectCode, keyType, office: office.code },
      ip: meta.ip,
      at: now,
    });
    return order;
  });
}

// ——— loading with the office check ———

/** The counter order, if this staff member may work on it: their own office's, or any for 管理员/财务. */
export async function loadForActor(db: DbOrTx, actor: StaffActor, id: string, lock = false): Promise<CounterOrderRow> {
  const order = await counterRepository.findById(db, id, lock);
  if (!order) throw new AppError('NOT_FOUND', '找不到该柜台业务');
  if (seesAllOffices(actor)) return order;
  const office = await officeRepository.officeOfStaff(db, actor.id);
  // Another office's order is "not found", not a hint that it exists.
  if (!office || office.code !== order.officeCode) throw new AppError('NOT_FOUND', '找不到该柜台业务');
  return order;
}

/** Asks for the replaced certificate's revocation (pending: a different 制证/管理员 approves it in 吊销). */
async function requestReplacedRevocation(tx: Tx, order: CounterOrderRow, actor: StaffActor, at: Date, ip: string): Promise<string | null> {
  if (!order.replacesCertificateId || order.revocationReason === null) return null;
  const cert = await revocationRepository.lockCertificate(tx, order.replacesCertificateId);
  if (!cert || cert.status !== 'issued') return null;
  const note = `柜台${BUSINESS_LABEL[order.business]}（业务编号 ${formatOrderNumber(order.orderNo)}）`;
  const req = await revocationRepository.insertRequest(tx, {
    certificateId: cert.id,
    serial: cert.serial,
    source: 'staff',
    reason: order.revocationReason,
    note,
    requestedByStaff: actor.id,
    requestedByOrg: null,
    requestedAt: at,
  });
  // Already an open request for it (e.g. the unit asked online): that one stands.
  if (!req) return null;
  await auditRepository.record(tx, {
    actorType: 'staff',
    actorId: actor.id,
    action: 'certificate.revoke_request',
    targetType: 'certificate',
    targetId: cert.id,
    detail: {
      serial: cert.serial,
      reason: order.revocationReason,
      reasonLabel: revocationReasonLabel(order.revocationReason),
      note,
      requestId: req.id,
    },
    ip,
    at,
  });
  return req.id;
}

// ——— materials and simple steps ———

export async function tickMaterials(deps: CounterDeps, actor: StaffActor, id: string, ticked: string[], meta: RequestMeta) {
  const now = deps.clock.now();
  return deps.db.transaction(async (tx) => {
    const order = await loadForActor(tx, actor, id, true);
    if (order.status === 'completed' || order.status === 'cancelled')
      throw new AppError('CONFLICT', `该业务${COUNTER_STATUS_LABEL[order.status as CounterStatus]}，资料清单不能再修改`);
    if (!actor.roles.some((r) => (['受理', '制证', '管理员'] as StaffRole[]).includes(r)))
      throw new AppError('FORBIDDEN', '核对资料需要以下角色之一：受理、制证、管理员');
    const list = counterMaterials(order.business, order.keyType);
    const unknown = ticked.filter((c) => !list.some((m) => m.code === c));
    if (unknown.length)
      throw new AppError('VALIDATION_FAILED', '资料清单不正确', { fields: { ticked: '请只勾选本业务的资料清单中的项目' } });
    const next: CounterOrderRow['materials'] = {};
    for (const m of list) if (ticked.includes(m.code)) next[m.code] = order.materials[m.code] ?? { at: now.toISOString(), by: actor.id };
    const updated = await counterRepository.setMaterials(tx, order.id, order.status, next, now);
    if (!updated) throw new AppError('CONFLICT', '该业务已被其他人处理，请刷新页面');
    await counterRepository.insertEvent(tx, {
      counterOrderId: order.id,
      actorId: actor.id,
      action: 'materials',
      fromStatus: order.status,
      toStatus: order.status,
      detail: { ticked: Object.keys(next) },
      at: now,
    });
    await auditRepository.record(tx, {
      actorType: 'staff',
      actorId: actor.id,
      action: 'counter.materials',
      targetType: 'counter_order',
      targetId: order.id,
      detail: { orderNo: order.orderNo, ticked: Object.keys(next) },
      ip: meta.ip,
      at: now,
    });
    return updated;
  });
}

/** 前台受理, 审核通过, 退回补正资料, 取消办理, 办结 and 制作电子签章 (the steps that record a decision only). */
export async function actOnCounterOrder(
  deps: CounterDeps,
  actor: StaffActor,
  id: string,
  action: Exclude<CounterAction, 'produce' | 'pay'>,
  reason: string | undefined,
  meta: RequestMeta,
) {
  const now = deps.clock.now();
  return deps.db.transaction(async (tx) => {
    const order = await loadForActor(tx, actor, id, true);
    const row = checkTransition(COUNTER_WORKFLOW, order, action, staffParty(actor));
    if (row.needsReason && !reason?.trim())
      throw new AppError('VALIDATION_FAILED', `请填写${row.label}的原因`, { fields: { reason: `请填写${row.label}的原因` } });
    let set: Partial<CounterOrderRow> = {};
    let detail: Record<string, unknown> = {};
    if (action === 'accept') {
      const missing = missingMaterials(order.business, order.keyType, Object.keys(order.materials));
      if (missing.length)
        throw new AppError('VALIDATION_FAILED', `资料不齐，不能受理：尚缺 ${missing.join('；')}`, {
          fields: { materials: `尚缺：${missing.join('；')}` },
        });
      // 补办: the lost key's certificate is to be revoked as soon as the request is accepted.
      if (order.business === 'reissue') {
        const requestId = await requestReplacedRevocation(tx, order, actor, now, meta.ip);
        set = { revocationRequestId: requestId };
        detail = { revocationRequestId: requestId };
      }
    }
    return applyTransition(COUNTER_WORKFLOW, tx, order, action, staffParty(actor), now, {
      reason: reason?.trim() || null,
      set,
      detail,
      ip: meta.ip,
    });
  });
}

// ——— 现场缴费并领取 ———

export async function payAtCounter(
  deps: CounterDeps,
  actor: StaffActor,
  id: string,
  input: { channel: CounterPayChannel; receiptNo: string; amountFen: number; oldUkeyReturned?: boolean },
  meta: RequestMeta,
) {
  const now = deps.clock.now();
  return deps.db.transaction(async (tx) => {
    const order = await loadForActor(tx, actor, id, true);
    checkTransition(COUNTER_WORKFLOW, order, 'pay', staffParty(actor));
    const price = await priceOf(tx, order);
    if (price === null) throw new AppError('CONFLICT', '该项目价格尚未由管理员确定，不能收款');
    if (input.amountFen !== price)
      throw new AppError('VALIDATION_FAILED', '金额与目录价格不符', {
        fields: { amountFen: `应收金额为 ${fenToYuanText(price)} 元（目录价格）` },
      });
    let materials = order.materials;
    let revocationRequestId = order.revocationRequestId;
    if (order.business === 'change') {
      if (!input.oldUkeyReturned)
        throw new AppError('VALIDATION_FAILED', '请先收回原有的 UKEY', {
          fields: { oldUkeyReturned: '变更须交回原有的数字证书（UKEY）后才能领取新证书' },
        });
      materials = { ...materials, 'old-ukey': materials['old-ukey'] ?? { at: now.toISOString(), by: actor.id } };
      // The old UKEY is back: its certificate is to be revoked now.
      revocationRequestId = (await requestReplacedRevocation(tx, order, actor, now, meta.ip)) ?? revocationRequestId;
    }
    const payment = await counterRepository.insertPayment(tx, {
      counterOrderId: order.id,
      officeCode: order.officeCode,
      channel: input.channel,
      amountFen: price,
      receiptNo: input.receiptNo,
      paidAt: now,
      recordedBy: actor.id,
    });
    if (!payment)
      throw new AppError('VALIDATION_FAILED', '该收据号已使用', { fields: { receiptNo: '该收据号已用于另一笔缴费，请核对收据' } });
    return applyTransition(COUNTER_WORKFLOW, tx, order, 'pay', staffParty(actor), now, {
      set: { materials, revocationRequestId },
      detail: { channel: input.channel, channelName: COUNTER_PAY_CHANNELS[input.channel], amountFen: price, receiptNo: input.receiptNo },
      ip: meta.ip,
    });
  });
}

export async function priceOf(db: DbOrTx, order: Pick<CounterOrderRow, 'projectCode' | 'keyType'>): Promise<number | null> {
  const project = await catalogRepository.get(db, order.projectCode);
  const key = project?.keys.find((k) => k.keyType === order.keyType);
  return key?.priceFen ?? null;
}

// ——— the order page ———

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
  const certOut = (c: NonNullable<typeof cert>) => ({
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
  });
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
    materials: counterMaterials(order.business, order.keyType).map((m) => {
      const scan = scans.find((x) => x.material === m.code);
      return {
        ...m,
        ticked: !!order.materials[m.code],
        scan: scan
          ? { id: scan.id, uploadedAt: scan.uploadedAt, originalName: scan.originalName, width: scan.width, height: scan.height }
          : null,
      };
    }),
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
