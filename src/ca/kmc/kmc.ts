/**
 * The KMC over an SDF device (GM/T 0018): the signer process's (never the web tier's: scripts/check-boundaries.mjs).
 *
 * generate(recipient):
 *   1. GenerateKeyPair_ECC — the device makes the pair; the private scalar d comes out to this process only
 *      for the next two steps and is wiped after them.
 *   2. Escrow: GenerateKeyWithKEK gives a fresh SM4 key wrapped under the KEK; d is SM4-CBC-encrypted under it
 *      (SDF_Encrypt, in the device) with a device-random IV; the key handle is destroyed. The wrapped key, IV
 *      and ciphertext are what the database keeps: they open only inside a device holding that KEK.
 *   3. Envelope (GM/T 0016 ENVELOPEDKEYBLOB): a device-random SM4 key encrypts d's 64-byte field (ECB, as the
 *      SKF import expects) and ExternalEncrypt_ECC SM2-encrypts that key to the recipient's public key.
 *
 * envelope(escrow, recipient) unwraps the escrow in the device (ImportKeyWithKEK, SDF_Decrypt), checks that d
 * belongs to the escrow's public key, and envelopes it as in 3 — key recovery's step.
 *
 * Every call runs on the session's queue (SdfSession.exclusive), so it never overlaps a signature the
 * same session makes on koffi's worker thread (device libraries need not be thread-safe).
 */
import type { SdfSession } from '../sdf/sdf.js';
import { encodeEnvelopedKeyBlob, encryptPrivateKeyField, sm2PublicPoint } from './envelope.js';
import type { EscrowedKey, Kmc, KmcKeyPair } from './port.js';

export class SdfKmc implements Kmc {
  constructor(
    private readonly session: SdfSession,
    /** The device KEK that wraps every escrowed key. */
    readonly kekIndex: number,
  ) {}

  generate(recipient: Uint8Array): Promise<KmcKeyPair> {
    checkPoint(recipient);
    return this.session.exclusive(() => {
      const pair = this.session.generateKeyPairEcc();
      try {
        const escrow = this.escrow(pair.publicKey, pair.privateKey);
        return { publicKey: pair.publicKey, escrow, envelope: this.seal(pair.publicKey, pair.privateKey, recipient) };
      } finally {
        pair.privateKey.fill(0);
      }
    });
  }

  /** An escrowed key enveloped for another recipient (密钥恢复: a new UKEY's signing key, or an authority's key). */
  envelope(escrow: EscrowedKey, recipient: Uint8Array): Promise<Uint8Array> {
    checkPoint(recipient);
    return this.session.exclusive(() => {
      const key = this.session.importKeyWithKek(escrow.kekIndex, escrow.wrappedKey);
      let d: Buffer | undefined;
      try {
        d = Buffer.from(this.session.decrypt(key, escrow.encryptedPrivateKey, escrow.iv));
        if (d.length !== 32 || !sm2PublicPoint(d).equals(Buffer.from(escrow.publicKey)))
          throw new Error('the escrowed key does not open to the private key of its public key (wrong KEK, or altered)');
        return this.seal(escrow.publicKey, d, recipient);
      } finally {
        d?.fill(0);
        this.session.destroyKey(key);
      }
    });
  }

  private escrow(publicKey: Uint8Array, d: Uint8Array): EscrowedKey {
    const key = this.session.generateKeyWithKek(this.kekIndex);
    try {
      const iv = this.session.generateRandom(16);
      const encryptedPrivateKey = this.session.encrypt(key, d, iv);
      return { kekIndex: this.kekIndex, wrappedKey: key.wrapped, iv, encryptedPrivateKey, publicKey };
    } finally {
      this.session.destroyKey(key);
    }
  }

  private seal(publicKey: Uint8Array, d: Uint8Array, recipient: Uint8Array): Uint8Array {
    const sessionKey = Buffer.from(this.session.generateRandom(16));
    try {
      return encodeEnvelopedKeyBlob({
        encryptedPrivateKey: encryptPrivateKeyField(sessionKey, d),
        publicKey,
        cipher: this.session.externalEncryptEcc(recipient, sessionKey),
      });
    } finally {
      sessionKey.fill(0);
    }
  }
}

function checkPoint(p: Uint8Array): void {
  if (p.length !== 65 || p[0] !== 0x04) throw new RangeError('the envelope recipient must be an uncompressed SM2 public key (65 bytes)');
}
