/**
 * Test helper: an SM2 private key as the password-protected PKCS#8 PEM GmSSL reads (its sm2decrypt and
 * cmsdecrypt take nothing else): PBES2 with PBKDF2-HMAC-SM3 and SM4-CBC, as GmSSL's own x509_key.c writes
 * it. Lets the oracle use a key recovered from an envelope.
 */
import { createCipheriv, pbkdf2Sync, randomBytes } from 'node:crypto';
import { algorithmIdentifier, integer, octetString, oid, sequence } from '../der/der.js';
import { sm2Pkcs8 } from '../kmc/open-envelope.js';

const PBES2 = '1.2.840.113549.1.5.13';
const PBKDF2 = '1.2.840.113549.1.5.12';
const HMAC_SM3 = '1.2.156.10197.1.401.2';
const SM4_CBC = '1.2.156.10197.1.104.2';

export function gmsslEncryptedKeyPem(d: Uint8Array, publicKey: Uint8Array, password: string): string {
  const salt = randomBytes(8);
  const iv = randomBytes(16);
  const iterations = 10_000;
  const key = pbkdf2Sync(Buffer.from(password, 'utf8'), salt, iterations, 16, 'sm3');
  const cipher = createCipheriv('sm4-cbc', key, iv);
  const enc = Buffer.concat([cipher.update(sm2Pkcs8(d, publicKey)), cipher.final()]);
  const der = sequence(
    sequence(
      oid(PBES2),
      sequence(
        sequence(oid(PBKDF2), sequence(octetString(salt), integer(iterations), integer(16), sequence(oid(HMAC_SM3)))),
        algorithmIdentifier(SM4_CBC, octetString(iv)),
      ),
    ),
    octetString(enc),
  );
  const b64 = Buffer.from(der)
    .toString('base64')
    .replace(/.{1,64}/g, '$&\n');
  return `-----BEGIN ENCRYPTED PRIVATE KEY-----\n${b64}-----END ENCRYPTED PRIVATE KEY-----\n`;
}
