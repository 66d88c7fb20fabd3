/**
 * The CA as the server uses it: the hierarchy (root, issuing CA and OCSP responder per family) loaded from
 * CERTDESK_CA_DIR and its keys unlocked with the KEK, once per process. Outside production, when no
 * hierarchy exists yet and CERTDESK_CA_AUTO_INIT allows it, a demo hierarchy is created first — so `npm
 * start` on a fresh machine can issue; production requires `npm run ca:init` (docs/OPERATIONS.md).
 *
 * Creation is atomic: the hierarchy is written to a fresh directory beside the target and renamed into
 * place, so several processes starting at once (test workers, a cluster) end up sharing one hierarchy, and
 * a crash mid-way leaves no half-written one.
 */
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import {
  addAuditSigner,
  addSealMaker,
  CRL_SHARDS,
  initCaHierarchy,
  loadCaHierarchy,
  operationalCertificateFiles,
  rootCrlFile,
  type CaHierarchy,
} from '../../../ca/hierarchy/hierarchy.js';
import { signRootCrl } from '../../../ca/hierarchy/root-crl.js';
import { SdfError } from '../../../ca/sdf/sdf.js';
import { Pkcs11Error } from '../../../ca/signer/pkcs11.js';
import type { KeyAlgorithm, Signer } from '../../../ca/signer/port.js';
import { AppError } from '../../../core/errors.js';
import type { CaConfig } from './ca-config.js';
import { fetchPublicHierarchy, remoteHierarchy, rootCrlsOf, SignerConnection } from './signer-client.js';

export interface IssuingCa {
  family: KeyAlgorithm;
  certDer: Uint8Array;
  signer: Signer;
  /** The issuing CA's subject Name, DER: the issuer of what it signs, byte for byte. */
  nameDer: Uint8Array;
  /** Its subjectKeyIdentifier (the authorityKeyIdentifier of what it signs). */
  keyId: Uint8Array;
  /** Its subject as text, for the registry. */
  nameText: string;
  rootDer: Uint8Array;
}

export interface CaRuntime {
  config: CaConfig;
  hierarchy: CaHierarchy;
  issuing(family: KeyAlgorithm): IssuingCa;
  /** The seal maker (制章人, SM2): its certificate and signer, for GM/T 0031 seals (modules/seals). */
  sealMaker(): { certDer: Uint8Array; signer: Signer; nameText: string };
  /** The audit signer (SM2): its certificate and signer, for the audit chain's checkpoints (modules/audit). */
  auditSigner(): { certDer: Uint8Array; signer: Signer; nameText: string };
  /** A family's root CRL (signed offline), DER, or null when none has been placed. */
  rootCrl(family: KeyAlgorithm): Promise<Uint8Array | null>;
  /** The seal maker's and audit signer's certificates, current and earlier. */
  operationalCertificates(): Promise<{ kind: 'seal' | 'audit'; current: boolean; der: Uint8Array }[]>;
  /** Where the keys are: this process, or the signer service (then this process holds none). */
  readonly keys: 'local' | 'signer';
}

/**
 * CRL shards per issuing CA (issue 6, Let's Encrypt style): a certificate's revocation is listed in shard
 * `shardOf(serial, CRL_SHARD_COUNT)`, published at `<base>/crl/<family>/<shard>.crl`. Serials carry 128
 * random bits, so shards fill evenly: 16 shards hold 16 × 100,000 = 1.6 million revoked entries per issuing
 * CA before one passes ~100,000 entries. The count is part of every certificate's CRL distribution point
 * URL (RFC 5280 4.2.1.13), so it is fixed for an issuing CA's life: changing it would leave certificates
 * already issued pointing at shards that no longer list them — a different count needs a new issuing CA.
 */
export const CRL_SHARD_COUNT = CRL_SHARDS;

/** loadCaHierarchy's marker: the manifest is written last. */
const complete = (dir: string) => existsSync(path.join(dir, 'manifest.json'));

const loaded = new Map<string, Promise<CaRuntime>>();

export function caNotReady(why: string, detail?: string): AppError {
  // Our own infrastructure is not ready: an outage (503, docs/error-handling.md), never the user's doing. A
  // server path goes to the log (the cause), not to the screen.
  return new AppError(
    'SERVICE_UNAVAILABLE',
    `证书签发系统未就绪：${why}。请联系管理员（npm run ca:init，见运维手册）`,
    detail ? { cause: new Error(detail) } : {},
  );
}

async function createAtomically(config: CaConfig, now: Date): Promise<void> {
  const parent = path.dirname(config.dir);
  await mkdir(parent, { recursive: true });
  const temp = path.join(parent, `.${path.basename(config.dir)}.init-${process.pid}-${randomBytes(4).toString('hex')}`);
  try {
    await initCaHierarchy({
      dir: temp,
      kek: config.kek!,
      sdf: config.sdf,
      pkcs11: config.pkcs11,
      families: config.families,
      organization: config.organization,
      baseUrl: config.baseUrl,
      policyOid: config.policyOid,
      now,
    });
    // The demo hierarchy's root key is on this machine, so its root CRL is signed now: the chain then checks
    // with CRLs all the way (a production root CRL is signed offline with npm run ca:root-crl).
    for (const family of config.families) await signRootCrl({ dir: temp, kek: config.kek!, family, now });
    try {
      // rename(2) replaces an empty directory and fails on a non-empty one.
      await rename(temp, config.dir);
    } catch (e) {
      // Another process got there first: use its hierarchy.
      if (!complete(config.dir)) throw e;
    }
  } finally {
    await rm(temp, { recursive: true, force: true });
  }
}

