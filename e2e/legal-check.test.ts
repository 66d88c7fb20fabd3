/**
 * 法人核验 in a real browser at phone width (390 px): the applicant's order (made over the HTTP API with the
 * applicant's browser cookies) yields the QR link; the legal representative opens it on a phone, confirms
 * name and ID number, goes through the sandbox face check (a failure first, then 重试 and a pass) and sees
 * 认证成功; once the order is deleted the same link shows 二维码已失效.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import type { APIRequestContext } from 'playwright-core';
import { CAPTCHA, DESKTOP, PHONE, fitsWidth, newPage, shot, startE2E, type E2E } from './harness.js';
import { newMobile, newUscc } from '../src/server/testing/harness.js';
import { idCheckChar } from '../src/core/id-number.js';

let e: E2E;
beforeAll(async () => {
  e = await startE2E();
});

const id = (first17: string) => first17 + idCheckChar(first17);
const LEGAL = { name: '王建国', idNumber: id('36010219750315201'), mobile: newMobile() };
const AGENT = { name: '李晓红', idNumber: id('36012119920808462'), mobile: '13907911234', email: 'lixh@example.com' };

/** The applicant's side over the HTTP API, with the browser context's cookies and CSRF token. */
async function applicantOrder(request: APIRequestContext) {
  const csrf = async () => ((await (await request.get('/api/session')).json()) as { csrfToken: string }).csrfToken;
  const post = async (url: string, data: unknown) => request.post(url, { data, headers: { 'x-csrf-token': await csrf() } });
  const { captchaId } = (await (await request.get('/api/captcha')).json()) as { captchaId: string };
  const reg = await post('/api/register', {
    name: '江西法人核验测试有限公司',
    uscc: newUscc(),
    mobile: newMobile(),
    password: 'Legal2026xx',
    passwordConfirm: 'Legal2026xx',
    agree: true,
    captchaId,
    captchaAnswer: CAPTCHA,
  });
  expect(reg.status()).toBe(201);
  const created = await post('/api/orders', { projectCode: 'gov-procurement', keyType: 'main', agree: true });
  expect(created.status()).toBe(201);
  const view = (await created.json()) as {
    order: { id: string; formVersion: number; orderNoDisplay: string };
    legalCheck: { url: string };
  };
  const put = await request.put(`/api/orders/${view.order.id}/form`, {
    data: { formVersion: view.order.formVersion, form: { legalPerson: LEGAL, agent: AGENT } },
    headers: { 'x-csrf-token': await csrf() },
  });
  expect(put.status()).toBe(200);
  return { orderId: view.order.id, orderNoDisplay: view.order.orderNoDisplay, url: new URL(view.legalCheck.url), post };
}

