/**
 * Issue 6 in the browser: 制证 staff paste the customer's PKCS#10 (SM2, made by openssl as a USB key's tool
 * would) into the 签发证书 dialog of an order in 正在制证; the certificate is issued, the order is 制证完成 and
 * the serial shows. Anyone then finds it on the public 证书状态查询 page by that serial (有效), and an
 * unknown serial is 未知. Staff see it in the 证书登记簿. Desktop and phone screenshots.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { randomBytes, randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Locator, Page } from 'playwright-core';
import { CAPTCHA, DESKTOP, PHONE, fitsWidth, newPage, shot, startE2E, type E2E } from './harness.js';
import { DEMO_STAFF_PASSWORD } from '../src/server/demo-data.js';
import { systemClock } from '../src/server/clock.js';
import { organizationRepository } from '../src/server/modules/accounts/repository.js';
import { createOrder } from '../src/server/modules/orders/create-order.js';
import { orderRepository } from '../src/server/modules/orders/repository.js';
import { recordPayment } from '../src/server/modules/fulfilment/record-payment.js';
import { fullForm } from '../src/server/testing/paid-order.js';
import { newMobile, newUscc, testConfig } from '../src/server/testing/harness.js';

let e: E2E;
const poll = expect.poll;
const button = (scope: Page | Locator, text: string) =>
  scope.getByRole('button', { name: new RegExp(`^(?:[a-z-]+\\s+)*${[...text].join('\\s*')}\\s*$`) });

function sm2Csr(): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'certdesk-e2e-csr-'));
  try {
    const key = path.join(dir, 'k.pem');
    execFileSync('openssl', ['genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:SM2', '-out', key]);
    execFileSync('openssl', [
      'req',
      '-new',
      '-key',
      key,
      '-subj',
      '/CN=usbkey',
      '-sm3',
      '-sigopt',
      'distid:1234567812345678',
      '-out',
      path.join(dir, 'r.pem'),
    ]);
    return readFileSync(path.join(dir, 'r.pem'), 'utf8');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** An order in 正在制证 of a fresh organization (the steps before are covered by the workflow tests). */
async function orderInProduction(): Promise<{ orderId: string; name: string; uscc: string }> {
  const now = new Date();
  const a = { name: `江西证书浏览器测试${randomBytes(2).toString('hex')}有限公司`, uscc: newUscc() };
  const org = (await organizationRepository.insert(e.db, {
    ...a,
    mobile: newMobile(),
    passwordHash: 'not-a-login',
    agreementAcceptedAt: now,
    createdAt: now,
    updatedAt: now,
  }))!;
  const deps = { db: e.db, clock: systemClock, config: testConfig() };
  const order = await createOrder(deps, org, { projectCode: 'gov-procurement', keyType: 'main' });
  await orderRepository.update(e.db, order.id, { form: fullForm(a, newMobile(), `fp-${randomUUID().slice(0, 8)}@example.com`) });
  await orderRepository.setStatus(e.db, order.id, 'draft', 'review_passed', now);
  await recordPayment(deps, order.id, { channel: 'wechat', amountFen: 22000, transactionId: randomUUID() }, now);
  await orderRepository.setStatus(e.db, order.id, 'paper_awaiting', 'in_production', now);
  return { orderId: order.id, ...a };
}

beforeAll(async () => {
  e = await startE2E();
}, 120_000);

