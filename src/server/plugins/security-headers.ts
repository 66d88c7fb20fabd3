/**
 * The browser security headers (helmet) of the web app, built once. @fastify/helmet calls helmet(options) in its
 * onRequest hook, which parses and validates the CSP directives again on every request (about a seventh of a
 * request's CPU in the OCSP benchmark's profile, before the CA routes left the web app's context); the
 * middleware built once sets the same headers.
 */
import type { FastifyInstance } from 'fastify';
import helmet, { type HelmetOptions } from 'helmet';

export function registerSecurityHeaders(app: FastifyInstance, options: HelmetOptions): void {
  const apply = helmet(options);
  app.addHook('onRequest', (req, reply, done) => {
    apply(req.raw, reply.raw, (err?: unknown) => done(err instanceof Error ? err : undefined));
  });
}
