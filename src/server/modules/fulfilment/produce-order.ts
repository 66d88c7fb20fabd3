/**
 * 制证完成 (制证): the certificate is issued by the CA (and for a main key the seal made) and the invoice falls
 * due: seeds 000/001 "证书发票将在证书制作后3个工作日内发送至发票接收人邮箱", counted on the working-day
 * calendar (weekends, public holidays and 调休 make-up days).
 *
 * Issuance runs in two transactions around the signature (modules/certificates/issue.ts): tx1 records the
 * pending certificate, the signer signs outside any transaction, tx2 stores it and moves the order.
 */
import { calendarRepository } from '../calendar/repository.js';
import { AppError } from '../../../core/errors.js';
import { statusName } from '../../../core/workflow.js';
import { addWorkingDays } from '../../../core/working-days.js';
import type { Clock } from '../../clock.js';
import type { Config } from '../../config.js';
import type { Db, Tx } from '../../db/client.js';
import { organizationRepository } from '../accounts/repository.js';
import { catalogRepository } from '../catalog/repository.js';
import { caRuntime } from '../certificates/ca-runtime.js';
import { familyOfProject, prepareKey, recordIssuance, signRecorded, type IssuanceSubject, type KeySource } from '../certificates/issue.js';
import { certificateRepository, type CertificateRow } from '../certificates/repository.js';
import type { RequestMeta } from '../deps.js';
import { invoiceRepository } from '../invoices/repository.js';
import { orderRepository, type OrderRow } from '../orders/repository.js';
import { pairPkcs12, pendingEncryption, signEncryption, storeEncryption } from '../kmc/encryption-pair.js';
import { ORDER_WORKFLOW } from '../orders/order-workflow.js';
import { applyTransition, checkTransition, staffParty } from '../workflow/engine.js';
import type { StaffActor } from '../staff/staff-accounts.js';
import type { ProductionResult } from './production-port.js';

/** 发票: within 3 working days of 制证完成. */
export const INVOICE_WORKING_DAYS = 3;

export interface ProduceResult {
  order: OrderRow;
  certificate: CertificateRow;
  /** The encryption certificate of an SM2 pair (docs/kmc.md), issued with it. */
  encryptionCertificate?: CertificateRow;
  /** Why a pair project's encryption certificate was not issued (outside production, no KMC configured). */
  encryptionSkipped?: string;
  /** The generated key's PKCS#12 (with a pair: both key pairs), handed back once (never stored). */
  pkcs12?: Buffer;
}

/** An online order as an issuance subject (its organization read in the same transaction). */
async function orderSubject(tx: Tx, order: OrderRow): Promise<IssuanceSubject> {
  const org = await organizationRepository.findById(tx, order.organizationId);
  if (!org) throw new AppError('NOT_FOUND', '找不到订单的申请单位');
  return {
    live: await certificateRepository.liveForOrder(tx, order.id, true),
    organizationId: org.id,
    uscc: org.uscc,
    unitName: org.name,
    projectCode: order.projectCode,
    keyType: order.keyType as 'main' | 'sub',
    source: 'online',
    orderId: order.id,
    retryLabel: '重新制证',
  };
}

/** Test seams: where a crash is simulated (after tx1, before the signature is stored). */
export interface ProduceFaults {
  afterRecord?: (row: CertificateRow) => Promise<void>;
}

