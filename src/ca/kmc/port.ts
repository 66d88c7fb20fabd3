/**
 * The key management centre (KMC, 密钥管理中心) as the CA uses it: SM2 encryption key pairs generated in the
 * device, escrowed under a device-held KEK, delivered as GM/T 0016 envelopes. Implemented over the SDF device
 * in the signer process (kmc.ts) and, for a web/RA instance, over the signer's protocol
 * (server/modules/kmc/remote-kmc.ts). What crosses this port is public keys and ciphertext only: an escrowed
 * key opens only inside the device, an envelope only with the recipient's private key.
 */

/** An encryption private key as the KMC keeps it: SM4-CBC under a session key that is itself wrapped by the device KEK. */
export interface EscrowedKey {
  /** The device KEK that wraps `wrappedKey`. */
  kekIndex: number;
  /** The SM4 key, as GenerateKeyWithKEK returned it (only the device can unwrap it). */
  wrappedKey: Uint8Array;
  iv: Uint8Array;
  /** SM4-CBC of the 32-byte private scalar. */
  encryptedPrivateKey: Uint8Array;
  /** The key pair's public key, 04‖x‖y. */
  publicKey: Uint8Array;
}

export interface KmcKeyPair {
  /** The encryption public key, 04‖x‖y: what the encryption certificate certifies. */
  publicKey: Uint8Array;
  escrow: EscrowedKey;
  /** ENVELOPEDKEYBLOB of the private key for the recipient (the UKEY's signing public key). */
  envelope: Uint8Array;
}

export interface Kmc {
  /** A new SM2 encryption key pair made by the device, escrowed, and enveloped for `recipient` (04‖x‖y). */
  generate(recipient: Uint8Array): Promise<KmcKeyPair>;
  /** An escrowed key enveloped for another recipient (密钥恢复: a new UKEY's signing key, or an authority's key). */
  envelope(escrow: EscrowedKey, recipient: Uint8Array): Promise<Uint8Array>;
}

/** The KMC is not set up (no device KEK configured): a pair cannot be issued. */
export class KmcUnavailableError extends Error {
  override name = 'KmcUnavailableError';
}
