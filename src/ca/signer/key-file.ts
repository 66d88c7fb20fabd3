/**
 * CA private keys at rest (issue 6: "encrypted at rest with a key from the environment or a file, never in
 * the database, never logged"). AES-256-GCM (NIST SP 800-38D) under a 32-byte key-encryption key (KEK);
 * when the operator gives a passphrase instead, the file key is derived with scrypt (RFC 7914) and a
 * per-file salt. The header lines are the GCM additional data, so the algorithm line cannot be swapped.
 *
 *   CERTDESK-ENCRYPTED-KEY v1
 *   algorithm: sm2
 *   kdf: none                      (or scrypt N=32768 r=8 p=1)
 *   salt: <base64, 16 bytes>
 *   iv: <base64, 12 bytes>
 *   data: <base64 of AES-256-GCM(PKCS#8 DER) || 16-byte tag>
 *
 * Nothing here logs; error messages never contain key material.
 */
import { createCipheriv, createDecipheriv, createPrivateKey, createPublicKey, randomBytes, scryptSync } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { KeyAlgorithm } from './port.js';
import type { SoftwareKey } from './software.js';

/** A raw 32-byte key, or a passphrase that scrypt turns into one per file. */
export type Kek = Uint8Array | { passphrase: string };

const MAGIC = 'CERTDESK-ENCRYPTED-KEY v1';
const SCRYPT = { N: 32768, r: 8, p: 1 };
const ALGORITHMS: readonly KeyAlgorithm[] = ['sm2', 'ecdsa-p256', 'rsa-2048'];

export class KeyFileError extends Error {
  override name = 'KeyFileError';
}

/**
 * The KEK from an environment value or the contents of a file: 32 bytes in base64 (`openssl rand -base64
 * 32`) or 64 hex digits are taken as the key itself; anything else of at least 16 characters is a
 * passphrase (scrypt). `fromFile` names a file whose trimmed contents are read the same way.
 */
export function loadKek(source: string | { value?: string; file?: string }): Kek {
  let text: string;
  if (typeof source === 'string') text = source;
  else if (source.value) text = source.value;
  else if (source.file) {
    try {
      text = readFileSync(source.file, 'utf8');
    } catch {
      throw new KeyFileError(`cannot read the KEK file ${source.file}`);
    }
  } else throw new KeyFileError('no key-encryption key given (CERTDESK_CA_KEK or CERTDESK_CA_KEK_FILE)');
  const t = text.trim();
  if (/^[0-9a-fA-F]{64}$/.test(t)) return checkRaw(Buffer.from(t, 'hex'));
  if (/^[A-Za-z0-9+/_-]{43}=?$/.test(t)) return checkRaw(Buffer.from(t, 'base64'));
  if (t.length < 16) throw new KeyFileError('the key-encryption passphrase must have at least 16 characters');
  return { passphrase: t };
}

function checkRaw(key: Buffer): Uint8Array {
  if (key.length !== 32) throw new KeyFileError('the key-encryption key must be 32 bytes');
  if (key.every((b) => b === key[0])) throw new KeyFileError('the key-encryption key is not random');
  return new Uint8Array(key);
}

function fileKey(kek: Kek, salt: Buffer, kdf: string): Buffer {
  if (kek instanceof Uint8Array) {
    if (kdf !== 'none') throw new KeyFileError('this key file was encrypted under a passphrase, not a raw key');
    if (kek.length !== 32) throw new KeyFileError('the key-encryption key must be 32 bytes');
    return Buffer.from(kek);
  }
  const m = /^scrypt N=(\d+) r=(\d+) p=(\d+)$/.exec(kdf);
  if (!m) throw new KeyFileError('this key file was encrypted under a raw key, not a passphrase');
  const [N, r, p] = [Number(m[1]), Number(m[2]), Number(m[3])];
  return scryptSync(kek.passphrase, salt, 32, { N, r, p, maxmem: 256 * N * r });
}

export function encryptKeyFile(key: SoftwareKey, kek: Kek): string {
  const salt = randomBytes(16);
  const iv = randomBytes(12);
  const kdf = kek instanceof Uint8Array ? 'none' : `scrypt N=${SCRYPT.N} r=${SCRYPT.r} p=${SCRYPT.p}`;
  const header = [
    MAGIC,
    `algorithm: ${key.algorithm}`,
    `kdf: ${kdf}`,
    `salt: ${salt.toString('base64')}`,
    `iv: ${iv.toString('base64')}`,
  ].join('\n');
  const cipher = createCipheriv('aes-256-gcm', fileKey(kek, salt, kdf), iv);
  cipher.setAAD(Buffer.from(header, 'utf8'));
  const ct = Buffer.concat([cipher.update(key.privateKeyPkcs8), cipher.final(), cipher.getAuthTag()]);
  return `${header}\ndata: ${ct.toString('base64')}\n`;
}

export function decryptKeyFile(text: string, kek: Kek): SoftwareKey {
  const lines = text.trim().split('\n');
  if (lines[0] !== MAGIC || lines.length !== 6) throw new KeyFileError('not a CertDesk key file (v1)');
  const field = (i: number, name: string) => {
    const line = lines[i]!;
    if (!line.startsWith(`${name}: `)) throw new KeyFileError(`key file: line ${i + 1} should be ${name}`);
    return line.slice(name.length + 2);
  };
  const algorithm = field(1, 'algorithm') as KeyAlgorithm;
  if (!ALGORITHMS.includes(algorithm)) throw new KeyFileError('key file: unknown algorithm');
  const kdf = field(2, 'kdf');
  const salt = Buffer.from(field(3, 'salt'), 'base64');
  const iv = Buffer.from(field(4, 'iv'), 'base64');
  const data = Buffer.from(field(5, 'data'), 'base64');
  if (data.length < 17 || iv.length !== 12) throw new KeyFileError('key file: truncated');
  const decipher = createDecipheriv('aes-256-gcm', fileKey(kek, salt, kdf), iv);
  decipher.setAAD(Buffer.from(lines.slice(0, 5).join('\n'), 'utf8'));
  decipher.setAuthTag(data.subarray(data.length - 16));
  let pkcs8: Buffer;
  try {
    pkcs8 = Buffer.concat([decipher.update(data.subarray(0, data.length - 16)), decipher.final()]);
  } catch {
    throw new KeyFileError('key file: wrong key-encryption key, or the file was altered');
  }
  const spki = createPublicKey(createPrivateKey({ key: pkcs8, format: 'der', type: 'pkcs8' })).export({ format: 'der', type: 'spki' });
  return { algorithm, privateKeyPkcs8: new Uint8Array(pkcs8), publicKeySpki: new Uint8Array(spki) };
}
