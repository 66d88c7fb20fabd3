/**
 * The applicant's side of issue 3 in a real browser: 新制申请 (notice → agreement → project → key type),
 * the order page (fill every field with autosave, reload, browser-side rules, what is missing), 我的订单.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFile } from 'node:fs/promises';
import type { Page, Request } from 'playwright-core';
import sharp from 'sharp';
import jsqrModule from 'jsqr';
import { eq } from 'drizzle-orm';
import { CAPTCHA, DESKTOP, PHONE, fitsWidth, newPage, shot, startE2E, type E2E } from './harness.js';
import { newMobile } from '../src/server/testing/harness.js';
import { idCheckChar } from '../src/core/id-number.js';
import { ZOrderDraft } from '../src/core/order-form.js';
import { orders } from '../src/server/db/schema.js';
import { api, fillOrderForm, id, registerInBrowser as registerWith, waitSaved } from './page-api.js';

let e: E2E;
beforeAll(async () => {
  e = await startE2E();
});
afterAll(async () => {
  // The run's last file closes the shared server; vitest runs e2e files one by one in one process.
});

/** The same number with a wrong check character. */
const wrongId = (first17: string) => first17 + (idCheckChar(first17) === '1' ? '2' : '1');

const registerInBrowser = (page: Page, name = '江西申请测试有限公司') => registerWith(page, name, 'Apply2026xx');

/** A main-key order of `projectCode` for the logged-in unit; its id. */
async function createOrder(page: Page, projectCode: string): Promise<string> {
  const created = await api(page, 'POST', '/api/orders', { projectCode, keyType: 'main', agree: true });
  expect(created.status).toBe(201);
  return created.json.order.id as string;
}

const PEOPLE = {
  legal: { name: '王建国', id: id('36010219750315201'), mobile: newMobile() },
  agent: { name: '李晓红', id: id('36012119920808462'), mobile: newMobile(), email: 'lixh@example.com' },
  address: '江西省南昌市红谷滩区卧龙路1000号',
  recipientAddress: '江西省南昌市东湖区八一大道88号三楼',
  invoiceEmail: 'fapiao@example.com',
};

/** Walks 新制申请 up to the key step for one project; returns nothing, leaves the page on the key step. */
async function walkToKeyStep(page: Page, projectCode: string) {
  await page.goto('/apply');
  await page.getByTestId('apply-new').click();
  await page.getByTestId('agree').click();
  await page.getByTestId('agree-next').click();
  await page.getByTestId(`choose-${projectCode}`).click();
  await page.getByTestId('project-next').click();
  await page.getByTestId('key-reason').waitFor();
}

