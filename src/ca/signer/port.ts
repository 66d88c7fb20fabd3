/**
 * The signer port: everything in the CA core that signs (certificates, CRLs, OCSP responses, seals) asks a
 * Signer, and never sees a private key. Implementations: the software signer (keys encrypted at rest,
 * unlocked into memory at start) and the PKCS#11 signer (keys inside an HSM, non-extractable).
 */

/** The key families the CA issues under. SM2 with SM3 is the default (GM/T 0015); ECDSA P-256 and RSA-2048 are the options. */
export type KeyAlgorithm = 'sm2' | 'ecdsa-p256' | 'rsa-2048';

export interface Signer {
  readonly algorithm: KeyAlgorithm;
  /** The signing key's SubjectPublicKeyInfo, DER. */
  readonly publicKeySpki: Uint8Array;
  /**
   * The AlgorithmIdentifier (DER) of the signatures this signer makes: SM2-with-SM3 (1.2.156.10197.1.501,
   * no parameters), ecdsa-with-SHA256 (no parameters) or sha256WithRSAEncryption (NULL parameters).
   */
  readonly signatureAlgorithm: Uint8Array;
  /**
   * Signs `data` (typically the DER of a to-be-signed structure) and returns the signature as it goes in
   * the BIT STRING: DER Ecdsa-Sig-Value for ECDSA and SM2, PKCS#1 v1.5 for RSA. SM2 signs with the standard
   * user ID 1234567812345678 (GM/T 0009), which node:crypto cannot set.
   */
  sign(data: Uint8Array): Promise<Uint8Array>;
}
