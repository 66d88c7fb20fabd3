import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Locator, Page } from 'playwright-core';
import { DESKTOP, PHONE, fitsWidth, newPage, shot, startE2E, type E2E } from './harness.js';
import { ADMIN_MENU, menuItems, staffLogin } from './page-api.js';
import { DEMO_ORG, DEMO_STAFF_PASSWORD } from '../src/server/demo-data.js';
import { organizationRepository } from '../src/server/modules/accounts/repository.js';
import { auditRepository } from '../src/server/modules/audit/repository.js';
import { staffRepository } from '../src/server/modules/staff/repository.js';

/**
 * The staff console in a browser: an administrator creates a 预审 colleague, corrects the demo
 * organization's name, reads the audit log and disables the colleague, whose open console stops working.
 */

let e: E2E;
let demoOrgId: string;
let originalName: string;
beforeAll(async () => {
  e = await startE2E();
  const org = (await organizationRepository.findByUscc(e.db, DEMO_ORG.uscc))!;
  demoOrgId = org.id;
  originalName = org.name;
});
afterAll(async () => {
  // Other browser tests (and, on PostgreSQL, later runs) expect the demo organization under its own name.
  const now = (await organizationRepository.findById(e.db, demoOrgId))!;
  if (now.name !== originalName) await organizationRepository.rename(e.db, demoOrgId, now.name, originalName, new Date());
});

/**
 * A button by its label. antd puts a space between the two characters of a two-character label (「登 录」),
 * and a button's name briefly starts with "loading" while its spinner fades out.
 */
const button = (page: Page | Locator, text: string) =>
  page.getByRole('button', { name: new RegExp(`(^|loading)\\s*${[...text].join('\\s*')}\\s*$`) });

/** expect.poll with room for the server's password hashing (scrypt) on a busy machine; vitest's default is 1 s. */
const poll = <T>(fn: () => Promise<T> | T) => expect.poll(fn, { timeout: 15_000 });

/** Lets antd's open/close motion (modals, drawers, messages: about 0.3 s) finish before a screenshot. */
const settle = (page: Page) => page.waitForTimeout(400);

