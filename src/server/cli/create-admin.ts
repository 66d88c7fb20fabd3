/**
 * Creates a staff administrator — how the first administrator comes to exist in production (there is no
 * built-in account and no fixed password; demo accounts exist only in development).
 *
 *   npm run create-admin -- --username zhangsan --name 张三
 *
 * The password is read from CERTDESK_ADMIN_PASSWORD, or a random one is generated and printed once.
 * The database is the server's (DATABASE_URL, or PGlite under CERTDESK_DATA_DIR).
 * Exit codes: 0 created; 1 refused (the username is taken); 2 bad arguments or configuration.
 */
import { randomBytes } from 'node:crypto';
import { systemClock } from '../clock.js';
import { ZStaffCreateBody } from '../../core/schemas.js';
import { createStaff } from '../modules/staff/staff-accounts.js';
import { parseCommandArgs } from './args.js';
import { withConfiguredDb } from './with-database.js';
import { AppError } from '../../core/errors.js';

const USAGE =
  '用法：npm run create-admin -- --username <用户名> --name <姓名>（密码取自环境变量 CERTDESK_ADMIN_PASSWORD，未设置则随机生成并只显示一次）';

/** 16 random bytes in base64url, with a letter and a digit guaranteed so the password rule always holds. */
const generatePassword = () => `Ca${randomBytes(16).toString('base64url')}9`;

async function main(): Promise<number> {
  const args = parseCommandArgs({ username: { type: 'string' }, name: { type: 'string' } }, USAGE);
  if ('exit' in args) return args.exit;
  const { values } = args;
  const given = process.env.CERTDESK_ADMIN_PASSWORD;
  const generated = !given;
  const password = given || generatePassword();
  const parsed = ZStaffCreateBody.safeParse({ username: values.username, displayName: values.name, roles: ['管理员'], password });
  if (!parsed.success) {
    for (const i of parsed.error.issues) {
      const field =
        i.path[0] === 'displayName' ? '--name' : i.path[0] === 'password' ? 'CERTDESK_ADMIN_PASSWORD' : `--${String(i.path[0])}`;
      console.error(`${field}: ${i.message}`);
    }
    console.error(USAGE);
    return 2;
  }
  return withConfiguredDb(async ({ db }) => {
    try {
      const s = await createStaff({ db, clock: systemClock }, parsed.data, null, { ip: 'cli' });
      console.log(`已创建管理员 ${s.username}（${s.displayName}）`);
      if (generated) console.log(`初始密码（只显示这一次，请立即登录后妥善保管）：${password}`);
      return 0;
    } catch (e) {
      if (e instanceof AppError) {
        const fields = Object.values(e.extra.fields ?? {});
        console.error(fields.length ? fields.join('；') : e.message);
        return e.code === 'VALIDATION_FAILED' ? 2 : 1;
      }
      throw e;
    }
  });
}

process.exitCode = await main();
