/**
 * 制作证书 at the counter: issues a real certificate the one way online 制证 does (recordIssuance and
 * signRecorded in modules/certificates/issue.ts; Boulder's order): tx1 locks the counter order and records the
 * pending row (serial + linted TBS) — or finds the retry's; the signature is made outside any transaction (by the
 * CA signer service when there is one: docs/ca-signer.md); tx2 stores it
 * (compare-and-set pending → issued) and moves the counter order 审核通过 → 证书已制作 with its event.
 *
 * The registry row says source 'counter', carries the counter order and, for 补办/变更/续费, the certificate it
 * replaces (`replaces_id`). 变更 issues with the new unit name and renames the organization (compare-and-set
 * on the name it had when the order was opened). How long it runs is the one validity rule
 * (core/certificate-validity.ts): a 续费 adds a year to the old expiry, it never restarts the year.
 */
import { certificateValidity, type Validity } from '../../../core/certificate-validity.js';
import { AppError } from '../../../core/errors.js';
import type { DbOrTx, Tx } from '../../db/client.js';
import { organizationRepository } from '../accounts/repository.js';
import { auditRepository } from '../audit/repository.js';
import { catalogRepository } from '../catalog/repository.js';
import { caRuntime } from '../certificates/ca-runtime.js';
import { familyOfProject, prepareKey, recordIssuance, signRecorded, type IssuanceSubject, type KeySource } from '../certificates/issue.js';
import { certificateRepository, type CertificateRow } from '../certificates/repository.js';
import type { RequestMeta } from '../deps.js';
import { pairPkcs12, pendingEncryption, signEncryption, storeEncryption } from '../kmc/encryption-pair.js';
import type { StaffActor } from '../staff/staff-accounts.js';
import { applyTransition, checkTransition, staffParty } from '../workflow/engine.js';
import { loadForActor, type CounterDeps } from './counter-access.js';
import { COUNTER_WORKFLOW } from './counter-workflow.js';
import { counterRepository, type CounterOrderRow } from './repository.js';

/**
 * The new certificate's validity by the one rule (core/certificate-validity.ts): 续费 runs a year past the
 * renewed certificate's expiry, 补办/变更 never end before the one they replace.
 */
async function counterValidity(db: DbOrTx, order: CounterOrderRow, at: Date): Promise<Validity> {
  const replaced = order.replacesCertificateId ? await certificateRepository.findById(db, order.replacesCertificateId) : undefined;
  if (order.replacesCertificateId && !replaced) throw new AppError('NOT_FOUND', '找不到本业务所办理的原证书');
  return certificateValidity(at, order.business, replaced);
}

export async function produceAtCounter(
  deps: CounterDeps,
  actor: StaffActor,
  id: string,
  key: KeySource,
  meta: RequestMeta,
): Promise<{
  order: CounterOrderRow;
  certificate: CertificateRow;
  encryptionCertificate?: CertificateRow;
  encryptionSkipped?: string;
  pkcs12?: Buffer;
}> {
  const { db } = deps;
  const before = await loadForActor(db, actor, id);
  checkTransition(COUNTER_WORKFLOW, before, 'produce', staffParty(actor));
  const project = await catalogRepository.get(db, before.projectCode);
  if (!project) throw new AppError('NOT_FOUND', '找不到该业务的证书项目');
  const ca = await caRuntime(deps.config.ca);
  const issuing = ca.issuing(familyOfProject(project.certFamily));
  const prepared = await prepareKey(issuing.family, key);

  // tx1: the pending row (or the retry's).
  const recordedAt = deps.clock.now();
  const ctx = { staffId: actor.id, at: recordedAt, baseUrl: ca.config.baseUrl, policyOid: ca.config.policyOid };
  const lockSubject = async (tx: Tx): Promise<IssuanceSubject> => {
    const order = await loadForActor(tx, actor, id, true);
    checkTransition(COUNTER_WORKFLOW, order, 'produce', staffParty(actor));
    const org = await organizationRepository.findById(tx, order.organizationId);
    if (!org) throw new AppError('NOT_FOUND', '找不到该业务的申请单位');
    const subject: IssuanceSubject = {
      live: await counterRepository.liveForCounterOrder(tx, order.id, true),
      organizationId: org.id,
      uscc: org.uscc,
      unitName: order.newUnitName ?? org.name,
      projectCode: order.projectCode,
      keyType: order.keyType,
      source: 'counter',
      counterOrderId: order.id,
      replacesId: order.replacesCertificateId,
      validity: await counterValidity(tx, order, recordedAt),
      retryLabel: '重新制作证书',
    };
    return subject;
  };
  const { row } = await db.transaction(async (tx) => recordIssuance(tx, await lockSubject(tx), { ...ctx, issuing, key: prepared }));
  // A pair project's encryption certificate (docs/kmc.md), as online: the KMC's key pair, recorded in tx1b.
  const { enc, prepared: encryption } = await pendingEncryption(deps, project, issuing, prepared, row, ctx, lockSubject);

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

  // tx2: store (CAS pending → issued) and move the counter order (CAS 审核通过 → 证书已制作).
  const now = deps.clock.now();
  return db.transaction(async (tx) => {
    const order = await loadForActor(tx, actor, id, true);
    let cert = row;
    if (der) {
      const stored = await certificateRepository.storeIssued(tx, row.id, der, now);
      if (!stored) throw new AppError('CONFLICT', '此次签发已被另一次制作证书操作取代，请刷新页面查看');
      cert = stored;
    }
    const encCert = await storeEncryption(tx, enc, encDer, now);
    let renamed: boolean | null = null;
    if (order.business === 'change' && order.newUnitName)
      renamed = await organizationRepository.rename(tx, order.organizationId, order.unitName, order.newUnitName, now);
    const updated = await applyTransition(COUNTER_WORKFLOW, tx, order, 'produce', staffParty(actor), now, {
      set: { certificateId: cert.id },
      detail: {
        certificateId: cert.id,
        serial: cert.serial,
        keySource: cert.keySource,
        ...(encCert ? { encryptionCertificateId: encCert.id, encryptionSerial: encCert.serial } : {}),
        ...(cert.tokenSerial ? { tokenSerial: cert.tokenSerial } : {}),
        replaces: order.replacesCertificateId,
        ...(renamed === null ? {} : { renamed, newUnitName: order.newUnitName }),
      },
      ip: meta.ip,
    });
    if (renamed !== null)
      await auditRepository.record(tx, {
        actorType: 'staff',
        actorId: actor.id,
        action: 'organization.rename',
        targetType: 'organization',
        targetId: order.organizationId,
        detail: { from: order.unitName, to: order.newUnitName, counterOrderNo: order.orderNo, applied: renamed },
        ip: meta.ip,
        at: now,
      });
    return {
      order: updated,
      certificate: cert,
      ...(encCert ? { encryptionCertificate: encCert } : {}),
      ...(encryption.kind === 'skipped' ? { encryptionSkipped: encryption.reason } : {}),
      ...(pkcs12 ? { pkcs12 } : {}),
    };
  });
}
