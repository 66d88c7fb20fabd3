/**
 * The error rule (docs/error-handling.md) as a table: what was thrown → the status and code the client gets,
 * the Chinese message it reads, the level and message of the log line, and that the cause is logged but never
 * sent. The HTTP side (a failing signer, a payment provider down, the database gone) is in
 * routes/outages.test.ts.
 */
import { DrizzleQueryError } from 'drizzle-orm';
import type { FastifyError } from 'fastify';
import { describe, expect, it } from 'vitest';
import { AppError, DEPENDENCIES, ERRORS, INTERNAL_MESSAGE, OutageError, validationFailed } from '../../core/errors.js';
import { StoredFileMissing, StoredFileUnreadable } from '../adapters/storage/port.js';
import { ProviderError } from '../adapters/payment/port.js';
import { logFailure } from '../logging.js';
import { dependencyCall, reportingSigner } from '../outages.js';
import { signerRefused, signerUnavailable } from '../modules/certificates/signer-client.js';
import type { Signer } from '../../ca/signer/port.js';
import { toAppError } from './errors.js';

const pgError = (code: string, message: string) => Object.assign(new Error(message), { code, severity: 'FATAL' });
const netError = (code: string, message: string) => Object.assign(new Error(message), { code, syscall: 'connect' });
const failedQuery = (cause: Error) => new DrizzleQueryError('select "id" from "orders" where "id" = $1', ['secret-param'], cause);
const fastifyError = (code: string, statusCode: number) => Object.assign(new Error(code), { code, statusCode });

type Row = [
  label: string,
  thrown: unknown,
  status: number,
  code: string,
  level: 'info' | 'warn' | 'error',
  message: string,
  logMsg: string,
];

