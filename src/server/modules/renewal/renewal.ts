/**
 * 在线续费 (issue 20; docs/agent.md "Online renewal"): the organization renews a certificate with its UKEY
 * plugged in, through the 证书助手, with no paper, no counter and no staff step.
 *
 *   start    SMS code to the registered mobile checked (modules/my-certificates/revocation-code.ts, purpose
 *            'renew') → a renewal 'started', bound to the certificate and the chosen UKEY;
 *   request  the agent made a new key pair on the UKEY and a PKCS#10 request (self-signed: the new key's
 *            proof of possession); the server answers a challenge = 32 random bytes ‖ SHA-256(request);
 *   proof    the agent signed that challenge with the OLD certificate's key (its fixed prefix and the portal
 *            origin before it, core/agent-challenge.ts); verified against the old certificate → 'proven';
 *   pay      WeChat Pay / Alipay for the catalog price (payment.ts) → 'paid';
 *   issue    the CA signs the stored request (the one way a certificate is made: recordIssuance +
 *            signRecorded, through the signer service when configured), one year past the old expiry
 *            (core/certificate-validity.ts) → 'issued';
 *   confirm  the page wrote it to the UKEY and read it back; the server compares it byte for byte →
 *            'completed', and the old certificate is revoked as superseded in the same transaction.
 *
 * Why the challenge carries the request's hash: the old key then signs *this* request — new public key and
 * subject — and the request is signed by the new key, so the CA holds one statement signed by both keys
 * without the agent ever signing bytes a page chose (it signs only prefix + origin + challenge, and the
 * server built the challenge). A signature for another request, another renewal, another site, or a second
 * use of the same challenge verifies nothing: the challenge is random, stored, used once, 5 minutes, 5 tries
 * counted before the signature is checked.
 *
 * Every status move is compare-and-set with an event row and an audit row in the same transaction. A
 * browser closed at any point loses nothing: the renewal and its request are stored, the page finds the open
 * renewal again (one per certificate) and carries on from its status.
 */
import { createHash, randomBytes } from 'node:crypto';
import { certificatePem, parseCertificate, pemToDer } from '../../../ca/cert/parse.js';
import { parseCsr } from '../../../ca/csr.js';
import type { KeyAlgorithm } from '../../../ca/signer/port.js';
import { verifySignature } from '../../../ca/signer/software.js';
import { challengeMessage } from '../../../core/agent-challenge.js';
import { certificateValidity, VALIDITY_BASIS_TEXT } from '../../../core/certificate-validity.js';
import { AppError, validationFailed } from '../../../core/errors.js';
import { maskMobile } from '../../../core/mobile.js';
import type { Config } from '../../config.js';
import type { Db, DbOrTx } from '../../db/client.js';
import type { RenewalStatus } from '../../db/schema-renewals.js';
import { organizationRepository, type OrganizationRow } from '../accounts/repository.js';
import { auditRepository } from '../audit/repository.js';
import { caRuntime } from '../certificates/ca-runtime.js';
import { prepareKey, recordIssuance, signRecorded, type IssuanceSubject } from '../certificates/issue.js';
import { certificateRepository, type CertificateRow } from '../certificates/repository.js';
import { displaySerial } from '../certificates/registry.js';
import type { RequestMeta, UseCaseDeps } from '../deps.js';
import { myCertificatesRepository } from '../my-certificates/repository.js';
import { checkCertificateCode, sendCertificateCode, useCertificateCode } from '../my-certificates/revocation-code.js';
import { priceOf } from '../payments/payments.js';
import { COMPLETE_CRL, shardOfSerialHex } from '../revocation/crl-scopes.js';
import { revocationRepository } from '../revocation/repository.js';
import { renewalRepository, type RenewalPaymentRow, type RenewalRow } from './repository.js';
import { assertRenewable, refusalOf, RENEWAL_STATUS_LABEL, renewalWindow } from './rules.js';

export const CHALLENGE_TTL_MS = 5 * 60_000;
export const PROOF_TRIES = 5;
/** RFC 5280 CRLReason superseded: the renewed certificate replaces it. */
export const SUPERSEDED = 4;

