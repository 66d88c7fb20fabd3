/**
 * Keyset pagination cursors: the sort key of the last row of a page, (timestamp, id), as an opaque
 * base64url token. The timestamp travels as PostgreSQL wrote it, to the microsecond: a JavaScript Date
 * keeps only milliseconds, and a cursor rounded to the millisecond would repeat or skip rows whose
 * timestamps differ below it.
 */
import { AppError } from '../../../core/errors.js';

export interface Cursor {
  /** ISO 8601 UTC with microseconds, e.g. 2026-11-20T01:02:03.123456Z. */
  ts: string;
  id: string;
}

const TS = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export const encodeCursor = (c: Cursor): string => Buffer.from(JSON.stringify([c.ts, c.id])).toString('base64url');

export function decodeCursor(token: string): Cursor {
  const bad = () => new AppError('VALIDATION_FAILED', '翻页参数不正确，请刷新列表', { fields: { after: '翻页参数不正确，请刷新列表' } });
  let v: unknown;
  try {
    v = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
  } catch {
    throw bad();
  }
  if (!Array.isArray(v) || v.length !== 2 || typeof v[0] !== 'string' || typeof v[1] !== 'string') throw bad();
  if (!TS.test(v[0]) || Number.isNaN(Date.parse(v[0])) || !UUID.test(v[1])) throw bad();
  return { ts: v[0], id: v[1] };
}
