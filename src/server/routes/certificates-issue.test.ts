/**
 * 制证 issues a real certificate (issue 6), through the real app, checked with the real openssl tool:
 * from the customer's PKCS#10 (SM2, verified with distid 1234567812345678; ECDSA P-256 for an ECDSA
 * project), or from a key the system generates and hands back once as a PKCS#12 that openssl opens with
 * the staff's password. A crash between recording and signing is retried into the same certificate; wrong
 * roles and a CSR of the wrong key family are refused with Chinese reasons.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { certificates } from '../db/schema-certificates.js';
import { projects } from '../db/schema.js';
import { produceOrder } from '../modules/fulfilment/produce-order.js';
import { opensslResult, openssl, tempDir, type TempDir } from '../../ca/testing/openssl.js';
import { testApp, type TestApp, type TestClient } from '../testing/harness.js';
import { newApplicant, orderRow, paidOrder, quickOrder, staffMember } from '../testing/paid-order.js';
import { orderRepository } from '../modules/orders/repository.js';
import { testCa, testCaEnv, TEST_CA_BASE_URL } from '../testing/test-ca.js';
import { certificatePem } from '../modules/certificates/registry.js';

let t: TestApp;
let producer: TestClient;
let producerId: string;
let reviewer: TestClient;
let tmp: TempDir;

beforeAll(async () => {
  t = await testApp({ env: await testCaEnv() });
  const p = await staffMember(t, ['制证'], '周制证');
  producer = p.c;
  producerId = p.s.id;
  reviewer = (await staffMember(t, ['受理'], '吴受理')).c;
  tmp = tempDir('certdesk-issue-test-');
}, 120_000);
afterAll(async () => {
  tmp?.remove();
  await t?.close();
});

let n = 0;
/** A key and a PKCS#10 made by openssl, as a USB key's tool would make them. */
async function csrFor(family: 'sm2' | 'ecdsa-p256'): Promise<string> {
  const k = tmp.path(`k${++n}.pem`);
  const r = tmp.path(`r${n}.pem`);
  await openssl(['genpkey', '-algorithm', 'EC', '-pkeyopt', `ec_paramgen_curve:${family === 'sm2' ? 'SM2' : 'P-256'}`, '-out', k]);
  const args = ['req', '-new', '-key', k, '-subj', '/CN=usbkey', '-out', r];
  if (family === 'sm2') args.push('-sm3', '-sigopt', 'distid:1234567812345678');
  await openssl(args);
  return (await openssl(['req', '-in', r])).stdout;
}

const produce = (c: TestClient, orderId: string, key: unknown) => c.post(`/api/staff/orders/${orderId}/produce`, { key });

async function chainFiles(family: 'sm2' | 'ecdsa-p256') {
  const ca = await testCa();
  const issuing = ca.issuing(family);
  return {
    root: tmp.write(`root-${family}.pem`, certificatePem(issuing.rootDer)),
    issuing: tmp.write(`issuing-${family}.pem`, certificatePem(issuing.certDer)),
  };
}

