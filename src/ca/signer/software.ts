/**
 * The software signer: keys held in memory (decrypted from their key files at start, key-file.ts), the
 * KeyObject parsed once — parsing a PEM per signature is 17x slower (issue 6's measurements).
 *
 * ECDSA P-256 and RSA-2048 sign with node:crypto. SM2 cannot: node:crypto's SM2 uses an empty signer ID,
 * while GM/T 0009 and every Chinese client expect the default ID 1234567812345678. So SM2 signatures are
 * computed here per GM/T 0003.2 6.1: e = SM3(Z || M) with node's native SM3 (Z once per key), the random
 * point kG from OpenSSL's SM2 curve via ECDH key generation, r and s with BigInt. sm-crypto (pure JS)
 * verifies them with the same ID in tests and CSR checks, and openssl with -vfyopt distid:1234567812345678.
 */
import {
  createECDH,
  createHash,
  createPrivateKey,
  generateKeyPair,
  sign as nodeSign,
  verify as nodeVerify,
  type KeyObject,
} from 'node:crypto';
import { sm2 } from 'sm-crypto';
import { SIGNATURE_ALGORITHM, SM2_USER_ID } from '../algorithms.js';
import { readTlv, sequence, unsignedInteger } from '../der/der.js';
import { spkiPublicKeyBits } from '../spki.js';
import type { KeyAlgorithm, Signer } from './port.js';

/**
 * Inputs this large (a CRL: ~46 bytes per entry) are hashed without holding the serving thread: SM3 runs
 * at some 300 MB/s here, so a 1,000,000-entry CRL in one update() would stall every request ~150 ms.
 */
const LARGE_INPUT_BYTES = 1 << 20;

/** Feeds `data` to the hash in 1 MiB slices, yielding to the event loop between slices when it is large. */
async function hashInSlices(h: ReturnType<typeof createHash>, data: Uint8Array): Promise<Buffer> {
  if (data.length < LARGE_INPUT_BYTES) return h.update(data).digest();
  for (let at = 0; at < data.length; at += LARGE_INPUT_BYTES) {
    h.update(data.subarray(at, at + LARGE_INPUT_BYTES));
    await new Promise((r) => setImmediate(r));
  }
  return h.digest();
}

export interface SoftwareKey {
  algorithm: KeyAlgorithm;
  /** PKCS#8 PrivateKeyInfo, DER. Sensitive: never logged, never stored unencrypted. */
  privateKeyPkcs8: Uint8Array;
  publicKeySpki: Uint8Array;
}

export async function generateSigningKey(algorithm: KeyAlgorithm): Promise<SoftwareKey> {
  const enc = {
    publicKeyEncoding: { type: 'spki', format: 'der' },
    privateKeyEncoding: { type: 'pkcs8', format: 'der' },
  } as const;
  const done =
    (resolve: (k: SoftwareKey) => void, reject: (e: Error) => void) => (err: Error | null, publicKey: Buffer, privateKey: Buffer) =>
      err ? reject(err) : resolve({ algorithm, privateKeyPkcs8: new Uint8Array(privateKey), publicKeySpki: new Uint8Array(publicKey) });
  return new Promise<SoftwareKey>((resolve, reject) => {
    if (algorithm === 'rsa-2048') generateKeyPair('rsa', { modulusLength: 2048, ...enc }, done(resolve, reject));
    else generateKeyPair('ec', { namedCurve: algorithm === 'sm2' ? 'SM2' : 'prime256v1', ...enc }, done(resolve, reject));
  });
}

// SM2 curve parameters (GM/T 0003.5), for the Z value.
const SM2_A = 'FFFFFFFEFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF00000000FFFFFFFFFFFFFFFC';
const SM2_B = '28E9FA9E9D9F5E344D5A9E4BCF6509A7F39789F515AB8F92DDBCBD414D940E93';
const SM2_GX = '32C4AE2C1F1981195F9904466A39C9948FE30BBFF2660BE1715A4589334C74C7';
const SM2_GY = 'BC3736A2F4F6779C59BDCEE36B692153D0A9877CC62A474002DF32E52139F0A0';
const SM2_CURVE = Buffer.from(SM2_A + SM2_B + SM2_GX + SM2_GY, 'hex');

/** Z_A = SM3(ENTL || ID || a || b || xG || yG || xA || yA) with the standard ID (GM/T 0003.2 5.5). */
export function sm2Z(uncompressedPoint: Uint8Array, userId = SM2_USER_ID): Buffer {
  if (uncompressedPoint.length !== 65 || uncompressedPoint[0] !== 0x04)
    throw new RangeError('SM2 public key must be an uncompressed point');
  const id = Buffer.from(userId, 'utf8');
  const entl = Buffer.from([(id.length * 8) >> 8, (id.length * 8) & 0xff]);
  return createHash('sm3').update(entl).update(id).update(SM2_CURVE).update(uncompressedPoint.subarray(1)).digest();
}
const SM2_N = BigInt('0xFFFFFFFEFFFFFFFFFFFFFFFFFFFFFFFF7203DF6B21C6052B53BBF40939D54123');

