/**
 * 提交资料: a clerk opens a counter order of type 新办/补办/变更/续费 for an organization.
 *
 * The main/sub rule (core/requirements.ts) is checked for 新办 under the same per-organization-and-project
 * advisory lock as online orders, and modules/certificates/key-holdings.ts counts open counter 新办 main keys, so
 * the rule holds across both. 补办/变更/续费 replace one certificate of the organization with another of the
 * same project and key type; the replaced certificate's row is locked, so one successor per certificate.
 */
import { randomInt } from 'node:crypto';
import { REPLACEMENT_REVOCATION, type CounterBusiness, type KeyType } from '../../../core/counter.js';
import type { CounterOpenInput } from '../../../core/counter-schemas.js';
import { AppError } from '../../../core/errors.js';
import { makeOrderNumber } from '../../../core/order-number.js';
import { allowedKeyTypes } from '../../../core/requirements.js';
import { revocationReasonLabel } from '../../../core/revocation-reasons.js';
import type { Tx } from '../../db/client.js';
import { organizationRepository, type OrganizationRow } from '../accounts/repository.js';
import { auditRepository } from '../audit/repository.js';
import { catalogRepository } from '../catalog/repository.js';
import { keyHoldings } from '../certificates/key-holdings.js';
import type { RequestMeta } from '../deps.js';
import { orderRepository } from '../orders/repository.js';
import { clearRenewalForCounter } from '../renewal/counter-handover.js';
import { revocationRepository } from '../revocation/repository.js';
import type { StaffActor } from '../staff/staff-accounts.js';
import type { CounterDeps } from './counter-access.js';
import { requireOffice } from './offices.js';
import { counterRepository } from './repository.js';

/** What the order is for: the project and key, and for 补办/变更/续费 the certificate it replaces. */
type OrderSubject = { projectCode: string; keyType: KeyType; replaces: string | null; revocationReason: number | null };

const lockProject = (tx: Tx, organizationId: string, projectCode: string) =>
  orderRepository.lockOrganizationProject(tx, organizationId, projectCode);

/** 新办: a priced key of an active project, allowed by the main/sub rule under the project's lock. */
async function newKey(tx: Tx, org: OrganizationRow, input: CounterOpenInput, now: Date): Promise<OrderSubject> {
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
  return { projectCode: project.code, keyType: input.keyType!, replaces: null, revocationReason: null };
}

/** 补办/变更/续费: an issued certificate of the organization, not yet replaced, locked with its project. */
async function replacedCertificate(
  tx: Tx,
  org: OrganizationRow,
  business: Exclude<CounterBusiness, 'new'>,
  input: CounterOpenInput,
): Promise<OrderSubject> {
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
  let revocationReason: number | null = null;
  if (business === 'reissue' || business === 'change') {
    const allowed: readonly number[] = REPLACEMENT_REVOCATION[business];
    revocationReason = input.revocationReason ?? allowed[0]!;
    if (!allowed.includes(revocationReason))
      throw new AppError('VALIDATION_FAILED', '吊销原因不正确', {
        fields: { revocationReason: `请选择：${allowed.map((c) => revocationReasonLabel(c)).join('或')}` },
      });
  }
  await lockProject(tx, org.id, cert.projectCode);
  return { projectCode: cert.projectCode, keyType: cert.keyType, replaces: cert.id, revocationReason };
}

export async function openCounterOrder(deps: CounterDeps, actor: StaffActor, input: CounterOpenInput, meta: RequestMeta) {
  const office = await requireOffice(deps.db, actor);
  const now = deps.clock.now();
  const business = input.business as CounterBusiness;
  return deps.db.transaction(async (tx) => {
    const org = await organizationRepository.findById(tx, input.organizationId);
    if (!org) throw new AppError('NOT_FOUND', '找不到该申请单位');
    const { projectCode, keyType, replaces, revocationReason } =
      business === 'new' ? await newKey(tx, org, input, now) : await replacedCertificate(tx, org, business, input);
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
