/**
 * Issue 7, 我的证书 in the browser, at 390 px and 1366 px: the organization's dashboard lists the certificate
 * that expires within 90 days; from the menu it opens 我的证书 and sees both its certificates (the online one
 * with its order, the counter 副锁 with 即将到期); it asks to revoke the online one — a wrong SMS code is named
 * next to the field, the code from the SMS (dev inbox) is accepted — and sees 吊销申请中 with the 24-hour
 * deadline; a 制证 approves it in the staff console (the queue shows the deadline); the organization then sees
 * 已吊销 with the time.
 */
import { randomBytes } from 'node:crypto';
import { eq } from 'drizzle-orm';
import { beforeAll, describe, expect, it } from 'vitest';
import type { APIRequestContext } from 'playwright-core';
import { DESKTOP, PHONE, fitsWidth, newPage, shot, startE2E, type E2E } from './harness.js';
import { button, openMainOrder, registerWithRequest, staffLogin } from './page-api.js';
import { certificates } from '../src/server/db/schema-certificates.js';
import { organizationRepository } from '../src/server/modules/accounts/repository.js';
import { issueTestCertificate } from '../src/server/modules/revocation/testing.js';
import { testConfig } from '../src/server/testing/harness.js';
import { smsFor } from '../src/server/testing/sms.js';

let e: E2E;
const poll = expect.poll;
const T = { timeout: 15_000 };
const shown = (serial: string) => (serial.length % 2 ? `0${serial}` : serial).toUpperCase();

beforeAll(async () => {
  e = await startE2E();
}, 120_000);

/**
 * Registers an organization in the page's context and gives it two certificates: an online 主锁 from its own
 * order, and a counter 副锁 expiring in 45 days (source 'counter', no online order).
 */
async function organizationWithCertificates(request: APIRequestContext) {
  const unit = `江西我的证书浏览器测试${randomBytes(2).toString('hex')}有限公司`;
  const { uscc, mobile } = await registerWithRequest(request, { name: unit, password: 'Cert2026mine' });
  const order = await openMainOrder(request);
  const org = await organizationRepository.findByUscc(e.db, uscc);
  const config = testConfig();
  const online = await issueTestCertificate({ db: e.db, config }, 'sm2', { organizationId: org!.id, uscc, unitName: unit });
  await e.db.update(certificates).set({ orderId: order.id }).where(eq(certificates.id, online.id));
  const counter = await issueTestCertificate({ db: e.db, config }, 'sm2', { organizationId: org!.id, uscc, unitName: unit });
  const notAfter = new Date(Date.now() + 45 * 86400_000);
  await e.db
    .update(certificates)
    .set({ source: 'counter' as never, keyType: 'sub', notAfter, notBefore: new Date(notAfter.getTime() - 365 * 86400_000) })
    .where(eq(certificates.id, counter.id));
  return { mobile, onlineSerial: shown(online.serial), counterSerial: shown(counter.serial), orderId: order.id };
}

