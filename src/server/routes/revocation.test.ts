/**
 * Revocation (issue 6) through the real app: four eyes on every revocation, the applicant's online request
 * for its own certificate, then CRL and OCSP over HTTP on 127.0.0.1 checked with the real openssl tool.
 *
 * SM2 and OpenSSL 3.0 (docs/ca-core.md, "SM2: GmSSL verifies, OpenSSL reads"): its CRL and OCSP signature checks use the empty SM2
 * ID, while this CA signs with the standard ID 1234567812345678 (GM/T 0009). So for SM2 the CRL's and the
 * OCSP response's signatures are checked with `openssl pkeyutl -pkeyopt distid:…` and openssl reads the
 * content (`openssl crl -text`, `openssl ocsp -noverify`); ECDSA P-256 goes through `openssl verify
 * -crl_check` and `openssl ocsp` with "Response verify OK".
 */
import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { certificates } from '../db/schema-certificates.js';
import { auditEvents, organizations } from '../db/schema.js';
import { openssl, opensslResult, tempDir, type TempDir } from '../../ca/testing/openssl.js';
import { opensslVerifySm2, splitSigned } from '../../ca/testing/fixtures.js';
import { readTlv } from '../../ca/der/der.js';
import { crlShardUrl, shardOf } from '../../ca/crl/build.js';
import { parseCrl } from '../../ca/crl/parse.js';
import type { KeyAlgorithm } from '../../ca/signer/port.js';
import { certificatePem } from '../modules/certificates/registry.js';
import { caJobs } from '../modules/revocation/jobs.js';
import { COMPLETE_CRL } from '../modules/revocation/crl-scopes.js';
import { publisherFor } from '../modules/revocation/publication.js';
import { revocationRepository } from '../modules/revocation/repository.js';
import { issueTestCertificate } from '../modules/revocation/testing.js';
import { testApp, type TestApp, type TestClient } from '../testing/harness.js';
import { newApplicant, staffMember } from '../testing/paid-order.js';
import { smsCode } from '../testing/sms.js';
import { testCa, testCaEnv } from '../testing/test-ca.js';

let t: TestApp;
let base: string;
let tmp: TempDir;
let acceptor: TestClient; // 受理: may request, may not approve
let producer: TestClient; // 制证: may request and approve
let admin: TestClient; // 管理员
let admin2: TestClient;
let issuer: TestClient; // 发放: none of it

beforeAll(async () => {
  t = await testApp({ env: await testCaEnv() });
  await t.app.listen({ host: '127.0.0.1', port: 0 });
  const addr = t.app.server.address();
  if (!addr || typeof addr === 'string') throw new Error('no address');
  base = `http://127.0.0.1:${addr.port}`;
  acceptor = (await staffMember(t, ['受理'], '吴受理')).c;
  producer = (await staffMember(t, ['制证'], '周制证')).c;
  admin = (await staffMember(t, ['管理员'], '郑管理')).c;
  admin2 = (await staffMember(t, ['管理员'], '王管理')).c;
  issuer = (await staffMember(t, ['发放'], '钱发放')).c;
  tmp = tempDir('certdesk-revocation-test-');
}, 120_000);
afterAll(async () => {
  tmp?.remove();
  await t?.close();
});

const issue = (family: KeyAlgorithm, organizationId?: string) => issueTestCertificate(t, family, { organizationId });

async function revoke(certId: string, reason = 1): Promise<string> {
  const r = await producer.post('/api/staff/revocations', { certificateId: certId, reason, note: '介质丢失' });
  expect(r.statusCode, r.body).toBe(201);
  const a = await admin.post(`/api/staff/revocations/${r.json().request.id}/approve`, {});
  expect(a.statusCode, a.body).toBe(200);
  return r.json().request.id;
}

