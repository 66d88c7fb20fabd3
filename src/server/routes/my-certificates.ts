/**
 * 我的证书、到期提醒 (issue 7): the organization's certificates, one certificate with its revocation requests,
 * and the SMS code that confirms an online revocation request (the request itself is
 * POST /api/certificates/:id/revocation-requests in routes/revocation.ts, which checks the code).
 */
import type { FastifyPluginAsyncZod, ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { ZMyCertificateDetail, ZMyCertificates, ZRevocationCodeSent } from '../../core/my-certificates-schemas.js';
import type { AppContext } from '../app.js';
import { listMyCertificates, myCertificate } from '../modules/my-certificates/my-certificates.js';
import { sendRevocationCode } from '../modules/my-certificates/revocation-code.js';
import { metaOf, requireOrg } from './guards.js';

const ZId = z.object({ id: z.string({ error: '编号格式不正确' }).uuid('编号格式不正确') });

export const myCertificatesRoutes =
  (ctx: AppContext): FastifyPluginAsyncZod =>
  async (scope) => {
    const app = scope.withTypeProvider<ZodTypeProvider>();
    const { deps } = ctx;
    const tags = ['申请单位'];

    app.get(
      '/api/my-certificates',
      {
        schema: {
          tags,
          summary: '我的证书：本单位的全部证书（在线及现场办理），状态、有效期、来源订单，以及90天内到期的证书',
          response: { 200: ZMyCertificates },
        },
      },
      async (req) => {
        const org = await requireOrg(deps.db, req);
        return listMyCertificates(deps, org.id);
      },
    );

    app.get(
      '/api/my-certificates/:id',
      {
        schema: {
          tags,
          summary: '本单位的一张证书及其吊销申请记录（申请时间、处理时限、吊销时间）',
          params: ZId,
          response: { 200: ZMyCertificateDetail },
        },
      },
      async (req) => {
        const org = await requireOrg(deps.db, req);
        return myCertificate(deps, org.id, req.params.id);
      },
    );

    app.post(
      '/api/my-certificates/:id/revocation-code',
      {
        schema: {
          tags,
          summary: '申请吊销前获取短信验证码（发送到本单位注册手机号，10分钟内有效）',
          params: ZId,
          response: { 200: ZRevocationCodeSent },
        },
      },
      async (req) => {
        const org = await requireOrg(deps.db, req);
        const r = await sendRevocationCode(deps, org, req.params.id, metaOf(req));
        ctx.kickOutbox();
        return r;
      },
    );
  };
