/**
 * Builds the Fastify app from its dependencies. Nothing here holds state that matters between requests:
 * sessions, captchas and counters are in the database, so any number of instances behave as one.
 */
import { fileURLToPath } from 'node:url';
import Fastify, { type FastifyInstance } from 'fastify';
import fastifyCookie from '@fastify/cookie';
import fastifySwagger from '@fastify/swagger';
import fastifySwaggerUi from '@fastify/swagger-ui';
import { jsonSchemaTransform, validatorCompiler, type ZodTypeProvider } from 'fastify-type-provider-zod';
import type { DestinationStream } from 'pino';
import { z } from 'zod';
import { ZOrgSession, ZStaffSession } from '../core/accounts-schemas.js';
import type { Clock } from './clock.js';
import type { Config } from './config.js';
import type { Db } from './db/client.js';
import { captchaService } from './modules/captcha/captcha.js';
import { throttle } from './modules/throttle/throttle.js';
import type { UseCaseDeps } from './modules/deps.js';
import { registerErrorHandling } from './plugins/errors.js';
import { responseSerializerCompiler } from './plugins/response-serializer.js';
import { registerSecurityHeaders } from './plugins/security-headers.js';
import { orgSessionView } from './modules/accounts/session-view.js';
import { staffSessionView } from './modules/staff/staff-accounts.js';
import { inlineScriptHashes, registerCompression, registerWebApp } from './plugins/web-app.js';
import { registerSessions, type SessionService } from './plugins/session.js';
import { loggerOptions } from './logging.js';
import { accountRoutes } from './routes/accounts.js';
import { staffRoutes } from './routes/staff.js';
import { devRoutes } from './routes/dev.js';
import { orderRoutes } from './routes/orders.js';
import { templatesRoutes } from './routes/templates.js';
import { documentsRoutes } from './routes/documents.js';
import { legalCheckRoutes } from './routes/legal-check.js';
import { staffCatalogRoutes } from './routes/staff-catalog.js';
import { staffOrdersRoutes } from './routes/staff-orders.js';
import { reviewRoutes } from './routes/review.js';
import { fulfilmentRoutes } from './routes/fulfilment.js';
import { invoicesRoutes } from './routes/invoices.js';
import { staffSettingsRoutes } from './routes/staff-settings.js';
import { staffOutboxRoutes } from './routes/staff-outbox.js';
import { paymentRoutes } from './routes/payments.js';
import { financeRoutes } from './routes/finance.js';
import { certificateRoutes } from './routes/certificates.js';
import { caStatusRoutes } from './routes/ca-status.js';
import { paymentSandboxRoutes } from './routes/payment-sandbox.js';
import { revocationRoutes } from './routes/revocation.js';
import { caPublicationRoutes } from './routes/ca-publication.js';
import { registerMetrics } from './metrics.js';
import { checkHealth } from './health.js';
import { counterRoutes } from './routes/counter.js';
import { myCertificatesRoutes } from './routes/my-certificates.js';
import { renewalRoutes } from './routes/renewal.js';
import { sealImageRoutes } from './routes/seal-images.js';
import { sealRoutes } from './routes/seals.js';
import { kmcRoutes } from './routes/kmc.js';
import { tokenRoutes } from './routes/tokens.js';

export interface AppOptions {
  config: Config;
  db: Db;
  clock: Clock;
  /** Where logs go (tests capture them); default stdout. */
  logStream?: DestinationStream;
  /** Called after a request enqueued outbox work, so it goes out without waiting for the next poll. */
  onOutbox?: () => void;
  /** The built web app to serve (default dist/web). */
  webDist?: string;
}

export interface AppContext {
  deps: UseCaseDeps;
  sessions: SessionService;
  kickOutbox: () => void;
}

export const WEB_DIST = fileURLToPath(new URL('../../dist/web', import.meta.url));

