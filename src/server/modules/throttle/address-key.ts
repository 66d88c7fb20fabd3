/**
 * The key a per-address limit counts under: an IPv4 address as it is (also when seen as ::ffff:a.b.c.d), an
 * IPv6 address by its /64 — one subscriber is usually given a whole /64, so counting single IPv6 addresses
 * would let one client change address for every request. Never longer than 64 characters.
 */
import { isIP } from 'node:net';

export function addressKey(ip: string): string {
  const v4 = /^(?:::ffff:)?(\d{1,3}(?:\.\d{1,3}){3})$/i.exec(ip);
  if (v4 && isIP(v4[1]!) === 4) return v4[1]!;
  const bare = ip.replace(/%.*$/, ''); // a zone id (fe80::1%eth0) is not part of the address
  if (isIP(bare) !== 6) return ip.slice(0, 64);
  const [head, tail] = bare.includes('::') ? bare.split('::') : [bare, undefined];
  const h = head ? head.split(':') : [];
  const t = tail ? tail.split(':') : [];
  // An embedded dotted quad (…:1.2.3.4) stands for two groups.
  const tailGroups = t.length + (t.some((g) => g.includes('.')) ? 1 : 0);
  const groups = tail === undefined ? h : [...h, ...Array<string>(8 - h.length - tailGroups).fill('0'), ...t];
  return `${groups
    .slice(0, 4)
    .map((g) => parseInt(g, 16).toString(16))
    .join(':')}::/64`;
}
