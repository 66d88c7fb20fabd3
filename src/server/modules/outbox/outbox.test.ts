/**
 * The outbox worker on a database of its own (testing/isolated-db.ts): a worker here injects failures,
 * which must not reach other test files' messages. The SMS provider is a test double that records what
 * it was asked to send and fails on command — the fault we inject; the real provider path (Aliyun client →
 * sandbox gateway) is covered in adapters/sms/aliyun.test.ts and routes/password-reset.test.ts.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { DrizzleQueryError, eq, sql } from 'drizzle-orm';
import { ManualClock } from '../../clock.js';
import type { Db } from '../../db/client.js';
import { outbox } from '../../db/schema.js';
import { isolatedDb, type IsolatedDb } from '../../testing/isolated-db.js';
import { SmsError, type SmsMessage, type SmsSender } from '../../adapters/sms/port.js';
import { RETRY_WINDOW_MS, backoffMs, enqueueSms, outboxWorker } from './outbox.js';

let iso: IsolatedDb;
let db: Db;
let clock: ManualClock;
beforeAll(async () => {
  iso = await isolatedDb('outbox');
  db = (await iso.open()).db;
}, 60_000);
afterAll(() => iso.drop());
beforeEach(async () => {
  clock = new ManualClock(new Date('2031-05-01T02:00:00Z'));
  await db.delete(outbox);
});

const silent = { warn: () => {}, error: () => {} };
const msg = (n: number | string): SmsMessage => ({
  phoneNumber: '13800138000',
  template: 'password_reset',
  params: { code: String(n).padStart(6, '0') },
});

/** A provider double: records every send; `failures` decides what the next calls throw. */
function fakeSms(failures: (Error | null)[] = [], delayMs = 0) {
  const sent: SmsMessage[] = [];
  let calls = 0;
  const sender: SmsSender = {
    name: 'fake',
    async send(m) {
      const f = failures[calls++];
      if (delayMs) await new Promise((r) => setTimeout(r, Math.random() * delayMs));
      if (f) throw f;
      sent.push(m);
      return { providerMessageId: `fake-${calls}` };
    },
  };
  return { sender, sent, calls: () => calls };
}
const rowByKey = async (key: string) => (await db.select().from(outbox).where(eq(outbox.dedupeKey, key)))[0]!;

describe('enqueue', () => {
  it('dedupes: the same event enqueued twice is one row and one SMS', async () => {
    await enqueueSms(db, 'password_reset:a', msg(1), clock.now());
    await db.transaction((tx) => enqueueSms(tx, 'password_reset:a', msg(2), clock.now()));
    expect(await db.select().from(outbox)).toHaveLength(1);
    expect((await rowByKey('password_reset:a')).payload).toMatchObject({ params: { code: '000001' } });
    const sms = fakeSms();
    const w = outboxWorker({ db, clock, sms: sms.sender, log: silent });
    expect(await w.runOnce()).toBe(1);
    expect(await w.runOnce()).toBe(0);
    await enqueueSms(db, 'password_reset:a', msg(3), clock.now());
    expect(await w.runOnce()).toBe(0);
    expect(sms.sent).toEqual([msg(1)]);
  });

  it('is part of the caller’s transaction: a rolled-back change sends nothing', async () => {
    await db
      .transaction(async (tx) => {
        await enqueueSms(tx, 'password_reset:rolled-back', msg(1), clock.now());
        throw new Error('the change failed');
      })
      .catch(() => {});
    expect(await db.select().from(outbox)).toHaveLength(0);
  });
});

