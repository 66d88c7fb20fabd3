/**
 * OCSP requests that must be signed live (a nonce, several CertIDs) are capped per client address (issue 16,
 * item 11): over the cap a single CertID of ours gets its pre-signed answer without the nonce, anything else
 * `tryLater`; another address is not held by the first.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { explicit, octetString, oid, sequence } from '../../ca/der/der.js';
import { LIVE_SIGNING_POLICY, LiveSigningLimit } from '../modules/revocation/live-signing-limit.js';
import { certIdFor } from '../modules/revocation/ocsp-issuers.js';
import { publisherFor } from '../modules/revocation/publication.js';
import { revocationRepository } from '../modules/revocation/repository.js';
import { issueTestCertificate } from '../modules/revocation/testing.js';
import { randomIp, testApp, type TestApp } from '../testing/harness.js';
import { testCaEnv } from '../testing/test-ca.js';

let t: TestApp;
beforeAll(async () => {
  t = await testApp({ env: await testCaEnv() });
}, 120_000);
afterAll(async () => {
  await t?.close();
});

const FAMILY = 'ecdsa-p256';
const TRY_LATER = '30030a0103';
const INTERNAL_ERROR = '30030a0102';
const NONCE_OID = '1.3.6.1.5.5.7.48.1.2';

/** OCSPRequest (RFC 6960 4.1.1) for these CertIDs, with an RFC 8954 nonce when given. */
function ocspRequest(certIds: Uint8Array[], nonce?: Uint8Array): Buffer {
  const list = sequence(...certIds.map((id) => sequence(id)));
  const ext = nonce ? [explicit(2, sequence(sequence(oid(NONCE_OID), octetString(octetString(nonce)))))] : [];
  return Buffer.from(sequence(sequence(list, ...ext)));
}

const post = async (ip: string, body: Buffer) =>
  Buffer.from(
    (
      await t.app.inject({
        method: 'POST',
        url: '/ocsp',
        headers: { 'content-type': 'application/ocsp-request' },
        payload: body,
        remoteAddress: ip,
      })
    ).rawPayload,
  );

async function certIdOfNewCert(): Promise<Uint8Array> {
  const p = await publisherFor(t);
  const cert = await issueTestCertificate(t, FAMILY);
  return certIdFor(p.issuerOfFamily(FAMILY)!, cert.serial);
}

describe('live OCSP signing is capped per client address', () => {
  it('over the cap a nonce request gets the pre-signed answer (no nonce); several CertIDs get tryLater; others are not held', async () => {
    const p = await publisherFor(t);
    const certId = await certIdOfNewCert();
    const other = await certIdOfNewCert();
    // The pre-signed answer, as a relying party without a nonce gets it.
    const presigned = await post(randomIp(), ocspRequest([certId]));
    expect(presigned.length).toBeGreaterThan(100);

    const ip = randomIp();
    const asks = LIVE_SIGNING_POLICY.perAddress.burst + 20;
    const before = p.ocspSignatures;
    const started = performance.now();
    let echoed = 0;
    let fallback = 0;
    for (let i = 0; i < asks; i++) {
      const nonce = randomBytes(16);
      const res = await post(ip, ocspRequest([certId], nonce));
      if (res.includes(nonce)) echoed++;
      else {
        expect(res.equals(presigned), res.toString('hex').slice(0, 40)).toBe(true);
        fallback++;
      }
    }
    const seconds = (performance.now() - started) / 1000;
    // The burst, plus what the bucket refilled while the loop ran.
    const allowed = LIVE_SIGNING_POLICY.perAddress.burst + Math.ceil(seconds * LIVE_SIGNING_POLICY.perAddress.perSecond);
    expect(echoed).toBeGreaterThanOrEqual(LIVE_SIGNING_POLICY.perAddress.burst);
    expect(echoed).toBeLessThanOrEqual(allowed);
    expect(fallback).toBe(asks - echoed);
    expect(p.ocspSignatures - before).toBe(echoed);

    // Several CertIDs cannot be answered from the pre-signed store: tryLater, no signature.
    const signaturesBefore = p.ocspSignatures;
    expect((await post(ip, ocspRequest([certId, other], randomBytes(16)))).toString('hex')).toBe(TRY_LATER);
    expect(p.ocspSignatures).toBe(signaturesBefore);

    // Another address still gets its nonce echoed in a live-signed answer.
    const nonce = randomBytes(16);
    expect((await post(randomIp(), ocspRequest([certId, other], nonce))).includes(nonce)).toBe(true);
  });

  it('serials never issued here (each a new signature) count against the same cap', async () => {
    const p = await publisherFor(t);
    const issuer = p.issuerOfFamily(FAMILY)!;
    const ip = randomIp();
    const asks = LIVE_SIGNING_POLICY.perAddress.burst + 20;
    const before = p.ocspSignatures;
    const started = performance.now();
    let tryLater = 0;
    for (let i = 0; i < asks; i++) {
      const res = await post(ip, ocspRequest([certIdFor(issuer, `7f${randomBytes(15).toString('hex')}`)]));
      if (res.toString('hex') === TRY_LATER) tryLater++;
    }
    const seconds = (performance.now() - started) / 1000;
    const allowed = LIVE_SIGNING_POLICY.perAddress.burst + Math.ceil(seconds * LIVE_SIGNING_POLICY.perAddress.perSecond);
    expect(p.ocspSignatures - before).toBeLessThanOrEqual(allowed);
    expect(tryLater).toBe(asks - (p.ocspSignatures - before));
    expect(tryLater).toBeGreaterThan(0);
  });

  it('over the cap, a failed read of the pre-signed answer is an unsigned internalError (HTTP 200), never a 5xx', async () => {
    const p = await publisherFor(t);
    const certId = await certIdOfNewCert();
    // Over the cap (whatever the bucket refilled meanwhile), with the answer out of memory and its read failing.
    const overCap = vi.spyOn(LiveSigningLimit.prototype, 'take').mockReturnValue(false);
    p.memory.clear();
    const read = vi.spyOn(revocationRepository, 'storedOcsp').mockRejectedValueOnce(new Error('database unreachable'));
    try {
      const res = await t.app.inject({
        method: 'POST',
        url: '/ocsp',
        headers: { 'content-type': 'application/ocsp-request' },
        payload: ocspRequest([certId], randomBytes(16)),
        remoteAddress: randomIp(),
      });
      expect(read).toHaveBeenCalledTimes(1);
      expect(res.statusCode).toBe(200);
      expect(Buffer.from(res.rawPayload).toString('hex')).toBe(INTERNAL_ERROR);
    } finally {
      read.mockRestore();
      overCap.mockRestore();
    }
  });
});
