import { describe, expect, it } from 'vitest';
import { addressKey } from './address-key.js';

describe('addressKey', () => {
  it.each([
    ['an IPv4 address', '198.51.100.7', '198.51.100.7'],
    ['IPv4 seen over IPv6', '::ffff:198.51.100.7', '198.51.100.7'],
    ['IPv6: its /64', '2001:db8:1:2:aaaa:bbbb:cccc:dddd', '2001:db8:1:2::/64'],
    ['IPv6, another host of the same /64', '2001:db8:1:2::1', '2001:db8:1:2::/64'],
    ['IPv6 with leading zeros', '2001:0db8:0001:0002::1', '2001:db8:1:2::/64'],
    ['IPv6 compressed in the prefix', '2001:db8::1', '2001:db8:0:0::/64'],
    ['IPv6 loopback', '::1', '0:0:0:0::/64'],
    ['IPv6 with a zone id', 'fe80::1%eth0', 'fe80:0:0:0::/64'],
    ['IPv6 with an embedded IPv4', '64:ff9b::192.0.2.1', '64:ff9b:0:0::/64'],
    ['not an address: clipped', 'x'.repeat(200), 'x'.repeat(64)],
  ])('%s', (_n, ip, key) => {
    expect(addressKey(ip)).toBe(key);
  });
});
