/**
 * CERTDESK_TRUST_PROXY: which reverse proxies may tell us the client's address (X-Forwarded-For) and the
 * scheme (X-Forwarded-Proto). Only these are believed: the client address is the right-most address in
 * X-Forwarded-For that is not one of them (proxy-addr's rule, through Fastify's trustProxy), so a client
 * that writes its own X-Forwarded-For only adds entries to the left of what our proxy appends — they are
 * never reached. Trusting every hop (the old `1`) let any client choose its address for the per-address
 * limits and the audit trail (issue 16, item 3).
 */
import { BlockList, isIP } from 'node:net';

/** proxy-addr's named ranges, passed through as they are. */
const NAMED = new Set(['loopback', 'linklocal', 'uniquelocal']);

export class TrustProxyError extends Error {}

/**
 * Parses the setting into what Fastify's trustProxy takes: false (nobody; the socket's address is the client)
 * or a list of addresses, CIDR ranges and proxy-addr's names. `1`/`true` means the proxies on this host
 * (loopback) outside production; production refuses it, because the proxy there is often another machine and
 * the operator must say which.
 */
export function parseTrustProxy(value: string | undefined, production: boolean): false | string[] {
  const v = (value ?? '').trim();
  if (v === '' || v === '0' || v === 'false') return false;
  if (v === '1' || v === 'true') {
    if (production)
      throw new TrustProxyError(
        'CERTDESK_TRUST_PROXY=1 is refused in production: list the reverse proxies that may set X-Forwarded-For, as addresses or CIDR ranges (e.g. CERTDESK_TRUST_PROXY=127.0.0.1 for nginx on this host, or 10.0.0.0/8,::1); see docs/OPERATIONS.md',
      );
    return ['loopback'];
  }
  return parseAddressList('CERTDESK_TRUST_PROXY', v, { named: true });
}

/**
 * A comma-separated list of addresses and CIDR ranges (and, with `named`, proxy-addr's names) in the setting
 * `setting`; a range of every address (/0) is refused: a list of who may do something must name someone.
 */
export function parseAddressList(setting: string, v: string, opts: { named?: boolean } = {}): string[] {
  const out: string[] = [];
  for (const raw of v.split(',')) {
    const item = raw.trim();
    if (!item) throw new TrustProxyError(`${setting} has an empty entry in "${v}"`);
    if (opts.named && NAMED.has(item)) {
      out.push(item);
      continue;
    }
    const m = /^([^/]+)(?:\/(\d{1,3}))?$/.exec(item);
    const family = m ? isIP(m[1]!) : 0;
    if (!m || family === 0)
      throw new TrustProxyError(
        `${setting} entry "${item.slice(0, 60)}" is not an IP address or CIDR range (e.g. 127.0.0.1, 10.0.0.0/8, fd00::/8)`,
      );
    if (m[2] !== undefined) {
      const bits = Number(m[2]);
      const max = family === 4 ? 32 : 128;
      if (bits > max) throw new TrustProxyError(`${setting} entry "${item}": the prefix length must be 0–${max}`);
      if (bits === 0)
        throw new TrustProxyError(
          setting === 'CERTDESK_TRUST_PROXY'
            ? `CERTDESK_TRUST_PROXY entry "${item}" would trust every address, so any client could forge X-Forwarded-For: list the proxies`
            : `${setting} entry "${item}" would allow every address: list them`,
        );
    }
    out.push(item);
  }
  return out;
}

/** The addresses of `list` (parseAddressList's output, without names) as a matcher of client addresses. */
export function addressMatcher(list: string[]): (address: string) => boolean {
  const block = new BlockList();
  for (const item of list) {
    const [addr, bits] = item.split('/') as [string, string | undefined];
    const type = isIP(addr) === 6 ? 'ipv6' : 'ipv4';
    if (bits === undefined) block.addAddress(addr, type);
    else block.addSubnet(addr, Number(bits), type);
  }
  return (address) => {
    // An IPv4 client on a dual-stack socket reads as ::ffff:a.b.c.d.
    const v4 = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address)?.[1];
    if (v4) return block.check(v4, 'ipv4');
    const family = isIP(address);
    return family !== 0 && block.check(address, family === 6 ? 'ipv6' : 'ipv4');
  };
}