export async function buildApp(opts: AppOptions): Promise<FastifyInstance> {
  const { config, db, clock } = opts;
  const app = Fastify({
    logger: loggerOptions(config.logLevel, opts.logStream),
    trustProxy: config.trustProxy,
    bodyLimit: 256 * 1024,
    // Request ids in logs let one person's trouble be followed without logging who they are.
    genReqId: () => crypto.randomUUID(),
    // Fastify's 10 s default counts the whole boot (every route plugin, schemas compiled): on a busy 2-core
    // machine the browser tests' server has missed it. A plugin that truly hangs still fails, after a minute.
    pluginTimeout: 60_000,
  }).withTypeProvider<ZodTypeProvider>();
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(responseSerializerCompiler(config.env));
  registerErrorHandling(app);
  registerMetrics(app, { db, clock, config });

  const deps: UseCaseDeps = {
    db,
    clock,
    config,
    captcha: captchaService({ db, clock, secret: config.secret, fixed: config.captchaFixed }),
    throttle: throttle({ db, clock }),
  };

  // Two sibling contexts. The CA's publication (OCSP, CRLs, CA certificates) serves relying parties' software,
  // not browsers: it carries no cookies, sessions or browser security headers, and every TLS client checking a
  // certificate passes through it, so none of the web app's per-request hooks run there (issue 6's OCSP speed).
  await app.register(caPublicationRoutes({ deps }));
  // The web app: everything a person's browser talks to, with cookies, sessions, CSRF and helmet's headers.
  const webDist = opts.webDist ?? WEB_DIST;
  await app.register(async (web) => {
    await registerCompression(web);
    await web.register(fastifyCookie);
    registerSecurityHeaders(web, {
      contentSecurityPolicy: {
        directives: {
          defaultSrc: ["'self'"],
          // The inline old-browser notice of index.html, by its hash.
          scriptSrc: ["'self'", ...inlineScriptHashes(webDist)],
          // antd writes its styles at run time (CSS-in-JS).
          styleSrc: ["'self'", "'unsafe-inline'"],
          imgSrc: ["'self'", 'data:', 'blob:'],
          // The 证书助手 on the customer's own PC (docs/agent.md), loopback only: on the port the user set (在线续费
          // asks for it) and at CERTDESK_AGENT_URL (制证 and 在线解锁 take it from the server).
          connectSrc: [...new Set(["'self'", 'http://127.0.0.1:*', config.agentUrl])],
          frameAncestors: ["'none'"],
          upgradeInsecureRequests: null,
        },
      },
      hsts: config.env === 'production',
    });
    await web.register(fastifySwagger, {
      openapi: {
        info: {
          title: 'CertDesk API',
          version: '0.1.0',
          description: '江西CA数字证书在线受理系统 JSON API。改变状态的请求须带 x-csrf-token 头（取自 GET /api/session）。',
        },
      },
      transform: jsonSchemaTransform,
    });
    await web.register(fastifySwaggerUi, { routePrefix: '/api/docs' });

    const sessions = registerSessions(web, { db, clock, config });
    const ctx: AppContext = { deps, sessions, kickOutbox: () => opts.onOutbox?.() };

    web.get('/api/health', { schema: { tags: ['公共'], summary: '健康检查' } }, async (_req, reply) => {
      const h = await checkHealth({ db, clock, config, embedded: !config.databaseUrl });
      return reply
        .status(h.status === 'ok' ? 200 : 503)
        .header('cache-control', 'no-store')
        .send(h);
    });
    web.get('/api/openapi.json', { schema: { hide: true } }, async () => web.swagger());

    await web.register(accountRoutes(ctx));
    await web.register(staffRoutes(ctx));
    await web.register(orderRoutes(ctx));
    await web.register(templatesRoutes(ctx));
    await web.register(documentsRoutes(ctx));
    await web.register(legalCheckRoutes(ctx));
    await web.register(staffCatalogRoutes(ctx));
    await web.register(staffOrdersRoutes(ctx));
    await web.register(reviewRoutes(ctx));
    await web.register(fulfilmentRoutes(ctx));
    await web.register(invoicesRoutes(ctx));
    await web.register(staffSettingsRoutes(ctx));
    await web.register(staffOutboxRoutes(ctx));
    await web.register(paymentRoutes(ctx));
    await web.register(financeRoutes(ctx));
    await web.register(certificateRoutes(ctx));
    await web.register(caStatusRoutes(ctx));
    await web.register(paymentSandboxRoutes(ctx));
    await web.register(revocationRoutes(ctx));
    await web.register(counterRoutes(ctx));
    await web.register(myCertificatesRoutes(ctx));
    await web.register(renewalRoutes(ctx));
    await web.register(sealImageRoutes(ctx));
    await web.register(sealRoutes(ctx));
    await web.register(kmcRoutes(ctx));
    await web.register(tokenRoutes(ctx));
    if (config.env !== 'production') await web.register(devRoutes(ctx));

    await registerWebApp(web, webDist, async (req, realm) => {
      const s = await ctx.sessions.find(req, realm);
      if (!s) return null;
      // Encoded by the routes' response schemas, so the page carries what GET /api/session (or /api/staff/session) answers.
      return realm === 'org'
        ? z.encode(ZOrgSession, await orgSessionView(deps.db, config.sms.kind === 'sandbox', s))
        : z.encode(ZStaffSession, await staffSessionView(deps.db, s));
    });
  });
  return app;
}