export async function produceOrder(
  deps: { db: Db; clock: Clock; config: Config; faults?: ProduceFaults },
  actor: StaffActor,
  orderId: string,
  key: KeySource,
  meta: RequestMeta,
): Promise<ProduceResult> {
  const { db } = deps;
  const party = staffParty(actor);
  // Checks that need no lock first, so a refused step costs no key generation.
  const before = await orderRepository.findById(db, orderId);
  if (!before) throw new AppError('NOT_FOUND', '找不到该订单');
  checkTransition(ORDER_WORKFLOW, before, 'produce', party);
  const project = await catalogRepository.get(db, before.projectCode);
  if (!project) throw new AppError('NOT_FOUND', '找不到订单的证书项目');
  const ca = await caRuntime(deps.config.ca);
  const issuing = ca.issuing(familyOfProject(project.certFamily));
  const prepared = await prepareKey(issuing.family, key);

  // tx1: record serial + TBS (or find the retry's row).
  const recordedAt = deps.clock.now();
  const ctx = { staffId: actor.id, at: recordedAt, baseUrl: ca.config.baseUrl, policyOid: ca.config.policyOid };
  const lockSubject = async (tx: Tx) => {
    const order = await orderRepository.lockById(tx, orderId);
    if (!order) throw new AppError('NOT_FOUND', '找不到该订单');
    checkTransition(ORDER_WORKFLOW, order, 'produce', party);
    return orderSubject(tx, order);
  };
  const { row } = await db.transaction(async (tx) => recordIssuance(tx, await lockSubject(tx), { ...ctx, issuing, key: prepared }));
  await deps.faults?.afterRecord?.(row);
  // A pair project's encryption certificate: its key made, escrowed and enveloped by the KMC, recorded (tx1b).
  const { enc, prepared: encryption } = await pendingEncryption(deps, project, issuing, prepared, row, ctx, lockSubject);

  // Sign outside any transaction; the PKCS#12 too, so tx2 stores only what is complete.
  const der = row.status === 'pending' ? await signRecorded(row, issuing) : null;
  const encDer = await signEncryption(enc, issuing);
  const pkcs12 =
    der && prepared.generated && key.kind === 'generate'
      ? await pairPkcs12({
          signing: { key: prepared.generated, certDer: der },
          ...(encDer && encryption.kind === 'pair' ? { encryption: { envelope: encryption.pair.envelope, certDer: encDer } } : {}),
          issuing,
          password: key.password,
        })
      : undefined;

  // tx2: store the certificate (CAS pending → issued) and move the order (CAS in_production → produced).
  const now = deps.clock.now();
  const outcome = await db.transaction(async (tx) => {
    const order = await orderRepository.lockById(tx, orderId);
    if (!order) throw new AppError('NOT_FOUND', '找不到该订单');
    let cert = row;
    if (der) {
      const stored = await certificateRepository.storeIssued(tx, row.id, der, now);
      if (!stored) throw new AppError('CONFLICT', '此次签发已被另一次制证操作取代，请刷新页面查看');
      cert = stored;
    }
    const encCert = await storeEncryption(tx, enc, encDer, now);
    try {
      checkTransition(ORDER_WORKFLOW, order, 'produce', party);
    } catch {
      // Signed and stored, but the order is no longer in 正在制证: keep the certificate, flag it for staff.
      await certificateRepository.flag(tx, cert.id, `签发后订单状态已变为“${statusName(order.status)}”，请核对`, now);
      return { moved: order.status };
    }
    const result: ProductionResult = {
      method: 'ca',
      certificate: true,
      certificateId: cert.id,
      serial: cert.serial,
      keySource: cert.keySource === 'generated' || cert.keySource === 'token' ? cert.keySource : 'csr',
      ...(cert.tokenSerial ? { tokenSerial: cert.tokenSerial } : {}),
      ...(encCert ? { encryption: { certificateId: encCert.id, serial: encCert.serial } } : {}),
      seal: order.keyType === 'main',
      confirmedBy: actor.id,
    };
    const updated = await applyTransition(ORDER_WORKFLOW, tx, order, 'produce', party, now, {
      set: { producedAt: now },
      detail: { production: result },
      audit: {
        method: result.method,
        seal: result.seal,
        serial: cert.serial,
        keySource: result.keySource,
        ...(cert.tokenSerial ? { tokenSerial: cert.tokenSerial } : {}),
        ...(encCert ? { encryptionSerial: encCert.serial } : encryption.kind === 'skipped' ? { encryptionSkipped: true } : {}),
      },
      ip: meta.ip,
    });
    const dueAt = addWorkingDays(now, INVOICE_WORKING_DAYS, await calendarRepository.exceptions(tx));
    await invoiceRepository.makeDue(tx, order.id, dueAt);
    return { order: updated, certificate: cert, ...(encCert ? { encryptionCertificate: encCert } : {}) };
  });
  if ('moved' in outcome)
    throw new AppError('CONFLICT', `证书已签发，但订单状态已变为“${statusName(String(outcome.moved))}”，已标记待核对`);
  return {
    ...outcome,
    ...(encryption.kind === 'skipped' ? { encryptionSkipped: encryption.reason } : {}),
    ...(pkcs12 ? { pkcs12 } : {}),
  };
}
