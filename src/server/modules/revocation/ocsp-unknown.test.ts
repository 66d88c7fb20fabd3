/**
 * What a serial never issued here costs the responder (issue 21, item 2): it used to be four queries (stored
 * response, the registry row twice, a DELETE) and a signature, for anyone, for every random serial. Now one
 * lookup (the registry row with its stored response), a signature only within the live-signing cap, and
 * asked again within OCSP_UNKNOWN_TTL_MS no query at all. Counted with Drizzle's query log through the
 * real app (POST /ocsp), not timed.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sequence } from '../../../ca/der/der.js';
import { randomIp, testApp, testDb, type TestApp } from '../../testing/harness.js';
import { queryLogged, type QueryLog } from '../../testing/query-log.js';
import { testCaEnv } from '../../testing/test-ca.js';
import { LIVE_SIGNING_POLICY } from './live-signing-limit.js';
import { certIdFor } from './ocsp-issuers.js';
import { publisherFor, type Publisher } from './publication.js';
import { issueTestCertificate } from './testing.js';

const FAMILY = 'ecdsa-p256';
const TRY_LATER = '30030a0103';

let t: TestApp;
let log: QueryLog;
let p: Publisher;
beforeAll(async () => {
  log = await queryLogged((await testDb()).db);
  t = await testApp({ env: await testCaEnv(), db: log.db });
  p = await publisherFor(t);
}, 120_000);
afterAll(async () => {
  await t?.close();
});

const post = async (ip: string, certId: Uint8Array) =>
  Buffer.from(
    (
      await t.app.inject({
        method: 'POST',
        url: '/ocsp',
        headers: { 'content-type': 'application/ocsp-request' },
        payload: Buffer.from(sequence(sequence(sequence(sequence(certId))))),
        remoteAddress: ip,
      })
    ).rawPayload,
  );

/** Statements sent for this serial (the revocation feed, once a second per process, names no serial). */
const queriesNaming = (serial: string) => log.queries.filter((q) => q.includes(`"${serial}"`));
/** A SingleResponse's certStatus `unknown` ([2] IMPLICIT NULL) right after the CertID it answers. */
const answersUnknown = (res: Buffer, certId: Uint8Array) => res.includes(Buffer.concat([certId, Buffer.from([0x82, 0x00])]));

describe('an OCSP request about a serial never issued here', () => {
  it('costs one lookup and one signature; asked again, no query and no signature', async () => {
    const issuer = p.issuerOfFamily(FAMILY)!;
    const serial = `7e${randomBytes(15).toString('hex')}`;
    const certId = certIdFor(issuer, serial);
    log.reset();
    const signatures = p.ocspSignatures;
    const first = await post(randomIp(), certId);
    expect(answersUnknown(first, certId)).toBe(true);
    expect(queriesNaming(serial)).toHaveLength(1);
    expect(queriesNaming(serial)[0]).toMatch(/left join "ocsp_responses"/);
    expect(p.ocspSignatures - signatures).toBe(1);

    log.reset();
    for (let i = 0; i < 5; i++) expect((await post(randomIp(), certId)).equals(first)).toBe(true);
    expect(queriesNaming(serial)).toHaveLength(0);
    expect(p.ocspSignatures - signatures).toBe(1);
  });

  it('over the live-signing cap: tryLater after the same one lookup, and asked again no lookup at all', async () => {
    const issuer = p.issuerOfFamily(FAMILY)!;
    const ip = randomIp();
    const serials = Array.from({ length: LIVE_SIGNING_POLICY.perAddress.burst + 10 }, () => `7d${randomBytes(15).toString('hex')}`);
    const signatures = p.ocspSignatures;
    let tryLater = 0;
    for (const serial of serials) {
      log.reset();
      const res = await post(ip, certIdFor(issuer, serial));
      expect(queriesNaming(serial)).toHaveLength(1);
      if (res.toString('hex') === TRY_LATER) tryLater++;
      else expect(answersUnknown(res, certIdFor(issuer, serial))).toBe(true);
    }
    const signed = p.ocspSignatures - signatures;
    expect(signed).toBeGreaterThanOrEqual(LIVE_SIGNING_POLICY.perAddress.burst);
    expect(tryLater).toBe(serials.length - signed);
    expect(tryLater).toBeGreaterThan(0);

    // The same serials again from the same (capped) address: remembered as never issued, so no lookup.
    log.reset();
    for (const serial of serials) await post(ip, certIdFor(issuer, serial));
    expect(serials.flatMap(queriesNaming)).toEqual([]);
  });

  it('a certificate of ours not in memory costs the same one lookup and no signature when its answer is stored', async () => {
    const cert = await issueTestCertificate(t, FAMILY);
    const stored = await p.presign(cert.serial);
    expect(stored?.status).toBe('good');
    const certId = certIdFor(p.issuerOfFamily(FAMILY)!, cert.serial);
    // Another process's view: this publisher forgets what it kept (as after a restart or an eviction).
    (p as unknown as { memory: { clear(): void } }).memory.clear();
    log.reset();
    const signatures = p.ocspSignatures;
    const res = await post(randomIp(), certId);
    expect(res.equals(stored!.der)).toBe(true);
    expect(queriesNaming(cert.serial)).toHaveLength(1);
    expect(p.ocspSignatures).toBe(signatures);
  });
});
