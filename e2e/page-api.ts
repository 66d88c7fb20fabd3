/**
 * What several browser tests do, as the web app itself does it: call the API with the page's cookies and
 * CSRF token, register a new organization (from inside a page, or with a browser context's request: the
 * context is then logged in), open and fill an order, fill the order page's form, and log staff in.
 */
import { randomUUID } from 'node:crypto';
import { expect } from 'vitest';
import type { APIRequestContext, Locator, Page } from 'playwright-core';
import { idCheckChar } from '../src/core/id-number.js';
import { DEMO_STAFF_PASSWORD } from '../src/server/demo-data.js';
import { newMobile, newUscc } from '../src/server/testing/harness.js';
import { CAPTCHA } from './harness.js';

/** A valid 居民身份证号码: the 17 digits given plus their GB 11643 check character. */
export const id = (first17: string) => first17 + idCheckChar(first17);

export interface ApiAnswer {
  status: number;
  json: any; // eslint-disable-line @typescript-eslint/no-explicit-any
}

/** Calls the API from inside the page, with the page's cookies and CSRF token, as the web app does. */
export async function api(page: Page, method: string, url: string, body?: unknown): Promise<ApiAnswer> {
  return page.evaluate(
    async ([method, url, body]) => {
      const s = (await (await fetch('/api/session')).json()) as { csrfToken: string };
      const r = await fetch(url as string, {
        method: method as string,
        headers: method === 'GET' ? {} : { 'content-type': 'application/json', 'x-csrf-token': s.csrfToken },
        body: method === 'GET' ? undefined : JSON.stringify(body ?? {}),
      });
      return { status: r.status, json: await r.json().catch(() => null) };
    },
    [method, url, body] as const,
  );
}

/** Registers a new organization from inside the page with a fresh USCC and mobile; the page is then logged in as it. */
export async function registerInBrowser(
  page: Page,
  name: string,
  password: string,
): Promise<{ uscc: string; mobile: string; name: string }> {
  // Wait for the page's own start-up requests (GET /api/session): an anonymous session answered after the
  // registration below would replace its cookie, and the next request would be 401.
  await page.goto('/help', { waitUntil: 'networkidle' });
  const uscc = newUscc();
  const mobile = newMobile();
  const captcha = await page.evaluate(async () => ((await (await fetch('/api/captcha')).json()) as { captchaId: string }).captchaId);
  const r = await api(page, 'POST', '/api/register', {
    name,
    uscc,
    mobile,
    password,
    passwordConfirm: password,
    agree: true,
    captchaId: captcha,
    captchaAnswer: CAPTCHA,
  });
  expect(r.status).toBe(201);
  return { uscc, mobile, name };
}

/** The CSRF token of a browser context's session, asked for afresh before each change, as the web app does. */
export async function csrfToken(request: APIRequestContext): Promise<string> {
  return ((await (await request.get('/api/session')).json()) as { csrfToken: string }).csrfToken;
}

/**
 * Registers a new organization with a browser context's request (its cookies), with a fresh USCC and mobile
 * unless given; the context is then logged in as it.
 */
export async function registerWithRequest(
  request: APIRequestContext,
  org: { name: string; password: string; uscc?: string; mobile?: string },
): Promise<{ uscc: string; mobile: string; name: string }> {
  const { captchaId } = (await (await request.get('/api/captcha')).json()) as { captchaId: string };
  const { name, password, uscc = newUscc(), mobile = newMobile() } = org;
  const reg = await request.post('/api/register', {
    data: { name, uscc, mobile, password, passwordConfirm: password, agree: true, captchaId, captchaAnswer: CAPTCHA },
    headers: { 'x-csrf-token': await csrfToken(request) },
  });
  expect(reg.status()).toBe(201);
  return { uscc, mobile, name };
}

/** Opens a main-key 政府采购 order (a draft) for the organization the context is logged in as. */
export async function openMainOrder(request: APIRequestContext): Promise<{ id: string; orderNo: string; formVersion: number }> {
  const created = await request.post('/api/orders', {
    data: { projectCode: 'gov-procurement', keyType: 'main', agree: true },
    headers: { 'x-csrf-token': await csrfToken(request) },
  });
  expect(created.status()).toBe(201);
  return (await created.json()).order as { id: string; orderNo: string; formVersion: number };
}

/** Saves the order's form through the API, as the order page's autosave does, and expects it taken. */
export async function putOrderForm(request: APIRequestContext, order: { id: string; formVersion: number }, form: unknown): Promise<void> {
  const put = await request.put(`/api/orders/${order.id}/form`, {
    data: { formVersion: order.formVersion, form },
    headers: { 'x-csrf-token': await csrfToken(request) },
  });
  expect(put.status()).toBe(200);
}

/** Fills the order's whole form through the API: fixed people and addresses, the invoice in the organization's name. */
export async function putCompleteForm(
  request: APIRequestContext,
  order: { id: string; formVersion: number },
  org: { name: string; uscc: string },
): Promise<void> {
  await putOrderForm(request, order, {
    unit: { address: '江西省南昌市红谷滩区卧龙路1000号', unitType: 'enterprise' },
    legalPerson: { name: '王建国', idNumber: id('36010219750315201'), mobile: newMobile() },
    agent: { name: '欧阳晓梅', idNumber: id('36010219900307123'), mobile: newMobile(), email: 'agent@example.com' },
    invoice: { title: org.name, taxNumber: org.uscc, email: `fp-${randomUUID().slice(0, 8)}@example.com` },
    recipient: { name: '李晓红', mobile: '13700137003', address: '江西省南昌市东湖区八一大道88号' },
  });
}

