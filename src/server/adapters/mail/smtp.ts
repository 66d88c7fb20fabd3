/**
 * The SMTP adapter (nodemailer): used both for the CA's real mail server (CERTDESK_MAIL=smtp, SMTP_URL =
 * smtps://user:pass@host:465 or smtp://…:587 with STARTTLS) and for the sandbox SMTP server — the same
 * client code runs in every test, only the address differs.
 *
 * SMTP's own reply codes decide retrying (RFC 5321 §4.2.1): 4yz is transient and 5yz permanent, except the
 * authentication replies (RFC 4954: 530 required, 534, 535 invalid, 538), which are a configuration fault an
 * operator fixes — the invoice must still go out afterwards, so it is retried within the outbox's retry
 * window. Connection trouble is retried.
 */
import nodemailer from 'nodemailer';
import { MailError, type MailSender } from './port.js';

export interface SmtpOptions {
  /** smtp://… or smtps://…, credentials percent-encoded in the URL. */
  url: string;
  /** The From header, e.g. "江西CA <invoice@jxca.example>". */
  from: string;
  name?: string;
  timeoutMs?: number;
}

interface SmtpFailure {
  code?: string;
  responseCode?: number;
  response?: string;
  command?: string;
  message?: string;
}

export function smtpError(e: unknown): MailError {
  const f = (e ?? {}) as SmtpFailure;
  const auth = f.code === 'EAUTH' || [530, 534, 535, 538].includes(f.responseCode ?? 0);
  const permanent = typeof f.responseCode === 'number' && f.responseCode >= 500 && !auth;
  const what = [f.code, f.responseCode, f.command, (f.response ?? f.message ?? '').slice(0, 200)].filter(
    (x) => x !== undefined && x !== '',
  );
  return new MailError(`smtp ${what.join(' ')}`.trim(), !permanent, { cause: e });
}

export function smtpMailSender(opts: SmtpOptions): MailSender {
  const timeout = opts.timeoutMs ?? 30_000;
  const transport = nodemailer.createTransport(
    { url: opts.url, connectionTimeout: Math.min(timeout, 10_000), greetingTimeout: Math.min(timeout, 10_000), socketTimeout: timeout },
    { from: opts.from },
  );
  return {
    name: opts.name ?? 'smtp',
    async send(msg) {
      try {
        const info = (await transport.sendMail({
          to: msg.to,
          subject: msg.subject,
          text: msg.text,
          attachments: (msg.attachments ?? []).map((a) => ({ filename: a.filename, contentType: a.contentType, content: a.content })),
        })) as { messageId: string; rejected?: unknown[] };
        if (info.rejected?.length) throw new MailError('smtp recipient refused', false);
        return { providerMessageId: info.messageId };
      } catch (e) {
        if (e instanceof MailError) throw e;
        throw smtpError(e);
      }
    },
  };
}
