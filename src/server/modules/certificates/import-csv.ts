/**
 * CSV import of certificates issued outside CertDesk (at an office, before go-live), so the registry — and
 * through it the main/sub rule of the application wizard — knows them. Columns (a header row first):
 *   序列号,统一社会信用代码,单位名称,项目代码,主副锁,生效日期,到期日期
 * Every row is checked and every problem reported with its line and column, in Chinese; nothing is stored
 * unless every row is good (all or nothing, one transaction). RFC 4180 quoting; a UTF-8 BOM (Excel's
 * "CSV UTF-8") is accepted.
 */
import { AppError } from '../../../core/errors.js';
import { normalizeUscc, usccProblem, usccProblemMessage } from '../../../core/uscc.js';
import type { Clock } from '../../clock.js';
import type { Db } from '../../db/client.js';
import { auditRepository } from '../audit/repository.js';
import { catalogRepository } from '../catalog/repository.js';
import type { RequestMeta } from '../deps.js';
import type { StaffActor } from '../staff/staff-accounts.js';
import { certificateRepository, normalizeSerial, type NewCertificate } from './repository.js';

export const IMPORT_COLUMNS = ['序列号', '统一社会信用代码', '单位名称', '项目代码', '主副锁', '生效日期', '到期日期'] as const;
export const IMPORT_MAX_ROWS = 10_000;

export interface ImportRowError {
  line: number;
  column: string | null;
  message: string;
}

/** RFC 4180 records: fields split on commas, "quoted" fields may hold commas, quotes ("") and line breaks. */
export function parseCsv(text: string): { line: number; fields: string[] }[] {
  const out: { line: number; fields: string[] }[] = [];
  let i = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  let line = 1;
  let fields: string[] = [];
  let field = '';
  let startLine = 1;
  let quoted = false;
  let any = false;
  for (; i < text.length; i++) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"') {
        if (text[i + 1] === '"') {
          field += '"';
          i++;
        } else quoted = false;
      } else {
        if (c === '\n') line++;
        field += c;
      }
      continue;
    }
    if (c === '"' && field === '') {
      quoted = true;
      any = true;
    } else if (c === ',') {
      fields.push(field);
      field = '';
      any = true;
    } else if (c === '\r') {
      // CRLF: the \n ends the record.
    } else if (c === '\n') {
      fields.push(field);
      if (any || fields.some((f) => f !== '')) out.push({ line: startLine, fields });
      fields = [];
      field = '';
      any = false;
      line++;
      startLine = line;
    } else {
      field += c;
      any = true;
    }
  }
  if (any || field !== '') {
    fields.push(field);
    out.push({ line: startLine, fields });
  }
  return out;
}

/** 2026-01-31, 2026/1/31 or 2026.01.31 → that day's start in China time (UTC+8), the office's calendar. */
function parseDay(v: string): Date | null {
  const m = /^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})$/.exec(v);
  if (!m) return null;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const date = new Date(Date.UTC(y, mo - 1, d) - 8 * 3600_000);
  const check = new Date(date.getTime() + 8 * 3600_000);
  if (check.getUTCFullYear() !== y || check.getUTCMonth() !== mo - 1 || check.getUTCDate() !== d) return null;
  return date;
}

const FAMILY_OF_PROJECT: Record<string, string> = { sm2: 'sm2', ecdsa: 'ecdsa-p256', rsa: 'rsa-2048' };

