/**
 * Certificate profiles: what each kind of certificate the CA signs must look like. lint.ts checks every
 * TBS against its profile before anything is signed.
 *
 * - subscriber: GM/T 0015-style organisation signing certificate — subject C/O/CN + USCC (serialNumber, and
 *   GM/T 0015-2023's own USCC extension), keyUsage digitalSignature + nonRepudiation, EKU clientAuth +
 *   emailProtection (SUBSCRIBER_EKU: why, docs/certificate-profile.md) (a signature certificate; no encryption certificate for now), not a
 *   CA, one year from issue (a renewal: up to the end the validity rule gives), CRL distribution point and OCSP in AIA (RFC 5280 4.2.1.13, 4.2.2.1), the
 *   CA's policy OID.
 * - subscriber encryption certificate (GM/T 0034 pair, docs/kmc.md): the same subject and extensions, its key made by
 *   the KMC, keyUsage keyEncipherment + dataEncipherment + keyAgreement (GM/T 0015), no EKU; SM2 only.
 * - issuing CA: keyCertSign + cRLSign, CA with pathLen 0, 10 years.
 * - root: self-signed, keyCertSign + cRLSign, CA, 20 years.
 * - OCSP responder (RFC 6960 4.2.2.2): digitalSignature, id-kp-OCSPSigning, id-pkix-ocsp-nocheck, short.
 * - seal maker (制章人, GM/T 0031 / GB/T 38540): signs electronic seals; digitalSignature + nonRepudiation, no
 *   EKU, SM2 only, 5 years (it must outlive the one-year seals it signs), CRL DP and OCSP so its status can be
 *   checked and a leaked key withdrawn.
 */
import type { KeyAlgorithm } from '../signer/port.js';
import { EKU, EXT, type KeyUsage } from './build.js';
import type { NameFields } from './name.js';

export type ProfileKind = 'subscriber' | 'subscriber-encryption' | 'issuing-ca' | 'root' | 'ocsp-responder' | 'seal-maker' | 'audit-signer';

export interface CertificateProfile {
  kind: ProfileKind;
  /** The issuer's key family: the signature algorithm must be this family's. */
  family: KeyAlgorithm;
  /** Subject key families allowed (subscribers and CAs of a family hold keys of that family). */
  subjectKeyAlgorithms: readonly KeyAlgorithm[];
  /** Longest validity, days (notAfter − notBefore). */
  maxValidityDays: number;
  /**
   * A certificate that continues another (续费, or a 补办/变更 of an early-renewed one) may end later than
   * maxValidityDays after issue: exactly up to this instant, which the server takes from the one validity
   * rule (core/certificate-validity.ts). Absent: the maxValidityDays limit.
   */
  latestNotAfter?: Date;
  /** A CA certificate (basicConstraints cA TRUE, critical) with this path length; false: not a CA. */
  ca: false | { pathLength?: number };
  /** Exactly these key usages. */
  keyUsage: readonly KeyUsage[];
  /** Exactly these extended key usages (undefined: the extension must be absent). */
  extKeyUsage?: readonly string[];
  /** Subject attributes that must be present. */
  requiredSubject: readonly (keyof NameFields)[];
  /** Extensions that must be present (besides basicConstraints/keyUsage/EKU, checked by their own rules). */
  requiredExtensions: readonly string[];
  /** These policy OIDs must be in certificatePolicies. */
  policyOids: readonly string[];
}

export interface ProfileOptions {
  /** The CA's certificate policy OIDs (RFC 5280 4.2.1.4). */
  policyOids?: readonly string[];
  /** See CertificateProfile.latestNotAfter (subscriber certificates only). */
  latestNotAfter?: Date;
}

const days = (n: number) => n;

/**
 * The subscriber certificate's extended key usages: clientAuth for logging in to the projects' platforms,
 * emailProtection for the signatures they ask for (CMS/PKCS#7 signed data, as NSS's e-mail-signing usage and
 * S/MIME-style verifiers check it: with clientAuth alone NSS refuses, −8101). The evidence: docs/certificate-profile.md.
 */
export const SUBSCRIBER_EKU: readonly string[] = [EKU.clientAuth, EKU.emailProtection];