type Deps = Pick<UseCaseDeps, 'db' | 'clock' | 'config'>;
const sha256 = (b: Uint8Array) => createHash('sha256').update(b).digest();

/** The organization's own certificate, or "not found" (another's certificate is not confirmed to exist). */
async function ownCertificate(db: DbOrTx, org: OrganizationRow, certificateId: string): Promise<CertificateRow> {
  const cert = await myCertificatesRepository.ownCertificate(db, org.id, certificateId);
  if (!cert) throw new AppError('NOT_FOUND', '找不到该证书');
  return cert;
}

/** The organization's own renewal (another's is "not found"), with its certificate. */
async function ownRenewal(db: DbOrTx, org: OrganizationRow, id: string, lock = false) {
  const r = await renewalRepository.findById(db, id, lock);
  if (!r || r.organizationId !== org.id) throw new AppError('NOT_FOUND', '找不到该续费记录');
  const cert = await certificateRepository.findById(db, r.certificateId);
  if (!cert) throw new AppError('NOT_FOUND', '找不到该续费记录的证书');
  return { renewal: r, cert };
}

const wrongStep = (r: RenewalRow, what: string) =>
  new AppError('CONFLICT', `续费当前状态为“${RENEWAL_STATUS_LABEL[r.status]}”，不能${what}，请刷新页面按提示继续`);

/** An event row and an audit row for one step, in the step's transaction (a staff member's: counter-handover.ts). */
export async function recordStep(
  tx: DbOrTx,
  r: Pick<RenewalRow, 'id' | 'organizationId' | 'certificateId'>,
  step: { action: string; from: RenewalStatus | null; to: RenewalStatus | null; detail?: Record<string, unknown> },
  actor: { type: 'org' | 'system'; ip?: string | null } | { type: 'staff'; id: string; ip?: string | null },
  at: Date,
) {
  const detail = { certificateId: r.certificateId, ...step.detail };
  const actorId = actor.type === 'org' ? r.organizationId : actor.type === 'staff' ? actor.id : null;
  await renewalRepository.addEvent(tx, {
    renewalId: r.id,
    actorType: actor.type,
    actorId,
    action: step.action,
    fromStatus: step.from,
    toStatus: step.to,
    detail,
    at,
  });
  await auditRepository.record(tx, {
    actorType: actor.type,
    actorId,
    action: step.action,
    targetType: 'renewal',
    targetId: r.id,
    detail: { from: step.from, to: step.to, ...detail },
    ip: actor.ip ?? null,
    at,
  });
}

// ——— what the page shows ———

function paymentView(p: RenewalPaymentRow, now: Date) {
  return {
    channel: p.channel,
    status: p.status === 'pending' && p.expiresAt <= now ? ('expired' as const) : p.status,
    codeUrl: p.status === 'pending' && p.expiresAt > now ? p.codeUrl : null,
    expiresAt: p.expiresAt,
    amountFen: p.amountFen,
    transactionId: p.status === 'paid' ? p.transactionId : null,
    paidAt: p.paidAt,
  };
}

export async function renewalView(db: DbOrTx, r: RenewalRow, now: Date) {
  const fresh = r.newCertificateId ? await certificateRepository.findById(db, r.newCertificateId) : undefined;
  const payments = await renewalRepository.paymentsOf(db, r.id);
  return {
    id: r.id,
    certificateId: r.certificateId,
    status: r.status,
    statusLabel: RENEWAL_STATUS_LABEL[r.status],
    tokenSerial: r.tokenSerial,
    newKeyId: r.newKeyId,
    requestSubmitted: r.csr !== null,
    amountFen: r.amountFen,
    paidAt: r.paidAt,
    completedAt: r.completedAt,
    payments: payments.map((p) => paymentView(p, now)),
    newCertificate:
      fresh?.der && (fresh.status === 'issued' || fresh.status === 'revoked')
        ? {
            id: fresh.id,
            serialDisplay: displaySerial(fresh.serial),
            notBefore: fresh.notBefore,
            notAfter: fresh.notAfter,
            pem: certificatePem(fresh.der),
          }
        : null,
  };
}
export type RenewalView = Awaited<ReturnType<typeof renewalView>>;

