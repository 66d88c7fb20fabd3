/**
 * The CA signer process (`npm run signer`; `npm start` starts one itself): loads the CA's keys with the KEK
 * and serves src/signer/service.ts on a Unix socket or over mutual TLS. Configuration (docs/OPERATIONS.md):
 *
 *   CERTDESK_SIGNER_LISTEN        unix:/run/certdesk/signer.sock, or https://0.0.0.0:7443 (then the next three)
 *   CERTDESK_SIGNER_TLS_CERT/KEY  the signer's server certificate and key (PEM)
 *   CERTDESK_SIGNER_TLS_CLIENT_CA the CA whose client certificates may ask for signatures (PEM)
 *   CERTDESK_SIGNER_SOCKET_MODE   the socket's permissions, octal (default 600: the same user only)
 *   CERTDESK_SIGNER_DATABASE_URL  PostgreSQL, read-only is enough: the registry every request is checked
 *                                 against (required in production; the embedded database is one process's)
 *   CERTDESK_CA_DIR, CERTDESK_CA_KEK / _KEK_FILE, CERTDESK_CA_FAMILIES, CERTDESK_CA_POLICY_OID, …  as for ca:init
 *   CERTDESK_SDF_LIBRARY, CERTDESK_SDF_DIR, CERTDESK_SDF_PASSWORD / _FILE   the SDF device when ca:init put SM2
 *                                 keys there (docs/ca-sdf.md); the CA directory's reference files give the indexes
 *   CERTDESK_KMC_KEK_INDEX        the device KEK of the key management centre's escrow (docs/kmc.md)
 *   CERTDESK_PKCS11_MODULE, CERTDESK_PKCS11_TOKEN_LABEL, CERTDESK_PKCS11_PIN_FILE   the HSM when ca:init put
 *                                 ECDSA/RSA keys there (docs/ca-pkcs11.md); the reference files give the labels
 */
import { chmod, readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import { operationalCertificateFiles, rootCrlFile } from '../ca/hierarchy/hierarchy.js';
import type { KeyAlgorithm } from '../ca/signer/port.js';
import { openDb } from '../server/db/client.js';
import { caConfigFrom } from '../server/modules/certificates/ca-config.js';
import { caRuntime } from '../server/modules/certificates/ca-runtime.js';
import { ConfigError } from '../server/config.js';
import { SdfError } from '../ca/sdf/sdf.js';
import { Pkcs11Error } from '../ca/signer/pkcs11.js';
import { databaseRegistry } from './registry.js';
import { buildSignerService } from './service.js';

export interface SignerListen {
  kind: 'unix' | 'https';
  socketPath?: string;
  host?: string;
  port?: number;
  tls?: { cert: Buffer; key: Buffer; ca: Buffer };
  socketMode: number;
}

export async function signerListenFrom(env: NodeJS.ProcessEnv, dataDir: string): Promise<SignerListen> {
  const listen = env.CERTDESK_SIGNER_LISTEN?.trim() || `unix:${path.join(dataDir, 'signer.sock')}`;
  const socketMode = env.CERTDESK_SIGNER_SOCKET_MODE ? parseInt(env.CERTDESK_SIGNER_SOCKET_MODE, 8) : 0o600;
  if (!(socketMode >= 0 && socketMode <= 0o777))
    throw new ConfigError('CERTDESK_SIGNER_SOCKET_MODE must be octal permissions such as 600 or 660');
  if (listen.startsWith('unix:')) return { kind: 'unix', socketPath: path.resolve(listen.slice(5)), socketMode };
  const m = /^https:\/\/([^/:]+|\[[^\]]+\]):(\d+)\/?$/.exec(listen);
  if (!m) throw new ConfigError('CERTDESK_SIGNER_LISTEN must be unix:/path/signer.sock or https://host:port (mutual TLS)');
  const read = async (name: string) => {
    const file = env[name];
    if (!file)
      throw new ConfigError(
        `CERTDESK_SIGNER_LISTEN=https://… needs ${name} (PEM): the signer answers only clients whose certificate it trusts`,
      );
    return readFile(file).catch(() => {
      throw new ConfigError(`${name}: cannot read ${file}`);
    });
  };
  return {
    kind: 'https',
    host: m[1]!.replace(/^\[|\]$/g, ''),
    port: Number(m[2]),
    tls: {
      cert: await read('CERTDESK_SIGNER_TLS_CERT'),
      key: await read('CERTDESK_SIGNER_TLS_KEY'),
      ca: await read('CERTDESK_SIGNER_TLS_CLIENT_CA'),
    },
    socketMode,
  };
}