/** Who an applicant's browser test types into the order page. */
export interface OrderPeople {
  legal: { name: string; id: string; mobile: string };
  agent: { name: string; id: string; mobile: string; email: string };
  address: string;
  recipientAddress: string;
  invoiceEmail: string;
}

/** Types every field of the order page's form, as an applicant does. */
export async function fillOrderForm(page: Page, people: OrderPeople): Promise<void> {
  const f = (label: string) => page.getByLabel(label, { exact: true });
  await f('通信地址').fill(people.address);
  await f('法定代表人姓名').fill(people.legal.name);
  await f('法定代表人身份证号').fill(people.legal.id);
  await f('法定代表人手机号').fill(people.legal.mobile);
  await f('经办人姓名').fill(people.agent.name);
  await f('经办人身份证号').fill(people.agent.id);
  await f('经办人手机号').fill(people.agent.mobile);
  await f('经办人电子邮箱').fill(people.agent.email);
  await f('发票接收邮箱').fill(people.invoiceEmail);
  // 收件人 = 经办人 with one click, then a different address.
  await page.getByRole('button', { name: '同经办人' }).click();
  await f('收件地址').fill(people.recipientAddress);
}

/** Waits until the order page's autosave says 已保存 with a time. */
export async function waitSaved(page: Page): Promise<void> {
  await expect.poll(() => page.getByTestId('save-status').textContent(), { timeout: 10_000 }).toMatch(/已保存 \d\d:\d\d:\d\d/);
}

/**
 * A button by its label. antd spaces two-character labels (「登 录」); an icon adds its name in front
 * ("plus 登记"), and a spinning button briefly starts with "loading".
 */
export const button = (scope: Page | Locator, text: string) =>
  scope.getByRole('button', { name: new RegExp(`^(?:[a-z-]+\\s+)*${[...text].join('\\s*')}\\s*$`) });

/** Logs the page in to the staff console (with the demo staff's password unless given) and waits for 工作台. */
export async function staffLogin(page: Page, username: string, password = DEMO_STAFF_PASSWORD): Promise<void> {
  // Wait for the page's own start-up request (GET /api/staff/session) first: an anonymous session answered after
  // the login would replace its cookie, and the console would go back to the login page (seen once under load).
  await page.goto('/staff/login', { waitUntil: 'networkidle' });
  // On a loaded machine the scripts can still be starting when the network first goes quiet: the captcha (whose
  // id the login sends) must be on the page before the form is sent.
  await page.getByRole('img', { name: '验证码图片' }).waitFor();
  await page.getByLabel('用户名').fill(username);
  await page.getByLabel('密码').fill(password);
  await page.getByLabel('验证码', { exact: true }).fill(CAPTCHA);
  await button(page, '登录').click();
  // The console, or the page's own error (named in the failure instead of a bare timeout).
  const refused = page.getByTestId('form-error');
  // Both waits settle (the loser by its timeout, handled), so no rejection is left unhandled.
  const outcome = await Promise.race([
    page
      .waitForURL((u) => u.pathname === '/staff')
      .then(
        () => 'in',
        () => 'timeout',
      ),
    refused.waitFor().then(
      () => 'refused',
      () => 'timeout',
    ),
  ]);
  if (outcome !== 'in')
    throw new Error(`staff login as ${username}: ${outcome === 'refused' ? await refused.textContent() : 'no console after 30 s'}`);
}

/** The staff console's menu items as the page shows them. */
export const menuItems = async (page: Page) => (await page.getByRole('menuitem').allTextContents()).map((s) => s.trim());

/** The administrator's whole staff menu. */
export const ADMIN_MENU = [
  '工作台',
  '订单查询',
  '证书登记簿',
  '吊销申请',
  '柜台业务',
  '单位查询',
  '工作人员',
  '证书项目',
  '系统设置',
  '操作记录',
];

/**
 * Pages on with 加载更多 until `target` shows. Lists are oldest (or earliest deadline) first, 50 at a time;
 * on PostgreSQL the unit tests' rows share the database and come first, as a busy clerk's list would.
 */
export async function loadMoreUntil(scope: Page | Locator, target: Locator): Promise<void> {
  const more = scope.getByRole('button', { name: /加载更多/ });
  await expect
    .poll(
      async () => {
        if (await target.count()) return 1;
        if ((await more.count()) && !(await more.getAttribute('class'))?.includes('loading')) await more.click();
        return 0;
      },
      { timeout: 90_000, interval: 500 },
    )
    .toBe(1);
}

/** 受理 ticks every original on the order's paper checklist (纸质资料合格 waits for all of them). */
export async function tickPaperChecklist(page: Page): Promise<void> {
  const boxes = page.getByTestId('paper-checklist').locator('input[type=checkbox]');
  const n = await boxes.count();
  expect(n).toBeGreaterThan(0);
  for (let i = 0; i < n; i++) if (!(await boxes.nth(i).isChecked())) await boxes.nth(i).check();
}
