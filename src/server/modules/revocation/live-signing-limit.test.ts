import { describe, expect, it } from 'vitest';
import { LiveSigningLimit, type LiveSigningPolicy } from './live-signing-limit.js';

const POLICY: LiveSigningPolicy = { perAddress: { burst: 3, perSecond: 1 }, total: { burst: 5, perSecond: 2 }, maxAddresses: 4 };

/** Steps: [ms since start, address, expected answer]. */
const cases: [string, [number, string, boolean][]][] = [
  [
    'an address gets its burst, then one a second',
    [
      [0, '10.0.0.1', true],
      [0, '10.0.0.1', true],
      [0, '10.0.0.1', true],
      [0, '10.0.0.1', false],
      [999, '10.0.0.1', false],
      [1000, '10.0.0.1', true],
      [1000, '10.0.0.1', false],
    ],
  ],
  [
    'another address is not held by the first one',
    [
      [0, '10.0.0.1', true],
      [0, '10.0.0.1', true],
      [0, '10.0.0.1', true],
      [0, '10.0.0.1', false],
      [0, '10.0.0.2', true],
    ],
  ],
  [
    'all addresses together are held by the shared bucket',
    [
      [0, '10.0.0.1', true],
      [0, '10.0.0.2', true],
      [0, '10.0.0.3', true],
      [0, '10.0.0.4', true],
      [0, '10.0.0.5', true],
      [0, '10.0.0.6', false],
      [500, '10.0.0.6', true],
      [500, '10.0.0.7', false],
    ],
  ],
  [
    'a refused request takes nothing from its address (the shared bucket refused it)',
    [
      [0, '10.0.0.1', true],
      [0, '10.0.0.2', true],
      [0, '10.0.0.3', true],
      [0, '10.0.0.4', true],
      [0, '10.0.0.5', true],
      [0, '10.0.0.9', false],
      [2500, '10.0.0.9', true],
      [2500, '10.0.0.9', true],
      [2500, '10.0.0.9', true],
    ],
  ],
  [
    'IPv6 addresses of one /64 share a bucket',
    [
      [0, '2001:db8:1:2::1', true],
      [0, '2001:db8:1:2::2', true],
      [0, '2001:db8:1:2::3', true],
      [0, '2001:db8:1:2:ffff::4', false],
      [0, '2001:db8:1:3::1', true],
    ],
  ],
];

describe('live OCSP signing limit', () => {
  it.each(cases)('%s', (_n, steps) => {
    let now = 0;
    const limit = new LiveSigningLimit(POLICY, () => now);
    for (const [at, ip, expected] of steps) {
      now = at;
      expect(limit.take(ip), `${at} ms ${ip}`).toBe(expected);
    }
  });

  it('keeps buckets for at most maxAddresses addresses', () => {
    const limit = new LiveSigningLimit({ ...POLICY, total: { burst: 1e9, perSecond: 1e9 } }, () => 0);
    for (let i = 0; i < 100; i++) limit.take(`10.1.0.${i}`);
    expect(limit.addresses).toBe(4);
  });
});
