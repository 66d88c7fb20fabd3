/**
 * The cryptography both payment protocols use, on node:crypto: SHA256withRSA (PKCS#1 v1.5, RSA-2048) for
 * WeChat Pay API v3 and Alipay RSA2, and AEAD_AES_256_GCM for WeChat Pay's encrypted notification resource.
 */
import {
  X509Certificate,
  createCipheriv,
  createDecipheriv,
  createPrivateKey,
  createPublicKey,
  randomBytes,
  sign,
  verify,
  type KeyObject,
} from 'node:crypto';

export function privateKeyFrom(pem: string): KeyObject {
  return createPrivateKey(pem);
}

/** A PEM public key, or a PEM certificate (a WeChat Pay platform certificate) whose public key is taken. */
export function publicKeyFrom(pem: string): KeyObject {
  if (pem.includes('BEGIN CERTIFICATE')) return new X509Certificate(pem).publicKey;
  return createPublicKey(pem);
}

export function rsaSign(message: string, key: KeyObject): string {
  return sign('sha256', Buffer.from(message, 'utf8'), key).toString('base64');
}

export function rsaVerify(message: string, signatureBase64: string, key: KeyObject): boolean {
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(signatureBase64)) return false;
  try {
    return verify('sha256', Buffer.from(message, 'utf8'), key, Buffer.from(signatureBase64, 'base64'));
  } catch {
    return false;
  }
}

/** WeChat Pay's nonce_str: 32 characters of [0-9A-Z]. */
export function nonceStr(length = 32): string {
  const abc = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ';
  return Array.from(randomBytes(length), (b) => abc[b % 36]).join('');
}

/**
 * AEAD_AES_256_GCM as WeChat Pay API v3 uses it (《证书和回调报文解密》): key = the 32-byte APIv3 key,
 * nonce = 12 characters, associated_data as given; ciphertext = base64(encrypted ‖ 16-byte tag).
 */
export function aesGcmDecrypt(apiV3Key: string, nonce: string, associatedData: string, ciphertextBase64: string): string {
  const data = Buffer.from(ciphertextBase64, 'base64');
  if (data.length < 17) throw new Error('ciphertext too short');
  const decipher = createDecipheriv('aes-256-gcm', Buffer.from(apiV3Key, 'utf8'), Buffer.from(nonce, 'utf8'));
  decipher.setAAD(Buffer.from(associatedData, 'utf8'));
  decipher.setAuthTag(data.subarray(data.length - 16));
  return Buffer.concat([decipher.update(data.subarray(0, data.length - 16)), decipher.final()]).toString('utf8');
}

export function aesGcmEncrypt(apiV3Key: string, nonce: string, associatedData: string, plaintext: string): string {
  const cipher = createCipheriv('aes-256-gcm', Buffer.from(apiV3Key, 'utf8'), Buffer.from(nonce, 'utf8'));
  cipher.setAAD(Buffer.from(associatedData, 'utf8'));
  const enc = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
  return Buffer.concat([enc, cipher.getAuthTag()]).toString('base64');
}

const pad = (n: number) => String(n).padStart(2, '0');
/** Beijing time (UTC+8, no daylight saving) parts of an instant. */
function beijing(d: Date) {
  const b = new Date(d.getTime() + 8 * 3600_000);
  return {
    date: `${b.getUTCFullYear()}-${pad(b.getUTCMonth() + 1)}-${pad(b.getUTCDate())}`,
    time: `${pad(b.getUTCHours())}:${pad(b.getUTCMinutes())}:${pad(b.getUTCSeconds())}`,
  };
}
/** "2026-11-20 09:00:00" in Beijing time: Alipay's timestamp / time_expire / gmt_payment format. */
export function beijingDateTime(d: Date): string {
  const b = beijing(d);
  return `${b.date} ${b.time}`;
}
/** "2026-11-20T09:00:00+08:00": WeChat Pay's RFC 3339 time_expire / success_time. */
export function rfc3339Beijing(d: Date): string {
  const b = beijing(d);
  return `${b.date}T${b.time}+08:00`;
}
/** Parses Alipay's "yyyy-MM-dd HH:mm:ss" (Beijing time). */
export function parseBeijingDateTime(s: string): Date | null {
  const m = /^(\d{4})-(\d{2})-(\d{2}) (\d{2}):(\d{2}):(\d{2})$/.exec(s);
  if (!m) return null;
  const d = new Date(`${m[1]}-${m[2]}-${m[3]}T${m[4]}:${m[5]}:${m[6]}+08:00`);
  return Number.isNaN(d.getTime()) ? null : d;
}
