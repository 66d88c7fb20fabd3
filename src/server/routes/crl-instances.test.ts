/**
 * CRLs behind a load balancer (issue 17 item 2): two app instances on one database, each with a CA directory
 * and a data directory of its own (copies of one CA, as an operator copies it to each machine), serve the same
 * CRL bytes with the same headers, read from those bytes; the CRL number never goes backwards (an older
 * publisher loses the compare-and-set); one instance builds a scope at a time (its lease), and an instance
 * that finds a fresh stored CRL does not build it again. On PostgreSQL (DATABASE_URL) each instance has its
 * own connection pool on a database of this file's own; on PGlite they share the one embedded handle.
 */
import { cpSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { buildCrl } from '../../ca/crl/build.js';
import { parseCrl } from '../../ca/crl/parse.js';
import { signRootCrl } from '../../ca/hierarchy/root-crl.js';
import { systemClock } from '../clock.js';
import { seedCalendar } from '../modules/calendar/seed-calendar.js';
import { seedCatalog } from '../modules/catalog/seed-catalog.js';
import { caRuntime } from '../modules/certificates/ca-runtime.js';
import { caJobs } from '../modules/revocation/jobs.js';
import { COMPLETE_CRL, ROOT_CRL, shardOfSerialHex } from '../modules/revocation/crl-scopes.js';
import { CRL_MEMORY_TTL_MS, CRL_READ_SLICE_BYTES } from '../modules/revocation/crl-serving.js';
import { publisherFor, type Publisher } from '../modules/revocation/publication.js';
import { revocationRepository } from '../modules/revocation/repository.js';
import { issueTestCertificate } from '../modules/revocation/testing.js';
import { testApp, testConfig, type TestApp } from '../testing/harness.js';
import { isolatedDb, type IsolatedDb } from '../testing/isolated-db.js';
import { staffMember } from '../testing/paid-order.js';
import { testCaEnv } from '../testing/test-ca.js';

let iso: IsolatedDb;
let A: TestApp;
let B: TestApp;
let pA: Publisher;
let pB: Publisher;
let scratch: string;
let caDirs: { A: string; B: string };
/** The SM2 shard the first test's certificate fell in (served by both instances there). */
let servedShard = 0;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** One machine: its own copy of the CA directory and its own data directory, the shared database. */
async function machine(name: string, keepRootCrl: boolean, db: TestApp['db']) {
  const env = await testCaEnv();
  const ca = path.join(scratch, name, 'ca');
  cpSync(env.CERTDESK_CA_DIR!, ca, { recursive: true });
  if (!keepRootCrl) rmSync(path.join(ca, 'crl'), { recursive: true, force: true });
  const t = await testApp({ db, env: { ...env, CERTDESK_CA_DIR: ca, CERTDESK_DATA_DIR: path.join(scratch, name, 'data') } });
  return { t, ca };
}

beforeAll(async () => {
  scratch = mkdtempSync(path.join(tmpdir(), 'certdesk-crl-instances-'));
  iso = await isolatedDb('crl');
  const first = await iso.open();
  await seedCatalog(first.db, new Date());
  await seedCalendar(first.db, new Date());
  // A has the operator's root CRL file in its CA directory (ca:root-crl); B has none.
  const a = await machine('a', true, first.db);
  const b = await machine('b', false, (await iso.open()).db);
  A = a.t;
  B = b.t;
  caDirs = { A: a.ca, B: b.ca };
  pA = await publisherFor(A);
  pB = await publisherFor(B);
}, 120_000);
afterAll(async () => {
  await A?.close();
  await B?.close();
  await iso?.drop();
  if (scratch) rmSync(scratch, { recursive: true, force: true });
});

const get = (t: TestApp, url: string, headers: Record<string, string> = {}) => t.app.inject({ method: 'GET', url, headers });
const numberOf = (body: Buffer) => parseCrl(body).crlNumber!;
/** Every file under a directory, relative paths. */
const filesUnder = (dir: string): string[] =>
  readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((d) => d.isFile())
    .map((d) => path.relative(dir, path.join(d.parentPath, d.name)));

async function revokeOn(t: TestApp, certificateId: string) {
  const requester = (await staffMember(t, ['制证'])).c;
  const approver = (await staffMember(t, ['管理员'])).c;
  const r = await requester.post('/api/staff/revocations', { certificateId, reason: 1, note: '介质丢失' });
  expect(r.statusCode, r.body).toBe(201);
  const a = await approver.post(`/api/staff/revocations/${r.json().request.id}/approve`, {});
  expect(a.statusCode, a.body).toBe(200);
}

describe('two instances, one database, separate disks', () => {
  it('really are two publishers (and, on PostgreSQL, two connection pools)', () => {
    expect(pA).not.toBe(pB);
    expect(A.app).not.toBe(B.app);
    if (process.env.DATABASE_URL) expect(A.db).not.toBe(B.db);
  });

  it('after a revocation approved on A, B serves the same CRL bytes and headers within 2 s; the number never goes backwards; no disk holds a CRL', async () => {
    const cert = await issueTestCertificate(A, 'sm2');
    servedShard = shardOfSerialHex(cert.serial);
    const shardUrl = `/crl/sm2/${servedShard}.crl`;
    // B asks first: nothing is stored yet, so B publishes; A then serves what B stored.
    const firstB = await get(B, '/crl/sm2/complete.crl');
    expect(firstB.statusCode).toBe(200);
    const firstA = await get(A, '/crl/sm2/complete.crl');
    expect(firstA.rawPayload.equals(firstB.rawPayload)).toBe(true);
    const before = numberOf(firstB.rawPayload);

    await revokeOn(A, cert.id);
    const committed = performance.now();
    const onA = await get(A, '/crl/sm2/complete.crl');
    expect(numberOf(onA.rawPayload)).toBeGreaterThan(before);
    expect(parseCrl(onA.rawPayload).crlNumber).toBe(numberOf(onA.rawPayload));
    const hex = cert.serial.length % 2 ? `0${cert.serial}` : cert.serial; // the entry's INTEGER octets
    expect(onA.rawPayload.toString('hex')).toContain(hex);

    // B: never an older number than it served before; the new CRL within CRL_MEMORY_TTL_MS of the commit.
    let seen = before;
    let caughtUp = -1;
    while (performance.now() - committed < CRL_MEMORY_TTL_MS + 1000) {
      const r = await get(B, '/crl/sm2/complete.crl');
      const n = numberOf(r.rawPayload);
      expect(n).toBeGreaterThanOrEqual(seen);
      seen = n;
      if (r.rawPayload.equals(onA.rawPayload)) {
        caughtUp = performance.now() - committed;
        break;
      }
      await sleep(100);
    }
    expect(caughtUp, 'B served the new CRL').toBeGreaterThanOrEqual(0);
    expect(caughtUp).toBeLessThan(CRL_MEMORY_TTL_MS + 500);

    // Both instances now answer byte for byte the same, with headers taken from the bytes themselves.
    for (const url of ['/crl/sm2/complete.crl', shardUrl]) {
      const [a, b] = [await get(A, url), await get(B, url)];
      expect(a.statusCode, url).toBe(200);
      expect(b.rawPayload.equals(a.rawPayload), url).toBe(true);
      const p = parseCrl(a.rawPayload);
      for (const r of [a, b]) {
        expect(r.headers['content-type']).toBe('application/pkix-crl');
        expect(r.headers['last-modified']).toBe(p.thisUpdate.toUTCString());
        expect(r.headers.expires).toBe(p.nextUpdate!.toUTCString());
        expect(r.headers.etag).toMatch(new RegExp(`^"${p.crlNumber!.toString(16)}-[0-9a-f]{16}"$`));
        const maxAge = Number(/max-age=(\d+)/.exec(String(r.headers['cache-control']))![1]);
        expect(maxAge).toBeGreaterThan(3500);
        expect(maxAge).toBeLessThanOrEqual(3600);
      }
      expect(b.headers.etag).toBe(a.headers.etag);
    }
    // The shard lists the serial too, and no instance wrote a CRL to its disk: the only .crl file anywhere is
    // the operator's root CRL in A's CA directory.
    expect((await get(B, shardUrl)).rawPayload.toString('hex')).toContain(hex);
    const crlFiles = ['a', 'b'].flatMap((m) => filesUnder(path.join(scratch, m)).map((f) => `${m}/${f}`)).filter((f) => f.endsWith('.crl'));
    expect(crlFiles.sort()).toEqual(['a/ca/crl/ecdsa-p256/root.crl', 'a/ca/crl/sm2/root.crl']);
  });

  it('conditional GET: the ETag or Last-Modified a cache holds gets 304 from either instance; a stale one gets the CRL', async () => {
    const url = '/crl/ecdsa-p256/complete.crl';
    const full = await get(A, url);
    expect(full.statusCode).toBe(200);
    const etag = full.headers.etag as string;
    const lastModified = full.headers['last-modified'] as string;
    for (const t of [A, B]) {
      const conditions: Record<string, string>[] = [
        { 'if-none-match': etag },
        { 'if-none-match': `"nope", W/${etag}` },
        { 'if-modified-since': lastModified },
      ];
      for (const h of conditions) {
        const r = await get(t, url, h);
        expect(r.statusCode, JSON.stringify(h)).toBe(304);
        expect(r.rawPayload.length).toBe(0);
        expect(r.headers.etag).toBe(etag);
      }
      // If-None-Match wins over If-Modified-Since (RFC 9110 13.2.2): a stale tag gets the bytes.
      const stale = await get(t, url, { 'if-none-match': '"1-0000000000000000"', 'if-modified-since': lastModified });
      expect(stale.statusCode).toBe(200);
      expect(stale.rawPayload.equals(full.rawPayload)).toBe(true);
      const older = await get(t, url, { 'if-modified-since': new Date(Date.parse(lastModified) - 1000).toUTCString() });
      expect(older.statusCode).toBe(200);
    }
  });

  it('many requests for a CRL republished by another instance read its bytes from the database once', async () => {
    await get(B, '/crl/ecdsa-p256/complete.crl'); // B serves some CRL of this scope
    const r = await pA.publishCrl('ecdsa-p256', COMPLETE_CRL);
    expect(r.stored).toBe(true);
    await sleep(CRL_MEMORY_TTL_MS + 100); // B's memory is no longer trusted: the next request checks first
    const loads = pB.crlLoadCount;
    const checks = pB.crlChecks;
    const all = await Promise.all(Array.from({ length: 20 }, () => get(B, '/crl/ecdsa-p256/complete.crl')));
    for (const x of all) expect(numberOf(x.rawPayload)).toBe(r.crlNumber);
    expect(pB.crlLoadCount - loads).toBe(1);
    expect(pB.crlChecks - checks).toBe(1);
  });
});

describe('reading a stored CRL', () => {
  it('a stored CRL is read in slices, whole and checked; one replaced while being read is read again, the newer one', async () => {
    const url = '/crl/ecdsa-p256/complete.crl';
    const keyId = pB.issuerOfFamily('ecdsa-p256')!.keyIdHex;
    const read = revocationRepository.crlDocumentSlice.bind(revocationRepository);
    let calls = 0;
    let replaceAt = 0; // the slice read during which A stores a newer CRL (0: none)
    let newer: bigint | undefined;
    const slices = vi.spyOn(revocationRepository, 'crlDocumentSlice').mockImplementation(async (db, k, offset, length) => {
      if (++calls === replaceAt) newer = (await pA.publishCrl('ecdsa-p256', COMPLETE_CRL)).crlNumber;
      return read(db, k, offset, length);
    });
    pB.crlReadSliceBytes = 64;
    try {
      await pA.publishCrl('ecdsa-p256', COMPLETE_CRL);
      await sleep(CRL_MEMORY_TTL_MS + 100);
      const r = await get(B, url);
      const stored = (await revocationRepository.crlDocument(B.db, 'ecdsa-p256', keyId, COMPLETE_CRL))!;
      expect(r.rawPayload.equals(stored.der)).toBe(true);
      expect(stored.size).toBeGreaterThan(3 * 64);
      expect(calls).toBe(Math.ceil(stored.size / 64));

      // A republishes while B is reading: at B's third slice. B drops what it read and reads the newer CRL.
      await pA.publishCrl('ecdsa-p256', COMPLETE_CRL);
      await sleep(CRL_MEMORY_TTL_MS + 100);
      calls = 0;
      replaceAt = 3;
      const again = await get(B, url);
      expect(newer).toBeDefined();
      expect(numberOf(again.rawPayload)).toBe(newer);
      const latest = (await revocationRepository.crlDocument(B.db, 'ecdsa-p256', keyId, COMPLETE_CRL))!;
      expect(again.rawPayload.equals(latest.der)).toBe(true);
      expect(calls).toBe(3 + Math.ceil(latest.size / 64));
    } finally {
      pB.crlReadSliceBytes = CRL_READ_SLICE_BYTES;
      slices.mockRestore();
    }
  });
});

describe('compare-and-set and the lease', () => {
  it('many requests at once for a scope with nothing stored build it once; two publications in one process take turns', async () => {
    const scope = (servedShard + 1) % 16; // a shard B has never served
    const keyId = pB.issuerOfFamily('sm2')!.keyIdHex;
    await B.db.execute(sql`delete from crl_documents where family = 'sm2' and scope = ${scope} and issuer_key_id = ${keyId}`);
    // (Only B is asked: A published every scope after the revocation above and still holds that copy in memory —
    // stored rows are never deleted outside a test.)
    const numbers = vi.spyOn(revocationRepository, 'nextCrlNumber');
    try {
      const all = await Promise.all(Array.from({ length: 10 }, () => get(B, `/crl/sm2/${scope}.crl`)));
      expect(numbers).toHaveBeenCalledTimes(1);
      for (const r of all) expect(r.rawPayload.equals(all[0]!.rawPayload)).toBe(true);
      numbers.mockClear();
      const [x, y] = await Promise.all([pA.publishCrl('sm2', scope), pA.publishCrl('sm2', scope)]);
      expect(numbers).toHaveBeenCalledTimes(2);
      expect([x.stored, y.stored]).toEqual([true, true]); // one after the other, never both at once
      expect(x.crlNumber === y.crlNumber + 1n || y.crlNumber === x.crlNumber + 1n).toBe(true);
    } finally {
      numbers.mockRestore();
    }
  });

  it('a slow publisher whose lease lapsed cannot put an older CRL back: the newer number stays, on both instances', async () => {
    const scope = 3;
    await pA.publishCrl('ecdsa-p256', scope);
    // A's signer stalls (an overloaded HSM, a paused process) after A has taken its CRL number.
    const signer = pA.issuerOfFamily('ecdsa-p256')!.issuingSigner;
    expect(signer).not.toBe(pB.issuerOfFamily('ecdsa-p256')!.issuingSigner); // each instance loaded its own CA copy
    const sign = signer.sign.bind(signer);
    let reached!: () => void;
    const atStore = new Promise<void>((r) => (reached = r));
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const spy = vi.spyOn(signer, 'sign').mockImplementation(async (data) => {
      reached();
      await gate;
      return sign(data);
    });
    try {
      const slow = pA.publishCrl('ecdsa-p256', scope);
      await atStore;
      // A hangs past its lease (a stalled process): the lease lapses and B takes the scope over.
      await A.db.execute(
        sql`update crl_shards set lease_until = clock_timestamp() - interval '1 second' where family = 'ecdsa-p256' and shard = ${scope}`,
      );
      const fast = await pB.publishCrl('ecdsa-p256', scope);
      expect(fast.stored).toBe(true);
      release();
      const late = await slow;
      expect(late.crlNumber).toBeLessThan(fast.crlNumber);
      expect(late.stored).toBe(false);
      const doc = await revocationRepository.crlDocument(A.db, 'ecdsa-p256', pA.issuerOfFamily('ecdsa-p256')!.keyIdHex, scope);
      expect(doc!.crlNumber).toBe(fast.crlNumber);
      expect(doc!.der.equals(Buffer.from(fast.der))).toBe(true);
      await sleep(CRL_MEMORY_TTL_MS + 100);
      for (const t of [A, B]) expect(numberOf((await get(t, `/crl/ecdsa-p256/${scope}.crl`)).rawPayload)).toBe(fast.crlNumber);
    } finally {
      spy.mockRestore();
    }
  });

  it('storeCrl keeps the greater number: an equal or smaller one is refused', async () => {
    const keyId = pA.issuerOfFamily('ecdsa-p256')!.keyIdHex;
    const row = (n: bigint) => ({
      family: 'ecdsa-p256',
      issuerKeyId: keyId,
      scope: 99, // a scope no publisher uses
      crlNumber: n,
      thisUpdate: new Date(),
      nextUpdate: new Date(Date.now() + 86_400_000),
      sha256: n.toString(),
      size: 1,
      der: Buffer.from([Number(n)]),
      storedAt: new Date(),
    });
    for (const [n, stored, kept] of [
      [5n, true, 5n],
      [4n, false, 5n],
      [5n, false, 5n],
      [6n, true, 6n],
    ] as const) {
      expect(await revocationRepository.storeCrl(A.db, row(n)), `#${n}`).toBe(stored);
      expect((await revocationRepository.crlDocument(A.db, 'ecdsa-p256', keyId, 99))!.crlNumber).toBe(kept);
    }
  });

  it('two instances publishing what is due at once: a scope one is building is skipped by the other, and built once', async () => {
    await pA.publishDue(); // everything stored once
    const scope = 5;
    const numberBefore = (await revocationRepository.shard(A.db, 'ecdsa-p256', scope))!.crlNumber;
    await revocationRepository.markDirty(A.db, 'ecdsa-p256', scope, new Date());
    const original = revocationRepository.revokedTotals.bind(revocationRepository);
    let reached!: () => void;
    const inBuild = new Promise<void>((r) => (reached = r));
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    let held = false;
    const spy = vi.spyOn(revocationRepository, 'revokedTotals').mockImplementation(async (db, q) => {
      if (!held && q.family === 'ecdsa-p256' && q.lastHexDigit === scope.toString(16)) {
        held = true; // A is in the middle of building the scope, holding its lease
        reached();
        await gate;
      }
      return original(db, q);
    });
    try {
      const onA = pA.publishDue();
      await inBuild;
      expect(await pB.publishDue()).toBe(0); // the marker is still set, but A holds the lease
      release();
      expect(await onA).toBe(1);
    } finally {
      spy.mockRestore();
    }
    expect((await revocationRepository.shard(A.db, 'ecdsa-p256', scope))!.crlNumber).toBe(numberBefore + 1n);
    expect((await revocationRepository.shard(A.db, 'ecdsa-p256', scope))!.dirtySince).toBeNull();
  });

  it('an instance starting beside fresh stored CRLs builds none of them (its CA job finds nothing due)', async () => {
    const dir = path.join(scratch, 'c', 'ca');
    cpSync(caDirs.B, dir, { recursive: true });
    const config = testConfig({ ...(await testCaEnv()), CERTDESK_CA_DIR: dir, CERTDESK_DATA_DIR: path.join(scratch, 'c', 'data') });
    const deps = { db: B.db, clock: systemClock, config, log: B.app.log };
    const pC = await publisherFor(deps);
    expect(pC).not.toBe(pA);
    const numbers = vi.spyOn(revocationRepository, 'nextCrlNumber');
    try {
      await caJobs(deps).runOnce();
      expect(await pC.publishDue()).toBe(0);
      expect(numbers).not.toHaveBeenCalled();
    } finally {
      numbers.mockRestore();
    }
  });
});

describe('the root CRL (signed offline, placed in one CA directory)', () => {
  it('the file on A is served by B; a newer one placed on B reaches A; an older file or a foreign one changes nothing', async () => {
    // A takes in the file in its CA directory (its CA job; here the first request does it), B serves it.
    const fileA = path.join(caDirs.A, 'crl', 'sm2', 'root.crl');
    const a = await get(A, '/crl/sm2/root.crl');
    expect(a.statusCode).toBe(200);
    await sleep(CRL_MEMORY_TTL_MS + 100); // B learns of it at its next check of the stored numbers
    const b = await get(B, '/crl/sm2/root.crl');
    expect(b.statusCode).toBe(200);
    expect(b.rawPayload.equals(a.rawPayload)).toBe(true);
    expect(b.headers.etag).toBe(a.headers.etag);
    expect(b.headers['last-modified']).toBe(parseCrl(a.rawPayload).thisUpdate.toUTCString());
    const first = numberOf(a.rawPayload);
    // 下载中心 lists it on B too, although B's disk has no root CRL.
    const downloads = (await B.client().get('/api/ca-downloads')).json();
    expect(downloads.families.find((f: { family: string }) => f.family === 'sm2').rootCrl).toBe('/crl/sm2/root.crl');

    // The operator signs the next root CRL on B's machine (ca:root-crl); B's CA job takes it in; A serves it.
    const next = await signRootCrl({ dir: caDirs.B, kek: B.config.ca.kek!, family: 'sm2' });
    expect(next.crlNumber).toBeGreaterThan(first);
    await caJobs({ db: B.db, clock: systemClock, config: B.config, log: B.app.log }).runOnce();
    await sleep(CRL_MEMORY_TTL_MS + 100);
    const onA = await get(A, '/crl/sm2/root.crl');
    expect(onA.rawPayload.equals(Buffer.from(next.der))).toBe(true);

    // An older file (A's, #first) placed on B again: refused by the compare-and-set, and said so; A's own copy
    // of the stored one is taken in silently.
    cpSync(fileA, path.join(caDirs.B, 'crl', 'sm2', 'root.crl'));
    expect(await pB.importRootCrls()).toEqual([expect.stringContaining(`CRL #${first} is not newer than the root CRL #${next.crlNumber}`)]);
    writeFileSync(fileA, next.der);
    expect(await pA.importRootCrls()).toEqual([]);
    await sleep(CRL_MEMORY_TTL_MS + 100);
    for (const t of [A, B]) expect(numberOf((await get(t, '/crl/sm2/root.crl')).rawPayload)).toBe(next.crlNumber);

    // A CRL that is not this root's (signed by the issuing CA; garbage) is refused with a reason, and not served.
    const rt = await caRuntime(B.config.ca);
    const issuing = rt.issuing('sm2');
    const foreign = await buildCrl({
      issuerNameDer: issuing.nameDer,
      authorityKeyId: issuing.keyId,
      signer: issuing.signer,
      thisUpdate: new Date(),
      nextUpdate: new Date(Date.now() + 86_400_000),
      crlNumber: next.crlNumber + 100n,
      entries: [],
    });
    writeFileSync(path.join(caDirs.B, 'crl', 'sm2', 'root.crl'), foreign);
    expect(await pB.importRootCrls()).toEqual([expect.stringContaining('its issuer is not the sm2 root')]);
    writeFileSync(path.join(caDirs.B, 'crl', 'sm2', 'root.crl'), 'not a CRL');
    expect(await pB.importRootCrls()).toEqual([expect.stringContaining('not a DER CRL')]);
    expect(await pB.importRootCrls()).toEqual([]); // reported once per file state
    expect(numberOf((await get(B, '/crl/sm2/root.crl')).rawPayload)).toBe(next.crlNumber);
    // And no CRL of another key is served for this family's root.
    expect((await pB.crlForHttp('sm2', ROOT_CRL))!.crlNumber).toBe(next.crlNumber);
  });
});
