/**
 * What the responder and the CRL publisher need per issuing CA (family), derived from the hierarchy once, and
 * the CertID of a serial as the pre-signed responses name it.
 */
import { createHash } from 'node:crypto';
import { parseCertificate } from '../../../ca/cert/parse.js';
import { NULL, algorithmIdentifier, octetString, sequence, unsignedInteger } from '../../../ca/der/der.js';
import type { OcspIssuer } from '../../../ca/ocsp/response.js';
import type { KeyAlgorithm, Signer } from '../../../ca/signer/port.js';
import { spkiPublicKeyBits } from '../../../ca/spki.js';
import type { CaRuntime } from '../certificates/ca-runtime.js';

/** What the responder needs per family, derived from the hierarchy once (not state: cached in memory). */
export interface IssuerEntry {
  family: KeyAlgorithm;
  issuer: OcspIssuer;
  keyIdHex: string;
  issuingSigner: Signer;
  authorityKeyId: Uint8Array;
  responderCertDer: Uint8Array;
  /** The responder certificate's subject (ResponderID byName). */
  responderNameDer: Uint8Array;
  responderSigner: Signer;
  /** SHA-1 CertID prefix (hashAlgorithm, issuerNameHash, issuerKeyHash) for the responses we pre-sign. */
  certIdPrefix: Uint8Array;
  /** The root's subject, key identifier (hex) and public key: what its offline-signed CRL is checked against. */
  rootNameDer: Uint8Array;
  rootKeyIdHex: string;
  rootSpki: Uint8Array;
}

const SHA1_ALG = algorithmIdentifier('1.3.14.3.2.26', NULL);

export function issuerEntries(rt: CaRuntime): IssuerEntry[] {
  const out: IssuerEntry[] = [];
  for (const family of rt.config.families) {
    const f = rt.hierarchy.families[family];
    if (!f) continue;
    const spkiKeyBytes = spkiPublicKeyBits(f.issuing.signer.publicKeySpki);
    const issuer: OcspIssuer = { nameDer: f.issuing.nameDer, spkiKeyBytes };
    out.push({
      family,
      issuer,
      keyIdHex: Buffer.from(f.issuing.keyId).toString('hex'),
      issuingSigner: f.issuing.signer,
      authorityKeyId: f.issuing.keyId,
      responderCertDer: f.ocsp.certDer,
      responderNameDer: f.ocsp.nameDer,
      responderSigner: f.ocsp.signer,
      certIdPrefix: Buffer.concat([
        SHA1_ALG,
        octetString(createHash('sha1').update(f.issuing.nameDer).digest()),
        octetString(createHash('sha1').update(spkiKeyBytes).digest()),
      ]),
      rootNameDer: f.root.nameDer,
      rootKeyIdHex: Buffer.from(f.root.keyId).toString('hex'),
      rootSpki: parseCertificate(f.root.certDer).spki,
    });
  }
  return out;
}

/** The CertID (SHA-1, as RFC 5019 2.1.1 clients send) of a serial, DER. */
export function certIdFor(entry: IssuerEntry, serialHex: string): Uint8Array {
  return sequence(entry.certIdPrefix, unsignedInteger(Buffer.from(serialHex.length % 2 ? `0${serialHex}` : serialHex, 'hex')));
}

export const serialHexOf = (magnitude: Uint8Array) => Buffer.from(magnitude).toString('hex').replace(/^0+/, '') || '0';