describe('staff console', () => {
  const username = `yu${randomBytes(3).toString('hex')}`;
  const password = 'Yushen2026ok';
  const newName = `江西演示科技有限公司（更正${randomBytes(2).toString('hex')}）`;

  it('an administrator creates a 预审 colleague, corrects a unit name, reads the audit log and disables the colleague', async () => {
    const admin = await newPage(e, DESKTOP);
    const { page } = admin;
    await staffLogin(page, 'admin', DEMO_STAFF_PASSWORD);
    await poll(() => page.getByTestId('staff-name').textContent()).toBe('演示管理员');
    await poll(() => menuItems(page)).toEqual(ADMIN_MENU);

    // 工作人员 → 新建账号: a taken username is refused next to the field, the rest stays as typed.
    await page.getByRole('menuitem', { name: '工作人员' }).click();
    await page.waitForURL('**/staff/accounts');
    await page.getByLabel('筛选工作人员').fill('admin');
    await poll(() => page.getByRole('row').filter({ hasText: '演示管理员' }).count()).toBe(1);
    await page.getByLabel('筛选工作人员').fill('');
    await page.getByRole('button', { name: /新建账号/ }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByLabel('用户名').fill('admin');
    await dialog.getByLabel('姓名').fill('浏览器预审员');
    await dialog.getByRole('checkbox', { name: /^预审/ }).check();
    await dialog.getByLabel('初始密码').fill(password);
    await poll(() => dialog.getByText('密码长度8–64位').count()).toBe(1);
    await button(dialog, '创建').click();
    await poll(() => dialog.getByText('该用户名已被使用').count()).toBe(1);
    expect(await dialog.getByLabel('姓名').inputValue()).toBe('浏览器预审员');
    await settle(page);
    await shot(page, 'staff-accounts-create-desktop');
    await dialog.getByLabel('用户名').fill(username);
    await button(dialog, '创建').click();
    // On a shared PostgreSQL database the list holds many test accounts: narrow it down to the new one.
    await page.getByLabel('筛选工作人员').fill(username);
    await poll(() => page.getByRole('row').filter({ hasText: username }).count()).toBe(1);
    const row = page.getByRole('row').filter({ hasText: username });
    expect(await row.textContent()).toMatch(/浏览器预审员.*预审.*正常/);
    await shot(page, 'staff-accounts-desktop');
    expect(await fitsWidth(page)).toBe(true);

    // The new colleague logs in elsewhere: no administrator menu entries, and no way in by address either.
    const colleague = await newPage(e, DESKTOP);
    await staffLogin(colleague.page, username, password);
    await poll(() => menuItems(colleague.page)).toEqual(['工作台', '待办队列', '订单查询', '证书登记簿', '单位查询']);
    await colleague.page.goto('/staff/accounts');
    await poll(() => colleague.page.getByText('需要管理员角色').count()).toBe(1);
    expect(await colleague.page.getByRole('table').count()).toBe(0);
    await shot(colleague.page, 'staff-yushen-no-admin-desktop');

    // 单位查询: find the demo organization by its code and open it.
    await page.getByRole('menuitem', { name: '单位查询' }).click();
    await page.getByLabel('统一社会信用代码或单位名称').fill(DEMO_ORG.uscc.toLowerCase());
    await page.getByLabel('统一社会信用代码或单位名称').press('Enter');
    await poll(() => page.getByRole('link', { name: originalName }).count()).toBe(1);
    await shot(page, 'staff-org-search-desktop');
    await page.getByRole('link', { name: originalName }).click();
    await page.waitForURL(`**/staff/organizations/${demoOrgId}`);
    await poll(() => page.getByTestId('org-name').textContent()).toBe(originalName);
    expect(await page.getByTestId('org-detail').textContent()).toContain(DEMO_ORG.uscc);

    // 更正名称: the reason is required; the correction shows in the history with who, old, new and why.
    await page.getByRole('button', { name: /更正名称/ }).click();
    const rename = page.getByRole('dialog');
    // Let the dialog finish opening: on a loaded machine a click during antd's motion can miss the form.
    await rename.getByLabel('新名称').waitFor();
    await settle(page);
    await rename.getByLabel('新名称').fill(newName);
    await rename.getByRole('button', { name: /确认更正/ }).click();
    await poll(() => rename.getByText('请填写修改原因（至少2个字）').count()).toBe(1);
    await rename.getByLabel('更正原因').fill('经办人来电，营业执照名称已变更，已核对执照照片');
    await settle(page);
    await shot(page, 'staff-org-rename-desktop');
    await rename.getByRole('button', { name: /确认更正/ }).click();
    await poll(() => page.getByTestId('org-name').textContent()).toBe(newName);
    const history = page.getByTestId('org-history');
    // This run's correction (a database kept from an earlier run holds that run's too).
    const renameRow = history
      .getByRole('row')
      .filter({ hasText: '更正单位名称' })
      .filter({ hasText: `新名称：${newName}` });
    await poll(() => renameRow.count()).toBe(1);
    const text = (await renameRow.textContent()) ?? '';
    expect(text).toContain('演示管理员');
    expect(text).toContain(`原名称：${originalName}`);
    expect(text).toContain(`新名称：${newName}`);
    expect(text).toContain('原因：经办人来电，营业执照名称已变更，已核对执照照片');
    await shot(page, 'staff-org-detail-desktop');
    expect(await fitsWidth(page)).toBe(true);

    // 操作记录: newest first with Chinese labels; 加载更多 fetches the older rows.
    const adminRow = (await staffRepository.findByUsername(e.db, 'admin'))!;
    for (let i = 0; i < 55; i++)
      await auditRepository.record(e.db, {
        actorType: 'staff',
        actorId: adminRow.id,
        action: 'organization.search',
        detail: { q: `填充${i}`, count: 0 },
        ip: '127.0.0.1',
        at: new Date(),
      });
    await page.getByRole('menuitem', { name: '操作记录' }).click();
    await page.waitForURL('**/staff/audit');
    const rows = page.getByTestId('audit-table').locator('tbody tr.ant-table-row');
    await poll(() => rows.count()).toBe(50);
    await button(page, '加载更多').click();
    await poll(() => rows.count()).toBeGreaterThan(50);
    // Other writers may share the database (PostgreSQL): load on until this test's own rows are on the page.
    const created = rows.filter({ hasText: '新建工作人员账号' }).filter({ hasText: username });
    for (let i = 0; i < 20 && (await created.count()) === 0; i++) {
      const before = await rows.count();
      await button(page, '加载更多').click();
      await poll(() => rows.count()).toBeGreaterThan(before);
    }
    expect(await created.count()).toBe(1);
    const texts = await rows.allTextContents();
    const newest = texts.findIndex((x) => x.includes('查询内容：填充54'));
    const oldest = texts.findIndex((x) => x.includes('查询内容：填充0'));
    expect(newest).toBeGreaterThanOrEqual(0);
    expect(oldest).toBeGreaterThan(newest);
    const renameAt = texts.findIndex((x) => x.includes('更正单位名称') && x.includes(`新名称：${newName}`));
    expect(renameAt).toBeGreaterThan(oldest);
    expect(texts[renameAt]).toContain('演示管理员');
    expect(texts[renameAt]).toContain(`原因：经办人来电`);
    await shot(page, 'staff-audit-desktop');
    expect(await fitsWidth(page)).toBe(true);

    // 停用 with confirmation: the colleague's open console drops to the login page at its next request.
    await page.getByRole('menuitem', { name: '工作人员' }).click();
    await page.getByLabel('筛选工作人员').fill(username);
    const target = page.getByRole('row').filter({ hasText: username });
    await button(target, '停用').click();
    const confirm = page.locator('.ant-popconfirm');
    await poll(() => confirm.getByText(`停用 浏览器预审员（${username}）？`).count()).toBe(1);
    await button(confirm, '停用').click();
    await poll(() => target.textContent()).toContain('已停用');
    await poll(() => button(target, '启用').count()).toBe(1);
    await settle(page);
    await shot(page, 'staff-accounts-disabled-desktop');

    await colleague.page.getByRole('menuitem', { name: '单位查询' }).click();
    await colleague.page.getByLabel('统一社会信用代码或单位名称').fill(DEMO_ORG.uscc);
    await colleague.page.getByLabel('统一社会信用代码或单位名称').press('Enter');
    await colleague.page.waitForURL('**/staff/login');
    // The only console errors allowed are the browser's own notes of the requests refused on purpose
    // (the taken username: 409; the disabled colleague's session: 401).
    expect(colleague.errors.filter((m) => !/status of 401/.test(m))).toEqual([]);
    expect(admin.errors.filter((m) => !/status of 409/.test(m))).toEqual([]);
    await colleague.context.close();
    await admin.context.close();
  });

  it('works at 390 px: menu in a drawer, history and audit rows as blocks, nothing wider than the screen', async () => {
    const { page, context, errors } = await newPage(e, PHONE);
    await page.goto('/staff/login');
    await shot(page, 'staff-login-phone');
    expect(await fitsWidth(page)).toBe(true);
    await staffLogin(page, 'admin', DEMO_STAFF_PASSWORD);
    await shot(page, 'staff-home-phone');
    expect(await fitsWidth(page)).toBe(true);

    const go = async (entry: string) => {
      await page.getByRole('button', { name: '打开菜单' }).click();
      await page.getByRole('menuitem', { name: entry }).click();
      await page.locator('.ant-drawer-content').waitFor({ state: 'hidden' });
      await settle(page);
    };
    await go('单位查询');
    await page.getByLabel('统一社会信用代码或单位名称').fill(DEMO_ORG.uscc);
    await page.getByLabel('统一社会信用代码或单位名称').press('Enter');
    await poll(() => page.getByTestId('org-results').getByRole('link').count()).toBe(1);
    await shot(page, 'staff-org-search-phone');
    expect(await fitsWidth(page)).toBe(true);
    await page.getByTestId('org-results').getByRole('link').click();
    await poll(() => page.getByTestId('org-name').count()).toBe(1);
    await shot(page, 'staff-org-detail-phone');
    expect(await fitsWidth(page)).toBe(true);
    await page.getByRole('button', { name: /更正名称/ }).click();
    await page.getByRole('dialog').getByLabel('更正原因').waitFor();
    await settle(page);
    await shot(page, 'staff-org-rename-phone');
    expect(await fitsWidth(page)).toBe(true);
    await button(page.getByRole('dialog'), '取消').click();

    await go('工作人员');
    await page.getByLabel('筛选工作人员').fill('演示');
    await poll(() => page.getByRole('row').filter({ hasText: '演示预审员' }).count()).toBe(1);
    await shot(page, 'staff-accounts-phone');
    expect(await fitsWidth(page)).toBe(true);
    await page.getByRole('button', { name: /新建账号/ }).click();
    await page.getByRole('dialog').getByLabel('初始密码').waitFor();
    await settle(page);
    await shot(page, 'staff-accounts-create-phone');
    expect(await fitsWidth(page)).toBe(true);
    await button(page.getByRole('dialog'), '取消').click();

    await go('操作记录');
    // On a phone each audit row is a block, not a table row.
    const cards = page.getByTestId('audit-cards').getByTestId('audit-card');
    await poll(() => cards.count()).toBeGreaterThan(0);
    expect(await page.getByTestId('audit-table').count()).toBe(0);
    await shot(page, 'staff-audit-phone');
    expect(await fitsWidth(page)).toBe(true);
    expect(errors).toEqual([]);
    await context.close();
  });
});
