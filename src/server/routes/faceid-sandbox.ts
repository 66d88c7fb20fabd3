/**
 * The sandbox FaceID gateway over HTTP (never mounted in production unless CERTDESK_FACE=sandbox is set
 * explicitly): POST /sandbox/faceid stands in for https://faceid.tencentcloudapi.com/ (API 3.0, TC3-signed
 * JSON; the signature covers the exact body bytes, so the body is taken raw), and /sandbox/faceid/h5 is the
 * "liveness" page the phone is sent to.
 */
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { AppContext } from '../app.js';
import { choosePage, endedPage, unknownPage } from '../adapters/face/sandbox-page.js';
import {
  SANDBOX_H5_PATH,
  SANDBOX_OUTCOMES,
  returnUrl,
  sandboxFaceidGateway,
  type SandboxOutcome,
} from '../adapters/face/sandbox-gateway.js';

export const faceidSandboxRoutes =
  (ctx: AppContext): FastifyPluginAsyncZod =>
  async (app) => {
    const { db, clock } = ctx.deps;
    const gateway = sandboxFaceidGateway({ db, clock });

    // Only inside this plugin: JSON stays a string (the signed bytes), forms become objects.
    app.removeContentTypeParser('application/json');
    app.addContentTypeParser('application/json', { parseAs: 'string', bodyLimit: 64 * 1024 }, (_req, body, done) => done(null, body));
    app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string', bodyLimit: 4 * 1024 }, (_req, body, done) => {
      done(null, Object.fromEntries(new URLSearchParams(body as string)));
    });

    for (const url of ['/sandbox/faceid', '/sandbox/faceid/']) {
      app.post(url, { config: { csrf: false }, schema: { hide: true } }, async (req, reply) => {
        const r = await gateway.handle({ headers: req.headers, body: typeof req.body === 'string' ? req.body : '' });
        return reply.status(r.status).header('cache-control', 'no-store').send(r.body);
      });
    }

    const html = (reply: { header: (k: string, v: string) => unknown }) => {
      reply.header('content-type', 'text/html; charset=utf-8');
      reply.header('cache-control', 'no-store');
    };

    app.get(
      SANDBOX_H5_PATH,
      { schema: { hide: true, querystring: z.object({ BizToken: z.string().max(64).optional() }) } },
      async (req, reply) => {
        html(reply);
        const s = await gateway.session(req.query.BizToken ?? '');
        if (!s) return reply.status(404).send(unknownPage());
        if (s.outcome) return reply.send(endedPage(s, 'done'));
        if (s.expiresAt <= clock.now()) return reply.send(endedPage(s, 'expired'));
        return reply.send(choosePage(s));
      },
    );

    app.post(
      SANDBOX_H5_PATH,
      {
        config: { csrf: false },
        schema: {
          hide: true,
          body: z.object({
            BizToken: z.string().max(64),
            outcome: z.enum(Object.keys(SANDBOX_OUTCOMES) as [SandboxOutcome, ...SandboxOutcome[]]),
          }),
        },
      },
      async (req, reply) => {
        const r = await gateway.complete(req.body.BizToken, req.body.outcome);
        if (r.ok && r.session) return reply.redirect(returnUrl(r.session), 303);
        html(reply);
        if (!r.session) return reply.status(404).send(unknownPage());
        return reply.send(endedPage(r.session, r.session.outcome ? 'done' : 'expired'));
      },
    );
  };
