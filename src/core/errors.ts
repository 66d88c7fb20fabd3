/**
 * One error vocabulary for the whole product (ARCHITECTURE.md principle 7). The server maps each code to an
 * HTTP status in one place (server/plugins/errors.ts); the web shows `message` (Chinese, for people) and,
 * for VALIDATION_FAILED, the per-field messages next to the fields.
 */
export const ERROR_STATUS = {
  VALIDATION_FAILED: 400,
  CAPTCHA_INVALID: 400,
  BAD_REQUEST: 400,
  NOT_AUTHENTICATED: 401,
  BAD_CREDENTIALS: 401,
  CSRF_INVALID: 403,
  FORBIDDEN: 403,
  ACCOUNT_DISABLED: 403,
  NOT_FOUND: 404,
  CONFLICT: 409,
  USCC_TAKEN: 409,
  PAYLOAD_TOO_LARGE: 413,
  UNSUPPORTED_MEDIA_TYPE: 415,
  RATE_LIMITED: 429,
  INTERNAL: 500,
  /** The CA signer service refused what it was asked to sign (its re-check failed): a bug or an attack, never the user's doing. */
  SIGNER_REFUSED: 502,
  /** The CA signer service cannot be reached: nothing was signed; try again. */
  SIGNER_UNAVAILABLE: 503,
} as const;

export type ErrorCode = keyof typeof ERROR_STATUS;

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

export class AppError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly extra: { fields?: FieldErrors; retryAfterSeconds?: number } = {},
  ) {
    super(message);
    this.name = 'AppError';
  }
  get status(): number {
    return ERROR_STATUS[this.code];
  }
  toBody(): ErrorBody {
    return { error: { code: this.code, message: this.message, ...this.extra } };
  }
}

export const validationFailed = (fields: FieldErrors): AppError =>
  new AppError('VALIDATION_FAILED', '填写的信息有误，请按提示修改', { fields });