/** A web/RA instance's CA: the public certificates from the signer service, every signature made there. */
async function openRemote(config: CaConfig, endpoint: NonNullable<CaConfig['signer']>): Promise<CaRuntime> {
  const conn = new SignerConnection(endpoint);
  const view = await fetchPublicHierarchy(conn, config);
  const rootCrls = rootCrlsOf(view);
  const operational = (view.operational ?? []).map((o) => ({ ...o, der: new Uint8Array(Buffer.from(o.der, 'base64')) }));
  return runtimeOf(config, remoteHierarchy(conn, view, config.dir), 'signer', {
    rootCrl: async (family) => rootCrls[family] ?? null,
    operationalCertificates: async () => operational,
  });
}

function runtimeOf(
  config: CaConfig,
  h: CaHierarchy,
  keys: CaRuntime['keys'],
  files: Pick<CaRuntime, 'rootCrl' | 'operationalCertificates'>,
): CaRuntime {
  return {
    ...files,
    keys,
    auditSigner() {
      const a = h.families.sm2?.audit;
      if (!a) throw caNotReady('CA 中没有审计日志签名密钥（SM2）：请运行 npm run ca:init -- --add-audit-signer');
      return { certDer: a.certDer, signer: a.signer, nameText: a.nameText };
    },
    config,
    hierarchy: h,
    sealMaker() {
      const seal = h.families.sm2?.seal;
      if (!seal) throw caNotReady('CA 中没有电子印章制章人（SM2）：请运行 npm run ca:init -- --add-seal-maker');
      return { certDer: seal.certDer, signer: seal.signer, nameText: seal.nameText };
    },
    issuing(family) {
      const f = h.families[family];
      if (!f) throw caNotReady(`CA 中没有 ${family} 算法的签发 CA`);
      return {
        family,
        certDer: f.issuing.certDer,
        signer: f.issuing.signer,
        nameDer: f.issuing.nameDer,
        keyId: f.issuing.keyId,
        nameText: f.issuing.nameText,
        rootDer: f.root.certDer,
      };
    },
  };
}

async function open(config: CaConfig): Promise<CaRuntime> {
  if (config.signer) return openRemote(config, config.signer);
  if (!config.kek) throw caNotReady('未配置 CA 密钥加密密钥（CERTDESK_CA_KEK 或 CERTDESK_CA_KEK_FILE）');
  if (!complete(config.dir)) {
    if (!config.autoInit) throw caNotReady('CA 目录中没有 CA', `no CA in ${config.dir}`);
    await createAtomically(config, new Date());
  }
  let hierarchy: CaHierarchy;
  try {
    hierarchy = await loadCaHierarchy({ dir: config.dir, kek: config.kek, sdf: config.sdf, pkcs11: config.pkcs11 });
  } catch (e) {
    // The device refused (wrong password, missing key or library): an outage for staff, the cause to the log.
    if (e instanceof SdfError) throw Object.assign(caNotReady('无法使用密码设备（SDF）中的 CA 密钥', e.message), { cause: e });
    if (e instanceof Pkcs11Error) throw Object.assign(caNotReady('无法使用硬件密码模块（PKCS#11）中的 CA 密钥', e.message), { cause: e });
    throw e;
  }
  // A development CA made before seals existed gets its seal maker on first start (production: ca:init --add-seal-maker).
  if (hierarchy.families.sm2 && !hierarchy.families.sm2.seal && config.autoInit) {
    try {
      hierarchy = await addSealMaker({ dir: config.dir, kek: config.kek, baseUrl: config.baseUrl, sdf: config.sdf, pkcs11: config.pkcs11 });
    } catch {
      // Another process added it meanwhile.
      hierarchy = await loadCaHierarchy({ dir: config.dir, kek: config.kek, sdf: config.sdf, pkcs11: config.pkcs11 });
    }
  }
  // … and its audit signer, likewise (production: ca:init --add-audit-signer).
  if (hierarchy.families.sm2 && !hierarchy.families.sm2.audit && config.autoInit) {
    try {
      hierarchy = await addAuditSigner({
        dir: config.dir,
        kek: config.kek,
        baseUrl: config.baseUrl,
        sdf: config.sdf,
        pkcs11: config.pkcs11,
      });
    } catch {
      hierarchy = await loadCaHierarchy({ dir: config.dir, kek: config.kek, sdf: config.sdf, pkcs11: config.pkcs11 });
    }
  }
  return runtimeOf(config, hierarchy, 'local', {
    rootCrl: (family) => rootCrlFile(config.dir, family),
    operationalCertificates: () => operationalCertificateFiles(config.dir),
  });
}

const ready = new Map<string, CaRuntime>();

/** The CA if this process has loaded it already (never loads or creates one): for health and status reads. */
export function loadedCaRuntime(config: CaConfig): CaRuntime | undefined {
  return ready.get(`${config.dir}\0${config.kek?.toString('hex') ?? ''}`);
}

/** The process's CA, loaded (and in development created) on first use. */
export function caRuntime(config: CaConfig): Promise<CaRuntime> {
  const key = `${config.dir}\0${config.kek?.toString('hex') ?? ''}`;
  let p = loaded.get(key);
  if (!p) {
    p = open(config);
    loaded.set(key, p);
    p.then((rt) => ready.set(key, rt)).catch(() => undefined);
    // A failure is not cached: an administrator may run ca:init and try again without a restart.
    p.catch(() => loaded.delete(key));
  }
  return p;
}
