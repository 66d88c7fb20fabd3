/**
 * Builds the Fastify app from its dependencies. Nothing here holds state that matters between requests:
 * sessions, captchas and counters are in the database, so any number of instances behave as one.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import Fastify, { type FastifyInstance } from 'fastify';
import fastifyCookie from '@fastify/cookie';
import fastifyHelmet from '@fastify/helmet';
import fastifyStatic from '@fastify/static';
import fastifySwagger from '@fastify/swagger';
import fastifySwaggerUi from '@fastify/swagger-ui';
import { jsonSchemaTransform, serializerCompiler, validatorCompiler, type ZodTypeProvider } from 'fastify-type-provider-zod';
import type { DestinationStream } from 'pino';
import { AppError } from '../core/errors.js';
import type { Clock } from './clock.js';
import type { Config } from './config.js';
import { ping, type Db } from './db/client.js';
import { captchaService } from './modules/captcha/captcha.js';
import { throttle } from './modules/throttle/throttle.js';
import type { UseCaseDeps } from './modules/deps.js';
import { registerErrorHandling } from './plugins/errors.js';
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
import { paymentRoutes } from './routes/payments.js';
import { financeRoutes } from './routes/finance.js';
import { certificateRoutes } from './routes/certificates.js';
import { caStatusRoutes } from './routes/ca-status.js';
import { paymentSandboxRoutes } from './routes/payment-sandbox.js';
import { revocationRoutes } from './routes/revocation.js';
import { caPublicationRoutes } from './routes/ca-publication.js';
import { counterRoutes } from './routes/counter.js';
import { myCertificatesRoutes } from './routes/my-certificates.js';
import { sealImageRoutes } from './routes/seal-images.js';
import { sealRoutes } from './routes/seals.js';

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
  app.setSerializerCompiler(serializerCompiler);
  registerErrorHandling(app);

  await app.register(fastifyCookie);
  await app.register(fastifyHelmet, {
    contentSecurityPolicy: {
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        // antd writes its styles at run time (CSS-in-JS).
        styleSrc: ["'self'", "'unsafe-inline'"],
        imgSrc: ["'self'", 'data:', 'blob:'],
        connectSrc: ["'self'"],
        frameAncestors: ["'none'"],
        upgradeInsecureRequests: null,
      },
    },
    hsts: config.env === 'production',
  });
  await app.register(fastifySwagger, {
    openapi: {
      info: {
        title: 'CertDesk API',
        version: '0.1.0',
        description: '江西CA数字证书在线受理系统 JSON API。改变状态的请求须带 x-csrf-token 头（取自 GET /api/session）。',
      },
    },
    transform: jsonSchemaTransform,
  });
  await app.register(fastifySwaggerUi, { routePrefix: '/api/docs' });

  const deps: UseCaseDeps = {
    db,
    clock,
    config,
    captcha: captchaService({ db, clock, secret: config.secret, fixed: config.captchaFixed }),
    throttle: throttle({ db, clock }),
  };
  const sessions = registerSessions(app, { db, clock, config });
  const ctx: AppContext = { deps, sessions, kickOutbox: () => opts.onOutbox?.() };

  app.get('/api/health', { schema: { tags: ['公共'], summary: '健康检查' } }, async (_req, reply) => {
    try {
      await ping(db);
      return { status: 'ok' };
    } catch {
      return reply.status(503).send({ status: 'database unavailable' });
    }
  });
  app.get('/api/openapi.json', { schema: { hide: true } }, async () => app.swagger());

  await app.register(accountRoutes(ctx));
  await app.register(staffRoutes(ctx));
  await app.register(orderRoutes(ctx));
  await app.register(templatesRoutes(ctx));
  await app.register(documentsRoutes(ctx));
  await app.register(legalCheckRoutes(ctx));
  await app.register(staffCatalogRoutes(ctx));
  await app.register(staffOrdersRoutes(ctx));
  await app.register(reviewRoutes(ctx));
  await app.register(fulfilmentRoutes(ctx));
  await app.register(invoicesRoutes(ctx));
  await app.register(staffSettingsRoutes(ctx));
  await app.register(paymentRoutes(ctx));
  await app.register(financeRoutes(ctx));
  await app.register(certificateRoutes(ctx));
  await app.register(caStatusRoutes(ctx));
  await app.register(paymentSandboxRoutes(ctx));
  await app.register(revocationRoutes(ctx));
  await app.register(caPublicationRoutes(ctx));
  await app.register(counterRoutes(ctx));
  await app.register(myCertificatesRoutes(ctx));
  await app.register(sealImageRoutes(ctx));
  await app.register(sealRoutes(ctx));
  if (config.env !== 'production') await app.register(devRoutes(ctx));

  await registerWeb(app, opts.webDist ?? WEB_DIST);
  return app;
}

/** The built single-page app; every non-API path gets index.html so deep links work. */
async function registerWeb(app: FastifyInstance, webDist: string): Promise<void> {
  const built = existsSync(path.join(webDist, 'index.html'));
  if (built) await app.register(fastifyStatic, { root: webDist, wildcard: false, index: false, maxAge: '1h' });
  app.setNotFoundHandler((req, reply) => {
    if (req.url.startsWith('/api/') || req.method !== 'GET') {
      return reply.status(404).send(new AppError('NOT_FOUND', '找不到请求的内容').toBody());
    }
    if (!built) return reply.type('text/plain; charset=utf-8').send('网页尚未构建：请运行 npm run build:web');
    reply.header('cache-control', 'no-cache');
    return reply.sendFile('index.html');
  });
}