describe('retries', () => {
  it.each([
    [1, 5_000],
    [2, 10_000],
    [3, 20_000],
    [7, 320_000],
    [10, 2_560_000],
    [11, 3_600_000],
    [30, 3_600_000],
  ])('backoff after attempt %i is %i ms', (attempts, ms) => expect(backoffMs(attempts)).toBe(ms));

  it('retries a failing send with growing backoff, then sends it once and forgets the code', async () => {
    await enqueueSms(db, 'k', msg(424242), clock.now());
    const sms = fakeSms([new SmsError('aliyun 503 ServiceUnavailable', true), new Error('socket hang up')]);
    const w = outboxWorker({ db, clock, sms: sms.sender, log: silent });

    expect(await w.runOnce()).toBe(1);
    let row = await rowByKey('k');
    expect(row).toMatchObject({ status: 'pending', attempts: 1, lastError: 'aliyun 503 ServiceUnavailable', lockedUntil: null });
    expect(row.nextAttemptAt.getTime() - clock.now().getTime()).toBe(5_000);
    expect(await w.runOnce()).toBe(0); // not due yet
    clock.advance(4_999);
    expect(await w.runOnce()).toBe(0);
    clock.advance(1);
    expect(await w.runOnce()).toBe(1);
    row = await rowByKey('k');
    expect(row).toMatchObject({ status: 'pending', attempts: 2, lastError: 'socket hang up' });
    expect(row.nextAttemptAt.getTime() - clock.now().getTime()).toBe(10_000);
    clock.advance(10_000);
    expect(await w.runOnce()).toBe(1);
    row = await rowByKey('k');
    expect(row).toMatchObject({ status: 'sent', attempts: 3, lastError: null, providerMessageId: 'fake-3' });
    expect(row.sentAt).toEqual(clock.now());
    expect(JSON.stringify(row.payload)).not.toContain('424242');
    expect(row.payload).toMatchObject({ params: { code: '******' } });
    expect(sms.sent).toEqual([msg(424242)]);
    expect(sms.calls()).toBe(3);
  });

  it('keeps retrying through a 24-hour outage (at least hourly), then gives up: dead, code scrubbed, never tried again', async () => {
    const queued = clock.now().getTime();
    await enqueueSms(db, 'k', msg(777777), clock.now());
    const sms = fakeSms(Array.from({ length: 200 }, () => new SmsError('aliyun 500 InternalError', true)));
    const w = outboxWorker({ db, clock, sms: sms.sender, log: silent });
    const attemptsAt: number[] = [];
    for (let i = 0; i < 100; i++) {
      if ((await w.runOnce()) === 1) attemptsAt.push(clock.now().getTime() - queued);
      const row = await rowByKey('k');
      if (row.status === 'dead') break;
      clock.set(row.nextAttemptAt);
    }
    const row = await rowByKey('k');
    expect(row).toMatchObject({ status: 'dead', lastError: 'aliyun 500 InternalError' });
    // Still trying a day later, never more than an hour apart, and given up only once the day is over.
    expect(attemptsAt.at(-1)!).toBeGreaterThanOrEqual(RETRY_WINDOW_MS);
    expect(attemptsAt.at(-2)!).toBeLessThan(RETRY_WINDOW_MS);
    for (let i = 1; i < attemptsAt.length; i++) expect(attemptsAt[i]! - attemptsAt[i - 1]!).toBeLessThanOrEqual(3_600_000);
    expect(sms.calls()).toBe(attemptsAt.length);
    expect(row.attempts).toBe(attemptsAt.length);
    expect(JSON.stringify(row.payload)).not.toContain('777777');
    clock.advance(7 * 24 * 3_600_000);
    expect(await w.runOnce()).toBe(0);
  });

  it('gives up at once on a non-retryable error (an illegal number), and scrubs the code', async () => {
    await enqueueSms(db, 'k', msg(123123), clock.now());
    const sms = fakeSms([new SmsError('aliyun 200 isv.MOBILE_NUMBER_ILLEGAL 非法手机号', false)]);
    const w = outboxWorker({ db, clock, sms: sms.sender, log: silent });
    expect(await w.runOnce()).toBe(1);
    clock.advance(24 * 3_600_000);
    expect(await w.runOnce()).toBe(0);
    const row = await rowByKey('k');
    expect(row).toMatchObject({ status: 'dead', attempts: 1, lastError: 'aliyun 200 isv.MOBILE_NUMBER_ILLEGAL 非法手机号' });
    expect(JSON.stringify(row.payload)).not.toContain('123123');
    expect(sms.calls()).toBe(1);
  });

  it('a row for a channel the worker has no sender for is never claimed: not retried, not burnt, left for a worker that can send it', async () => {
    await db
      .insert(outbox)
      .values({ channel: 'email', dedupeKey: 'mail', payload: { to: 'x@example.cn' }, createdAt: clock.now(), nextAttemptAt: clock.now() });
    const sms = fakeSms();
    const w = outboxWorker({ db, clock, sms: sms.sender, log: silent });
    expect(await w.runOnce()).toBe(0);
    expect(await w.runOnce()).toBe(0);
    expect(await rowByKey('mail')).toMatchObject({ status: 'pending', attempts: 0, lockedUntil: null, lastError: null });
    expect(sms.calls()).toBe(0);
  });

  it('logs a failure without the message or its code', async () => {
    await enqueueSms(db, 'k', msg(555555), clock.now());
    const lines: string[] = [];
    const w = outboxWorker({
      db,
      clock,
      sms: fakeSms([new SmsError('aliyun 503 ServiceUnavailable', true)]).sender,
      log: { warn: (o, m) => lines.push(JSON.stringify({ ...o, m })), error: (o, m) => lines.push(JSON.stringify({ ...o, m })) },
    });
    await w.runOnce();
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain('outbox delivery failed');
    expect(lines[0]).not.toContain('555555');
    expect(lines[0]).not.toContain('13800138000');
  });

  it('a failed query inside the sender (the sandbox recording the SMS) leaves no code in the log or in last_error', async () => {
    await enqueueSms(db, 'k', msg(246810), clock.now());
    const text = '【江西CA（沙箱）】…验证码246810，10分钟内有效。';
    const failure = new DrizzleQueryError('insert into "sandbox_sms" ("text") values ($1)', [text], new Error('connection terminated'));
    const lines: string[] = [];
    const log = (o: object, m: string) => lines.push(JSON.stringify({ ...o, m }));
    const w = outboxWorker({ db, clock, sms: fakeSms([failure]).sender, log: { warn: log, error: log } });
    await w.runOnce();
    const row = await rowByKey('k');
    expect(row.lastError).toMatch(/^Failed query: insert into "sandbox_sms"/);
    for (const s of [...lines, row.lastError!]) expect(s).not.toContain('246810');
  });
});

