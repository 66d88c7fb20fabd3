import { randomBytes } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { CAPTCHA, DESKTOP, PHONE, fitsWidth, newPage, shot, startE2E, type E2E } from './harness.js';
import { DEMO_STAFF_PASSWORD } from '../src/server/demo-data.js';
import { catalogRepository } from '../src/server/modules/catalog/repository.js';

let e: E2E;
const code = `e2e-${randomBytes(3).toString('hex')}`;
const poll = <T>(fn: () => Promise<T> | T) => expect.poll(fn, { timeout: 15_000 });

beforeAll(async () => {
  e = await startE2E();
  // The test edits a project of its own, kept out of the public catalog, so nothing else sees the change.
  await catalogRepository.insertProject(
    e.db,
    {
      code,
      name: `浏览器测试项目${code}`,
      platform: '测试平台',
      purpose: '用于浏览器测试的证书项目',
      legalCheckRequired: true,
      productionWorkingDays: 3,
      active: false,
      sortOrder: 99,
      // A pair project the web's seeds do not know: the page shows the flag as the server answers it.
      dualCertificates: true,
    },
    [
      { projectCode: code, keyType: 'main', withSeal: true, priceFen: null, priceConfirmed: false },
      { projectCode: code, keyType: 'sub', withSeal: false, priceFen: null, priceConfirmed: false },
    ],
  );
});

async function adminLogin(page: Page) {
  await page.goto('/staff/login');
  await page.getByLabel('用户名').fill('admin');
  await page.getByLabel('密码').fill(DEMO_STAFF_PASSWORD);
  await page.getByLabel('验证码', { exact: true }).fill(CAPTCHA);
  await page.locator('form button[type=submit]').click();
  await page.waitForURL((u) => u.pathname === '/staff');
}

describe('证书项目管理 (staff console)', () => {
  it('an administrator confirms a price the seeds did not state; a bad price is refused next to the field', async () => {
    const { page, context, errors } = await newPage(e, DESKTOP);
    await adminLogin(page);
    await page.getByRole('link', { name: '证书项目' }).click();
    const card = page.getByTestId(`catalog-${code}`);
    await poll(() => card.count()).toBe(1);
    await card.scrollIntoViewIfNeeded();
    expect(await card.getByText('价格待确认').count()).toBe(1);
    // Which projects issue pairs (签名证书 + 加密证书), from the catalog's flag.
    expect(await card.getByTestId('catalog-dual').textContent()).toBe('双证书');
    expect(await card.getByTestId('catalog-certificates').textContent()).toContain('含签名证书和加密证书（双证书）');
    expect(await page.getByTestId('catalog-gov-procurement').getByTestId('catalog-dual').count()).toBe(1);
    expect(await page.getByTestId('catalog-construction-approval').getByTestId('catalog-dual').count()).toBe(0);
    expect(await page.getByTestId('catalog-construction-approval').getByTestId('catalog-certificates').textContent()).toContain(
      '只签发签名证书',
    );

    await card.getByLabel(/主锁（含电子签章）价格/).fill('1.234');
    await card.getByLabel(/副锁（无电子签章）价格/).fill('150');
    await card.locator('button[type=submit]').click();
    await poll(() => card.getByText('最多两位小数').count()).toBe(1);

    await card.getByLabel(/主锁（含电子签章）价格/).fill('188.5');
    await card.locator('button[type=submit]').click();
    await poll(() => page.getByText(`已保存“浏览器测试项目${code}”`).count()).toBe(1);
    await poll(() => card.getByText('价格待确认').count()).toBe(0);
    const saved = await catalogRepository.get(e.db, code);
    expect(saved!.keys.map((k) => [k.keyType, k.priceFen, k.priceConfirmed])).toEqual([
      ['main', 18850, true],
      ['sub', 15000, true],
    ]);
    await page.reload();
    await poll(() =>
      page
        .getByTestId(`catalog-${code}`)
        .getByLabel(/主锁（含电子签章）价格/)
        .inputValue(),
    ).toBe('188.50');
    await shot(page, 'staff-catalog-desktop');
    expect(errors.filter((x) => !/status of 4\d\d/.test(x))).toEqual([]);
    await context.close();
  });

  it('fits a phone', async () => {
    const { page, context } = await newPage(e, PHONE);
    await adminLogin(page);
    await page.goto('/staff/catalog');
    await poll(() => page.getByTestId(`catalog-${code}`).count()).toBe(1);
    expect(await fitsWidth(page)).toBe(true);
    await shot(page, 'staff-catalog-phone');
    await context.close();
  });
});

describe("public pages show the catalog's current prices", () => {
  it('a price an administrator set appears on the home page and in the help manual', async () => {
    const { page, context } = await newPage(e, DESKTOP);
    // Answer /api/catalog as it would be after an administrator priced 公共资源 at 200/180 yuan.
    await page.route('**/api/catalog', async (route) => {
      const res = await route.fetch();
      const body = (await res.json()) as { items: { code: string; keys: { keyType: string; priceFen: number | null }[] }[] };
      for (const p of body.items)
        if (p.code === 'public-resource') for (const k of p.keys) k.priceFen = k.keyType === 'main' ? 20000 : 18000;
      await route.fulfill({ response: res, json: body });
    });
    await page.goto('/');
    const card = page.getByTestId('project-public-resource');
    await poll(() => card.getByText('200元').count()).toBe(1);
    expect(await card.getByText('180元').count()).toBe(1);
    await page.goto('/help#pay');
    await poll(() => page.getByTestId('price-lines').getByText('200元').count()).toBe(1);
    await context.close();
  });
});
