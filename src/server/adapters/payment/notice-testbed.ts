/**
 * The setting of the notification tests (wechatpay.test.ts, alipay.test.ts): a fresh database holding the
 * sandbox's keys and both real adapters configured against it, at a fixed time; and what verifyNotice says
 * of a notice — the NoticeRejected reason, or 'accepted'.
 */
import { ManualClock, testConfig, testDb } from '../../testing/harness.js';
import type { Db } from '../../db/client.js';
import { paymentProvidersFor, paymentProvidersReady } from './configured.js';
import { NoticeRejected, type PaymentProvider } from './port.js';

export async function noticeTestbed(now: Date): Promise<{ db: Db; wechat: PaymentProvider; alipay: PaymentProvider }> {
  const db = (await testDb()).db;
  const config = testConfig();
  const deps = { db, clock: new ManualClock(now) };
  const providers = paymentProvidersFor(config, deps);
  await paymentProvidersReady(config, deps);
  return { db, wechat: providers.wechat, alipay: providers.alipay };
}

export function rejectionOf(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    if (e instanceof NoticeRejected) return e.reason;
    throw e;
  }
  return 'accepted';
}
