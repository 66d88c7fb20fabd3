/**
 * Where the CA publishes, under its base URL: CA certificates, CRLs and the OCSP responder (the server's CA
 * publication routes answer at these paths). The strings are written into certificates — the hierarchy's CA
 * certificates (hierarchy/hierarchy.ts) and the certificates the issuing CAs sign for subscribers — and relying
 * parties fetch exactly what a certificate names, so both build them here. A shard's CRL URL is crlShardUrl's,
 * because the shard CRL's issuingDistributionPoint must repeat it byte for byte (RFC 5280 5.2.5); shards are
 * still served for the certificates that name them, new certificates name the complete CRL.
 */
import { crlShardUrl } from './crl/build.js';
import type { KeyAlgorithm } from './signer/port.js';

export const caPublicUrls = (baseUrl: string, family: KeyAlgorithm) => ({
  /** The root CA's CRL (hierarchy/root-crl.ts): the CRL distribution point of the issuing CA's certificate. */
  rootCrl: `${baseUrl}/crl/${family}/root.crl`,
  rootCert: `${baseUrl}/ca/${family}-root.cer`,
  /** The issuing CA's certificate: caIssuers of everything it signs. */
  issuingCert: `${baseUrl}/ca/${family}.cer`,
  ocsp: `${baseUrl}/ocsp`,
  /**
   * The issuing CA's complete CRL (every certificate it revoked, no issuingDistributionPoint): the CRL DP of
   * the certificates it signs. Every relying party accepts it (GmSSL and NSS refuse a CRL with a critical
   * extension, as a shard's IDP is).
   */
  crl: `${baseUrl}/crl/${family}/complete.crl`,
  /** One shard of the issuing CA's CRL (crl/build.ts shardOf): the CRL DP of certificates issued before the complete CRL existed. */
  crlShard: (shard: number) => crlShardUrl(baseUrl, family, shard),
});
