/**
 * /api/health: what a load balancer and an operator need to know about this instance. 503 when it cannot
 * do its work — the database is unreachable, or (embedded database) the data directory's disk is nearly
 * full, so uploads and every write would fail. The CRLs' freshness and what the CA must renew soon are
 * reported as warnings: they concern the whole CA, not whether this instance should take traffic. So is a
 * signer that does not answer: every instance shares it, so taking instances out of the balancer would stop
 * OCSP, CRLs and the whole site for what only stops 制证 (which then answers 503 by itself).
 */
import { statfs } from 'node:fs/promises';
import type { Clock } from './clock.js';
import type { Config } from './config.js';
import { ping, type Db } from './db/client.js';
import { expiryWarnings } from '../ca/hierarchy/renew.js';
import { loadedCaRuntime } from './modules/certificates/ca-runtime.js';
import { signerReachable } from './modules/certificates/signer-client.js';
import { revocationRepository } from './modules/revocation/repository.js';

export interface Health {
  status: 'ok' | 'unavailable';
  checks: {
    database: 'ok' | 'unavailable';
    /** Uploaded files live in the database (adapters/storage/database.ts). */
    storage: 'database';
    /** Free space in the data directory against CERTDESK_MIN_FREE_DISK_MB; 'unknown' when it cannot be read. */
    disk: 'ok' | 'low' | 'unknown';
    /** The issuing CAs' published CRLs: the soonest nextUpdate, and whether it has passed. */
    crl: { family: string; nextUpdate: string; stale: boolean }[];
    /** The CA signer service (CERTDESK_SIGNER_URL): answering or not; 'in_process' when this process holds the keys. */
    signer: 'ok' | 'unavailable' | 'in_process';
  };
  warnings?: string[];
}

export async function checkHealth(deps: { db: Db; clock: Clock; config: Config; embedded: boolean }): Promise<Health> {
  const now = deps.clock.now();
  const database = await ping(deps.db).then(
    () => 'ok' as const,
    () => 'unavailable' as const,
  );
  const disk = await statfs(deps.config.dataDir).then(
    (s) => (s.bavail * s.bsize >= deps.config.minFreeDiskBytes ? ('ok' as const) : ('low' as const)),
    () => 'unknown' as const,
  );
  const crl =
    database === 'ok'
      ? (await revocationRepository.crlFreshness(deps.db).catch(() => [])).map((c) => ({
          family: c.family,
          nextUpdate: c.nextUpdate.toISOString(),
          stale: c.nextUpdate <= now,
        }))
      : [];
  const endpoint = deps.config.ca.signer;
  const signer = !endpoint ? ('in_process' as const) : (await signerReachable(endpoint)) ? ('ok' as const) : ('unavailable' as const);
  // The OCSP responder (1 year), the seal maker (5 years), the issuing CA: listed from 60 days before expiry.
  const ca = loadedCaRuntime(deps.config.ca);
  const warnings = [
    ...(ca ? expiryWarnings(ca.hierarchy, now) : []),
    ...crl.filter((c) => c.stale).map((c) => `${c.family} 的 CRL 已过下次更新时间（${c.nextUpdate}），依赖方会拒绝：检查 CA 发布任务`),
    ...(signer === 'unavailable'
      ? ['证书签名服务无法连接：制证暂停（返回 503），OCSP 与 CRL 仍按已签内容提供；请检查签名服务（见运维手册 docs/ca-signer.md）']
      : []),
    ...(disk === 'low' ? [`数据目录可用空间低于 ${Math.round(deps.config.minFreeDiskBytes / 1048576)} MB`] : []),
  ];
  const unavailable = database !== 'ok' || (deps.embedded && disk === 'low');
  return {
    status: unavailable ? 'unavailable' : 'ok',
    checks: { database, storage: 'database', disk, crl, signer },
    ...(warnings.length ? { warnings } : {}),
  };
}