describe('制证 from the customer PKCS#10', () => {
  it('issues an SM2 certificate that openssl parses and verifies against the test CA, and moves the order to 制证完成', async () => {
    const o = await quickOrder(t, 'in_production');
    const res = await produce(producer, o.orderId, { kind: 'csr', csr: await csrFor('sm2') });
    expect(res.statusCode, res.body).toBe(200);
    const body = res.json();
    expect(body.order).toMatchObject({ status: 'produced', statusLabel: '制证完成' });
    expect(body.pkcs12).toBeUndefined();
    const row = (await t.db.select().from(certificates).where(eq(certificates.id, body.certificate.id)))[0]!;
    expect(row).toMatchObject({ status: 'issued', orderId: o.orderId, keySource: 'csr', source: 'online', family: 'sm2' });
    expect((await orderRow(t.db, o.orderId)).producedAt).not.toBeNull();

    const pem = tmp.write(`cert${++n}.pem`, certificatePem(row.der!));
    const text = (await openssl(['x509', '-in', pem, '-noout', '-text'])).stdout;
    expect(text).toMatch(/Signature Algorithm: SM2-with-SM3/);
    expect(text).toContain(`URI:${TEST_CA_BASE_URL}/crl/sm2/`);
    expect(text).toContain(`OCSP - URI:${TEST_CA_BASE_URL}/ocsp`);
    expect(text).toMatch(/Digital Signature, Non Repudiation/);
    const serialOut = (await openssl(['x509', '-in', pem, '-noout', '-serial'])).stdout.trim();
    expect(serialOut.replace('serial=', '').replace(/^0+/, '').toLowerCase()).toBe(row.serial);
    const chain = await chainFiles('sm2');
    // OpenSSL 3.0 applies -vfyopt distid only to the certificate being verified, not to the issuing CA's own
    // certificate up the chain (the CA core's tests check that one with pkeyutl): so the issuing CA is the
    // trust anchor here (-partial_chain), and what is verified is our certificate's SM2 signature.
    const v = await opensslResult(['verify', '-vfyopt', 'distid:1234567812345678', '-partial_chain', '-CAfile', chain.issuing, pem]);
    expect(v.out, v.out).toMatch(/: OK/);
    // Without the standard ID the signature does not verify: it really is made with 1234567812345678.
    const noId = await opensslResult(['verify', '-partial_chain', '-CAfile', chain.issuing, pem]);
    expect(noId.out).not.toMatch(/: OK/);

    // The registry and the applicant-independent order view know it; a second attempt is refused (already produced).
    const again = await produce(producer, o.orderId, { kind: 'csr', csr: await csrFor('sm2') });
    expect(again.statusCode).toBe(409);
    expect((await t.db.select().from(certificates).where(eq(certificates.orderId, o.orderId))).length).toBe(1);
  });

  it('issues ECDSA P-256 for a project whose family is ECDSA, and refuses an SM2 request there with a Chinese reason', async () => {
    await t.db.update(projects).set({ certFamily: 'ecdsa' }).where(eq(projects.code, 'gov-procurement'));
    try {
      const o = await quickOrder(t, 'in_production');
      const wrong = await produce(producer, o.orderId, { kind: 'csr', csr: await csrFor('sm2') });
      expect(wrong.statusCode).toBe(400);
      expect(wrong.json().error.fields.csr).toMatch(/证书请求的密钥是 SM2，本项目签发 ECDSA P-256 证书/);
      expect((await orderRow(t.db, o.orderId)).status).toBe('in_production');
      const ok = await produce(producer, o.orderId, { kind: 'csr', csr: await csrFor('ecdsa-p256') });
      expect(ok.statusCode, ok.body).toBe(200);
      const row = (await t.db.select().from(certificates).where(eq(certificates.id, ok.json().certificate.id)))[0]!;
      const pem = tmp.write(`cert${++n}.pem`, certificatePem(row.der!));
      const chain = await chainFiles('ecdsa-p256');
      const v = await opensslResult(['verify', '-CAfile', chain.root, '-untrusted', chain.issuing, pem]);
      expect(v.out, v.out).toMatch(/: OK/);
      // CRLs all the way up: the CRL named in the certificate (the complete CRL) and the root's CRL (signed at the demo
      // hierarchy's creation) are served at their URLs, and openssl checks both.
      const text = (await openssl(['x509', '-in', pem, '-noout', '-text'])).stdout;
      const crlPath = new URL(/URI:(http\S+\.crl)/.exec(text)![1]!).pathname;
      const crls: string[] = [];
      for (const url of [crlPath, '/crl/ecdsa-p256/root.crl']) {
        const r = await t.app.inject({ method: 'GET', url });
        expect(r.statusCode, url).toBe(200);
        expect(r.headers['content-type']).toBe('application/pkix-crl');
        crls.push(tmp.write(`crl${++n}.der`, new Uint8Array(r.rawPayload)));
      }
      const pemCrls = await Promise.all(
        crls.map(async (f, i) => tmp.write(`crl-${n}-${i}.pem`, (await openssl(['crl', '-inform', 'DER', '-in', f])).stdout)),
      );
      const full = await opensslResult([
        'verify',
        '-crl_check_all',
        '-CAfile',
        chain.root,
        '-untrusted',
        chain.issuing,
        ...pemCrls.flatMap((f) => ['-CRLfile', f]),
        pem,
      ]);
      expect(full.out, full.out).toMatch(/: OK/);
      // Without the root's CRL, openssl cannot check the issuing CA and refuses.
      const partial = await opensslResult([
        'verify',
        '-crl_check_all',
        '-CAfile',
        chain.root,
        '-untrusted',
        chain.issuing,
        '-CRLfile',
        pemCrls[0]!,
        pem,
      ]);
      expect(partial.out).toMatch(/unable to get certificate CRL/);
    } finally {
      await t.db.update(projects).set({ certFamily: 'sm2' }).where(eq(projects.code, 'gov-procurement'));
    }
  });

  it('refuses garbage, a tampered request (proof of possession), and wrong roles', async () => {
    const o = await quickOrder(t, 'in_production');
    const junk = await produce(producer, o.orderId, { kind: 'csr', csr: 'hello' });
    expect(junk.statusCode).toBe(400);
    expect(junk.json().error.fields.csr).toMatch(/[\u4e00-\u9fa5]/);
    // Flip one byte inside the signed part: the signature no longer matches.
    const good = await csrFor('sm2');
    const der = Buffer.from(good.replace(/-----[^-]+-----/g, '').replace(/\s+/g, ''), 'base64');
    der[40] = der[40]! ^ 0x01;
    const tampered = `-----BEGIN CERTIFICATE REQUEST-----\n${der.toString('base64')}\n-----END CERTIFICATE REQUEST-----\n`;
    const bad = await produce(producer, o.orderId, { kind: 'csr', csr: tampered });
    expect(bad.statusCode).toBe(400);
    expect((await produce(reviewer, o.orderId, { kind: 'csr', csr: good })).statusCode).toBe(403);
    expect((await orderRow(t.db, o.orderId)).status).toBe('in_production');
    expect((await t.db.select().from(certificates).where(eq(certificates.orderId, o.orderId))).length).toBe(0);
  });
});