async function main(): Promise<void> {
  const env = process.env;
  const prod = env.NODE_ENV === 'production';
  const dataDir = path.resolve(env.CERTDESK_DATA_DIR || 'data');
  let listen: SignerListen;
  let ca;
  try {
    // The signer itself holds the keys: a CERTDESK_SIGNER_URL in its environment would point it at itself.
    ca = caConfigFrom({ ...env, CERTDESK_SIGNER_URL: '' }, prod, dataDir);
    listen = await signerListenFrom(env, dataDir);
    if (prod && !env.CERTDESK_SIGNER_DATABASE_URL)
      throw new ConfigError(
        'CERTDESK_SIGNER_DATABASE_URL must be set in production: the signer checks every certificate and OCSP answer against the registry',
      );
  } catch (e) {
    if (e instanceof ConfigError) {
      console.error(`CertDesk signer: ${e.message}`);
      process.exit(2);
    }
    throw e;
  }
  let runtime;
  let kmc;
  try {
    runtime = await caRuntime(ca);
    // The KMC shares the device's session with the CA keys (its calls queue behind their signatures).
    kmc = ca.sdf?.kmc();
  } catch (e) {
    // A device that refuses (wrong password, no such key, library missing) is the operator's to fix: say
    // which call and code, without a stack (the error never carries the password).
    const cause = (e as { cause?: unknown }).cause;
    const sdf = e instanceof SdfError ? e : cause instanceof SdfError ? cause : undefined;
    if (sdf) {
      console.error(`CertDesk signer: the SDF device refused: ${sdf.message}`);
      process.exit(2);
    }
    const p11 = e instanceof Pkcs11Error ? e : cause instanceof Pkcs11Error ? cause : undefined;
    if (p11) {
      console.error(`CertDesk signer: the PKCS#11 token refused: ${p11.message}`);
      process.exit(2);
    }
    throw e;
  }
  const registryDb = env.CERTDESK_SIGNER_DATABASE_URL
    ? await openDb({ databaseUrl: env.CERTDESK_SIGNER_DATABASE_URL, migrate: false, poolSize: 4 })
    : null;
  const rootCrls: Partial<Record<KeyAlgorithm, Uint8Array>> = {};
  for (const family of Object.keys(runtime.hierarchy.families) as KeyAlgorithm[]) {
    const crl = await rootCrlFile(ca.dir, family);
    if (crl) rootCrls[family] = crl;
  }
  const app = await buildSignerService({
    hierarchy: runtime.hierarchy,
    policyOids: [ca.policyOid],
    ...(registryDb ? { registry: databaseRegistry(registryDb.db) } : {}),
    rootCrls,
    operational: await operationalCertificateFiles(ca.dir),
    ...(kmc ? { kmc } : {}),
    maxBytes: env.CERTDESK_SIGNER_MAX_BYTES ? Number(env.CERTDESK_SIGNER_MAX_BYTES) : undefined,
    fastify: {
      logger: { level: env.LOG_LEVEL || 'info', base: { service: 'certdesk-signer' } },
      ...(listen.tls ? { https: { ...listen.tls, requestCert: true, rejectUnauthorized: true } } : {}),
    },
  });
  if (listen.kind === 'unix') {
    // A socket left by a killed signer would make listen fail with EADDRINUSE.
    await rm(listen.socketPath!, { force: true });
    await app.listen({ path: listen.socketPath! });
    await chmod(listen.socketPath!, listen.socketMode);
  } else await app.listen({ host: listen.host!, port: listen.port! });
  app.log.info(
    {
      listen: listen.kind === 'unix' ? `unix:${listen.socketPath}` : `https://${listen.host}:${listen.port}`,
      registry: Boolean(registryDb),
      kmc: Boolean(kmc),
    },
    registryDb
      ? 'CA signer ready'
      : 'CA signer ready; no registry connection: certificates are linted but not checked against the registry',
  );
  const stop = async () => {
    await app.close();
    await registryDb?.close();
    ca.sdf?.close();
    ca.pkcs11?.close();
    process.exit(0);
  };
  process.once('SIGINT', () => void stop());
  process.once('SIGTERM', () => void stop());
}

if (import.meta.url === `file://${process.argv[1]}`) void main();
