/**
 * Renewing the short-lived keys of the hierarchy (issue 15 item 6): the delegated OCSP responder (1 year) and
 * the seal maker (5 years). Each renewal makes a new key and a certificate from the same builder creation uses
 * (hierarchy.ts), signed by the family's issuing CA, and keeps the old certificate as `<name>-<serial>.pem`.
 *
 * The new key and certificate are written under temporary names and renamed key first, certificate last; a
 * crash between the two renames leaves a key that does not match its certificate, which loadCaHierarchy
 * reports by name (run the renewal again). A key held in an SDF device (issue 19) is renewed to another device
 * key: `sdfKeyIndex` names it, and the key file stays a reference (docs/ca-sdf.md). Running servers load the hierarchy once per process: they pick
 * the new files up when restarted (docs/OPERATIONS.md).
 */
import { readFile, rename } from 'node:fs/promises';
import path from 'node:path';
import { issueCertificate } from '../cert/issue.js';
import { certificatePem, parseCertificate } from '../cert/parse.js';
import { ocspResponderProfile, sealMakerProfile } from '../cert/profiles.js';
import { caPublicUrls } from '../public-urls.js';
import { parseSdfKeyReference, sdfKeyReference, type SdfKeyStore } from '../sdf/ca-keys.js';
import { encryptKeyFile, type Kek } from '../signer/key-file.js';
import { parsePkcs11KeyReference, pkcs11KeyReference, type Pkcs11KeyStore } from '../signer/pkcs11-keys.js';
import type { KeyAlgorithm } from '../signer/port.js';
import { generateSigningKey } from '../signer/software.js';
import { CaHierarchyError, loadCaHierarchy, ocspResponderInput, sealMakerInput, writeAtomic } from './hierarchy.js';

export type RenewedKind = 'ocsp' | 'seal';

export interface Renewed {
  family: KeyAlgorithm;
  kind: RenewedKind;
  certDer: Uint8Array;
  previous: string;
}

/** Days left before the certificate's notAfter (negative once expired). */
export const daysLeft = (certDer: Uint8Array, now: Date) => (parseCertificate(certDer).notAfter.getTime() - now.getTime()) / 86_400_000;

/** Renewals are due this long before expiry: start warns, /api/health lists them (issue 15). */
export const RENEW_WARNING_DAYS = 60;