/** Before anything: can this certificate be renewed online, for how much, until when — and an open renewal to resume. */
export async function renewalInfo(deps: Deps, org: OrganizationRow, certificateId: string) {
  const cert = await ownCertificate(deps.db, org, certificateId);
  const now = deps.clock.now();
  const latest = await renewalRepository.latestFor(deps.db, cert.id);
  const open = latest && latest.status !== 'completed' && latest.status !== 'cancelled' ? latest : undefined;
  const refusal = open ? null : await refusalOf(deps.db, org, cert, now);
  const price = await priceOf(deps.db, cert).catch(() => null);
  const validity = certificateValidity(now, 'renew', cert);
  return {
    certificate: {
      id: cert.id,
      serialDisplay: displaySerial(cert.serial),
      /** The serial as the 证书助手 reports it (lower-case hex): the page finds the UKEY holding it. */
      serial: cert.serial,
      unitName: cert.unitName,
      uscc: cert.uscc,
      family: cert.family,
      keyType: cert.keyType,
      projectCode: cert.projectCode,
      notBefore: cert.notBefore,
      notAfter: cert.notAfter,
    },
    window: renewalWindow(cert),
    canStart: !open && !refusal && price !== null,
    refusal:
      refusal ??
      (price === null && !open ? { reason: '该证书项目的价格尚未确定，暂不能在线续费，请联系客服400-800-1040', counter: null } : null),
    price,
    newValidity: { notAfter: validity.notAfter, basis: VALIDITY_BASIS_TEXT[validity.basis] },
    maskedMobile: maskMobile(org.mobile),
    renewal: open ? await renewalView(deps.db, open, now) : latest?.status === 'completed' ? await renewalView(deps.db, latest, now) : null,
  };
}

// ——— start ———

export async function sendRenewalCode(deps: UseCaseDeps, org: OrganizationRow, certificateId: string, meta: RequestMeta) {
  return sendCertificateCode(
    deps,
    org,
    certificateId,
    'renew',
    async () => {
      const cert = await ownCertificate(deps.db, org, certificateId);
      if (await renewalRepository.openFor(deps.db, cert.id)) throw new AppError('CONFLICT', '该证书已有进行中的在线续费，请继续办理');
      await assertRenewable(deps.db, org, cert, deps.clock.now());
      return cert;
    },
    meta,
  );
}

export async function startRenewal(
  deps: Deps,
  org: OrganizationRow,
  certificateId: string,
  input: { code: string; tokenSerial: string },
  meta: RequestMeta,
): Promise<RenewalView> {
  const cert = await ownCertificate(deps.db, org, certificateId);
  if (await renewalRepository.openFor(deps.db, cert.id))
    throw new AppError('CONFLICT', '该证书已有进行中的在线续费（每张证书同时只能办理一次），请刷新页面继续办理');
  await assertRenewable(deps.db, org, cert, deps.clock.now());
  // The try is spent before the code is compared (checkCertificateCode), and nothing else changes on a wrong code.
  const codeId = await checkCertificateCode(deps, 'renew', org.id, cert.id, input.code);
  const now = deps.clock.now();
  const row = await deps.db.transaction(async (tx) => {
    const locked = await revocationRepository.lockCertificate(tx, cert.id);
    if (!locked) throw new AppError('NOT_FOUND', '找不到该证书');
    await assertRenewable(tx, org, locked, now);
    const r = await renewalRepository.insert(tx, {
      organizationId: org.id,
      certificateId: cert.id,
      status: 'started',
      tokenSerial: input.tokenSerial,
      createdAt: now,
      statusChangedAt: now,
      updatedAt: now,
    });
    if (!r) throw new AppError('CONFLICT', '该证书已有进行中的在线续费（每张证书同时只能办理一次），请刷新页面继续办理');
    await useCertificateCode(tx, codeId, now);
    await recordStep(
      tx,
      r,
      { action: 'renewal.start', from: null, to: 'started', detail: { serial: cert.serial, tokenSerial: input.tokenSerial } },
      { type: 'org', ip: meta.ip },
      now,
    );
    return r;
  });
  return renewalView(deps.db, row, now);
}

