/**
 * The sandbox mail server: an SMTP server of our own (smtp-server), listening on 127.0.0.1 on a random port
 * inside the app process outside production. The real SMTP adapter (smtp.ts) sends to it exactly as it
 * would to the CA's mail server — AUTH, MAIL FROM, RCPT TO, DATA — and instead of delivering, the server
 * parses each message (mailparser) and stores it in `sandbox_mail`, one row per recipient, which the
 * development inbox (/dev/inbox, 邮件) shows with its attachments.
 *
 * Like the SMS sandbox gateway it checks what the real service checks: a login is required (wrong
 * credentials get 535, no login 530), oversized messages are refused (552), and so is a mailbox that
 * cannot exist (550 for any address under the reserved .invalid name).
 */
import type { AddressInfo } from 'node:net';
import { SMTPServer, type SMTPServerDataStream, type SMTPServerSession } from 'smtp-server';
import { simpleParser } from 'mailparser';
import type { Clock } from '../../clock.js';
import { safeEqual } from '../../crypto.js';
import type { Db } from '../../db/client.js';
import { sandboxInboxRepository } from '../../modules/sandbox-inbox/repository.js';
import { smtpMailSender } from './smtp.js';
import type { ClosableMailSender } from './port.js';

export const SANDBOX_SMTP_LOGIN = { user: 'certdesk-sandbox', pass: 'sandbox-smtp-password' };
/** Invoices are at most 5 MB; base64 makes that 6.7 MB on the wire. */
export const SANDBOX_MAX_MESSAGE_BYTES = 12 * 1024 * 1024;

const smtpFailure = (responseCode: number, message: string) => Object.assign(new Error(message), { responseCode });

export interface SandboxMailServer {
  /** Starts listening (once) and answers the address to send to. */
  listen(): Promise<{ port: number; url: string }>;
  close(): Promise<void>;
}

export function sandboxMailServer(deps: { db: Db; clock: Clock; maxBytes?: number }): SandboxMailServer {
  async function store(raw: Buffer, session: SMTPServerSession): Promise<string> {
    let text: string;
    try {
      // Kept as text for the inbox; our client only ever writes 7-bit MIME, so this is lossless.
      text = new TextDecoder('utf-8', { fatal: true }).decode(raw);
    } catch {
      throw smtpFailure(554, 'sandbox stores UTF-8 messages only');
    }
    const parsed = await simpleParser(raw);
    const messageId = parsed.messageId ?? `<sandbox-${Date.now()}@certdesk.invalid>`;
    const attachments = parsed.attachments.map((a) => ({
      filename: a.filename ?? 'attachment',
      contentType: a.contentType,
      bytes: a.size,
    }));
    const receivedAt = deps.clock.now();
    for (const rcpt of session.envelope.rcptTo)
      await sandboxInboxRepository.insertMail(deps.db, {
        messageId,
        to: rcpt.address.toLowerCase(),
        subject: parsed.subject ?? '',
        text: parsed.text ?? '',
        attachments,
        raw: text,
        receivedAt,
      });
    return messageId;
  }

  const server = new SMTPServer({
    name: 'sandbox.certdesk.invalid',
    banner: 'CertDesk sandbox mail server (nothing is delivered)',
    // Loopback only: there is no TLS to offer, and credentials never leave the machine.
    secure: false,
    disabledCommands: ['STARTTLS'],
    allowInsecureAuth: true,
    authMethods: ['PLAIN', 'LOGIN'],
    size: deps.maxBytes ?? SANDBOX_MAX_MESSAGE_BYTES,
    logger: false,
    // Like a real server's "no such mailbox" (550): the reserved .invalid names (RFC 2606) never receive mail.
    onRcptTo(address, _session, callback) {
      if (/\.invalid$/i.test(address.address)) return callback(smtpFailure(550, 'Mailbox unavailable'));
      callback();
    },
    onAuth(auth, _session, callback) {
      const ok = safeEqual(auth.username ?? '', SANDBOX_SMTP_LOGIN.user) && safeEqual(auth.password ?? '', SANDBOX_SMTP_LOGIN.pass);
      if (!ok) return callback(smtpFailure(535, 'Authentication credentials invalid'));
      callback(null, { user: auth.username });
    },
    onData(stream: SMTPServerDataStream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        if (stream.sizeExceeded) return callback(smtpFailure(552, 'Message exceeds the fixed maximum message size'));
        store(Buffer.concat(chunks), session).then(
          (id) => callback(null, `OK queued as ${id}`),
          (e: Error & { responseCode?: number }) => callback(e.responseCode ? e : smtpFailure(451, 'sandbox could not store the message')),
        );
      });
    },
  });
  // A client that drops the connection mid-message must not take the app down.
  server.on('error', () => {});

  let listening: Promise<{ port: number; url: string }> | undefined;
  return {
    listen() {
      listening ??= new Promise((resolve, reject) => {
        server.server.once('error', reject);
        server.listen(0, '127.0.0.1', () => {
          const { port } = server.server.address() as AddressInfo;
          const { user, pass } = SANDBOX_SMTP_LOGIN;
          resolve({ port, url: `smtp://${encodeURIComponent(user)}:${encodeURIComponent(pass)}@127.0.0.1:${port}` });
        });
      });
      return listening;
    },
    async close() {
      if (!listening) return;
      await listening.catch(() => {});
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/**
 * The default mail sender outside production: the real SMTP adapter, talking to the sandbox server, which
 * starts on first use (or at `listen()`, which main.ts calls to print the port).
 */
export function sandboxMailSender(deps: {
  db: Db;
  clock: Clock;
  from: string;
}): ClosableMailSender & { listen(): Promise<{ port: number }> } {
  const server = sandboxMailServer(deps);
  let sender: Promise<ReturnType<typeof smtpMailSender>> | undefined;
  const ready = () => (sender ??= server.listen().then(({ url }) => smtpMailSender({ url, from: deps.from, name: 'sandbox' })));
  return {
    name: 'sandbox',
    async send(msg) {
      return (await ready()).send(msg);
    },
    listen: () => server.listen(),
    close: () => server.close(),
  };
}