describe('新制申请 → order page (desktop)', () => {
  it('walks the wizard, fills every field with autosave, survives a reload, judges fields in the browser and lists what is missing', async () => {
    const { page, context, errors } = await newPage(e, DESKTOP);
    const org = await registerInBrowser(page);
    // Logged out, /apply sends the applicant to the login page and back again afterwards.
    expect((await api(page, 'POST', '/api/logout')).status).toBe(200);
    await page.goto('/apply');
    await page.waitForURL((u) => u.pathname === '/login' && u.search === '?next=%2Fapply');
    await page.getByLabel('统一社会信用代码').fill(org.uscc);
    await page.getByLabel('密码').fill('Apply2026xx');
    await page.getByLabel('验证码', { exact: true }).fill(CAPTCHA);
    await page.locator('form button[type=submit]').click();
    await page.waitForURL((u) => u.pathname === '/apply');

    // The menu path of the seeds, and what is not done online.
    expect(await page.getByTestId('apply-path').textContent()).toBe('数字证书申请/数字证书及电子印章申请/新制申请');
    const notice = (await page.getByTestId('apply-notice').textContent()) ?? '';
    for (const b of ['变更', '补办', '续费', '换卡', '解锁', '吊销']) expect(notice).toContain(b);
    expect(notice).toContain('统一社会信用代码');
    expect(await page.locator('[data-testid=apply-notice] a[href="/offices"]').count()).toBeGreaterThan(0);
    await shot(page, 'apply-1-notice-desktop');
    await page.getByTestId('apply-new').click();

    // The agreement in full, and no way on without ticking 我已阅读并同意.
    const agreement = (await page.getByTestId('agreement-box').textContent()) ?? '';
    expect(agreement).toContain('江西CA数字证书用户协议');
    expect(agreement).toContain('在24小时内吊销用户的数字证书');
    expect(await page.getByTestId('agree-next').isDisabled()).toBe(true);
    await page.getByRole('checkbox', { name: /我已阅读并同意/ }).check();
    await shot(page, 'apply-2-agreement-desktop');
    await page.getByTestId('agree-next').click();

    // Projects with what each certificate is for, under the warning that a wrong project is useless.
    expect(await page.getByTestId('project-warning').textContent()).toContain('证书项目错误，将导致证书无法使用');
    const pr = (await page.getByTestId('choose-public-resource').textContent()) ?? '';
    expect(pr).toContain('江西省医药采购服务平台');
    expect(pr).toContain('不能用于国土交易系统');
    expect(pr).toContain('价格待确认');
    expect(await page.getByTestId('project-next').isDisabled()).toBe(true);
    await page.getByTestId('choose-gov-procurement').click();
    await shot(page, 'apply-3-project-desktop');
    await page.getByTestId('project-next').click();

    // A first-time applicant may only take the main key, and is told why; the price is shown.
    await expect.poll(() => page.getByTestId('key-reason').textContent()).toContain('第一次申请必须选择含电子签章的主锁');
    expect(await page.getByTestId('key-sub').count()).toBe(0);
    expect(await page.getByTestId('key-main').textContent()).toContain('220元');
    expect(await page.getByTestId('apply-summary').textContent()).toContain('220元');
    await shot(page, 'apply-4-key-desktop');
    await page.getByTestId('create-order').click();
    await page.waitForURL(/\/orders\/[0-9a-f-]{36}$/);
    const orderId = page.url().split('/').pop()!;

    // The header: number, project, key type, price, status and what it means.
    expect(await page.getByTestId('order-project').textContent()).toBe('江西省政府采购电子卖场');
    expect(await page.getByTestId('order-key').textContent()).toBe('主锁（含电子签章）');
    expect(await page.getByTestId('order-price').textContent()).toBe('220元');
    expect(await page.locator('.order-header [data-testid=status-tag]').textContent()).toBe('草稿');
    const orderNo = (await page.getByTestId('order-no').textContent())!;
    expect(orderNo).toMatch(/^\d{6}-\d{4}-\d{5}$/);
    // Times are Beijing time, like the date inside the order number, whatever the computer's time zone.
    expect((await page.getByTestId('order-created').textContent())!.slice(2, 10).replace(/-/g, '')).toBe(orderNo.slice(0, 6));
    expect(await page.getByTestId('org-name').textContent()).toBe(org.name);
    // Prefilled from the account: invoice title = unit name, tax number = USCC.
    expect(await page.getByLabel('发票抬头', { exact: true }).inputValue()).toBe(org.name);
    expect(await page.getByLabel('纳税人识别号', { exact: true }).inputValue()).toBe(org.uscc);

    // Every save sends exactly the draft shape the server accepts.
    const bodies: unknown[] = [];
    const onReq = (r: Request) => {
      if (r.method() === 'PUT' && r.url().endsWith(`/api/orders/${orderId}/form`)) bodies.push(r.postDataJSON());
    };
    page.on('request', onReq);
    await fillOrderForm(page, PEOPLE);
    await waitSaved(page);
    page.off('request', onReq);
    expect(bodies.length).toBeGreaterThan(0);
    for (const b of bodies) {
      const body = b as { formVersion: number; form: Record<string, Record<string, string>> };
      expect(Object.keys(body).sort()).toEqual(['form', 'formVersion']);
      expect(ZOrderDraft.safeParse(body.form).success).toBe(true);
      for (const section of Object.values(body.form)) {
        expect(Object.keys(section).length).toBeGreaterThan(0);
        for (const v of Object.values(section)) expect(v).not.toBe('');
      }
    }
    // Everything is filled correctly: the form says so.
    await expect.poll(() => page.getByTestId('form-status').textContent()).toContain('订单信息已填写完整');
    await shot(page, 'order-filled-desktop');

    // Reload: the data is there (saved on the server), and there is no leftover local copy to restore.
    await page.reload();
    await page.getByTestId('order-page').waitFor();
    expect(await page.getByLabel('经办人身份证号', { exact: true }).inputValue()).toBe(PEOPLE.agent.id);
    expect(await page.getByLabel('法定代表人姓名', { exact: true }).inputValue()).toBe(PEOPLE.legal.name);
    expect(await page.getByLabel('收件人手机号', { exact: true }).inputValue()).toBe(PEOPLE.agent.mobile);
    expect(await page.getByLabel('收件地址', { exact: true }).inputValue()).toBe(PEOPLE.recipientAddress);
    expect(await page.getByLabel('通信地址', { exact: true }).inputValue()).toBe(PEOPLE.address);
    expect(await page.getByTestId('restored-notice').count()).toBe(0);
    const saved = await api(page, 'GET', `/api/orders/${orderId}`);
    expect(saved.json.order.form.agent).toEqual({
      name: PEOPLE.agent.name,
      idNumber: PEOPLE.agent.id,
      mobile: PEOPLE.agent.mobile,
      email: PEOPLE.agent.email,
    });
    expect(saved.json.problems).toEqual({});

    // A wrong ID number: the browser says what is wrong, in Chinese, next to the field.
    await page.getByLabel('经办人身份证号', { exact: true }).fill(wrongId('36012119920808462'));
    await page.getByLabel('经办人身份证号', { exact: true }).press('Tab');
    await expect
      .poll(() => page.getByTestId('field-agent.idNumber').textContent())
      .toContain('经办人身份证号校验位不正确，请对照身份证逐位核对');
    await waitSaved(page);
    // The server agrees and the submit section lists exactly what is missing; the button is disabled.
    await expect.poll(() => page.getByTestId('missing-list').textContent()).toContain('订单信息还有1处需要填写或修改');
    const view = (await api(page, 'GET', `/api/orders/${orderId}`)).json as { missing: string[]; problems: Record<string, string> };
    expect(view.problems['agent.idNumber']).toContain('校验位不正确');
    const listed = await page.locator('[data-testid=missing-list] li').allTextContents();
    expect(listed).toEqual(view.missing);
    expect(listed).toContain('请上传数字证书用户申请表');
    expect(listed).toContain('法人核验尚未显示“认证成功”');
    expect(await page.getByTestId('submit-order').isDisabled()).toBe(true);
    await shot(page, 'order-missing-desktop');
    // Following the form item of the list shows every field message.
    await page.getByRole('button', { name: '订单信息还有1处需要填写或修改' }).click();
    await page.getByLabel('经办人身份证号', { exact: true }).fill(PEOPLE.agent.id);
    await waitSaved(page);
    await expect.poll(() => page.locator('[data-testid=missing-list] li').first().textContent()).not.toContain('订单信息');

    // 我的订单 lists it as a draft, with a way to start another application.
    await page.goto('/orders');
    await page.getByTestId('orders-table').waitFor();
    const row = (await page.getByTestId('orders-table').textContent()) ?? '';
    expect(row).toContain('江西省政府采购电子卖场');
    expect(row).toContain('主锁（含电子签章）');
    expect(row).toContain('草稿');
    expect(await page.getByTestId('new-order').textContent()).toContain('新制申请');
    await shot(page, 'orders-desktop');
    expect(errors).toEqual([]);
    await context.close();
  });
});

