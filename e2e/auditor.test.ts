import { randomBytes } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import type { Locator, Page } from 'playwright-core';
import { CAPTCHA, DESKTOP, PHONE, fitsWidth, newPage, shot, startE2E, type E2E } from './harness.js';
import { menuItems, staffLogin } from './page-api.js';
import { DEMO_STAFF_PASSWORD } from '../src/server/demo-data.js';
import { auditRepository } from '../src/server/modules/audit/repository.js';
import { signCheckpoint } from '../src/server/modules/audit/checkpoints.js';
import { caRuntime } from '../src/server/modules/certificates/ca-runtime.js';
import { testConfig } from '../src/server/testing/harness.js';

/**
 * 审计员 in a browser: the administrator gives the role on 工作人员 → 新建账号 (not together with another
 * role); the auditor logs in, sees 操作记录 and nothing else — no other page by address either — reads the
 * log and verifies it, on a desktop and on a phone.
 */

let e: E2E;
beforeAll(async () => {
  e = await startE2E();
  // One database is one CA's trail (see audit-integrity.test.ts): start from this CA's checkpoints only.
  await e.db.execute(sql`DELETE FROM audit_checkpoints`);
});

const poll = <T>(fn: () => Promise<T> | T) => expect.poll(fn, { timeout: 30_000 });
const button = (page: Page | Locator, text: string) =>
  page.getByRole('button', { name: new RegExp(`(^|loading)\\s*${[...text].join('\\s*')}\\s*$`) });

async function auditorLogin(page: Page, username: string, password: string) {
  await page.goto('/staff/login');
  await page.getByLabel('用户名').fill(username);
  await page.getByLabel('密码').fill(password);
  await page.getByLabel('验证码', { exact: true }).fill(CAPTCHA);
  await button(page, '登录').click();
  // The console opens on 操作记录: the auditor has no 工作台.
  await page.waitForURL((u) => u.pathname === '/staff/audit');
}

describe('审计员', () => {
  const username = `sj${randomBytes(3).toString('hex')}`;
  const password = 'Shenji2026ok';
  const marker = `审计${randomBytes(3).toString('hex')}`;

  it('is given by the administrator, alone; sees only 操作记录, reads it and verifies it', async () => {
    // Something to read, pinned by a checkpoint this CA signed.
    await auditRepository.record(e.db, { actorType: 'system', action: 'organization.search', detail: { q: marker, count: 0 } });
    await signCheckpoint(e.db, (await caRuntime(testConfig().ca)).auditSigner(), new Date());

    const admin = await newPage(e, DESKTOP);
    await staffLogin(admin.page, 'admin', DEMO_STAFF_PASSWORD);
    await admin.page.getByRole('menuitem', { name: '工作人员' }).click();
    await admin.page.waitForURL('**/staff/accounts');
    await admin.page.getByRole('button', { name: /新建账号/ }).click();
    const dialog = admin.page.getByRole('dialog');
    await dialog.getByLabel('用户名').fill(username);
    await dialog.getByLabel('姓名').fill('浏览器审计员');
    await dialog.getByRole('checkbox', { name: /^审计员/ }).check();
    await dialog.getByRole('checkbox', { name: /^预审/ }).check();
    await dialog.getByLabel('初始密码').fill(password);
    await button(dialog, '创建').click();
    await poll(() => dialog.getByText('审计员不能兼任其他角色（只能查看和校验操作记录）').count()).toBe(1);
    await dialog.getByRole('checkbox', { name: /^预审/ }).uncheck();
    await button(dialog, '创建').click();
    await admin.page.getByLabel('筛选工作人员').fill(username);
    await poll(() => admin.page.getByRole('row').filter({ hasText: username }).count()).toBe(1);
    expect(await admin.page.getByRole('row').filter({ hasText: username }).textContent()).toMatch(/浏览器审计员.*审计员.*正常/);
    expect(admin.errors).toEqual([]);
    await admin.context.close();

    for (const viewport of [DESKTOP, PHONE]) {
      const wide = viewport === DESKTOP;
      const { context, page, errors } = await newPage(e, viewport);
      await auditorLogin(page, username, password);
      if (!wide) await page.getByRole('button', { name: '打开菜单' }).click();
      await poll(() => menuItems(page)).toEqual(['操作记录']);
      if (!wide) await page.keyboard.press('Escape');

      // The log, with the row written above.
      await poll(() => page.getByText(marker).count()).toBeGreaterThan(0);
      await page.getByRole('button', { name: /校验完整性/ }).click();
      const result = page.getByTestId('audit-integrity-result');
      await result.waitFor();
      await poll(() => result.textContent()).toContain('操作记录完整，未发现改动');
      await shot(page, `staff-auditor-${wide ? 'desktop' : 'phone'}`);
      expect(await fitsWidth(page)).toBe(true);

      // No other page, by address either: back to 操作记录, and no business data asked for.
      for (const path of ['/staff', '/staff/orders', '/staff/organizations', '/staff/accounts', '/staff/certificates']) {
        await page.goto(path);
        await page.waitForURL((u) => u.pathname === '/staff/audit');
      }
      await poll(() => page.getByText(marker).count()).toBeGreaterThan(0);
      // The server refuses the role anything else, whatever the page does.
      const refused = await page.evaluate(async () => (await fetch('/api/staff/organizations?q=江西')).status);
      expect(refused).toBe(403);
      expect(errors.filter((m) => !m.includes('403'))).toEqual([]);
      await context.close();
    }
  }, 180_000);
});
