/**
 * What a stranger can make the OCSP responder remember (issue 16, item 2): `GET /ocsp/<path>` used to keep
 * every path that base64-decoded, so 100,000 random 12 KB paths held over a gigabyte. Now only a single
 * CertID of ours is remembered, keyed by the SHA-256 of its path, within a byte budget; the same budget
 * rule holds the kept `unknown` answers.
 */
import { createHash, randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NULL, algorithmIdentifier, explicit, octetString, oid, sequence, unsignedInteger } from '../../../ca/der/der.js';
import { testApp, type TestApp } from '../../testing/harness.js';
import { testCaEnv } from '../../testing/test-ca.js';
import { ByteBudgetLru } from './byte-budget-lru.js';
import { certIdFor } from './ocsp-issuers.js';
import { OCSP_ASKED_BUDGET_BYTES } from './ocsp-requests.js';
import { OCSP_UNKNOWN_BUDGET_BYTES } from './ocsp-unknown.js';
import { publisherFor, type Publisher } from './publication.js';
import { issueTestCertificate } from './testing.js';

/** OCSPRequest { TBSRequest { requestList { Request { CertID } } [2] requestExtensions } } (RFC 6960 4.1.1). */
const ocspRequest = (certIds: Uint8Array[], nonce?: Uint8Array) =>
  sequence(
    sequence(
      sequence(...certIds.map((id) => sequence(id))),
      ...(nonce ? [explicit(2, sequence(sequence(oid('1.3.6.1.5.5.7.48.1.2'), octetString(octetString(nonce)))))] : []),
    ),
  );
/** A CertID naming an issuer that is not ours (random name and key hashes). */
const foreignCertId = (serial: Uint8Array) =>
  sequence(algorithmIdentifier('1.3.14.3.2.26', NULL), octetString(randomBytes(20)), octetString(randomBytes(20)), unsignedInteger(serial));
const getPath = (der: Uint8Array) => `/ocsp/${encodeURIComponent(Buffer.from(der).toString('base64'))}`;

describe('ByteBudgetLru', () => {
  it.each([
    // [budget, entry sizes inserted in order, keys left (oldest first), bytes left]
    [100, [40, 40], ['k0', 'k1'], 80],
    [100, [40, 40, 40], ['k1', 'k2'], 80],
    [100, [90, 20], ['k1'], 20],
    [100, [101], [], 0], // bigger than the budget: not kept, nothing else dropped for it
    [100, [30, 101], ['k0'], 30],
    [100, [100], ['k0'], 100],
  ])('budget %i, sizes %j → keeps %j (%i bytes)', (budget, sizes, left, bytes) => {
    const lru = new ByteBudgetLru<number>(budget);
    sizes.forEach((s, i) => lru.set(`k${i}`, i, s));
    expect([...Array(sizes.length).keys()].map((i) => `k${i}`).filter((k) => lru.get(k) !== undefined)).toEqual(left);
    expect(lru.bytes).toBe(bytes);
  });

  it('drops the least recently used, not the least recently added; replacing an entry counts its new size only', () => {
    const lru = new ByteBudgetLru<string>(100);
    lru.set('a', 'a', 40);
    lru.set('b', 'b', 40);
    expect(lru.get('a')).toBe('a'); // a is now the most recently used
    lru.set('c', 'c', 40);
    expect(lru.get('b')).toBeUndefined();
    expect(lru.get('a')).toBe('a');
    lru.set('a', 'A', 10);
    expect(lru.bytes).toBe(50);
    expect(lru.delete('c')).toBe(true);
    expect(lru.bytes).toBe(10);
  });

  it('keeps a hot set through a sweep over 20,000 distinct keys, within its budget (issue 21)', () => {
    // Room for about 100 entries: 10 asked again and again while 20,000 others are each asked once.
    const lru = new ByteBudgetLru<number>(100 * 1_000);
    const hot = Array.from({ length: 10 }, (_, i) => `hot${i}`);
    for (const k of hot) lru.set(k, 0, 1_000);
    let max = 0;
    for (let i = 0; i < 20_000; i++) {
      lru.set(`sweep${i}`, i, 900 + (i % 200));
      if (i % 50 === 0) for (const k of hot) expect(lru.get(k), k).toBe(0);
      max = Math.max(max, lru.bytes);
    }
    expect(hot.every((k) => lru.get(k) === 0)).toBe(true);
    expect(max).toBeLessThanOrEqual(100 * 1_000);
    expect(lru.get('sweep0')).toBeUndefined();
    // peek reads without making an entry recent: the peeked one still goes first.
    const small = new ByteBudgetLru<string>(2);
    small.set('a', 'a', 1);
    small.set('b', 'b', 1);
    expect(small.peek('a')).toBe('a');
    small.set('c', 'c', 1);
    expect(small.get('a')).toBeUndefined();
    expect(small.get('b')).toBe('b');
  });

  it('never holds more than its budget under 10,000 inserts of varied sizes', () => {
    const lru = new ByteBudgetLru<number>(50_000);
    let max = 0;
    for (let i = 0; i < 10_000; i++) {
      lru.set(String(i % 7_000), i, 100 + ((i * 7919) % 4000));
      max = Math.max(max, lru.bytes);
    }
    expect(max).toBeLessThanOrEqual(50_000);
    expect(lru.size).toBeGreaterThan(10);
  });
});