describe('新制申请 at 390 px', () => {
  it('fits a phone, says when a key cannot be taken online or the price is not confirmed', async () => {
    const { page, context, errors } = await newPage(e, PHONE);
    await registerInBrowser(page, '江西手机申请测试有限公司');
    // An organization with no orders sees the empty list and the way to apply.
    await page.goto('/orders');
    await page.getByTestId('orders-empty').waitFor();
    expect(await page.getByTestId('orders-empty').textContent()).toContain('新制申请');
    await shot(page, 'orders-empty-phone');

    await page.goto('/apply');
    await page.getByTestId('apply-notice').waitFor();
    expect(await fitsWidth(page)).toBe(true);
    await shot(page, 'apply-1-notice-phone');
    await page.getByTestId('apply-new').click();
    await page.getByTestId('agree').click();
    expect(await fitsWidth(page)).toBe(true);
    await shot(page, 'apply-2-agreement-phone');
    await page.getByTestId('agree-next').click();
    await page.getByTestId('choose-public-resource').click();
    expect(await fitsWidth(page)).toBe(true);
    await shot(page, 'apply-3-project-phone');
    await page.getByTestId('project-next').click();
    // 公共资源: the seeds state no price, so it cannot be ordered online yet.
    await page.getByTestId('price-unconfirmed').waitFor();
    expect(await page.getByTestId('price-unconfirmed').textContent()).toContain('价格待确认');
    expect(await page.getByTestId('create-order').isDisabled()).toBe(true);
    await shot(page, 'apply-4-unconfirmed-phone');

    // 工程建设项目审批 offers only a main key: once one is in progress (submitted, so there is nothing to
    // continue), nothing is left to take online.
    const first = await api(page, 'POST', '/api/orders', { projectCode: 'construction-approval', keyType: 'main', agree: true });
    expect(first.status).toBe(201);
    await e.db
      .update(orders)
      .set({ status: 'submitted' })
      .where(eq(orders.id, first.json.order.id as string));
    await walkToKeyStep(page, 'construction-approval');
    const reason = (await page.getByTestId('key-reason').textContent()) ?? '';
    expect(reason).toContain('不能在线申请');
    expect(reason).toContain('400-800-1040');
    expect(await page.locator('.apply-card a[href="/offices"]').count()).toBeGreaterThan(0);
    expect(await page.getByTestId('create-order').isDisabled()).toBe(true);
    expect(await fitsWidth(page)).toBe(true);
    await shot(page, 'apply-4-none-allowed-phone');

    // 政府采购 after a main key: only the sub key, at its own price.
    const main = await api(page, 'POST', '/api/orders', { projectCode: 'gov-procurement', keyType: 'main', agree: true });
    expect(main.status).toBe(201);
    await walkToKeyStep(page, 'gov-procurement');
    expect(await page.getByTestId('key-reason').textContent()).toContain('只能申请不含电子签章的副锁');
    expect(await page.getByTestId('key-main').count()).toBe(0);
    expect(await page.getByTestId('key-sub').textContent()).toContain('190元');
    // The main-key draft is offered to continue; a sub key is taken only when chosen.
    await page.getByTestId(`unfinished-${main.json.order.id as string}`).waitFor();
    await page.getByTestId('key-sub').click();
    await page.getByTestId('create-order').click();
    await page.waitForURL(/\/orders\/[0-9a-f-]{36}$/);
    expect(await page.getByTestId('order-key').textContent()).toBe('副锁（无电子签章）');
    expect(await page.getByTestId('order-price').textContent()).toBe('190元');
    // A sub key has no seal: no 电子签章采集表 slot.
    expect(await page.getByTestId('slot-seal-sheet').count()).toBe(0);
    expect(await page.getByTestId('slot-application-form').count()).toBe(1);
    expect(await fitsWidth(page)).toBe(true);
    await shot(page, 'order-new-phone');

    await page.goto('/orders');
    await page.getByTestId('orders-table').waitFor();
    expect(await page.locator('.order-card').count()).toBe(3);
    expect(await fitsWidth(page)).toBe(true);
    await shot(page, 'orders-phone');

    // 删除订单: asked first (the record stays, the QR code dies), then back to 我的订单, which no longer lists it.
    const subOrder = (await page.locator('.order-card').first().getAttribute('href'))!;
    await page.goto(subOrder);
    await page.getByTestId('delete-order').click();
    const dialog = page.locator('.ant-modal-confirm');
    await dialog.waitFor();
    const text = (await dialog.textContent()) ?? '';
    expect(text).toContain('系统仍会保留记录');
    expect(text).toContain('二维码将随即失效');
    await shot(page, 'order-delete-confirm-phone');
    await dialog.getByRole('button', { name: '删除订单' }).click();
    await page.waitForURL((u) => u.pathname === '/orders');
    await page.getByTestId('orders-table').waitFor();
    expect(await page.locator('.order-card').count()).toBe(2);
    expect(await page.locator(`.order-card[href="${subOrder}"]`).count()).toBe(0);
    // The deleted order is still there to read, its QR code dead.
    await page.goto(subOrder);
    await page.getByTestId('order-summary').waitFor();
    expect(await page.locator('.order-header [data-testid=status-tag]').textContent()).toBe('已删除');
    expect(await page.getByTestId('legal-check').textContent()).toContain('二维码已失效');
    expect(await page.getByTestId('order-progress').textContent()).toContain('删除订单');
    expect(await page.getByTestId('delete-order').count()).toBe(0);
    expect(await page.locator('[data-testid^=template-]').count()).toBe(0);
    expect(await fitsWidth(page)).toBe(true);
    await shot(page, 'order-deleted-phone');
    expect(errors).toEqual([]);
    await context.close();
  });
});

