/**
 * How long a subscriber certificate runs — the one rule for 新办 (online and at the counter), 续费, 补办 and 变更
 * (issue 13). The user agreement (seed 004, 附件1) says a certificate is valid one year from issue, and a
 * renewal (续费) is paid before the old one runs out; so what the unit paid for must never shrink:
 *
 * - 新办: one year from issue.
 * - 续费: one year past the old certificate's expiry, so renewing early loses no day; if the old one has
 *   already expired, one year from issue (never less than a fresh certificate).
 * - 补办/变更: a new certificate for a lost key or changed details, paid at the catalog price like a new one:
 *   one year from issue — but never ending before the certificate it replaces (which may run longer than a
 *   year after an early 续费), because the unit had already paid for that time.
 *
 * "One year" is counted on the Beijing calendar (the dates the unit sees on 我的证书 and the receipt): an
 * expiry on 2027-03-05 in Beijing renews to 2028-03-05 in Beijing. A year from 29 February runs to 1 March
 * (never back to 28 February: that would take a day away). notAfter is the last second the certificate is
 * valid (RFC 5280 4.1.2.5, inclusive), so a fresh certificate ends one second before the anniversary.
 *
 * The CA's profile check (ca/cert/profiles.ts `latestNotAfter`) allows exactly the notAfter this gives.
 */

const CN_OFFSET_MS = 8 * 3600_000;

/** The same Beijing wall-clock time one calendar year later (29 Feb → 1 Mar). */
export function addBeijingYear(at: Date): Date {
  const cn = new Date(at.getTime() + CN_OFFSET_MS);
  cn.setUTCFullYear(cn.getUTCFullYear() + 1);
  return new Date(cn.getTime() - CN_OFFSET_MS);
}

export type ValidityBusiness = 'new' | 'renew' | 'reissue' | 'change';

/** Which rule gave the end date, for the screens that explain it. */
export type ValidityBasis = 'fresh' | 'extended' | 'kept';

export interface Validity {
  notBefore: Date;
  notAfter: Date;
  basis: ValidityBasis;
}

/**
 * The validity of a certificate issued at `issuedAt` for this business; `replaces` is the certificate
 * renewed or replaced (its notAfter as issued). Instants are cut to whole seconds (certificates carry no
 * fractions).
 */
export function certificateValidity(issuedAt: Date, business: ValidityBusiness, replaces?: { notAfter: Date }): Validity {
  const notBefore = new Date(Math.floor(issuedAt.getTime() / 1000) * 1000);
  const fresh = new Date(addBeijingYear(notBefore).getTime() - 1000);
  if (business === 'new' || !replaces) return { notBefore, notAfter: fresh, basis: 'fresh' };
  const oldEnd = new Date(Math.floor(replaces.notAfter.getTime() / 1000) * 1000);
  if (business === 'renew') {
    // Still valid (its last second not yet passed): the year is added to what is left.
    if (oldEnd.getTime() >= notBefore.getTime()) return { notBefore, notAfter: addBeijingYear(oldEnd), basis: 'extended' };
    return { notBefore, notAfter: fresh, basis: 'fresh' };
  }
  return oldEnd.getTime() > fresh.getTime()
    ? { notBefore, notAfter: oldEnd, basis: 'kept' }
    : { notBefore, notAfter: fresh, basis: 'fresh' };
}

/** One line for staff and the unit: why the certificate ends when it does. */
export const VALIDITY_BASIS_TEXT: Record<ValidityBasis, string> = {
  fresh: '自签发之日起一年',
  extended: '在原证书到期日基础上延长一年，提前续费不损失剩余有效期',
  kept: '保留原证书的到期日：原证书剩余有效期长于一年',
};
