/**
 * Reads the one uploaded file from a multipart/form-data request (field "file"), holding at most 1 MB in
 * memory: busboy stops passing data at the size limit and marks the file truncated, so an oversized
 * upload is refused without ever being buffered whole. Every malformed request — not multipart, no
 * file, two files, too many fields, a body cut short — becomes a VALIDATION_FAILED answer naming the
 * field "file", never a 500.
 */
import type { FastifyRequest } from 'fastify';
import { UPLOAD_RULES } from '../../../core/content/documents.js';
import { AppError } from '../../../core/errors.js';
import { displayName } from './display-name.js';
import { RULES, uploadRefused } from './process-image.js';
import type { UploadedFile } from './upload-document.js';

/** Busboy limits for the upload route (registered with @fastify/multipart, throwFileSizeLimit off). */
export const MULTIPART_LIMITS = {
  fileSize: UPLOAD_RULES.maxBytes,
  files: 1,
  fields: 4,
  fieldSize: 1024,
  fieldNameSize: 100,
  parts: 5,
  headerPairs: 10,
};

export const FILE_FIELD = 'file';

const badForm = (message: string) => new AppError('VALIDATION_FAILED', message, { fields: { [FILE_FIELD]: message } });

const LIMIT_MESSAGES: Record<string, string> = {
  FST_INVALID_MULTIPART_CONTENT_TYPE: '请以表单（multipart/form-data）方式上传文件',
  FST_FILES_LIMIT: '一次只能上传一个文件',
  FST_PARTS_LIMIT: '上传的内容过多，一次只能上传一个文件',
  FST_FIELDS_LIMIT: '上传的内容过多，一次只能上传一个文件',
  FST_MP_PREMATURE_CLOSE: '上传中断，请重新上传',
};

/**
 * Roughly the file's size when it went over the limit: the request's Content-Length less the multipart
 * framing a browser writes around a single file. Only shown to people ("约1.2MB").
 */
function approxSize(req: FastifyRequest, filename: string, mimetype: string): number | undefined {
  const length = Number(req.headers['content-length']);
  const boundary = /boundary="?([^";]+)"?/i.exec(req.headers['content-type'] ?? '')?.[1];
  if (!Number.isFinite(length) || length <= 0 || !boundary) return undefined;
  const framing =
    `--${boundary}\r\nContent-Disposition: form-data; name="${FILE_FIELD}"; filename="${filename}"\r\n` +
    `Content-Type: ${mimetype}\r\n\r\n\r\n--${boundary}--\r\n`;
  return Math.max(UPLOAD_RULES.maxBytes + 1, length - Buffer.byteLength(framing));
}

export async function readUploadedFile(req: FastifyRequest): Promise<UploadedFile> {
  if (!req.isMultipart()) throw badForm(LIMIT_MESSAGES.FST_INVALID_MULTIPART_CONTENT_TYPE!);
  let found: UploadedFile | undefined;
  let oversized: { name: string; approx?: number } | undefined;
  try {
    for await (const part of req.parts()) {
      if (part.type !== 'file') continue; // small form fields are allowed and ignored
      if (part.fieldname !== FILE_FIELD) {
        part.file.resume();
        continue;
      }
      const name = displayName(part.filename);
      const chunks: Buffer[] = [];
      for await (const chunk of part.file) chunks.push(chunk as Buffer);
      if (part.file.truncated) oversized = { name, approx: approxSize(req, part.filename, part.mimetype) };
      else found = { name, bytes: Buffer.concat(chunks) };
    }
  } catch (e) {
    if (e instanceof AppError) throw e;
    const code = (e as { code?: string }).code ?? '';
    req.log.info({ code, message: (e as Error).message }, 'malformed upload');
    throw badForm(LIMIT_MESSAGES[code] ?? '上传的内容不完整或格式不正确，请重新选择文件上传');
  }
  if (oversized) throw uploadRefused(oversized.name, RULES.tooLarge(oversized.approx));
  if (!found) throw badForm('请选择要上传的文件');
  return found;
}
