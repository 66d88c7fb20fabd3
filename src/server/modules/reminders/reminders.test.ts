/**
 * Expiry reminders with an injected clock (issue 7): one SMS at 90, 30 and 7 days before expiry each, never
 * twice across runs or two instances running at once, none for revoked or renewed certificates, none at night,
 * and the text says where and how to renew. Runs on PGlite and PostgreSQL (where the two instances race for real).
 */
import { randomBytes } from 'node:crypto';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../clock.js';
import { certificates } from '../../db/schema-certificates.js';
import { outbox, sandboxSms } from '../../db/schema.js';
import { testApp, type TestApp } from '../../testing/harness.js';
import { smsFor } from '../../testing/sms.js';
import { testCaEnv } from '../../testing/test-ca.js';
import { revocationRepository } from '../revocation/repository.js';
import { issueTestCertificate } from '../revocation/testing.js';
import { reminderJobs } from './jobs.js';
import { remindersRepository } from './repository.js';
import { inSendingHours, stageOf } from './reminders.js';

const DAY = 86400_000;
let t: TestApp;
let clock: ManualClock;

beforeAll(async () => {
  // 10:00 China time: inside the sending hours.
  clock = new ManualClock(new Date('2027-03-01T10:00:00+08:00'));
  t = await testApp({ clock, env: await testCaEnv() });
}, 120_000);
afterAll(async () => {
  await t?.close();
});

const job = () => reminderJobs({ db: t.db, clock, config: t.config, log: t.app.log });

async function org() {
  const c = t.client();
  const name = `江西到期提醒测试${randomBytes(3).toString('hex')}有限公司`;
  const { res, body } = await c.register({ name });
  expect(res.statusCode, res.body).toBe(201);
  return { id: res.json().organization.id as string, mobile: body.mobile as string, name };
}

/** A certificate of the organization expiring `days` days from the clock's now. */
async function certExpiringIn(o: { id: string; name: string }, days: number, over: Partial<typeof certificates.$inferInsert> = {}) {
  const c = await issueTestCertificate(t, 'sm2', { organizationId: o.id, unitName: o.name, at: clock.now() });
  const notAfter = new Date(clock.now().getTime() + days * DAY);
  await t.db
    .update(certificates)
    .set({ notAfter, notBefore: new Date(notAfter.getTime() - 365 * DAY), ...over })
    .where(eq(certificates.id, c.id));
  return { ...c, notAfter };
}

const smsTo = async (phone: string) => {
  await t.outbox.runOnce();
  return t.db.select().from(sandboxSms).where(eq(sandboxSms.phoneNumber, phone));
};
const stagesOf = async (certId: string) => (await remindersRepository.ofCertificate(t.db, certId)).map((r) => r.stage);

describe('stageOf / sending hours (table)', () => {
  it.each([
    [100, null],
    [90.5, null],
    [90, 90],
    [31, 90],
    [30, 30],
    [8, 30],
    [7, 7],
    [0.5, 7],
    [0, null],
    [-1, null],
  ])('%d days left → stage %s', (days, stage) => {
    expect(stageOf(days * DAY)).toBe(stage);
  });
  it.each([
    ['2027-03-01T08:59:00+08:00', false],
    ['2027-03-01T09:00:00+08:00', true],
    ['2027-03-01T19:59:00+08:00', true],
    ['2027-03-01T20:00:00+08:00', false],
    ['2027-03-01T03:00:00+08:00', false],
  ])('%s sending: %s', (at, ok) => {
    expect(inSendingHours(new Date(at))).toBe(ok);
  });
});

