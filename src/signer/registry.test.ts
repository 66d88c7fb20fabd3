/**
 * The signer's registry batches the certificate checks that arrive together into one query (issue 21 item 5)
 * and answers each exactly as a lookup of its own would, with nothing kept between batches.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { certificateRepository } from '../server/modules/certificates/repository.js';
import { revocationRepository } from '../server/modules/revocation/repository.js';
import { issueTestCertificate } from '../server/modules/revocation/testing.js';
import { testApp, type TestApp } from '../server/testing/harness.js';
import { testCaEnv } from '../server/testing/test-ca.js';
import { databaseRegistry, SIGNER_LOOKUP_BATCH } from './registry.js';

let t: TestApp;
beforeAll(async () => {
  t = await testApp({ env: await testCaEnv() });
});
afterAll(() => t.close());

const unknownSerial = () => '7' + randomBytes(15).toString('hex');

describe('databaseRegistry.certificate', () => {
  it('answers concurrent lookups with one query, each as findBySerial would, and reads again for the next batch', async () => {
    const issued = [await issueTestCertificate(t, 'sm2'), await issueTestCertificate(t, 'ecdsa-p256')];
    const registry = databaseRegistry(t.db);
    const spy = vi.spyOn(certificateRepository, 'signingChecks');
    const serials = [issued[0]!.serial, unknownSerial(), issued[1]!.serial, unknownSerial(), issued[0]!.serial];
    const answers = await Promise.all(serials.map((s) => registry.certificate(s)));
    expect(spy).toHaveBeenCalledTimes(1);
    expect(new Set(spy.mock.calls[0]![1])).toEqual(new Set(serials));
    for (const [i, serial] of serials.entries()) {
      const row = await certificateRepository.findBySerial(t.db, serial);
      expect(answers[i]).toEqual(row ? { status: row.status, tbs: row.tbs, notAfter: row.notAfter } : undefined);
    }
    expect(answers[0]).toMatchObject({ status: 'issued' });

    // Nothing kept: a change made after a batch is what the next lookup sees.
    await revocationRepository.revokeCertificate(t.db, issued[0]!.id, new Date(), 1);
    expect(await registry.certificate(issued[0]!.serial)).toMatchObject({ status: 'revoked' });
    expect(spy).toHaveBeenCalledTimes(2);
    spy.mockRestore();
  });

  it('splits a large burst into batches of SIGNER_LOOKUP_BATCH and fails only the lookups of a failed query', async () => {
    const registry = databaseRegistry(t.db);
    const spy = vi.spyOn(certificateRepository, 'signingChecks');
    const burst = Array.from({ length: SIGNER_LOOKUP_BATCH + 10 }, unknownSerial);
    expect(await Promise.all(burst.map((s) => registry.certificate(s)))).toEqual(burst.map(() => undefined));
    expect(spy.mock.calls.map((c) => c[1].length)).toEqual([SIGNER_LOOKUP_BATCH, 10]);

    spy.mockRejectedValueOnce(new Error('connection lost'));
    const failed = Promise.all([registry.certificate(unknownSerial()), registry.certificate(unknownSerial())]);
    await expect(failed).rejects.toThrow('connection lost');
    expect(await registry.certificate(unknownSerial())).toBeUndefined();
    spy.mockRestore();
  });
});
