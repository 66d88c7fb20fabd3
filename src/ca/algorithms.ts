/**
 * Object identifiers and pre-encoded AlgorithmIdentifiers of the three key families the CA issues under.
 * Encoded once at load: every certificate, CRL and OCSP response repeats them.
 */
import { algorithmIdentifier, NULL, oid } from './der/der.js';
import type { KeyAlgorithm } from './signer/port.js';

export const OID = {
  // GM/T 0006 (密码应用标识规范): SM2 curve, SM3, SM2 signature with SM3.
  sm2Curve: '1.2.156.10197.1.301',
  sm3: '1.2.156.10197.1.401',
  sm2WithSm3: '1.2.156.10197.1.501',
  // RFC 5480 / RFC 5758: id-ecPublicKey, prime256v1, ecdsa-with-SHA256.
  ecPublicKey: '1.2.840.10045.2.1',
  p256: '1.2.840.10045.3.1.7',
  ecdsaWithSha256: '1.2.840.10045.4.3.2',
  // RFC 8017 / RFC 4055: rsaEncryption, sha256WithRSAEncryption.
  rsaEncryption: '1.2.840.113549.1.1.1',
  sha256WithRsa: '1.2.840.113549.1.1.11',
} as const;

/** Signature AlgorithmIdentifiers (RFC 5758 3.2: ECDSA without parameters; RFC 4055: RSA with NULL; GM/T 0015: SM2 without). */
export const SIGNATURE_ALGORITHM: Readonly<Record<KeyAlgorithm, Uint8Array>> = {
  sm2: algorithmIdentifier(OID.sm2WithSm3),
  'ecdsa-p256': algorithmIdentifier(OID.ecdsaWithSha256),
  'rsa-2048': algorithmIdentifier(OID.sha256WithRsa, NULL),
};

/**
 * SubjectPublicKeyInfo algorithm identifiers. SM2 keys use id-ecPublicKey with the SM2 curve as the
 * named-curve parameter (GM/T 0015 / OpenSSL 3), not a separate key-type OID.
 */
export const SPKI_ALGORITHM: Readonly<Record<KeyAlgorithm, Uint8Array>> = {
  sm2: algorithmIdentifier(OID.ecPublicKey, oid(OID.sm2Curve)),
  'ecdsa-p256': algorithmIdentifier(OID.ecPublicKey, oid(OID.p256)),
  'rsa-2048': algorithmIdentifier(OID.rsaEncryption, NULL),
};

/** Which family a signature AlgorithmIdentifier OID belongs to (undefined: not one we issue under). */
export function familyOfSignatureOid(dotted: string): KeyAlgorithm | undefined {
  if (dotted === OID.sm2WithSm3) return 'sm2';
  if (dotted === OID.ecdsaWithSha256) return 'ecdsa-p256';
  if (dotted === OID.sha256WithRsa) return 'rsa-2048';
  return undefined;
}

/** The standard SM2 signer ID (GM/T 0009-2012 10.3 default user ID), used for every SM2 signature and verification. */
export const SM2_USER_ID = '1234567812345678';
