/**
 * The encryption certificate of an SM2 pair (GM/T 0034; docs/kmc.md), issued beside the signing certificate at
 * 制证 — online (fulfilment/produce-order.ts) and at the counter (counter/produce.ts) — in the same Boulder order:
 *
 *   after tx1    (the signing row is recorded pending) the KMC makes the key pair in the device, escrows it and
 *                envelopes it for the signing key — unless the retry's encryption row is there already;
 *   tx1b         recordEncryption: the pending encryption row (serial + linted TBS) with the escrow beside it,
 *                the order locked and re-checked (pendingEncryption does both steps);
 *   outside      signEncryption: the issuing CA (the signer service) signs it;
 *   tx2          storeEncryption: compare-and-set pending → issued with the signing certificate.
 *
 * The escrow is ciphertext under the device KEK and the envelope opens only with the UKEY's signing key: the
 * database and this process never hold the encryption private key. For a generated (soft) signing key the
 * envelope is opened here, where that soft key already is, and both pairs go into the PKCS#12.
 */
import { spkiPublicKeyBits } from '../../../ca/spki.js';
import { lintTbs } from '../../../ca/cert/lint.js';
import { encryptionSubscriberProfile } from '../../../ca/cert/profiles.js';
import { newSerial, serialHex } from '../../../ca/cert/serial.js';
import { KmcUnavailableError, type KmcKeyPair } from '../../../ca/kmc/port.js';
import { openEnvelope, sm2Pkcs8 } from '../../../ca/kmc/open-envelope.js';
import { makePkcs12 } from '../../../ca/pkcs12.js';
import { sm2Spki } from '../../../ca/sdf/signer.js';
import type { SoftwareKey } from '../../../ca/signer/software.js';
import { AppError } from '../../../core/errors.js';
import type { Config } from '../../config.js';
import type { Db, Tx } from '../../db/client.js';
import type { CatalogProject } from '../catalog/repository.js';
import type { IssuingCa } from '../certificates/ca-runtime.js';
import { buildOrderTbs, signRecorded, type IssuanceSubject, type PreparedKey } from '../certificates/issue.js';
import { certificateRepository, normalizeSerial, type CertificateRow } from '../certificates/repository.js';
import { kmcNotReady, kmcOf } from './kmc-access.js';
import { kmcRepository } from './repository.js';

/** What prepareEncryption decided: a key pair to certify, or why there is none. */
export type PreparedEncryption =
  { kind: 'pair'; pair: KmcKeyPair; recipient: Uint8Array } | { kind: 'none' } | { kind: 'skipped'; reason: string };

export const ENCRYPTION_SKIPPED = '未签发加密证书：本环境未配置密钥管理中心（KMC，见 docs/kmc.md）；生产环境将拒绝制证';

/** Whether the project issues pairs for this family, and if so the KMC's new key pair for the signing key `signing`. */
export async function prepareEncryption(
  config: Config,
  project: CatalogProject,
  issuing: IssuingCa,
  signing: PreparedKey,
): Promise<PreparedEncryption> {
  if (!project.dualCertificates || issuing.family !== 'sm2') return { kind: 'none' };
  const recipient = spkiPublicKeyBits(signing.spki);
  const kmc = kmcOf(config.ca);
  try {
    if (!kmc) throw new KmcUnavailableError('no KMC configured (CERTDESK_KMC_KEK_INDEX on the signer)');
    return { kind: 'pair', pair: await kmc.generate(recipient), recipient };
  } catch (e) {
    if (!(e instanceof KmcUnavailableError)) throw e instanceof AppError ? e : kmcNotReady(e);
    // Production never issues half a pair; elsewhere (development, tests without a device) the signing
    // certificate is issued alone and staff are told so.
    if (config.env === 'production') throw kmcNotReady(e);
    return { kind: 'skipped', reason: ENCRYPTION_SKIPPED };
  }
}

/**
 * tx1, right after recordIssuance recorded (or found) the signing row `signing`: the encryption row and its escrow
 * — or the retry's. Returns undefined when the project issues no pair.
 */
export async function recordEncryption(
  tx: Tx,
  signing: CertificateRow,
  subject: IssuanceSubject,
  prepared: PreparedEncryption,
  ctx: { issuing: IssuingCa; staffId: string; at: Date; baseUrl: string; policyOid: string; generated: boolean },
): Promise<CertificateRow | undefined> {
  const existing = await certificateRepository.encryptionOf(tx, signing.id, true);
  if (existing) return existing;
  // The signing certificate was issued before pairs were (a retry after the catalog changed): it stays alone.
  if (signing.status !== 'pending' || prepared.kind !== 'pair') return undefined;
  const serial = newSerial();
  const spki = sm2Spki(prepared.pair.publicKey);
  const { tbs, notBefore, notAfter } = buildOrderTbs({
    issuing: ctx.issuing,
    serial,
    unitName: signing.unitName,
    uscc: signing.uscc,
    spki,
    at: ctx.at,
    // The pair lives and dies together: the same validity as the signing certificate.
    validity: { notBefore: signing.notBefore, notAfter: signing.notAfter },
    baseUrl: ctx.baseUrl,
    policyOid: ctx.policyOid,
    usage: 'encryption',
  });
  const problems = lintTbs(
    tbs,
    encryptionSubscriberProfile(ctx.issuing.family, {
      policyOids: [ctx.policyOid],
      ...(subject.validity ? { latestNotAfter: subject.validity.notAfter } : {}),
    }),
  );
  if (problems.length) throw new AppError('CONFLICT', `加密证书内容未通过签发前检查，未签发：${problems.map((p) => p.message).join('；')}`);
  const row = await certificateRepository.insert(tx, {
    serial: normalizeSerial(serialHex(serial))!,
    family: ctx.issuing.family,
    issuer: ctx.issuing.nameText,
    issuerKeyId: Buffer.from(ctx.issuing.keyId).toString('hex'),
    orderId: null,
    counterOrderId: null,
    replacesId: null,
    organizationId: subject.organizationId,
    uscc: signing.uscc,
    unitName: signing.unitName,
    projectCode: signing.projectCode,
    keyType: signing.keyType,
    status: 'pending',
    keySource: signing.keySource,
    // The same UKEY holds both keys (the envelope opens only with its signing key).
    tokenSerial: signing.tokenSerial,
    usage: 'encryption',
    signingCertificateId: signing.id,
    tbs: Buffer.from(tbs),
    notBefore,
    notAfter,
    source: signing.source,
    createdBy: ctx.staffId,
    createdAt: ctx.at,
    updatedAt: ctx.at,
  });
  const { escrow } = prepared.pair;
  await kmcRepository.insert(tx, {
    certificateId: row.id,
    publicKey: Buffer.from(prepared.pair.publicKey),
    kekIndex: escrow.kekIndex,
    wrappedKey: Buffer.from(escrow.wrappedKey),
    iv: Buffer.from(escrow.iv),
    encryptedPrivateKey: Buffer.from(escrow.encryptedPrivateKey),
    envelopeRecipient: Buffer.from(prepared.recipient),
    // A generated signing key's envelope is opened into the PKCS#12 at once; a UKEY's waits for 制证 to download it.
    envelope: ctx.generated ? null : Buffer.from(prepared.pair.envelope),
    createdAt: ctx.at,
  });
  return row;
}

