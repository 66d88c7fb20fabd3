/**
 * `npm run ca:revoke`: withdraws one of the CA's own end-entity certificates — the seal maker's (制章人) when its
 * key has leaked, or the audit signer's — so the OCSP responder answers `revoked` for it and the SM2 issuing
 * CA's CRLs list it (revocation/operational.ts). Subscribers' certificates are revoked in the web app (吊销).
 *
 *   npm run ca:revoke -- --seal-maker                  the current seal maker (sm2/seal.pem)
 *   npm run ca:revoke -- --audit                       the current audit signer (sm2/audit.pem)
 *   npm run ca:revoke -- --seal-maker --serial <hex>   an earlier one (sm2/seal-<serial>.pem)
 *   … --reason <code>                                  RFC 5280 reason code, default 1 (keyCompromise)
 *
 * The database and CA directory are the server's (DATABASE_URL or PGlite under CERTDESK_DATA_DIR;
 * CERTDESK_CA_DIR). No key is needed: the running servers sign the new OCSP answers and CRLs. Then make the
 * successor: npm run ca:renew -- --seal-maker, and restart the servers (docs/OPERATIONS.md).
 * Exit codes: 0 revoked; 1 refused (already revoked, not found); 2 bad arguments or configuration.
 */
import { AppError } from '../../core/errors.js';
import { REVOCATION_REASONS } from '../../core/revocation-reasons.js';
import { systemClock } from '../clock.js';
import { parseCommandArgs } from './args.js';
import { withConfiguredDb } from './with-database.js';
import { OPERATIONAL_KIND_LABEL, revokeOperationalCertificate } from '../modules/revocation/operational.js';

const USAGE = '用法：npm run ca:revoke -- --seal-maker|--audit [--serial <序列号>] [--reason <原因代码，默认 1 密钥泄露>]';

async function main(): Promise<number> {
  const args = parseCommandArgs(
    { 'seal-maker': { type: 'boolean' }, audit: { type: 'boolean' }, serial: { type: 'string' }, reason: { type: 'string' } },
    USAGE,
    { help: [`原因代码：${REVOCATION_REASONS.map((r) => `${r.code} ${r.label}`).join('；')}`] },
  );
  if ('exit' in args) return args.exit;
  const { values } = args;
  if (!values['seal-maker'] === !values.audit) {
    console.error('请说明吊销哪一张：--seal-maker（电子印章制章人证书）或 --audit（审计日志签名证书）');
    console.error(USAGE);
    return 2;
  }
  if (values.serial !== undefined && !/^[0-9a-fA-F]{1,40}$/.test(values.serial)) {
    console.error('--serial：须为十六进制序列号（如 openssl x509 -serial 所示）');
    return 2;
  }
  const reason = values.reason === undefined ? 1 : Number(values.reason);
  if (!REVOCATION_REASONS.some((r) => r.code === reason)) {
    console.error(`--reason：须为 ${REVOCATION_REASONS.map((r) => `${r.code}（${r.label}）`).join('、')} 之一`);
    return 2;
  }
  const kind = values['seal-maker'] ? 'seal' : 'audit';
  return withConfiguredDb(async ({ config, db }) => {
    try {
      const r = await revokeOperationalCertificate({ db, clock: systemClock }, config.ca.dir, {
        kind,
        serial: values.serial,
        reason,
      });
      console.log(
        [
          `已吊销${OPERATIONAL_KIND_LABEL[kind]}：序列号 ${r.serial}，吊销时间 ${r.revokedAt?.toISOString()}`,
          '  运行中的服务器 2 秒内在 OCSP 中答复“已吊销”，30 秒内发布列入它的 CRL（sm2 完整 CRL 及其分片）。',
          kind === 'seal'
            ? '  下一步：npm run ca:renew -- --seal-maker 签发新的制章人证书，再逐台重启服务器（见运维手册）。'
            : '  审计签名证书的更换见运维手册（审计日志签名证书一节）。',
        ].join('\n'),
      );
      return 0;
    } catch (e) {
      if (e instanceof AppError) {
        console.error(e.message);
        return 1;
      }
      throw e;
    }
  });
}

process.exitCode = await main();
