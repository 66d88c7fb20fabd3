/**
 * `npm run audit:verify`: checks the audit trail — every row's link in the SM3 chain, no gaps, every
 * checkpoint's signature by the CA's audit signer — and names the first broken row.
 *
 *   npm run audit:verify                       against <CERTDESK_CA_DIR>/sm2/audit.pem
 *   npm run audit:verify -- --cert audit.pem   against a copy of the audit certificate the assessor keeps
 *   npm run audit:verify -- --json             the report as JSON
 *
 * The database is the server's (DATABASE_URL, or PGlite under CERTDESK_DATA_DIR). No key is needed.
 * Exit codes: 0 intact; 1 broken (the first broken row is printed); 2 bad arguments or configuration.
 */
import { readFileSync } from 'node:fs';
import { pemToDer } from '../../ca/cert/parse.js';
import { parseCommandArgs } from './args.js';
import { withConfiguredDb } from './with-database.js';
import { verifyAuditTrailIn } from '../modules/audit/checkpoints.js';

const USAGE = '用法：npm run audit:verify [-- --cert <审计签名证书 PEM>] [--json]';

async function main(): Promise<number> {
  const args = parseCommandArgs({ cert: { type: 'string' }, json: { type: 'boolean' } }, USAGE);
  if ('exit' in args) return args.exit;
  const { values } = args;
  let cert: Uint8Array | undefined;
  if (values.cert) {
    try {
      cert = pemToDer(readFileSync(values.cert, 'latin1'));
    } catch (e) {
      console.error(`--cert：读不出证书 ${values.cert}（${(e as Error).message}）`);
      return 2;
    }
  }
  return withConfiguredDb(async ({ config, db }) => {
    const r = await verifyAuditTrailIn(db, config.ca, cert);
    if (values.json) console.log(JSON.stringify(r, null, 2));
    else {
      const lines = [
        r.ok ? '操作记录完整：哈希链与签名检查点均校验通过' : '操作记录被改动过',
        r.lastSeq > r.fromSeq
          ? `  ${r.ok ? '校验范围' : '断点前完好'}：第 ${r.fromSeq + 1}–${r.lastSeq} 条（${r.rows} 条${r.fromSeq ? `；第 ${r.fromSeq} 条及以前已按保存期限清除，清除处有签名检查点` : ''}）`
          : r.ok
            ? '  校验范围：尚无记录'
            : '  断点前没有完好的记录',
        `  签名检查点：${r.checkpoints} 个${r.lastCheckpoint ? `，最近一个签到第 ${r.lastCheckpoint.seq} 条（${r.lastCheckpoint.signedAt}）` : ''}；之后 ${r.unpinned} 条尚未签名`,
        `  审计签名证书 SHA-256：${r.certificate?.sha256 ?? '（CA 中没有审计签名证书）'}`,
      ];
      if (r.broken) lines.push(`  第一处断点：${r.broken.reason}`);
      (r.ok ? console.log : console.error)(lines.join('\n'));
    }
    return r.ok ? 0 : 1;
  });
}

process.exitCode = await main();
