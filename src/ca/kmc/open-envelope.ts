/**
 * Opening an ENVELOPEDKEYBLOB with the recipient's SM2 private key — what the UKEY does on import. CertDesk
 * does it only for keys it generated itself (系统生成, soft keys): the signing key is then in this process
 * anyway, and the PKCS#12 handed to the customer carries both pairs. The SM2 decryption is sm-crypto's
 * (GM/T 0003.4, C1‖C3‖C2); the recovered key is checked against the envelope's public key.
 */
import { sm2 } from 'sm-crypto';
import { SPKI_ALGORITHM } from '../algorithms.js';
import { bitString, explicit, integer, octetString, readTlv, sequence } from '../der/der.js';
import { EnvelopeFormatError, parseEnvelopedKeyBlob, sm2PublicPoint, sm4Ecb } from './envelope.js';

/** The private scalar of an SM2 PKCS#8 PrivateKeyInfo (RFC 5208 around RFC 5915's ECPrivateKey). */
export function sm2PrivateScalar(pkcs8: Uint8Array): Buffer {
  const outer = readTlv(pkcs8, 0);
  const version = readTlv(pkcs8, outer.start);
  const alg = readTlv(pkcs8, version.end);
  const octets = readTlv(pkcs8, alg.end);
  const ecKey = readTlv(pkcs8, octets.start);
  const ecVersion = readTlv(pkcs8, ecKey.start);
  const priv = readTlv(pkcs8, ecVersion.end);
  if (priv.tag !== 0x04) throw new RangeError('malformed ECPrivateKey');
  const d = Buffer.alloc(32);
  const raw = pkcs8.subarray(priv.start, priv.end);
  d.set(raw.subarray(Math.max(0, raw.length - 32)), 32 - Math.min(32, raw.length));
  return d;
}

/** The private scalar d inside `blob`, for the holder of `recipientPkcs8`; throws when it does not open or does not match. */
export function openEnvelope(blob: Uint8Array, recipientPkcs8: Uint8Array): { privateKey: Buffer; publicKey: Uint8Array } {
  const e = parseEnvelopedKeyBlob(blob);
  const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');
  const recipient = sm2PrivateScalar(recipientPkcs8);
  const sessionKey = sm2.doDecrypt(hex(e.cipher.x) + hex(e.cipher.y) + hex(e.cipher.hash) + hex(e.cipher.ciphertext), hex(recipient), 1, {
    output: 'array',
  }) as unknown as number[];
  recipient.fill(0);
  if (sessionKey.length !== 16) throw new EnvelopeFormatError('the envelope does not open with this key');
  const field = sm4Ecb('decrypt', Uint8Array.from(sessionKey), e.encryptedPrivateKey);
  const d = Buffer.from(field.subarray(32));
  field.fill(0);
  if (!sm2PublicPoint(d).equals(Buffer.from(e.publicKey))) {
    d.fill(0);
    throw new EnvelopeFormatError('the key in the envelope does not match its public key');
  }
  return { privateKey: d, publicKey: e.publicKey };
}

/** An SM2 private scalar as PKCS#8 PrivateKeyInfo (id-ecPublicKey with the SM2 curve; the public key in ECPrivateKey [1]). */
export function sm2Pkcs8(d: Uint8Array, publicKey: Uint8Array): Uint8Array {
  return sequence(integer(0), SPKI_ALGORITHM.sm2, octetString(sequence(integer(1), octetString(d), explicit(1, bitString(publicKey)))));
}
