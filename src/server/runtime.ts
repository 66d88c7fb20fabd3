/** Wiring shared by the server entry point, the CLI commands and the tests: config → db → adapters. */
import path from 'node:path';
import type { Clock } from './clock.js';
import type { Config } from './config.js';
import { openDb, type Db, type DbHandle } from './db/client.js';
import { aliyunSms, httpTransport } from './adapters/sms/aliyun.js';
import type { SmsSender } from './adapters/sms/port.js';
import { sandboxSmsSender } from './adapters/sms/sandbox-gateway.js';
import type { ClosableMailSender } from './adapters/mail/port.js';
import { sandboxMailSender } from './adapters/mail/sandbox-server.js';
import { smtpMailSender } from './adapters/mail/smtp.js';

export function openConfiguredDb(config: Config): Promise<DbHandle> {
  return openDb({ databaseUrl: config.databaseUrl, dataDir: path.join(config.dataDir, 'pglite') });
}

export function smsSenderFor(config: Config, db: Db, clock: Clock): SmsSender {
  const c = config.sms;
  if (c.kind === 'sandbox') return sandboxSmsSender({ db, clock });
  return aliyunSms({
    accessKeyId: c.accessKeyId,
    accessKeySecret: c.accessKeySecret,
    signName: c.signName,
    templates: c.templates as never,
    transport: httpTransport(c.endpoint),
  });
}

/**
 * The mail sender the configuration asks for: the SMTP adapter to the CA's mail server, or the same adapter
 * to the sandbox SMTP server inside this process (started on first use; close() stops it).
 */
export function mailSenderFor(config: Config, db: Db, clock: Clock): ClosableMailSender & { listen?: () => Promise<{ port: number }> } {
  const c = config.mail;
  if (c.kind === 'sandbox') return sandboxMailSender({ db, clock, from: c.from });
  return { ...smtpMailSender({ url: c.url, from: c.from }), close: async () => {} };
}
