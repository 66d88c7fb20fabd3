/**
 * "Which OCSP responses are due" (issue 21, item 4): an indexed due time on the certificate
 * (certificates.ocsp_due_at) instead of a scan of certificates joined to ocsp_responses every 30 s, and the
 * rule for expired certificates in OCSP and CRLs (docs/revocation.md, "Expired certificates in OCSP and
 * CRLs"): no more scheduled OCSP signing once a response reaches past notAfter, and a revoked certificate
 * leaves the CRLs one CRL validity after it has expired.
 */
import { randomBytes } from 'node:crypto';
import { eq, inArray } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sequence } from '../../../ca/der/der.js';
import type { Db } from '../../db/client.js';
import { certificates } from '../../db/schema-certificates.js';
import { testApp, type TestApp } from '../../testing/harness.js';
import { isolatedDb, type IsolatedDb } from '../../testing/isolated-db.js';
import { testCaEnv } from '../../testing/test-ca.js';
import { COMPLETE_CRL } from './crl-scopes.js';
import { CRL_VALIDITY_MS, crlExpiredBefore } from './crl-publisher.js';
import { certIdFor } from './ocsp-issuers.js';
import type { Asked } from './ocsp-requests.js';
import { OCSP_REFRESH_MS, OCSP_VALIDITY_MS, nextOcspDue } from './ocsp-signing.js';
import { publisherFor, type Publisher } from './publication.js';
import { revocationRepository } from './repository.js';
import { issueTestCertificate } from './testing.js';

const DAY = 86_400_000;
const FAMILY = 'ecdsa-p256';
const T = new Date('2026-06-01T00:00:00Z');
const at = (days: number) => new Date(T.getTime() + days * DAY);

describe('the expiry rule', () => {
  it.each([
    // [notAfter relative to thisUpdate (days), next due (days) or null]
    [365, (OCSP_VALIDITY_MS - OCSP_REFRESH_MS) / DAY],
    [3, 2],
    [2, 2], // due exactly at notAfter: one more response, reaching 2 days past it
    [1.5, null], // this response (4 days) already reaches 2.5 days past notAfter
    [0, null],
    [-400, null], // expired long ago, signed on demand: never scheduled again
  ])('OCSP: certificate valid %s more days → next scheduled signing in %s days', (notAfterDays, dueDays) => {
    expect(nextOcspDue(T, at(notAfterDays))).toEqual(dueDays === null ? null : at(dueDays));
  });

  it.each([
    // [previous CRL's thisUpdate, oldest notAfter still listed]
    [null, undefined],
    [undefined, undefined],
    [T, new Date(T.getTime() - CRL_VALIDITY_MS)],
  ])('CRL: previous thisUpdate %s → lists certificates with notAfter ≥ %s', (previous, cutoff) => {
    expect(crlExpiredBefore(previous)).toEqual(cutoff);
  });
});

