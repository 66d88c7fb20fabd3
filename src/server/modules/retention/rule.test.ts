/** The retention rule, case by case: what keeps a dossier, and the first moment it may go. */
import { describe, expect, it } from 'vitest';
import { addYears, groupDossiers, retentionVerdict, type CertificateFacts, type DossierFacts, type OrderFacts } from './rule.js';

const t = (s: string) => new Date(s);
const order = (status: string, lastActivity: string, kind: 'online' | 'counter' = 'online'): OrderFacts => ({
  id: `${kind}-${status}`,
  kind,
  orderNo: `NO-${status}`,
  status,
  lastActivity: t(lastActivity),
});
const cert = (status: string, notAfter: string, lastActivity = '2020-01-01T00:00:00Z'): CertificateFacts => ({
  id: `c-${notAfter}`,
  serial: `s${notAfter}`,
  status,
  notAfter: t(notAfter),
  lastActivity: t(lastActivity),
});
const dossier = (orders: OrderFacts[], certificates: CertificateFacts[] = [], pending: string[] = []): DossierFacts => ({
  orders,
  certificates,
  pending,
});

const cases: { name: string; d: DossierFacts; now: string; purge: boolean; until: string | null; reason?: RegExp }[] = [
  {
    name: 'a cancelled order, one millisecond before five years after closing',
    d: dossier([order('cancelled', '2020-03-01T00:00:00Z')]),
    now: '2025-03-01T00:00:00Z',
    purge: false,
    until: '2025-03-01T00:00:00.000Z',
  },
  {
    name: 'a cancelled order, just after five years after closing',
    d: dossier([order('cancelled', '2020-03-01T00:00:00Z')]),
    now: '2025-03-01T00:00:00.001Z',
    purge: true,
    until: '2025-03-01T00:00:00.000Z',
  },
  {
    name: 'a deleted draft goes five years after it was deleted',
    d: dossier([order('deleted', '2019-06-30T12:00:00Z')]),
    now: '2024-07-01T00:00:00Z',
    purge: true,
    until: '2024-06-30T12:00:00.000Z',
  },
  {
    name: 'an abandoned draft is never purged (not closed)',
    d: dossier([order('draft', '2001-01-01T00:00:00Z')]),
    now: '2030-01-01T00:00:00Z',
    purge: false,
    until: null,
    reason: /尚未结束/,
  },
  {
    name: 'an order still in review is never purged',
    d: dossier([order('review_failed', '2001-01-01T00:00:00Z')]),
    now: '2030-01-01T00:00:00Z',
    purge: false,
    until: null,
  },
  {
    name: 'a shipped order goes five years after its certificate expires, not after it was shipped',
    d: dossier([order('shipped', '2020-01-10T00:00:00Z')], [cert('issued', '2022-01-09T15:59:59Z')]),
    now: '2026-01-01T00:00:00Z',
    purge: false,
    until: '2027-01-09T15:59:59.000Z',
  },
  {
    name: 'the same order after that',
    d: dossier([order('shipped', '2020-01-10T00:00:00Z')], [cert('issued', '2022-01-09T15:59:59Z')]),
    now: '2027-01-09T16:00:00Z',
    purge: true,
    until: '2027-01-09T15:59:59.000Z',
  },
  {
    name: 'a revoked certificate: notAfter still counts, not the revocation',
    d: dossier([order('shipped', '2020-01-10T00:00:00Z')], [cert('revoked', '2023-01-09T00:00:00Z', '2020-06-01T00:00:00Z')]),
    now: '2026-01-01T00:00:00Z',
    purge: false,
    until: '2028-01-09T00:00:00.000Z',
  },
  {
    name: 'a renewed certificate in the dossier keeps the first order until five years after the renewal expires',
    d: dossier(
      [order('shipped', '2018-01-01T00:00:00Z'), order('completed', '2020-12-01T00:00:00Z', 'counter')],
      [cert('issued', '2021-01-01T00:00:00Z'), cert('issued', '2024-01-01T00:00:00Z')],
    ),
    now: '2028-06-01T00:00:00Z',
    purge: false,
    until: '2029-01-01T00:00:00.000Z',
  },
  {
    name: 'activity after expiry (a late revocation, a late event) pushes retention later',
    d: dossier([order('shipped', '2027-05-05T00:00:00Z')], [cert('revoked', '2022-01-01T00:00:00Z', '2022-03-01T00:00:00Z')]),
    now: '2031-01-01T00:00:00Z',
    purge: false,
    until: '2032-05-05T00:00:00.000Z',
  },
  {
    name: 'a certificate being issued keeps everything',
    d: dossier([order('produced', '2001-01-01T00:00:00Z')], [cert('pending', '2002-01-01T00:00:00Z')]),
    now: '2030-01-01T00:00:00Z',
    purge: false,
    until: null,
    reason: /正在签发/,
  },
  {
    name: 'a pending revocation request (or refund) keeps everything',
    d: dossier([order('cancelled', '2001-01-01T00:00:00Z')], [], ['有未完成的退款（failed）']),
    now: '2030-01-01T00:00:00Z',
    purge: false,
    until: null,
    reason: /退款/,
  },
  {
    name: 'a counter order still open keeps the online order it renews',
    d: dossier(
      [order('shipped', '2001-01-01T00:00:00Z'), order('approved', '2001-02-01T00:00:00Z', 'counter')],
      [cert('issued', '2002-01-01T00:00:00Z')],
    ),
    now: '2030-01-01T00:00:00Z',
    purge: false,
    until: null,
  },
  {
    name: 'a certificate without any order (imported) goes five years after notAfter',
    d: dossier([], [cert('issued', '2019-12-31T16:00:00Z', '2018-01-01T00:00:00Z')]),
    now: '2025-01-01T00:00:00Z',
    purge: true,
    until: '2024-12-31T16:00:00.000Z',
  },
  {
    name: 'a counter order cancelled',
    d: dossier([order('cancelled', '2019-01-01T00:00:00Z', 'counter')]),
    now: '2024-01-01T00:00:01Z',
    purge: true,
    until: '2024-01-01T00:00:00.000Z',
  },
  {
    name: 'an empty dossier is not purged',
    d: dossier([]),
    now: '2030-01-01T00:00:00Z',
    purge: false,
    until: null,
  },
];