describe('我的证书：查看、短信验证码确认吊销申请、工作人员批准、看到已吊销', () => {
  for (const [label, viewport] of [
    ['phone', PHONE],
    ['desktop', DESKTOP],
  ] as const) {
    it(`organization and staff (${label})`, async () => {
      const { page, context, errors } = await newPage(e, viewport);
      try {
        const o = await organizationWithCertificates(context.request);
        const cert = (serial: string) => page.locator(`[data-testid="my-cert"][data-serial="${serial}"]`);

        // 1. The dashboard lists the certificate expiring within 90 days.
        await page.goto('/account');
        const expiring = page.getByTestId('dashboard-expiring');
        await poll(() => expiring.count(), T).toBe(1);
        expect(await expiring.textContent()).toContain('1 张证书将在90天内到期');
        expect(await expiring.textContent()).toContain(o.counterSerial.slice(-6));
        expect(await expiring.textContent()).toContain('受理点');
        expect(await page.getByTestId('account-certificates').getAttribute('href')).toBe('/certificates');
        expect(await fitsWidth(page)).toBe(true);
        await shot(page, `my-certificates-dashboard-${label}`);

        // 2. 我的证书 from the menu (dropdown on a PC, drawer on a phone).
        if (label === 'phone') {
          await page.getByRole('button', { name: '菜单' }).click();
          await page.locator('.ant-drawer').getByRole('link', { name: '我的证书' }).click();
        } else {
          await page.getByTestId('account-menu').hover();
          await page.getByRole('menuitem', { name: '我的证书' }).click();
        }
        await page.waitForURL((u) => u.pathname === '/certificates');
        await poll(() => page.getByTestId('my-cert').count(), T).toBe(2);
        const online = cert(o.onlineSerial);
        const counter = cert(o.counterSerial);
        expect(await online.getByTestId('my-cert-status').textContent()).toBe('有效');
        expect(await online.textContent()).toContain('主锁');
        expect(await online.getByTestId('my-cert-serial').textContent()).toBe(o.onlineSerial);
        expect(await online.getByTestId('my-cert-order').getAttribute('href')).toBe(`/orders/${o.orderId}`);
        expect(await counter.textContent()).toContain('副锁');
        expect(await counter.textContent()).toContain('现场办理');
        expect(await counter.textContent()).toContain('即将到期');
        expect(await page.getByTestId('my-certs-expiring').count()).toBe(1);
        expect(await fitsWidth(page)).toBe(true);
        // Close the account menu before the screenshot: the pointer enters its trigger and leaves (after the
        // click navigated, the menu had not always seen the pointer arrive, so leaving alone left it open).
        if (label !== 'phone') await page.getByTestId('account-menu').hover();
        await page.mouse.move(1, 400);
        await poll(() => page.locator('.ant-dropdown').filter({ visible: true }).count()).toBe(0);
        await shot(page, `my-certificates-list-${label}`);

        // 3. Revocation request: reason, SMS code (a wrong one is named at the field), then the right one.
        await online.getByTestId('my-cert-revoke').click();
        const dialog = page.getByRole('dialog');
        await poll(() => dialog.getByTestId('revocation-warning').count(), T).toBe(1);
        await dialog.getByTestId('revocation-reason').click();
        await page.getByTitle('密钥泄露或介质丢失').click();
        await dialog.getByTestId('revocation-note').fill('USB Key 遗失');
        await dialog.getByTestId('revocation-send-code').click();
        await poll(() => dialog.getByTestId('revocation-code-sent').count(), T).toBe(1);
        expect(await dialog.getByTestId('revocation-code-sent').textContent()).toContain(o.mobile.slice(-4));
        expect(await dialog.getByTestId('revocation-send-code').isDisabled()).toBe(true); // counting down
        const code = /验证码(\d{6})/.exec((await smsFor(e, o.mobile, 1))[0]!.text)![1]!;
        const wrong = code === '000000' ? '111111' : '000000';
        await dialog.getByTestId('revocation-code').fill(wrong);
        await page.getByTestId('revocation-confirm').click();
        await poll(() => dialog.getByText('短信验证码不正确，还可尝试4次').count(), T).toBe(1);
        expect(await dialog.getByTestId('revocation-note').inputValue()).toBe('USB Key 遗失');
        await shot(page, `my-certificates-dialog-${label}`);
        await dialog.getByTestId('revocation-code').fill(code);
        await page.getByTestId('revocation-confirm').click();
        await poll(() => online.getByTestId('my-cert-status').textContent(), T).toBe('吊销申请中');
        expect(await online.getByTestId('my-cert-note').textContent()).toContain('24小时内');
        expect(await online.getByTestId('my-cert-revoke').count()).toBe(0);
        await poll(() => page.locator('.ant-modal-wrap').filter({ visible: true }).count()).toBe(0);
        expect(await fitsWidth(page)).toBe(true);
        await shot(page, `my-certificates-pending-${label}`);

        // 4. A 制证 approves it in the staff console; the queue shows the 24-hour deadline.
        const s = await newPage(e, DESKTOP);
        try {
          await staffLogin(s.page, 'zhizheng');
          await s.page.goto('/staff/revocations');
          const row = s.page.getByRole('row', { name: new RegExp(o.onlineSerial) });
          await poll(() => row.count(), T).toBe(1);
          expect(await row.textContent()).toContain('申请单位（在线）');
          expect(await row.getByTestId('revocation-deadline').textContent()).toMatch(/\d{4}-\d{2}-\d{2} \d{2}:\d{2}/);
          if (label === 'desktop') await shot(s.page, 'my-certificates-staff-queue');
          await row.getByTestId('revocation-approve').click();
          await button(s.page.getByRole('dialog'), '批准吊销').click();
          await poll(() => row.count(), T).toBe(0);
          expect(s.errors).toEqual([]);
        } finally {
          await s.context.close();
        }

        // 5. The organization sees 已吊销 with the time.
        await page.reload();
        await poll(() => online.getByTestId('my-cert-status').textContent(), T).toBe('已吊销');
        const note = (await online.getByTestId('my-cert-note').textContent()) ?? '';
        expect(note).toMatch(/已于 \d{4}-\d{2}-\d{2} \d{2}:\d{2} 吊销（密钥泄露或介质丢失），申请时间 \d{4}-\d{2}-\d{2} \d{2}:\d{2}/);
        expect(await counter.getByTestId('my-cert-status').textContent()).toBe('有效');
        expect(await fitsWidth(page)).toBe(true);
        await shot(page, `my-certificates-revoked-${label}`);
        // The one 400 is the wrong code we typed on purpose.
        expect(errors.filter((m) => !/status of 400/.test(m))).toEqual([]);
        expect(errors.filter((m) => /status of 400/.test(m))).toHaveLength(1);
      } finally {
        await context.close();
      }
    }, 120_000);
  }
});
