/**
 * Password-protected PKCS#12 (RFC 7292) for keys the system generates at 制证 (soft tokens, testing): the
 * key, its certificate and the chain, handed back once and never stored in clear.
 *
 * Modern algorithms only (RFC 9579 / OpenSSL 3 defaults): the key bag is PBES2 (RFC 8018) with
 * PBKDF2-HMAC-SHA256 and AES-256-CBC; the integrity MAC is HMAC-SHA256 with the RFC 7292 Appendix B key
 * derivation. Certificates are in a plain data bag (they are public), as RFC 7292 allows. Encoded with
 * the same DER pieces as the certificates, in a few lines, instead of going through pkijs's WebCrypto
 * engine, which does not know SM2 keys.
 */
import { createCipheriv, createHash, createHmac, pbkdf2Sync, randomBytes } from 'node:crypto';
import { explicit, integer, NULL, octetString, oid, sequence, set, algorithmIdentifier, concat } from './der/der.js';
import type { SoftwareKey } from './signer/software.js';

const OIDS = {
  data: '1.2.840.113549.1.7.1',
  pkcs8ShroudedKeyBag: '1.2.840.113549.1.12.10.1.2',
  certBag: '1.2.840.113549.1.12.10.1.3',
  x509Certificate: '1.2.840.113549.1.9.22.1',
  localKeyId: '1.2.840.113549.1.9.21',
  friendlyName: '1.2.840.113549.1.9.20',
  pbes2: '1.2.840.113549.1.5.13',
  pbkdf2: '1.2.840.113549.1.5.12',
  hmacWithSha256: '1.2.840.113549.2.9',
  aes256Cbc: '2.16.840.1.101.3.4.1.42',
  sha256: '2.16.840.1.101.3.4.2.1',
};

export const PBKDF2_ITERATIONS = 100_000;
export const MAC_ITERATIONS = 10_000;

/** RFC 7292 Appendix B.2 key derivation with SHA-256 (u = 32, v = 64), id 3 = MAC key. */
function pkcs12Kdf(password: string, salt: Buffer, id: number, iterations: number, n: number): Buffer {
  const u = 32;
  const v = 64;
  const pwd = password === '' ? Buffer.alloc(0) : Buffer.concat([Buffer.from(password, 'utf16le').swap16(), Buffer.alloc(2)]);
  const fill = (b: Buffer) => {
    if (b.length === 0) return Buffer.alloc(0);
    const len = v * Math.ceil(b.length / v);
    const out = Buffer.alloc(len);
    for (let i = 0; i < len; i++) out[i] = b[i % b.length]!;
    return out;
  };
  const D = Buffer.alloc(v, id);
  const I = Buffer.concat([fill(salt), fill(pwd)]);
  const out: Buffer[] = [];
  for (let got = 0; got < n; got += u) {
    let A = createHash('sha256').update(D).update(I).digest();
    for (let i = 1; i < iterations; i++) A = createHash('sha256').update(A).digest();
    out.push(A);
    const B = fill(A);
    for (let j = 0; j < I.length; j += v) {
      let carry = 1;
      for (let k = v - 1; k >= 0; k--) {
        const sum = I[j + k]! + B[k]! + carry;
        I[j + k] = sum & 0xff;
        carry = sum >> 8;
      }
    }
  }
  return Buffer.concat(out).subarray(0, n);
}

const attribute = (type: string, value: Uint8Array) => sequence(oid(type), set(value));
const bmpString = (s: string) => {
  const b = Buffer.from(s, 'utf16le').swap16();
  return concat([Uint8Array.of(0x1e), b.length < 128 ? Uint8Array.of(b.length) : Uint8Array.of(0x81, b.length), b]);
};
const dataContentInfo = (content: Uint8Array) => sequence(oid(OIDS.data), explicit(0, octetString(content)));

function encryptedPrivateKeyInfo(pkcs8: Uint8Array, password: string): Uint8Array {
  const salt = randomBytes(16);
  const iv = randomBytes(16);
  const key = pbkdf2Sync(Buffer.from(password, 'utf8'), salt, PBKDF2_ITERATIONS, 32, 'sha256');
  const cipher = createCipheriv('aes-256-cbc', key, iv);
  const encrypted = Buffer.concat([cipher.update(pkcs8), cipher.final()]);
  const params = sequence(
    sequence(oid(OIDS.pbkdf2), sequence(octetString(salt), integer(PBKDF2_ITERATIONS), algorithmIdentifier(OIDS.hmacWithSha256, NULL))),
    algorithmIdentifier(OIDS.aes256Cbc, octetString(iv)),
  );
  return sequence(algorithmIdentifier(OIDS.pbes2, params), octetString(encrypted));
}

export interface Pkcs12Entry {
  key: SoftwareKey;
  certDer: Uint8Array;
  friendlyName?: string;
}

/**
 * The PKCS#12 of one key and its certificate (and chain) — or of an SM2 pair (`more`: the encryption key and
 * certificate beside the signing ones, docs/kmc.md), each key bag tied to its certificate by localKeyId.
 */
export async function makePkcs12(args: {
  key: SoftwareKey;
  certDer: Uint8Array;
  chainDer?: readonly Uint8Array[];
  password: string;
  friendlyName?: string;
  more?: readonly Pkcs12Entry[];
}): Promise<Uint8Array> {
  const entries: Pkcs12Entry[] = [
    { key: args.key, certDer: args.certDer, ...(args.friendlyName ? { friendlyName: args.friendlyName } : {}) },
    ...(args.more ?? []),
  ];
  const bagAttributes = (e: Pkcs12Entry) => {
    const localKeyId = createHash('sha1').update(e.certDer).digest();
    const attrs = [attribute(OIDS.localKeyId, octetString(localKeyId))];
    if (e.friendlyName) attrs.push(attribute(OIDS.friendlyName, bmpString(e.friendlyName)));
    return set(...attrs);
  };
  const keyBag = (e: Pkcs12Entry) =>
    sequence(oid(OIDS.pkcs8ShroudedKeyBag), explicit(0, encryptedPrivateKeyInfo(e.key.privateKeyPkcs8, args.password)), bagAttributes(e));
  const certBag = (der: Uint8Array, bagAttrs?: Uint8Array) =>
    sequence(
      oid(OIDS.certBag),
      explicit(0, sequence(oid(OIDS.x509Certificate), explicit(0, octetString(der)))),
      ...(bagAttrs ? [bagAttrs] : []),
    );
  const certs = sequence(...entries.map((e) => certBag(e.certDer, bagAttributes(e))), ...(args.chainDer ?? []).map((c) => certBag(c)));
  const authSafe = sequence(dataContentInfo(certs), dataContentInfo(sequence(...entries.map(keyBag))));

  const macSalt = randomBytes(16);
  const macKey = pkcs12Kdf(args.password, macSalt, 3, MAC_ITERATIONS, 32);
  const mac = createHmac('sha256', macKey).update(authSafe).digest();
  const macData = sequence(
    sequence(algorithmIdentifier(OIDS.sha256, NULL), octetString(mac)),
    octetString(macSalt),
    integer(MAC_ITERATIONS),
  );
  return sequence(integer(3), dataContentInfo(authSafe), macData);
}
