/**
 * Issuing an order's certificate, in Boulder's order (docs/principles.md 4; issue 6):
 *
 *   tx1  lock the order; reuse its live issuance if there is one (a retry), else allocate a serial (16
 *        CSPRNG bytes, ca/cert/serial.ts), build the to-be-signed certificate from the order, lint it
 *        against the profile, and INSERT it as a 'pending' row — committed before anything is signed;
 *        sign outside any transaction (the software signer is local CPU; a PKCS#11 signer is the outside
 *        world);
 *   tx2  compare-and-set the row pending → issued with its DER, and move the order to 制证完成.
 *
 * A crash between tx1 and tx2 leaves a pending row whose serial and TBS the registry knows, and at most a
 * signature that died with the process; the retry signs that same TBS (same CSR key) or, when the key is
 * gone (a generated key never leaves memory), gives the row up as 'failed' and starts over — the order
 * still gets exactly one certificate. If the order moved on while signing (cannot happen through the
 * workflow today, but the CAS says so if it does), the certificate stays issued and is flagged for staff.
 */
import { createHash } from 'node:crypto';
import { encodeTbs, keyIdentifier, signCertificate } from '../../../ca/cert/build.js';
import { newSerial, serialHex } from '../../../ca/cert/serial.js';
import { parseCsr } from '../../../ca/csr.js';
import { lintTbs, type LintProblem } from '../../../ca/cert/lint.js';
import { ENCRYPTION_KEY_USAGE, SUBSCRIBER_EKU, subscriberProfile } from '../../../ca/cert/profiles.js';
import { caPublicUrls } from '../../../ca/public-urls.js';
import { generateSigningKey, type SoftwareKey } from '../../../ca/signer/software.js';
import type { KeyAlgorithm } from '../../../ca/signer/port.js';
import { inspectSpki } from '../../../ca/spki.js';
import { certificateValidity, type Validity } from '../../../core/certificate-validity.js';
import { AppError, validationFailed } from '../../../core/errors.js';
import type { Tx } from '../../db/client.js';
import { certificatesSigned, timedSignature } from '../../metrics.js';
import type { IssuingCa } from './ca-runtime.js';
import { certificateRepository, normalizeSerial, type CertificateRow } from './repository.js';

/** How the key pair comes at 制证. */
export type KeySource =
  | { kind: 'csr'; csr: string }
  | { kind: 'generate'; password: string }
  /** Made on a UKEY by the 证书助手 at the 制证 workstation: its request and the token's serial. */
  | { kind: 'token'; csr: string; tokenSerial: string };

export const FAMILY_LABEL: Record<KeyAlgorithm, string> = { sm2: 'SM2', 'ecdsa-p256': 'ECDSA P-256', 'rsa-2048': 'RSA' };

/** The catalog's family names (projects.cert_family) → the CA's. */
export function familyOfProject(certFamily: string): KeyAlgorithm {
  if (certFamily === 'ecdsa' || certFamily === 'ecdsa-p256') return 'ecdsa-p256';
  if (certFamily === 'rsa' || certFamily === 'rsa-2048') return 'rsa-2048';
  return 'sm2';
}

export interface PreparedKey {
  spki: Uint8Array;
  /** A key the system generated (系统生成): in memory only, until it goes into the PKCS#12. */
  generated?: SoftwareKey;
  /** The UKEY the key was made on (key source 'token'), recorded in the registry. */
  tokenSerial?: string;
}