describe('crashes and concurrency', () => {
  it('a message claimed by a worker that died is sent by another once its lease runs out', async () => {
    await enqueueSms(db, 'k', msg(1), clock.now());
    // What a claim does, then the process dies before sending.
    await db.execute(
      sql`update ${outbox} set attempts = attempts + 1, locked_until = ${new Date(clock.now().getTime() + 60_000)} where dedupe_key = 'k'`,
    );
    const sms = fakeSms();
    const w = outboxWorker({ db, clock, sms: sms.sender, log: silent });
    expect(await w.runOnce()).toBe(0);
    clock.advance(60_001);
    expect(await w.runOnce()).toBe(1);
    expect(await rowByKey('k')).toMatchObject({ status: 'sent', attempts: 2 });
    expect(sms.sent).toHaveLength(1);
  });

  it('two workers (separate connection pools on PostgreSQL) running at once deliver each message exactly once', async () => {
    const N = 60;
    for (let i = 0; i < N; i++) await enqueueSms(db, `m${i}`, msg(i), clock.now());
    // A second instance: on PostgreSQL its own pool, so the two claims really race (FOR UPDATE SKIP LOCKED).
    const db2 = (await iso.open()).db;
    const a = fakeSms([], 5);
    const b = fakeSms([], 5);
    const wa = outboxWorker({ db, clock, sms: a.sender, log: silent });
    const wb = outboxWorker({ db: db2, clock, sms: b.sender, log: silent });
    const counts = await Promise.all([wa.runOnce(), wb.runOnce(), wa.runOnce(), wb.runOnce()]);
    // runOnce joins a run already going on the same worker, so the pairs report the same numbers.
    expect(counts[0]! + counts[1]!).toBe(N);
    const codes = [...a.sent, ...b.sent].map((m) => m.params.code).sort();
    expect(codes).toEqual(Array.from({ length: N }, (_, i) => msg(i).params.code).sort());
    const rows = await db.select().from(outbox);
    expect(rows.every((r) => r.status === 'sent' && r.attempts === 1)).toBe(true);
    if (iso.kind === 'postgres') {
      // Both workers really took part.
      expect(a.sent.length).toBeGreaterThan(0);
      expect(b.sent.length).toBeGreaterThan(0);
    }
  });

  it('start() polls and stop() waits for the current run', async () => {
    const sms = fakeSms([], 20);
    const w = outboxWorker({ db, clock, sms: sms.sender, log: silent });
    w.start(10);
    await enqueueSms(db, 'k', msg(9), clock.now());
    for (let i = 0; i < 100 && sms.sent.length === 0; i++) await new Promise((r) => setTimeout(r, 10));
    await w.stop();
    expect(sms.sent).toHaveLength(1);
    expect((await rowByKey('k')).status).toBe('sent');
  });
});
