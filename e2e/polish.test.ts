/** Issue 13's minor joints: focus colour, tap targets, the public menu and 下载中心, 工作台's next steps. */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { DESKTOP, PHONE, SCREENSHOTS, fitsWidth, newPage, shot, startE2E, type E2E } from './harness.js';
import { openMainOrder, registerWithRequest } from './page-api.js';
import { ONLINE_FLOW } from '../src/core/content/flow.js';
import { formatOrderNumber } from '../src/core/order-number.js';
import { OFFICE_ONLY_BUSINESSES, ONLINE_REVOCATION, REGISTERED_MOBILE_USE } from '../src/core/content/help.js';
import { orderRepository } from '../src/server/modules/orders/repository.js';

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

const openssl = (...args: string[]) => execFileSync('openssl', args, { encoding: 'utf8' });

/** Clicks what starts a download and returns the saved file's path. */
async function download(page: Page, click: () => Promise<void>, name: string): Promise<string> {
  const [d] = await Promise.all([page.waitForEvent('download'), click()]);
  const file = path.join(tmp, name);
  await d.saveAs(file);
  return file;
}
const tmp = mkdtempSync(path.join(tmpdir(), 'e2e-downloads-'));

describe.each([
  ['phone', PHONE],
  ['desktop', DESKTOP],
])('public menu and 下载中心 (%s)', (label, viewport) => {
  it('the menu leads to 证书状态查询 and 下载中心, whose links download the DER certificates and CRLs it fingerprints', async () => {
    const { page, context, errors } = await newPage(e, viewport);
    await page.goto('/');
    await page.getByText('单位数字证书及电子签章在线申请').first().waitFor();
    const menu = async () => {
      if (viewport === PHONE) {
        await page.getByRole('button', { name: '菜单' }).click();
        return page.locator('.ant-drawer nav');
      }
      return page.locator('header nav');
    };
    await (await menu()).getByRole('link', { name: '证书状态查询' }).click();
    await page.waitForURL('**/cert-status');
    await page.getByTestId('cert-status-input').waitFor();
    await (await menu()).getByRole('link', { name: '下载中心' }).click();
    await page.waitForURL('**/downloads');
    await page.getByTestId('downloads-sm2').waitFor();
    await shot(page, `downloads-${label}`);
    expect(await fitsWidth(page)).toBe(true);

    for (const family of ['sm2']) {
      for (const kind of ['root', 'issuing'] as const) {
        const block = page.getByTestId(`${kind}-${family}`);
        const file = await download(page, () => block.getByRole('button', { name: /下载/ }).click(), `${label}-${family}-${kind}.cer`);
        // A DER certificate (openssl reads it as DER), with exactly the fingerprints the page shows.
        const sha256 = openssl('x509', '-inform', 'DER', '-in', file, '-noout', '-fingerprint', '-sha256').trim().split('=')[1]!;
        const sm3 = openssl('x509', '-inform', 'DER', '-in', file, '-noout', '-fingerprint', '-sm3').trim().split('=')[1]!;
        const text = await block.innerText();
        expect(text).toContain(sha256);
        expect(text).toContain(sm3);
      }
      const crl = await download(
        page,
        () => page.getByTestId(`crls-${family}`).getByRole('link', { name: '0.crl', exact: true }).click(),
        `${label}-${family}-0.crl`,
      );
      expect(openssl('crl', '-inform', 'DER', '-in', crl, '-noout', '-nextupdate')).toContain('nextUpdate=');
    }
    expect(await page.getByTestId('relying-party').innerText()).toContain('受信任的根证书');
    expect(errors).toEqual([]);
    await context.close();
  });

  it('帮助手册 says where the UKEY’s initial PIN is and how to change it', async () => {
    const { page, context } = await newPage(e, viewport);
    await page.goto('/help#ukey-pin');
    const text = await page.locator('#ship').innerText();
    expect(text).toContain('初始口令见随UKEY寄出的密码信封');
    expect(text).toContain('修改口令');
    await context.close();
  });
});

describe.each([
  ['phone', PHONE],
  ['desktop', DESKTOP],
])('我的工作台 (%s)', (label, viewport) => {
  it('shows each open order’s status and next step, and where the newest stands on the flow — all done after 已发放', async () => {
    const { page, context, errors } = await newPage(e, viewport);
    await registerWithRequest(context.request, {
      name: `江西工作台测试${randomBytes(2).toString('hex')}有限公司`,
      password: 'Desk2026work',
    });
    const order = await openMainOrder(context.request);

    // A draft: its next step is the order page's, and the flow is at 下载模板…提交申请.
    await page.goto('/account');
    const card = page.getByTestId('account-order');
    await card.waitFor();
    expect(await card.getByTestId('status-tag').innerText()).toBe('草稿');
    expect(await card.getByTestId('account-next-step').innerText()).toBe('下一步：填写订单信息、下载模板、完成法人核验并上传资料后提交');
    const flow = page.getByTestId('account-flow');
    expect(await flow.locator('.ant-steps-item-process').innerText()).toContain('下载模板、法人核验、上传证件、提交申请');

    // 已发放: the tag says so, the next step is the waybill (and the PIN envelope), and every step is done.
    expect(await orderRepository.setStatus(e.db, order.id, 'draft', 'shipped', new Date())).toBeTruthy();
    await page.reload();
    await card.getByText('已发放').waitFor();
    expect(await card.getByTestId('account-next-step').innerText()).toBe('下一步：查看顺丰运单');
    expect(await flow.locator('.ant-steps-item-process').count()).toBe(0);
    expect(await flow.locator('.ant-steps-item-finish').count()).toBe(ONLINE_FLOW.length);
    await shot(page, `account-shipped-${label}`);
    expect(await fitsWidth(page)).toBe(true);

    // The card leads to the order (not opened here: this order was moved to 已发放 without a certificate).
    expect(await card.getAttribute('href')).toBe(`/orders/${order.id}`);
    expect(errors).toEqual([]);
    await context.close();
  });
});