describe('制证 with a generated key (系统生成)', () => {
  it('returns a PKCS#12 once that openssl opens with the password; the key is not stored', async () => {
    const o = await quickOrder(t, 'in_production');
    const short = await produce(producer, o.orderId, { kind: 'generate', password: 'short' });
    expect(short.statusCode).toBe(400);
    expect(short.json().error.fields['key.password'] ?? JSON.stringify(short.json())).toMatch(/至少 8 位/);
    const password = 'Zhengshu2026!';
    const res = await produce(producer, o.orderId, { kind: 'generate', password });
    expect(res.statusCode, res.body).toBe(200);
    const p12 = tmp.write(`k${++n}.p12`, Buffer.from(res.json().pkcs12, 'base64'));
    const out = await opensslResult(['pkcs12', '-in', p12, '-passin', `pass:${password}`, '-nodes']);
    expect(out.code, out.out).toBe(0);
    expect(out.out).toMatch(/BEGIN CERTIFICATE/);
    expect(out.out).toMatch(/BEGIN PRIVATE KEY/);
    expect((await opensslResult(['pkcs12', '-in', p12, '-passin', 'pass:wrong-password', '-nodes'])).code).not.toBe(0);
    const row = (await t.db.select().from(certificates).where(eq(certificates.orderId, o.orderId)))[0]!;
    expect(row.keySource).toBe('generated');
    expect(JSON.stringify(row)).not.toContain(password);
  });
});

