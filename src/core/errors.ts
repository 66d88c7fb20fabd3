/**
 * One error vocabulary for the whole product (docs/error-handling.md). Every code has a kind, and the kind
 * decides the HTTP status class, the log level and what a person reads:
 *
 * - refusal: the request cannot be done as asked (bad input, wrong state, no right). 4xx with its own Chinese
 *   message; logged at info, or at warn when it carries the lower-level error it stands for (`cause`).
 * - outage: something we depend on failed (the database, the file store, the CA's signer, the payment or
 *   人脸核身 provider). 502/503 with a fixed Chinese message; logged at error with the cause chain.
 * - bug: anything else. 500 with a generic Chinese message; logged at error.
 *
 * The web shows `message` and, for VALIDATION_FAILED, the per-field messages next to the fields. A cause is
 * never sent: no exception text, stack or SQL reaches a person (server/plugins/errors.ts).
 */
import { HOTLINE } from './content/help.js';

export type ErrorKind = 'refusal' | 'outage' | 'bug';

export const ERRORS = {
  VALIDATION_FAILED: { status: 400, kind: 'refusal' },
  CAPTCHA_INVALID: { status: 400, kind: 'refusal' },
  BAD_REQUEST: { status: 400, kind: 'refusal' },
  NOT_AUTHENTICATED: { status: 401, kind: 'refusal' },
  BAD_CREDENTIALS: { status: 401, kind: 'refusal' },
  CSRF_INVALID: { status: 403, kind: 'refusal' },
  FORBIDDEN: { status: 403, kind: 'refusal' },
  ACCOUNT_DISABLED: { status: 403, kind: 'refusal' },
  NOT_FOUND: { status: 404, kind: 'refusal' },
  CONFLICT: { status: 409, kind: 'refusal' },
  USCC_TAKEN: { status: 409, kind: 'refusal' },
  PAYLOAD_TOO_LARGE: { status: 413, kind: 'refusal' },
  UNSUPPORTED_MEDIA_TYPE: { status: 415, kind: 'refusal' },
  RATE_LIMITED: { status: 429, kind: 'refusal' },
  INTERNAL: { status: 500, kind: 'bug' },
  /** An outside provider (payment, 人脸核身) did not answer or answered with an error. */
  PROVIDER_UNAVAILABLE: { status: 502, kind: 'outage' },
  /** Our own infrastructure (database, file store, CA signer) cannot serve now. */
  SERVICE_UNAVAILABLE: { status: 503, kind: 'outage' },
  /** The CA signer service refused what it was asked to sign (its re-check failed): a bug or an attack, never the user's doing. */
  SIGNER_REFUSED: { status: 502, kind: 'outage' },
  /** The CA signer service cannot be reached: nothing was signed; try again. */
  SIGNER_UNAVAILABLE: { status: 503, kind: 'outage' },
} as const satisfies Record<string, { status: number; kind: ErrorKind }>;

export type ErrorCode = keyof typeof ERRORS;

/** Field name → Chinese message naming the field and the rule. */
export type FieldErrors = Record<string, string>;

export interface ErrorBody {
  error: {
    code: ErrorCode;
    message: string;
    fields?: FieldErrors;
    retryAfterSeconds?: number;
  };
}

export interface AppErrorOptions {
  fields?: FieldErrors;
  retryAfterSeconds?: number;
  /** The lower-level error this one stands for: logged with its own causes, never sent. */
  cause?: unknown;
}

export class AppError extends Error {
  /** What the answer carries besides the message. */
  readonly extra: { fields?: FieldErrors; retryAfterSeconds?: number };
  constructor(
    readonly code: ErrorCode,
    message: string,
    options: AppErrorOptions = {},
  ) {
    const { cause, ...extra } = options;
    super(message, cause === undefined ? undefined : { cause });
    this.name = 'AppError';
    this.extra = extra;
  }
  get status(): number {
    return ERRORS[this.code].status;
  }
  get kind(): ErrorKind {
    return ERRORS[this.code].kind;
  }
  /** What the client receives: code, the Chinese message, field messages, retry time — never the cause. */
  toBody(): ErrorBody {
    const { fields, retryAfterSeconds } = this.extra;
    return {
      error: {
        code: this.code,
        message: this.message,
        ...(fields ? { fields } : {}),
        ...(retryAfterSeconds ? { retryAfterSeconds } : {}),
      },
    };
  }
}

export const validationFailed = (fields: FieldErrors): AppError =>
  new AppError('VALIDATION_FAILED', '填写的信息有误，请按提示修改', { fields });

/** The generic message of a bug: nothing about what broke. */
export const INTERNAL_MESSAGE = `系统繁忙，请稍后再试；如多次出现请致电客服热线 ${HOTLINE}`;

/** What a request may depend on, with the answer a person gets while it is down. */
export const DEPENDENCIES = {
  database: { code: 'SERVICE_UNAVAILABLE', message: `系统暂时无法处理请求，请稍后再试；如多次出现请致电客服热线 ${HOTLINE}` },
  storage: { code: 'SERVICE_UNAVAILABLE', message: `文件暂时无法存取，请稍后再试；如多次出现请致电客服热线 ${HOTLINE}` },
  signer: { code: 'SERVICE_UNAVAILABLE', message: 'CA 签名服务暂时不可用，请稍后再试；如多次出现请联系系统管理员' },
  payment: { code: 'PROVIDER_UNAVAILABLE', message: '支付服务暂时不可用，请稍后重试或换一种支付方式' },
  face: { code: 'PROVIDER_UNAVAILABLE', message: `人脸核身服务暂时不可用，请稍后再试；如多次出现请致电客服热线 ${HOTLINE}` },
} as const satisfies Record<string, { code: ErrorCode; message: string }>;

export type Dependency = keyof typeof DEPENDENCIES;

/**
 * A dependency failed: 502 (outside provider) or 503 (our infrastructure), the dependency's Chinese message
 * (or a more precise one), the failure kept as the cause for the log.
 */
export class OutageError extends AppError {
  constructor(
    readonly dependency: Dependency,
    cause: unknown,
    message: string = DEPENDENCIES[dependency].message,
  ) {
    super(DEPENDENCIES[dependency].code, message, { cause });
    this.name = 'OutageError';
  }
}

export type LogLevel = 'info' | 'warn' | 'error';

/** How loudly an error is logged: outages and bugs at error; refusals at info, warn when they carry a cause. */
export function logLevelOf(e: AppError): LogLevel {
  if (e.kind !== 'refusal') return 'error';
  return e.cause === undefined ? 'info' : 'warn';
}