describe('retention rule', () => {
  it.each(cases)('$name', ({ d, now, purge, until, reason }) => {
    const v = retentionVerdict(d, t(now));
    expect(v.purge).toBe(purge);
    expect(v.retainUntil?.toISOString() ?? null).toBe(until);
    if (reason && !v.purge) expect(v.reason).toMatch(reason);
  });

  it.each([
    ['2020-02-29T10:00:00Z', '2025-03-01T10:00:00.000Z'],
    ['2020-12-31T23:59:59.999Z', '2025-12-31T23:59:59.999Z'],
    ['2021-01-01T00:00:00Z', '2026-01-01T00:00:00.000Z'],
  ])('five years after %s is %s (never earlier)', (from, to) => {
    expect(addYears(t(from), 5).toISOString()).toBe(to);
  });

  it.each([
    { name: 'an order and its certificate', nodes: ['o:1', 'x:a'], links: [{ a: 'x:a', b: 'o:1' }], groups: [['o:1', 'x:a']] },
    {
      name: 'a renewal joins the new order to the old one',
      nodes: ['o:1', 'o:2', 'x:a', 'x:b'],
      links: [
        { a: 'x:a', b: 'o:1' },
        { a: 'x:b', b: 'o:2' },
        { a: 'x:b', b: 'x:a' },
      ],
      groups: [['o:1', 'o:2', 'x:a', 'x:b']],
    },
    {
      name: 'a counter order acting on a certificate joins it',
      nodes: ['o:1', 'c:9', 'x:a', 'o:3'],
      links: [
        { a: 'x:a', b: 'o:1' },
        { a: 'c:9', b: 'x:a' },
      ],
      groups: [['c:9', 'o:1', 'x:a'], ['o:3']],
    },
    {
      name: 'a link to a row already gone still joins',
      nodes: ['x:b', 'o:2'],
      links: [
        { a: 'x:b', b: 'x:gone' },
        { a: 'x:b', b: 'o:2' },
      ],
      groups: [['o:2', 'x:b', 'x:gone']],
    },
  ])('groups: $name', ({ nodes, links, groups }) => {
    const got = groupDossiers(nodes, links)
      .map((g) => [...g].sort())
      .sort((a, b) => a[0]!.localeCompare(b[0]!));
    expect(got).toEqual(groups.map((g) => [...g].sort()).sort((a, b) => a[0]!.localeCompare(b[0]!)));
  });
});