/** Checks the customer's PKCS#10 (signature = proof of possession, key family) or generates a key pair. */
export async function prepareKey(family: KeyAlgorithm, source: KeySource): Promise<PreparedKey> {
  if (source.kind === 'generate') {
    const generated = await generateSigningKey(family);
    return { spki: generated.publicKeySpki, generated };
  }
  const csr = parseCsr(source.csr);
  if (!csr.ok) throw validationFailed({ csr: csr.reason });
  const info = inspectSpki(csr.spki);
  if (!info.ok) throw validationFailed({ csr: `证书请求的公钥不可用：${info.reason}` });
  if (info.algorithm !== family)
    throw validationFailed({
      csr: `证书请求的密钥是 ${FAMILY_LABEL[info.algorithm]}，本项目签发 ${FAMILY_LABEL[family]} 证书：请在 USB Key 上生成 ${FAMILY_LABEL[family]} 密钥后重新导出证书请求`,
    });
  return { spki: csr.spki, ...(source.kind === 'token' ? { tokenSerial: source.tokenSerial } : {}) };
}

export function buildOrderTbs(input: {
  issuing: IssuingCa;
  serial: Uint8Array;
  unitName: string;
  uscc: string;
  spki: Uint8Array;
  at: Date;
  /** The validity rule's answer (core/certificate-validity.ts); absent: a new certificate, one year from `at`. */
  validity?: { notBefore: Date; notAfter: Date };
  baseUrl: string;
  policyOid: string;
  /** 'encryption': the encryption certificate of an SM2 pair (docs/kmc.md), GM/T 0015's key usage and no EKU. */
  usage?: 'signing' | 'encryption';
}): { tbs: Uint8Array; notBefore: Date; notAfter: Date } {
  const { notBefore, notAfter } = input.validity ?? certificateValidity(input.at, 'new');
  const urls = caPublicUrls(input.baseUrl, input.issuing.family);
  const tbs = encodeTbs({
    serial: input.serial,
    issuer: input.issuing.nameDer,
    // GM/T 0015-style organisation subject: the unit's name as O and CN, its USCC as serialNumber (ca/cert/name.ts).
    subject: { C: 'CN', O: input.unitName, CN: input.unitName, uscc: input.uscc },
    notBefore,
    notAfter,
    spki: input.spki,
    signatureAlgorithm: input.issuing.signer.signatureAlgorithm,
    extensions: {
      ...(input.usage === 'encryption'
        ? { keyUsage: ENCRYPTION_KEY_USAGE }
        : { keyUsage: ['digitalSignature', 'nonRepudiation'] as const, extKeyUsage: SUBSCRIBER_EKU }),
      subjectKeyId: keyIdentifier(input.spki),
      authorityKeyId: input.issuing.keyId,
      // The issuing CA's complete CRL (RFC 5280 4.2.1.13): no IDP, so GmSSL and NSS accept it (issue 15).
      crlDistributionPoint: urls.crl,
      ocspUrl: urls.ocsp,
      caIssuersUrl: urls.issuingCert,
      policyOids: [input.policyOid],
      // GM/T 0015-2023's own USCC extension, beside the subject's serialNumber (issue 15 item 7).
      uscc: input.uscc,
    },
  });
  return { tbs, notBefore, notAfter };
}

/** Whether a recorded TBS certifies this public key (the SPKI's DER appears in it, byte for byte). */
const certifies = (tbs: Buffer, spki: Uint8Array) => tbs.indexOf(Buffer.from(spki)) >= 0;

/**
 * Whose certificate is being issued: an online order's or a counter order's (modules/counter/produce.ts).
 * Both go through recordIssuance and signRecorded — the one way a subscriber certificate is made.
 */
export interface IssuanceSubject {
  /** The subject's live issuance (pending, issued or revoked), read under the caller's lock: a retry finds it. */
  live: CertificateRow | undefined;
  organizationId: string;
  uscc: string;
  /** The name in the certificate (a 变更 issues with the new one). */
  unitName: string;
  projectCode: string;
  keyType: 'main' | 'sub';
  source: 'online' | 'counter';
  orderId?: string | null;
  counterOrderId?: string | null;
  /** The certificate a 补办/变更/续费 replaces. */
  replacesId?: string | null;
  /** The validity rule's answer (core/certificate-validity.ts); absent: a new certificate, a year from `at`. */
  validity?: Validity;
  /** How the step is called on screen, for the reason a superseded pending row is given up (重新制证, 重新制作证书). */
  retryLabel: string;
}

