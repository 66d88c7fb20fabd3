/** A seal's status is its certificate's (revoked, expired, not issued), then its own period, then 已替换 — table-driven. */
import { describe, expect, it } from 'vitest';
import type { CertificateRow } from '../certificates/repository.js';
import { SEAL_STATUS_LABEL, sealStatusOf, type SealStatus } from './status.js';

const now = new Date('2027-03-01T00:00:00Z');
const start = new Date('2026-11-21T00:00:00Z');
const end = new Date('2027-11-20T23:59:59Z');
const cert = (over: Partial<CertificateRow>) => ({ status: 'issued', notBefore: start, notAfter: end, ...over }) as CertificateRow;
const seal = (over: { status?: 'active' | 'superseded'; validStart?: Date; validEnd?: Date } = {}) => ({
  status: over.status ?? ('active' as const),
  validStart: over.validStart ?? start,
  validEnd: over.validEnd ?? end,
});

describe('sealStatusOf', () => {
  it.each<[string, ReturnType<typeof seal>, CertificateRow | undefined, SealStatus]>([
    ['active seal, valid certificate', seal(), cert({}), 'valid'],
    ['certificate revoked', seal(), cert({ status: 'revoked' }), 'revoked'],
    ['certificate expired', seal(), cert({ notAfter: new Date('2027-01-01T00:00:00Z') }), 'expired'],
    ['certificate not yet valid', seal(), cert({ notBefore: new Date('2027-06-01T00:00:00Z') }), 'not_yet_valid'],
    ['certificate only pending', seal(), cert({ status: 'pending' }), 'unknown'],
    ['certificate missing', seal(), undefined, 'unknown'],
    ['seal period over (certificate still valid)', seal({ validEnd: new Date('2027-02-01T00:00:00Z') }), cert({}), 'expired'],
    ['seal period not begun', seal({ validStart: new Date('2027-04-01T00:00:00Z') }), cert({}), 'not_yet_valid'],
    ['superseded wins over everything', seal({ status: 'superseded' }), cert({ status: 'revoked' }), 'superseded'],
  ])('%s → %s', (_n, s, c, expected) => {
    expect(sealStatusOf(s, c, now)).toBe(expected);
    expect(SEAL_STATUS_LABEL[expected]).toMatch(/[\u4e00-\u9fff]/);
  });
});
