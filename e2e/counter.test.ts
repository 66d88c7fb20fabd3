/**
 * Issue 7, counter business in the browser: the demo counter clerk (guitai, 南昌办证大厅) does a 续费 at
 * 1366 px — looks the unit up by USCC, picks its certificate, ticks the materials (UKEY + password), 前台受理,
 * 审核通过, 制作证书 with a generated key, 现场缴费并领取 with a receipt number, 制作电子签章 — and sees the new
 * certificate linked to the one it renews, and the payment in the office's daily list. The same pages at
 * 390 px fit the phone's width. Screenshots at each stage.
 */
import { randomBytes } from 'node:crypto';
import { eq } from 'drizzle-orm';
import type { Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { CAPTCHA, DESKTOP, PHONE, fitsWidth, newPage, shot, startE2E, type E2E } from './harness.js';
import { systemClock } from '../src/server/clock.js';
import { certificates } from '../src/server/db/schema-certificates.js';
import { actOnCounterOrder } from '../src/server/modules/counter/act-on-order.js';
import { openCounterOrder } from '../src/server/modules/counter/open-order.js';
import { payAtCounter } from '../src/server/modules/counter/pay-at-counter.js';
import { registerOrganizationAtCounter } from '../src/server/modules/counter/register-organization.js';
import { tickMaterials } from '../src/server/modules/counter/tick-materials.js';
import { produceAtCounter } from '../src/server/modules/counter/produce.js';
import { staffRepository } from '../src/server/modules/staff/repository.js';
import type { StaffActor } from '../src/server/modules/staff/staff-accounts.js';
import { newMobile, newUscc, testConfig } from '../src/server/testing/harness.js';
import { png } from '../src/server/modules/documents/test-images.js';
import { smsCode, smsFor } from '../src/server/testing/sms.js';
import { api, button, staffLogin } from './page-api.js';

let e: E2E;
const poll = <T>(fn: () => Promise<T> | T) => expect.poll(fn, { timeout: 15_000 });

beforeAll(async () => {
  e = await startE2E();
}, 120_000);

/** A unit that got its main key at this counter a year ago (made through the same use cases, server side). */
async function unitWithCounterCertificate() {
  const s = (await staffRepository.findByUsername(e.db, 'guitai'))!;
  const actor: StaffActor = { id: s.id, roles: ['受理', '制证'] };
  const deps = { db: e.db, clock: systemClock, config: testConfig() };
  const meta = { ip: '127.0.0.1' };
  const mobile = newMobile();
  const org = await registerOrganizationAtCounter(
    deps,
    actor,
    { uscc: newUscc(), name: `江西续费浏览器测试${randomBytes(2).toString('hex')}有限公司`, mobile },
    meta,
  );
  const o = await openCounterOrder(
    deps,
    actor,
    {
      organizationId: org.id,
      business: 'new',
      projectCode: 'gov-procurement',
      keyType: 'main',
      agentName: '钱经办',
      agentMobile: newMobile(),
    },
    meta,
  );
  await tickMaterials(deps, actor, o.id, ['application-form', 'business-license', 'agent-id', 'seal-impressions'], meta);
  await actOnCounterOrder(deps, actor, o.id, 'accept', undefined, meta);
  await actOnCounterOrder(deps, actor, o.id, 'approve', undefined, meta);
  const p = await produceAtCounter(deps, actor, o.id, { kind: 'generate', password: 'browser-test-1' }, meta);
  await payAtCounter(deps, actor, o.id, { channel: 'cash', receiptNo: `E2E${randomBytes(4).toString('hex')}`, amountFen: 22000 }, meta);
  await actOnCounterOrder(deps, actor, o.id, 'seal', undefined, meta);
  return { org, mobile, certificateId: p.certificate.id, serial: p.certificate.serial, notAfter: p.certificate.notAfter, actor, deps };
}

const yearOn = (d: Date) => {
  const x = new Date(d);
  x.setUTCFullYear(x.getUTCFullYear() + 1);
  return x;
};
/** The Beijing date the pages print (YYYY-MM-DD). */
const beijingDay = (d: Date) => new Date(d.getTime() + 8 * 3600_000).toISOString().slice(0, 10);

/** A 续费 of the unit's certificate, opened at the counter (提交资料), nothing ticked yet. */
async function openRenewal(unit: Awaited<ReturnType<typeof unitWithCounterCertificate>>) {
  const o = await openCounterOrder(
    unit.deps,
    unit.actor,
    {
      organizationId: unit.org.id,
      business: 'renew',
      replacesCertificateId: unit.certificateId,
      agentName: '李经办',
      agentMobile: newMobile(),
    },
    { ip: '127.0.0.1' },
  );
  return o.id;
}

/** Whether a material's box is ticked (antd puts the test id on the input or on its wrapper). */
const ticked = (page: Page, code: string) =>
  page.evaluate((c) => {
    const el = document.querySelector(`[data-testid="material-${c}"]`);
    const input = el instanceof HTMLInputElement ? el : el?.querySelector('input');
    return !!input?.checked;
  }, code);

/** The checklist's "前台受理前尚缺" warning. */
const missingAlert = (page: Page) => page.getByTestId('counter-materials').locator('.ant-alert').filter({ hasText: '前台受理前尚缺' });

const MATERIALS_POST = /\/api\/staff\/counter\/orders\/[^/]+\/materials$/;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('柜台业务：资料清单勾选即保存', () => {
  for (const [width, viewport] of [
    ['1366', DESKTOP],
    ['390', PHONE],
  ] as const)
    it(`ticked boxes are saved at once and 前台受理 clicked right after them passes, with no save step (${width} px)`, async () => {
      const unit = await unitWithCounterCertificate();
      const orderId = await openRenewal(unit);
      const { page, context, errors } = await newPage(e, viewport);
      try {
        await staffLogin(page, 'guitai');
        // Slow saves (a busy counter network): 前台受理 must wait for them, never race ahead of one.
        await page.route(MATERIALS_POST, async (route) => {
          await sleep(700);
          await route.continue();
        });
        await page.goto(`/staff/counter/${orderId}`);
        await poll(() => page.getByTestId('counter-status').textContent()).toBe('已提交资料，待前台受理');
        expect(await missingAlert(page).textContent()).toMatch(/数字证书（UKEY）/);
        await page.getByTestId('material-ukey').click();
        await page.getByTestId('material-ukey-password').click();
        // The screen says nothing is missing, and 前台受理 agrees — clicked at once, while the saves are out.
        expect(await missingAlert(page).count()).toBe(0);
        await shot(page, `counter-materials-saving-${width === '390' ? 'phone' : 'desktop'}`);
        await page.getByTestId('counter-action-accept').click();
        await poll(() => page.getByTestId('counter-status').textContent()).toBe('已受理，待审核资料');
        // No separate save step: the checklist says it saved.
        expect(await page.getByText('保存资料清单').count()).toBe(0);
        expect(await page.getByTestId('materials-save-state').textContent()).toContain('已保存');
        await page.reload();
        await poll(() => page.getByTestId('counter-status').textContent()).toBe('已受理，待审核资料');
        expect(await ticked(page, 'ukey')).toBe(true);
        expect(await ticked(page, 'ukey-password')).toBe(true);
        expect(await fitsWidth(page)).toBe(true);
        await shot(page, `counter-materials-accepted-${width === '390' ? 'phone' : 'desktop'}`);
        expect(errors).toEqual([]);
      } finally {
        await context.close();
      }
    }, 120_000);

  it('a save that fails keeps the tick on screen, says so with 重试, and 前台受理 does not go ahead of it', async () => {
    const unit = await unitWithCounterCertificate();
    const orderId = await openRenewal(unit);
    const { page, context, errors } = await newPage(e, DESKTOP);
    try {
      await staffLogin(page, 'guitai');
      let failures = 2;
      let accepts = 0;
      await page.route(MATERIALS_POST, async (route) => {
        if (failures-- > 0) await route.fulfill({ status: 503, contentType: 'text/plain', body: 'unavailable' });
        else await route.continue();
      });
      await page.route(/\/actions\/accept$/, async (route) => {
        accepts++;
        await route.continue();
      });
      await page.goto(`/staff/counter/${orderId}`);
      await poll(() => page.getByTestId('counter-status').textContent()).toBe('已提交资料，待前台受理');
      await page.getByTestId('material-ukey').click();
      await poll(() => page.getByTestId('materials-save-state').textContent()).toContain('保存失败');
      expect(await ticked(page, 'ukey')).toBe(true);
      await shot(page, 'counter-materials-failed-desktop');
      // 前台受理 retries the save first; it fails again, so the order is not sent to be accepted.
      await page.getByTestId('counter-action-accept').click();
      await poll(() => page.locator('.ant-message').textContent()).toContain('资料清单未能保存');
      expect(accepts).toBe(0);
      expect(await page.getByTestId('counter-status').textContent()).toBe('已提交资料，待前台受理');
      // 重试 saves the tick; the next tick saves both (nothing lost).
      await page.getByTestId('materials-retry').click();
      await poll(() => page.getByTestId('materials-save-state').textContent()).toContain('已保存');
      await page.getByTestId('material-ukey-password').click();
      await poll(() => page.getByTestId('materials-save-state').textContent()).toContain('已保存');
      await page.reload();
      await poll(() => page.getByTestId('counter-status').textContent()).toBe('已提交资料，待前台受理');
      expect(await ticked(page, 'ukey')).toBe(true);
      expect(await ticked(page, 'ukey-password')).toBe(true);
      await page.getByTestId('counter-action-accept').click();
      await poll(() => page.getByTestId('counter-status').textContent()).toBe('已受理，待审核资料');
      // The only console errors are the two refused saves.
      expect(errors.filter((m) => !/status of 503/.test(m))).toEqual([]);
    } finally {
      await context.close();
    }
  }, 120_000);
});

describe('柜台业务：柜台员办理续费', () => {
  it('guitai renews a unit’s certificate at 1366 px, through to the registry and the daily list', async () => {
    const unit = await unitWithCounterCertificate();
    const renewedEnd = beijingDay(yearOn(unit.notAfter));
    const { page, context, errors } = await newPage(e, DESKTOP);
    await staffLogin(page, 'guitai');
    await page.getByRole('menuitem', { name: '柜台业务' }).click();
    await page.waitForURL('**/staff/counter');
    await poll(() => page.getByTestId('counter-daily-title').textContent()).toMatch(
      /江西省数字证书有限公司办证大厅 · \d{4}-\d{2}-\d{2} 日报/,
    );

    // 办理新业务: look the unit up.
    await page.getByTestId('counter-new').click();
    await page.waitForURL('**/staff/counter/new');
    await page.getByTestId('counter-uscc').fill('12345');
    await page.getByTestId('counter-lookup').click();
    await poll(() => page.locator('.ant-form-item-explain-error').first().textContent()).toMatch(/18位/);
    await page.getByTestId('counter-uscc').fill(unit.org.uscc.toLowerCase());
    await page.getByTestId('counter-lookup').click();
    await poll(() => page.getByTestId('counter-org').textContent()).toContain(unit.org.name);
    expect(await page.getByTestId('counter-org-certs').textContent()).toContain('主锁');

    // 续费 of its certificate.
    await page.getByTestId('counter-business').getByText('续费').click();
    await page.getByTestId('counter-replaces').click();
    await page.locator('.ant-select-item-option').filter({ hasText: '江西省政府采购电子卖场' }).first().click();
    // Before opening the order, staff can tell the unit what it pays for: a year past the old certificate's end.
    await poll(() => page.getByTestId('counter-validity-preview').textContent()).toContain(`有效期至 ${renewedEnd}`);
    await page.getByTestId('counter-agent-name').fill('孙经办');
    await page.getByTestId('counter-agent-mobile').fill('139 0000 0001');
    await shot(page, 'counter-renew-new-desktop');
    await page.getByTestId('counter-open').click();
    await page.waitForURL(/\/staff\/counter\/[0-9a-f-]{36}$/);
    await poll(() => page.getByTestId('counter-status').textContent()).toBe('已提交资料，待前台受理');

    // Materials: the UKEY and its password. 前台受理 without them names what is missing.
    await page.getByTestId('counter-action-accept').click();
    await poll(() => page.locator('.ant-message').textContent()).toMatch(/资料不齐|尚缺/);
    await page.getByTestId('material-ukey').click();
    await page.getByTestId('material-ukey-password').click();
    // Each tick is saved at once; there is no separate save step.
    await poll(() => page.getByTestId('materials-save-state').textContent()).toContain('已保存');
    expect(await missingAlert(page).count()).toBe(0);
    // A scan of the stamped USCC copy is optional; uploaded like an online document.
    await page
      .getByTestId('scan-input-uscc-copy')
      .setInputFiles({ name: '统一社会信用代码.png', mimeType: 'image/png', buffer: await png(300, 200, 5) });
    await poll(() => page.getByTestId('scan-uscc-copy').count()).toBe(1);
    await shot(page, 'counter-renew-materials-desktop');
    await page.getByTestId('counter-action-accept').click();
    await poll(() => page.getByTestId('counter-status').textContent()).toBe('已受理，待审核资料');
    await page.getByTestId('counter-action-approve').click();
    await poll(() => page.getByTestId('counter-status').textContent()).toBe('审核通过，待制作证书');

    // 制作证书 with a generated key (a soft token); the PKCS#12 is offered once.
    await page.getByTestId('counter-action-produce').click();
    const dialog = page.getByRole('dialog');
    // The renewal runs a year past the old certificate's expiry, and the dialog says so before issuing.
    await poll(() => dialog.getByTestId('counter-produce-validity').textContent()).toContain(`有效期至 ${renewedEnd}`);
    expect(await dialog.getByTestId('counter-produce-validity').textContent()).toContain('在原证书到期日基础上延长一年');
    await dialog.getByText('系统生成密钥').click();
    await dialog.getByTestId('p12-password').fill('Renew2026!');
    await dialog.getByTestId('p12-password2').fill('Renew2026!');
    await button(dialog, '签发证书').click();
    await poll(() => page.getByTestId('produce-serial').textContent()).toMatch(/^[0-9A-F]+$/);
    await shot(page, 'counter-renew-issued-desktop');
    await button(page.getByRole('dialog').filter({ hasText: '证书已签发' }), '完成').click();
    // The one key form (produce/ProduceDialog.tsx) asks before the one-time PKCS#12 is given up undownloaded.
    await button(page.getByRole('dialog').filter({ hasText: '尚未下载 PKCS#12 文件' }), '确定关闭').click();
    await poll(() => page.getByTestId('counter-status').textContent()).toBe('证书已制作，待现场缴费并领取');

    // 现场缴费并领取: the catalog's price, a receipt number.
    expect(await page.getByTestId('counter-price').textContent()).toMatch(/^220(\.00)? 元$/);
    expect(await page.getByTestId('counter-pay-validity').textContent()).toContain(`至 ${renewedEnd}`);
    await page.getByTestId('counter-pay-channel').getByText('刷卡').click();
    await page.getByTestId('counter-receipt').fill('x');
    await page.getByTestId('counter-pay').click();
    await poll(() => page.getByTestId('counter-pay-form').locator('.ant-form-item-explain-error').first().textContent()).toMatch(/收据号/);
    const receiptNo = `POS-${randomBytes(3).toString('hex').toUpperCase()}`;
    await page.getByTestId('counter-receipt').fill(receiptNo);
    await page.getByTestId('counter-pay').click();
    await poll(() => page.getByTestId('counter-status').textContent()).toBe('已缴费领取，待制作电子签章');
    expect(await page.getByTestId('counter-receipt-validity').textContent()).toContain(`至 ${renewedEnd}`);
    await page.getByTestId('counter-action-seal').click();
    await poll(() => page.getByTestId('counter-status').textContent()).toBe('已办结');

    // Both certificates: the new one valid, the renewed one still valid until it expires, linked.
    await poll(() => page.getByTestId('counter-new-cert').textContent()).toContain('有效');
    expect(await page.getByTestId('counter-old-cert').textContent()).toContain(unit.serial.toUpperCase().slice(0, 8));
    const renewed = (await e.db.select().from(certificates).where(eq(certificates.replacesId, unit.certificateId)))[0]!;
    expect(renewed).toMatchObject({ status: 'issued', source: 'counter', organizationId: unit.org.id });
    expect(await fitsWidth(page)).toBe(true);
    await shot(page, 'counter-renew-done-desktop');

    // The office's daily list holds it, with the payment.
    await page.getByRole('button', { name: /返回柜台业务/ }).click();
    await page.waitForURL('**/staff/counter');
    const row = page
      .getByTestId('counter-daily-table')
      .getByRole('row')
      .filter({ hasText: unit.org.name })
      .filter({ hasText: '续费·主锁' });
    await poll(() => row.count()).toBe(1);
    expect(await row.textContent()).toMatch(/已办结.*220(\.00)? 元（刷卡）/);
    await shot(page, 'counter-daily-desktop');
    // The one 400 is the deliberate 前台受理 with materials missing; nothing else went wrong.
    expect(errors.filter((m) => !/status of 400/.test(m))).toEqual([]);
    expect(errors.filter((m) => /status of 400/.test(m))).toHaveLength(1);
    await context.close();

    // The unit online: registered at the counter without a password, it claims its account (忘记密码, SMS
    // code to its registered mobile), finds the renewal in 我的证书 and asks to revoke the renewed key.
    const u = await newPage(e, PHONE);
    try {
      const up = u.page;
      await up.goto('/help');
      const captchaId = await up.evaluate(async () => ((await (await fetch('/api/captcha')).json()) as { captchaId: string }).captchaId);
      const asked = await api(up, 'POST', '/api/password-reset/request', {
        uscc: unit.org.uscc,
        mobile: unit.mobile,
        captchaId,
        captchaAnswer: CAPTCHA,
      });
      expect(asked.status).toBe(200);
      const code = await smsCode(e, unit.mobile, 1);
      const claimed = await api(up, 'POST', '/api/password-reset/confirm', {
        uscc: unit.org.uscc,
        code,
        password: 'Counter2026x',
        passwordConfirm: 'Counter2026x',
      });
      expect(claimed.status).toBe(200);
      await up.goto('/login');
      await up.getByLabel('统一社会信用代码').fill(unit.org.uscc);
      await up.getByLabel('密码', { exact: true }).fill('Counter2026x');
      await up.getByLabel('验证码', { exact: true }).fill(CAPTCHA);
      await button(up.getByRole('main'), '登录').click();
      await up.waitForURL((url) => url.pathname !== '/login');

      await up.goto('/certificates');
      await poll(() => up.getByTestId('my-cert').count()).toBe(2);
      const shown = (serial: string) =>
        up.locator(`[data-testid="my-cert"][data-serial="${(serial.length % 2 ? `0${serial}` : serial).toUpperCase()}"]`);
      const fresh = shown(renewed.serial);
      const old = shown(unit.serial);
      expect(await fresh.getByTestId('my-cert-status').textContent()).toBe('有效');
      expect(await fresh.textContent()).toContain('续费');
      // The renewed certificate runs a year past the old one's end, and 我的证书 says so.
      expect(await fresh.textContent()).toContain(renewedEnd);
      expect(await old.textContent()).toContain('已续费');
      // The 受理单号 never breaks inside the number on a phone.
      for (const card of [fresh, old])
        expect(
          await card
            .getByTestId('my-cert-counter')
            .locator('.mono')
            .evaluate((el) => el.getClientRects().length),
        ).toBe(1);
      expect(await fitsWidth(up)).toBe(true);
      await shot(up, 'counter-renew-my-certificates-phone');

      await old.getByTestId('my-cert-revoke').click();
      const dialog = up.getByRole('dialog');
      await poll(() => dialog.getByTestId('revocation-warning').count()).toBe(1);
      await dialog.getByTestId('revocation-reason').click();
      await up.getByTitle('已被新证书替代').click();
      await dialog.getByTestId('revocation-send-code').click();
      await poll(() => dialog.getByTestId('revocation-code-sent').count()).toBe(1);
      const revokeCode = /验证码(\d{6})/.exec((await smsFor(e, unit.mobile, 2))[1]!.text)![1]!;
      await dialog.getByTestId('revocation-code').fill(revokeCode);
      await up.getByTestId('revocation-confirm').click();
      await poll(() => old.getByTestId('my-cert-status').textContent()).toBe('吊销申请中');
      expect(await fresh.getByTestId('my-cert-status').textContent()).toBe('有效');
      await shot(up, 'counter-renew-revocation-requested-phone');
      expect(u.errors).toEqual([]);
    } finally {
      await u.context.close();
    }
  }, 240_000);

  it('at 390 px the 续费 form and the receipt show the new end, a year past the old certificate’s', async () => {
    const unit = await unitWithCounterCertificate();
    const renewedEnd = beijingDay(yearOn(unit.notAfter));
    const { page, context, errors } = await newPage(e, PHONE);
    try {
      await staffLogin(page, 'guitai');
      await page.goto('/staff/counter/new');
      await page.getByTestId('counter-uscc').fill(unit.org.uscc);
      await page.getByTestId('counter-lookup').click();
      await poll(() => page.getByTestId('counter-org').textContent()).toContain(unit.org.name);
      await page.getByTestId('counter-business').getByText('续费').click();
      await page.getByTestId('counter-replaces').click();
      await page.locator('.ant-select-item-option').filter({ hasText: '江西省政府采购电子卖场' }).first().click();
      await poll(() => page.getByTestId('counter-validity-preview').textContent()).toContain(`有效期至 ${renewedEnd}`);
      expect(await page.getByTestId('counter-validity-preview').textContent()).toContain('在原证书到期日基础上延长一年');
      await poll(() => fitsWidth(page)).toBe(true);
      await shot(page, 'counter-renew-new-phone');

      // The steps between are the 1366 px test's; here through the same use cases, then the receipt on the phone.
      const meta = { ip: '127.0.0.1' };
      const orderId = await openRenewal(unit);
      await tickMaterials(unit.deps, unit.actor, orderId, ['ukey', 'ukey-password'], meta);
      await actOnCounterOrder(unit.deps, unit.actor, orderId, 'accept', undefined, meta);
      await actOnCounterOrder(unit.deps, unit.actor, orderId, 'approve', undefined, meta);
      const made = await produceAtCounter(unit.deps, unit.actor, orderId, { kind: 'generate', password: 'browser-test-2' }, meta);
      expect(beijingDay(made.certificate.notAfter)).toBe(renewedEnd);
      await payAtCounter(
        unit.deps,
        unit.actor,
        orderId,
        { channel: 'cash', receiptNo: `E2E${randomBytes(4).toString('hex')}`, amountFen: 22000 },
        meta,
      );
      await page.goto(`/staff/counter/${orderId}`);
      await poll(() => page.getByTestId('counter-status').textContent()).toBe('已缴费领取，待制作电子签章');
      const receipt = page.getByTestId('counter-receipt-validity');
      expect(await receipt.textContent()).toContain(`至 ${renewedEnd}`);
      expect(await receipt.textContent()).toContain('在原证书到期日基础上延长一年');
      await receipt.scrollIntoViewIfNeeded();
      await poll(() => fitsWidth(page)).toBe(true);
      await shot(page, 'counter-renew-receipt-phone');
      expect(errors).toEqual([]);
    } finally {
      await context.close();
    }
  }, 120_000);

  it('the counter pages fit a 390 px phone', async () => {
    const unit = await unitWithCounterCertificate();
    const { page, context, errors } = await newPage(e, PHONE);
    await staffLogin(page, 'guitai');
    await page.goto('/staff/counter');
    await poll(() => page.getByTestId('counter-daily-title').textContent()).toContain('日报');
    await shot(page, 'counter-daily-phone');
    await poll(() => fitsWidth(page)).toBe(true);
    await page.goto('/staff/counter/new');
    await page.getByTestId('counter-uscc').fill(unit.org.uscc);
    await page.getByTestId('counter-lookup').click();
    await poll(() => page.getByTestId('counter-org').textContent()).toContain(unit.org.name);
    await poll(() => fitsWidth(page)).toBe(true);
    await shot(page, 'counter-new-phone');
    const orderId = (await e.db.select().from(certificates).where(eq(certificates.id, unit.certificateId)))[0]!.counterOrderId!;
    await page.goto(`/staff/counter/${orderId}`);
    await poll(() => page.getByTestId('counter-status').textContent()).toBe('已办结');
    await poll(() => fitsWidth(page)).toBe(true);
    await shot(page, 'counter-order-phone');
    expect(errors).toEqual([]);
    await context.close();
  });
});
