/**
 * The UKEY through the 证书助手 (issue 20; docs/agent.md): where a page finds the agent and what it pairs it
 * with, the 制证 workstation's initialization authorization, and 在线解锁's steps (modules/tokens/unlock.ts).
 * The CA's authorizations carry the token's SO PIN sealed to the agent's session key: the page passes them
 * on and can read nothing in them.
 */
import type { FastifyPluginAsyncZod, ZodTypeProvider } from 'fastify-type-provider-zod';
import type { FastifyRequest } from 'fastify';
import { z } from 'zod';
import { ZTokenSerial } from '../../core/certificates.js';
import { AppError } from '../../core/errors.js';
import { COUNTER_TRANSITIONS } from '../../core/counter.js';
import { rolesFor } from '../../core/transitions.js';
import { TRANSITIONS } from '../../core/workflow.js';
import {
  ZAgentDownloads,
  ZAgentPairing,
  ZTokenAuthorization,
  ZTokenInitAuthorization,
  ZUnlockFaceStarted,
  ZUnlockRequested,
  ZUnlockView,
} from '../../core/tokens-schemas.js';
import type { AppContext } from '../app.js';
import { faceVerifierFor } from '../adapters/face/factory.js';
import { agentBinding, ZAgentSession } from '../modules/tokens/agent-session.js';
import { AGENT_DOWNLOAD_NAME, agentDownloads, openAgentDownload } from '../modules/tokens/agent-downloads.js';
import { authorizeTokenInit } from '../modules/tokens/init-authorization.js';
import {
  confirmUnlockCode,
  finishUnlock,
  finishUnlockFace,
  grantUnlock,
  requestUnlock,
  startUnlockFace,
  unlockStatus,
  type UnlockDeps,
} from '../modules/tokens/unlock.js';
import { enforceStaffAccess, metaOf, requireOrg, staffActor } from './guards.js';
import { baseUrlOf } from './orders.js';

const ZId = z.object({ id: z.string({ error: '申请编号格式不正确' }).uuid('申请编号格式不正确') });
/** Whoever may take 制证, online or at the counter (the transition tables say who): the UKEY is written there. */
const PRODUCE = [...new Set([...rolesFor(TRANSITIONS, 'produce'), ...rolesFor(COUNTER_TRANSITIONS, 'produce')])];

