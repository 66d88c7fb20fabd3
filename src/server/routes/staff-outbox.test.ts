/** 发送失败的消息 (管理员) through the real app: the list, sending again (compare-and-set, audited), and what may not be sent again. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { and, eq } from 'drizzle-orm';
import { auditEvents, outbox } from '../db/schema.js';
import { newMobile, testApp, type TestApp } from '../testing/harness.js';
import { staffMember } from '../testing/paid-order.js';
import { smsFor } from '../testing/sms.js';
import { SMS_TEMPLATE_NAMES } from '../adapters/sms/port.js';

let t: TestApp;
beforeAll(async () => {
  t = await testApp();
});
afterAll(() => t.close());

/** A message the outbox gave up on, as the worker leaves it. */
async function deadSms(template: 'review_passed' | 'password_reset', phoneNumber: string) {
  const params = template === 'password_reset' ? { code: '******' } : { unit: '江西重发测试有限公司', orderNo: '261207-0001-00001' };
  const [row] = await t.db
    .insert(outbox)
    .values({
      channel: 'sms',
      dedupeKey: `test-dead:${phoneNumber}:${template}`,
      payload: { phoneNumber, template, params },
      status: 'dead',
      attempts: 31,
      lastError: 'aliyun 500 InternalError',
      createdAt: new Date(Date.now() - 25 * 3_600_000),
    })
    .returning();
  return row!;
}

describe('发送失败的消息', () => {
  it('管理员 sees it, sends it again once (audited), and the worker delivers it', async () => {
    const phone = newMobile();
    const row = await deadSms('review_passed', phone);
    const { c, s } = await staffMember(t, ['管理员']);
    const list = await c.get('/api/staff/outbox/dead');
    expect(list.statusCode).toBe(200);
    const item = (list.json().items as { id: number }[]).find((i) => i.id === row.id);
    expect(item).toMatchObject({ channel: 'sms', to: phone, what: SMS_TEMPLATE_NAMES.review_passed, attempts: 31, cannotResend: null });

    const again = await c.post(`/api/staff/outbox/${row.id}/resend`);
    expect(again.statusCode, again.body).toBe(200);
    expect(again.json().message).toMatchObject({ id: row.id, attempts: 0 });
    // Twice (a double click, another admin): refused, nothing changes twice.
    const twice = await c.post(`/api/staff/outbox/${row.id}/resend`);
    expect(twice.statusCode).toBe(409);
    expect(twice.json().error.message).toMatch(/正在重发|已发送成功/);
    const audits = await t.db
      .select()
      .from(auditEvents)
      .where(and(eq(auditEvents.action, 'outbox.resend'), eq(auditEvents.targetId, String(row.id))));
    expect(audits).toHaveLength(1);
    expect(audits[0]).toMatchObject({ actorType: 'staff', actorId: s.id });

    const delivered = await smsFor(t, phone);
    expect(delivered).toHaveLength(1);
    expect(delivered[0]!.templateParam).toMatchObject({ orderNo: '261207-0001-00001' });
    const [after] = await t.db.select().from(outbox).where(eq(outbox.id, row.id));
    expect(after).toMatchObject({ status: 'sent', resentBy: s.id });
  });

  it('a code SMS cannot be sent again: it says why, and stays dead', async () => {
    const row = await deadSms('password_reset', newMobile());
    const { c } = await staffMember(t, ['管理员']);
    const item = ((await c.get('/api/staff/outbox/dead')).json().items as { id: number; cannotResend: string }[]).find(
      (i) => i.id === row.id,
    );
    expect(item!.cannotResend).toContain('验证码短信不能重发');
    const res = await c.post(`/api/staff/outbox/${row.id}/resend`);
    expect(res.statusCode).toBe(409);
    expect(res.json().error.message).toContain('请让用户重新获取验证码');
    expect((await t.db.select().from(outbox).where(eq(outbox.id, row.id)))[0]!.status).toBe('dead');
  });

  it.each([
    ['abc', 400],
    ['0', 400],
    ['99999999999', 404],
  ])('a message id of %s answers %i', async (id, status) => {
    const { c } = await staffMember(t, ['管理员']);
    expect((await c.post(`/api/staff/outbox/${id}/resend`)).statusCode).toBe(status);
  });

  it('only 管理员: other roles are refused before anything is read', async () => {
    const row = await deadSms('review_passed', newMobile());
    for (const role of ['预审', '受理', '制证', '财务'] as const) {
      const { c } = await staffMember(t, [role]);
      expect((await c.get('/api/staff/outbox/dead')).statusCode).toBe(403);
      expect((await c.post(`/api/staff/outbox/${row.id}/resend`)).statusCode).toBe(403);
    }
    expect((await t.client().get('/api/staff/outbox/dead')).statusCode).toBe(401);
    expect((await t.db.select().from(outbox).where(eq(outbox.id, row.id)))[0]!.status).toBe('dead');
  });
});
