/**
 * CA configuration (where the CA's keys and published CRLs live, how keys are unlocked, the URLs put in
 * certificates), read from the environment by loadConfig. The README's configuration table documents it.
 *
 * The key-encryption key (KEK) encrypts the CA's private keys at rest (the software signer); it is never
 * stored next to them. Production must give it (CERTDESK_CA_KEK or CERTDESK_CA_KEK_FILE); development
 * derives one from CERTDESK_SECRET with HKDF (RFC 5869) under its own label, as the file-storage key is.
 * A production configuration without a KEK still loads (commands such as create-admin need no CA): the CA
 * runtime refuses to unlock keys without one, so 制证 fails loudly instead of issuing under a derived key.
 */
import { hkdfSync } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { SdfConfigError, sdfKeyStoreFromEnv, type SdfKeyStore } from '../../../ca/sdf/ca-keys.js';
import { Pkcs11ConfigError, pkcs11KeyStoreFromEnv, type Pkcs11KeyStore } from '../../../ca/signer/pkcs11-keys.js';
import type { KeyAlgorithm } from '../../../ca/signer/port.js';
// A cycle with config.ts, used only at call time (after both modules have loaded).
import { ConfigError as CaConfigError } from '../../config-error.js';

export interface CaConfig {
  /** Where the CA hierarchy (encrypted keys, certificates) lives: CERTDESK_CA_DIR, default <dataDir>/ca. */
  dir: string;
  /** 32-byte key-encryption key; null in production when none is configured (the CA stays locked). */
  kek: Buffer | null;
  /** Where the KEK came from, for start-up messages (never the key itself). */
  kekSource: 'env' | 'file' | 'derived' | 'none';
  /** The public base URL put in certificates (CRL distribution point, OCSP in AIA): no trailing slash. */
  baseUrl: string;
  /** The algorithm families the hierarchy holds (a root + issuing CA + OCSP responder each). */
  families: KeyAlgorithm[];
  /** The certificate policy OID (RFC 5280 4.2.1.4): the CA's CPS; anyPolicy until one is assigned. */
  policyOid: string;
  /** Create a demo hierarchy on first start when none exists (never in production). */
  autoInit: boolean;
  /** The organization named in the CA certificates' subjects. */
  organization: string;
  /**
   * Bytes of pre-signed OCSP responses each serving process keeps in memory (CERTDESK_OCSP_MEMORY_MB), least
   * recently used dropped first (modules/revocation/ocsp-cache.ts): what is not kept costs one indexed read.
   */
  ocspMemoryBytes: number;
  /**
   * The CA signer service this process signs through (CERTDESK_SIGNER_URL): then it holds no key and no KEK
   * (signer-client.ts). Absent: the keys are loaded in this process — the signer service itself, the CA
   * commands, and tests; production web instances must name a signer (assertServable).
   */
  signer?: SignerEndpoint;
  /**
   * The SDF device (GM/T 0018 server HSM) holding SM2 CA keys (issue 19: CERTDESK_SDF_LIBRARY, _DIR,
   * _PASSWORD / _PASSWORD_FILE, CERTDESK_CA_SDF_KEYS): opened on first use; the signer's only, like the KEK.
   */
  sdf?: SdfKeyStore;
  /**
   * The PKCS#11 token (HSM) holding ECDSA/RSA CA keys (issue 17: CERTDESK_PKCS11_MODULE, _TOKEN_LABEL,
   * _PIN_FILE, CERTDESK_CA_PKCS11_KEYS): logged in on first use; the signer's only, like the KEK.
   */
  pkcs11?: Pkcs11KeyStore;
}

/** Where the signer listens: its Unix socket on one machine, or https:// with mutual TLS across machines. */
export type SignerEndpoint =
  { kind: 'unix'; socketPath: string } | { kind: 'https'; url: string; tls: { ca: Buffer; cert: Buffer; key: Buffer } };

