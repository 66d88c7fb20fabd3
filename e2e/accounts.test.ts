import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { CAPTCHA, DESKTOP, PHONE, fitsWidth, newPage, shot, startE2E, type E2E } from './harness.js';
import { newMobile, newUscc } from '../src/server/testing/harness.js';

let e: E2E;
beforeAll(async () => {
  e = await startE2E();
});
afterAll(async () => {
  // The run's last file closes the shared server; vitest runs e2e files one by one in one process.
});

async function fillRegister(page: Page, uscc: string, mobile: string) {
  await page.goto('/register');
  await page.getByLabel('单位名称').fill('江西浏览器测试有限公司');
  await page.getByLabel('统一社会信用代码').fill(uscc.toLowerCase());
  await page.getByLabel('手机号').fill(mobile);
  await page.getByLabel('密码', { exact: true }).fill('Browser2026x');
  await page.getByLabel('确认密码').fill('Browser2026x');
  await page.getByLabel('验证码', { exact: true }).fill(CAPTCHA);
  await page.getByRole('checkbox').check();
}

describe.each([
  ['desktop', DESKTOP],
  ['phone', PHONE],
])('register → log out → log in (%s)', (label, viewport) => {
  it('works end to end and renders Chinese', async () => {
    const { page, context, errors } = await newPage(e, viewport);
    const uscc = newUscc();
    const mobile = newMobile();
    await fillRegister(page, uscc, mobile);
    // The form shows the corrected (upper-case) code before it is saved.
    await expect.poll(() => page.getByTestId('uscc-normalized').textContent()).toContain(uscc);
    await shot(page, `register-${label}`);
    expect(await fitsWidth(page)).toBe(true);
    await page.locator('form button[type=submit]').click();
    await page.waitForURL('**/account?welcome=1');
    await expect.poll(() => page.getByText(uscc).count()).toBeGreaterThan(0);
    await shot(page, `account-${label}`);
    expect(await fitsWidth(page)).toBe(true);

    await page.getByTestId('account-menu').hover();
    await page.getByText('退出登录').click();
    await page.waitForURL(`${e.baseUrl}/`);
    await page.goto('/login');
    await page.getByLabel('统一社会信用代码').fill(uscc);
    await page.getByLabel('密码').fill('Browser2026x');
    await page.getByLabel('验证码', { exact: true }).fill(CAPTCHA);
    await shot(page, `login-${label}`);
    await page.locator('form button[type=submit]').click();
    await page.waitForURL('**/account');
    await expect.poll(() => page.getByText('我的工作台').count()).toBeGreaterThan(0);
    expect(errors).toEqual([]);
    await context.close();
  });
});

describe('form errors keep what was typed', () => {
  it("shows the server's field message for a taken USCC and keeps the other fields", async () => {
    const { page, context } = await newPage(e, DESKTOP);
    const uscc = '91360100MA35XQ7T6B'; // the demo organization
    await fillRegister(page, uscc, '13912345678');
    await page.locator('form button[type=submit]').click();
    await expect.poll(() => page.getByText('该统一社会信用代码已注册').count()).toBeGreaterThan(0);
    expect(await page.getByLabel('单位名称').inputValue()).toBe('江西浏览器测试有限公司');
    expect(await page.getByLabel('手机号').inputValue()).toBe('13912345678');
    await shot(page, 'register-uscc-taken');
    await context.close();
  });

  it('a unit name pasted with a zero-width space is refused, naming the field, and what was typed stays (issue 16)', async () => {
    const { page, context } = await newPage(e, PHONE);
    await fillRegister(page, newUscc(), newMobile());
    const pasted = '江西浏览器\u200b测试有限公司';
    await page.getByLabel('单位名称').fill(pasted);
    await page.locator('form button[type=submit]').click();
    await expect.poll(() => page.getByText('单位名称含有不可见字符（U+200B）', { exact: false }).count()).toBeGreaterThan(0);
    expect(await page.getByLabel('单位名称').inputValue()).toBe(pasted);
    expect(page.url()).toContain('/register');
    await shot(page, 'register-invisible-char-phone');
    await context.close();
  });

  it('checks the USCC in the browser with the same rule as the server', async () => {
    const { page, context } = await newPage(e, PHONE);
    await page.goto('/register');
    await page.getByLabel('统一社会信用代码').fill('91360100MA35XQ7T6C');
    await page.getByLabel('手机号').click();
    await expect.poll(() => page.getByText('校验位不正确').count()).toBeGreaterThan(0);
    await shot(page, 'register-bad-uscc-phone');
    await context.close();
  });
});
