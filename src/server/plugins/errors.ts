/**
 * The one place where errors become HTTP answers. AppErrors carry their own code and Chinese message;
 * schema validation failures become VALIDATION_FAILED with a message per field; everything unexpected
 * becomes a generic 500 whose details go to the log only, never to the client.
 */
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { hasZodFastifySchemaValidationErrors } from 'fastify-type-provider-zod';
import { AppError, validationFailed, type FieldErrors } from '../../core/errors.js';

export function fieldErrorsFromIssues(issues: { instancePath?: string; message?: string }[]): FieldErrors {
  const fields: FieldErrors = {};
  for (const i of issues) {
    const key = (i.instancePath ?? '').replace(/^\//, '').split('/')[0] || '_';
    fields[key] ??= i.message && key !== '_' ? i.message : '请求内容不完整或格式不正确';
  }
  return fields;
}

function toAppError(err: FastifyError): AppError {
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
  return new AppError('INTERNAL', '系统繁忙，请稍后再试；如多次出现请致电客服热线 400-800-1040');
}

export function registerErrorHandling(app: FastifyInstance): void {
  app.setErrorHandler((err: FastifyError, req: FastifyRequest, reply: FastifyReply) => {
    const appErr = toAppError(err);
    if (appErr.status >= 500) req.log.error({ err }, 'unhandled error');
    else req.log.info({ code: appErr.code }, 'request refused');
    if (appErr.extra.retryAfterSeconds) reply.header('retry-after', String(appErr.extra.retryAfterSeconds));
    return reply.status(appErr.status).send(appErr.toBody());
  });
}