/**
 * Between tx1 and the signatures: the pending signing row's encryption certificate — the retry's, or a new key
 * pair from the KMC recorded in its own transaction (`lockSubject` locks the order and re-checks its step, as
 * tx1 did). The signing row is recorded first, so a KMC that cannot be reached (the signer down) leaves what any
 * 制证 leaves: a pending signing row the retry picks up.
 */
export async function pendingEncryption(
  deps: { db: Db; config: Config },
  project: CatalogProject,
  issuing: IssuingCa,
  signingKey: PreparedKey,
  signing: CertificateRow,
  ctx: { staffId: string; at: Date; baseUrl: string; policyOid: string },
  lockSubject: (tx: Tx) => Promise<IssuanceSubject>,
): Promise<{ enc?: CertificateRow; prepared: PreparedEncryption }> {
  const existing = await certificateRepository.encryptionOf(deps.db, signing.id);
  if (existing) return { enc: existing, prepared: { kind: 'none' } };
  if (signing.status !== 'pending') return { prepared: { kind: 'none' } };
  const prepared = await prepareEncryption(deps.config, project, issuing, signingKey);
  if (prepared.kind !== 'pair') return { prepared };
  const enc = await deps.db.transaction(async (tx) => {
    const subject = await lockSubject(tx);
    const current = await certificateRepository.findById(tx, signing.id);
    if (current?.status !== 'pending') throw new AppError('CONFLICT', '此次签发已被另一次制证操作取代，请刷新页面查看');
    return recordEncryption(tx, current, subject, prepared, { ...ctx, issuing, generated: Boolean(signingKey.generated) });
  });
  return { enc, prepared };
}

/** Signs the pending encryption certificate — outside any transaction; null when there is nothing to sign. */
export async function signEncryption(row: CertificateRow | undefined, issuing: IssuingCa): Promise<Buffer | null> {
  return row?.status === 'pending' ? signRecorded(row, issuing) : null;
}

/** tx2: stores the signed encryption certificate beside the signing one (compare-and-set pending → issued). */
export async function storeEncryption(
  tx: Tx,
  row: CertificateRow | undefined,
  der: Buffer | null,
  at: Date,
): Promise<CertificateRow | undefined> {
  if (!row || !der) return row;
  const stored = await certificateRepository.storeIssued(tx, row.id, der, at);
  if (!stored) throw new AppError('CONFLICT', '此次加密证书签发已被另一次制证操作取代，请刷新页面查看');
  return stored;
}

/**
 * The PKCS#12 of a generated signing key and, for a pair, the encryption key out of its envelope (opened with that
 * signing key, here in memory as the signing key is) — both pairs under the password staff chose, never stored.
 */
export async function pairPkcs12(args: {
  signing: { key: SoftwareKey; certDer: Buffer };
  encryption?: { envelope: Uint8Array; certDer: Buffer };
  issuing: IssuingCa;
  password: string;
}): Promise<Buffer> {
  const chainDer = [args.issuing.certDer, args.issuing.rootDer];
  if (!args.encryption)
    return Buffer.from(await makePkcs12({ key: args.signing.key, certDer: args.signing.certDer, chainDer, password: args.password }));
  const opened = openEnvelope(args.encryption.envelope, args.signing.key.privateKeyPkcs8);
  const encKey: SoftwareKey = {
    algorithm: 'sm2',
    privateKeyPkcs8: sm2Pkcs8(opened.privateKey, opened.publicKey),
    publicKeySpki: sm2Spki(opened.publicKey),
  };
  opened.privateKey.fill(0);
  try {
    return Buffer.from(
      await makePkcs12({
        key: args.signing.key,
        certDer: args.signing.certDer,
        chainDer,
        password: args.password,
        friendlyName: 'signing',
        more: [{ key: encKey, certDer: args.encryption.certDer, friendlyName: 'encryption' }],
      }),
    );
  } finally {
    Buffer.from(encKey.privateKeyPkcs8.buffer, encKey.privateKeyPkcs8.byteOffset, encKey.privateKeyPkcs8.byteLength).fill(0);
  }
}