describe('法人核验 on a phone', () => {
  it('shows whom it authorizes, fails once in the sandbox, passes on 重试, and dies with the order', async () => {
    const applicant = await newPage(e, DESKTOP);
    const order = await applicantOrder(applicant.context.request);
    expect(order.url.pathname).toMatch(/^\/v\/[A-Za-z0-9_-]{43}$/);

    const { page, context, errors } = await newPage(e, PHONE);
    await page.goto(order.url.pathname);
    await expect.poll(() => page.getByTestId('org-name').textContent()).toBe('江西法人核验测试有限公司');
    await expect.poll(() => page.getByTestId('sandbox-banner').isVisible()).toBe(true);
    expect(await page.getByText(order.orderNoDisplay).count()).toBe(1);
    expect(await page.getByText('江西省政府采购电子卖场').count()).toBe(1);
    expect(await page.getByText('李晓红').count()).toBe(1);
    expect(await page.getByText('139****1234').count()).toBe(1);
    // The legal representative's own data is asked for, never shown.
    expect(await page.content()).not.toContain(LEGAL.idNumber);
    expect(await page.content()).not.toContain(LEGAL.name);
    expect(await fitsWidth(page)).toBe(true);
    await shot(page, 'legal-check-phone-start');

    // The browser checks the ID number with the shared rule before anything is sent.
    await page.getByLabel('法定代表人姓名').fill(LEGAL.name);
    await page.getByLabel('法定代表人身份证号').fill(LEGAL.idNumber.slice(0, 17) + (LEGAL.idNumber.endsWith('1') ? '2' : '1'));
    await page.getByLabel('法定代表人姓名').click();
    await expect.poll(() => page.getByText('法定代表人身份证号校验位不正确').count()).toBeGreaterThan(0);
    // Corrected (typed with a lower-case x is fine), the message goes away as soon as the number is right.
    await page.getByLabel('法定代表人身份证号').fill(LEGAL.idNumber.toLowerCase());
    await expect.poll(() => page.getByText('法定代表人身份证号校验位不正确').count()).toBe(0);
    await page.getByRole('checkbox').check();
    // A name that is not the order's: refused, with who corrects the order and where; what was typed stays.
    await page.getByLabel('法定代表人姓名').fill('王建军');
    await page.getByRole('button', { name: '开始人脸核身' }).click();
    const refused = page.getByTestId('form-error');
    await expect.poll(() => refused.count()).toBe(1);
    expect(await refused.textContent()).toMatch(/与订单中填写的法定代表人信息不一致.*请联系经办人登录系统，在订单的“法人信息”中更正/);
    expect(await page.getByLabel('法定代表人姓名').inputValue()).toBe('王建军');
    expect(await page.getByLabel('法定代表人身份证号').inputValue()).toBe(LEGAL.idNumber);
    await shot(page, 'legal-check-phone-mismatch');
    await page.getByLabel('法定代表人姓名').fill(LEGAL.name);
    await page.waitForTimeout(400); // let the checkbox animation settle for the screenshot
    await shot(page, 'legal-check-phone-filled');
    await page.getByRole('button', { name: '开始人脸核身' }).click();

    // The sandbox's liveness page, then back with a failure.
    await page.waitForURL('**/sandbox/faceid/h5?BizToken=*');
    await expect.poll(() => page.getByText('沙箱环境').count()).toBeGreaterThan(0);
    expect(await fitsWidth(page)).toBe(true);
    await shot(page, 'legal-check-phone-sandbox');
    await page.getByRole('button', { name: '模拟刷脸失败（非本人）' }).click();
    await page.waitForURL(/\/v\/[A-Za-z0-9_-]{43}\/done\?token=/);
    await expect.poll(() => page.getByText('认证未通过').count()).toBeGreaterThan(0);
    expect(await page.getByTestId('failure-reason').textContent()).toMatch(/无法判断为同一人/);
    expect(await fitsWidth(page)).toBe(true);
    await shot(page, 'legal-check-phone-failed');

    // 重试: the form again, with the last failure shown and what was typed kept; this time the face check passes.
    await page.getByRole('button', { name: '重试' }).click();
    await expect.poll(() => page.getByTestId('last-failure').count()).toBe(1);
    expect(await page.getByLabel('法定代表人姓名').inputValue()).toBe(LEGAL.name);
    expect(await page.getByLabel('法定代表人身份证号').inputValue()).toBe(LEGAL.idNumber);
    await shot(page, 'legal-check-phone-retry');
    await page.getByRole('checkbox').check();
    await page.getByRole('button', { name: '开始人脸核身' }).click();
    await page.waitForURL('**/sandbox/faceid/h5?BizToken=*');
    await page.getByRole('button', { name: '模拟刷脸成功' }).click();
    await page.waitForURL(/\/done\?token=/);
    await expect.poll(() => page.getByTestId('result-passed').count()).toBe(1);
    const title = page.getByRole('heading', { name: '认证成功' });
    expect(await title.isVisible()).toBe(true);
    // Big and green.
    expect(await title.evaluate((el) => getComputedStyle(el).color)).toBe('rgb(0, 163, 42)');
    expect(await fitsWidth(page)).toBe(true);
    await shot(page, 'legal-check-phone-passed');

    // The applicant's order now shows it; reopening the code shows 认证成功 without a form.
    const status = await applicant.context.request.get(`/api/orders/${order.orderId}/legal-check`);
    expect(await status.json()).toMatchObject({ status: 'passed', required: true });
    await page.goto(order.url.pathname);
    await expect.poll(() => page.getByTestId('result-passed').count()).toBe(1);
    expect(await page.getByRole('button', { name: '开始人脸核身' }).count()).toBe(0);

    // A deleted order's QR code is dead.
    expect((await order.post(`/api/orders/${order.orderId}/delete`, {})).status()).toBe(200);
    await page.goto(order.url.pathname);
    await expect.poll(() => page.getByTestId('dead-code').count()).toBe(1);
    expect(await page.getByText('二维码已失效').count()).toBe(1);
    expect(await page.getByText(/下载新订单的《法人授权委托书》模板/).count()).toBe(1);
    expect(await fitsWidth(page)).toBe(true);
    await shot(page, 'legal-check-phone-dead');

    // The only console errors are the 400 of the mismatched name and the 404 answers of the dead code's API calls.
    expect(errors.filter((m) => !/status of (400|404)/.test(m))).toEqual([]);
    await context.close();
    await applicant.context.close();
  });
});