describe('second approval', () => {
  it('the requester cannot approve; another 制证/管理员 can, once; the certificate is revoked with time and reason', async () => {
    const c = await issue('sm2');
    const req = await producer.post('/api/staff/revocations', { serial: c.serial.toUpperCase(), reason: 1, note: 'U盾丢失' });
    expect(req.statusCode, req.body).toBe(201);
    const id = req.json().request.id as string;
    expect(req.json().request.reasonLabel).toBe('密钥泄露或介质丢失');

    // A second request for the same certificate while one is open: refused.
    expect((await admin.post('/api/staff/revocations', { certificateId: c.id, reason: 4 })).statusCode).toBe(409);

    const own = await producer.post(`/api/staff/revocations/${id}/approve`, {});
    expect(own.statusCode).toBe(403);
    expect(own.json().error.message).toContain('自己');
    expect((await acceptor.post(`/api/staff/revocations/${id}/approve`, {})).statusCode).toBe(403); // 受理 may not approve

    const queue = await admin.get('/api/staff/revocations');
    const row = queue.json().requests.find((r: { id: string }) => r.id === id);
    expect(row).toMatchObject({ serial: c.serial, reason: 1, requestedByName: '周制证', overdue: false, mine: false });
    expect(new Date(row.deadline).getTime() - new Date(row.requestedAt).getTime()).toBe(24 * 3600_000);
    expect((await producer.get('/api/staff/revocations')).json().requests.find((r: { id: string }) => r.id === id).mine).toBe(true);

    const [a, b] = await Promise.all([
      admin.post(`/api/staff/revocations/${id}/approve`, {}),
      admin2.post(`/api/staff/revocations/${id}/approve`, {}),
    ]);
    expect([a.statusCode, b.statusCode].sort()).toEqual([200, 409]);
    const after = (await t.db.select().from(certificates).where(eq(certificates.id, c.id)))[0]!;
    expect(after).toMatchObject({ status: 'revoked', revocationReason: 1 });
    expect(after.revokedAt).not.toBeNull();
    const audit = await t.db.select().from(auditEvents).where(eq(auditEvents.targetId, c.id));
    expect(audit.map((e) => e.action).sort()).toEqual(['certificate.revoke_approve', 'certificate.revoke_request']);

    const hist = (await admin.get(`/api/staff/revocations/certificates/${c.id}`)).json();
    expect(hist.requests[0]).toMatchObject({ status: 'approved', withinPromise: true });
    expect((await admin.get('/api/staff/revocations?which=decided')).json().requests.some((r: { id: string }) => r.id === id)).toBe(true);
  });

  it('refusing needs a reason and leaves the certificate issued; roles are checked', async () => {
    const c = await issue('sm2');
    const r = await acceptor.post('/api/staff/revocations', { certificateId: c.id, reason: 5 });
    expect(r.statusCode, r.body).toBe(201);
    const id = r.json().request.id;
    expect((await producer.post(`/api/staff/revocations/${id}/refuse`, {})).statusCode).toBe(400);
    const ok = await producer.post(`/api/staff/revocations/${id}/refuse`, { note: '单位电话确认仍在使用' });
    expect(ok.statusCode, ok.body).toBe(200);
    expect((await t.db.select().from(certificates).where(eq(certificates.id, c.id)))[0]!.status).toBe('issued');
    expect((await issuer.post('/api/staff/revocations', { certificateId: c.id, reason: 5 })).statusCode).toBe(403);
    expect((await issuer.get('/api/staff/revocations')).statusCode).toBe(403);
    // A request older than 24 hours is flagged overdue in the queue (the user agreement's promise).
    const late = await issue('sm2');
    const old = await revocationRepository.insertRequest(t.db, {
      certificateId: late.id,
      serial: late.serial,
      source: 'applicant',
      reason: 1,
      requestedAt: new Date(Date.now() - 25 * 3600_000),
    });
    const queued = (await admin.get('/api/staff/revocations')).json().requests.find((x: { id: string }) => x.id === old!.id);
    expect(queued).toMatchObject({ overdue: true, mine: false });
    // cACompromise (2) and certificateHold (6) are not offered.
    expect((await admin.post('/api/staff/revocations', { certificateId: c.id, reason: 6 })).statusCode).toBe(400);
    expect((await admin.post('/api/staff/revocations', { certificateId: c.id, reason: 2 })).statusCode).toBe(400);
  });
});

