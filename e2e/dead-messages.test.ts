/**
 * 系统设置 → 发送失败的消息 (管理员, issue 17 item 5), in Chromium at 390 px and 1366 px: a message the outbox
 * gave up on is listed with its last error and sent again; a code SMS says it cannot be.
 */
import { randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { outbox } from '../src/server/db/schema.js';
import { newMobile } from '../src/server/testing/harness.js';
import { DESKTOP, PHONE, fitsWidth, newPage, shot, startE2E, type E2E } from './harness.js';
import { staffLogin } from './page-api.js';

let e: E2E;
beforeAll(async () => {
  e = await startE2E();
});

async function deadSms(template: 'review_passed' | 'password_reset') {
  const phoneNumber = newMobile();
  const params = template === 'password_reset' ? { code: '******' } : { unit: '江西重发测试有限公司', orderNo: '261207-0001-00001' };
  const [row] = await e.db
    .insert(outbox)
    .values({
      channel: 'sms',
      dedupeKey: `e2e-dead:${randomUUID()}`,
      payload: { phoneNumber, template, params },
      status: 'dead',
      attempts: 31,
      lastError: 'aliyun 500 InternalError',
    })
    .returning();
  return row!;
}

describe.each([
  ['phone', PHONE],
  ['desktop', DESKTOP],
] as const)('发送失败的消息 on a %s', (label, viewport) => {
  it('lists a dead message with its error, sends it again, and says why a code SMS cannot be', async () => {
    const dead = await deadSms('review_passed');
    const code = await deadSms('password_reset');
    const { context, page, errors } = await newPage(e, viewport);
    await staffLogin(page, 'admin');
    await page.goto('/staff/settings');
    await page.getByRole('tab', { name: '发送失败的消息' }).click();
    const panel = page.getByTestId('dead-messages');
    await panel.waitFor();
    const row = panel.locator('tr', { has: page.getByTestId(`resend-${dead.id}`) });
    expect(await row.textContent()).toContain('aliyun 500 InternalError');
    expect(await row.textContent()).toContain((dead.payload as { phoneNumber: string }).phoneNumber);
    const codeRow = panel.locator('tr', { hasText: (code.payload as { phoneNumber: string }).phoneNumber });
    expect(await codeRow.textContent()).toContain('验证码短信不能重发');
    expect(await fitsWidth(page)).toBe(true);
    await shot(page, `dead-messages-${label}`);

    await page.getByTestId(`resend-${dead.id}`).click();
    await page.getByRole('button', { name: '重新发送', exact: true }).last().click();
    await page.getByText('已重新发送给').waitFor();
    // Gone from the list once it left the dead state; the outbox then sends it.
    await expect.poll(() => page.getByTestId(`resend-${dead.id}`).count()).toBe(0);
    await expect
      .poll(async () => (await e.db.select().from(outbox).where(eq(outbox.id, dead.id)))[0]!.status, { timeout: 15_000 })
      .toBe('sent');
    expect(errors).toEqual([]);
    await context.close();
  });
});
