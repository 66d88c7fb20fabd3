/**
 * Structured logs (pino) that never carry secrets: request lines keep the method and the path without
 * its query string (tokens travel in query strings, e.g. QR-code links), cookies and CSRF headers are
 * redacted, and bodies are never logged.
 */
import type { FastifyServerOptions } from 'fastify';
import type { DestinationStream } from 'pino';

export const REDACT_PATHS = [
  'req.headers.cookie',
  'req.headers["x-csrf-token"]',
  'req.headers.authorization',
  'res.headers["set-cookie"]',
  '*.password',
  '*.passwordConfirm',
  '*.idNumber',
  '*.csrfToken',
  '*.code',
];

export function loggerOptions(level: string, stream?: DestinationStream): FastifyServerOptions['logger'] {
  return {
    level,
    ...(stream ? { stream } : {}),
    redact: { paths: REDACT_PATHS, censor: '[redacted]' },
    serializers: {
      req: (req: { method: string; url: string; ip?: string }) => ({ method: req.method, path: req.url.split('?')[0], ip: req.ip }),
      res: (res: { statusCode: number }) => ({ statusCode: res.statusCode }),
    },
  } as FastifyServerOptions['logger'];
}
