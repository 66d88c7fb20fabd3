/**
 * Development-only routes (never mounted in production): the sandbox SMS gateway over HTTP and the
 * development inbox that shows what the sandboxes "delivered" — SMS, and e-mail with its attachments.
 */
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { AppContext } from '../app.js';
import { simpleParser } from 'mailparser';
import { AppError } from '../../core/errors.js';
import { sandboxSmsGateway } from '../adapters/sms/sandbox-gateway.js';
import { sandboxInboxRepository } from '../modules/sandbox-inbox/repository.js';

export const devRoutes =
  (ctx: AppContext): FastifyPluginAsyncZod =>
  async (app) => {
    const { db, clock } = ctx.deps;
    const gateway = sandboxSmsGateway({ db, clock });

    app.get(
      '/api/dev/sms',
      { schema: { tags: ['开发'], summary: '沙箱短信收件箱', querystring: z.object({ phone: z.string().max(20).optional() }) } },
      async (req, reply) => {
        reply.header('cache-control', 'no-store');
        return { items: await sandboxInboxRepository.sms(db, { phone: req.query.phone?.trim() || undefined, limit: 100 }) };
      },
    );

    app.get(
      '/api/dev/mail',
      { schema: { tags: ['开发'], summary: '沙箱邮件收件箱', querystring: z.object({ to: z.string().max(200).optional() }) } },
      async (req, reply) => {
        reply.header('cache-control', 'no-store');
        return { items: await sandboxInboxRepository.mail(db, { to: req.query.to?.trim().toLowerCase() || undefined, limit: 100 }) };
      },
    );

    // The attachment as the mail server received it: parsed again out of the stored message.
    app.get(
      '/api/dev/mail/:id/attachments/:index',
      {
        schema: {
          tags: ['开发'],
          summary: '下载沙箱邮件的附件',
          params: z.object({ id: z.coerce.number().int().positive(), index: z.coerce.number().int().min(0).max(100) }),
        },
      },
      async (req, reply) => {
        const row = await sandboxInboxRepository.mailById(db, req.params.id);
        const att = row ? (await simpleParser(row.raw)).attachments[req.params.index] : undefined;
        if (!att) throw new AppError('NOT_FOUND', '找不到该附件');
        const name = att.filename ?? 'attachment';
        return reply
          .header('cache-control', 'no-store')
          .header('x-content-type-options', 'nosniff')
          .header(
            'content-disposition',
            `attachment; filename="${name.replace(/[^\x20-\x7e]/g, '_').replace(/"/g, '')}"; filename*=UTF-8''${encodeURIComponent(name)}`,
          )
          .type(att.contentType || 'application/octet-stream')
          .send(att.content);
      },
    );

    app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string', bodyLimit: 64 * 1024 }, (_req, body, done) => {
      done(null, Object.fromEntries(new URLSearchParams(body as string)));
    });

    // Aliyun's gateway takes form-encoded parameters; the signature is checked by the sandbox itself.
    app.post('/sandbox/dysmsapi', { config: { csrf: false }, schema: { hide: true } }, async (req, reply) => {
      const params = Object.fromEntries(Object.entries((req.body ?? {}) as Record<string, unknown>).map(([k, v]) => [k, String(v)]));
      const r = await gateway.handle('POST', params);
      return reply.status(r.status).send(r.body);
    });
  };