describe('nothing typed is lost', () => {
  it('keeps input through a failed save and a reload, and through a conflict with another tab', async () => {
    const { page, context, errors } = await newPage(e, DESKTOP);
    await registerInBrowser(page, '江西本机保存测试有限公司');
    const orderId = await createOrder(page, 'housing-out-of-province');
    await page.goto(`/orders/${orderId}`);
    // The out-of-province project asks for the 入赣负责人 too.
    await page.getByLabel('入赣负责人姓名', { exact: true }).fill('赵入赣');
    await waitSaved(page);

    // The server cannot be reached: the save fails visibly, the input stays, and a reload restores it.
    // Chromium itself blocks the URL (as a dead network would), on every document, with no handler to race.
    const cdp = await context.newCDPSession(page);
    await cdp.send('Network.enable');
    await cdp.send('Network.setBlockedURLs', { urls: [`*/api/orders/${orderId}/form`] });
    await page.getByLabel('经办人姓名', { exact: true }).fill('钱离线');
    await expect.poll(() => page.getByTestId('save-status').textContent(), { timeout: 10_000 }).toContain('保存失败');
    await shot(page, 'order-save-failed');
    // Reloaded while the server is still out of reach: the input comes back from this computer. (Reloading
    // hides the page; the form must not save then: that save escaped every block as the document unloaded,
    // reached the server in CI, and could land after the reloaded page had read the form.)
    await page.reload();
    await page.getByTestId('order-page').waitFor();
    expect(await page.getByLabel('经办人姓名', { exact: true }).inputValue()).toBe('钱离线');
    // The server must not have it (checked first: if it did, the notice below rightly stays away, and a
    // timeout on it would not say why).
    expect((await api(page, 'GET', `/api/orders/${orderId}`)).json.order.form.agent).toBeUndefined();
    await page.getByTestId('restored-notice').waitFor();
    // Back online: the retry saves it.
    await cdp.send('Network.setBlockedURLs', { urls: [] });
    await waitSaved(page);
    const afterRestore = await api(page, 'GET', `/api/orders/${orderId}`);
    expect(afterRestore.json.order.form.agent).toEqual({ name: '钱离线' });
    expect(afterRestore.json.order.form.inGanManager).toEqual({ name: '赵入赣' });

    // Two tabs on one order: the second one's save is refused, it says so and keeps what was typed.
    const other = await context.newPage();
    await other.goto(`/orders/${orderId}`);
    await other.getByTestId('order-page').waitFor();
    await page.getByLabel('通信地址', { exact: true }).fill('江西省九江市浔阳区长江路1号');
    await waitSaved(page);
    await other.getByLabel('法定代表人姓名', { exact: true }).fill('孙另窗');
    await other.getByTestId('save-conflict').waitFor();
    expect(await other.getByTestId('save-conflict').textContent()).toContain('请刷新页面');
    expect(await other.getByLabel('法定代表人姓名', { exact: true }).inputValue()).toBe('孙另窗');
    await shot(other, 'order-conflict');
    // After a reload the newer local input comes back and is saved.
    await other.reload();
    await other.getByTestId('order-page').waitFor();
    expect(await other.getByLabel('法定代表人姓名', { exact: true }).inputValue()).toBe('孙另窗');
    await waitSaved(other);
    const final = await api(other, 'GET', `/api/orders/${orderId}`);
    expect(final.json.order.form.legalPerson).toEqual({ name: '孙另窗' });
    expect(errors.filter((m) => !m.includes('net::ERR_BLOCKED_BY_CLIENT') && !m.includes('409'))).toEqual([]);
    await context.close();
  });

  it('does not say 已保存 while something typed during a save is still unsaved', async () => {
    const { page, context, errors } = await newPage(e, DESKTOP);
    await registerInBrowser(page, '江西保存状态测试有限公司');
    const orderId = await createOrder(page, 'gov-procurement');
    // The page's timers run on a fake clock, so the 0.8 s autosave fires only when the test says.
    await page.clock.install();
    await page.goto(`/orders/${orderId}`);
    await page.getByTestId('order-page').waitFor();
    // The first save is held at the network until the second field has been typed.
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    let puts = 0;
    await page.route(`**/api/orders/${orderId}/form`, async (r) => {
      if (++puts === 1) await gate;
      await r.continue();
    });
    const firstSent = page.waitForRequest((r) => r.method() === 'PUT' && r.url().endsWith('/form'));
    await page.getByLabel('经办人姓名', { exact: true }).fill('李在途');
    await page.clock.runFor(1000);
    await firstSent;
    await page.getByLabel('法定代表人姓名', { exact: true }).fill('周后写');
    const firstDone = page.waitForEvent('requestfinished', (r) => r.method() === 'PUT' && r.url().endsWith('/form'));
    release();
    await firstDone;
    // The first save has answered; 周后写 is not on the server yet, so the page must not say 已保存.
    await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
    expect(await page.getByTestId('save-status').textContent()).not.toMatch(/已保存/);
    expect((await api(page, 'GET', `/api/orders/${orderId}`)).json.order.form.legalPerson).toBeUndefined();
    // The autosave timer then saves it, and only then does the page say so.
    await page.clock.runFor(1000);
    await waitSaved(page);
    const saved = (await api(page, 'GET', `/api/orders/${orderId}`)).json.order.form;
    expect(saved.agent).toEqual({ name: '李在途' });
    expect(saved.legalPerson).toEqual({ name: '周后写' });
    expect(puts).toBe(2);
    expect(errors).toEqual([]);
    await context.close();
  });
});

