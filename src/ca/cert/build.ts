/**
 * X.509 v3 certificates (RFC 5280 4.1), encoded directly from DER pieces: the general builders spend ~3 ms
 * per certificate in JavaScript (docs/ca-core.md), this spends microseconds, so signing dominates.
 *
 * Two steps, in Boulder's order: `encodeTbs` makes the to-be-signed certificate (the registry stores it
 * and lints it), `signCertificate` signs exactly those bytes. issue.ts puts them together with the lint.
 */
import { createHash } from 'node:crypto';
import {
  bitString,
  boolean,
  explicit,
  implicitPrimitive,
  integer,
  NULL,
  octetString,
  oid,
  printableString,
  sequence,
  time,
  tlv,
  unsignedInteger,
} from '../der/der.js';
import { spkiPublicKeyBits } from '../spki.js';
import type { Signer } from '../signer/port.js';
import { encodeName, type NameFields } from './name.js';

export const EXT = {
  subjectKeyId: '2.5.29.14',
  keyUsage: '2.5.29.15',
  basicConstraints: '2.5.29.19',
  crlDistributionPoints: '2.5.29.31',
  certificatePolicies: '2.5.29.32',
  authorityKeyId: '2.5.29.35',
  extKeyUsage: '2.5.29.37',
  authorityInfoAccess: '1.3.6.1.5.5.7.1.1',
  ocspNoCheck: '1.3.6.1.5.5.7.48.1.5',
  /**
   * GM/T 0015-2023's extension for the 统一社会信用代码 (Unified Social Credit Code), under the standard's
   * extension arc 1.2.156.10260.4 (GM/T 0015-2012 had 1.2.156.10260.4.1.x for the organisation code etc.).
   * The OID and its value — a PrintableString of the 18 characters, non-critical — are XiPKI's
   * (security/OIDs.java id_cn_UnifiedSocialCreditCode, XijsonCertprofile.java): the standard's own text
   * was not at hand (docs/certificate-profile.md).
   */
  gmt0015Uscc: '1.2.156.10260.4.4',
} as const;

export const EKU = {
  serverAuth: '1.3.6.1.5.5.7.3.1',
  clientAuth: '1.3.6.1.5.5.7.3.2',
  codeSigning: '1.3.6.1.5.5.7.3.3',
  emailProtection: '1.3.6.1.5.5.7.3.4',
  timeStamping: '1.3.6.1.5.5.7.3.8',
  ocspSigning: '1.3.6.1.5.5.7.3.9',
} as const;

const AD_OCSP = '1.3.6.1.5.5.7.48.1';
const AD_CA_ISSUERS = '1.3.6.1.5.5.7.48.2';

/** RFC 5280 4.2.1.3 KeyUsage bits, by position. */
export const KEY_USAGE_BITS = [
  'digitalSignature',
  'nonRepudiation',
  'keyEncipherment',
  'dataEncipherment',
  'keyAgreement',
  'keyCertSign',
  'cRLSign',
  'encipherOnly',
  'decipherOnly',
] as const;
export type KeyUsage = (typeof KEY_USAGE_BITS)[number];

export interface RawExtension {
  oid: string;
  critical: boolean;
  /** The extnValue contents (the DER inside the OCTET STRING). */
  value: Uint8Array;
}

export interface CertificateExtensionsInput {
  /** Present: the extension is written (critical, RFC 5280 4.2.1.9). ca false writes an empty SEQUENCE. */
  basicConstraints?: { ca: boolean; pathLength?: number };
  keyUsage: readonly KeyUsage[];
  extKeyUsage?: readonly string[];
  subjectKeyId: Uint8Array;
  /** Omitted in self-signed roots is allowed by RFC 5280 4.2.1.1, but we write it everywhere (= SKI there). */
  authorityKeyId?: Uint8Array;
  crlDistributionPoint?: string;
  ocspUrl?: string;
  caIssuersUrl?: string;
  policyOids?: readonly string[];
  ocspNoCheck?: boolean;
  /** The unit's 统一社会信用代码 in GM/T 0015-2023's extension (EXT.gmt0015Uscc), beside subject serialNumber. */
  uscc?: string;
  /** Anything else, appended as given (tests use it to make broken certificates). */
  extra?: readonly RawExtension[];
}

export interface CertificateInput {
  /** Serial number magnitude (unsigned big-endian), see serial.ts. */
  serial: Uint8Array;
  /** Issuer Name, DER (the issuing CA's subject, byte for byte). */
  issuer: Uint8Array;
  subject: Uint8Array | NameFields;
  notBefore: Date;
  notAfter: Date;
  /** Subject public key, SubjectPublicKeyInfo DER. */
  spki: Uint8Array;
  /** The issuer signer's AlgorithmIdentifier DER (Signer.signatureAlgorithm). */
  signatureAlgorithm: Uint8Array;
  extensions: CertificateExtensionsInput;
}

