/**
 * Re-issuing an issuing CA's certificate for the same key (`npm run ca:reissue-issuing`): a hierarchy made
 * before issuing CAs carried certificatePolicies (issue 15) gets a certificate that asserts the CA's policy.
 *
 * The key, subject and subjectKeyIdentifier stay, so nothing already published changes meaning: every
 * certificate it signed still chains (its AKI is the same SKI, its signature the same key's), OCSP CertIDs
 * (hashes of the issuer's name and key) and the registry's issuer key id still match, CRL shards and the
 * OCSP responder's certificate are still signed by that key. Only the CA certificate relying parties fetch
 * at the caIssuers URL changes: a new serial, the policy, the same notAfter (re-certifying never extends a
 * CA key's life; a new key means a new issuing CA). The old certificate is kept beside it as
 * `issuing-<serial>.pem` and stays valid: both certify the same key, so a relying party holding either builds
 * a path. Needs the root key (where ca:root-crl runs).
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { issueCertificate } from '../cert/issue.js';
import { certificatePem, parseCertificate, pemToDer } from '../cert/parse.js';
import { issuingCaProfile } from '../cert/profiles.js';
import { newSerial } from '../cert/serial.js';
import { keyIdentifier } from '../cert/build.js';
import { caPublicUrls } from '../public-urls.js';
import { decryptKeyFile, type Kek } from '../signer/key-file.js';
import type { KeyAlgorithm } from '../signer/port.js';
import { softwareSigner } from '../signer/software.js';
import { CaHierarchyError, issuingCaExtensions, writeAtomic } from './hierarchy.js';

const skiOf = (der: Uint8Array) => {
  const c = parseCertificate(der);
  const ski = c.extensions.find((e) => e.oid === '2.5.29.14');
  return ski ? ski.value.subarray(2) : keyIdentifier(c.spki);
};

export interface ReissuedIssuingCa {
  family: KeyAlgorithm;
  certDer: Uint8Array;
  /** Where the certificate it replaces was kept. */
  previous: string;
}

export async function reissueIssuingCa(options: {
  dir: string;
  kek: Kek;
  family: KeyAlgorithm;
  policyOid: string;
  now?: Date;
}): Promise<ReissuedIssuingCa> {
  const dir = path.resolve(options.dir);
  const manifest = JSON.parse(await readFile(path.join(dir, 'manifest.json'), 'utf8').catch(() => '{}')) as {
    families?: KeyAlgorithm[];
    baseUrl?: string;
  };
  if (!manifest.families?.includes(options.family)) throw new CaHierarchyError(`no ${options.family} family in the CA at ${dir}`);
  if (!manifest.baseUrl) throw new CaHierarchyError(`${dir}/manifest.json names no baseUrl`);
  const fdir = path.join(dir, options.family);
  const rootKeyFile = path.join(fdir, 'root.key');
  if (!existsSync(rootKeyFile)) throw new CaHierarchyError(`${rootKeyFile} is not here: run this where the root key is kept`);
  const rootDer = pemToDer(await readFile(path.join(fdir, 'root.pem'), 'latin1'));
  const oldDer = pemToDer(await readFile(path.join(fdir, 'issuing.pem'), 'latin1'));
  const root = parseCertificate(rootDer);
  const old = parseCertificate(oldDer);
  const rootKey = decryptKeyFile(await readFile(rootKeyFile, 'utf8'), options.kek);
  if (Buffer.compare(Buffer.from(rootKey.publicKeySpki), Buffer.from(root.spki)) !== 0)
    throw new CaHierarchyError(`${rootKeyFile}: the key does not match root.pem`);
  const rootSigner = softwareSigner(rootKey);
  const now = new Date(Math.floor((options.now ?? new Date()).getTime() / 1000) * 1000);
  if (old.notAfter.getTime() <= now.getTime()) throw new CaHierarchyError('the issuing CA has expired: it needs a new key, not a re-issue');
  const { certDer } = await issueCertificate({
    profile: issuingCaProfile(options.family, { policyOids: [options.policyOid] }),
    signer: rootSigner,
    input: {
      serial: newSerial(),
      issuer: root.subject,
      subject: old.subject,
      notBefore: now,
      notAfter: old.notAfter,
      spki: old.spki,
      signatureAlgorithm: rootSigner.signatureAlgorithm,
      extensions: issuingCaExtensions({
        issuingKeyId: skiOf(oldDer),
        rootKeyId: skiOf(rootDer),
        urls: caPublicUrls(manifest.baseUrl.replace(/\/+$/, ''), options.family),
        policyOid: options.policyOid,
      }),
    },
  });
  const previous = path.join(fdir, `issuing-${old.serialHex}.pem`);
  if (!existsSync(previous)) await writeAtomic(previous, certificatePem(oldDer), 0o644);
  await writeAtomic(path.join(fdir, 'issuing.pem'), certificatePem(certDer), 0o644);
  return { family: options.family, certDer, previous };
}