describe('switching apps on a phone', () => {
  it('saves at once when the page is hidden, without waiting for the autosave timer', async () => {
    const { page, context, errors } = await newPage(e, PHONE);
    await registerInBrowser(page, '江西切换应用测试有限公司');
    const orderId = await createOrder(page, 'gov-procurement');
    // A fake clock: the 0.8 s autosave never fires here, so only the hide can save.
    await page.clock.install();
    await page.goto(`/orders/${orderId}`);
    await page.getByTestId('order-page').waitFor();
    await page.getByLabel('经办人姓名', { exact: true }).fill('吴切换');
    const sent = page.waitForResponse((r) => r.request().method() === 'PUT' && r.url().endsWith('/form'));
    // What a phone does when the clerk switches to WeChat: the page becomes hidden, and stays loaded.
    await page.evaluate(() => {
      Object.defineProperty(document, 'visibilityState', { configurable: true, get: () => 'hidden' });
      document.dispatchEvent(new Event('visibilitychange'));
    });
    expect((await sent).status()).toBe(200);
    expect((await api(page, 'GET', `/api/orders/${orderId}`)).json.order.form.agent).toEqual({ name: '吴切换' });
    expect(errors).toEqual([]);
    await context.close();
  });
});

describe('nothing typed is lost when the session ends', () => {
  it('says to log in again, and after logging in the input comes back and is saved', async () => {
    const { page, context, errors } = await newPage(e, PHONE);
    const org = await registerInBrowser(page, '江西会话超时测试有限公司');
    const orderId = await createOrder(page, 'construction-approval');
    await page.goto(`/orders/${orderId}`);
    await page.getByLabel('通信地址', { exact: true }).fill('江西省赣州市章贡区红旗大道1号');
    await waitSaved(page);
    // Logged out elsewhere (another tab, or the session timed out).
    const other = await context.newPage();
    await other.goto('/help');
    expect((await api(other, 'POST', '/api/logout')).status).toBe(200);
    await page.getByLabel('经办人姓名', { exact: true }).fill('周超时');
    await expect.poll(() => page.getByTestId('save-status').textContent(), { timeout: 10_000 }).toContain('登录已超时');
    expect(await page.getByLabel('经办人姓名', { exact: true }).inputValue()).toBe('周超时');
    expect(await fitsWidth(page)).toBe(true);
    await shot(page, 'order-session-ended-phone');
    // 重新登录 leads to the login page and back to this order, where the input is restored and saved.
    await page.getByRole('link', { name: '重新登录' }).click();
    await page.waitForURL((u) => u.pathname === '/login');
    await page.getByLabel('统一社会信用代码').fill(org.uscc);
    await page.getByLabel('密码').fill('Apply2026xx');
    await page.getByLabel('验证码', { exact: true }).fill(CAPTCHA);
    await page.locator('form button[type=submit]').click();
    await page.waitForURL((u) => u.pathname === `/orders/${orderId}`);
    expect(await page.getByLabel('经办人姓名', { exact: true }).inputValue()).toBe('周超时');
    await waitSaved(page);
    expect((await api(page, 'GET', `/api/orders/${orderId}`)).json.order.form.agent).toEqual({ name: '周超时' });
    expect(errors.filter((m) => !m.includes('status of 401') && !m.includes('status of 403'))).toEqual([]);
    await context.close();
  });

  it('a reload that meets the ended session leaves the page and the input where they are', async () => {
    const { page, context, errors } = await newPage(e, PHONE);
    await registerInBrowser(page, '江西会话竞态测试有限公司');
    const orderId = await createOrder(page, 'construction-approval');
    await page.goto(`/orders/${orderId}`);
    await page.getByTestId('order-page').waitFor();
    // The reload that follows a save is held until the session has ended in another tab: the race a quiet
    // machine runs into (the reload leaves 0.3 s after the save; a logout elsewhere can come first).
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    await page.route(`**/api/orders/${orderId}`, async (route) => {
      if (route.request().method() === 'GET') await held;
      await route.continue();
    });
    const reloaded = page.waitForResponse((r) => r.request().method() === 'GET' && r.url().endsWith(`/api/orders/${orderId}`));
    await page.getByLabel('通信地址', { exact: true }).fill('江西省南昌市红谷滩区赣江中大道1号');
    await waitSaved(page);
    const other = await context.newPage();
    await other.goto('/help');
    expect((await api(other, 'POST', '/api/logout')).status).toBe(200);
    release();
    expect((await reloaded).status()).toBe(401);
    await page.getByLabel('经办人姓名', { exact: true }).fill('周竞态');
    await expect.poll(() => page.getByTestId('save-status').textContent(), { timeout: 10_000 }).toContain('登录已超时');
    expect(new URL(page.url()).pathname).toBe(`/orders/${orderId}`);
    expect(await page.getByLabel('经办人姓名', { exact: true }).inputValue()).toBe('周竞态');
    expect(errors.filter((m) => !m.includes('status of 401') && !m.includes('status of 403'))).toEqual([]);
    await context.close();
  });
});