/** CERTDESK_SIGNER_URL (unix:/path/signer.sock or https://host:port) and, for https, the client's TLS files. */
export function signerEndpointFrom(env: NodeJS.ProcessEnv): SignerEndpoint | undefined {
  const url = env.CERTDESK_SIGNER_URL?.trim();
  if (!url) return undefined;
  if (url.startsWith('unix:')) {
    const socketPath = url.slice('unix:'.length);
    if (!path.isAbsolute(socketPath))
      throw new CaConfigError('CERTDESK_SIGNER_URL: unix: needs an absolute socket path (unix:/run/certdesk/signer.sock)');
    return { kind: 'unix', socketPath };
  }
  if (!/^https:\/\/[^/]+\/?$/.test(url))
    throw new CaConfigError('CERTDESK_SIGNER_URL must be unix:/path/to/signer.sock or https://host:port (mutual TLS)');
  const read = (name: string) => {
    const file = env[name];
    if (!file)
      throw new CaConfigError(
        `CERTDESK_SIGNER_URL=https://… needs ${name} (a PEM file): the signer only answers clients with a certificate it trusts`,
      );
    try {
      return readFileSync(file);
    } catch {
      throw new CaConfigError(`${name}: cannot read ${file}`);
    }
  };
  return {
    kind: 'https',
    url: url.replace(/\/$/, ''),
    tls: { ca: read('CERTDESK_SIGNER_TLS_CA'), cert: read('CERTDESK_SIGNER_TLS_CERT'), key: read('CERTDESK_SIGNER_TLS_KEY') },
  };
}

/** CERTDESK_OCSP_MEMORY_MB's default: about 100,000 responses (some 2.5 KB each with their bookkeeping). */
export const DEFAULT_OCSP_MEMORY_MB = 256;

const DEV_SECRET = 'certdesk-development-secret-not-for-production';
const FAMILIES: readonly KeyAlgorithm[] = ['sm2', 'ecdsa-p256', 'rsa-2048'];
/** anyPolicy (RFC 5280 4.2.1.4): a placeholder until the CA's own CPS OID is configured. */
export const ANY_POLICY = '2.5.29.32.0';

function kekFrom(text: string, what: string): Buffer {
  const t = text.trim();
  const key = /^[A-Za-z0-9+/_-]{43}=?$/.test(t) ? Buffer.from(t, 'base64') : Buffer.alloc(0);
  if (key.length !== 32) throw new CaConfigError(`${what} must be 32 random bytes in base64 (openssl rand -base64 32)`);
  if (key.every((b) => b === key[0])) throw new CaConfigError(`${what} is not random (all its bytes are the same)`);
  return key;
}

/** The key-encryption key: none beside a signer service, else from the environment, a file, or (not in production) derived. */
function kekOf(env: NodeJS.ProcessEnv, signer: boolean, prod: boolean): Pick<CaConfig, 'kek' | 'kekSource'> {
  let kek: Buffer | null = null;
  let kekSource: CaConfig['kekSource'] = 'none';
  if (signer) {
    // No KEK at all: this process reaches the keys only through the signer.
  } else if (env.CERTDESK_CA_KEK) {
    kek = kekFrom(env.CERTDESK_CA_KEK, 'CERTDESK_CA_KEK');
    kekSource = 'env';
  } else if (env.CERTDESK_CA_KEK_FILE) {
    let text: string;
    try {
      text = readFileSync(env.CERTDESK_CA_KEK_FILE, 'utf8');
    } catch {
      throw new CaConfigError(`CERTDESK_CA_KEK_FILE: cannot read ${env.CERTDESK_CA_KEK_FILE}`);
    }
    kek = kekFrom(text, 'CERTDESK_CA_KEK_FILE');
    kekSource = 'file';
  } else if (!prod) {
    kek = Buffer.from(hkdfSync('sha256', env.CERTDESK_SECRET || DEV_SECRET, 'certdesk', 'certdesk ca key-encryption key v1', 32));
    kekSource = 'derived';
  }
  return { kek, kekSource };
}

