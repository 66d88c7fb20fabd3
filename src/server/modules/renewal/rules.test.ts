/**
 * counterStance: may the counter open a 续费/补办/变更 of a certificate while it has this online renewal? One row
 * per renewal status × how long it has been left; the HTTP side (both directions) is in routes/renewal.test.ts.
 */
import { describe, expect, it } from 'vitest';
import type { RenewalStatus } from '../../db/schema-renewals.js';
import { counterStance, RENEWAL_IDLE_HOURS, type CounterStance } from './rules.js';

const NOW = new Date('2027-03-01T02:00:00Z');
const hoursAgo = (h: number) => new Date(NOW.getTime() - h * 3600_000);

const CASES: [string, RenewalStatus | null, number, CounterStance['kind'], RegExp?][] = [
  ['no online renewal', null, 0, 'free'],
  ['a completed renewal', 'completed', 1, 'free'],
  ['a cancelled renewal', 'cancelled', 1, 'free'],
  ['started a minute ago', 'started', 1 / 60, 'refuse', /已验证短信.*2027-03-02 09:59 后可在受理点办理/],
  ['proven (waiting for payment) an hour ago', 'proven', 1, 'refuse', /已核验 UKEY，待付款.*如单位已放弃在线续费（尚未付款）/],
  ['started, just inside the idle window', 'started', RENEWAL_IDLE_HOURS - 0.01, 'refuse'],
  ['started, idle for exactly the window', 'started', RENEWAL_IDLE_HOURS, 'close'],
  ['proven, idle for two days', 'proven', 48, 'close'],
  ['paid a minute ago', 'paid', 1 / 60, 'refuse', /已付款，请单位登录系统在“我的证书”中继续完成在线续费/],
  ['paid, idle for a week: the money is in, never closed by the counter', 'paid', 24 * 7, 'refuse'],
  ['issued, idle for a week: the new certificate exists, never closed', 'issued', 24 * 7, 'refuse', /新证书已签发，待写入 UKEY/],
];

describe('counterStance', () => {
  it.each(CASES)('%s', (_name, status, idleHours, kind, text) => {
    const s = counterStance(status ? { status } : undefined, hoursAgo(idleHours), NOW);
    expect(s.kind).toBe(kind);
    if (s.kind === 'refuse') {
      expect(s.reason).toMatch(/^该证书正在网上办理在线续费/);
      if (text) expect(s.reason).toMatch(text);
    }
  });

  it('counts from now when nothing is known of the last activity', () => {
    expect(counterStance({ status: 'started' }, undefined, NOW).kind).toBe('refuse');
  });
});