/** RFC 5280 4.2.1.2 method (1): SHA-1 of the subjectPublicKey BIT STRING's value. */
export function keyIdentifier(spki: Uint8Array): Uint8Array {
  return createHash('sha1').update(spkiPublicKeyBits(spki)).digest();
}

const extension = (extOid: string, critical: boolean, value: Uint8Array) =>
  critical ? sequence(oid(extOid), boolean(true), octetString(value)) : sequence(oid(extOid), octetString(value));

/** KeyUsage as a DER BIT STRING: trailing zero bits dropped, unused-bit count set (X.690 11.2.2). */
export function keyUsageBits(usages: readonly KeyUsage[]): Uint8Array {
  let mask = 0;
  for (const u of usages) mask |= 1 << KEY_USAGE_BITS.indexOf(u);
  if (mask === 0) return Uint8Array.of(0x03, 0x01, 0x00);
  let highest = 0;
  for (let i = 0; i < 9; i++) if (mask & (1 << i)) highest = i;
  const bytes = highest >= 8 ? 2 : 1;
  const unused = bytes * 8 - 1 - highest;
  const out = [0x03, bytes + 1, unused];
  for (let b = 0; b < bytes; b++) {
    let v = 0;
    for (let i = 0; i < 8; i++) if (mask & (1 << (b * 8 + i))) v |= 0x80 >> i;
    out.push(v);
  }
  return Uint8Array.from(out);
}

const uri = (u: string) => implicitPrimitive(6, Buffer.from(u, 'latin1'));

function encodeExtensions(e: CertificateExtensionsInput): Uint8Array {
  const list: Uint8Array[] = [];
  if (e.basicConstraints) {
    const bc = e.basicConstraints;
    const body = bc.ca
      ? bc.pathLength === undefined
        ? sequence(boolean(true))
        : sequence(boolean(true), integer(bc.pathLength))
      : sequence();
    list.push(extension(EXT.basicConstraints, true, body));
  }
  list.push(extension(EXT.keyUsage, true, keyUsageBits(e.keyUsage)));
  if (e.extKeyUsage?.length) list.push(extension(EXT.extKeyUsage, false, sequence(...e.extKeyUsage.map((o) => oid(o)))));
  list.push(extension(EXT.subjectKeyId, false, octetString(e.subjectKeyId)));
  if (e.authorityKeyId) list.push(extension(EXT.authorityKeyId, false, sequence(implicitPrimitive(0, e.authorityKeyId))));
  if (e.crlDistributionPoint) {
    // DistributionPoint { distributionPoint [0] { fullName [0] GeneralNames { [6] URI } } }
    list.push(extension(EXT.crlDistributionPoints, false, sequence(sequence(explicit(0, tlv(0xa0, uri(e.crlDistributionPoint)))))));
  }
  const access: Uint8Array[] = [];
  if (e.ocspUrl) access.push(sequence(oid(AD_OCSP), uri(e.ocspUrl)));
  if (e.caIssuersUrl) access.push(sequence(oid(AD_CA_ISSUERS), uri(e.caIssuersUrl)));
  if (access.length) list.push(extension(EXT.authorityInfoAccess, false, sequence(...access)));
  if (e.policyOids?.length) list.push(extension(EXT.certificatePolicies, false, sequence(...e.policyOids.map((p) => sequence(oid(p))))));
  // RFC 6960 4.2.2.2.1: id-pkix-ocsp-nocheck, value NULL, non-critical.
  if (e.ocspNoCheck) list.push(extension(EXT.ocspNoCheck, false, NULL));
  if (e.uscc !== undefined) list.push(extension(EXT.gmt0015Uscc, false, printableString(e.uscc)));
  for (const x of e.extra ?? []) list.push(extension(x.oid, x.critical, x.value));
  return sequence(...list);
}

const VERSION_3 = explicit(0, integer(2));

/** The TBSCertificate DER (RFC 5280 4.1.2). */
export function encodeTbs(input: CertificateInput): Uint8Array {
  const subject = input.subject instanceof Uint8Array ? input.subject : encodeName(input.subject);
  return sequence(
    VERSION_3,
    unsignedInteger(input.serial),
    input.signatureAlgorithm,
    input.issuer,
    sequence(time(input.notBefore), time(input.notAfter)),
    subject,
    input.spki,
    explicit(3, encodeExtensions(input.extensions)),
  );
}

/** Certificate ::= SEQUENCE { tbsCertificate, signatureAlgorithm, signatureValue } (RFC 5280 4.1.1). */
export async function signCertificate(tbsDer: Uint8Array, signer: Signer): Promise<Uint8Array> {
  const signature = await signer.sign(tbsDer);
  return sequence(tbsDer, signer.signatureAlgorithm, bitString(signature));
}