// ——— the request and the old key's proof ———

/** Stores the request made on the UKEY and answers the challenge the old key must sign (bound to the request's hash). */
export async function renewalChallenge(
  deps: Deps,
  org: OrganizationRow,
  id: string,
  input: { csr: string; keyId: string },
  meta: RequestMeta,
): Promise<{ challenge: string; expiresAt: Date }> {
  const { renewal, cert } = await ownRenewal(deps.db, org, id);
  if (renewal.status !== 'started') throw wrongStep(renewal, '提交证书请求');
  let der: Uint8Array;
  try {
    der = pemToDer(input.csr, 'CERTIFICATE REQUEST');
  } catch {
    throw validationFailed({ csr: '证书请求必须是 PEM 格式的 PKCS#10 请求（由证书助手在 UKEY 上生成）' });
  }
  const csr = parseCsr(der);
  if (!csr.ok) throw validationFailed({ csr: csr.reason });
  if (csr.algorithm !== cert.family)
    throw validationFailed({ csr: `证书请求的密钥类型（${csr.algorithm}）与原证书（${cert.family}）不同，请在同一只 UKEY 上重新生成` });
  if (csr.subject.uscc !== cert.uscc) throw validationFailed({ csr: '证书请求中的统一社会信用代码与原证书不一致' });
  if (cert.der && Buffer.from(parseCertificate(cert.der).spki).equals(Buffer.from(csr.spki)))
    throw validationFailed({ csr: '证书请求使用的是原证书的密钥：续费须在 UKEY 上生成新的密钥' });
  const challenge = Buffer.concat([randomBytes(32), sha256(der)]);
  const now = deps.clock.now();
  const expiresAt = new Date(now.getTime() + CHALLENGE_TTL_MS);
  await deps.db.transaction(async (tx) => {
    const r = await renewalRepository.setChallenge(
      tx,
      renewal.id,
      { csr: Buffer.from(der), csrSha256: sha256(der).toString('hex'), newKeyId: input.keyId, challenge, challengeExpiresAt: expiresAt },
      now,
    );
    if (!r) throw wrongStep(renewal, '提交证书请求');
    await recordStep(
      tx,
      r,
      { action: 'renewal.request', from: 'started', to: 'started', detail: { csrSha256: r.csrSha256, newKeyId: input.keyId } },
      { type: 'org', ip: meta.ip },
      now,
    );
  });
  return { challenge: challenge.toString('base64'), expiresAt };
}

/**
 * Verifies the old key's signature over prefix + origin + challenge. `origin` is the portal's own (the
 * configured public URL's, else the origin the browser sent), so a signature the agent made for another
 * site never verifies here.
 */
export async function renewalProof(
  deps: Deps,
  org: OrganizationRow,
  id: string,
  input: { signature: string },
  origin: string,
  meta: RequestMeta,
): Promise<RenewalView> {
  const { renewal, cert } = await ownRenewal(deps.db, org, id);
  if (renewal.status !== 'started' || !renewal.challenge) throw wrongStep(renewal, '核验 UKEY');
  const now = deps.clock.now();
  const dead = () =>
    new AppError('CONFLICT', 'UKEY 核验的挑战已失效（已使用、已过期或尝试次数过多），请在本页重新核验 UKEY（会重新生成挑战）');
  const tries = await renewalRepository.takeProofAttempt(deps.db, renewal.id, PROOF_TRIES, now);
  if (tries === undefined) throw dead();
  const signature = Buffer.from(input.signature, 'base64');
  const signed = challengeMessage(origin, renewal.challenge);
  const spki = parseCertificate(cert.der!).spki;
  if (!verifySignature(spki, cert.family as KeyAlgorithm, signed, signature)) {
    const left = PROOF_TRIES - tries;
    throw validationFailed({
      signature:
        left > 0
          ? `UKEY 签名核验未通过：签名不是原证书的密钥所做（请确认插入的是原证书所在的 UKEY），还可尝试${left}次`
          : 'UKEY 签名核验未通过的次数过多，请重新核验 UKEY',
    });
  }
  return deps.db.transaction(async (tx) => {
    const price = await priceOf(tx as unknown as Db, cert);
    const r = await renewalRepository.move(
      tx,
      renewal.id,
      'started',
      'proven',
      { challengeUsedAt: now, proofSignature: signature, proofSignedData: signed, amountFen: price.amountFen },
      now,
    );
    // Compare-and-set on the challenge too: the same signature sent twice at once moves the renewal once.
    if (!r || r.challenge === null || !Buffer.from(r.challenge).equals(Buffer.from(renewal.challenge!))) throw dead();
    await recordStep(
      tx,
      r,
      { action: 'renewal.prove', from: 'started', to: 'proven', detail: { csrSha256: r.csrSha256, origin, amountFen: price.amountFen } },
      { type: 'org', ip: meta.ip },
      now,
    );
    return renewalView(tx, r, now);
  });
}

