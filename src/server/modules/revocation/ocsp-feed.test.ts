/**
 * The OCSP responders' revocation feed (ocsp-cache.ts): a process keeps the responses it serves in memory,
 * and a revocation approved by ANOTHER process must reach it. Two publishers on one database stand for two
 * instances; the revocation is written the way the approval's transaction writes it (certificate revoked,
 * stored response deleted), then the other instance signs the new answer, or crashes before it can.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { testApp, type TestApp } from '../../testing/harness.js';
import { testCaEnv } from '../../testing/test-ca.js';
import { OCSP_FEED_INTERVAL_MS, OCSP_MEMORY_TTL_MS } from './ocsp-cache.js';
import { Publisher } from './publication.js';
import { revocationRepository } from './repository.js';
import { operationalCertificatesIn, revokeOperationalCertificate } from './operational.js';
import { issueTestCertificate } from './testing.js';

let t: TestApp;
beforeAll(async () => {
  t = await testApp({ env: await testCaEnv() });
}, 120_000);
afterAll(async () => {
  await t?.close();
});
afterEach(() => {
  vi.restoreAllMocks();
});

/** What the approval's transaction does (revocation.ts decide): revoke compare-and-set, drop the stored answer. */
async function revokeInDatabase(certificateId: string, serial: string) {
  await t.db.transaction(async (tx) => {
    expect(await revocationRepository.revokeCertificate(tx, certificateId, t.clock.now(), 1)).toBeTruthy();
    await revocationRepository.dropOcsp(tx, serial);
  });
}

const instance = () => Publisher.create({ db: t.db, clock: t.clock, config: t.config });

describe('revocation feed', () => {
  it('a revocation approved by another instance reaches this one’s kept `good` within about a second, by one query a second', async () => {
    const cert = await issueTestCertificate(t, 'ecdsa-p256');
    const [a, b] = [await instance(), await instance()];
    await a.presign(cert.serial);
    expect((await a.storedResponse(cert.serial, Date.now()))?.status).toBe('good');
    const polls = a.feedPolls;

    await revokeInDatabase(cert.id, cert.serial);
    await b.afterChange(cert.serial); // the other instance signs the revoked answer after its commit

    // This instance learns it from the feed: asked repeatedly, it answers `revoked` well within the bound.
    const started = Date.now();
    let status: string | undefined = 'good';
    while (status === 'good' && Date.now() - started < OCSP_MEMORY_TTL_MS) {
      await new Promise((r) => setTimeout(r, 100));
      status = (await a.storedResponse(cert.serial, Date.now()))?.status;
    }
    expect(status).toBe('revoked');
    const took = Date.now() - started;
    expect(took).toBeLessThan(OCSP_FEED_INTERVAL_MS + 2_000);
    // A handful of feed polls did it, not a re-read of every entry.
    expect(a.feedPolls - polls).toBeGreaterThanOrEqual(1);
    expect(a.feedPolls - polls).toBeLessThanOrEqual(Math.ceil(took / OCSP_FEED_INTERVAL_MS) + 1);
  });

  it('the bound the operators are promised: a revocation shows on every instance within 2 s of its commit', () => {
    // Memory is answered from only while the last poll started less than OCSP_MEMORY_TTL_MS ago (the test
    // below shows a request past it waits for the feed), so this constant is the bound (issue 17 item 4).
    expect(OCSP_MEMORY_TTL_MS).toBeLessThanOrEqual(2_000);
    expect(OCSP_FEED_INTERVAL_MS).toBeLessThan(OCSP_MEMORY_TTL_MS);
  });

  it('past OCSP_MEMORY_TTL_MS without a poll, memory is not trusted: the request waits for the feed and never answers `good`', async () => {
    const cert = await issueTestCertificate(t, 'ecdsa-p256');
    const a = await instance();
    await a.presign(cert.serial);
    expect((await a.storedResponse(cert.serial, Date.now()))?.status).toBe('good');

    // Revoked by another instance that crashed right after its commit: nobody signed the new answer.
    await revokeInDatabase(cert.id, cert.serial);

    // A quiet spell longer than the bound (no request polled the feed meanwhile).
    const realNow = performance.now.bind(performance);
    vi.spyOn(performance, 'now').mockImplementation(() => realNow() + OCSP_MEMORY_TTL_MS + 1);
    expect(a.memoryHit(cert.serial, Date.now())).toBeUndefined();
    // The stored answer is gone and memory dropped its `good`: the responder signs afresh (below), never `good`.
    expect(await a.storedResponse(cert.serial, Date.now())).toBeNull();
    expect((await a.presign(cert.serial))?.status).toBe('revoked');
  });

  it('a revocation stamped before a poll looked but committed after it is still seen (the overlap)', async () => {
    const cert = await issueTestCertificate(t, 'ecdsa-p256');
    const a = await instance();
    await a.presign(cert.serial);
    expect((await a.storedResponse(cert.serial, Date.now()))?.status).toBe('good');
    // revoked_at is taken when the transaction starts; a poll runs before it commits.
    const stampedAt = new Date(Date.now() - 5_000);
    await t.db.transaction(async (tx) => {
      expect(await revocationRepository.revokeCertificate(tx, cert.id, stampedAt, 1)).toBeTruthy();
      await revocationRepository.dropOcsp(tx, cert.serial);
    });
    await new Promise((r) => setTimeout(r, OCSP_FEED_INTERVAL_MS + 50));
    let status: string | undefined = 'good';
    for (let i = 0; i < 30 && status === 'good'; i++) {
      await new Promise((r) => setTimeout(r, 100));
      status = (await a.storedResponse(cert.serial, Date.now()))?.status;
    }
    expect(status).not.toBe('good');
  });

  it('the seal maker revoked by npm run ca:revoke (another process, which signs nothing) is never answered `good` again', async () => {
    const a = await instance(); // records the CA directory's seal maker and audit signer
    const seal = (await operationalCertificatesIn(t.config.ca.dir)).find((c) => c.kind === 'seal' && c.current)!;
    expect((await a.presign(seal.serial))?.status).toBe('good');
    expect((await a.storedResponse(seal.serial, Date.now()))?.status).toBe('good');
    await revokeOperationalCertificate(t, t.config.ca.dir, { kind: 'seal', reason: 1 });
    // The feed names it; the kept `good` is dropped and (the stored answer deleted) the responder signs afresh.
    let kept: string | undefined | null = 'good';
    for (let i = 0; i < 30 && kept === 'good'; i++) {
      await new Promise((r) => setTimeout(r, 100));
      kept = (await a.storedResponse(seal.serial, Date.now()))?.status ?? null;
    }
    expect(kept).toBeNull();
    const e = a.issuerOfFamily('sm2')!;
    expect((await a.statusOf(t.db, e, seal.serial)).status).toBe('revoked');
    expect((await a.presign(seal.serial))?.status).toBe('revoked');
  });
});
