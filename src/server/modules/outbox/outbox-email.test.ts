/**
 * The outbox's e-mail channel on a database of its own (testing/isolated-db.ts: faults injected here must not
 * reach other files' messages): attachments travel as storage keys and are read from the encrypted store at
 * sending time; a vanished file is given up at once; a retryable failure backs off; a worker without a mail
 * sender leaves e-mail alone. The real SMTP path is covered in adapters/mail/smtp.test.ts and
 * routes/invoices.test.ts.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { ManualClock } from '../../clock.js';
import type { Db } from '../../db/client.js';
import { outbox } from '../../db/schema.js';
import { MailError, type MailMessage, type MailSender } from '../../adapters/mail/port.js';
import type { SmsSender } from '../../adapters/sms/port.js';
import { encryptingFileStore } from '../../adapters/storage/encrypted.js';
import { StoredFileMissing } from '../../adapters/storage/port.js';
import { localDiskBackend } from '../../adapters/storage/local-disk.js';
import { isolatedDb, type IsolatedDb } from '../../testing/isolated-db.js';
import { backoffMs, enqueueEmail, enqueueSms, outboxWorker } from './outbox.js';

let iso: IsolatedDb;
let db: Db;
let clock: ManualClock;
const dir = mkdtempSync(path.join(tmpdir(), 'certdesk-outbox-mail-'));
const files = encryptingFileStore(localDiskBackend(dir), randomBytes(32));
beforeAll(async () => {
  iso = await isolatedDb('outbox_mail');
  db = (await iso.open()).db;
}, 60_000);
afterAll(async () => {
  await iso.drop();
  rmSync(dir, { recursive: true, force: true });
});
beforeEach(async () => {
  clock = new ManualClock(new Date('2031-05-01T02:00:00Z'));
  await db.delete(outbox);
});

const silent = { warn: () => {}, error: () => {} };
const noSms: SmsSender = {
  name: 'none',
  send: async () => {
    throw new Error('no SMS expected');
  },
};
/** A mail server double that records what it was asked to send. */
function fakeMail() {
  const sent: MailMessage[] = [];
  let calls = 0;
  const sender: MailSender = {
    name: 'fake',
    async send(m) {
      calls++;
      sent.push(m);
      return { providerMessageId: `<fake-${calls}@test>` };
    },
  };
  return { sender, sent };
}
const row = async (key: string) => (await db.select().from(outbox).where(eq(outbox.dedupeKey, key)))[0]!;
const email = (storageKey?: string) => ({
  to: 'fp@example.com',
  subject: '发票',
  text: '见附件',
  attachments: storageKey ? [{ filename: '发票.pdf', contentType: 'application/pdf', storageKey }] : [],
});

describe('e-mail through the outbox', () => {
  it('reads the attachment from the encrypted store at sending time and sends it once', async () => {
    const pdf = Buffer.concat([Buffer.from('%PDF-1.7\n'), randomBytes(2048)]);
    const key = await files.put(pdf);
    await enqueueEmail(db, 'invoice:a', email(key), clock.now());
    await db.transaction((tx) => enqueueEmail(tx, 'invoice:a', email(key), clock.now()));
    expect(await db.select().from(outbox)).toHaveLength(1);
    expect(JSON.stringify((await row('invoice:a')).payload)).not.toContain(pdf.subarray(9, 40).toString('base64'));

    const mail = fakeMail();
    const w = outboxWorker({ db, clock, sms: noSms, mail: { sender: mail.sender, files }, log: silent });
    expect(await w.runOnce()).toBe(1);
    expect(await w.runOnce()).toBe(0);
    expect(mail.sent).toHaveLength(1);
    expect(mail.sent[0]).toMatchObject({ to: 'fp@example.com', subject: '发票', text: '见附件' });
    expect(mail.sent[0]!.attachments![0]!.content.equals(pdf)).toBe(true);
    expect(await row('invoice:a')).toMatchObject({ status: 'sent', providerMessageId: '<fake-1@test>', attempts: 1 });
  });

  it('retries an attachment whose file cannot be read yet, and sends it once the file is there', async () => {
    const pdf = Buffer.from('%PDF-1.7 restored');
    const key = await files.put(pdf);
    await enqueueEmail(db, 'invoice:b', email(key), clock.now());
    // The first read finds nothing (another instance's file not yet visible, or being restored from a backup).
    let reads = 0;
    const flaky = { get: async (k: string) => (reads++ === 0 ? Promise.reject(new StoredFileMissing(k)) : files.get(k)) };
    const mail = fakeMail();
    const w = outboxWorker({ db, clock, sms: noSms, mail: { sender: mail.sender, files: flaky }, log: silent });
    await w.runOnce();
    expect(mail.sent).toHaveLength(0);
    expect(await row('invoice:b')).toMatchObject({ status: 'pending', attempts: 1, lastError: expect.stringMatching(/StoredFileMissing/) });
    clock.advance(backoffMs(1));
    await w.runOnce();
    expect(await row('invoice:b')).toMatchObject({ status: 'sent', attempts: 2 });
    expect(mail.sent[0]!.attachments![0]!.content.equals(pdf)).toBe(true);
  });

  it('backs off after a retryable failure and gives up on a permanent one', async () => {
    await enqueueEmail(db, 'invoice:c', { ...email(), to: 'busy@example.com' }, clock.now());
    await enqueueEmail(db, 'invoice:d', { ...email(), to: 'gone@example.com' }, clock.now());
    // The mail server is busy once for one address and refuses the other for good (whatever order they go in).
    let busy = 1;
    const sent: string[] = [];
    const sender: MailSender = {
      name: 'fake',
      async send(m) {
        if (m.to === 'gone@example.com') throw new MailError('smtp EENVELOPE 550', false);
        if (busy-- > 0) throw new MailError('smtp ECONNECTION', true);
        sent.push(m.to);
        return { providerMessageId: '<fake@test>' };
      },
    };
    const w = outboxWorker({ db, clock, sms: noSms, mail: { sender, files }, log: silent });
    await w.runOnce();
    expect(await row('invoice:c')).toMatchObject({
      status: 'pending',
      attempts: 1,
      nextAttemptAt: new Date(clock.now().getTime() + backoffMs(1)),
    });
    expect(await row('invoice:d')).toMatchObject({ status: 'dead', attempts: 1 });
    clock.advance(backoffMs(1));
    await w.runOnce();
    expect(await row('invoice:c')).toMatchObject({ status: 'sent', attempts: 2 });
    expect(sent).toEqual(['busy@example.com']);
  });

  it('a worker without a mail sender sends SMS and leaves e-mail untouched for one that has it', async () => {
    await enqueueEmail(db, 'invoice:e', email(), clock.now());
    await enqueueSms(
      db,
      'sms:e',
      { phoneNumber: '13800138000', template: 'shipped', params: { orderNo: '1', trackingNo: 'SF1' } },
      clock.now(),
    );
    const texts: string[] = [];
    const sms: SmsSender = { name: 'fake', send: async (m) => (texts.push(m.phoneNumber), { providerMessageId: 'x' }) };
    expect(await outboxWorker({ db, clock, sms, log: silent }).runOnce()).toBe(1);
    expect(texts).toEqual(['13800138000']);
    expect(await row('invoice:e')).toMatchObject({ status: 'pending', attempts: 0, lockedUntil: null });
    const mail = fakeMail();
    await outboxWorker({ db, clock, sms, mail: { sender: mail.sender, files }, log: silent }).runOnce();
    expect(await row('invoice:e')).toMatchObject({ status: 'sent' });
  });
});
