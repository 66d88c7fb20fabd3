import { beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { DESKTOP, PHONE, fitsWidth, newPage, shot, startE2E, type E2E } from './harness.js';
import { ONLINE_FLOW } from '../src/core/content/flow.js';
import { OFFICES, ON_SITE_FLOW } from '../src/core/content/offices.js';
import { ORDER_STATUSES } from '../src/core/content/order-statuses.js';
import { PROJECTS } from '../src/core/content/projects.js';
import { PAYMENT_TROUBLESHOOTING } from '../src/core/content/help.js';
import { AGREEMENT } from '../src/core/content/agreement.js';

let e: E2E;
beforeAll(async () => {
  e = await startE2E();
});

/** Visible text of the page's main area (header and footer excluded). */
async function mainText(page: Page): Promise<string> {
  return (await page.locator('main').innerText()).replace(/\s+/g, ' ');
}

async function open(viewport: typeof PHONE, url: string, ready: string) {
  const { page, context, errors } = await newPage(e, viewport);
  await page.goto(url);
  await page.getByText(ready, { exact: false }).first().waitFor();
  return { page, context, errors };
}

describe.each([
  ['phone', PHONE],
  ['desktop', DESKTOP],
])('public pages (%s)', (label, viewport) => {
  it('首页: what the service is, the five projects with purpose and price, the flow, the entry points', async () => {
    const { page, context, errors } = await open(viewport, '/', '单位数字证书及电子签章在线申请');
    const text = await mainText(page);
    for (const p of PROJECTS) {
      expect(text).toContain(p.name);
      await expect.poll(() => page.getByTestId(`project-${p.code}`).innerText()).toContain('用途：');
    }
    expect(text).toContain('220元');
    expect(text).toContain('190元');
    expect(text).toContain('价格待确认');
    expect(text).toContain('项目选错，证书将无法使用');
    expect(text).toContain('不含国土交易系统');
    expect(text).toContain('入赣负责人任命书');
    expect(text).toContain('含电子签章');
    expect(text).toContain('无电子签章');
    expect(text).toContain('约3个工作日');
    // The pair projects (the catalog's flag): 签名证书 + 加密证书, and what the second one is for.
    await expect.poll(() => page.getByTestId('dual-gov-procurement').innerText()).toContain('含签名证书和加密证书（双证书）');
    expect(await page.getByTestId('dual-public-resource').innerText()).toContain('加密投标、报价文件');
    expect(await page.getByTestId('dual-construction-approval').count()).toBe(0);
    expect(text).toContain('只能办理一个含电子签章的主锁');
    for (const s of ONLINE_FLOW) expect(text).toContain(s.title);
    for (const b of ['变更', '补办', '续费', '换卡', '解锁', '吊销']) expect(text).toContain(b);
    expect(await page.locator('main a[href="tel:4008001040"]').count()).toBeGreaterThan(0);
    expect(await page.locator('main a[href="/offices"]').count()).toBeGreaterThan(0);
    await shot(page, `public-home-${label}`);
    expect(await fitsWidth(page)).toBe(true);

    // The hero's 免费注册 leads to registration (on a phone the header has no register button).
    await page.locator('main a[href="/register"]').first().click();
    await page.waitForURL('**/register');
    expect(errors).toEqual([]);
    await context.close();
  });

  it('帮助手册: every step, the upload and payment rules, the six order statuses, a working table of contents', async () => {
    const { page, context, errors } = await open(viewport, '/help', '帮助手册');
    const text = await mainText(page);
    for (const s of ['数字证书申请', '数字证书及电子印章申请', '新制申请', '选择证书项目']) expect(text).toContain(s);
    expect(text).toContain('jpeg、jpg、png、bmp');
    expect(text).toContain('1M之内');
    expect(text).toContain('认证成功');
    expect(text).toContain('不支持对公转账');
    for (const t of PAYMENT_TROUBLESHOOTING) expect(text).toContain(t.title);
    expect(text).toContain('左上角写明订单编号');
    expect(text).toContain('回形针');
    expect(text).toContain('顺丰快递或EMS');
    expect(text).toContain('医疗机构执业许可证');
    expect(text).toContain('3个工作日内发送至发票接收邮箱');
    expect(text).toContain('重新注册');
    const statuses = await page.getByTestId('status-list').innerText();
    for (const s of ORDER_STATUSES) {
      expect(statuses).toContain(s.label);
      expect(statuses).toContain(s.meaning);
    }
    await shot(page, `public-help-${label}`);
    expect(await fitsWidth(page)).toBe(true);

    // The table of contents takes the reader to the section (a list on a phone, antd Anchor on a desktop).
    if (viewport === PHONE) await page.locator('nav[aria-label="目录"] a[href="#statuses"]').click();
    else await page.locator('.ant-anchor a[href="#statuses"]').click();
    await expect.poll(() => page.locator('#statuses').evaluate((el) => Math.round(el.getBoundingClientRect().top))).toBeLessThan(80);

    // A link from another page (the agreement's 查看申请步骤 → /help#apply) lands on its section too.
    await page.goto('/agreement');
    await page.getByRole('link', { name: '查看申请步骤' }).click();
    await page.waitForURL('**/help#apply');
    await expect.poll(() => page.locator('#apply').evaluate((el) => Math.round(el.getBoundingClientRect().top))).toBeLessThan(80);
    expect(errors).toEqual([]);
    await context.close();
  });

  it('现场办理: the 12 offices with tel: links, the on-site flow and the materials; antd speaks Chinese', async () => {
    const { page, context, errors } = await open(viewport, '/offices', '全省受理点');
    const text = await mainText(page);
    for (const o of OFFICES) {
      const card = page.getByTestId(`office-${o.code}`);
      const cardText = await card.innerText();
      expect(cardText).toContain(o.name);
      expect(cardText).toContain(o.address);
      for (const p of o.phones) expect(await card.locator(`a[href="tel:${p.tel}"]`).innerText()).toBe(p.display);
    }
    expect(await page.locator('main a[href^="tel:0"]').count()).toBe(OFFICES.reduce((n, o) => n + o.phones.length, 0));
    for (const s of ON_SITE_FLOW) expect(text).toContain(s.title);
    expect(await page.getByTestId('materials-replace').innerText()).toContain('补办说明');
    expect(await page.getByTestId('materials-change').innerText()).toContain('原有的数字证书（即UKEY）');
    const renew = await page.getByTestId('materials-renew').innerText();
    expect(renew).toContain('密码');
    expect(renew).toContain('统一社会信用代码复印件加盖公章');

    // The zh_CN locale (antd/es/locale/zh_CN.js) applies: Typography's copy buttons are labelled 复制, not Copy.
    expect(await page.getByRole('button', { name: '复制', exact: true }).count()).toBe(OFFICES.length);
    expect(await page.getByRole('button', { name: 'Copy' }).count()).toBe(0);
    await shot(page, `public-offices-${label}`);
    expect(await fitsWidth(page)).toBe(true);
    expect(errors).toEqual([]);
    await context.close();
  });

  it('用户协议: the full text, formatted', async () => {
    const { page, context, errors } = await open(viewport, '/agreement', AGREEMENT.title);
    const doc = (await page.getByTestId('agreement').innerText()).replace(/\s+/g, '');
    for (const s of AGREEMENT.sections) expect(doc).toContain(s.heading);
    expect(doc).toContain('在24小时内吊销用户的数字证书');
    expect(doc).toContain('①用户申请吊销数字证书；');
    expect(doc).toContain('⑤法律、行政法规规定的其他情形。');
    expect(doc).toContain('数字证书的有效期为一年，自签发之日起计算。');
    expect(doc).toContain('本协议条款如果与国家有关法规相抵触，以国家法规为准。');
    expect(await page.locator('.agreement-doc h2').count()).toBe(5);
    await shot(page, `public-agreement-${label}`);
    expect(await fitsWidth(page)).toBe(true);
    expect(errors).toEqual([]);
    await context.close();
  });
});