describe.each([
  ['phone', PHONE],
  ['desktop', DESKTOP],
])('one vocabulary, true to what the product does (%s)', (label, viewport) => {
  it('register, home, help and the apply notice say what really happens', async () => {
    const { page, context, errors } = await newPage(e, viewport);
    // 注册: the registered mobile gets codes and reminders; the order's SMS go to the 经办人.
    await page.goto('/register');
    const mobileHelp = await page.locator('#mobile_extra, #mobile_help').first().innerText();
    expect(mobileHelp).toBe(REGISTERED_MOBILE_USE);
    expect(mobileHelp).not.toContain('用于接收审核结果短信');

    // 首页: 法人核验 as the catalog sets it, never "办理须知未作说明"; 吊销 is online, not counter-only.
    await page.goto('/');
    await expect.poll(() => page.getByTestId('project-housing-out-of-province').innerText()).toContain('法人核验\n不需要');
    const home = await page.locator('main').innerText();
    expect(home).not.toContain('办理须知未作说明');
    // A phone pays on the phone; only a computer scans a code (issue 13, 4).
    expect(home).not.toContain('扫码付款');
    expect(home).toContain('微信、支付宝在线付款');
    expect(await page.getByTestId('online-revocation').innerText()).toBe(ONLINE_REVOCATION);
    await shot(page, `wording-home-${label}`);

    // 帮助手册: there is no 下一步 button on the order page (it saves as you type); a rejection is 资料审核失败.
    await page.goto('/help');
    const order = await page.locator('#order').innerText();
    expect(order).not.toContain('下一步');
    expect(order).toContain('随填随存');
    expect(await page.locator('#submit').innerText()).not.toContain('不通过的短信');

    // 新制申请须知: 吊销 is not listed as counter-only; it points to 我的证书.
    await registerWithRequest(context.request, { name: `江西用语测试${randomBytes(2).toString('hex')}有限公司`, password: 'Word2026ing' });
    await page.goto('/apply');
    const notice = page.getByTestId('apply-notice');
    await notice.waitFor();
    const counterOnly = await notice.locator('.office-only-item b').allInnerTexts();
    expect(counterOnly).toEqual(OFFICE_ONLY_BUSINESSES.map((b) => b.name));
    expect(counterOnly).not.toContain('吊销');
    expect(await notice.getByTestId('online-revocation').innerText()).toContain('我的证书');
    expect(await notice.locator('[data-testid=online-revocation] a[href="/certificates"]').count()).toBe(1);
    await shot(page, `wording-apply-notice-${label}`);
    expect(await fitsWidth(page)).toBe(true);
    expect(errors).toEqual([]);
    await context.close();
  });
});

describe('tap targets of at least 32 px at 390 px', () => {
  it('复制, the password eye and 如何准备 measure at least 32 × 32', async () => {
    const { page, context, errors } = await newPage(e, PHONE);
    const atLeast32 = async (what: string, el: ReturnType<Page['locator']>) => {
      const box = await el.boundingBox();
      expect(box, what).not.toBeNull();
      expect(Math.round(box!.width), `${what} width`).toBeGreaterThanOrEqual(32);
      expect(Math.round(box!.height), `${what} height`).toBeGreaterThanOrEqual(32);
    };

    await page.goto('/login');
    const password = page.locator('#password');
    await password.waitFor();
    await page.screenshot({ path: path.join(SCREENSHOTS, 'tap-targets-login-phone.png') });
    const fieldHeight = await page.locator('#uscc').evaluate((el) => el.getBoundingClientRect().height);
    await atLeast32('the password eye', page.locator('.ant-input-password-icon'));
    // The field itself keeps its height: the eye's box grows inside it.
    expect(await password.evaluate((el) => el.parentElement!.getBoundingClientRect().height)).toBe(fieldHeight);
    await page.locator('.ant-input-password-icon').click();
    expect(await password.getAttribute('type')).toBe('text');

    await registerWithRequest(context.request, {
      name: `江西点按测试${randomBytes(2).toString('hex')}有限公司`,
      password: 'Tap2026target',
    });
    const order = await openMainOrder(context.request);
    await page.goto(`/orders/${order.id}`);
    const copy = page.getByRole('button', { name: '复制订单编号' });
    await copy.waitFor();
    await atLeast32('复制 (order number)', copy);
    // It copies the number as shown (one format everywhere), not the stored 15 digits.
    await context.grantPermissions(['clipboard-read', 'clipboard-write']);
    await copy.click();
    await expect.poll(() => page.evaluate(() => navigator.clipboard.readText())).toBe(formatOrderNumber(order.orderNo));
    const howto = page.locator('.slot-howto summary').first();
    await howto.scrollIntoViewIfNeeded();
    await atLeast32('如何准备', howto);
    await howto.click();
    expect(await page.locator('.slot-howto').first().getAttribute('open')).not.toBeNull();
    await page.screenshot({ path: path.join(SCREENSHOTS, 'tap-targets-howto-phone.png') });
    await copy.scrollIntoViewIfNeeded();
    await page.screenshot({ path: path.join(SCREENSHOTS, 'tap-targets-copy-phone.png') });

    await page.goto('/account');
    await atLeast32('复制 (USCC)', page.getByRole('button', { name: '复制', exact: true }).first());
    expect(errors).toEqual([]);
    await context.close();
  });
});
