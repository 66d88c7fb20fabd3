import { describe, expect, it } from 'vitest';
import { addBeijingYear, certificateValidity, type ValidityBusiness } from './certificate-validity.js';

/** A Beijing wall-clock time. */
const cn = (s: string) => new Date(`${s}+08:00`);
/** The Beijing wall-clock time of an instant, as the screens print it. */
const cnText = (d: Date) => new Date(d.getTime() + 8 * 3600_000).toISOString().slice(0, 19).replace('T', ' ');

describe('addBeijingYear', () => {
  it.each([
    ['an ordinary day', '2026-12-06T10:00:00', '2027-12-06 10:00:00'],
    ['late evening in Beijing (still the previous UTC day)', '2026-12-06T23:59:59', '2027-12-06 23:59:59'],
    ['just after midnight in Beijing (the previous UTC day)', '2026-12-07T00:30:00', '2027-12-07 00:30:00'],
    ['29 February runs to 1 March, never back to 28 February', '2028-02-29T10:00:00', '2029-03-01 10:00:00'],
    ['Beijing 1 March 04:00 (UTC 29 February) stays 1 March', '2028-03-01T04:00:00', '2029-03-01 04:00:00'],
    ['28 February before a leap year stays 28 February', '2027-02-28T23:59:59', '2028-02-28 23:59:59'],
  ])('%s', (_name, at, expected) => {
    expect(cnText(addBeijingYear(cn(at)))).toBe(expected);
  });
});

describe('certificateValidity', () => {
  const rows: [name: string, business: ValidityBusiness, issuedAt: string, oldEnd: string | null, end: string, basis: string][] = [
    [
      '新办: one year from issue, the last second before the anniversary',
      'new',
      '2026-12-06T10:15:30',
      null,
      '2027-12-06 10:15:29',
      'fresh',
    ],
    ['新办 ignores any other certificate', 'new', '2026-12-06T10:15:30', '2027-06-01T00:00:00', '2027-12-06 10:15:29', 'fresh'],
    // 续费
    [
      '续费, old not yet expired: a year past its expiry',
      'renew',
      '2026-12-06T10:00:00',
      '2027-03-05T14:20:09',
      '2028-03-05 14:20:09',
      'extended',
    ],
    [
      '续费 the day after the old one was issued: nothing is lost',
      'renew',
      '2026-12-07T09:00:00',
      '2027-12-06T09:59:59',
      '2028-12-06 09:59:59',
      'extended',
    ],
    [
      '续费, old expires later today: a year past it',
      'renew',
      '2026-12-06T09:00:00',
      '2026-12-06T18:00:00',
      '2027-12-06 18:00:00',
      'extended',
    ],
    [
      '续费 in the old one’s very last second: extended',
      'renew',
      '2026-12-06T18:00:00',
      '2026-12-06T18:00:00',
      '2027-12-06 18:00:00',
      'extended',
    ],
    [
      '续费, old expired earlier today: a year from issue',
      'renew',
      '2026-12-06T10:00:00',
      '2026-12-06T08:00:00',
      '2027-12-06 09:59:59',
      'fresh',
    ],
    [
      '续费, old expired last month: a year from issue',
      'renew',
      '2026-12-06T10:00:00',
      '2026-11-01T10:00:00',
      '2027-12-06 09:59:59',
      'fresh',
    ],
    [
      '续费, old ends 23:59:59 Beijing, renewed at 23:59:00: extended',
      'renew',
      '2026-12-06T23:59:00',
      '2026-12-06T23:59:59',
      '2027-12-06 23:59:59',
      'extended',
    ],
    [
      '续费, old ended 23:59:59 Beijing, renewed at 00:00:00: fresh',
      'renew',
      '2026-12-07T00:00:00',
      '2026-12-06T23:59:59',
      '2027-12-06 23:59:59',
      'fresh',
    ],
    [
      '续费, old ends Beijing 00:30 (UTC the day before): same Beijing date next year',
      'renew',
      '2026-12-06T10:00:00',
      '2027-01-01T00:30:00',
      '2028-01-01 00:30:00',
      'extended',
    ],
    [
      '续费, old ends on leap day: 1 March next year',
      'renew',
      '2028-01-10T10:00:00',
      '2028-02-29T12:00:00',
      '2029-03-01 12:00:00',
      'extended',
    ],
    [
      '续费, old ends Beijing 1 March 04:00 (UTC 29 February): 1 March',
      'renew',
      '2028-01-10T10:00:00',
      '2028-03-01T04:00:00',
      '2029-03-01 04:00:00',
      'extended',
    ],
    [
      '续费 issued on leap day after the old one expired: 1 March',
      'renew',
      '2028-02-29T10:00:00',
      '2028-02-01T00:00:00',
      '2029-03-01 09:59:59',
      'fresh',
    ],
    [
      '续费 renewing early, ending on the next leap day',
      'renew',
      '2027-02-01T10:00:00',
      '2027-02-28T23:59:59',
      '2028-02-28 23:59:59',
      'extended',
    ],
    // 补办 / 变更
    ['补办: a fresh year from issue', 'reissue', '2026-12-06T10:00:00', '2027-03-05T14:20:09', '2027-12-06 09:59:59', 'fresh'],
    ['变更: a fresh year from issue', 'change', '2026-12-06T10:00:00', '2027-03-05T14:20:09', '2027-12-06 09:59:59', 'fresh'],
    [
      '补办 of an early-renewed certificate keeps its later expiry',
      'reissue',
      '2026-12-06T10:00:00',
      '2028-03-05T14:20:09',
      '2028-03-05 14:20:09',
      'kept',
    ],
    [
      '变更 of an early-renewed certificate keeps its later expiry',
      'change',
      '2026-12-06T10:00:00',
      '2028-03-05T14:20:09',
      '2028-03-05 14:20:09',
      'kept',
    ],
    [
      '补办 of an expired certificate: a fresh year',
      'reissue',
      '2026-12-06T10:00:00',
      '2026-01-01T00:00:00',
      '2027-12-06 09:59:59',
      'fresh',
    ],
  ];
  it.each(rows)('%s', (_name, business, issuedAt, oldEnd, end, basis) => {
    const v = certificateValidity(cn(issuedAt), business, oldEnd ? { notAfter: cn(oldEnd) } : undefined);
    expect(cnText(v.notAfter)).toBe(end);
    expect(v.basis).toBe(basis);
    expect(v.notBefore.toISOString()).toBe(cn(issuedAt).toISOString());
  });

  it('cuts to whole seconds (a certificate carries no fractions)', () => {
    const v = certificateValidity(new Date('2026-12-06T02:00:00.999Z'), 'renew', { notAfter: new Date('2027-03-05T06:20:09.500Z') });
    expect(v.notBefore.toISOString()).toBe('2026-12-06T02:00:00.000Z');
    expect(v.notAfter.toISOString()).toBe('2028-03-05T06:20:09.000Z');
  });

  it('never ends a renewal or replacement before the certificate it continues, nor before a fresh year', () => {
    const issued = cn('2026-12-06T10:00:00');
    for (const business of ['renew', 'reissue', 'change'] as const)
      for (let d = -400; d <= 800; d += 7) {
        const old = new Date(issued.getTime() + d * 86_400_000);
        const v = certificateValidity(issued, business, { notAfter: old });
        expect(v.notAfter.getTime()).toBeGreaterThanOrEqual(certificateValidity(issued, 'new').notAfter.getTime());
        expect(v.notAfter.getTime()).toBeGreaterThanOrEqual(old.getTime());
      }
  });
});