/**
 * tx1, inside the caller's transaction (its subject locked): the subject's pending (or already issued) row,
 * created when needed. Returns the row; `reused` says it was there before.
 */
export async function recordIssuance(
  tx: Tx,
  subject: IssuanceSubject,
  // staffId: who made it — null for the organization's own online renewal (modules/renewal), no staff step.
  ctx: { issuing: IssuingCa; key: PreparedKey; staffId: string | null; at: Date; baseUrl: string; policyOid: string },
): Promise<{ row: CertificateRow; reused: boolean }> {
  const { live } = subject;
  if (live && live.status !== 'pending') return { row: live, reused: true };
  if (live && !ctx.key.generated && live.tbs && certifies(live.tbs, ctx.key.spki)) return { row: live, reused: true };
  if (live)
    await certificateRepository.abandon(
      tx,
      live.id,
      ctx.key.generated
        ? `${subject.retryLabel}：系统生成的密钥未保存，此待签记录作废（未签发）`
        : `${subject.retryLabel}：证书请求的密钥已更换，此待签记录作废（未签发）`,
      ctx.at,
    );
  const serial = newSerial();
  const { tbs, notBefore, notAfter } = buildOrderTbs({
    issuing: ctx.issuing,
    serial,
    unitName: subject.unitName,
    uscc: subject.uscc,
    spki: ctx.key.spki,
    at: ctx.at,
    ...(subject.validity ? { validity: subject.validity } : {}),
    baseUrl: ctx.baseUrl,
    policyOid: ctx.policyOid,
  });
  // Lint before the row is written: a TBS the profile refuses is never recorded, never signed. A renewal may
  // run exactly to the end the validity rule gave (a year past the old certificate's).
  const problems = lintTbs(
    tbs,
    subscriberProfile(ctx.issuing.family, {
      policyOids: [ctx.policyOid],
      ...(subject.validity ? { latestNotAfter: subject.validity.notAfter } : {}),
    }),
  );
  if (problems.length) throw lintRefusal(problems);
  const row = await certificateRepository.insert(tx, {
    serial: normalizeSerial(serialHex(serial))!,
    family: ctx.issuing.family,
    issuer: ctx.issuing.nameText,
    issuerKeyId: Buffer.from(ctx.issuing.keyId).toString('hex'),
    orderId: subject.orderId ?? null,
    counterOrderId: subject.counterOrderId ?? null,
    replacesId: subject.replacesId ?? null,
    organizationId: subject.organizationId,
    uscc: subject.uscc,
    unitName: subject.unitName,
    projectCode: subject.projectCode,
    keyType: subject.keyType,
    status: 'pending',
    keySource: ctx.key.generated ? 'generated' : ctx.key.tokenSerial ? 'token' : 'csr',
    tokenSerial: ctx.key.tokenSerial ?? null,
    tbs: Buffer.from(tbs),
    notBefore,
    notAfter,
    source: subject.source,
    createdBy: ctx.staffId,
    createdAt: ctx.at,
    updatedAt: ctx.at,
  });
  return { row, reused: false };
}

/** A TBS the profile refuses: never recorded, never signed (409, what the lint found, in Chinese). */
export const lintRefusal = (problems: LintProblem[]) =>
  new AppError('CONFLICT', `证书内容未通过签发前检查，未签发：${problems.map((p) => p.message).join('；')}`);

/** Signs the recorded TBS — outside any transaction. */
export async function signRecorded(row: CertificateRow, issuing: IssuingCa): Promise<Buffer> {
  if (!row.tbs) throw new AppError('CONFLICT', '待签记录缺少待签内容');
  const der = Buffer.from(await timedSignature('certificate', () => signCertificate(row.tbs!, issuing.signer)));
  certificatesSigned.inc({ family: issuing.family });
  return der;
}

export const sha256Hex = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');
