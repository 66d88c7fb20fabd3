/**
 * The responses an instance keeps in memory are bounded in bytes by CERTDESK_OCSP_MEMORY_MB, least recently
 * used dropped first (issue 21, item 3). The old bound emptied the whole map at 200,000 entries, hot set
 * included: requests spread over a million certificates went to the database for the hot set too. Through the
 * real app: a hot set asked throughout a sweep over many more certificates than the budget holds still costs
 * no query, and the kept bytes never pass the setting.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sequence } from '../../../ca/der/der.js';
import { randomIp, testApp, testDb, type TestApp } from '../../testing/harness.js';
import { queryLogged, type QueryLog } from '../../testing/query-log.js';
import { testCaEnv } from '../../testing/test-ca.js';
import { certIdFor } from './ocsp-issuers.js';
import { publisherFor, type Publisher } from './publication.js';
import { issueTestCertificate } from './testing.js';

const FAMILY = 'ecdsa-p256';
/** 128 KiB: some 50 responses of this test CA with their bookkeeping. */
const BUDGET_MB = 0.125;
const BUDGET = BUDGET_MB * 1024 * 1024;

let t: TestApp;
let log: QueryLog;
let p: Publisher;
beforeAll(async () => {
  log = await queryLogged((await testDb()).db);
  t = await testApp({ env: { ...(await testCaEnv()), CERTDESK_OCSP_MEMORY_MB: String(BUDGET_MB) }, db: log.db });
  p = await publisherFor(t);
}, 120_000);
afterAll(async () => {
  await t?.close();
});

const get = async (serial: string) => {
  const der = sequence(sequence(sequence(sequence(certIdFor(p.issuerOfFamily(FAMILY)!, serial)))));
  const res = await t.app.inject({
    method: 'GET',
    url: `/ocsp/${encodeURIComponent(Buffer.from(der).toString('base64'))}`,
    remoteAddress: randomIp(),
  });
  expect(res.statusCode).toBe(200);
  return Buffer.from(res.rawPayload);
};

describe('OCSP responses kept in memory', () => {
  it('a hot set survives a sweep over three times the budget; memory never holds more than CERTDESK_OCSP_MEMORY_MB', async () => {
    expect(p.memory.budget).toBe(BUDGET);
    const hot: string[] = [];
    for (let i = 0; i < 5; i++) hot.push((await issueTestCertificate(t, FAMILY)).serial);
    const sweep: string[] = [];
    for (let i = 0; i < 150; i++) sweep.push((await issueTestCertificate(t, FAMILY)).serial);
    const answers = new Map<string, Buffer>();
    for (const s of hot) answers.set(s, await get(s));
    let max = 0;
    for (let i = 0; i < sweep.length; i++) {
      await get(sweep[i]!);
      max = Math.max(max, p.memory.bytes);
      if (i % 10 === 9) {
        log.reset();
        for (const s of hot) expect((await get(s)).equals(answers.get(s)!)).toBe(true);
        expect(log.queries.filter((q) => hot.some((s) => q.includes(`"${s}"`)))).toEqual([]);
      }
    }
    expect(max).toBeLessThanOrEqual(BUDGET);
    // The budget, not the sweep's size, bounded it: most of the sweep was dropped, least recently used first.
    expect(p.memory.size).toBeLessThan(sweep.length / 2);
    expect(p.memory.peek(sweep[0]!)).toBeUndefined();
    expect(p.memory.peek(sweep[sweep.length - 1]!)).toBeDefined();
  });
});