function modInverse(a: bigint, m: bigint): bigint {
  let [oldR, r] = [((a % m) + m) % m, m];
  let [oldS, s] = [1n, 0n];
  while (r !== 0n) {
    const q = oldR / r;
    [oldR, r] = [r, oldR - q * r];
    [oldS, s] = [s, oldS - q * s];
  }
  if (oldR !== 1n) throw new RangeError('not invertible');
  return ((oldS % m) + m) % m;
}

const toBytes32 = (v: bigint) => Buffer.from(v.toString(16).padStart(64, '0'), 'hex');

/** The private scalar of an EC PKCS#8 key (RFC 5915 ECPrivateKey inside RFC 5208 PrivateKeyInfo), hex. */
function ecPrivateScalarHex(pkcs8: Uint8Array): string {
  const outer = readTlv(pkcs8, 0);
  const version = readTlv(pkcs8, outer.start);
  const alg = readTlv(pkcs8, version.end);
  const octets = readTlv(pkcs8, alg.end);
  const ecKey = readTlv(pkcs8, octets.start);
  const ecVersion = readTlv(pkcs8, ecKey.start);
  const priv = readTlv(pkcs8, ecVersion.end);
  if (priv.tag !== 0x04) throw new RangeError('malformed ECPrivateKey');
  return Buffer.from(pkcs8.subarray(priv.start, priv.end)).toString('hex').padStart(64, '0');
}

export function softwareSigner(key: SoftwareKey): Signer {
  const signatureAlgorithm = SIGNATURE_ALGORITHM[key.algorithm];
  if (key.algorithm === 'sm2') {
    const d = BigInt('0x' + ecPrivateScalarHex(key.privateKeyPkcs8));
    const z = sm2Z(spkiPublicKeyBits(key.publicKeySpki));
    // (1 + d)^-1 mod n, once per key (GM/T 0003.2 6.1 A6).
    const dPlus1Inv = modInverse(d + 1n, SM2_N);
    // The random point kG comes from OpenSSL (ECDH key generation on the SM2 curve: k uniform in [1, n-1]
    // from its CSPRNG) — the one expensive step, native; the rest is a few BigInt operations. sm-crypto's
    // pure-JS scalar multiplication signs ~40/s on this machine, this ~25x faster (bench/ca-sign.ts).
    const ecdh = createECDH('SM2');
    return {
      algorithm: 'sm2',
      publicKeySpki: key.publicKeySpki,
      signatureAlgorithm,
      async sign(data) {
        const e = BigInt('0x' + (await hashInSlices(createHash('sm3').update(z), data)).toString('hex'));
        for (;;) {
          const point = ecdh.generateKeys();
          const k = BigInt('0x' + ecdh.getPrivateKey('hex'));
          const x1 = BigInt('0x' + point.subarray(1, 33).toString('hex'));
          const r = (e + x1) % SM2_N;
          if (r === 0n || r + k === SM2_N) continue;
          const s = (((dPlus1Inv * ((k - r * d) % SM2_N)) % SM2_N) + SM2_N) % SM2_N;
          if (s === 0n) continue;
          return sequence(unsignedInteger(toBytes32(r)), unsignedInteger(toBytes32(s)));
        }
      },
    };
  }
  const keyObject: KeyObject = createPrivateKey({ key: Buffer.from(key.privateKeyPkcs8), format: 'der', type: 'pkcs8' });
  return {
    algorithm: key.algorithm,
    publicKeySpki: key.publicKeySpki,
    signatureAlgorithm,
    async sign(data) {
      const k = { key: keyObject, dsaEncoding: 'der' } as const;
      if (data.length < LARGE_INPUT_BYTES) return nodeSign('sha256', data, k); // a certificate or an OCSP answer: no hop
      // A whole CRL (tens of MB at a million entries): hashed and signed on libuv's thread pool, not the serving thread.
      return new Promise<Uint8Array>((resolve, reject) => nodeSign('sha256', data, k, (err, sig) => (err ? reject(err) : resolve(sig))));
    },
  };
}

/**
 * Verifies a signature made by a key of the given family: SM2 with the standard ID (as `openssl verify
 * -vfyopt distid:1234567812345678` does), ECDSA with SHA-256 (DER signature), RSA PKCS#1 v1.5 SHA-256.
 */
export function verifySignature(spki: Uint8Array, algorithm: KeyAlgorithm, data: Uint8Array, signature: Uint8Array): boolean {
  try {
    if (algorithm === 'sm2') {
      const point = spkiPublicKeyBits(spki);
      const e = createHash('sm3').update(sm2Z(point)).update(data).digest();
      return sm2.doVerifySignature(Array.from(e), Buffer.from(signature).toString('hex'), Buffer.from(point).toString('hex'), {
        hash: false,
        der: true,
      });
    }
    return nodeVerify('sha256', data, { key: Buffer.from(spki), format: 'der', type: 'spki', dsaEncoding: 'der' }, signature);
  } catch {
    return false;
  }
}