describe('制证 issues a certificate; the public status page finds it', () => {
  let serial = '';
  let unit = { orderId: '', name: '', uscc: '' };

  it('制证 pastes the USB key request and issues (desktop)', async () => {
    unit = await orderInProduction();
    const { page, context, errors } = await newPage(e, DESKTOP);
    await page.goto('/staff/login');
    await page.getByLabel('用户名').fill('zhizheng');
    await page.getByLabel('密码').fill(DEMO_STAFF_PASSWORD);
    await page.getByLabel('验证码', { exact: true }).fill(CAPTCHA);
    await button(page, '登录').click();
    await page.waitForURL((u) => u.pathname === '/staff');
    const forbidden: string[] = [];
    page.on('response', (r) => void (r.status() === 403 && forbidden.push(r.url())));
    await page.goto(`/staff/orders/${unit.orderId}`);
    await page.getByTestId('action-produce').click();
    const dialog = page.getByRole('dialog');
    await page.getByTestId('csr-input').fill(sm2Csr());
    await page.waitForTimeout(300);
    await shot(page, 'certificates-produce-csr-desktop');
    await button(dialog, '签发证书').click();
    const serialEl = page.getByTestId('produce-serial');
    await serialEl.waitFor();
    serial = (await serialEl.textContent())!.trim();
    expect(serial).toMatch(/^[0-9A-F]{32}$/);
    expect(await page.getByTestId('produce-result').textContent()).toMatch(/有效期/);
    await shot(page, 'certificates-produce-issued-desktop');
    await button(page.getByRole('dialog'), '完成').click();
    await poll(() => page.locator('[data-testid=order-header] [data-testid=staff-status]').textContent()).toBe('制证完成');

    // 系统生成密钥 on a second order: the .p12 downloads once and openssl opens it with the password.
    const second = await orderInProduction();
    await page.goto(`/staff/orders/${second.orderId}`);
    await page.getByTestId('action-produce').click();
    await page.getByRole('dialog').getByText('系统生成密钥').click();
    await page.getByTestId('p12-password').fill('Zhengshu2026!');
    await page.getByTestId('p12-password2').fill('Zhengshu2026?');
    await button(page.getByRole('dialog'), '签发证书').click();
    await poll(() => page.getByRole('dialog').textContent()).toContain('两次输入的密码不一致');
    await page.getByTestId('p12-password2').fill('Zhengshu2026!');
    await button(page.getByRole('dialog'), '签发证书').click();
    await page.getByTestId('produce-result').waitFor();
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('download-p12').click()]);
    const p12 = path.join(tmpdir(), `certdesk-e2e-${randomBytes(4).toString('hex')}.p12`);
    await download.saveAs(p12);
    try {
      const out = execFileSync('openssl', ['pkcs12', '-in', p12, '-passin', 'pass:Zhengshu2026!', '-nodes'], { encoding: 'utf8' });
      expect(out).toContain('BEGIN PRIVATE KEY');
    } finally {
      rmSync(p12, { force: true });
    }
    await page.waitForTimeout(300);
    await shot(page, 'certificates-produce-p12-desktop');
    await button(page.getByRole('dialog'), '完成').click();
    await poll(() => page.locator('[data-testid=order-header] [data-testid=staff-status]').textContent()).toBe('制证完成');

    // The registry lists it, and its detail page offers the PEM.
    await page.goto(`/staff/certificates?key=serial&q=${serial}`);
    await page.getByText(unit.name).first().click();
    await poll(() => page.getByTestId('cert-serial').textContent()).toBe(serial);
    await page.waitForTimeout(300);
    await shot(page, 'certificates-registry-detail-desktop');
    // CSV import of office certificates: a bad file lists its errors and imports nothing; a good one imports.
    await page.goto('/staff/certificates');
    await page.getByTestId('import-open').click();
    const header = '序列号,统一社会信用代码,单位名称,项目代码,主副锁,生效日期,到期日期';
    const officeSerial = `7F${randomBytes(15).toString('hex').toUpperCase()}`;
    const officeUscc = newUscc();
    const upload = (text: string) =>
      page.locator('.ant-modal input[type=file]').setInputFiles({ name: '导入.csv', mimeType: 'text/csv', buffer: Buffer.from(text) });
    await upload(
      `${header}\n${officeSerial},${officeUscc},江西现场办理有限公司,gov-procurement,主锁,2025-06-01,2026-05-31\nXYZ,123,,nope,正锁,2025-13-01,2025-01-01\n`,
    );
    await button(page.getByRole('dialog'), '导入').click();
    await poll(() => page.getByTestId('import-errors').locator('li').count()).toBeGreaterThan(3);
    expect(await page.getByTestId('import-errors').textContent()).toContain('第 3 行「序列号」');
    await page.waitForTimeout(300);
    await shot(page, 'certificates-import-errors-desktop');
    await upload(`${header}\n${officeSerial},${officeUscc},江西现场办理有限公司,gov-procurement,主锁,2025-06-01,2026-05-31\n`);
    // After the import the page reloads the full list; hold that answer until the search below has been
    // answered, so it arrives late: a late answer must not replace the newer search's result.
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    const fullList = (u: URL) => u.pathname === '/api/staff/certificates' && !u.searchParams.has('q');
    await page.route(fullList, async (route) => {
      await held;
      await route.continue();
    });
    await button(page.getByRole('dialog'), '导入').click();
    await poll(() => page.getByRole('dialog').count()).toBe(0);
    await page.getByTestId('cert-search-key').click();
    await page.locator('.ant-select-item-option').filter({ hasText: '序列号' }).click();
    const searched = page.waitForResponse((r) => new URL(r.url()).searchParams.get('q') === officeSerial);
    await page.getByTestId('cert-search').locator('input').fill(officeSerial);
    await page.getByTestId('cert-search').locator('input').press('Enter');
    expect(new URL((await searched).url()).searchParams.get('key')).toBe('serial');
    const rows = page.locator('.ant-table-tbody tr.ant-table-row');
    await poll(() => rows.count()).toBe(1);
    const lateFull = page.waitForEvent('requestfinished', (r) => fullList(new URL(r.url())));
    release();
    await lateFull;
    await page.unroute(fullList);
    // The full list came back last (two frames let React render it), and the page still shows the search.
    await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
    expect(await rows.count()).toBe(1);
    expect(await rows.first().textContent()).toContain('江西现场办理有限公司');
    // The CSV's dates, shown in Beijing time whatever the browser's time zone (UTC here and in CI).
    expect(await rows.first().textContent()).toContain('2025-06-01 至 2026-05-31');
    await page.waitForTimeout(300);
    await shot(page, 'certificates-registry-list-desktop');
    // On a phone the registry fits the screen: the wide table scrolls inside it, the import button and 查询 show.
    await page.setViewportSize(PHONE);
    await page.reload();
    await poll(() => rows.count()).toBe(1);
    expect(await fitsWidth(page)).toBe(true);
    expect(await page.getByTestId('import-open').isVisible()).toBe(true);
    expect(await button(page.getByTestId('cert-search'), '查询').isVisible()).toBe(true);
    await shot(page, 'certificates-registry-list-phone');

    // The order page asks for a cancellation request (another module) that 制证 may not read: that 403 is
    // not this page's; any other error is.
    const others = forbidden.filter((u) => !u.endsWith('/cancellation'));
    expect(others).toEqual([]);
    // The refused import is a 400 by design (the browser logs it as a failed resource).
    expect(errors.filter((m) => !/status of 400/.test(m) && !(forbidden.length && /status of 403/.test(m)))).toEqual([]);
    await context.close();
  });

  it('the public 证书状态查询 finds it by serial (phone), and says 未知 for a serial never issued', async () => {
    const { page, context, errors } = await newPage(e, PHONE);
    await page.goto('/');
    await page.getByRole('link', { name: '证书状态查询' }).click();
    await page.waitForURL('**/cert-status');
    const input = page.getByTestId('cert-status-input').locator('input');
    await input.fill(serial.match(/../g)!.join(':').toLowerCase());
    await input.press('Enter');
    const result = page.getByTestId('cert-status-result');
    await poll(() => result.count()).toBe(1);
    expect(await result.textContent()).toContain(unit.name);
    expect(await result.textContent()).toContain(unit.uscc);
    expect(await page.getByTestId('cert-status-label').textContent()).toBe('有效');
    expect(await fitsWidth(page)).toBe(true);
    await page.waitForTimeout(300);
    await shot(page, 'certificates-status-found-phone');

    await input.fill('7F00112233445566778899AABBCCDDEE');
    await input.press('Enter');
    await poll(() => page.getByTestId('cert-status-results').textContent()).toMatch(/没有找到.*未知/);
    await shot(page, 'certificates-status-unknown-phone');
    expect(errors).toEqual([]);
    await context.close();
  });
});
