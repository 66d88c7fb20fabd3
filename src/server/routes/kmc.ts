/**
 * The key management centre's staff routes (docs/kmc.md): 制证 downloads an encryption key's envelope, once, to
 * write it to the customer's UKEY. The KMC itself is on the signer's side; this serves what it left in the
 * registry (ciphertext only the UKEY opens).
 */
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { COUNTER_PRODUCERS } from '../../core/counter.js';
import { ZEnvelopedKey, ZRecoveries, ZRecoveryOne } from '../../core/kmc-schemas.js';
import type { StaffRole } from '../../core/schemas.js';
import type { AppContext } from '../app.js';
import { downloadEnvelope } from '../modules/kmc/download-envelope.js';
import { decideRecovery, deliverRecovery, listRecoveries, requestRecovery } from '../modules/kmc/recovery.js';
import { enforceStaffAccess, metaOf, staffActor } from './guards.js';

const ZCertId = z.object({ id: z.string({ error: '证书编号格式不正确' }).uuid('证书编号格式不正确') });
const ZRecoveryId = z.object({ id: z.string({ error: '申请编号格式不正确' }).uuid('申请编号格式不正确') });
const ZRecoveryBody = z.object({
  // The encryption certificate by its id (from the registry) or by a serial of the pair (what the unit knows).
  certificateId: z.string({ error: '加密证书编号格式不正确' }).uuid('加密证书编号格式不正确').optional(),
  serial: z.string({ error: '证书序列号格式不正确' }).max(100, '证书序列号过长，请核对').optional(),
  kind: z.enum(['user', 'judicial'], { error: '恢复类型只能是用户密钥恢复（user）或司法密钥恢复（judicial）' }),
  recipient: z
    .string({ error: '请提供新 USB Key 的证书请求或签名证书，或接收机构的证书' })
    .min(1, '请提供新 USB Key 的证书请求或签名证书，或接收机构的证书')
    .max(20_000, '证书请求或证书过长'),
  reason: z.string({ error: '请填写恢复原因' }).max(500, '恢复原因最多 500 字'),
});
const ZDecision = z.object({ note: z.string().max(500, '说明最多 500 字').optional() });
const PRODUCERS = [...new Set<StaffRole>(['制证', ...COUNTER_PRODUCERS])];
const KEY_ADMINS = ['密钥管理员'] as const satisfies readonly StaffRole[];
const RECOVERY_DELIVERERS = ['密钥管理员', '制证'] as const satisfies readonly StaffRole[];

export const kmcRoutes =
  (ctx: AppContext): FastifyPluginAsyncZod =>
  async (app) => {
    const { deps } = ctx;
    enforceStaffAccess(app, deps.db);
    app.post(
      '/api/staff/certificates/:id/enveloped-key',
      {
        config: { staffAccess: PRODUCERS },
        schema: {
          tags: ['制证'],
          summary: '下载加密证书私钥的数字信封（GM/T 0016 ENVELOPEDKEYBLOB，只有 USB Key 的签名私钥能打开；只能下载一次）',
          params: ZCertId,
          response: { 200: ZEnvelopedKey },
        },
      },
      async (req, reply) => {
        const r = await downloadEnvelope(deps, staffActor(req), req.params.id, metaOf(req));
        reply.header('cache-control', 'no-store');
        // Base64 in JSON, as the one-time PKCS#12 is: the page saves it as a file or hands it to the 证书助手.
        return { serial: r.serial, format: 'GM/T 0016 ENVELOPEDKEYBLOB' as const, envelopedKeyBlob: r.envelope.toString('base64') };
      },
    );

    // ——— 密钥恢复: one key administrator asks, another decides; the envelope is made and handed over once ———
    const recoveryView = (r: Awaited<ReturnType<typeof requestRecovery>>) => ({
      id: r.id,
      certificateId: r.certificateId,
      kind: r.kind,
      status: r.status,
      reason: r.reason,
      requestedAt: r.requestedAt,
      decidedAt: r.decidedAt,
    });
    app.get(
      '/api/staff/kmc/recoveries',
      {
        config: { staffAccess: KEY_ADMINS },
        schema: { tags: ['密钥恢复'], summary: '密钥恢复申请列表（密钥管理员）', response: { 200: ZRecoveries } },
      },
      async (req, reply) => {
        reply.header('cache-control', 'no-store');
        return { recoveries: await listRecoveries(deps, staffActor(req).id) };
      },
    );
    app.post(
      '/api/staff/kmc/recoveries',
      {
        config: { staffAccess: KEY_ADMINS },
        schema: {
          tags: ['密钥恢复'],
          summary: '申请密钥恢复：补办（新 USB Key 的证书请求或本 CA 签发的签名证书）或司法恢复（接收机构的证书）；加密证书按编号或序列号',
          body: ZRecoveryBody,
          response: { 201: ZRecoveryOne },
        },
      },
      async (req, reply) =>
        reply.status(201).send({ recovery: recoveryView(await requestRecovery(deps, staffActor(req), req.body, metaOf(req))) }),
    );
    for (const [action, approve] of [
      ['approve', true],
      ['refuse', false],
    ] as const)
      app.post(
        `/api/staff/kmc/recoveries/:id/${action}`,
        {
          config: { staffAccess: KEY_ADMINS },
          schema: {
            tags: ['密钥恢复'],
            summary: approve ? '批准密钥恢复（另一位密钥管理员）' : '驳回密钥恢复',
            params: ZRecoveryId,
            body: ZDecision,
            response: { 200: ZRecoveryOne },
          },
        },
        async (req) => ({
          recovery: recoveryView(await decideRecovery(deps, staffActor(req), req.params.id, { approve, note: req.body.note }, metaOf(req))),
        }),
      );
    app.post(
      '/api/staff/kmc/recoveries/:id/envelope',
      {
        config: { staffAccess: RECOVERY_DELIVERERS },
        schema: {
          tags: ['密钥恢复'],
          summary: '下载恢复的加密密钥信封（已批准的申请，只能下载一次）',
          params: ZRecoveryId,
          response: { 200: ZEnvelopedKey },
        },
      },
      async (req, reply) => {
        const r = await deliverRecovery(deps, staffActor(req), req.params.id, metaOf(req));
        reply.header('cache-control', 'no-store');
        return { serial: r.serial, format: 'GM/T 0016 ENVELOPEDKEYBLOB' as const, envelopedKeyBlob: r.envelope.toString('base64') };
      },
    );
  };
