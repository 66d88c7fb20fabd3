/** Wiring shared by the server entry point, the CLI commands and the tests: config → db → adapters. */
import path from 'node:path';
import type { Clock } from './clock.js';
import type { Config } from './config.js';
import { openDb, type Db, type DbHandle } from './db/client.js';
import { aliyunSms, httpTransport } from './adapters/sms/aliyun.js';
import type { SmsSender } from './adapters/sms/port.js';
import { sandboxSmsSender } from './adapters/sms/sandbox-gateway.js';

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