describe('OCSP refresh by due time, and expired certificates', () => {
  let t: TestApp;
  let p: Publisher;
  beforeAll(async () => {
    t = await testApp({ env: await testCaEnv() });
    p = await publisherFor(t);
  }, 120_000);
  afterAll(async () => {
    await t?.close();
  });
  const dueOf = async (serial: string) =>
    (await t.db.select({ d: certificates.ocspDueAt }).from(certificates).where(eq(certificates.serial, serial)))[0]!.d;
  const dueNow = async () =>
    (await revocationRepository.ocspDue(t.db, [p.issuerOfFamily(FAMILY)!.keyIdHex], new Date(), 10_000, new Date())).map((r) => r.serial);
  /** A registry row of this CA's issuer (the OCSP answer only needs the row), issued, with notAfter as given. */
  async function issuedRow(notAfter: Date, revoked?: Date): Promise<string> {
    const serial = `50${randomBytes(15).toString('hex')}`;
    const now = new Date();
    await t.db.insert(certificates).values({
      serial,
      family: FAMILY,
      issuer: 'test',
      issuerKeyId: p.issuerOfFamily(FAMILY)!.keyIdHex,
      uscc: '91360100MA00000000',
      unitName: '过期测试单位',
      projectCode: 'gov-procurement',
      keyType: 'main',
      status: revoked ? 'revoked' : 'issued',
      keySource: 'generated',
      notBefore: new Date(notAfter.getTime() - 365 * DAY),
      notAfter,
      revokedAt: revoked ?? null,
      revocationReason: revoked ? 1 : null,
      ocspDueAt: revoked ?? now,
      source: 'online',
    });
    return serial;
  }

  it('issuance and revocation make a response due at once; signing moves it to half-life; then nothing is due', async () => {
    const cert = await issueTestCertificate(t, FAMILY);
    expect(await dueOf(cert.serial)).toEqual(cert.issuedAt);
    expect(await dueNow()).toContain(cert.serial);
    while ((await p.refreshOcsp(500)) === 500);
    const stored = await revocationRepository.storedOcsp(t.db, cert.serial);
    expect(stored?.status).toBe('good');
    expect(await dueOf(cert.serial)).toEqual(new Date(stored!.thisUpdate.getTime() + OCSP_VALIDITY_MS - OCSP_REFRESH_MS));
    expect(await dueNow()).toEqual([]);

    const revokedAt = new Date();
    await revocationRepository.revokeCertificate(t.db, cert.id, revokedAt, 1);
    expect(await dueOf(cert.serial)).toEqual(revokedAt);
    expect(await dueNow()).toEqual([cert.serial]);
    await p.refreshOcsp(500);
    expect((await revocationRepository.storedOcsp(t.db, cert.serial))?.status).toBe('revoked');
    expect(await dueNow()).toEqual([]);
  });

  it('a certificate expiring before the next half-life gets its last scheduled response, then none; asked later it is signed on demand', async () => {
    const soon = await issuedRow(new Date(Date.now() + DAY));
    const expired = await issuedRow(new Date(Date.now() - 30 * DAY));
    expect(await dueNow()).toEqual(expect.arrayContaining([soon, expired]));
    await p.refreshOcsp(500);
    for (const serial of [soon, expired]) {
      expect((await revocationRepository.storedOcsp(t.db, serial))?.status).toBe('good');
      expect(await dueOf(serial)).toBeNull();
    }
    expect(await dueNow()).toEqual([]);
    // Its response expired (as 4 days later): a request signs a fresh one on demand and stores it; still not scheduled.
    await t.db.update(certificates).set({ ocspDueAt: null }).where(eq(certificates.serial, expired));
    await revocationRepository.storeOcsp(t.db, {
      ...(await revocationRepository.storedOcsp(t.db, expired))!,
      serial: expired,
      nextUpdate: new Date(Date.now() - 1000),
    });
    (p as unknown as { memory: { clear(): void } }).memory.clear();
    const asked = p.resolveRequest(sequence(sequence(sequence(sequence(certIdFor(p.issuerOfFamily(FAMILY)!, expired))))));
    expect(asked.kind).toBe('single');
    const again = await p.answerSingle(asked as Asked & { kind: 'single' }, () => false);
    expect(again.kind).toBe('stored');
    expect((await revocationRepository.storedOcsp(t.db, expired))!.nextUpdate.getTime()).toBeGreaterThan(Date.now());
    expect(await dueOf(expired)).toBeNull();
  });

  it('a revoked certificate stays on the CRL until one CRL validity past the previous CRL, then leaves it', async () => {
    const now = Date.now();
    const longGone = await issuedRow(new Date(now - 400 * DAY), new Date(now - 500 * DAY));
    const justExpired = await issuedRow(new Date(now - DAY), new Date(now - 10 * DAY));
    const valid = await issuedRow(new Date(now + 300 * DAY), new Date(now - 10 * DAY));
    const listed = async () => {
      const { der } = await p.publishCrl(FAMILY, COMPLETE_CRL);
      const hex = Buffer.from(der).toString('hex');
      return (serial: string) => hex.includes(`02${(serial.length / 2).toString(16).padStart(2, '0')}${serial}`);
    };
    try {
      await listed(); // so that a previous CRL (thisUpdate now) exists, whatever ran before
      const has = await listed();
      expect(has(longGone)).toBe(false);
      expect(has(justExpired)).toBe(true);
      expect(has(valid)).toBe(true);
    } finally {
      // Other files on this database count this CA's revoked rows against its CRLs: leave none of ours behind.
      await t.db.delete(certificates).where(inArray(certificates.serial, [longGone, justExpired, valid]));
    }
  });
});

describe('what is due is an index range, not a scan', () => {
  let iso: IsolatedDb;
  let db: Db;
  beforeAll(async () => {
    iso = await isolatedDb('ocsp_due');
    db = (await iso.open()).db;
    // 20,000 certificates of two issuers, none due: due times spread over the coming days, every tenth expired (null).
    const now = Date.now();
    for (let i = 0; i < 20_000; i += 2_000)
      await db.insert(certificates).values(
        Array.from({ length: 2_000 }, (_, j) => ({
          serial: `${(i + j).toString(16)}${randomBytes(8).toString('hex')}`,
          family: FAMILY,
          issuer: 'test',
          issuerKeyId: `k${(i + j) % 2}`,
          uscc: '91360100MA00000000',
          unitName: '索引测试单位',
          projectCode: 'gov-procurement',
          keyType: 'main' as const,
          status: 'issued' as const,
          keySource: 'generated' as const,
          notBefore: new Date(now),
          notAfter: new Date(now + 365 * DAY),
          ocspDueAt: (i + j) % 10 === 0 ? null : new Date(now + 60_000 + (i + j) * 10_000),
          source: 'online' as const,
        })),
      );
    const client = (db as unknown as { $client: { query(q: string): Promise<unknown> } }).$client;
    await client.query('ANALYZE certificates');
  }, 120_000);
  afterAll(async () => {
    await iso?.drop();
  });

  it('EXPLAIN ANALYZE: the CA job’s query reads certificates_ocsp_due_idx and no row when nothing is due', async () => {
    const q = revocationRepository.ocspDueQuery(db, ['k0', 'k1'], new Date(), 500).toSQL();
    const client = (db as unknown as { $client: { query(q: string, p: unknown[]): Promise<{ rows: Record<string, unknown>[] }> } }).$client;
    const { rows } = await client.query(`EXPLAIN (ANALYZE, FORMAT JSON) ${q.sql}`, q.params);
    const raw = rows[0]!['QUERY PLAN'];
    const plan = JSON.stringify(typeof raw === 'string' ? JSON.parse(raw) : raw);
    expect(plan).toContain('"Index Name":"certificates_ocsp_due_idx"');
    expect(plan).not.toContain('Seq Scan');
    // Every node of the plan returned nothing: no certificate row was read.
    expect([...plan.matchAll(/"Actual Rows":(\d+)/g)].map((m) => Number(m[1]))).toSatisfy(
      (r: number[]) => r.length > 0 && r.every((n) => n === 0),
    );
    expect(await revocationRepository.ocspDue(db, ['k0', 'k1'], new Date(), 500, new Date())).toEqual([]);
  });
});
