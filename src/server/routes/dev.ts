/**
 * Development-only routes (never mounted in production): the sandbox SMS gateway over HTTP and the
 * development inbox that shows what the sandbox "delivered".
 */
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { desc, eq } from 'drizzle-orm';
import { z } from 'zod';
import type { AppContext } from '../app.js';
import { sandboxSms } from '../db/schema.js';
import { sandboxSmsGateway } from '../adapters/sms/sandbox-gateway.js';

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
        // Filtered in SQL, not after the limit: a number's message must not vanish behind 100 newer ones.
        const phone = req.query.phone?.trim();
        const rows = await db
          .select()
          .from(sandboxSms)
          .where(phone ? eq(sandboxSms.phoneNumber, phone) : undefined)
          .orderBy(desc(sandboxSms.id))
          .limit(100);
        return { items: rows };
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