/** A scan-like PNG made with sharp: a white page with a coloured band, `kb` kilobytes of noise to vary size. */
async function scanPng(label: string, color: string): Promise<Buffer> {
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="900" height="620"><rect width="900" height="620" fill="#fff"/><rect x="40" y="40" width="820" height="90" fill="${color}"/><text x="60" y="100" font-size="48" fill="#fff">${label}</text><circle cx="700" cy="420" r="120" fill="none" stroke="#d4380d" stroke-width="10"/></svg>`;
  return sharp(Buffer.from(svg)).png().toBuffer();
}

// jsqr is a CommonJS bundle: depending on the loader, the default import is the function or carries it as `default`.
type JsQR = (data: Uint8ClampedArray, width: number, height: number) => { data: string } | null;
const jsqrLoaded = jsqrModule as unknown as JsQR | { default: JsQR };
const jsQR: JsQR = typeof jsqrLoaded === 'function' ? jsqrLoaded : jsqrLoaded.default;

/** Reads the QR code out of an <img> data URL. */
async function readQr(dataUrl: string): Promise<string | null> {
  const png = Buffer.from(dataUrl.replace(/^data:image\/png;base64,/, ''), 'base64');
  const { data, info } = await sharp(png).ensureAlpha().raw().toBuffer({ resolveWithObject: true });
  return jsQR(new Uint8ClampedArray(data.buffer, data.byteOffset, data.byteLength), info.width, info.height)?.data ?? null;
}

describe('templates, uploads, 法人核验 and submit', () => {
  it('downloads the application form, uploads every scan, passes 法人核验 on a phone, submits and shows 正在审核', async () => {
    const { page, context, errors } = await newPage(e, DESKTOP);
    await registerInBrowser(page, '江西全流程测试有限公司');
    const orderId = await createOrder(page, 'gov-procurement');
    await page.goto(`/orders/${orderId}`);
    await fillOrderForm(page, PEOPLE);
    await waitSaved(page);

    // 下载申请表: a PDF arrives, and the order no longer asks for it.
    expect(await page.getByTestId('application-form-stale').count()).toBe(1);
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('template-application-form').click()]);
    expect(download.suggestedFilename()).toMatch(/^数字证书用户申请表-\d{6}-\d{4}-\d{5}\.pdf$/);
    const pdf = await readFile((await download.path())!);
    expect(pdf.subarray(0, 5).toString('latin1')).toBe('%PDF-');
    await expect.poll(() => page.getByTestId('application-form-stale').count()).toBe(0);
    expect(await page.getByTestId('missing-list').textContent()).not.toContain('请下载申请表');
    const [poa] = await Promise.all([page.waitForEvent('download'), page.getByTestId('template-power-of-attorney').click()]);
    expect((await readFile((await poa.path())!)).subarray(0, 5).toString('latin1')).toBe('%PDF-');

    // One scan per slot; each shows its thumbnail.
    const view = (await api(page, 'GET', `/api/orders/${orderId}`)).json as { slots: { code: string; label: string }[] };
    const colors = ['#c8102e', '#1677ff', '#389e0d', '#d48806', '#722ed1', '#13c2c2', '#eb2f96'];
    for (const [i, slot] of view.slots.entries()) {
      await page
        .getByTestId(`slot-${slot.code}`)
        .locator('input[type=file]')
        .setInputFiles({ name: `${slot.code}.png`, mimeType: 'image/png', buffer: await scanPng(slot.code, colors[i % colors.length]!) });
      const thumb = page.getByTestId(`slot-${slot.code}`).locator('img[alt$="缩略图"]');
      await thumb.waitFor();
      await expect.poll(() => thumb.evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth > 0)).toBe(true);
    }
    await shot(page, 'order-uploaded-desktop');
    await page.setViewportSize(PHONE);
    // After a resize antd re-lays out on its breakpoint listener: wait for that, then the page must fit.
    await expect.poll(() => fitsWidth(page)).toBe(true);
    await shot(page, 'order-uploaded-phone');
    await page.setViewportSize(DESKTOP);

    // Refused replacements leave the previous scan in place: too big (the browser says so) and not an image (the server says so).
    const license = page.getByTestId('slot-business-license');
    const before = await license.locator('img[alt$="缩略图"]').getAttribute('src');
    await license
      .locator('input[type=file]')
      .setInputFiles({ name: '太大的执照.png', mimeType: 'image/png', buffer: Buffer.alloc(1024 * 1024 + 1, 1) });
    await expect.poll(() => page.getByTestId('slot-error-business-license').textContent()).toContain('太大的执照.png：');
    expect(await page.getByTestId('slot-error-business-license').textContent()).toContain('超过1MB');
    await license
      .locator('input[type=file]')
      .setInputFiles({ name: '不是图片.png', mimeType: 'image/png', buffer: Buffer.from('这不是图片') });
    await expect.poll(() => page.getByTestId('slot-error-business-license').textContent()).toContain('不是图片.png');
    expect(await license.locator('img[alt$="缩略图"]').getAttribute('src')).toBe(before);
    await shot(page, 'order-upload-refused-desktop');

    // Click to enlarge: the preview shows the full file.
    await license.locator('img[alt$="缩略图"]').click();
    const preview = page.locator('.ant-image-preview img');
    await preview.waitFor();
    expect(await preview.getAttribute('src')).toMatch(/\/documents\/[0-9a-f-]{36}\/file$/);
    await page.keyboard.press('Escape');

    // Only 法人核验 is left; the QR code on screen is the order's own.
    await expect.poll(() => page.locator('[data-testid=missing-list] li').allTextContents()).toEqual(['法人核验尚未显示“认证成功”']);
    const url = ((await api(page, 'GET', `/api/orders/${orderId}`)).json as { legalCheck: { url: string } }).legalCheck.url;
    const qrSrc = (await page.getByTestId('legal-qr').getAttribute('src'))!;
    expect(await readQr(qrSrc)).toBe(url);

    // The legal representative, on a phone of their own (no login), passes the sandbox face check.
    const phone = await newPage(e, PHONE);
    await phone.page.goto(url);
    await phone.page.getByLabel('法定代表人姓名').fill(PEOPLE.legal.name);
    await phone.page.getByLabel('法定代表人身份证号').fill(PEOPLE.legal.id);
    await phone.page.getByRole('checkbox').check();
    await phone.page.getByRole('button', { name: '开始人脸核身' }).click();
    await phone.page.getByRole('button', { name: '模拟刷脸成功' }).click();
    await phone.page.getByTestId('result-passed').waitFor();
    await shot(phone.page, 'legal-check-passed-phone');
    await phone.context.close();

    // The order page turns green by itself.
    await expect.poll(() => page.getByTestId('legal-status').textContent(), { timeout: 10_000 }).toBe('认证成功');
    await expect.poll(() => page.getByTestId('missing-list').count()).toBe(0);
    // Editing the legal representative now would undo it: the form says so.
    expect(await page.getByTestId('legal-passed-note').textContent()).toContain('重新扫码核验');
    await shot(page, 'order-ready-desktop');

    // 提交 → 正在审核; the form is read-only; the progress shows the step.
    await page.getByTestId('submit-order').click();
    await expect.poll(() => page.locator('.order-header [data-testid=status-tag]').textContent()).toBe('正在审核');
    // The order information is now text to read, not fields to edit.
    await page.getByTestId('order-summary').waitFor();
    expect(await page.locator('.order-page input:not([type=file])').count()).toBe(0);
    expect(await page.getByTestId('order-summary').textContent()).toContain(PEOPLE.agent.id);
    expect(await page.getByTestId('submit-order').count()).toBe(0);
    expect(await page.getByTestId('delete-order').count()).toBe(0);
    expect(await page.locator('[data-testid=slot-business-license] input[type=file]').count()).toBe(0);
    const progress = (await page.getByTestId('order-progress').textContent()) ?? '';
    expect(progress).toContain('提交申请');
    expect(progress).toContain('正在审核');
    expect(progress).toContain('上传证件（6次）');
    expect(progress).toContain('法人核验：认证成功');
    await shot(page, 'order-submitted-desktop');
    await page.setViewportSize(PHONE);
    // After a resize antd re-lays out on its breakpoint listener: wait for that, then the page must fit.
    await expect.poll(() => fitsWidth(page)).toBe(true);
    await shot(page, 'order-submitted-phone');
    await page.setViewportSize(DESKTOP);

    await page.goto('/orders');
    await page.getByTestId('orders-table').waitFor();
    expect(await page.getByTestId('orders-table').textContent()).toContain('正在审核');
    // The one failed request is the refused non-image upload, which the browser logs as a console error.
    expect(errors.filter((m) => !m.includes('status of 400') && !m.includes('status of 415'))).toEqual([]);
    await context.close();
  });
});
