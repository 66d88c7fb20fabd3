/**
 * GM/T 0016 (SKF) ENVELOPEDKEYBLOB: how an encryption private key made by the key management centre travels
 * to the UKEY that will hold it. The UKEY imports it with SKF_ImportECCKeyPair into the container whose
 * signing key pair it generated itself; only that signing private key opens the envelope.
 *
 *   ULONG Version              1
 *   ULONG ulSymmAlgID          SGD_SM4_ECB (0x00000401)
 *   ULONG ulBits               256
 *   BYTE  cbEncryptedPriKey[64]  SM4-ECB, no padding, of ECCPRIVATEKEYBLOB.PrivateKey: d right-aligned in 64 bytes
 *   ECCPUBLICKEYBLOB PubKey    BitLen, X[64], Y[64] (the encryption public key, right-aligned)
 *   ECCCIPHERBLOB ECCCipherBlob  X[64], Y[64], HASH[32], CipherLen, Cipher[CipherLen]: the SM4 key SM2-encrypted
 *                                to the UKEY's signing public key
 *
 * ULONGs little-endian (the structures are the C ones of skf.h, packed, on the little-endian PCs the UKEY
 * drivers run on). Cipher holds CipherLen (16) bytes: 388 bytes in all. GmSSL's own SKF code builds the
 * envelope the same way (SKF_ImportECCPrivateKey: SM4 with no padding over the 64-byte PrivateKey field, the
 * key SM2-encrypted to the container's signing key).
 */
import { createCipheriv, createDecipheriv, createECDH } from 'node:crypto';
import type { Sm2Ciphertext } from '../sdf/sdf.js';

export const ENVELOPED_KEY_BLOB_VERSION = 1;
export const SGD_SM4_ECB = 0x00000401;
const MAX = 64; // ECC_MAX_XCOORDINATE_BITS_LEN / 8
const HEAD = 12;
const PRIV_AT = HEAD;
const PUB_AT = PRIV_AT + MAX; // 76
const CIPHER_AT = PUB_AT + 4 + 2 * MAX; // 208
const CIPHER_FIXED = 2 * MAX + 32 + 4; // X, Y, HASH, CipherLen

export class EnvelopeFormatError extends Error {
  override name = 'EnvelopeFormatError';
}

export interface EnvelopedKeyBlob {
  version: number;
  symmAlgId: number;
  bits: number;
  /** SM4-ECB of the 64-byte private key field. */
  encryptedPrivateKey: Uint8Array;
  /** The encryption public key, 04‖x‖y. */
  publicKey: Uint8Array;
  /** The SM4 key SM2-encrypted to the recipient. */
  cipher: Sm2Ciphertext;
}

const right = (v: Uint8Array, size = MAX) => {
  if (v.length > size) throw new RangeError(`a ${v.length}-byte value does not fit ${size} bytes`);
  const out = Buffer.alloc(size);
  out.set(v, size - v.length);
  return out;
};

export function encodeEnvelopedKeyBlob(e: Omit<EnvelopedKeyBlob, 'version' | 'symmAlgId' | 'bits'>): Buffer {
  if (e.encryptedPrivateKey.length !== MAX) throw new RangeError('cbEncryptedPriKey is 64 bytes');
  if (e.publicKey.length !== 65 || e.publicKey[0] !== 0x04) throw new RangeError('PubKey must be an uncompressed SM2 point');
  const head = Buffer.alloc(HEAD);
  head.writeUInt32LE(ENVELOPED_KEY_BLOB_VERSION, 0);
  head.writeUInt32LE(SGD_SM4_ECB, 4);
  head.writeUInt32LE(256, 8);
  const bitLen = Buffer.alloc(4);
  bitLen.writeUInt32LE(256, 0);
  const cipherLen = Buffer.alloc(4);
  cipherLen.writeUInt32LE(e.cipher.ciphertext.length, 0);
  return Buffer.concat([
    head,
    Buffer.from(e.encryptedPrivateKey),
    bitLen,
    right(e.publicKey.subarray(1, 33)),
    right(e.publicKey.subarray(33, 65)),
    right(e.cipher.x),
    right(e.cipher.y),
    right(e.cipher.hash, 32),
    cipherLen,
    Buffer.from(e.cipher.ciphertext),
  ]);
}

export function parseEnvelopedKeyBlob(blob: Uint8Array): EnvelopedKeyBlob {
  const b = Buffer.from(blob.buffer, blob.byteOffset, blob.byteLength);
  if (b.length < CIPHER_AT + CIPHER_FIXED) throw new EnvelopeFormatError(`ENVELOPEDKEYBLOB too short (${b.length} bytes)`);
  const version = b.readUInt32LE(0);
  const symmAlgId = b.readUInt32LE(4);
  const bits = b.readUInt32LE(8);
  if (version !== ENVELOPED_KEY_BLOB_VERSION) throw new EnvelopeFormatError(`ENVELOPEDKEYBLOB version ${version}`);
  if (symmAlgId !== SGD_SM4_ECB) throw new EnvelopeFormatError(`ENVELOPEDKEYBLOB ulSymmAlgID 0x${symmAlgId.toString(16)}, not SM4-ECB`);
  if (bits !== 256 || b.readUInt32LE(PUB_AT) !== 256) throw new EnvelopeFormatError('ENVELOPEDKEYBLOB: not an SM2-256 key');
  const at = (o: number, n: number) => new Uint8Array(b.subarray(o, o + n));
  const cipherLen = b.readUInt32LE(CIPHER_AT + 2 * MAX + 32);
  if (cipherLen < 1 || b.length !== CIPHER_AT + CIPHER_FIXED + cipherLen)
    throw new EnvelopeFormatError(`ENVELOPEDKEYBLOB: CipherLen ${cipherLen} does not match its ${b.length} bytes`);
  return {
    version,
    symmAlgId,
    bits,
    encryptedPrivateKey: at(PRIV_AT, MAX),
    publicKey: Buffer.concat([Buffer.from([0x04]), at(PUB_AT + 4 + MAX - 32, 32), at(PUB_AT + 4 + 2 * MAX - 32, 32)]),
    cipher: {
      x: at(CIPHER_AT + MAX - 32, 32),
      y: at(CIPHER_AT + 2 * MAX - 32, 32),
      hash: at(CIPHER_AT + 2 * MAX, 32),
      ciphertext: at(CIPHER_AT + CIPHER_FIXED, cipherLen),
    },
  };
}

/** SM4-ECB without padding (the blob's inner layer), node's OpenSSL. */
export function sm4Ecb(direction: 'encrypt' | 'decrypt', key: Uint8Array, data: Uint8Array): Buffer {
  const c = direction === 'encrypt' ? createCipheriv('sm4-ecb', key, null) : createDecipheriv('sm4-ecb', key, null);
  c.setAutoPadding(false);
  return Buffer.concat([c.update(data), c.final()]);
}

/** The 64-byte ECCPRIVATEKEYBLOB.PrivateKey field of a 32-byte scalar, SM4-ECB-encrypted under `sessionKey`. */
export function encryptPrivateKeyField(sessionKey: Uint8Array, d: Uint8Array): Buffer {
  const field = right(d);
  try {
    return sm4Ecb('encrypt', sessionKey, field);
  } finally {
    field.fill(0);
  }
}

/** d·G for an SM2 scalar: whether a recovered private key belongs to a public key. */
export function sm2PublicPoint(d: Uint8Array): Buffer {
  const ecdh = createECDH('SM2');
  ecdh.setPrivateKey(Buffer.from(d));
  return ecdh.getPublicKey();
}
