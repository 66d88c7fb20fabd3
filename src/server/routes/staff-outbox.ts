/** 发送失败的消息 (管理员): SMS and e-mails the outbox gave up on, and sending one again. */
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { ZDeadMessage, ZDeadMessages } from '../../core/settings-schemas.js';
import type { AppContext } from '../app.js';
import { deadMessages, resendDeadMessage } from '../modules/outbox/dead-messages.js';
import { enforceStaffAccess, metaOf, staffActor } from './guards.js';

export const staffOutboxRoutes =
  (ctx: AppContext): FastifyPluginAsyncZod =>
  async (app) => {
    const { db } = ctx.deps;
    const tags = ['工作人员'];
    enforceStaffAccess(app, db);

    app.get(
      '/api/staff/outbox/dead',
      {
        config: { staffAccess: ['管理员'] },
        schema: { tags, summary: '发送失败的短信和邮件（最新的在前，最多200条）', response: { 200: ZDeadMessages } },
      },
      async () => ({ items: await deadMessages(db) }),
    );

    app.post(
      '/api/staff/outbox/:id/resend',
      {
        config: { staffAccess: ['管理员'] },
        schema: {
          tags,
          summary: '重新发送一条发送失败的消息（管理员；重新计算24小时重试期；验证码短信不能重发）',
          params: z.object({ id: z.coerce.number({ error: '消息编号必须是数字' }).int().positive().max(Number.MAX_SAFE_INTEGER) }),
          response: { 200: z.object({ message: ZDeadMessage }) },
        },
      },
      async (req) => {
        const message = await resendDeadMessage(ctx.deps, req.params.id, staffActor(req), metaOf(req));
        ctx.kickOutbox();
        return { message };
      },
    );
  };
