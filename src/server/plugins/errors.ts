/**
 * The one place where errors become HTTP answers and log lines (docs/error-handling.md). AppErrors carry
 * their own code and Chinese message; schema validation failures become VALIDATION_FAILED with a message per
 * field; a failed database or file store becomes its outage (503); everything else is a bug: a generic 500.
 * The body is only ever the AppError's code and Chinese message — causes, stacks and SQL go to the log.
 */
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { hasZodFastifySchemaValidationErrors } from 'fastify-type-provider-zod';
import { AppError, INTERNAL_MESSAGE, OutageError, validationFailed, type FieldErrors } from '../../core/errors.js';
import { logFailure } from '../logging.js';
import { failedDependency } from '../outages.js';

export function fieldErrorsFromIssues(issues: { instancePath?: string; message?: string }[]): FieldErrors {
  const fields: FieldErrors = {};
  for (const i of issues) {
    const key = (i.instancePath ?? '').replace(/^\//, '').split('/')[0] || '_';
    fields[key] ??= i.message && key !== '_' ? i.message : '请求内容不完整或格式不正确';
  }
  return fields;
}

export function toAppError(err: FastifyError): AppError {
  if (err instanceof AppError) return err;
  if (hasZodFastifySchemaValidationErrors(err)) return validationFailed(fieldErrorsFromIssues(err.validation));
  if (err.validation) return validationFailed(fieldErrorsFromIssues(err.validation as never));
  switch (err.code) {
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return new AppError('BAD_REQUEST', '请求格式不正确');
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return new AppError('PAYLOAD_TOO_LARGE', '提交的内容过大');
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
    case 'FST_ERR_CTP_INVALID_TYPE':
      return new AppError('UNSUPPORTED_MEDIA_TYPE', '不支持的提交格式');
  }
  if (err.statusCode === 404) return new AppError('NOT_FOUND', '找不到请求的内容');
  if (err.statusCode && err.statusCode >= 400 && err.statusCode < 500) return new AppError('BAD_REQUEST', '请求格式不正确');
  const dependency = failedDependency(err);
  if (dependency) return new OutageError(dependency, err);
  return new AppError('INTERNAL', INTERNAL_MESSAGE, { cause: err });
}

export function registerErrorHandling(app: FastifyInstance): void {
  app.setErrorHandler((err: FastifyError, req: FastifyRequest, reply: FastifyReply) => {
    const appErr = toAppError(err);
    logFailure(req.log, appErr);
    if (appErr.extra.retryAfterSeconds) reply.header('retry-after', String(appErr.extra.retryAfterSeconds));
    return reply.status(appErr.status).send(appErr.toBody());
  });
}
