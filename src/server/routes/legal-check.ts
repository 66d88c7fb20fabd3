/**
 * 法人核验. The legal representative's phone page works by QR token alone (no login: the token is the
 * credential, and it opens this order's check and nothing else); the applicant polls the state of the check
 * of their own order. The token routes live under /api/, so their POSTs need the CSRF token of an
 * (anonymous) session from GET /api/session, exactly like the rest of the web app.
 */
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { AppError } from '../../core/errors.js';
import { idNumberProblem, idProblemMessage, normalizeIdNumber } from '../../core/id-number.js';
import { visibleText } from '../../core/visible-text.js';
import { ZLegalCheckOutcome, ZLegalCheckStarted, ZLegalCheckState, ZMobileLegalCheckView } from '../../core/legal-check-schemas.js';
import type { AppContext } from '../app.js';
import { faceVerifierFor } from '../adapters/face/factory.js';
import { finishLegalCheck } from '../modules/legal-check/finish-legal-check.js';
import { orderByLegalToken } from '../modules/legal-check/find-by-token.js';
import { legalCheckState, mobileLegalCheckView } from '../modules/legal-check/legal-check-view.js';
import { startLegalCheck } from '../modules/legal-check/start-legal-check.js';
import { catalogRepository } from '../modules/catalog/repository.js';
import { orderRepository } from '../modules/orders/repository.js';
import { faceidSandboxRoutes } from './faceid-sandbox.js';
import { requireOrg } from './guards.js';
import { baseUrlOf } from './orders.js';

const tags = ['法人核验'];
// Any string: a malformed token gets the same 404 as an unknown one (nothing to learn from a 400).
const ZToken = z.object({ token: z.string().max(200) });

const ZStart = z.object({
  name: z
    .string({ error: '请填写法定代表人姓名' })
    .superRefine(visibleText('法定代表人姓名'))
    .transform((s) => s.trim())
    .pipe(z.string().min(1, '请填写法定代表人姓名').max(30, '法定代表人姓名最多30个字')),
  idNumber: z
    .string({ error: '请填写法定代表人身份证号' })
    .max(30, '法定代表人身份证号应为18位')
    .transform(normalizeIdNumber)
    .superRefine((v, ctx) => {
      const p = idNumberProblem(v);
      if (p) ctx.addIssue({ code: 'custom', message: idProblemMessage(p, '法定代表人身份证号') });
    }),
});

export const legalCheckRoutes =
  (ctx: AppContext): FastifyPluginAsyncZod =>
  async (app) => {
    const { config, db, clock, throttle } = ctx.deps;
    const verifier = faceVerifierFor(config, db, clock);
    const deps = { db, clock, throttle, verifier };
    if (!verifier) app.log.warn('法人核验 is unavailable: set CERTDESK_FACE (tencent, or sandbox for a test site)');
    // The sandbox gateway: always outside production; in production only when chosen explicitly.
    if (config.env !== 'production' || config.face.kind === 'sandbox') await app.register(faceidSandboxRoutes(ctx));

    app.get(
      '/api/legal-check/:token',
      {
        schema: {
          tags,
          summary: '法人核验页（扫码打开）：订单、申请单位与被授权的经办人',
          params: ZToken,
          response: { 200: ZMobileLegalCheckView },
        },
      },
      async (req, reply) => {
        reply.header('cache-control', 'no-store');
        return mobileLegalCheckView(deps, await orderByLegalToken(db, req.params.token));
      },
    );

    app.post(
      '/api/legal-check/:token/start',
      {
        schema: {
          tags,
          summary: '法定代表人确认姓名和身份证号，开始人脸核身',
          params: ZToken,
          body: ZStart,
          response: { 200: ZLegalCheckStarted },
        },
      },
      async (req) => startLegalCheck(deps, req.params.token, req.body, { baseUrl: baseUrlOf(ctx, req) }),
    );

    app.post(
      '/api/legal-check/:token/finish',
      {
        schema: {
          tags,
          summary: '人脸核身结束后查询并记录结果',
          params: ZToken,
          body: z.object({ bizToken: z.string().regex(/^[A-Za-z0-9-]{1,64}$/, '核验标识不正确，请返回重新开始核验') }),
          response: { 200: ZLegalCheckOutcome },
        },
      },
      async (req) => finishLegalCheck(deps, req.params.token, req.body.bizToken),
    );

    app.get(
      '/api/orders/:id/legal-check',
      {
        schema: {
          tags,
          summary: '本单位订单的法人核验状态（供订单页实时刷新）',
          params: z.object({ id: z.string().uuid('订单编号格式不正确') }),
          response: { 200: ZLegalCheckState },
        },
      },
      async (req, reply) => {
        const org = await requireOrg(db, req);
        const order = await orderRepository.findOwned(db, req.params.id, org.id);
        if (!order) throw new AppError('NOT_FOUND', '找不到该订单');
        const project = await catalogRepository.get(db, order.projectCode);
        if (!project) throw new AppError('NOT_FOUND', '找不到该订单');
        reply.header('cache-control', 'no-store');
        return legalCheckState(deps, order, project);
      },
    );
  };