const TABLE: Row[] = [
  // Refusals: their own message, at info; with a cause, at warn.
  [
    'a domain refusal',
    new AppError('CONFLICT', '订单状态已变化，请刷新页面'),
    409,
    'CONFLICT',
    'info',
    '订单状态已变化，请刷新页面',
    'request refused',
  ],
  [
    'a refusal standing for a lower-level error',
    new AppError('CONFLICT', '印模图片不能用于制作电子签章，请重新确认印模后再制作', { cause: new RangeError('company: not a PNG') }),
    409,
    'CONFLICT',
    'warn',
    '印模图片不能用于制作电子签章，请重新确认印模后再制作',
    'request refused',
  ],
  [
    'invalid fields',
    validationFailed({ name: '请填写单位名称' }),
    400,
    'VALIDATION_FAILED',
    'info',
    '填写的信息有误，请按提示修改',
    'request refused',
  ],
  [
    'a locked key',
    new AppError('RATE_LIMITED', '尝试次数过多，请在30秒后再试', { retryAfterSeconds: 30 }),
    429,
    'RATE_LIMITED',
    'info',
    '尝试次数过多，请在30秒后再试',
    'request refused',
  ],
  [
    'a broken JSON body',
    fastifyError('FST_ERR_CTP_INVALID_JSON_BODY', 400),
    400,
    'BAD_REQUEST',
    'info',
    '请求格式不正确',
    'request refused',
  ],
  [
    'a body too large',
    fastifyError('FST_ERR_CTP_BODY_TOO_LARGE', 413),
    413,
    'PAYLOAD_TOO_LARGE',
    'info',
    '提交的内容过大',
    'request refused',
  ],
  // Outages wrapped where the call is made: 502 for a provider, 503 for our own infrastructure.
  [
    'a payment provider down',
    new OutageError('payment', new TypeError('fetch failed', { cause: netError('ECONNREFUSED', 'connect ECONNREFUSED 203.0.113.9:443') })),
    502,
    'PROVIDER_UNAVAILABLE',
    'error',
    DEPENDENCIES.payment.message,
    'payment unavailable',
  ],
  [
    'the payment provider answering an error',
    new OutageError(
      'payment',
      new ProviderError('wechat', 'SYSTEM_ERROR', '系统错误', 500),
      '获取支付二维码失败，请稍后重试或换一种支付方式',
    ),
    502,
    'PROVIDER_UNAVAILABLE',
    'error',
    '获取支付二维码失败，请稍后重试或换一种支付方式',
    'payment unavailable',
  ],
  [
    '人脸核身 down',
    new OutageError('face', new Error('transport: socket hang up')),
    502,
    'PROVIDER_UNAVAILABLE',
    'error',
    DEPENDENCIES.face.message,
    'face unavailable',
  ],
  [
    'the CA signer failing',
    new OutageError('signer', new Error('CKR_DEVICE_REMOVED')),
    503,
    'SERVICE_UNAVAILABLE',
    'error',
    DEPENDENCIES.signer.message,
    'signer unavailable',
  ],
  [
    // The remote signer (CERTDESK_SIGNER_URL) not answering: its own code for 制证, and the log names the signer
    // (was "dependency unavailable", which an alert on "signer unavailable" misses).
    'the remote CA signer not answering',
    signerUnavailable(netError('ECONNRESET', 'read ECONNRESET')),
    503,
    'SIGNER_UNAVAILABLE',
    'error',
    '证书签发服务暂时无法连接，本次未签发任何内容。请稍后重试；如持续出现，请联系管理员检查签名服务',
    'signer unavailable',
  ],
  [
    // The signer's re-check refused (no registry record, a failing profile): named apart from an outage.
    'the remote CA signer refusing to sign',
    signerRefused(new Error('signer answered 422: no pending registry record for this serial')),
    502,
    'SIGNER_REFUSED',
    'error',
    '证书签发服务复核未通过，拒绝签名，本次未签发。已记录，请联系管理员',
    'signer refused',
  ],
  // Outages recognised from the error itself, wherever it was thrown.
  [
    'PGlite closed under a query',
    failedQuery(new Error('PGlite is closed')),
    503,
    'SERVICE_UNAVAILABLE',
    'error',
    DEPENDENCIES.database.message,
    'database unavailable',
  ],
  [
    'PostgreSQL shutting down',
    failedQuery(pgError('57P01', 'terminating connection due to administrator command')),
    503,
    'SERVICE_UNAVAILABLE',
    'error',
    DEPENDENCIES.database.message,
    'database unavailable',
  ],
  [
    'the database dropped',
    pgError('3D000', 'database "certdesk" does not exist'),
    503,
    'SERVICE_UNAVAILABLE',
    'error',
    DEPENDENCIES.database.message,
    'database unavailable',
  ],
  [
    'too many connections',
    failedQuery(pgError('53300', 'sorry, too many clients already')),
    503,
    'SERVICE_UNAVAILABLE',
    'error',
    DEPENDENCIES.database.message,
    'database unavailable',
  ],
  [
    'the database refusing connections (every address)',
    Object.assign(
      new AggregateError(
        [netError('ECONNREFUSED', 'connect ECONNREFUSED ::1:5432'), netError('ECONNREFUSED', 'connect ECONNREFUSED 127.0.0.1:5432')],
        '',
      ),
      { code: 'ECONNREFUSED' },
    ),
    503,
    'SERVICE_UNAVAILABLE',
    'error',
    DEPENDENCIES.database.message,
    'database unavailable',
  ],
  [
    'a pool already ended',
    new Error('Cannot use a pool after calling end on the pool'),
    503,
    'SERVICE_UNAVAILABLE',
    'error',
    DEPENDENCIES.database.message,
    'database unavailable',
  ],
  [
    'a stored file missing',
    new StoredFileMissing('0123456789abcdef0123456789abcdef'),
    503,
    'SERVICE_UNAVAILABLE',
    'error',
    DEPENDENCIES.storage.message,
    'storage unavailable',
  ],
  [
    'a stored file unreadable',
    new StoredFileUnreadable('0123456789abcdef0123456789abcdef', 'authentication tag mismatch'),
    503,
    'SERVICE_UNAVAILABLE',
    'error',
    DEPENDENCIES.storage.message,
    'storage unavailable',
  ],
  // Bugs: a wrong statement is not an outage; nor is an unwrapped provider error or any other exception.
  [
    'a unique violation',
    failedQuery(pgError('23505', 'duplicate key value violates unique constraint "orders_pkey"')),
    500,
    'INTERNAL',
    'error',
    INTERNAL_MESSAGE,
    'unhandled error',
  ],
  [
    'a syntax error in SQL',
    failedQuery(pgError('42601', 'syntax error at or near "form"')),
    500,
    'INTERNAL',
    'error',
    INTERNAL_MESSAGE,
    'unhandled error',
  ],
  [
    'a TypeError',
    new TypeError("Cannot read properties of undefined (reading 'der')"),
    500,
    'INTERNAL',
    'error',
    INTERNAL_MESSAGE,
    'unhandled error',
  ],
  [
    'an explicit INTERNAL',
    new AppError('INTERNAL', '系统繁忙，请稍后再试'),
    500,
    'INTERNAL',
    'error',
    '系统繁忙，请稍后再试',
    'unhandled error',
  ],
];