export async function renewCaKey(options: {
  dir: string;
  kek: Kek;
  family: KeyAlgorithm;
  kind: RenewedKind;
  now?: Date;
  /** The SDF device, when the CA holds keys there. */
  sdf?: SdfKeyStore;
  /** The device key index of the new key, when the key being renewed is a device key. */
  sdfKeyIndex?: number;
  /** The PKCS#11 token, when the CA holds keys there: a token-held key is renewed to a new key generated in the token. */
  pkcs11?: Pkcs11KeyStore;
}): Promise<Renewed> {
  const h = await loadCaHierarchy(options);
  const keyFile = path.join(h.dir, options.family, `${options.kind}.key`);
  const currentText = await readFile(keyFile, 'utf8').catch(() => '');
  const currentIndex = parseSdfKeyReference(currentText);
  const currentToken = parsePkcs11KeyReference(currentText);
  if (currentIndex !== undefined && options.sdfKeyIndex === undefined)
    throw new CaHierarchyError(
      `${keyFile}: the key is SDF device key index ${currentIndex}; renew it to a new device key (--sdf-key-index N), not to a key file`,
    );
  if (options.sdfKeyIndex !== undefined && currentIndex === undefined)
    throw new CaHierarchyError(`${keyFile} is a key file, not a device key: renew it without --sdf-key-index`);
  if (options.sdfKeyIndex !== undefined && options.sdfKeyIndex === currentIndex)
    throw new CaHierarchyError(`SDF key index ${currentIndex} is the key being renewed: give the new key's index`);
  const f = h.families[options.family];
  if (!f) throw new CaHierarchyError(`the CA has no ${options.family} family`);
  const manifest = JSON.parse(await readFile(path.join(h.dir, 'manifest.json'), 'utf8')) as { baseUrl?: string };
  if (!manifest.baseUrl) throw new CaHierarchyError(`${h.dir}/manifest.json names no baseUrl`);
  const urls = caPublicUrls(manifest.baseUrl.replace(/\/+$/, ''), options.family);
  const now = new Date(Math.floor((options.now ?? new Date()).getTime() / 1000) * 1000);
  const issuing = { nameDer: f.issuing.nameDer, keyId: f.issuing.keyId, signer: f.issuing.signer };
  let old: Uint8Array;
  let certDer: Uint8Array;
  // A token-held key stays in the token (loadCaHierarchy above already required the token for it).
  const tokenKey = currentToken && options.pkcs11!.generate(currentToken.algorithm, options.kind === 'ocsp' ? 'ocsp' : 'issuing');
  const key = tokenKey
    ? { publicKeySpki: tokenKey.signer.publicKeySpki, file: pkcs11KeyReference(currentToken.algorithm, tokenKey.label) }
    : options.sdfKeyIndex !== undefined
      ? { publicKeySpki: options.sdf!.signer(options.sdfKeyIndex).publicKeySpki, file: sdfKeyReference(options.sdfKeyIndex) }
      : await generateSigningKey(options.family).then((k) => ({ publicKeySpki: k.publicKeySpki, file: encryptKeyFile(k, options.kek) }));
  if (options.kind === 'ocsp') {
    old = f.ocsp.certDer;
    const input = ocspResponderInput({ family: options.family, organization: h.organization, issuing, spki: key.publicKeySpki, urls, now });
    ({ certDer } = await issueCertificate({ profile: ocspResponderProfile(options.family), signer: f.issuing.signer, input }));
  } else {
    if (options.family !== 'sm2') throw new CaHierarchyError('the seal maker is SM2 only');
    if (!f.seal) throw new CaHierarchyError('the CA has no seal maker yet: npm run ca:init -- --add-seal-maker');
    old = f.seal.certDer;
    const input = sealMakerInput({ organization: h.organization, issuing, spki: key.publicKeySpki, urls, now });
    ({ certDer } = await issueCertificate({ profile: sealMakerProfile(), signer: f.issuing.signer, input }));
  }
  const fdir = path.join(h.dir, options.family);
  const previous = path.join(fdir, `${options.kind}-${parseCertificate(old).serialHex}.pem`);
  await writeAtomic(previous, certificatePem(old), 0o644).catch((e: NodeJS.ErrnoException) => {
    if (e.code !== 'EEXIST') throw e;
  });
  const tag = `${process.pid}-${Date.now()}`;
  await writeAtomic(path.join(fdir, `${options.kind}.key.new-${tag}`), key.file);
  await writeAtomic(path.join(fdir, `${options.kind}.pem.new-${tag}`), certificatePem(certDer), 0o644);
  await rename(path.join(fdir, `${options.kind}.key.new-${tag}`), path.join(fdir, `${options.kind}.key`));
  await rename(path.join(fdir, `${options.kind}.pem.new-${tag}`), path.join(fdir, `${options.kind}.pem`));
  return { family: options.family, kind: options.kind, certDer, previous };
}

/** What needs renewing soon: the responders, the seal maker and the CA certificates, in Chinese for people. */
export function expiryWarnings(
  h: {
    families: Partial<
      Record<KeyAlgorithm, { issuing: { certDer: Uint8Array }; ocsp: { certDer: Uint8Array }; seal?: { certDer: Uint8Array } }>
    >;
  },
  now: Date,
): string[] {
  const out: string[] = [];
  for (const [family, f] of Object.entries(h.families)) {
    if (!f) continue;
    const items: [string, Uint8Array | undefined, string][] = [
      ['OCSP 响应者证书', f.ocsp.certDer, `npm run ca:renew -- --family ${family} --ocsp`],
      ['电子印章制章人证书', f.seal?.certDer, 'npm run ca:renew -- --seal-maker'],
      ['签发 CA 证书', f.issuing.certDer, '需要新的签发 CA（见运维手册）'],
    ];
    for (const [what, der, how] of items) {
      if (!der) continue;
      const left = daysLeft(der, now);
      if (left < RENEW_WARNING_DAYS)
        out.push(
          left <= 0
            ? `${family} ${what}已过期：${how}`
            : `${family} ${what}将在 ${Math.floor(left)} 天后（${parseCertificate(der).notAfter.toISOString().slice(0, 10)}）过期：${how}`,
        );
    }
  }
  return out;
}