/** Checks the file; returns the rows to insert, or the list of problems. */
export async function checkImport(
  db: Db,
  text: string,
  ctx: { staffId: string },
): Promise<{ rows: NewCertificate[]; errors: ImportRowError[] }> {
  const errors: ImportRowError[] = [];
  const records = parseCsv(text);
  if (records.length === 0)
    return { rows: [], errors: [{ line: 1, column: null, message: '文件是空的：第一行应为表头 ' + IMPORT_COLUMNS.join(',') }] };
  const [header, ...body] = records;
  const head = header!.fields.map((f) => f.trim());
  if (head.length !== IMPORT_COLUMNS.length || head.some((h, i) => h !== IMPORT_COLUMNS[i] && !(i === 4 && h === '主副锁(主锁/副锁)')))
    return {
      rows: [],
      errors: [{ line: header!.line, column: null, message: `表头应为：${IMPORT_COLUMNS.join(',')}（您的文件是：${head.join(',')}）` }],
    };
  if (body.length === 0) return { rows: [], errors: [{ line: 2, column: null, message: '文件只有表头，没有证书记录' }] };
  if (body.length > IMPORT_MAX_ROWS)
    return {
      rows: [],
      errors: [{ line: 1, column: null, message: `一次最多导入 ${IMPORT_MAX_ROWS} 条，请分批导入（本文件 ${body.length} 条）` }],
    };

  const projects = new Map((await catalogRepository.list(db, { activeOnly: false })).map((p) => [p.code, p]));
  const rows: NewCertificate[] = [];
  const seen = new Map<string, number>();
  for (const rec of body) {
    const err = (column: (typeof IMPORT_COLUMNS)[number] | null, message: string) => errors.push({ line: rec.line, column, message });
    if (rec.fields.length !== IMPORT_COLUMNS.length) {
      err(null, `应有 ${IMPORT_COLUMNS.length} 列，此行有 ${rec.fields.length} 列`);
      continue;
    }
    const [serialRaw, usccRaw, unitNameRaw, projectRaw, keyRaw, fromRaw, toRaw] = rec.fields.map((f) => f.trim()) as string[];
    const before = errors.length;
    const serial = normalizeSerial(serialRaw!);
    if (!serialRaw) err('序列号', '请填写证书序列号');
    else if (!serial) err('序列号', `“${serialRaw}”不是十六进制序列号（只能是 0-9、A-F，最长 40 位）`);
    else if (seen.has(serial)) err('序列号', `与第 ${seen.get(serial)} 行的序列号重复`);
    else seen.set(serial, rec.line);
    const uscc = normalizeUscc(usccRaw!);
    const up = usccProblem(uscc);
    if (up) err('统一社会信用代码', usccProblemMessage(up));
    if (!unitNameRaw) err('单位名称', '请填写单位名称');
    else if (unitNameRaw.length > 100) err('单位名称', '单位名称不能超过 100 个字');
    const project = projects.get(projectRaw!);
    if (!projectRaw) err('项目代码', '请填写项目代码');
    else if (!project) err('项目代码', `没有代码为“${projectRaw}”的证书项目（可用：${[...projects.keys()].join('、')}）`);
    const keyType = keyRaw === '主锁' ? 'main' : keyRaw === '副锁' ? 'sub' : null;
    if (!keyType) err('主副锁', `应填“主锁”或“副锁”，不是“${keyRaw}”`);
    const notBefore = parseDay(fromRaw!);
    const notAfterDay = parseDay(toRaw!);
    if (!notBefore) err('生效日期', `“${fromRaw}”不是日期（格式 2025-01-31）`);
    if (!notAfterDay) err('到期日期', `“${toRaw}”不是日期（格式 2026-01-30）`);
    // The certificate is valid through the whole of its last day (China time).
    const notAfter = notAfterDay ? new Date(notAfterDay.getTime() + 86_400_000 - 1000) : null;
    if (notBefore && notAfter && notAfter <= notBefore) err('到期日期', '到期日期应晚于生效日期');
    if (errors.length > before) continue;
    rows.push({
      serial: serial!,
      family: FAMILY_OF_PROJECT[project!.certFamily] ?? project!.certFamily,
      issuer: '（导入）',
      uscc,
      unitName: unitNameRaw!,
      projectCode: project!.code,
      keyType: keyType!,
      status: 'issued',
      keySource: 'import',
      notBefore: notBefore!,
      notAfter: notAfter!,
      source: 'import',
      createdBy: ctx.staffId,
    });
  }
  const taken = new Set(await certificateRepository.existingSerials(db, [...seen.keys()]));
  for (const [serial, line] of seen) if (taken.has(serial)) errors.push({ line, column: '序列号', message: '登记簿中已有此序列号的证书' });
  errors.sort((a, b) => a.line - b.line);
  return { rows, errors };
}

/** Imports the file: every row or none. */
export async function importCertificates(
  deps: { db: Db; clock: Clock },
  actor: StaffActor,
  text: string,
  meta: RequestMeta,
): Promise<{ imported: number }> {
  const { rows, errors } = await checkImport(deps.db, text, { staffId: actor.id });
  if (errors.length)
    throw new AppError('VALIDATION_FAILED', `导入失败：${errors.length} 处错误，未导入任何记录`, {
      fields: Object.fromEntries(
        errors.slice(0, 200).map((e, i) => [`row${i}`, `第 ${e.line} 行${e.column ? `「${e.column}」` : ''}：${e.message}`]),
      ),
    });
  const now = deps.clock.now();
  return deps.db.transaction(async (tx) => {
    // A serial imported by someone else since the check makes the unique index refuse the whole batch.
    const again = await certificateRepository.existingSerials(
      tx,
      rows.map((r) => r.serial),
    );
    if (again.length) throw new AppError('CONFLICT', `导入失败：序列号 ${again.slice(0, 5).join('、')} 刚被登记，未导入任何记录`);
    const n = await certificateRepository.insertMany(
      tx,
      rows.map((r) => ({ ...r, createdAt: now, updatedAt: now, issuedAt: r.notBefore })),
    );
    await auditRepository.record(tx, {
      actorType: 'staff',
      actorId: actor.id,
      action: 'certificate.import',
      targetType: 'certificate',
      targetId: null,
      detail: { count: n },
      ip: meta.ip,
      at: now,
    });
    return { imported: n };
  });
}
