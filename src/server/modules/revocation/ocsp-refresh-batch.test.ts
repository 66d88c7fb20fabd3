/**
 * The CA job's OCSP re-signing in batches (issue 21 item 4): a batch of due certificates is read in one query
 * and stored in one transaction — one INSERT for all the answers, one UPDATE for all the next due times —
 * instead of four statements per answer (bench/scale.ts: ~50 answers/s that way). Counted through Drizzle's
 * query log, never timed; each answer is checked as the one-at-a-time path stored it.
 */
import { randomBytes } from 'node:crypto';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { certificates } from '../../db/schema-certificates.js';
import { testApp, type TestApp } from '../../testing/harness.js';
import { isolatedDb, type IsolatedDb } from '../../testing/isolated-db.js';
import { queryLogged, type QueryLog } from '../../testing/query-log.js';
import { testCaEnv } from '../../testing/test-ca.js';
import { OCSP_REFRESH_MS, OCSP_VALIDITY_MS } from './ocsp-signing.js';
import { publisherFor, type Publisher } from './publication.js';
import { revocationRepository } from './repository.js';
import { issueTestCertificate } from './testing.js';

const FAMILY = 'ecdsa-p256';
let iso: IsolatedDb;
let log: QueryLog;
let t: TestApp;
let p: Publisher;
beforeAll(async () => {
  iso = await isolatedDb('ocsp_refresh');
  log = await queryLogged((await iso.open()).db);
  t = await testApp({ env: await testCaEnv(), db: log.db });
  p = await publisherFor(t);
}, 120_000);
afterAll(async () => {
  await t?.close();
  await iso?.drop();
});

const statements = (prefix: string) => log.queries.filter((q) => q.startsWith(prefix));
const dueOf = async (serial: string) =>
  (await t.db.select({ d: certificates.ocspDueAt }).from(certificates).where(eq(certificates.serial, serial)))[0]!.d;

describe('refreshOcsp', () => {
  it('signs a batch with one read of the certificates, one INSERT of the answers and one UPDATE of the due times', async () => {
    while ((await p.refreshOcsp(500)) > 0); // whatever the test CA itself left due
    const issued = await Promise.all(Array.from({ length: 12 }, () => issueTestCertificate(t, FAMILY)));
    const revoked = issued[3]!;
    await revocationRepository.revokeCertificate(t.db, revoked.id, new Date(), 1);
    log.reset();
    const signatures = p.ocspSignatures;
    expect(await p.refreshOcsp(500)).toBe(12);
    expect(p.ocspSignatures - signatures).toBe(12);
    expect(statements('insert into "ocsp_responses"')).toHaveLength(1);
    expect(statements('update "certificates"')).toHaveLength(1);
    expect(statements('select "serial", "family", "issuer_key_id", "status"')).toHaveLength(1);
    for (const c of issued) expect(log.queries.filter((q) => q.includes(`"${c.serial}"`)).length).toBeLessThanOrEqual(3);

    for (const c of issued) {
      const stored = await revocationRepository.storedOcsp(t.db, c.serial);
      expect(stored?.status).toBe(c === revoked ? 'revoked' : 'good');
      expect(await dueOf(c.serial)).toEqual(new Date(stored!.thisUpdate.getTime() + OCSP_VALIDITY_MS - OCSP_REFRESH_MS));
    }
    log.reset();
    expect(await p.refreshOcsp(500)).toBe(0);
    expect(statements('insert into')).toHaveLength(0);
  });

  it('moves a due time only while the certificate has the status its answer was signed for', async () => {
    const c = await issueTestCertificate(t, FAMILY);
    const revokedAt = new Date();
    await revocationRepository.revokeCertificate(t.db, c.id, revokedAt, 1); // committed after a `good` was signed
    const later = new Date(Date.now() + 86_400_000);
    const other = await issueTestCertificate(t, FAMILY);
    await revocationRepository.setOcspDueMany(t.db, [
      { serial: c.serial, dueAt: later, whileStatus: 'issued' },
      { serial: other.serial, dueAt: later, whileStatus: 'issued' },
      { serial: `7${randomBytes(15).toString('hex')}`, dueAt: later, whileStatus: 'issued' },
    ]);
    expect(await dueOf(c.serial)).toEqual(revokedAt); // still due at once: the revocation's answer is next
    expect(await dueOf(other.serial)).toEqual(later);
  });
});