describe('crash between recording and signing', () => {
  it('leaves a pending row; the retry signs that very TBS (same CSR) and issues no second certificate', async () => {
    const o = await quickOrder(t, 'in_production');
    const csr = await csrFor('sm2');
    const config = t.config;
    const actor = { id: producerId, roles: ['制证' as const] };
    await expect(
      produceOrder(
        {
          db: t.db,
          clock: t.clock,
          config,
          faults: {
            afterRecord: async () => {
              throw new Error('simulated crash after tx1');
            },
          },
        },
        actor,
        o.orderId,
        { kind: 'csr', csr },
        { ip: '127.0.0.1' },
      ),
    ).rejects.toThrow(/simulated crash/);
    const pending = await t.db.select().from(certificates).where(eq(certificates.orderId, o.orderId));
    expect(pending).toHaveLength(1);
    expect(pending[0]).toMatchObject({ status: 'pending', der: null });
    expect((await orderRow(t.db, o.orderId)).status).toBe('in_production');

    const res = await produce(producer, o.orderId, { kind: 'csr', csr });
    expect(res.statusCode, res.body).toBe(200);
    const rows = await t.db.select().from(certificates).where(eq(certificates.orderId, o.orderId));
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ id: pending[0]!.id, serial: pending[0]!.serial, status: 'issued' });
    expect(Buffer.from(rows[0]!.tbs!).equals(Buffer.from(pending[0]!.tbs!))).toBe(true);
  });

  it('a retry with a generated key gives the pending row up (failed, never signed) and issues exactly one certificate', async () => {
    const o = await quickOrder(t, 'in_production');
    await expect(
      produceOrder(
        { db: t.db, clock: t.clock, config: t.config, faults: { afterRecord: async () => Promise.reject(new Error('crash')) } },
        { id: producerId, roles: ['制证'] },
        o.orderId,
        { kind: 'generate', password: 'Zhengshu2026!' },
        { ip: '127.0.0.1' },
      ),
    ).rejects.toThrow('crash');
    expect((await produce(producer, o.orderId, { kind: 'generate', password: 'Zhengshu2026!' })).statusCode).toBe(200);
    const rows = await t.db.select().from(certificates).where(eq(certificates.orderId, o.orderId));
    expect(rows.map((r) => r.status).sort()).toEqual(['failed', 'issued']);
    expect(rows.find((r) => r.status === 'failed')!.der).toBeNull();
  });
});

describe('at once', () => {
  it('five 制证 clicks at the same time issue one certificate; the others are told it was done', async () => {
    const o = await quickOrder(t, 'in_production');
    const csr = await csrFor('sm2');
    const results = await Promise.all(
      Array.from({ length: 5 }, (_, i) =>
        produce(producer, o.orderId, i % 2 ? { kind: 'csr', csr } : { kind: 'generate', password: 'Zhengshu2026!' }),
      ),
    );
    const codes = results.map((r) => r.statusCode);
    expect(codes.filter((c) => c === 200)).toHaveLength(1);
    expect(codes.filter((c) => c !== 200).every((c) => c === 409)).toBe(true);
    const rows = await t.db.select().from(certificates).where(eq(certificates.orderId, o.orderId));
    expect(rows.filter((r) => r.status === 'issued')).toHaveLength(1);
    expect(rows.filter((r) => r.status !== 'issued' && r.status !== 'failed')).toHaveLength(0);
    expect(rows.filter((r) => r.status === 'failed').every((r) => r.der === null)).toBe(true);
    expect((await orderRow(t.db, o.orderId)).status).toBe('produced');
  });
});

describe("the applicant's certificate", () => {
  it('shows the serial and validity of its own order and hands out the PEM; another organization gets 404', async () => {
    const o = await paidOrder(t);
    await orderRepository.setStatus(t.db, o.orderId, 'paper_awaiting', 'in_production', new Date());
    expect((await o.a.c.get(`/api/orders/${o.orderId}/certificate`)).statusCode).toBe(404);
    const res = await produce(producer, o.orderId, { kind: 'csr', csr: await csrFor('sm2') });
    expect(res.statusCode, res.body).toBe(200);
    const mine = await o.a.c.get(`/api/orders/${o.orderId}/certificate`);
    expect(mine.statusCode).toBe(200);
    expect(mine.json().certificate).toMatchObject({ id: res.json().certificate.id, status: 'valid', statusLabel: '有效', hasDer: true });
    const pem = await o.a.c.get(`/api/orders/${o.orderId}/certificate?format=pem`);
    expect(pem.body).toMatch(/^-----BEGIN CERTIFICATE-----/);
    const other = await newApplicant(t);
    expect((await other.c.get(`/api/orders/${o.orderId}/certificate`)).statusCode).toBe(404);
  });
});
