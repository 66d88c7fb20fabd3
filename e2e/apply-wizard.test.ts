/**
 * 新制申请 as a first-time clerk uses the browser (issue 13): the wizard's steps are addresses, so back,
 * forward and reload move between steps; after creating an order, going back (or starting the wizard
 * again) offers that order to continue (继续填写) instead of the main/sub rule's dead end. A price the
 * catalog has not confirmed is said, with what to do, where the project is first shown. A second order
 * starts from the last one and may take its business-licence scan.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import sharp from 'sharp';
import { DESKTOP, PHONE, fitsWidth, newPage, shot, startE2E, type E2E } from './harness.js';
import { api, openMainOrder, putCompleteForm, registerInBrowser, waitSaved } from './page-api.js';

let e: E2E;
beforeAll(async () => {
  e = await startE2E();
});

const path = (page: Page) => {
  const u = new URL(page.url());
  return u.pathname + u.search;
};

describe.each([
  // 工程建设项目审批 offers only a main key: today the back button ends at 不能在线申请.
  ['desktop', DESKTOP, 'construction-approval', '工程建设项目审批'],
  // 政府采购 offers a sub key too: the draft is offered first, a sub key only on purpose.
  ['phone', PHONE, 'gov-procurement', '江西省政府采购电子卖场'],
] as const)('新制申请 back button (%s)', (label, viewport, projectCode, projectName) => {
  it('keeps each step in the address; back after creating an order offers 继续填写, which opens the draft', async () => {
    const { page, context, errors } = await newPage(e, viewport);
    await registerInBrowser(page, `江西返回键测试${label}有限公司`, 'Back2026xx');

    // Each step is an address.
    await page.goto('/apply');
    await page.getByTestId('apply-notice').waitFor();
    expect(await page.getByTestId('unfinished-orders').count()).toBe(0);
    await page.getByTestId('apply-new').click();
    await page.waitForURL((u) => u.pathname === '/apply/agreement');
    await page.getByTestId('agree').click();
    await page.getByTestId('agree-next').click();
    await page.waitForURL((u) => u.pathname === '/apply/project');
    // The pair projects say so (the catalog's flag): 政府采购 and 公共资源 issue 签名证书 + 加密证书, 工程建设 does not.
    expect(await page.getByTestId('dual-gov-procurement').textContent()).toBe('含签名证书和加密证书（双证书）');
    expect(await page.getByTestId('dual-public-resource').count()).toBe(1);
    expect(await page.getByTestId('dual-construction-approval').count()).toBe(0);
    await page.getByTestId(`choose-${projectCode}`).click();
    await page.waitForURL((u) => u.search === `?project=${projectCode}`);
    // A reload stays on the step, with the project still chosen.
    await page.reload();
    await page.getByTestId(`choose-${projectCode}`).waitFor();
    expect(await page.locator('.project-choice.selected').getByTestId(`choose-${projectCode}`).count()).toBe(1);
    await page.getByTestId('project-next').click();
    await page.waitForURL((u) => u.pathname === `/apply/key/${projectCode}`);
    await page.getByTestId('key-main').waitFor();
    // Back and forward move between steps.
    await page.goBack();
    await page.waitForURL((u) => u.pathname === '/apply/project');
    expect(await page.locator('.project-choice.selected').getByTestId(`choose-${projectCode}`).count()).toBe(1);
    await page.goForward();
    await page.waitForURL((u) => u.pathname === `/apply/key/${projectCode}`);
    expect(await page.getByTestId('chosen-project').textContent()).toBe(projectName);
    await page.getByTestId('key-main').click();
    await page.getByTestId('create-order').click();
    await page.waitForURL(/\/orders\/[0-9a-f-]{36}$/);
    const orderId = new URL(page.url()).pathname.split('/').pop()!;
    await page.getByLabel('通信地址', { exact: true }).fill('江西省南昌市红谷滩区返回路1号');
    await waitSaved(page);

    // The back button: the key step again, which now offers the draft just made — no dead end.
    await page.goBack();
    await page.waitForURL((u) => u.pathname === `/apply/key/${projectCode}`);
    const offer = page.getByTestId(`unfinished-${orderId}`);
    await offer.waitFor();
    expect(await offer.textContent()).toContain(projectName);
    expect(await offer.textContent()).toContain('草稿');
    expect(await page.getByTestId('unfinished-orders').textContent()).toContain('不必重新申请');
    expect(await page.locator('.apply').textContent()).not.toContain('不能在线申请该项目的证书');
    if (projectCode === 'gov-procurement') {
      // A second key is still possible, but only as a sub key and only when chosen.
      expect(await page.getByTestId('key-main').count()).toBe(0);
      expect(await page.getByTestId('key-sub').count()).toBe(1);
      expect(await page.getByTestId('create-order').isDisabled()).toBe(true);
    } else {
      expect(await page.getByTestId('create-order').count()).toBe(0);
    }
    expect(await fitsWidth(page)).toBe(true);
    await shot(page, `apply-back-continue-${label}`);
    await page.getByTestId(`continue-${orderId}`).click();
    await page.waitForURL((u) => u.pathname === `/orders/${orderId}`);
    expect(await page.getByLabel('通信地址', { exact: true }).inputValue()).toBe('江西省南昌市红谷滩区返回路1号');

    // Starting the wizard again: the first page offers it too.
    await page.goto('/apply');
    await page.getByTestId(`unfinished-${orderId}`).waitFor();
    expect(await fitsWidth(page)).toBe(true);
    await shot(page, `apply-again-continue-${label}`);
    await page.getByTestId(`continue-${orderId}`).click();
    await page.waitForURL((u) => u.pathname === `/orders/${orderId}`);

    // Only one order was made.
    const orders = (await api(page, 'GET', '/api/orders')).json.items as { id: string }[];
    expect(orders.map((o) => o.id)).toEqual([orderId]);
    expect(path(page)).toBe(`/orders/${orderId}`);
    expect(errors).toEqual([]);
    await context.close();
  });
});

describe.each([
  ['desktop', DESKTOP],
  ['phone', PHONE],
] as const)('unconfirmed price (%s)', (label, viewport) => {
  it('the home page and the project step say 价格待确认 and what to do, for exactly the projects the catalog has no price for', async () => {
    const { page, context, errors } = await newPage(e, viewport);
    await page.goto('/');
    const catalog = (await api(page, 'GET', '/api/catalog')).json.items as { code: string; keys: { priceFen: number | null }[] }[];
    const unpriced = catalog.filter((p) => p.keys.some((k) => k.priceFen === null)).map((p) => p.code);
    expect(unpriced).toContain('public-resource');
    for (const p of catalog) {
      const advice = page.getByTestId(`price-advice-${p.code}`);
      if (unpriced.includes(p.code)) {
        await expect.poll(() => advice.count()).toBe(1);
        const text = (await advice.textContent()) ?? '';
        expect(text).toContain('暂不能在线下单');
        expect(text).toContain('400-800-1040');
        expect(text).toContain('现场受理点');
        expect(await page.getByTestId(`project-${p.code}`).textContent()).toContain('价格待确认');
      } else expect(await advice.count()).toBe(0);
    }
    expect(await page.locator('main').textContent()).not.toContain('价格以订单页面为准');
    await page.getByTestId('price-advice-public-resource').scrollIntoViewIfNeeded();
    expect(await fitsWidth(page)).toBe(true);
    await shot(page, `home-price-unconfirmed-${label}`);

    // The project step of 新制申请 says it before the project is chosen.
    await registerInBrowser(page, `江西价格待确认${label}有限公司`, 'Price2026xx');
    await page.goto('/apply/agreement');
    await page.getByTestId('agree').click();
    await page.getByTestId('agree-next').click();
    const advice = page.getByTestId('price-advice-public-resource');
    await advice.waitFor();
    expect(await advice.textContent()).toContain('400-800-1040');
    expect(await page.getByTestId('price-advice-gov-procurement').count()).toBe(0);
    await advice.scrollIntoViewIfNeeded();
    expect(await fitsWidth(page)).toBe(true);
    await shot(page, `apply-project-price-unconfirmed-${label}`);
    expect(errors).toEqual([]);
    await context.close();
  });
});

/** A scan-like PNG: a white page with a coloured band and a circle. */
async function scanPng(label: string): Promise<Buffer> {
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="900" height="620"><rect width="900" height="620" fill="#fff"/><rect x="40" y="40" width="820" height="90" fill="#1677ff"/><text x="60" y="100" font-size="48" fill="#fff">${label}</text><circle cx="700" cy="420" r="120" fill="none" stroke="#d4380d" stroke-width="10"/></svg>`;
  return sharp(Buffer.from(svg)).png().toBuffer();
}

describe('a second order', () => {
  it('is prefilled from the last order and offers the recent business-licence scan, which it takes with one click', async () => {
    const { page, context, errors } = await newPage(e, DESKTOP);
    const org = await registerInBrowser(page, '江西第二单测试有限公司', 'Second2026xx');
    const first = await openMainOrder(context.request);
    await putCompleteForm(context.request, first, org);
    await page.goto(`/orders/${first.id}`);
    await page
      .getByTestId('slot-business-license')
      .locator('input[type=file]')
      .setInputFiles({ name: '营业执照.png', mimeType: 'image/png', buffer: await scanPng('business-license') });
    await page.getByTestId('slot-business-license').locator('img[alt$="缩略图"]').waitFor();
    // The first order never offers its own scan back.
    expect(await page.getByTestId('reuse-business-license').count()).toBe(0);

    // A 副锁 through the wizard.
    await page.goto('/apply');
    await page.getByTestId('apply-new').click();
    await page.getByTestId('agree').click();
    await page.getByTestId('agree-next').click();
    await page.getByTestId('choose-gov-procurement').click();
    await page.getByTestId('project-next').click();
    await page.getByTestId('key-sub').click();
    await page.getByTestId('create-order').click();
    await page.waitForURL((u) => /^\/orders\/[0-9a-f-]{36}$/.test(u.pathname) && !u.pathname.endsWith(first.id));
    const secondId = new URL(page.url()).pathname.split('/').pop()!;

    // Prefilled, and it says from which order.
    await page.getByTestId('prefilled-notice').waitFor();
    const from = (await api(page, 'GET', `/api/orders/${first.id}`)).json.order.orderNoDisplay as string;
    expect(await page.getByTestId('prefilled-notice').textContent()).toContain(from);
    expect(await page.getByLabel('法定代表人姓名', { exact: true }).inputValue()).toBe('王建国');
    expect(await page.getByLabel('经办人姓名', { exact: true }).inputValue()).toBe('欧阳晓梅');
    expect(await page.getByLabel('收件地址', { exact: true }).inputValue()).toBe('江西省南昌市东湖区八一大道88号');
    expect(await page.getByLabel('通信地址', { exact: true }).inputValue()).toBe('江西省南昌市红谷滩区卧龙路1000号');
    expect(await page.getByLabel('发票抬头', { exact: true }).inputValue()).toBe(org.name);

    // The licence scan of the first order, offered and taken.
    const offer = page.getByTestId('reuse-business-license');
    await offer.waitFor();
    expect(await offer.textContent()).toContain(from);
    await offer.scrollIntoViewIfNeeded();
    await shot(page, 'order-second-reuse-desktop');
    await page.setViewportSize(PHONE);
    await expect.poll(() => fitsWidth(page)).toBe(true);
    await offer.scrollIntoViewIfNeeded();
    await shot(page, 'order-second-reuse-phone');
    await page.setViewportSize(DESKTOP);
    await offer.getByRole('button', { name: /沿用此扫描件/ }).click();
    const thumb = page.getByTestId('slot-business-license').locator('img[alt$="缩略图"]');
    await thumb.waitFor();
    await expect.poll(() => thumb.evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth > 0)).toBe(true);
    expect(await page.getByTestId('reuse-business-license').count()).toBe(0);
    const view = (await api(page, 'GET', `/api/orders/${secondId}`)).json as { slots: { code: string; uploaded: unknown }[] };
    expect(view.slots.find((s) => s.code === 'business-license')!.uploaded).not.toBeNull();
    expect(errors).toEqual([]);
    await context.close();
  });
});