export function subscriberProfile(family: KeyAlgorithm, options: ProfileOptions = {}): CertificateProfile {
  return {
    kind: 'subscriber',
    family,
    subjectKeyAlgorithms: [family],
    // One year from issue; 366 covers a leap year. A renewal ends a year past the old expiry (latestNotAfter).
    maxValidityDays: days(366),
    ...(options.latestNotAfter ? { latestNotAfter: options.latestNotAfter } : {}),
    ca: false,
    keyUsage: ['digitalSignature', 'nonRepudiation'],
    extKeyUsage: SUBSCRIBER_EKU,
    requiredSubject: ['C', 'O', 'CN', 'uscc'],
    requiredExtensions: [
      EXT.subjectKeyId,
      EXT.authorityKeyId,
      EXT.crlDistributionPoints,
      EXT.authorityInfoAccess,
      EXT.certificatePolicies,
      EXT.gmt0015Uscc,
    ],
    policyOids: options.policyOids ?? [],
  };
}

/** The encryption certificate beside an SM2 signing certificate: a key the KMC made, for encryption only (GM/T 0015). */
export const ENCRYPTION_KEY_USAGE: readonly KeyUsage[] = ['keyEncipherment', 'dataEncipherment', 'keyAgreement'];

export function encryptionSubscriberProfile(family: KeyAlgorithm, options: ProfileOptions = {}): CertificateProfile {
  const { extKeyUsage: _none, ...signing } = subscriberProfile(family, options);
  return { ...signing, kind: 'subscriber-encryption', subjectKeyAlgorithms: ['sm2'], keyUsage: ENCRYPTION_KEY_USAGE };
}

export function issuingCaProfile(family: KeyAlgorithm, options: ProfileOptions = {}): CertificateProfile {
  return {
    kind: 'issuing-ca',
    family,
    subjectKeyAlgorithms: [family],
    maxValidityDays: days(3653),
    ca: { pathLength: 0 },
    keyUsage: ['digitalSignature', 'keyCertSign', 'cRLSign'],
    requiredSubject: ['C', 'O', 'CN'],
    requiredExtensions: [EXT.subjectKeyId, EXT.authorityKeyId, EXT.crlDistributionPoints],
    policyOids: options.policyOids ?? [],
  };
}

export function rootProfile(family: KeyAlgorithm): CertificateProfile {
  return {
    kind: 'root',
    family,
    subjectKeyAlgorithms: [family],
    maxValidityDays: days(7306),
    ca: {},
    keyUsage: ['keyCertSign', 'cRLSign'],
    requiredSubject: ['C', 'O', 'CN'],
    requiredExtensions: [EXT.subjectKeyId],
    policyOids: [],
  };
}

export function ocspResponderProfile(family: KeyAlgorithm): CertificateProfile {
  return {
    kind: 'ocsp-responder',
    family,
    subjectKeyAlgorithms: [family],
    maxValidityDays: days(366),
    ca: false,
    keyUsage: ['digitalSignature'],
    extKeyUsage: [EKU.ocspSigning],
    requiredSubject: ['C', 'O', 'CN'],
    requiredExtensions: [EXT.subjectKeyId, EXT.authorityKeyId, EXT.ocspNoCheck],
    policyOids: [],
  };
}

/** The seal maker (制章人): its SM2 key signs SES_SealInfo (src/ca/seal). Long enough to outlive a seal made late in its life. */
export function sealMakerProfile(): CertificateProfile {
  return {
    kind: 'seal-maker',
    family: 'sm2',
    subjectKeyAlgorithms: ['sm2'],
    maxValidityDays: days(1827),
    ca: false,
    keyUsage: ['digitalSignature', 'nonRepudiation'],
    requiredSubject: ['C', 'O', 'CN'],
    requiredExtensions: [EXT.subjectKeyId, EXT.authorityKeyId, EXT.crlDistributionPoints, EXT.authorityInfoAccess],
    policyOids: [],
  };
}

/**
 * The audit signer (审计日志签名): an SM2 end-entity key under the SM2 issuing CA that signs only the audit
 * chain's checkpoints (src/server/modules/audit). Its own key, not the issuing CA's: a CA key signs
 * certificates and CRLs and nothing else, and an assessor checks checkpoints against this certificate.
 */
export function auditSignerProfile(): CertificateProfile {
  return { ...sealMakerProfile(), kind: 'audit-signer' };
}
