/**
 * The certificate registry as the server and the web share it: 制证's key choice, the registry's search
 * keys, the public status labels. Shared by the server (validation) and the staff/public pages.
 */
import { z } from 'zod';
import { ZInstant } from './schemas.js';

/** 制证: the customer's PKCS#10 from the USB key, or a key pair generated here (returned once as PKCS#12). */
export const ZProduceKey = z.discriminatedUnion('kind', [
  z.object({
    kind: z.literal('csr'),
    csr: z
      .string({ error: '请粘贴或上传证书请求（PEM 格式）' })
      .trim()
      .min(1, '请粘贴或上传证书请求（PEM 格式）')
      .max(20_000, '证书请求过长，请确认上传的是 PEM 格式的证书请求'),
  }),
  z.object({
    kind: z.literal('generate'),
    password: z
      .string({ error: '请设置 PKCS#12 文件的密码' })
      .min(8, 'PKCS#12 文件的密码至少 8 位')
      .max(128, 'PKCS#12 文件的密码不能超过 128 位'),
  }),
]);
export const ZProduceBody = z.object({ key: ZProduceKey });
export type TProduceBody = z.infer<typeof ZProduceBody>;

const ZIssuedSummary = z.object({ id: z.string(), serial: z.string(), notBefore: ZInstant, notAfter: ZInstant });

/**
 * A pair project's encryption certificate, issued beside the signing one (docs/kmc.md). `envelope`: its key's
 * envelope waits to be downloaded once (a UKEY's key); false when it went into the PKCS#12 instead.
 */
export const ZEncryptionIssued = ZIssuedSummary.extend({ envelope: z.boolean() });
export type EncryptionIssued = z.input<typeof ZEncryptionIssued>;

/**
 * What 制证 answers with, online and at the counter alike: the new certificate, a pair project's encryption
 * certificate or why it was not issued, and, when the CA generated the key, its one-time PKCS#12 (base64; it
 * is stored nowhere).
 */
export const ZProducedCertificate = z.object({
  certificate: ZIssuedSummary,
  encryptionCertificate: ZEncryptionIssued.optional(),
  encryptionSkipped: z.string().optional(),
  pkcs12: z.string().optional(),
});

export const CERT_SEARCH_KEYS = { serial: '序列号', uscc: '统一社会信用代码', unitName: '单位名称', project: '项目代码' } as const;
export type CertSearchKey = keyof typeof CERT_SEARCH_KEYS;

/** What the public 证书状态查询 says of a certificate. */
export type PublicCertStatus = 'valid' | 'revoked' | 'expired' | 'not_yet_valid' | 'unknown';
export const PUBLIC_STATUS_LABEL: Record<PublicCertStatus, string> = {
  valid: '有效',
  revoked: '已吊销',
  expired: '已过期',
  not_yet_valid: '尚未生效',
  unknown: '未知',
};

/** A registry row's status at `now`: revoked wins, then the validity period (RFC 5280 4.1.2.5, both ends inclusive). */
export function publicStatusOf(c: { status: string; notBefore: Date | string; notAfter: Date | string }, now: Date): PublicCertStatus {
  if (c.status === 'revoked') return 'revoked';
  if (c.status !== 'issued') return 'unknown';
  if (new Date(c.notAfter).getTime() < now.getTime()) return 'expired';
  if (new Date(c.notBefore).getTime() > now.getTime()) return 'not_yet_valid';
  return 'valid';
}

export const REGISTRY_STATUS_LABEL: Record<string, string> = {
  pending: '待签发',
  issued: '已签发',
  revoked: '已吊销',
  failed: '已作废（未签发）',
};
export const KEY_TYPE_LABEL: Record<string, string> = { main: '主锁', sub: '副锁' };
export const SOURCE_LABEL: Record<string, string> = { online: '在线签发', import: '导入（现场办理）', counter: '柜台签发（现场办理）' };

// ——— answers of the registry routes (server/routes/certificates.ts) ———

const ZPublicCertStatus = z.enum(['valid', 'revoked', 'expired', 'not_yet_valid', 'unknown']);
const ZCertKeyType = z.enum(['main', 'sub']);
const ZCertStatus = z.enum(['pending', 'issued', 'revoked', 'failed']);
const ZCertSource = z.enum(['online', 'import', 'counter']);

/** The applicant's order certificate (without ?format: the file itself with it). */
export const ZOrderCertificate = z.object({
  certificate: z.object({
    /** The registry id: what 我的证书 and the seal/revocation routes name the certificate by. */
    id: z.string(),
    serial: z.string(),
    notBefore: ZInstant,
    notAfter: ZInstant,
    status: ZPublicCertStatus,
    statusLabel: z.string(),
    hasDer: z.boolean(),
  }),
});
export type OrderCertificate = z.input<typeof ZOrderCertificate>;

export const ZRegistryItem = z.object({
  id: z.string(),
  serial: z.string(),
  serialDisplay: z.string(),
  family: z.string(),
  uscc: z.string(),
  unitName: z.string(),
  projectCode: z.string(),
  keyType: ZCertKeyType,
  status: ZCertStatus,
  publicStatus: ZPublicCertStatus,
  publicStatusLabel: z.string(),
  /** 'encryption': an SM2 pair's encryption certificate (docs/kmc.md). */
  usage: z.enum(['signing', 'encryption']),
  source: ZCertSource,
  notBefore: ZInstant,
  notAfter: ZInstant,
  orderId: z.string().nullable(),
  flag: z.string().nullable(),
  createdAt: ZInstant,
});
export const ZRegistryPage = z.object({ items: z.array(ZRegistryItem), next: z.string().nullable() });
export type RegistryPage = z.input<typeof ZRegistryPage>;

export const ZCertificateDetail = ZRegistryItem.extend({
  issuer: z.string(),
  keySource: z.enum(['csr', 'generated', 'import']),
  issuedAt: ZInstant.nullable(),
  revokedAt: ZInstant.nullable(),
  revocationReason: z.number().nullable(),
  /** Counter business (issue 7): the counter order that issued it, and the certificate it replaces or renews. */
  counterOrderId: z.string().nullable(),
  replacesId: z.string().nullable(),
  /** An encryption certificate's label and its signing certificate (docs/kmc.md). */
  usageLabel: z.string(),
  signingCertificateId: z.string().nullable(),
  hasDer: z.boolean(),
  sha256: z.string().nullable(),
});
export type CertificateDetail = z.input<typeof ZCertificateDetail>;
export const ZCertificateOne = z.object({ certificate: ZCertificateDetail });
export type CertificateOne = z.input<typeof ZCertificateOne>;
export const ZCertificateOfOrder = z.object({ certificate: ZCertificateDetail.nullable() });
export const ZCertificatesImported = z.object({ imported: z.number() });
export type CertificatesImported = z.input<typeof ZCertificatesImported>;
