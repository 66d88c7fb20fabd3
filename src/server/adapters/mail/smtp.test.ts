/**
 * The real SMTP adapter (nodemailer) against the sandbox SMTP server (smtp-server + mailparser) over a
 * real TCP socket on 127.0.0.1: what arrives is what was sent, byte for byte; the server's refusals come
 * back as MailErrors the outbox retries or gives up on by SMTP's reply codes; and the configuration that
 * chooses between the sandbox and the CA's mail server.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { createConnection } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { asc, eq } from 'drizzle-orm';
import { simpleParser } from 'mailparser';
import { ManualClock } from '../../clock.js';
import { assertServable, ConfigError, loadConfig } from '../../config.js';
import type { Db } from '../../db/client.js';
import { sandboxMail } from '../../db/schema.js';
import { testDb } from '../../testing/harness.js';
import { MailError, type MailMessage } from './port.js';
import { SANDBOX_SMTP_LOGIN, sandboxMailSender, sandboxMailServer, type SandboxMailServer } from './sandbox-server.js';
import { smtpMailSender } from './smtp.js';

const clock = new ManualClock(new Date('2026-11-20T10:00:00+08:00'));
const FROM = '江西CA（测试） <invoice@jxca-test.example.com>';
let db: Db;
let server: SandboxMailServer;
let url: string;
let port: number;

beforeAll(async () => {
  db = (await testDb()).db;
  server = sandboxMailServer({ db, clock, maxBytes: 256 * 1024 });
  ({ url, port } = await server.listen());
});
afterAll(() => server.close());

const address = () => `fp-${randomUUID().slice(0, 8)}@example.com`;
const stored = (to: string) => db.select().from(sandboxMail).where(eq(sandboxMail.to, to)).orderBy(asc(sandboxMail.id));
const message = (to: string, over: Partial<MailMessage> = {}): MailMessage => ({
  to,
  subject: '江西CA数字证书发票（订单号 202611201234567）',
  text: '江西测试有限公司：\n\n您好！发票已开具，见附件。',
  ...over,
});
const failure = (p: Promise<unknown>) => p.then(() => expect.unreachable('should have failed')).catch((e: unknown) => e as MailError);

describe('the SMTP adapter and the sandbox server, over TCP on 127.0.0.1', () => {
  it('listens on loopback only, on a port of its own', () => {
    expect(url).toMatch(/^smtp:\/\/[^@]+@127\.0\.0\.1:\d+$/);
    expect(port).toBeGreaterThan(0);
  });

  it('delivers a message with attachments that arrive byte-identical, Chinese subject and file names intact', async () => {
    const to = address();
    const pdf = Buffer.concat([Buffer.from('%PDF-1.7\n'), Buffer.from(Array.from({ length: 256 }, (_, i) => i)), randomBytes(10_000)]);
    const note = Buffer.from('第二个附件：纯文本\r\n行尾保持不变\n', 'utf8');
    const sender = smtpMailSender({ url, from: FROM });
    const { providerMessageId } = await sender.send(
      message(to, {
        attachments: [
          { filename: '江西CA发票_202611201234567.pdf', contentType: 'application/pdf', content: pdf },
          { filename: '说明.txt', contentType: 'text/plain; charset=utf-8', content: note },
        ],
      }),
    );
    const rows = await stored(to);
    expect(rows).toHaveLength(1);
    const row = rows[0]!;
    expect(row).toMatchObject({
      messageId: providerMessageId,
      subject: '江西CA数字证书发票（订单号 202611201234567）',
      text: '江西测试有限公司：\n\n您好！发票已开具，见附件。',
      receivedAt: clock.now(),
    });
    expect(row.attachments).toEqual([
      { filename: '江西CA发票_202611201234567.pdf', contentType: 'application/pdf', bytes: pdf.length },
      { filename: '说明.txt', contentType: 'text/plain', bytes: note.length },
    ]);
    const parsed = await simpleParser(row.raw);
    expect(parsed.attachments[0]!.content.equals(pdf)).toBe(true);
    expect(parsed.attachments[1]!.content.equals(note)).toBe(true);
    expect(parsed.from?.value[0]).toMatchObject({ address: 'invoice@jxca-test.example.com', name: '江西CA（测试）' });
    expect(parsed.to && !Array.isArray(parsed.to) ? parsed.to.text : '').toBe(to);
  });

  it('stores one row per recipient, addresses in lower case', async () => {
    const to = address();
    await smtpMailSender({ url, from: FROM }).send(message(to.toUpperCase()));
    expect(await stored(to)).toHaveLength(1);
  });

  it('a wrong password is refused (535) and retried later: an operator fixes the configuration', async () => {
    const to = address();
    const bad = url.replace(encodeURIComponent(SANDBOX_SMTP_LOGIN.pass), 'wrong');
    const e = await failure(smtpMailSender({ url: bad, from: FROM }).send(message(to)));
    expect(e).toBeInstanceOf(MailError);
    expect(e.message).toMatch(/EAUTH 535/);
    expect(e.retryable).toBe(true);
    expect(await stored(to)).toHaveLength(0);
  });

  it('sending without logging in is refused (530), retryable for the same reason', async () => {
    const to = address();
    const e = await failure(smtpMailSender({ url: `smtp://127.0.0.1:${port}`, from: FROM }).send(message(to)));
    expect(e.message).toMatch(/530/);
    expect(e.retryable).toBe(true);
    expect(await stored(to)).toHaveLength(0);
  });

  it('a mailbox the server refuses (550) is permanent: not retried', async () => {
    const e = await failure(smtpMailSender({ url, from: FROM }).send(message('nobody@example.invalid')));
    expect(e.message).toMatch(/550/);
    expect(e.retryable).toBe(false);
  });

  it('a message over the size limit (552) is permanent: not retried', async () => {
    const to = address();
    const big = { filename: 'big.pdf', contentType: 'application/pdf', content: randomBytes(300 * 1024) };
    const e = await failure(smtpMailSender({ url, from: FROM }).send(message(to, { attachments: [big] })));
    expect(e.message).toMatch(/552/);
    expect(e.retryable).toBe(false);
    expect(await stored(to)).toHaveLength(0);
  });

  it('a refused connection is retryable', async () => {
    const e = await failure(smtpMailSender({ url: 'smtp://u:p@127.0.0.1:9', from: FROM, timeoutMs: 2000 }).send(message(address())));
    expect(e).toBeInstanceOf(MailError);
    expect(e.retryable).toBe(true);
  });
});

describe('the sandbox sender', () => {
  it('starts its server on first use, and close() stops it', async () => {
    const sender = sandboxMailSender({ db, clock, from: FROM });
    const to = address();
    await sender.send(message(to));
    expect(await stored(to)).toHaveLength(1);
    const { port: p } = await sender.listen();
    await sender.close();
    const refused = await new Promise<boolean>((resolve) => {
      const s = createConnection({ host: '127.0.0.1', port: p });
      s.once('connect', () => (s.destroy(), resolve(false)));
      s.once('error', () => resolve(true));
    });
    expect(refused).toBe(true);
  });
});

describe('CERTDESK_MAIL, SMTP_URL, MAIL_FROM', () => {
  const SECRET = 'x'.repeat(40);

  it('defaults to the sandbox outside production', () => {
    expect(loadConfig({ NODE_ENV: 'development' }).mail).toEqual({
      kind: 'sandbox',
      from: '江西CA（沙箱） <invoice@sandbox.certdesk.invalid>',
    });
    expect(loadConfig({ NODE_ENV: 'test', MAIL_FROM: 'CA <a@b.example>' }).mail).toEqual({ kind: 'sandbox', from: 'CA <a@b.example>' });
  });

  it('smtp needs SMTP_URL and MAIL_FROM, an smtp(s) URL and an address', () => {
    const env = {
      CERTDESK_MAIL: 'smtp',
      SMTP_URL: 'smtps://invoice%40jxca.example:p%40ss@smtp.jxca.example:465',
      MAIL_FROM: '江西CA <invoice@jxca.example>',
    };
    expect(loadConfig(env).mail).toEqual({ kind: 'smtp', url: env.SMTP_URL, from: env.MAIL_FROM });
    expect(() => loadConfig({ ...env, SMTP_URL: '' })).toThrow(/CERTDESK_MAIL=smtp needs SMTP_URL/);
    expect(() => loadConfig({ CERTDESK_MAIL: 'smtp', SMTP_URL: env.SMTP_URL })).toThrow(/needs MAIL_FROM/);
    expect(() => loadConfig({ ...env, SMTP_URL: 'https://smtp.jxca.example' })).toThrow(/SMTP_URL must be smtps:\/\//);
    expect(() => loadConfig({ ...env, MAIL_FROM: '江西CA' })).toThrow(/MAIL_FROM must be an e-mail address/);
    expect(() => loadConfig({ CERTDESK_MAIL: 'pigeon' })).toThrow(ConfigError);
  });

  it('production will not serve without an explicit choice (a silent sandbox would never deliver an invoice)', () => {
    // SMS and payments are chosen here, so only e-mail is in question.
    const prod = {
      NODE_ENV: 'production',
      CERTDESK_SECRET: SECRET,
      CERTDESK_SMS: 'sandbox',
      CERTDESK_PAY: 'sandbox',
      CERTDESK_PUBLIC_URL: 'https://ca.example.cn',
      CERTDESK_SIGNER_URL: 'unix:/run/certdesk/signer.sock',
    };
    expect(() => assertServable(loadConfig(prod), prod)).toThrow(/CERTDESK_MAIL must be set in production/);
    const staging = { ...prod, CERTDESK_MAIL: 'sandbox' };
    expect(() => assertServable(loadConfig(staging), staging)).not.toThrow();
    const real = { ...prod, CERTDESK_MAIL: 'smtp', SMTP_URL: 'smtps://u:p@smtp.jxca.example:465', MAIL_FROM: 'invoice@jxca.example' };
    expect(() => assertServable(loadConfig(real), real)).not.toThrow();
  });
});