/** A logger that keeps what it was given. */
function recorder() {
  const lines: { level: string; obj: Record<string, unknown>; msg: string }[] = [];
  const at = (level: string) => (obj: object, msg: string) => void lines.push({ level, obj: obj as Record<string, unknown>, msg });
  return { lines, log: { info: at('info'), warn: at('warn'), error: at('error') } };
}

/** An error and everything it wraps. */
const chainOf = (e: unknown): Error[] =>
  e instanceof Error ? [e, ...chainOf(e.cause), ...(e instanceof AggregateError ? e.errors.flatMap(chainOf) : [])] : [];

describe('thrown → answer and log', () => {
  it.each(TABLE)('%s: %i %s, logged at %s', (_label, thrown, status, code, level, message, logMsg) => {
    const e = toAppError(thrown as FastifyError);
    expect(e.status).toBe(status);
    expect(e.code).toBe(code);
    expect(e.message).toBe(message);
    const body = JSON.stringify(e.toBody());
    expect(JSON.parse(body)).toMatchObject({ error: { code, message } });
    // Nothing of the cause reaches the client: no exception text, no SQL, no parameter, no stack.
    for (const x of chainOf(thrown)) if (!(x instanceof AppError) && x.message) expect(body).not.toContain(x.message);
    for (const s of ['select', 'secret-param', 'Error', '    at ']) expect(body).not.toContain(s);

    const { lines, log } = recorder();
    logFailure(log, e);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({ level, msg: logMsg, obj: { code } });
    // Whatever was thrown underneath is what the log line carries (a plain refusal carries only its code).
    if (level !== 'info') expect(lines[0]!.obj.err).toBe(thrown instanceof AppError ? (thrown.cause ?? thrown) : thrown);
    if (thrown instanceof OutageError || e instanceof OutageError) expect(lines[0]!.obj.dependency).toBe((e as OutageError).dependency);
    if (e.kind === 'outage') expect(lines[0]!.obj.dependency).not.toBe('dependency');
  });

  it('every code is a 4xx refusal, a 5xx outage (502/503) or the 500 bug', () => {
    for (const [code, { status, kind }] of Object.entries(ERRORS)) {
      if (kind === 'refusal') expect(status, code).toBeGreaterThanOrEqual(400);
      if (kind === 'refusal') expect(status, code).toBeLessThan(500);
      if (kind === 'outage') expect([502, 503], code).toContain(status);
      if (kind === 'bug') expect(status, code).toBe(500);
    }
    for (const [dependency, d] of Object.entries(DEPENDENCIES)) {
      expect(ERRORS[d.code].kind, dependency).toBe('outage');
      expect(d.message, dependency).toMatch(/[\u4e00-\u9fff]/);
    }
  });
});

describe('calls to a dependency', () => {
  it('a failure becomes the dependency’s outage with the failure as its cause; an AppError passes unchanged', async () => {
    const down = new Error('connect ETIMEDOUT');
    const e = await dependencyCall('payment', () => Promise.reject(down), '获取支付二维码失败，请稍后重试或换一种支付方式').catch(
      (x: unknown) => x,
    );
    expect(e).toBeInstanceOf(OutageError);
    expect(e).toMatchObject({
      dependency: 'payment',
      code: 'PROVIDER_UNAVAILABLE',
      cause: down,
      message: '获取支付二维码失败，请稍后重试或换一种支付方式',
    });
    const refusal = new AppError('CONFLICT', '订单状态已变化，请刷新页面');
    await expect(dependencyCall('payment', () => Promise.reject(refusal))).rejects.toBe(refusal);
    await expect(dependencyCall('payment', async () => 42)).resolves.toBe(42);
  });

  it('a signer that fails is the signer’s outage; one that signs is unchanged', async () => {
    const ok: Signer = {
      algorithm: 'sm2',
      publicKeySpki: new Uint8Array([1]),
      signatureAlgorithm: new Uint8Array([2]),
      sign: async () => new Uint8Array([3]),
    };
    expect(await reportingSigner(ok).sign(new Uint8Array())).toEqual(new Uint8Array([3]));
    expect(reportingSigner(ok)).toMatchObject({
      algorithm: 'sm2',
      publicKeySpki: ok.publicKeySpki,
      signatureAlgorithm: ok.signatureAlgorithm,
    });
    const hsm = new Error('CKR_SESSION_HANDLE_INVALID');
    const broken: Signer = { ...ok, sign: () => Promise.reject(hsm) };
    await expect(reportingSigner(broken, '制章签名服务暂时不可用').sign(new Uint8Array())).rejects.toMatchObject({
      dependency: 'signer',
      status: 503,
      message: '制章签名服务暂时不可用',
      cause: hsm,
    });
  });
});
