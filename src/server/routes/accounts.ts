/** Applicant accounts: session bootstrap, captcha, 注册, 登录, 退出, 忘记密码. Thin: use cases decide. */
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { ZLoginBody, ZRegisterBody, ZResetConfirmBody, ZResetRequestBody } from '../../core/schemas.js';
import { ZCaptchaImage, ZMe, ZOrgLoggedIn, ZOrgSession, ZPasswordRule, ZResetRequested } from '../../core/accounts-schemas.js';
import { ZOk } from '../../core/orders-schemas.js';
import { PASSWORD_RULE_TEXT } from '../../core/password-rule.js';
import type { AppContext } from '../app.js';
import { registerOrganization } from '../modules/accounts/register-organization.js';
import { logIn } from '../modules/accounts/log-in.js';
import { confirmPasswordReset, requestPasswordReset } from '../modules/accounts/reset-password.js';
import { orgSessionView, publicOrg } from '../modules/accounts/session-view.js';
import { metaOf, requireOrg } from './guards.js';

export const accountRoutes =
  (ctx: AppContext): FastifyPluginAsyncZod =>
  async (app) => {
    const { deps, sessions } = ctx;

    app.get(
      '/api/session',
      { schema: { tags: ['申请单位'], summary: '当前会话与 CSRF 令牌', response: { 200: ZOrgSession } } },
      async (req, reply) => {
        const s = await sessions.ensure(req, reply);
        reply.header('cache-control', 'no-store');
        return orgSessionView(deps.db, deps.config.sms.kind === 'sandbox', s);
      },
    );

    app.get(
      '/api/captcha',
      { schema: { tags: ['公共'], summary: '图形验证码（一次性，5分钟有效）', response: { 200: ZCaptchaImage } } },
      async (_req, reply) => {
        reply.header('cache-control', 'no-store');
        return ctx.deps.captcha.create();
      },
    );

    app.post(
      '/api/register',
      { schema: { tags: ['申请单位'], summary: '免费注册', body: ZRegisterBody, response: { 201: ZOrgLoggedIn } } },
      async (req, reply) => {
        const org = await registerOrganization(deps, req.body, metaOf(req));
        await sessions.rotate(req, reply, org.id);
        return reply.status(201).send({ organization: publicOrg(org), csrfToken: req.session!.csrfToken });
      },
    );

    app.post(
      '/api/login',
      { schema: { tags: ['申请单位'], summary: '登录', body: ZLoginBody, response: { 200: ZOrgLoggedIn } } },
      async (req, reply) => {
        const org = await logIn(deps, req.body, metaOf(req));
        const s = await sessions.rotate(req, reply, org.id);
        return { organization: publicOrg(org), csrfToken: s.csrfToken };
      },
    );

    app.post('/api/logout', { schema: { tags: ['申请单位'], summary: '退出登录', response: { 200: ZOk } } }, async (req, reply) => {
      await sessions.destroy(req, reply);
      return { ok: true };
    });

    app.get('/api/me', { schema: { tags: ['申请单位'], summary: '当前单位', response: { 200: ZMe } } }, async (req) => {
      return { organization: publicOrg(await requireOrg(deps.db, req)) };
    });

    app.post(
      '/api/password-reset/request',
      { schema: { tags: ['申请单位'], summary: '忘记密码：发送短信验证码', body: ZResetRequestBody, response: { 200: ZResetRequested } } },
      async (req) => {
        const r = await requestPasswordReset(deps, req.body, metaOf(req));
        ctx.kickOutbox();
        return r;
      },
    );

    app.post(
      '/api/password-reset/confirm',
      { schema: { tags: ['申请单位'], summary: '忘记密码：验证码 + 新密码', body: ZResetConfirmBody, response: { 200: ZOk } } },
      async (req) => {
        await confirmPasswordReset(deps, req.body, metaOf(req));
        return { ok: true };
      },
    );

    app.get('/api/password-rule', { schema: { tags: ['公共'], summary: '密码规则', response: { 200: ZPasswordRule } } }, async () => ({
      text: PASSWORD_RULE_TEXT,
    }));
  };
