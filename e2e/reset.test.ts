/**
 * 忘记密码 in the browser at phone width: the request form, the code read off the development SMS inbox in
 * a second tab, the new password, and logging in with it. Screenshots of every step land in SCREENSHOTS.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { CAPTCHA, PHONE, fitsWidth, newPage, shot, startE2E, type E2E } from './harness.js';
import { TestClient, newMobile, randomIp } from '../src/server/testing/harness.js';

let e: E2E;
beforeAll(async () => {
  e = await startE2E();
});

/** A registered organization (set up over the API: the registration page has its own browser test). */
async function registered() {
  const { body, res } = await new TestClient(e.app, randomIp()).register({ mobile: newMobile() });
  expect(res.statusCode).toBe(201);
  return body as { uscc: string; mobile: string; password: string };
}

/** Lets antd's transitions finish, so a screenshot shows the state, not a frame of the animation. */
async function settled(page: Page): Promise<Page> {
  // Park the mouse first: a hover left over from the last click would look like a highlighted field,
  // and un-hovering starts a transition of its own.
  await page.mouse.move(0, 0);
  await page.evaluate(async () => {
    await new Promise((r) => requestAnimationFrame(() => r(undefined)));
    await Promise.all(
      document
        .getAnimations()
        .filter((a) => a.effect?.getTiming().iterations !== Infinity)
        .map((a) => a.finished.catch(() => undefined)),
    );
  });
  return page;
}

async function fillRequest(page: Page, uscc: string, mobile: string) {
  await page.getByLabel('统一社会信用代码').fill(uscc);
  await page.getByLabel('注册时填写的手机号').fill(mobile);
  await page.getByLabel('验证码', { exact: true }).fill(CAPTCHA);
}

/** Reads the newest code sent to `mobile` off the inbox page, as a developer or tester would. */
async function codeFromInbox(inbox: Page, mobile: string): Promise<string> {
  const item = inbox.getByTestId('sms-item').filter({ hasText: mobile }).first();
  // The page refreshes itself every 3 s; the outbox worker sends within a fraction of a second.
  await item.waitFor({ timeout: 15_000 });
  const shown = (await item.getByTestId('sms-code').textContent())?.trim() ?? '';
  const text = (await item.getByTestId('sms-text').textContent()) ?? '';
  expect(text).toMatch(/^【江西CA（沙箱）】您正在重置江西CA数字证书在线受理系统的登录密码，验证码\d{6}，10分钟内有效/);
  expect(text).toContain(`验证码${shown}，`);
  expect(shown).toMatch(/^\d{6}$/);
  return shown;
}

describe('忘记密码 (phone, 390 px)', () => {
  it('requests a code, reads it in the dev inbox, sets a new password and logs in with it', async () => {
    const org = await registered();
    const { page, context, errors } = await newPage(e, PHONE);
    await page.goto('/forgot-password');
    await expect.poll(() => page.getByText('获取短信验证码').count()).toBeGreaterThan(0);
    await shot(await settled(page), 'reset-1-request-phone');
    expect(await fitsWidth(page)).toBe(true);

    // A wrong mobile: the server's field message appears under the field and the rest stays filled in.
    await fillRequest(page, org.uscc.toLowerCase(), newMobile());
    await page.getByRole('button', { name: '获取短信验证码' }).click();
    await expect.poll(() => page.getByText('手机号与注册时填写的不一致').count()).toBeGreaterThan(0);
    expect(await page.getByLabel('统一社会信用代码').inputValue()).toBe(org.uscc.toLowerCase());
    await shot(await settled(page), 'reset-2-wrong-mobile-phone');
    expect(await fitsWidth(page)).toBe(true);

    await page.getByLabel('注册时填写的手机号').fill(org.mobile);
    // The failed attempt spent the captcha; a new picture came with an empty answer field.
    expect(await page.getByLabel('验证码', { exact: true }).inputValue()).toBe('');
    await page.getByLabel('验证码', { exact: true }).fill(CAPTCHA);
    await page.getByRole('button', { name: '获取短信验证码' }).click();
    const masked = `${org.mobile.slice(0, 3)}****${org.mobile.slice(7)}`;
    await expect.poll(() => page.getByText(`短信验证码已发送至 ${masked}`).count()).toBeGreaterThan(0);
    await shot(await settled(page), 'reset-3-code-sent-phone');
    expect(await fitsWidth(page)).toBe(true);

    // The inbox link opens in a new tab; read the code there.
    const [inbox] = await Promise.all([
      context.waitForEvent('page'),
      page.getByRole('link', { name: '沙箱短信收件箱', exact: true }).click(),
    ]);
    await inbox.setViewportSize(PHONE);
    // The link shows this number's messages only.
    await inbox.waitForURL(`**/dev/inbox?phone=${org.mobile}`);
    const code = await codeFromInbox(inbox, org.mobile);
    expect(await inbox.getByTestId('sms-item').count()).toBe(1);
    await shot(await settled(inbox), 'reset-4-dev-inbox-phone');
    expect(await fitsWidth(inbox)).toBe(true);

    // A wrong code first: the count of tries left is shown at the field.
    const wrong = String((Number(code) + 1) % 1e6).padStart(6, '0');
    await page.getByLabel('短信验证码').fill(wrong);
    await page.getByLabel('新密码', { exact: true }).fill('Renewed2026y');
    await page.getByLabel('确认新密码').fill('Renewed2026y');
    await page.getByRole('button', { name: '重置密码' }).click();
    await expect.poll(() => page.getByText('短信验证码不正确，还可尝试4次').count()).toBeGreaterThan(0);
    await shot(await settled(page), 'reset-5-wrong-code-phone');

    await page.getByLabel('短信验证码').fill(code);
    await page.getByRole('button', { name: '重置密码' }).click();
    await expect.poll(() => page.getByText('密码已重置').count()).toBeGreaterThan(0);
    await shot(await settled(page), 'reset-6-done-phone');
    expect(await fitsWidth(page)).toBe(true);

    await page.getByRole('button', { name: '去登录' }).click();
    await page.waitForURL('**/login');
    await page.getByLabel('统一社会信用代码').fill(org.uscc);
    await page.getByLabel('密码').fill('Renewed2026y');
    await page.getByLabel('验证码', { exact: true }).fill(CAPTCHA);
    await page.locator('form button[type=submit]').click();
    await page.waitForURL('**/account');
    await expect.poll(() => page.getByText(org.uscc).count()).toBeGreaterThan(0);
    await shot(await settled(page), 'reset-7-logged-in-phone');
    // The two refused requests (wrong mobile, wrong code) are the only failed loads the console reports.
    expect(errors.filter((m) => !/status of 400/.test(m))).toEqual([]);
    expect(errors.length).toBeLessThanOrEqual(2);
    await context.close();
  });
});
