/**
 * SubjectPublicKeyInfo inspection: which of our key families a public key belongs to, and why not when it
 * belongs to none. Shared by the CSR check and the certificate lint.
 */
import { createPublicKey } from 'node:crypto';
import { readTlv } from './der/der.js';
import type { KeyAlgorithm } from './signer/port.js';

export type SpkiInfo = { ok: true; algorithm: KeyAlgorithm; bits: number; publicKey: Uint8Array } | { ok: false; reason: string };

/** The BIT STRING contents (without the unused-bits octet) of an SPKI: the EC point or the RSAPublicKey. */
export function spkiPublicKeyBits(spki: Uint8Array): Uint8Array {
  const outer = readTlv(spki, 0);
  const alg = readTlv(spki, outer.start);
  const bits = readTlv(spki, alg.end);
  if (bits.tag !== 0x03) throw new RangeError('SPKI without a BIT STRING');
  return spki.subarray(bits.start + 1, bits.end);
}

function oidText(content: Uint8Array): string {
  const arcs: number[] = [];
  let v = 0;
  for (const b of content) {
    v = v * 128 + (b & 0x7f);
    if (!(b & 0x80)) {
      arcs.push(v);
      v = 0;
    }
  }
  const first = arcs.shift() ?? 0;
  return [first < 80 ? Math.floor(first / 40) : 2, first < 80 ? first % 40 : first - 80, ...arcs].join('.');
}

/** y² = x³ + ax + b over GF(p): the short Weierstrass curves we accept, both of prime order (cofactor 1). */
interface Curve {
  p: bigint;
  a: bigint;
  b: bigint;
}
/** FIPS 186-4 D.1.2.3 (secp256r1). */
const P256_CURVE: Curve = {
  p: 0xffffffff00000001000000000000000000000000ffffffffffffffffffffffffn,
  a: 0xffffffff00000001000000000000000000000000fffffffffffffffffffffffcn,
  b: 0x5ac635d8aa3a93e7b3ebbd55769886bc651d06b0cc53b0f63bce3c3e27d2604bn,
};
/** GB/T 32918.5-2017 (GM/T 0003.5) recommended curve. */
const SM2_CURVE: Curve = {
  p: 0xfffffffeffffffffffffffffffffffffffffffff00000000ffffffffffffffffn,
  a: 0xfffffffeffffffffffffffffffffffffffffffff00000000fffffffffffffffcn,
  b: 0x28e9fa9e9d9f5e344d5a9e4bcf6509a7f39789f515ab8f92ddbcbd414d940e93n,
};

/**
 * SEC 1 v2 3.2.2.1 public key validation for an uncompressed point 04‖x‖y: x and y in [0, p) and
 * y² ≡ x³ + ax + b (mod p). The point at infinity has no uncompressed form, and on a curve of cofactor 1
 * every finite point on the curve is in the group of order n, so nQ = O needs no separate check. A few
 * BigInt products instead of a key object per certificate (OpenSSL 3's SPKI decoder cost the lint ~135 µs
 * per certificate, more than the P-256 signature; issue 21).
 */
function onCurve(c: Curve, point: Uint8Array): boolean {
  const hex = Buffer.from(point.buffer, point.byteOffset, point.length).toString('hex');
  const x = BigInt('0x' + hex.slice(2, 66));
  const y = BigInt('0x' + hex.slice(66, 130));
  if (x >= c.p || y >= c.p) return false;
  return (y * y) % c.p === (((x * x) % c.p) * x + c.a * x + c.b) % c.p;
}

/**
 * Classifies a key: RSA of 2048 to 4096 bits, EC on P-256 or on the SM2 curve (id-ecPublicKey with the
 * named curve 1.2.156.10197.1.301, GM/T 0015 / OpenSSL 3), point uncompressed and on the curve. Anything
 * else gets a Chinese reason (shown to staff when a CSR is refused). node:crypto parses SM2 keys but reports
 * no type for them, so the AlgorithmIdentifier is read here.
 */
export function inspectSpki(spki: Uint8Array): SpkiInfo {
  let algOid: string;
  let curveOid: string | undefined;
  let publicKey: Uint8Array;
  try {
    const outer = readTlv(spki, 0);
    if (outer.tag !== 0x30 || outer.end !== spki.length) throw new RangeError('not one SEQUENCE');
    const alg = readTlv(spki, outer.start);
    const o = readTlv(spki, alg.start);
    algOid = oidText(spki.subarray(o.start, o.end));
    if (o.end < alg.end) {
      const p = readTlv(spki, o.end);
      if (p.tag === 0x06) curveOid = oidText(spki.subarray(p.start, p.end));
    }
    publicKey = spkiPublicKeyBits(spki);
  } catch {
    return { ok: false, reason: '公钥格式无法解析' };
  }
  if (algOid === '1.2.840.113549.1.1.1') {
    let bits: number;
    try {
      const key = createPublicKey({ key: Buffer.from(spki), format: 'der', type: 'spki' });
      bits = key.asymmetricKeyDetails?.modulusLength ?? 0;
    } catch {
      return { ok: false, reason: 'RSA 公钥无法解析' };
    }
    if (bits < 2048) return { ok: false, reason: `RSA 密钥长度 ${bits} 位不足 2048 位` };
    if (bits > 4096) return { ok: false, reason: `RSA 密钥长度 ${bits} 位超过 4096 位` };
    return { ok: true, algorithm: 'rsa-2048', bits, publicKey };
  }
  if (algOid === '1.2.840.10045.2.1') {
    if (curveOid !== '1.2.840.10045.3.1.7' && curveOid !== '1.2.156.10197.1.301')
      return { ok: false, reason: `不支持的椭圆曲线 ${curveOid ?? '（未指明）'}（仅支持 SM2 与 P-256）` };
    if (publicKey.length !== 65 || publicKey[0] !== 0x04) return { ok: false, reason: '椭圆曲线公钥应为 65 字节的非压缩点' };
    const sm2Curve = curveOid === '1.2.156.10197.1.301';
    if (!onCurve(sm2Curve ? SM2_CURVE : P256_CURVE, publicKey)) return { ok: false, reason: '公钥不是曲线上的有效点' };
    return { ok: true, algorithm: sm2Curve ? 'sm2' : 'ecdsa-p256', bits: 256, publicKey };
  }
  if (algOid === '1.2.156.10197.1.301')
    return { ok: false, reason: 'SM2 公钥应使用 id-ecPublicKey 加 SM2 曲线标识（GM/T 0015），不接受旧式算法标识' };
  return { ok: false, reason: `不支持的公钥算法 ${algOid}（仅支持 SM2、ECDSA P-256 与 RSA）` };
}
