import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { and, eq } from 'drizzle-orm';
import { buildApp } from '../app.js';
import { systemClock } from '../clock.js';
import { openDb, type DbHandle } from '../db/client.js';
import { auditEvents } from '../db/schema.js';
import { staffRepository } from '../modules/staff/repository.js';
import { TestClient, randomIp, testConfig } from '../testing/harness.js';

/**
 * The create-admin command, run as operators run it: a child process on the configured database — PGlite
 * in a fresh data directory, or the PostgreSQL server of DATABASE_URL when the suite runs on PostgreSQL.
 */

const ROOT = fileURLToPath(new URL('../../..', import.meta.url));
const SCRIPT = 'src/server/cli/create-admin.ts';
const databaseUrl = process.env.DATABASE_URL || undefined;
let dataDir: string;

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

function run(args: string[], env: Record<string, string | undefined> = {}): Promise<Run> {
  const base: Record<string, string | undefined> = {
    ...process.env,
    CERTDESK_DATA_DIR: dataDir,
    DATABASE_URL: databaseUrl,
    LOG_LEVEL: 'silent',
  };
  delete base.CERTDESK_ADMIN_PASSWORD;
  const merged = Object.fromEntries(Object.entries({ ...base, ...env }).filter(([, v]) => v !== undefined)) as NodeJS.ProcessEnv;
  return new Promise((resolve) => {
    execFile(process.execPath, ['--import', 'tsx', SCRIPT, ...args], { cwd: ROOT, env: merged, timeout: 90_000 }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === 'number' ? err.code : -1) : 0;
      resolve({ code, stdout: String(stdout), stderr: String(stderr) });
    });
  });
}

const uniq = () => randomBytes(4).toString('hex');

beforeAll(() => {
  dataDir = mkdtempSync(path.join(tmpdir(), 'certdesk-create-admin-'));
});
afterAll(() => {
  rmSync(dataDir, { recursive: true, force: true });
});

describe('npm run create-admin', () => {
  const generatedUser = `adm${uniq()}`;
  const givenUser = `adm${uniq()}`;
  const givenPassword = `Given${uniq()}2026`;
  let generatedPassword = '';

  it('creates an administrator and prints a generated password exactly once (production settings)', async () => {
    const r = await run(['--username', generatedUser, '--name', '首任管理员'], {
      NODE_ENV: 'production',
      CERTDESK_SECRET: randomBytes(32).toString('hex'),
    });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`已创建管理员 ${generatedUser}（首任管理员）`);
    const lines = r.stdout.split('\n').filter((l) => l.includes('初始密码'));
    expect(lines).toHaveLength(1);
    generatedPassword = lines[0]!.split('：').pop()!.trim();
    expect(generatedPassword.length).toBeGreaterThanOrEqual(20);
    expect(r.stdout.split(generatedPassword)).toHaveLength(2);
  }, 120_000);

  it('takes the password from CERTDESK_ADMIN_PASSWORD and then never prints it', async () => {
    const r = await run(['--username', givenUser, '--name', '第二管理员'], { CERTDESK_ADMIN_PASSWORD: givenPassword });
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`已创建管理员 ${givenUser}`);
    expect(r.stdout).not.toContain(givenPassword);
    expect(r.stdout).not.toContain('初始密码');
  }, 120_000);

  it('refuses a taken username with exit code 1 and leaves the account as it was', async () => {
    const r = await run(['--username', givenUser, '--name', '冒名者'], { CERTDESK_ADMIN_PASSWORD: 'Another2026pass' });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('该用户名已被使用');
    expect(r.stdout).not.toContain('已创建');
  }, 120_000);

  it.each([
    ['no arguments', [], {}, /--username/],
    ['no name', ['--username', 'adm_noname'], {}, /--name: 请填写姓名/],
    ['an invalid username', ['--username', 'Bad Name', '--name', '张三'], {}, /--username: 用户名为3–32位小写字母/],
    ['an unknown option', ['--username', 'adm_x', '--name', '张三', '--role', '预审'], {}, /Unknown option '--role'/],
    ['a positional argument', ['adm_x'], {}, /Unexpected argument/],
    [
      'a weak CERTDESK_ADMIN_PASSWORD',
      ['--username', 'adm_weak', '--name', '张三'],
      { CERTDESK_ADMIN_PASSWORD: 'short1' },
      /CERTDESK_ADMIN_PASSWORD: 密码至少8位/,
    ],
    [
      'production without CERTDESK_SECRET',
      ['--username', 'adm_nosecret', '--name', '张三'],
      { NODE_ENV: 'production', CERTDESK_SECRET: undefined },
      /配置有误：CERTDESK_SECRET/,
    ],
  ] as const)(
    'refuses %s with exit code 2',
    async (_n, args, env, msg) => {
      const r = await run([...args], env);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(msg);
      expect(r.stdout).not.toContain('已创建');
    },
    120_000,
  );

  describe('the administrators it made', () => {
    let handle: DbHandle;
    let close: () => Promise<void>;
    let client: () => TestClient;
    beforeAll(async () => {
      // Opened only after the command's runs: PGlite allows one process on a data directory at a time.
      handle = await openDb({ databaseUrl, dataDir: path.join(dataDir, 'pglite'), poolSize: 2 });
      const app = await buildApp({ config: testConfig(), db: handle.db, clock: systemClock });
      await app.ready();
      client = () => new TestClient(app, randomIp());
      close = async () => {
        await app.close();
        await handle.close();
      };
    }, 120_000);
    afterAll(() => close?.());

    it('log in with the printed and with the given password, as 管理员', async () => {
      for (const [username, password] of [
        [generatedUser, generatedPassword],
        [givenUser, givenPassword],
      ]) {
        const c = client();
        const res = await c.staffLogin(username!, password!);
        expect(res.statusCode, username).toBe(200);
        expect(res.json().staff.roles).toEqual(['管理员']);
        expect((await c.get('/api/staff/accounts')).statusCode).toBe(200);
      }
      expect((await client().staffLogin(givenUser, 'Another2026pass')).statusCode).toBe(401);
    });

    it('recorded each creation as done by the system, and created nobody from refused runs', async () => {
      const s = (await staffRepository.findByUsername(handle.db, generatedUser))!;
      const rows = await handle.db
        .select()
        .from(auditEvents)
        .where(and(eq(auditEvents.targetId, s.id), eq(auditEvents.action, 'staff.create')));
      expect(rows).toHaveLength(1);
      expect(rows[0]).toMatchObject({ actorType: 'system', actorId: null, ip: 'cli' });
      expect((await staffRepository.findByUsername(handle.db, givenUser))!.displayName).toBe('第二管理员');
      for (const u of ['adm_noname', 'adm_weak', 'adm_nosecret'])
        expect(await staffRepository.findByUsername(handle.db, u)).toBeUndefined();
    });
  });
});
