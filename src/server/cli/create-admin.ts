/**
 * Creates a staff administrator — how the first administrator comes to exist in production.
 *
 *   npm run create-admin -- --username zhangsan --name 张三
 *
 * The password is read from CERTDESK_ADMIN_PASSWORD, or a random one is generated and printed once.
 */
import { parseArgs } from 'node:util';
import { randomBytes } from 'node:crypto';
import { loadConfig } from '../config.js';
import { systemClock } from '../clock.js';
import { ZStaffCreateBody } from '../../core/schemas.js';
import { createStaff } from '../modules/staff/staff-accounts.js';
import { openConfiguredDb } from '../runtime.js';
import { AppError } from '../../core/errors.js';

async function main(): Promise<number> {
  const { values } = parseArgs({ options: { username: { type: 'string' }, name: { type: 'string' } } });
  const generated = !process.env.CERTDESK_ADMIN_PASSWORD;
  const password = process.env.CERTDESK_ADMIN_PASSWORD ?? `Ca${randomBytes(12).toString('base64url')}9`;
  const parsed = ZStaffCreateBody.safeParse({ username: values.username, displayName: values.name, roles: ['管理员'], password });
  if (!parsed.success) {
    for (const i of parsed.error.issues) console.error(`${i.path.join('.')}: ${i.message}`);
    console.error('用法：npm run create-admin -- --username <用户名> --name <姓名>');
    return 2;
  }
  const handle = await openConfiguredDb(loadConfig());
  try {
    const s = await createStaff({ db: handle.db, clock: systemClock }, parsed.data, null, { ip: 'cli' });
    console.log(`已创建管理员 ${s.username}（${s.displayName}）`);
    if (generated) console.log(`初始密码（只显示这一次，请立即登录后妥善保管）：${password}`);
    return 0;
  } catch (e) {
    if (e instanceof AppError) {
      console.error(e.message);
      return 1;
    }
    throw e;
  } finally {
    await handle.close();
  }
}

process.exitCode = await main();
