/**
 * A Signer (port.ts) over an SM2 signing key inside an SDF device: the CA's SM2 keys can live in a server
 * HSM instead of a key file. The signer computes e = SM3(Z‖M) with the GM/T 0009 default user ID
 * 1234567812345678 (Z once per key, from the public key the device exports) and the device signs e
 * (InternalSign_ECC); its r, s become the DER SM2Signature that goes in the BIT STRING (GM/T 0009 7.3).
 */
import { createHash } from 'node:crypto';
import { SIGNATURE_ALGORITHM, SPKI_ALGORITHM } from '../algorithms.js';
import { bitString, sequence, unsignedInteger } from '../der/der.js';
import type { Signer } from '../signer/port.js';
import { sm2Z } from '../signer/software.js';
import { SdfSession, type SdfDeviceOptions } from './sdf.js';

/** Where a CA key is in the device: the library, its key store's directory, the key index and its password. */
export interface SdfKeyOptions extends SdfDeviceOptions {
  keyIndex: number;
  /** The key's access password (GetPrivateKeyAccessRight). Never logged, never kept beyond the call. */
  password: string;
}

/** SM2 SubjectPublicKeyInfo (id-ecPublicKey, SM2 curve) of an uncompressed point. */
export function sm2Spki(point: Uint8Array): Uint8Array {
  return sequence(SPKI_ALGORITHM.sm2, bitString(point));
}

/** An SM2 signer over signing key `keyIndex` of an open session (its access right is obtained here). */
export function sdfSigner(session: SdfSession, keyIndex: number, password: string): Signer {
  const point = session.exportSignPublicKey(keyIndex);
  session.getPrivateKeyAccessRight(keyIndex, password);
  const z = sm2Z(point);
  return {
    algorithm: 'sm2',
    publicKeySpki: sm2Spki(point),
    signatureAlgorithm: SIGNATURE_ALGORITHM.sm2,
    async sign(data) {
      const e = createHash('sm3').update(z).update(data).digest();
      const { r, s } = await session.internalSign(keyIndex, e);
      return sequence(unsignedInteger(r), unsignedInteger(s));
    },
  };
}

/** Opens the device and a session for one key: the signer and a close() for shutdown. */
export function openSdfSigner(options: SdfKeyOptions): { signer: Signer; close(): void } {
  const session = SdfSession.open(options);
  try {
    return { signer: sdfSigner(session, options.keyIndex, options.password), close: () => session.close() };
  } catch (e) {
    session.close();
    throw e;
  }
}