export const tokenRoutes =
  (ctx: AppContext): FastifyPluginAsyncZod =>
  async (scope) => {
    const app = scope.withTypeProvider<ZodTypeProvider>();
    const { deps } = ctx;
    const { db, config } = deps;
    const unlock: UnlockDeps = { ...deps, verifier: faceVerifierFor(config, db, deps.clock) };
    const tags = ['证书助手'];
    /** The portal origin as the browser sends it (the agent checks its own setting too). */
    const originOf = (req: FastifyRequest) => new URL(baseUrlOf(ctx, req)).origin;
    const sessionOf = (req: FastifyRequest) => {
      if (!req.session?.subjectId) throw new AppError('NOT_AUTHENTICATED', '请先登录');
      return req.session;
    };
    const pairing = (req: FastifyRequest) => ({ agentUrl: config.agentUrl, binding: agentBinding(config.secret, sessionOf(req)) });

    // 下载中心: the 证书助手's installer files the operator published (modules/tokens/agent-downloads.ts).
    app.get(
      '/api/agent/downloads',
      {
        schema: {
          tags,
          summary: '下载中心：证书助手安装文件（运营方发布的文件名、大小与 SHA-256；尚未发布时为空）',
          response: { 200: ZAgentDownloads },
        },
      },
      async (_req, reply) => {
        // Not cached by the browser: a newly published installer (or a withdrawn one) shows at the next visit.
        reply.header('cache-control', 'no-cache');
        const files = await agentDownloads(config.agentDownloadDir);
        return { files: files.map((f) => ({ ...f, url: `/api/agent/downloads/${encodeURIComponent(f.name)}` })) };
      },
    );

    app.get(
      '/api/agent/downloads/:name',
      {
        schema: {
          tags,
          summary: '下载证书助手安装文件',
          params: z.object({ name: z.string().regex(AGENT_DOWNLOAD_NAME, '文件名只能由字母、数字、点、短横线和下划线组成') }),
        },
      },
      async (req, reply) => {
        const found = await openAgentDownload(config.agentDownloadDir, req.params.name);
        if (!found) throw new AppError('NOT_FOUND', '没有这个文件：请回到下载中心重新选择');
        return reply
          .header('content-type', 'application/octet-stream')
          .header('content-length', found.file.size)
          .header('content-disposition', `attachment; filename="${found.file.name}"`)
          .header('cache-control', 'no-cache')
          .send(found.stream);
      },
    );

    app.get(
      '/api/agent/pairing',
      { schema: { tags, summary: '证书助手的地址，以及配对时使用的本会话标识（不是会话令牌）', response: { 200: ZAgentPairing } } },
      async (req, reply) => {
        await requireOrg(db, req);
        reply.header('cache-control', 'no-store');
        return pairing(req);
      },
    );

    // Staff routes in a scope of their own: its access hook must not see the applicant routes.
    await app.register(async (inner) => {
      const app = inner.withTypeProvider<ZodTypeProvider>();
      enforceStaffAccess(app, db);
      app.get(
        '/api/staff/agent/pairing',
        {
          config: { staffAccess: PRODUCE },
          schema: { tags, summary: '制证工作站：证书助手的地址与配对标识', response: { 200: ZAgentPairing } },
        },
        async (req, reply) => {
          reply.header('cache-control', 'no-store');
          return pairing(req);
        },
      );

      app.post(
        '/api/staff/tokens/:serial/init-authorization',
        {
          config: { staffAccess: PRODUCE },
          schema: {
            tags,
            summary: '制证：初始化 UKEY 的一次性授权（管理员口令按 UKEY 序列号派生，加密给证书助手的本次会话）',
            params: z.object({ serial: ZTokenSerial }),
            body: z.object({
              agent: ZAgentSession,
              projectCode: z.string({ error: 'projectCode（证书项目）必须填写' }).trim().min(1, 'projectCode（证书项目）必须填写').max(32),
            }),
            response: { 200: ZTokenInitAuthorization },
          },
        },
        async (req) =>
          authorizeTokenInit(
            deps,
            staffActor(req),
            sessionOf(req),
            { serial: req.params.serial, agent: req.body.agent, origin: originOf(req), projectCode: req.body.projectCode },
            metaOf(req),
          ),
      );
    });

    app.post(
      '/api/my/ukey-unlocks',
      {
        schema: {
          tags,
          summary: '在线解锁：申请重置已锁定的 UKEY 用户口令（短信验证码发送到本单位注册手机号）',
          body: z.object({ tokenSerial: ZTokenSerial }),
          response: { 200: ZUnlockRequested },
        },
      },
      async (req) => {
        const org = await requireOrg(db, req);
        const r = await requestUnlock(unlock, org, req.body.tokenSerial, metaOf(req));
        ctx.kickOutbox();
        return r;
      },
    );

    app.get(
      '/api/my/ukey-unlocks/:id',
      { schema: { tags, summary: '在线解锁申请的进度', params: ZId, response: { 200: ZUnlockView } } },
      async (req) => unlockStatus(unlock, await requireOrg(db, req), req.params.id),
    );

    app.post(
      '/api/my/ukey-unlocks/:id/code',
      {
        schema: {
          tags,
          summary: '在线解锁：验证短信验证码（5次）',
          params: ZId,
          body: z.object({ code: z.string({ error: '请输入短信中的6位验证码' }).trim().max(12, '请输入短信中的6位验证码') }),
          response: { 200: ZUnlockView },
        },
      },
      async (req) => confirmUnlockCode(unlock, await requireOrg(db, req), req.params.id, req.body.code, metaOf(req)),
    );

    app.post(
      '/api/my/ukey-unlocks/:id/face',
      {
        schema: {
          tags,
          summary: '在线解锁：开始经办人人脸核身（每次申请3次），返回核身页面地址',
          params: ZId,
          response: { 200: ZUnlockFaceStarted },
        },
      },
      async (req) => startUnlockFace(unlock, await requireOrg(db, req), req.params.id, { baseUrl: baseUrlOf(ctx, req) }, metaOf(req)),
    );

    app.post(
      '/api/my/ukey-unlocks/:id/face/result',
      { schema: { tags, summary: '在线解锁：人脸核身结果', params: ZId, response: { 200: ZUnlockView } } },
      async (req) => finishUnlockFace(unlock, await requireOrg(db, req), req.params.id, metaOf(req)),
    );

    app.post(
      '/api/my/ukey-unlocks/:id/authorization',
      {
        schema: {
          tags,
          summary: '在线解锁：一次性授权（绑定 UKEY 序列号与证书助手的本次配对会话，只发一次）',
          params: ZId,
          body: z.object({ agent: ZAgentSession }),
          response: { 200: ZTokenAuthorization },
        },
      },
      async (req) =>
        grantUnlock(
          unlock,
          await requireOrg(db, req),
          req.params.id,
          sessionOf(req),
          { agent: req.body.agent, origin: originOf(req) },
          metaOf(req),
        ),
    );

    app.post(
      '/api/my/ukey-unlocks/:id/finish',
      {
        schema: {
          tags,
          summary: '在线解锁：证书助手的结果（已重置，或失败原因）',
          params: ZId,
          body: z.object({ reset: z.boolean({ error: 'reset 必须是 true 或 false' }), error: z.string().max(200).optional() }),
          response: { 200: ZUnlockView },
        },
      },
      async (req) => finishUnlock(unlock, await requireOrg(db, req), req.params.id, req.body, metaOf(req)),
    );
  };