// ——— issue and confirm ———

/** Issues the renewed certificate for the stored request (a retry after a crash finds the pending row and signs it). */
export async function issueRenewal(deps: Deps, org: OrganizationRow, id: string, meta: RequestMeta): Promise<RenewalView> {
  const { renewal, cert } = await ownRenewal(deps.db, org, id);
  if (renewal.status === 'issued' || renewal.status === 'completed') return renewalView(deps.db, renewal, deps.clock.now());
  if (renewal.status !== 'paid' || !renewal.csr) throw wrongStep(renewal, '签发新证书');
  const ca = await caRuntime(deps.config.ca);
  const issuing = ca.issuing(cert.family as KeyAlgorithm);
  const prepared = await prepareKey(issuing.family, { kind: 'csr', csr: Buffer.from(renewal.csr).toString('base64') });

  // tx1: the pending row (or the retry's), linked to the certificate it renews.
  const recordedAt = deps.clock.now();
  const { row } = await deps.db.transaction(async (tx) => {
    const locked = await renewalRepository.findById(tx, id, true);
    if (!locked || locked.status !== 'paid') throw wrongStep(locked ?? renewal, '签发新证书');
    const owner = await organizationRepository.findById(tx, org.id);
    if (!owner) throw new AppError('NOT_FOUND', '找不到申请单位');
    const live = await renewalRepository.liveSuccessor(tx, cert.id);
    // The certificate was replaced at the counter meanwhile (续费/补办/变更 there): never bind that one to this renewal.
    if (live && live.counterOrderId)
      throw new AppError('CONFLICT', '该证书已在受理点办理了续费、补办或变更，在线续费不能继续：请联系客服400-800-1040办理退款');
    const subject: IssuanceSubject = {
      live,
      organizationId: owner.id,
      uscc: owner.uscc,
      unitName: owner.name,
      projectCode: cert.projectCode,
      keyType: cert.keyType,
      source: 'online',
      replacesId: cert.id,
      validity: certificateValidity(recordedAt, 'renew', cert),
      retryLabel: '重新签发续费证书',
    };
    return recordIssuance(tx, subject, {
      issuing,
      key: prepared,
      staffId: null,
      at: recordedAt,
      baseUrl: ca.config.baseUrl,
      policyOid: ca.config.policyOid,
    });
  });

  const der = row.status === 'pending' ? await signRecorded(row, issuing) : null;

  // tx2: store it (pending → issued) and move the renewal (paid → issued).
  const now = deps.clock.now();
  return deps.db.transaction(async (tx) => {
    let fresh = row;
    if (der) {
      const stored = await certificateRepository.storeIssued(tx, row.id, der, now);
      if (!stored) throw new AppError('CONFLICT', '此次签发已被另一次操作完成，请刷新页面');
      fresh = stored;
    }
    const r = await renewalRepository.move(tx, renewal.id, 'paid', 'issued', { newCertificateId: fresh.id }, now);
    if (!r) {
      const again = await renewalRepository.findById(tx, renewal.id);
      if (again?.status === 'issued' && again.newCertificateId === fresh.id) return renewalView(tx, again, now);
      throw wrongStep(again ?? renewal, '签发新证书');
    }
    await recordStep(
      tx,
      r,
      {
        action: 'renewal.issue',
        from: 'paid',
        to: 'issued',
        detail: { newCertificateId: fresh.id, serial: fresh.serial, notAfter: fresh.notAfter.toISOString(), csrSha256: r.csrSha256 },
      },
      { type: 'org', ip: meta.ip },
      now,
    );
    return renewalView(tx, r, now);
  });
}