describe('the reminder schedule', () => {
  it('sends 90, 30 and 7 days before expiry, once each, across runs and two instances at once', async () => {
    const o = await org();
    const cert = await certExpiringIn(o, 100);
    await job().runOnce();
    expect(await stagesOf(cert.id)).toEqual([]);

    // 89 days left: the 90-day reminder; two instances at the same moment, then a restart: still one.
    clock.advance(11 * DAY);
    await Promise.all([job().runOnce(), job().runOnce()]);
    await job().runOnce();
    expect(await stagesOf(cert.id)).toEqual([90]);
    const first = await smsFor(t, o.mobile, 1);
    expect(first).toHaveLength(1);
    expect(first[0]!.text).toContain('还剩89天');
    expect(first[0]!.text).toContain(o.name);
    expect(first[0]!.text).toContain('主锁');
    expect(first[0]!.text).toMatch(/到期前携带证书UKEY及密码到江西CA办证大厅或各地受理点办理续费/);
    expect(first[0]!.text).toContain('现场办理');

    // 40 days left: nothing new.
    clock.advance(49 * DAY);
    await job().runOnce();
    expect(await stagesOf(cert.id)).toEqual([90]);

    // 29 days left: the 30-day one, once.
    clock.advance(11 * DAY);
    await Promise.all([job().runOnce(), job().runOnce()]);
    await job().runOnce();
    expect(await stagesOf(cert.id)).toEqual([90, 30]);

    // 6 days left: the 7-day one, once; then past expiry nothing more.
    clock.advance(23 * DAY);
    await Promise.all([job().runOnce(), job().runOnce()]);
    await job().runOnce();
    clock.advance(7 * DAY);
    await job().runOnce();
    expect(await stagesOf(cert.id)).toEqual([90, 30, 7]);

    const all = await smsFor(t, o.mobile, 3);
    // (On PostgreSQL the outbox may deliver the last two in either order.)
    expect(all.map((s) => Number(/还剩(\d+)天/.exec(s.text)?.[1])).sort((x, y) => y - x)).toEqual([89, 29, 6]);
    expect(await smsTo(o.mobile)).toHaveLength(3);
    const rows = await t.db
      .select()
      .from(outbox)
      .where(eq(outbox.dedupeKey, `expiry:${cert.id}:90`));
    expect(rows).toHaveLength(1);
  });

  it('a certificate first seen at 20 days left gets the 30-day reminder only (no stale 90-day one)', async () => {
    const o = await org();
    const cert = await certExpiringIn(o, 20);
    await job().runOnce();
    expect(await stagesOf(cert.id)).toEqual([30]);
    expect((await smsFor(t, o.mobile, 1))[0]!.text).toContain('还剩20天');
  });

  it('none for revoked or renewed certificates, nor while a revocation request is open; none at night', async () => {
    const o = await org();
    const revoked = await certExpiringIn(o, 60, { status: 'revoked', revokedAt: clock.now(), revocationReason: 1 });
    // Renewed: a later certificate of the same organization, project and key type, issued within the renewal window.
    const renewed = await certExpiringIn(o, 25);
    const renewal = await issueTestCertificate(t, 'sm2', { organizationId: o.id, unitName: o.name, at: clock.now() });
    // Renewed through the link the counter records (replaces_id), even where the heuristic would not see it
    // (here the renewal is of another project, so only the link says so).
    const linked = await certExpiringIn(o, 25);
    const successor = await issueTestCertificate(t, 'sm2', { organizationId: o.id, unitName: o.name, at: clock.now() });
    await t.db.update(certificates).set({ projectCode: 'other-project', replacesId: linked.id }).where(eq(certificates.id, successor.id));
    // A 副锁 of the same project expiring at the same time is not renewed by that main key's renewal.
    const sub = await certExpiringIn(o, 25, { keyType: 'sub' });
    // Another organization's certificate with an open revocation request.
    const p = await org();
    const pending = await certExpiringIn(p, 5);
    await revocationRepository.insertRequest(t.db, {
      certificateId: pending.id,
      serial: pending.serial,
      source: 'applicant',
      reason: 1,
      requestedByOrg: p.id,
      requestedAt: clock.now(),
    });

    // At night nothing is sent, even what is due.
    clock.set(new Date(clock.now().getTime() + 12 * 3600_000)); // 22:00 China time
    expect(inSendingHours(clock.now())).toBe(false);
    await job().runOnce();
    expect(await stagesOf(sub.id)).toEqual([]);
    clock.set(new Date(clock.now().getTime() + 12 * 3600_000)); // 10:00 the next day

    await job().runOnce();
    await job().runOnce();
    expect(await stagesOf(revoked.id)).toEqual([]);
    expect(await stagesOf(renewed.id)).toEqual([]);
    expect(await stagesOf(linked.id)).toEqual([]);
    expect(await stagesOf(renewal.id)).toEqual([]); // a year left
    expect(await stagesOf(pending.id)).toEqual([]);
    expect(await stagesOf(sub.id)).toEqual([30]);
    const toO = await smsFor(t, o.mobile, 1);
    expect(toO).toHaveLength(1);
    expect(toO[0]!.text).toContain('副锁');
    expect(await smsTo(p.mobile)).toHaveLength(0);
  });
});
