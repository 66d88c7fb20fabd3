/** 证书状态：CRL、OCSP 与公开的证书状态查询. */
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { AppContext } from '../app.js';
import { caDownloads } from '../modules/revocation/ca-downloads.js';
import { lookupStatus } from '../modules/certificates/registry.js';
import type { ThrottlePolicy } from '../modules/throttle/throttle.js';

/**
 * The public query is open to anyone, so it is counted per address: 60 queries in 10 minutes, then a
 * pause of 5 minutes (doubling up to an hour) — enough for a person checking certificates, too slow for
 * walking the registry.
 */
export const STATUS_QUERY_ADDRESS: ThrottlePolicy = {
  threshold: 60,
  windowMs: 10 * 60_000,
  baseLockMs: 5 * 60_000,
  maxLockMs: 60 * 60_000,
};

const ZQuery = z.object({
  serial: z.string().max(100, '序列号过长').optional(),
  uscc: z.string().max(40, '统一社会信用代码过长').optional(),
});

export const caStatusRoutes =
  (ctx: AppContext): FastifyPluginAsyncZod =>
  async (app) => {
    const { deps } = ctx;

    app.get(
      '/api/cert-status',
      {
        schema: {
          tags: ['公共'],
          summary: '证书状态查询：按证书序列号或统一社会信用代码，返回单位、项目、有效期与状态（有效/已吊销/已过期/未知）',
          querystring: ZQuery,
        },
      },
      async (req, reply) => {
        const key = `cert-status:ip:${req.ip}`;
        // Counted and refused in one atomic step, so a burst cannot slip past the limit.
        await deps.throttle.take(key, STATUS_QUERY_ADDRESS);
        reply.header('cache-control', 'no-store');
        return lookupStatus(deps, req.query);
      },
    );

    // 下载中心: the CA certificates' fingerprints and where the certificates and CRLs are published.
    app.get(
      '/api/ca-downloads',
      {
        schema: {
          tags: ['公共'],
          summary: '下载中心：各算法根证书、签发CA证书（SHA-256 指纹，SM2 另有 SM3 指纹）与 CRL 的下载地址',
        },
      },
      async (_req, reply) => {
        reply.header('cache-control', 'public, max-age=300');
        return caDownloads(deps);
      },
    );
  };
