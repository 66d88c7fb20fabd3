/**
 * The certificate registry as the server and the web share it: 制证's key choice, the registry's search
 * keys, the public status labels. Shared by the server (validation) and the staff/public pages.
 */
import { z } from 'zod';

const ZCsrText = z
  .string({ error: '请粘贴或上传证书请求（PEM 格式）' })
  .trim()
  .min(1, '请粘贴或上传证书请求（PEM 格式）')
  .max(20_000, '证书请求过长，请确认上传的是 PEM 格式的证书请求');

/** A UKEY's serial as PKCS#11 reports it (CK_TOKEN_INFO.serialNumber: up to 16 printable characters). */
export const ZTokenSerial = z
  .string({ error: '请选择 UKEY' })
  .trim()
  .min(1, '请选择 UKEY')
  .max(32, 'UKEY 序列号最多 32 个字符')
  .regex(/^[\x21-\x7e]+$/, 'UKEY 序列号只能由字母、数字和符号组成');

/**
 * 制证: the customer's PKCS#10 from the USB key, a key pair generated here (returned once as PKCS#12), or a
 * key made on a UKEY by the 证书助手 at the 制证 workstation (its request, and the token's serial for the registry).
 */
export const ZProduceKey = z.discriminatedUnion('kind', [
  z.object({
    kind: z.literal('csr'),
    csr: ZCsrText,
  }),
  z.object({
    kind: z.literal('generate'),
    password: z
      .string({ error: '请设置 PKCS#12 文件的密码' })
      .min(8, 'PKCS#12 文件的密码至少 8 位')
      .max(128, 'PKCS#12 文件的密码不能超过 128 位'),
  }),
  z.object({ kind: z.literal('token'), csr: ZCsrText, tokenSerial: ZTokenSerial }),
]);
export const ZProduceBody = z.object({ key: ZProduceKey });
export type TProduceBody = z.infer<typeof ZProduceBody>;

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