describe('the OCSP responder remembers only CertIDs of ours, within its byte budgets', () => {
  let t: TestApp;
  let base: string;
  let p: Publisher;
  beforeAll(async () => {
    t = await testApp({ env: await testCaEnv() });
    await t.app.listen({ host: '127.0.0.1', port: 0 });
    base = `http://127.0.0.1:${(t.app.server.address() as AddressInfo).port}`;
    p = await publisherFor(t);
  }, 120_000);
  afterAll(async () => {
    await t?.close();
  });
  const get = async (path: string) => {
    const res = await fetch(base + path);
    return { status: res.status, hex: Buffer.from(await res.arrayBuffer()).toString('hex') };
  };

  it('garbage paths, other issuers’ CertIDs and nonce requests are answered but never remembered', async () => {
    const entry = p.issuerOfFamily('ecdsa-p256')!;
    p.asked.clear();
    for (let i = 0; i < 50; i++) {
      // 12 KB of random base64 (what the testers sent), and short base64 that is not DER.
      expect(await get(`/ocsp/${encodeURIComponent(randomBytes(9_000).toString('base64'))}`)).toEqual({ status: 200, hex: '30030a0101' });
      expect(await get(`/ocsp/${encodeURIComponent(randomBytes(60).toString('base64'))}`)).toEqual({ status: 200, hex: '30030a0101' });
      // A well-formed request about someone else's certificate: unauthorized (6).
      expect(await get(getPath(ocspRequest([foreignCertId(randomBytes(16))])))).toEqual({ status: 200, hex: '30030a0106' });
      // Ours, but mixed with a foreign CertID: unauthorized too, not remembered.
      const mixed = ocspRequest([certIdFor(entry, randomBytes(16).toString('hex')), foreignCertId(randomBytes(16))]);
      expect((await get(getPath(mixed))).hex).toBe('30030a0106');
    }
    // A nonce request about ours is signed live (unique by design, so never worth remembering).
    const cert = await issueTestCertificate(t, 'ecdsa-p256');
    const withNonce = await get(getPath(ocspRequest([certIdFor(entry, cert.serial)], randomBytes(16))));
    expect(withNonce.hex.length).toBeGreaterThan(200);
    expect(p.asked.size).toBe(0);
    expect(p.asked.bytes).toBe(0);

    // A CertID of ours is remembered, once per spelling of its path, and asked again adds nothing.
    const der = ocspRequest([certIdFor(entry, cert.serial)]);
    const b64 = Buffer.from(der).toString('base64');
    const answers = new Set<string>();
    for (let i = 0; i < 3; i++) answers.add((await get(`/ocsp/${encodeURIComponent(b64)}`)).hex);
    expect(answers.size).toBe(1);
    expect([...answers][0]!.length).toBeGreaterThan(200);
    expect(p.asked.size).toBe(1);
    // Its key is a fixed-size hash, whatever the path's length.
    expect(p.asked.bytes).toBeLessThan(2_048);
  });

  it('10,000 distinct valid requests keep the remembered requests within their byte budget', () => {
    const entry = p.issuerOfFamily('ecdsa-p256')!;
    p.asked.clear();
    let max = 0;
    let last = '';
    for (let i = 0; i < 10_000; i++) {
      // Serials of every length a CertID may carry (up to 2 KB), so the budget, not a count, is what bounds it.
      const serial = randomBytes(1 + (i % 8 === 0 ? 2_000 : i % 20)).toString('hex');
      last = encodeURIComponent(Buffer.from(ocspRequest([certIdFor(entry, serial)])).toString('base64'));
      expect(p.resolveGetPath(last).kind).toBe('single');
      max = Math.max(max, p.asked.bytes);
    }
    expect(max).toBeLessThanOrEqual(OCSP_ASKED_BUDGET_BYTES);
    expect(p.asked.size).toBeGreaterThan(1_000);
    // The budget, not the count, stopped it; the least recently used went first, the last one asked is kept.
    expect(p.asked.size).toBeLessThan(10_000);
    expect(p.asked.get(createHash('sha256').update(last).digest('base64'))).toBeDefined();
  });

  it('kept `unknown` answers are counted in bytes against their budget', async () => {
    const entry = p.issuerOfFamily('ecdsa-p256')!;
    p.unknown.clear();
    for (let i = 0; i < 20; i++) {
      const res = await get(getPath(ocspRequest([certIdFor(entry, randomBytes(600).toString('hex'))])));
      expect(res.hex.length).toBeGreaterThan(200);
    }
    expect(p.unknown.size).toBe(20);
    // Each holds its 1,200-character serial key and a signed answer: far more than a nominal count would say.
    expect(p.unknown.bytes).toBeGreaterThan(20 * 2_400);
    expect(p.unknown.bytes).toBeLessThanOrEqual(OCSP_UNKNOWN_BUDGET_BYTES);
  });
});