describe('applicant request', () => {
  it('an organization requests revocation of its own certificate (same staff queue); another organization gets 404', async () => {
    const a = await newApplicant(t);
    const b = await newApplicant(t);
    const orgId = (await a.c.session()).organization.id as string;
    const mine = await issue('sm2', orgId);
    const list = await a.c.get('/api/certificates');
    expect(list.statusCode, list.body).toBe(200);
    expect(list.json().certificates.map((x: { id: string }) => x.id)).toContain(mine.id);
    expect((await b.c.get('/api/certificates')).json().certificates).toEqual([]);

    // The request is confirmed by the SMS code sent to the registered mobile (issue 7; see my-certificates.test.ts).
    expect((await a.c.post(`/api/certificates/${mine.id}/revocation-requests`, { reason: 3 })).statusCode).toBe(400);
    expect((await a.c.post(`/api/my-certificates/${mine.id}/revocation-code`, {})).statusCode).toBe(200);
    const [org] = await t.db.select().from(organizations).where(eq(organizations.id, orgId));
    const code = await smsCode(t, org!.mobile);
    expect((await b.c.post(`/api/certificates/${mine.id}/revocation-requests`, { reason: 1, code })).statusCode).toBe(404);
    expect((await a.c.post(`/api/certificates/${mine.id}/revocation-requests`, { reason: 9, code })).statusCode).toBe(400);
    const r = await a.c.post(`/api/certificates/${mine.id}/revocation-requests`, { reason: 3, note: '单位已更名', code });
    expect(r.statusCode, r.body).toBe(201);
    const q = (await producer.get('/api/staff/revocations')).json().requests.find((x: { id: string }) => x.id === r.json().request.id);
    expect(q).toMatchObject({ source: 'applicant', requestedByName: '申请单位（在线）', reason: 3 });
    expect((await producer.post(`/api/staff/revocations/${q.id}/approve`, {})).statusCode).toBe(200);
    expect((await a.c.get('/api/certificates')).json().certificates.find((x: { id: string }) => x.id === mine.id)).toMatchObject({
      status: 'revoked',
      revocationReason: 3,
    });
  });
});

async function chain(family: KeyAlgorithm) {
  const ca = await testCa();
  const i = ca.issuing(family);
  return {
    root: tmp.write(`root-${family}.pem`, certificatePem(i.rootDer)),
    issuing: tmp.write(`issuing-${family}.pem`, certificatePem(i.certDer)),
    spki: i.signer.publicKeySpki,
  };
}

/** The shard a serial (hex, as the registry stores it) falls in: 16 shards per issuing CA (issue 6). */
const shardOfHex = (serial: string) => shardOf(Buffer.from(serial.length % 2 ? `0${serial}` : serial, 'hex'), 16);

/** The CRL distribution point URL the certificate itself carries (RFC 5280 4.2.1.13), read by openssl. */
async function crlDpOf(cert: { der: Uint8Array | null; serial: string }): Promise<URL> {
  const text = (
    await openssl(['x509', '-in', tmp.write(`dp-${cert.serial}.pem`, certificatePem(cert.der!)), '-noout', '-ext', 'crlDistributionPoints'])
  ).stdout;
  const uris = [...text.matchAll(/URI:(\S+)/g)].map((m) => m[1]!);
  expect(uris).toHaveLength(1);
  return new URL(uris[0]!);
}

/** Fetches the CRL the certificate's own distribution point names (its path, from this test server): the complete CRL. */
async function fetchCrl(cert: { der: Uint8Array | null; serial: string; family: string }) {
  const dp = await crlDpOf(cert);
  expect(dp.pathname).toBe(`/crl/${cert.family}/complete.crl`);
  return fetchCrlAt(dp.pathname);
}

/** A CRL from this test server by path, with the headers a relying party's cache relies on. */
async function fetchCrlAt(pathname: string) {
  const res = await fetch(`${base}${pathname}`);
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toBe('application/pkix-crl');
  const maxAge = Number(/max-age=(\d+)/.exec(res.headers.get('cache-control') ?? '')?.[1]);
  expect(maxAge).toBeGreaterThan(0);
  expect(maxAge * 1000).toBeLessThanOrEqual(new Date(res.headers.get('expires')!).getTime() - Date.now() + 2000);
  return new Uint8Array(await res.arrayBuffer());
}

const crlNumberOf = async (file: string) =>
  BigInt(
    `0x${/X509v3 CRL Number:\s*\n\s*([0-9A-Fa-f]+)/.exec((await openssl(['crl', '-inform', 'DER', '-in', file, '-noout', '-text'])).stdout)![1]}`,
  );

