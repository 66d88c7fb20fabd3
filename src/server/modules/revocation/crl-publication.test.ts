/**
 * How a CRL is published (issues 15 and 21), on the database the suite runs on (PGlite, or PostgreSQL with
 * DATABASE_URL): entries stream from the registry in keyset pages — the complete CRL reads every revoked row
 * of its issuing CA once, a shard only its own (serial mod 16 = last hex digit) — and the serving thread gets
 * a turn between pages. What each CRL lists, and which carries an IDP, is checked with openssl.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { openssl, tempDir, type TempDir } from '../../../ca/testing/openssl.js';
import { certificates } from '../../db/schema-certificates.js';
import { testApp, type TestApp } from '../../testing/harness.js';
import { testCaEnv } from '../../testing/test-ca.js';
import { COMPLETE_CRL, shardOfSerialHex } from './crl-scopes.js';
import { CRL_PAGE_ROWS } from './crl-publisher.js';
import { publisherFor, type Publisher } from './publication.js';
import { revocationRepository } from './repository.js';

const N = 2 * CRL_PAGE_ROWS + 321; // three pages
let t: TestApp;
let p: Publisher;
let tmp: TempDir;
const serials: string[] = [];
const keyId = () => p.issuerOfFamily('ecdsa-p256')!.keyIdHex;

beforeAll(async () => {
  t = await testApp({ env: await testCaEnv() });
  p = await publisherFor(t);
  tmp = tempDir('certdesk-crl-publication-test-');
  const keyId = p.issuerOfFamily('ecdsa-p256')!.keyIdHex;
  const at = new Date();
  for (let i = 0; i < N; i++) serials.push((0x10 + (i % 0x70)).toString(16) + randomBytes(15).toString('hex'));
  for (let i = 0; i < N; i += 1000)
    await t.db.insert(certificates).values(
      serials.slice(i, i + 1000).map((serial, j) => ({
        serial,
        family: 'ecdsa-p256',
        issuer: 'test',
        issuerKeyId: keyId,
        uscc: '91360100MA00000000',
        unitName: '测试单位',
        projectCode: 'gov-procurement',
        keyType: 'main' as const,
        status: 'revoked' as const,
        keySource: 'generated' as const,
        notBefore: at,
        notAfter: new Date(at.getTime() + 365 * 86_400_000),
        revokedAt: new Date(at.getTime() - (i + j) * 1000),
        revocationReason: [0, 1, 4][(i + j) % 3]!,
        source: 'online' as const,
      })),
    );
}, 120_000);
afterAll(async () => {
  tmp?.remove();
  await t?.close();
});

/** The serials a CRL lists (lower-case hex without leading zeros, as the registry has them) and its IDP, read by openssl. */
async function listed(der: Uint8Array, name: string): Promise<{ serials: Set<string>; text: string }> {
  const text = (await openssl(['crl', '-inform', 'DER', '-in', tmp.write(name, der), '-noout', '-text'])).stdout;
  const found = [...text.matchAll(/Serial Number: ([0-9A-F]+)/g)].map((m) => m[1]!.toLowerCase().replace(/^0+/, ''));
  return { serials: new Set(found), text };
}

describe('CRL publication streams the registry', () => {
  it('the complete CRL reads every revoked row once, in pages, giving the event loop a turn between pages; it lists them all, without IDP', async () => {
    const pages: { lastHexDigit?: string; limit: number; after: string | null }[] = [];
    const turns: number[] = [];
    let ran = 0;
    const original = revocationRepository.revokedPage.bind(revocationRepository);
    const wrapped = vi.spyOn(revocationRepository, 'revokedPage').mockImplementation(async (db, q) => {
      // Other work queued now (a request's handler, a timer) must run before the next page is read.
      turns.push(ran);
      setImmediate(() => ran++);
      pages.push({ lastHexDigit: q.lastHexDigit, limit: q.limit, after: q.after });
      return original(db, q);
    });
    // The suite's other files may have revoked a few certificates of this CA in the same database.
    const total = (await revocationRepository.revokedTotals(t.db, { family: 'ecdsa-p256', issuerKeyId: keyId() })).count;
    expect(total).toBeGreaterThanOrEqual(N);
    try {
      const r = await p.publishCrl('ecdsa-p256', COMPLETE_CRL);
      expect(r.entries).toBe(total);
      const { serials: got, text } = await listed(r.der, 'complete.crl');
      expect(got.size).toBe(total);
      for (const s of serials) expect(got.has(s), s).toBe(true);
      expect(text).not.toContain('Issuing Distribution Point');
    } finally {
      wrapped.mockRestore();
    }
    expect(pages).toHaveLength(Math.floor(total / CRL_PAGE_ROWS) + 1); // N is three pages
    expect(pages.every((q) => q.lastHexDigit === undefined && q.limit === CRL_PAGE_ROWS)).toBe(true);
    expect(pages[0]!.after).toBeNull();
    // Keyset: each page starts after the last serial of the one before.
    expect(pages[1]!.after! < pages[2]!.after!).toBe(true);
    // The work queued while page k was read had run before page k+1 was asked for.
    for (let k = 1; k < turns.length; k++) expect(turns[k]!, `page ${k + 1}`).toBeGreaterThanOrEqual(k);
  });

  it('a shard reads only its own rows (last hex digit = serial mod 16) and lists exactly them, with its critical IDP', async () => {
    const shard = shardOfSerialHex(serials[0]!);
    const own = serials.filter((s) => shardOfSerialHex(s) === shard);
    const original = revocationRepository.revokedPage.bind(revocationRepository);
    let rowsRead = 0;
    const digits = new Set<string | undefined>();
    const wrapped = vi.spyOn(revocationRepository, 'revokedPage').mockImplementation(async (db, q) => {
      digits.add(q.lastHexDigit);
      const rows = await original(db, q);
      rowsRead += rows.length;
      return rows;
    });
    try {
      const r = await p.publishCrl('ecdsa-p256', shard);
      const { serials: got, text } = await listed(r.der, `shard-${shard}.crl`);
      for (const s of own) expect(got.has(s), s).toBe(true);
      for (const s of got) expect(shardOfSerialHex(s), s).toBe(shard);
      expect(r.entries).toBe(got.size);
      expect(rowsRead).toBe(got.size); // its sixteenth, not every revocation of the issuing CA
      expect(text).toMatch(
        new RegExp(`Issuing Distribution Point: critical\\s*\\n\\s*Full Name:\\s*\\n\\s*URI:\\S+/crl/ecdsa-p256/${shard}\\.crl`),
      );
    } finally {
      wrapped.mockRestore();
    }
    expect([...digits]).toEqual([shard.toString(16)]);
  });

  it('the complete CRL and each shard count their CRL numbers separately (each its own scope, RFC 5280 5.2.3)', async () => {
    const a = await p.publishCrl('ecdsa-p256', COMPLETE_CRL);
    const b = await p.publishCrl('ecdsa-p256', 3);
    const c = await p.publishCrl('ecdsa-p256', COMPLETE_CRL);
    expect(c.crlNumber).toBe(a.crlNumber + 1n);
    expect((await revocationRepository.shard(t.db, 'ecdsa-p256', 3))!.crlNumber).toBe(b.crlNumber);
    await expect(p.publishCrl('ecdsa-p256', 16)).rejects.toThrow(RangeError);
  });
});