export function caConfigFrom(env: NodeJS.ProcessEnv, prod: boolean, dataDir: string): CaConfig {
  const signer = signerEndpointFrom(env);
  if (signer && (env.CERTDESK_CA_KEK || env.CERTDESK_CA_KEK_FILE))
    throw new CaConfigError(
      'CERTDESK_CA_KEK / CERTDESK_CA_KEK_FILE belong to the signer only: a process that signs through CERTDESK_SIGNER_URL must not hold the KEK',
    );
  if (signer && env.CERTDESK_KMC_KEK_INDEX?.trim())
    throw new CaConfigError(
      'CERTDESK_KMC_KEK_INDEX belongs to the signer only: the key management centre runs beside the CA keys, never in a web instance (docs/kmc.md)',
    );
  let sdf: SdfKeyStore | undefined;
  try {
    sdf = sdfKeyStoreFromEnv(env);
  } catch (e) {
    if (e instanceof SdfConfigError) throw new CaConfigError(e.message);
    throw e;
  }
  if (signer && sdf)
    throw new CaConfigError(
      'CERTDESK_SDF_* belong to the signer only: a process that signs through CERTDESK_SIGNER_URL must not reach the CA’s device keys',
    );
  let pkcs11: Pkcs11KeyStore | undefined;
  try {
    pkcs11 = pkcs11KeyStoreFromEnv(env);
  } catch (e) {
    if (e instanceof Pkcs11ConfigError) throw new CaConfigError(e.message);
    throw e;
  }
  if (signer && pkcs11)
    throw new CaConfigError(
      'CERTDESK_PKCS11_* belong to the signer only: a process that signs through CERTDESK_SIGNER_URL must not reach the CA’s HSM keys',
    );
  const { kek, kekSource } = kekOf(env, !!signer, prod);
  const families = (env.CERTDESK_CA_FAMILIES || 'sm2,ecdsa-p256')
    .split(',')
    .map((f) => f.trim())
    .filter(Boolean);
  const bad = families.filter((f) => !FAMILIES.includes(f as KeyAlgorithm));
  if (bad.length || families.length === 0)
    throw new CaConfigError(`CERTDESK_CA_FAMILIES: comma-separated list of ${FAMILIES.join(', ')} (got ${bad.join(', ') || 'nothing'})`);
  const policyOid = env.CERTDESK_CA_POLICY_OID || ANY_POLICY;
  if (!/^[0-2](\.(0|[1-9]\d*))+$/.test(policyOid))
    throw new CaConfigError('CERTDESK_CA_POLICY_OID must be a dotted OID such as 1.2.156.xxx');
  const port = env.PORT || '3000';
  const baseUrl = (env.CERTDESK_PUBLIC_URL || `http://localhost:${port}`).replace(/\/+$/, '');
  const autoInitRaw = env.CERTDESK_CA_AUTO_INIT;
  const autoInit = autoInitRaw === undefined || autoInitRaw === '' ? !prod : autoInitRaw === '1' || autoInitRaw === 'true';
  if (prod && autoInit) throw new CaConfigError('CERTDESK_CA_AUTO_INIT is refused in production: create the CA with npm run ca:init');
  const ocspMemoryMb = env.CERTDESK_OCSP_MEMORY_MB ? Number(env.CERTDESK_OCSP_MEMORY_MB) : DEFAULT_OCSP_MEMORY_MB;
  if (!(ocspMemoryMb >= 0.01 && ocspMemoryMb <= 65_536))
    throw new CaConfigError('CERTDESK_OCSP_MEMORY_MB must be a number of MiB between 0.01 and 65536 (e.g. 256)');
  return {
    dir: path.resolve(env.CERTDESK_CA_DIR || path.join(dataDir, 'ca')),
    kek,
    kekSource,
    baseUrl,
    families: [...new Set(families)] as KeyAlgorithm[],
    policyOid,
    autoInit,
    organization: env.CERTDESK_CA_ORGANIZATION || '江西CA（演示）',
    ocspMemoryBytes: Math.round(ocspMemoryMb * 1024 * 1024),
    ...(signer ? { signer } : {}),
    ...(sdf ? { sdf } : {}),
    ...(pkcs11 ? { pkcs11 } : {}),
  };
}