/**
 * The page wrote the certificate to the UKEY and read it back through the 证书助手: what it read must be the
 * certificate issued, byte for byte. Then, in one transaction: the renewal completed, the old certificate
 * revoked as superseded (its OCSP answer dropped, its CRLs marked for republication). Returns the old
 * certificate's serial, for the route to republish after the commit.
 */
export async function confirmRenewal(
  deps: Deps,
  org: OrganizationRow,
  id: string,
  input: { certificate: string },
  meta: RequestMeta,
): Promise<{ view: RenewalView; revokedSerial: string | null }> {
  const { renewal, cert } = await ownRenewal(deps.db, org, id);
  if (renewal.status === 'completed') return { view: await renewalView(deps.db, renewal, deps.clock.now()), revokedSerial: null };
  if (renewal.status !== 'issued' || !renewal.newCertificateId) throw wrongStep(renewal, '确认写入');
  const fresh = await certificateRepository.findById(deps.db, renewal.newCertificateId);
  const readBack = Buffer.from(input.certificate, 'base64');
  if (!fresh?.der || !readBack.equals(Buffer.from(fresh.der)))
    throw validationFailed({ certificate: '从 UKEY 读回的证书与签发的新证书不一致：请重新写入 UKEY 后再确认' });
  const now = deps.clock.now();
  return deps.db.transaction(async (tx) => {
    // Lock order: certificate, then renewal (as revocation does: certificate, then request).
    await revocationRepository.lockCertificate(tx, cert.id);
    const r = await renewalRepository.move(tx, renewal.id, 'issued', 'completed', { completedAt: now }, now);
    if (!r) throw wrongStep(renewal, '确认写入');
    const revoked = await revocationRepository.revokeCertificate(tx, cert.id, now, SUPERSEDED);
    if (revoked) {
      // A stored `good` must not outlive this commit; both CRLs that list it are republished after it.
      await revocationRepository.dropOcsp(tx, cert.serial);
      await revocationRepository.markDirty(tx, cert.family, COMPLETE_CRL, now);
      await revocationRepository.markDirty(tx, cert.family, shardOfSerialHex(cert.serial), now);
      await auditRepository.record(tx, {
        actorType: 'system',
        actorId: null,
        action: 'certificate.revoke',
        targetType: 'certificate',
        targetId: cert.id,
        detail: { serial: cert.serial, reason: SUPERSEDED, reasonLabel: '已被新证书替代', renewalId: r.id, newCertificateId: fresh.id },
        ip: meta.ip,
        at: now,
      });
    }
    await recordStep(
      tx,
      r,
      {
        action: 'renewal.complete',
        from: 'issued',
        to: 'completed',
        detail: { newCertificateId: fresh.id, newSerial: fresh.serial, oldSerial: cert.serial, oldRevoked: !!revoked },
      },
      { type: 'org', ip: meta.ip },
      now,
    );
    return { view: await renewalView(tx, r, now), revokedSerial: revoked ? cert.serial : null };
  });
}

export async function renewalOf(deps: Pick<Deps, 'db' | 'clock'>, org: OrganizationRow, id: string) {
  const { renewal } = await ownRenewal(deps.db, org, id);
  return renewal;
}

/** The origin the agent must have signed for: the configured public URL's, else what the browser sent. */
export function portalOrigin(config: Pick<Config, 'publicUrl'>, requestOrigin: string | undefined): string {
  if (config.publicUrl) return new URL(config.publicUrl).origin;
  if (!requestOrigin) throw new AppError('BAD_REQUEST', '请求缺少 Origin，请在门户网页中操作');
  return requestOrigin;
}
