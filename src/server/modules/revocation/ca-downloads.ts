/**
 * 下载中心: what a relying party needs to trust our certificates — each family's root and issuing CA
 * certificates with their fingerprints, and the CRLs — as links to the CA publication routes
 * (routes/ca-publication.ts), whose paths caPublicUrls builds for the certificates themselves.
 */
import { createHash } from 'node:crypto';
import { parseCertificate } from '../../../ca/cert/parse.js';
import { FAMILY_NAME, type CaCertificate } from '../../../ca/hierarchy/hierarchy.js';
import { caPublicUrls } from '../../../ca/public-urls.js';
import type { KeyAlgorithm } from '../../../ca/signer/port.js';
import type { UseCaseDeps } from '../deps.js';
import { ROOT_CRL } from './crl-scopes.js';
import { publisherFor } from './publication.js';
import { CRL_SHARD_COUNT, caRuntime } from '../certificates/ca-runtime.js';

/** The algorithm as relying parties' software names it. */
const ALGORITHM_LABEL: Record<KeyAlgorithm, string> = { sm2: '国密 SM2', 'ecdsa-p256': 'ECDSA P-256', 'rsa-2048': 'RSA 2048' };

/** AB:CD:…, the way `openssl x509 -fingerprint` and Windows' certificate dialog print it. */
export const fingerprint = (algorithm: 'sha256' | 'sm3', der: Uint8Array) =>
  createHash(algorithm)
    .update(der)
    .digest('hex')
    .toUpperCase()
    .replace(/(..)(?!$)/g, '$1:');

function describe(ca: CaCertificate, family: KeyAlgorithm, url: string) {
  const c = parseCertificate(ca.certDer);
  return {
    commonName: c.subjectFields.CN ?? ca.nameText,
    subject: ca.nameText,
    notBefore: c.notBefore.toISOString(),
    notAfter: c.notAfter.toISOString(),
    url,
    sha256: fingerprint('sha256', ca.certDer),
    // SM3 is how Chinese relying parties' tools fingerprint an SM2 certificate.
    sm3: family === 'sm2' ? fingerprint('sm3', ca.certDer) : null,
  };
}

export async function caDownloads(deps: UseCaseDeps) {
  const runtime = await caRuntime(deps.config.ca);
  const families = [];
  for (const family of deps.config.ca.families) {
    const f = runtime.hierarchy.families[family];
    if (!f) continue;
    // Links are paths on this server; `published` is what the certificates themselves name.
    const local = caPublicUrls('', family);
    const published = caPublicUrls(deps.config.ca.baseUrl, family);
    // The root CRL is signed offline and placed by an operator (OPERATIONS.md); listed once the database holds
    // it, which is when every instance serves it.
    const rootCrl = (await (await publisherFor(deps)).crlForHttp(family, ROOT_CRL)) ? local.rootCrl : null;
    families.push({
      family,
      name: FAMILY_NAME[family],
      algorithm: ALGORITHM_LABEL[family],
      root: describe(f.root, family, local.rootCert),
      issuing: describe(f.issuing, family, local.issuingCert),
      rootCrl,
      crl: local.crl,
      crlShards: Array.from({ length: CRL_SHARD_COUNT }, (_, shard) => ({ shard, url: local.crlShard(shard) })),
      ocsp: published.ocsp,
      crlExample: published.crl,
    });
  }
  return { families };
}
