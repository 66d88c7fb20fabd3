/**
 * Telling an outage from a bug (docs/error-handling.md). A call to an outside dependency made while a
 * request waits is wrapped where it is made (`dependencyCall`, `reportingSigner`): its failure becomes that
 * dependency's OutageError, the failure kept as the cause. Two dependencies can fail under any code and are
 * recognised from the error itself (`failedDependency`, used by the error handler): the database (connection
 * refused, lost or timed out, the server shutting down or out of connections, no such database) and the file
 * store (a stored file missing or unreadable, or the store itself unavailable: S3 unreachable or refusing us).
 */
import type { Signer } from '../ca/signer/port.js';
import { AppError, OutageError, type Dependency } from '../core/errors.js';
import { StorageUnavailable, StoredFileMissing, StoredFileUnreadable } from './adapters/storage/port.js';

/**
 * SQLSTATEs that mean the database cannot serve, not that the statement was wrong: connection exceptions
 * (08), insufficient resources (53: disk full, out of memory, too many connections), system errors (58),
 * shutting down or starting up (57P01–57P03), the database gone (3D000), our credentials refused (28).
 */
const PG_UNAVAILABLE = /^(?:(?:08|53|58)[0-9A-Z]{3}|57P0[123]|3D000|28000|28P01)$/;
/** Connection failures as node reports them; a request's only unwrapped connection is the database's. */
const NET_UNAVAILABLE = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EPIPE',
]);
/** node-postgres and PGlite say these without a code. */
const DRIVER_UNAVAILABLE =
  /^(?:Connection terminated|timeout exceeded when trying to connect|Cannot use a pool after calling end|Client has encountered a connection error|PGlite is closed)/;

/** The error and what it wraps (cause, AggregateError's errors), a few levels deep. */
function* chain(e: unknown, depth = 0): Generator<unknown> {
  if (e === undefined || e === null || depth > 5) return;
  yield e;
  if (e instanceof AggregateError) for (const inner of e.errors) yield* chain(inner, depth + 1);
  if (e instanceof Error) yield* chain(e.cause, depth + 1);
}

function databaseUnavailable(e: unknown): boolean {
  if (!(e instanceof Error)) return false;
  const code = (e as { code?: unknown }).code;
  if (typeof code === 'string' && (PG_UNAVAILABLE.test(code) || NET_UNAVAILABLE.has(code))) return true;
  return DRIVER_UNAVAILABLE.test(e.message);
}

/** The dependency whose failure `e` is, if it is the database's or the file store's. */
export function failedDependency(e: unknown): Dependency | undefined {
  const all = [...chain(e)];
  // The file store says so itself; what it wraps (a refused connection to the bucket) is not the database's.
  if (all.some((x) => x instanceof StorageUnavailable)) return 'storage';
  if (all.some(databaseUnavailable)) return 'database';
  if (all.some((x) => x instanceof StoredFileMissing || x instanceof StoredFileUnreadable)) return 'storage';
  return undefined;
}

/**
 * Runs a call to `dependency`: any failure becomes its OutageError (with `message`, or the dependency's
 * own), except an AppError, which already says what happened.
 */
export async function dependencyCall<T>(dependency: Dependency, fn: () => Promise<T>, message?: string): Promise<T> {
  try {
    return await fn();
  } catch (e) {
    if (e instanceof AppError) throw e;
    throw new OutageError(dependency, e, message);
  }
}

/**
 * The signer, with a failed signature reported as the signer's outage (an HSM unplugged, a PKCS#11 session
 * lost) — so the caller can tell it apart from its own refusals around the signature.
 */
export function reportingSigner(signer: Signer, message?: string): Signer {
  return {
    algorithm: signer.algorithm,
    publicKeySpki: signer.publicKeySpki,
    signatureAlgorithm: signer.signatureAlgorithm,
    sign: (data) => dependencyCall('signer', () => signer.sign(data), message),
  };
}
