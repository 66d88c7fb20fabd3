/**
 * PKCS#10 certificate requests (RFC 2986) made on the customer's USB key: parsed, and proof of possession
 * checked — the request's signature verifies under the key it asks to certify. SM2 requests are signed
 * with the standard ID 1234567812345678 (GM/T 0009; `openssl req -sm3 -sigopt distid:1234567812345678`).
 * The reasons are Chinese: staff see them at 制证.
 */
import { OID } from './algorithms.js';
import { readTlv } from './der/der.js';
import { children, decodeOid, parseName } from './cert/parse.js';
import type { NameFields } from './cert/name.js';
import type { KeyAlgorithm } from './signer/port.js';
import { verifySignature } from './signer/software.js';
import { inspectSpki } from './spki.js';

export type CsrResult =
  | { ok: true; spki: Uint8Array; algorithm: KeyAlgorithm; bits: number; subject: NameFields; subjectDer: Uint8Array }
  | { ok: false; reason: string };

const SIGNATURE_FOR: Record<KeyAlgorithm, string> = {
  sm2: OID.sm2WithSm3,
  'ecdsa-p256': OID.ecdsaWithSha256,
  'rsa-2048': OID.sha256WithRsa,
};
const SIGNATURE_NAME: Record<string, string> = {
  [OID.sm2WithSm3]: 'SM2-with-SM3',
  [OID.ecdsaWithSha256]: 'ecdsa-with-SHA256',
  [OID.sha256WithRsa]: 'sha256WithRSAEncryption',
  '1.2.840.113549.1.1.5': 'sha1WithRSAEncryption',
  '1.2.840.10045.4.1': 'ecdsa-with-SHA1',
};

function toDer(input: string | Uint8Array): Uint8Array | undefined {
  const text = typeof input === 'string' ? input : input[0] === 0x30 ? undefined : Buffer.from(input).toString('latin1');
  if (text === undefined) return input as Uint8Array;
  const m = /-----BEGIN (?:NEW )?CERTIFICATE REQUEST-----([\s\S]*?)-----END (?:NEW )?CERTIFICATE REQUEST-----/.exec(text);
  const body = m ? m[1]! : text;
  const clean = body.replace(/\s+/g, '');
  if (!/^[A-Za-z0-9+/]+=*$/.test(clean)) return undefined;
  return new Uint8Array(Buffer.from(clean, 'base64'));
}

export function parseCsr(input: string | Uint8Array): CsrResult {
  const der = toDer(input);
  if (!der || der.length === 0) return { ok: false, reason: '证书请求不是 PEM 或 DER 格式的 PKCS#10 文件' };
  let cri: Uint8Array, spki: Uint8Array, subjectDer: Uint8Array, sigOid: string, signature: Uint8Array, subject: NameFields;
  try {
    const outer = readTlv(der, 0);
    if (outer.tag !== 0x30 || outer.end !== der.length) throw new RangeError('trailing data');
    const [criT, algT, sigT] = children(der, outer.start, outer.end);
    if (!criT || !algT || !sigT || sigT.tag !== 0x03) throw new RangeError('not a CertificationRequest');
    cri = der.subarray(criT.at, criT.end);
    const [version, name, pk] = children(der, criT.start, criT.end);
    if (!version || version.tag !== 0x02 || der[version.start] !== 0 || !name || !pk) throw new RangeError('bad CertificationRequestInfo');
    subjectDer = der.subarray(name.at, name.end);
    subject = parseName(subjectDer).fields;
    spki = der.subarray(pk.at, pk.end);
    const o = readTlv(der, algT.start);
    sigOid = decodeOid(der.subarray(o.start, o.end));
    if (der[sigT.start] !== 0) throw new RangeError('signature BIT STRING with unused bits');
    signature = der.subarray(sigT.start + 1, sigT.end);
  } catch {
    return { ok: false, reason: '证书请求格式错误，无法解析（应为 PKCS#10）' };
  }
  const key = inspectSpki(spki);
  if (!key.ok) return { ok: false, reason: `证书请求的公钥不可用：${key.reason}` };
  if (sigOid !== SIGNATURE_FOR[key.algorithm])
    return {
      ok: false,
      reason: `证书请求的签名算法 ${SIGNATURE_NAME[sigOid] ?? sigOid} 与密钥不符，应为 ${SIGNATURE_NAME[SIGNATURE_FOR[key.algorithm]]}`,
    };
  if (!verifySignature(spki, key.algorithm, cri, signature))
    return {
      ok: false,
      reason:
        key.algorithm === 'sm2'
          ? '证书请求的签名验证失败（SM2 请求须使用标准用户标识 1234567812345678 签名），无法证明持有私钥'
          : '证书请求的签名验证失败，无法证明持有私钥',
    };
  return {
    ok: true,
    spki: new Uint8Array(spki),
    algorithm: key.algorithm,
    bits: key.bits,
    subject,
    subjectDer: new Uint8Array(subjectDer),
  };
}
