/** Issue 13's minor joints: focus colour, tap targets, the public menu and 下载中心, 工作台's next steps. */
import { beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { DESKTOP, newPage, shot, startE2E, type E2E } from './harness.js';

let e: E2E;
beforeAll(async () => {
  e = await startE2E();
});

const borderColor = (page: Page, selector: string) => page.locator(selector).evaluate((el) => getComputedStyle(el).borderTopColor);

describe('focus has its own colour (not the error red)', () => {
  it('a focused correct field is blue; a field with an error stays red', async () => {
    const { page, context, errors } = await newPage(e, DESKTOP);
    await page.goto('/login');
    const uscc = page.getByLabel('统一社会信用代码');
    await uscc.click();
    await uscc.fill('91360100MA35XXXX0X');
    await expect.poll(() => borderColor(page, '#uscc')).toBe('rgb(22, 119, 255)');
    await shot(page, 'focus-ring-desktop');

    // An empty 密码 after 登录 is an error: red, focused or not.
    await page.locator('form button[type=submit]').click();
    await page.getByText('请填写密码').waitFor();
    await page.getByLabel('密码').focus();
    // The password field's border is drawn by its wrapper (the eye sits inside it).
    const wrapperBorder = () => page.locator('#password').evaluate((el) => getComputedStyle(el.parentElement!).borderTopColor);
    await expect.poll(wrapperBorder).toBe('rgb(255, 77, 79)');
    expect(errors).toEqual([]);
    await context.close();
  });
});
