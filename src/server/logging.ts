/**
 * Structured logs (pino) that never carry secrets: request lines keep the method and the path without
 * its query string (tokens travel in query strings, e.g. QR-code links), cookies and CSRF headers are
 * redacted, and bodies are never logged.
 *
 * Errors get their own serializer: Drizzle wraps a failed query as "Failed query: <sql>\nparams: <values>",
 * and the values are whatever the query carried — a CSRF token, an SMS code in an outbox payload, an ID
 * number. pino's standard serializer would copy them (message, stack and the `params` property) into the
 * log, and PostgreSQL's `detail` ("Key (x)=(value) already exists") likewise. We keep the SQL, the error
 * codes and the cause chain, never the values.
 */
import type { FastifyServerOptions } from 'fastify';
import type { DestinationStream } from 'pino';
import { logLevelOf, OutageError, type AppError } from '../core/errors.js';

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

/** Fields of an error (node, pg, Fastify) that help an operator and hold no user data. */
const SAFE_ERROR_FIELDS = ['code', 'statusCode', 'constraint', 'table', 'column', 'dataType', 'routine', 'severity', 'errno', 'syscall'];

/** An error's message with any query parameters taken out. */
export function describeError(e: unknown): string {
  if (!(e instanceof Error)) return typeof e === 'string' ? e : 'non-error value thrown';
  const q = e as Error & { query?: unknown; params?: unknown };
  if (typeof q.query === 'string' && 'params' in q) {
    const n = Array.isArray(q.params) ? q.params.length : 0;
    return `Failed query: ${q.query}\nparams: [${n} redacted]`;
  }
  return e.message;
}

export interface SerializedError {
  type: string;
  message: string;
  stack: string;
  [key: string]: unknown;
}

export function serializeError(e: unknown, depth = 0): SerializedError {
  const message = describeError(e);
  if (!(e instanceof Error)) return { type: typeof e, message, stack: '' };
  const stack = e.stack ?? '';
  const out: SerializedError = {
    type: e.constructor?.name || e.name,
    message,
    stack: message === e.message || !e.message ? stack : stack.split(e.message).join(message),
  };
  for (const k of SAFE_ERROR_FIELDS) {
    const v = (e as unknown as Record<string, unknown>)[k];
    if (typeof v === 'string' || typeof v === 'number') out[k] = v;
  }
  if (e.cause !== undefined && depth < 5) out.cause = serializeError(e.cause, depth + 1);
  // A connection to a host name with several addresses fails as an AggregateError whose message is empty.
  if (e instanceof AggregateError && depth < 5) out.errors = e.errors.slice(0, 5).map((x: unknown) => serializeError(x, depth + 1));
  return out;
}

/**
 * Paths that carry a credential in the path itself, not the query string: the 法人核验 QR token
 * (/v/<token>… on the phone page, /api/legal-check/<token>… on its API) and the sandbox payment token
 * (/sandbox/pay/<channel>/<token> on the payer page, /api/sandbox-pay/<token>… on its API, which pays the
 * order). The token is replaced by a marker before a request line is written, so a log reader cannot open
 * someone's verification page or pay their trade.
 */
const TOKEN_IN_PATH = /^(\/v\/|\/api\/legal-check\/|\/api\/sandbox-pay\/(?!alipay\/gateway\.do(?:[?#]|$))|\/sandbox\/pay\/[a-z]+\/)[^/?#]+/;
export function logPath(url: string): string {
  return (url.split('?')[0] ?? '').replace(TOKEN_IN_PATH, '$1[token]');
}

export function loggerOptions(level: string, stream?: DestinationStream): FastifyServerOptions['logger'] {
  return {
    level,
    ...(stream ? { stream } : {}),
    redact: { paths: REDACT_PATHS, censor: '[redacted]' },
    serializers: {
      req: (req: { method: string; url: string; ip?: string }) => ({ method: req.method, path: logPath(req.url), ip: req.ip }),
      res: (res: { statusCode: number }) => ({ statusCode: res.statusCode }),
      err: (e: Error) => serializeError(e),
    },
  } as FastifyServerOptions['logger'];
}

export type FailureLog = Record<'info' | 'warn' | 'error', (o: object, msg: string) => void>;

/**
 * Logs a failure by its kind: a refusal at info (its code), or at warn with the lower-level error it stands
 * for; an outage at error with the dependency and the failure's cause chain; a bug at error with the error.
 * The error handler logs every failed request with it; a use case that answers a failure instead of throwing
 * it (the seals after 签发证书) logs it with it too.
 */
export function logFailure(log: FailureLog, e: AppError): void {
  const level = logLevelOf(e);
  if (e.kind === 'refusal') {
    if (level === 'info') log.info({ code: e.code }, 'request refused');
    else log[level]({ code: e.code, err: e.cause }, 'request refused');
  } else if (e.kind === 'outage') {
    // SIGNER_UNAVAILABLE and SIGNER_REFUSED are the remote signer's own codes (signer-client.ts), not
    // OutageErrors: name the signer too. A refusal gets its own line: the signer's re-check turned down what a
    // web instance asked it to sign (no registry record, a profile it does not pass), which an operator must see
    // apart from an outage.
    const fromSigner = e.code === 'SIGNER_UNAVAILABLE' || e.code === 'SIGNER_REFUSED';
    const dependency = e instanceof OutageError ? e.dependency : fromSigner ? 'signer' : 'dependency';
    log[level](
      { code: e.code, dependency, err: e.cause ?? e },
      e.code === 'SIGNER_REFUSED' ? 'signer refused' : `${dependency} unavailable`,
    );
  } else log[level]({ code: e.code, err: e.cause ?? e }, 'unhandled error');
}
