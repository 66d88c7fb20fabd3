import { describe, expect, it } from 'vitest';
import { loadConfig } from './config.js';
import { parseTrustProxy, TrustProxyError } from './trust-proxy.js';

describe('CERTDESK_TRUST_PROXY', () => {
  it.each([
    ['unset', undefined, false, false],
    ['empty', '', false, false],
    ['0', '0', false, false],
    ['false', 'false', false, false],
    ['1 outside production: the proxies on this host', '1', false, ['loopback']],
    ['true outside production', 'true', false, ['loopback']],
    ['one IPv4 address', '127.0.0.1', true, ['127.0.0.1']],
    ['addresses and ranges, spaces trimmed', '10.0.0.0/8, 127.0.0.1 ,::1', true, ['10.0.0.0/8', '127.0.0.1', '::1']],
    ['an IPv6 range', 'fd00::/8', true, ['fd00::/8']],
    ['a host route', '192.0.2.10/32', true, ['192.0.2.10/32']],
    ['proxy-addr names', 'loopback,uniquelocal', true, ['loopback', 'uniquelocal']],
  ])('accepts %s', (_n, value, production, expected) => {
    expect(parseTrustProxy(value, production)).toEqual(expected);
  });

  it.each([
    ['1 in production (it used to trust any X-Forwarded-For)', '1', true, /refused in production.*127\.0\.0\.1/],
    ['true in production', 'true', true, /refused in production/],
    ['a host name', 'nginx.internal', false, /not an IP address or CIDR range/],
    ['a word', 'yes', false, /not an IP address/],
    ['an IPv4 prefix over 32', '10.0.0.0/33', false, /prefix length must be 0–32/],
    ['an IPv6 prefix over 128', 'fd00::/129', false, /prefix length must be 0–128/],
    ['every IPv4 address', '0.0.0.0/0', false, /would trust every address/],
    ['every IPv6 address', '::/0', false, /would trust every address/],
    ['an empty entry', '127.0.0.1,,::1', false, /empty entry/],
    ['a netmask instead of a prefix', '10.0.0.0/255.0.0.0', false, /not an IP address or CIDR range/],
    ['an address with junk', '127.0.0.1x', false, /not an IP address/],
  ])('refuses %s', (_n, value, production, msg) => {
    expect(() => parseTrustProxy(value, production)).toThrow(TrustProxyError);
    expect(() => parseTrustProxy(value, production)).toThrow(msg);
  });

  it('reaches the configuration, and a bad value stops the start with the rule', () => {
    expect(loadConfig({ CERTDESK_TRUST_PROXY: '10.1.2.3,fd00::/8' }).trustProxy).toEqual(['10.1.2.3', 'fd00::/8']);
    expect(loadConfig({}).trustProxy).toBe(false);
    const prod = { NODE_ENV: 'production', CERTDESK_SECRET: 'x'.repeat(40), CERTDESK_TRUST_PROXY: '1' };
    expect(() => loadConfig(prod)).toThrow(/CERTDESK_TRUST_PROXY=1 is refused in production/);
    expect(loadConfig({ ...prod, CERTDESK_TRUST_PROXY: '127.0.0.1' }).trustProxy).toEqual(['127.0.0.1']);
  });
});
