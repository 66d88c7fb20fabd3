/**
 * Reading the registry: the staff list and detail, PEM/DER downloads, and the public status query (subject,
 * USCC, project, validity, status — no personal data: the unit's name and USCC are on its business licence).
 */
import { createHash } from 'node:crypto';
import { CERT_SEARCH_KEYS, publicStatusOf, PUBLIC_STATUS_LABEL, type CertSearchKey } from '../../../core/certificates.js';
import { AppError } from '../../../core/errors.js';
import { normalizeUscc } from '../../../core/uscc.js';
import type { Clock } from '../../clock.js';
import type { DbOrTx } from '../../db/client.js';
import { catalogRepository } from '../catalog/repository.js';
import { decodeCursor, encodeCursor } from '../staff-orders/cursor.js';
import { certificateRepository, normalizeSerial, type CertificateRow } from './repository.js';

export function certificatePem(der: Uint8Array): string {
  const b64 = Buffer.from(der).toString('base64');
  return `-----BEGIN CERTIFICATE-----\n${b64.replace(/.{1,64}/g, '$&\n')}-----END CERTIFICATE-----\n`;
}

/** The serial as people read it: upper-case hex in pairs (openssl x509 -serial prints it without colons). */
export const displaySerial = (serial: string) => (serial.length % 2 ? `0${serial}` : serial).toUpperCase();

export async function listCertificates(
  deps: { db: DbOrTx; clock: Clock },
  q: { key?: CertSearchKey; q?: string; after?: string; limit: number },
) {
  const value = q.q?.trim();
  const search = value && q.key ? { key: q.key, value } : null;
  if (value && !q.key)
    throw new AppError('VALIDATION_FAILED', '请选择查询方式', { fields: { key: `请选择：${Object.values(CERT_SEARCH_KEYS).join('、')}` } });
  const after = q.after ? decodeCursor(q.after) : null;
  const rows = await certificateRepository.page(deps.db, search, after, q.limit);
  const page = rows.slice(0, q.limit);
  const last = page[page.length - 1];
  const now = deps.clock.now();
  return {
    items: page.map(({ sortTs: _s, ...r }) => ({
      ...r,
      serialDisplay: displaySerial(r.serial),
      publicStatus: publicStatusOf(r, now),
      publicStatusLabel: PUBLIC_STATUS_LABEL[publicStatusOf(r, now)],
    })),
    next: rows.length > q.limit && last ? encodeCursor({ ts: last.sortTs, id: last.id }) : null,
  };
}

export function certificateDetail(c: CertificateRow, now: Date) {
  const status = publicStatusOf(c, now);
  return {
    id: c.id,
    serial: c.serial,
    serialDisplay: displaySerial(c.serial),
    family: c.family,
    issuer: c.issuer,
    uscc: c.uscc,
    unitName: c.unitName,
    projectCode: c.projectCode,
    keyType: c.keyType,
    status: c.status,
    publicStatus: status,
    publicStatusLabel: PUBLIC_STATUS_LABEL[status],
    keySource: c.keySource,
    tokenSerial: c.tokenSerial,
    source: c.source,
    notBefore: c.notBefore,
    notAfter: c.notAfter,
    issuedAt: c.issuedAt,
    revokedAt: c.revokedAt,
    revocationReason: c.revocationReason,
    orderId: c.orderId,
    /** Counter business (issue 7): the counter order that issued it, and the certificate it replaces or renews. */
    counterOrderId: c.counterOrderId,
    replacesId: c.replacesId,
    /** 'signing' or 'encryption' (an SM2 pair's encryption certificate, docs/kmc.md) and, for the latter, its signing certificate. */
    usage: c.usage,
    usageLabel: c.usage === 'encryption' ? '加密证书' : '签名证书',
    signingCertificateId: c.signingCertificateId,
    flag: c.flag,
    hasDer: !!c.der,
    sha256: c.der ? createHash('sha256').update(c.der).digest('hex') : null,
    createdAt: c.createdAt,
  };
}

/** The public query: ?serial=… (one certificate) or ?uscc=… (that unit's certificates, newest first). */
export async function lookupStatus(deps: { db: DbOrTx; clock: Clock }, q: { serial?: string; uscc?: string }) {
  let rows: CertificateRow[];
  if (q.serial) {
    const serial = normalizeSerial(q.serial);
    if (!serial)
      throw new AppError('VALIDATION_FAILED', '序列号格式不正确', {
        fields: { serial: '序列号应为十六进制数字（0-9、A-F），可含冒号或空格' },
      });
    rows = await certificateRepository.forStatus(deps.db, { serial });
  } else if (q.uscc) {
    const uscc = normalizeUscc(q.uscc);
    if (!/^[0-9A-Z]{18}$/.test(uscc))
      throw new AppError('VALIDATION_FAILED', '统一社会信用代码格式不正确', { fields: { uscc: '统一社会信用代码应为18位数字和大写字母' } });
    rows = await certificateRepository.forStatus(deps.db, { uscc });
  } else
    throw new AppError('VALIDATION_FAILED', '请输入证书序列号或统一社会信用代码', {
      fields: { serial: '请输入证书序列号或统一社会信用代码' },
    });
  const now = deps.clock.now();
  const projects = new Map((await catalogRepository.list(deps.db, { activeOnly: false })).map((p) => [p.code, p.name]));
  return {
    results: rows.map((c) => {
      const status = publicStatusOf(c, now);
      return {
        serial: displaySerial(c.serial),
        unitName: c.unitName,
        uscc: c.uscc,
        project: projects.get(c.projectCode) ?? c.projectCode,
        keyType: c.keyType,
        notBefore: c.notBefore,
        notAfter: c.notAfter,
        status,
        statusLabel: PUBLIC_STATUS_LABEL[status],
        revokedAt: c.status === 'revoked' ? c.revokedAt : null,
      };
    }),
    checkedAt: now,
  };
}