describe('CRL over HTTP (the URL in the certificates)', () => {
  it('ECDSA P-256: openssl verify -crl_check accepts a good certificate and reports a revoked one; the CRL number grows', async () => {
    const good = await issue('ecdsa-p256');
    const bad = await issue('ecdsa-p256');
    expect((await crlDpOf(good)).pathname).toBe('/crl/ecdsa-p256/complete.crl');
    const before = tmp.write('before.crl', await fetchCrl(bad));
    await revoke(bad.id, 1);
    const after = tmp.write('after.crl', await fetchCrl(bad));
    expect(await crlNumberOf(after)).toBeGreaterThan(await crlNumberOf(before));
    const ch = await chain('ecdsa-p256');
    const bundle = tmp.write('ec-bundle.pem', (await readFile(ch.root, 'utf8')) + (await readFile(ch.issuing, 'utf8')));
    const crlPemFile = tmp.path('after.pem');
    await openssl(['crl', '-inform', 'DER', '-in', after, '-out', crlPemFile]);
    // The good certificate against the CRL its own DP names.
    const goodCrlPem = tmp.path('good-crl.pem');
    await openssl(['crl', '-inform', 'DER', '-in', tmp.write('good-crl.crl', await fetchCrl(good)), '-out', goodCrlPem]);
    const vGood = await opensslResult([
      'verify',
      '-crl_check',
      '-CAfile',
      bundle,
      '-CRLfile',
      goodCrlPem,
      tmp.write('good.pem', certificatePem(good.der!)),
    ]);
    expect(vGood.out, vGood.out).toMatch(/: OK/);
    const vBad = await opensslResult([
      'verify',
      '-crl_check',
      '-CAfile',
      bundle,
      '-CRLfile',
      crlPemFile,
      tmp.write('bad.pem', certificatePem(bad.der!)),
    ]);
    expect(vBad.out, vBad.out).toMatch(/certificate revoked/);
    const listed = (await openssl(['crl', '-inform', 'DER', '-in', after, '-noout', '-text'])).stdout;
    expect(listed.toLowerCase()).toContain(bad.serial.toUpperCase().padStart(32, '0').toLowerCase());
    expect(listed).toContain('Key Compromise');
  });

  it('SM2: the CRL carries the revoked serial and its reason; its signature is GM/T 0009 (pkeyutl distid)', async () => {
    const bad = await issue('sm2');
    await revoke(bad.id, 4);
    const der = await fetchCrl(bad);
    const file = tmp.write('sm2.crl', der);
    const text = (await openssl(['crl', '-inform', 'DER', '-in', file, '-noout', '-text'])).stdout;
    expect(text).toContain('Signature Algorithm: SM2-with-SM3');
    expect(text.toLowerCase()).toContain(bad.serial.toLowerCase().padStart(32, '0'));
    expect(text).toContain('Superseded');
    const { tbs, signature } = splitSigned(der);
    expect(await opensslVerifySm2((await chain('sm2')).spki, tbs, signature, tmp.dir)).toBe(true);
  });

  it('shards (the CRL DP of older certificates) still list their own serials only, each with its critical IDP; the complete CRL lists both, without IDP', async () => {
    // Issue until two certificates fall in different shards (16 shards: almost always the first two).
    const a = await issue('ecdsa-p256');
    let b = await issue('ecdsa-p256');
    while (shardOfHex(b.serial) === shardOfHex(a.serial)) b = await issue('ecdsa-p256');
    await revoke(a.id, 1);
    await revoke(b.id, 4);
    const hex = (serial: string) => serial.toLowerCase().padStart(32, '0');
    for (const [own, other] of [
      [a, b],
      [b, a],
    ] as const) {
      // The URL a certificate issued before the complete CRL carries: its shard's.
      const dp = new URL(crlShardUrl(t.config.ca.baseUrl, 'ecdsa-p256', shardOfHex(own.serial)));
      const text = (
        await openssl([
          'crl',
          '-inform',
          'DER',
          '-in',
          tmp.write(`shard-${own.serial}.crl`, await fetchCrlAt(dp.pathname)),
          '-noout',
          '-text',
        ])
      ).stdout;
      expect(text.toLowerCase()).toContain(hex(own.serial));
      expect(text.toLowerCase()).not.toContain(hex(other.serial));
      // RFC 5280 5.2.5: the shard's critical IDP names exactly the URL its certificates' CRL DP names.
      expect(text).toMatch(/X509v3 Issuing Distribution Point: critical\s*\n\s*Full Name:\s*\n\s*URI:(\S+)/);
      expect(/X509v3 Issuing Distribution Point: critical\s*\n\s*Full Name:\s*\n\s*URI:(\S+)/.exec(text)![1]).toBe(dp.href);
    }
    const complete = (await openssl(['crl', '-inform', 'DER', '-in', tmp.write('complete-ab.crl', await fetchCrl(a)), '-noout', '-text']))
      .stdout;
    expect(complete.toLowerCase()).toContain(hex(a.serial));
    expect(complete.toLowerCase()).toContain(hex(b.serial));
    expect(complete).not.toContain('Issuing Distribution Point');
  });

  it('a reader during republication gets a whole CRL every time, and never an older number than it got before', async () => {
    const p = await publisherFor(t);
    await p.publishCrl('sm2', COMPLETE_CRL); // one is stored before the reader starts
    let stop = false;
    let reads = 0;
    let seen = 0n;
    const reader = (async () => {
      while (!stop) {
        const res = await fetch(`${base}/crl/sm2/complete.crl`);
        const buf = new Uint8Array(await res.arrayBuffer());
        expect(readTlv(buf, 0).end).toBe(buf.length); // a complete DER SEQUENCE, exactly the body
        const n = parseCrl(buf).crlNumber!;
        expect(n).toBeGreaterThanOrEqual(seen);
        expect(res.headers.get('etag')).toMatch(new RegExp(`^"${n.toString(16)}-[0-9a-f]{16}"$`));
        seen = n;
        reads++;
      }
    })();
    let last = 0n;
    for (let i = 0; i < 15; i++) {
      const r = await p.publishCrl('sm2', COMPLETE_CRL);
      expect(r.crlNumber).toBeGreaterThan(last);
      expect(r.stored).toBe(true);
      last = r.crlNumber;
    }
    stop = true;
    await reader;
    expect(reads).toBeGreaterThan(5);
    // The publishing instance serves what it stored at once.
    expect(parseCrl(await fetchCrlAt('/crl/sm2/complete.crl')).crlNumber).toBe(last);
  });

  it('a crash between the revocation commit and republication is repaired by the CA job (the marker survives)', async () => {
    const c = await issue('sm2');
    const r = await producer.post('/api/staff/revocations', { certificateId: c.id, reason: 1 });
    // Approve in the module only (no after-commit hook), as if the process died right after the commit.
    const { decideRevocation } = await import('../modules/revocation/revocation.js');
    const approver = (await staffMember(t, ['制证'])).s;
    await decideRevocation(t, { id: approver.id, roles: ['制证'] }, r.json().request.id, { approve: true }, { ip: 'test' });
    for (const scope of [COMPLETE_CRL, shardOfHex(c.serial)])
      expect((await revocationRepository.shard(t.db, 'sm2', scope))!.dirtySince, `scope ${scope}`).not.toBeNull();
    await caJobs({ db: t.db, clock: t.clock, config: t.config, log: t.app.log }).runOnce();
    for (const scope of [COMPLETE_CRL, shardOfHex(c.serial)])
      expect((await revocationRepository.shard(t.db, 'sm2', scope))!.dirtySince, `scope ${scope}`).toBeNull();
    const text = (await openssl(['crl', '-inform', 'DER', '-in', tmp.write('job.crl', await fetchCrl(c)), '-noout', '-text'])).stdout;
    expect(text.toLowerCase()).toContain(c.serial.toLowerCase().padStart(32, '0'));
  });

  it('serves the CA certificates at the caIssuers URL', async () => {
    const res = await fetch(`${base}/ca/sm2.cer`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/pkix-cert');
    expect(Buffer.from(await res.arrayBuffer()).equals(Buffer.from((await testCa()).issuing('sm2').certDer))).toBe(true);
    // Shards 0..15 exist (CRL_SHARD_COUNT); a shard past the count is not a CRL of this CA.
    expect((await fetch(`${base}/crl/sm2/15.crl`)).status).toBe(200);
    expect((await fetch(`${base}/crl/sm2/16.crl`)).status).toBe(404);
    expect((await fetch(`${base}/crl/sm2/-1.crl`)).status).toBe(404);
    expect((await fetch(`${base}/crl/sm2/complete.crl`)).status).toBe(200);
  });
});

describe.each(['ecdsa-p256', 'sm2'] as const)('OCSP responder (%s)', (family) => {
  const sm2 = family === 'sm2';
  let files: Record<'root' | 'issuing' | 'good' | 'revoked' | 'unknown' | 'pending', string>;
  let revokedSerial: string;
  let pendingRow: { id: string; serial: string };

  beforeAll(async () => {
    const ch = await chain(family);
    const good = await issue(family);
    const revoked = await issue(family);
    await revoke(revoked.id, 1);
    revokedSerial = revoked.serial;
    // A certificate this CA never issued: the same encoding, never recorded (its row is deleted).
    const ghost = await issue(family);
    await t.db.delete(certificates).where(eq(certificates.id, ghost.id));
    await revocationRepository.dropOcsp(t.db, ghost.serial);
    // A registry row that is not an issued certificate (pending: recorded, its signature never stored) is not good.
    const pending = await issue(family);
    await t.db.update(certificates).set({ status: 'pending' }).where(eq(certificates.id, pending.id));
    await revocationRepository.dropOcsp(t.db, pending.serial);
    pendingRow = pending;
    files = {
      pending: tmp.write(`${family}-pending.pem`, certificatePem(pending.der!)),
      root: ch.root,
      issuing: ch.issuing,
      good: tmp.write(`${family}-good.pem`, certificatePem(good.der!)),
      revoked: tmp.write(`${family}-revoked.pem`, certificatePem(revoked.der!)),
      unknown: tmp.write(`${family}-unknown.pem`, certificatePem(ghost.der!)),
    };
  }, 60_000);

  // OpenSSL 3.0 verifies SM2 OCSP signatures with the empty ID only (see the header): SM2 reads with -noverify
  // here and its signature is checked with pkeyutl distid below.
  const ask = (cert: keyof typeof files, extra: string[] = []) =>
    opensslResult([
      'ocsp',
      '-issuer',
      files.issuing,
      '-cert',
      files[cert],
      '-url',
      `${base}/ocsp`,
      ...(sm2 ? ['-noverify'] : ['-CAfile', files.root]),
      ...extra,
    ]);

  it.each([
    ['good', /: good/],
    ['revoked', /: revoked\s+This Update: .*\n.*Next Update: .*\n\s*Reason: keyCompromise\s*\n\s*Revocation Time: /],
    ['unknown', /: unknown/],
    ['pending', /: unknown/],
  ] as const)('%s', async (cert, status) => {
    const r = await ask(cert);
    if (!sm2) expect(r.out, r.out).toContain('Response verify OK');
    expect(r.out, r.out).toMatch(status);
  });

  it('GET /ocsp/<base64> (RFC 6960 A.1) with RFC 5019 cache headers, answered from the store without signing', async () => {
    await caJobs({ db: t.db, clock: t.clock, config: t.config, log: t.app.log }).runOnce(); // pre-sign everything
    const reqFile = tmp.path(`${family}-req.der`);
    await openssl(['ocsp', '-issuer', files.issuing, '-cert', files.revoked, '-reqout', reqFile, '-no_nonce']);
    const b64 = encodeURIComponent((await readFile(reqFile)).toString('base64'));
    const p = await publisherFor(t);
    const before = p.ocspSignatures;
    const res = await fetch(`${base}/ocsp/${b64}`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/ocsp-response');
    expect(res.headers.get('cache-control')).toMatch(/^max-age=\d+, public, no-transform, must-revalidate$/);
    expect(res.headers.get('last-modified')).toBeTruthy();
    const post = await fetch(`${base}/ocsp`, {
      method: 'POST',
      headers: { 'content-type': 'application/ocsp-request' },
      body: await readFile(reqFile),
    });
    expect(post.status).toBe(200);
    expect(p.ocspSignatures).toBe(before); // pre-signed: no signature made for either
    const respFile = tmp.write(`${family}-resp.der`, new Uint8Array(await res.arrayBuffer()));
    const text = (await openssl(['ocsp', '-respin', respFile, '-resp_text', '-noverify'])).stdout;
    expect(text).toContain('Cert Status: revoked');
    expect(text.toLowerCase()).toContain(revokedSerial.toLowerCase());
    if (sm2) {
      // The response's signature (BasicOCSPResponse inside responseBytes) under the standard ID, by the responder.
      const der = new Uint8Array(await readFile(respFile));
      const basicOctet = (() => {
        const outer = readTlv(der, 0);
        const status = readTlv(der, outer.start);
        const rb = readTlv(der, status.end); // [0]
        const seq = readTlv(der, rb.start);
        const type = readTlv(der, seq.start);
        const oct = readTlv(der, type.end);
        return der.subarray(oct.start, oct.end);
      })();
      const { tbs, signature } = splitSigned(basicOctet);
      const ca = await testCa();
      const responderSpki = ca.hierarchy.families.sm2!.ocsp.signer.publicKeySpki;
      expect(await opensslVerifySm2(responderSpki, tbs, signature, tmp.dir)).toBe(true);
    }
  });

  it('the same GET path answers `revoked` right after the revocation (what a path means is kept, never its answer)', async () => {
    const cert = await issue(family);
    const certFile = tmp.write(`${family}-get-then-revoke.pem`, certificatePem(cert.der!));
    const reqFile = tmp.path(`${family}-get-then-revoke-req.der`);
    await openssl(['ocsp', '-issuer', files.issuing, '-cert', certFile, '-reqout', reqFile, '-no_nonce']);
    const url = `${base}/ocsp/${encodeURIComponent((await readFile(reqFile)).toString('base64'))}`;
    const statusOf = async () => {
      const respFile = tmp.write(`${family}-get-then-revoke-resp.der`, new Uint8Array(await (await fetch(url)).arrayBuffer()));
      return /Cert Status: (\w+)/.exec((await openssl(['ocsp', '-respin', respFile, '-resp_text', '-noverify'])).stdout)?.[1];
    };
    expect(await statusOf()).toBe('good');
    expect(await statusOf()).toBe('good');
    await revoke(cert.id, 1);
    expect(await statusOf()).toBe('revoked');
  });

  it('a nonce is echoed (signed live); a malformed request gets malformedRequest with HTTP 200', async () => {
    const p = await publisherFor(t);
    const before = p.ocspSignatures;
    const r = await ask('good', ['-nonce']);
    expect(r.out, r.out).toMatch(/: good/);
    if (!sm2) expect(r.out).not.toMatch(/nonce verify error|WARNING: no nonce/i);
    expect(p.ocspSignatures).toBe(before + 1);
    const bad = await fetch(`${base}/ocsp`, { method: 'POST', headers: { 'content-type': 'application/ocsp-request' }, body: 'junk' });
    expect(bad.status).toBe(200);
    expect(Buffer.from(await bad.arrayBuffer()).toString('hex')).toBe('30030a0101');
    const badGet = await fetch(`${base}/ocsp/!!!`);
    expect(badGet.status).toBe(200);
    expect(Buffer.from(await badGet.arrayBuffer()).toString('hex')).toBe('30030a0101');
  });

  it('`unknown` is kept briefly: asked again it costs no signature; once the serial is issued here it answers good at once', async () => {
    const p = await publisherFor(t);
    // Without a nonce (openssl sends one by default, and a nonce is always answered live).
    expect((await ask('pending', ['-no_nonce'])).out).toMatch(/: unknown/);
    const before = p.ocspSignatures;
    for (let i = 0; i < 3; i++) expect((await ask('pending', ['-no_nonce'])).out).toMatch(/: unknown/);
    expect(p.ocspSignatures).toBe(before);
    // Issued after all (the pending row signed and stored): this process forgets its `unknown` at once.
    await t.db.update(certificates).set({ status: 'issued' }).where(eq(certificates.id, pendingRow.id));
    await p.afterChange(pendingRow.serial);
    const r = await ask('pending', ['-no_nonce']);
    if (!sm2) expect(r.out, r.out).toContain('Response verify OK');
    expect(r.out, r.out).toMatch(/: good/);
  });
});
