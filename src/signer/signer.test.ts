/**
 * The CA signer as its own process boundary (issue 17): the web app signs through the signer service on a
 * Unix socket and holds no key, no KEK and no CA directory; the signer re-checks what it signs against the
 * profile and the registry, logs every signature, and refuses what the registry does not hold. Signer down:
 * 制证 answers a clear 503 and leaves nothing issued; pre-signed OCSP answers keep being served; back up, the
 * retry issues exactly one certificate.
 *
 * The service runs in this test process (so the registry check can read PGlite's one connection too); the
 * protocol is the real one over a real socket.
 */
import { createHash } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeTbs, keyIdentifier } from '../ca/cert/build.js';
import { newSerial } from '../ca/cert/serial.js';
import { algorithmIdentifier, integer, octetString, sequence, unsignedInteger } from '../ca/der/der.js';
import { operationalCertificateFiles } from '../ca/hierarchy/hierarchy.js';
import { buildOcspResponse } from '../ca/ocsp/response.js';
import { spkiPublicKeyBits } from '../ca/spki.js';
import { verifySignature } from '../ca/signer/software.js';
import { parseCertificate } from '../ca/cert/parse.js';
import { AppError } from '../core/errors.js';
import { ManualClock } from '../server/clock.js';
import { caRuntime, type CaRuntime } from '../server/modules/certificates/ca-runtime.js';
import { buildOrderTbs, prepareKey } from '../server/modules/certificates/issue.js';
import { certificateRepository } from '../server/modules/certificates/repository.js';
import { SignerConnection } from '../server/modules/certificates/signer-client.js';
import { revocationRepository } from '../server/modules/revocation/repository.js';
import { issueTestCertificate } from '../server/modules/revocation/testing.js';
import { testApp, type TestApp, type TestClient } from '../server/testing/harness.js';
import { orderInProduction } from '../server/modules/seals/testing.js';
import { staffMember } from '../server/testing/paid-order.js';
import { testCaEnv, TEST_CA_BASE_URL } from '../server/testing/test-ca.js';
import { makeSignerLinkCerts } from '../server/testing/signer-link.js';
import { databaseRegistry } from './registry.js';
import { buildSignerService } from './service.js';

const clock = new ManualClock(new Date());
let local: CaRuntime;
let remote: CaRuntime;
let service: FastifyInstance | undefined;
let socketPath: string;
let webDir: string;
let t: TestApp;
let producer: TestClient;
let paper: TestClient;
const signerLog: Record<string, unknown>[] = [];
/** The services' log lines, parsed, in signerLog. */
const intoSignerLog = new Writable({
  write(chunk, _e, cb) {
    signerLog.push(JSON.parse(String(chunk)));
    cb();
  },
});

async function startSigner() {
  const env = await testCaEnv();
  service = await buildSignerService({
    hierarchy: local.hierarchy,
    policyOids: [local.config.policyOid],
    registry: databaseRegistry(t.db),
    operational: await operationalCertificateFiles(env.CERTDESK_CA_DIR!),
    now: () => clock.now(),
    fastify: {
      logger: { level: 'info', stream: intoSignerLog },
    },
  });
  await service.listen({ path: socketPath });
}

beforeAll(async () => {
  const env = await testCaEnv();
  local = await caRuntime((await import('../server/testing/harness.js')).testConfig(env).ca);
  webDir = mkdtempSync(path.join(tmpdir(), 'certdesk-web-'));
  socketPath = path.join(webDir, 'signer.sock');
  // The web app: no CA directory of its own, no KEK; every signature through the socket.
  t = await testApp({
    clock,
    env: {
      CERTDESK_DATA_DIR: webDir,
      CERTDESK_CA_DIR: path.join(webDir, 'no-ca-here'),
      CERTDESK_CA_FAMILIES: 'sm2,ecdsa-p256',
      CERTDESK_PUBLIC_URL: TEST_CA_BASE_URL,
      CERTDESK_SIGNER_URL: `unix:${socketPath}`,
    },
  });
  await startSigner();
  remote = await caRuntime(t.config.ca);
  producer = (await staffMember(t, ['制证'], '签名服务制证')).c;
  paper = (await staffMember(t, ['受理'], '签名服务受理')).c;
}, 120_000);
afterAll(async () => {
  await service?.close();
  await t?.close();
});

const sha256 = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');
const signatures = () => signerLog.filter((l) => l.msg === 'signed');

const produce = (orderId: string) =>
  producer.post(`/api/staff/orders/${orderId}/produce`, { key: { kind: 'generate', password: 'Zhengshu2026!' } });

describe('the web app holds no key', () => {
  it('signs through the signer: no KEK, no CA directory, every signer remote', async () => {
    expect(t.config.ca.kek).toBeNull();
    expect(remote.keys).toBe('signer');
    expect(existsSync(t.config.ca.dir)).toBe(false);
    // The public certificates are the signer's, byte for byte.
    expect(sha256(remote.issuing('sm2').certDer)).toBe(sha256(local.issuing('sm2').certDer));
    expect(remote.auditSigner().certDer).toEqual(local.auditSigner().certDer);
  });

  it('制证 issues through the signer; the certificate verifies under the issuing CA and the signer logged it', async () => {
    const o = await orderInProduction(t, paper);
    const before = signatures().length;
    const res = await produce(o.orderId);
    expect(res.statusCode).toBe(200);
    const [cert] = await t.db.query.certificates.findMany({ where: (c, { eq }) => eq(c.orderId, o.orderId) });
    expect(cert?.status).toBe('issued');
    const issued = parseCertificate(cert!.der!);
    const issuerSpki = parseCertificate(local.issuing('sm2').certDer).spki;
    expect(verifySignature(issuerSpki, 'sm2', issued.tbs, issued.signature)).toBe(true);
    const logged = signatures().slice(before);
    expect(logged.find((l) => l.kind === 'certificate' && l.serial === cert!.serial && l.registry === true)).toBeTruthy();
    // The seals were signed by the seal maker's key in the signer too.
    expect(logged.some((l) => l.kind === 'seal' && l.key === 'sm2/seal')).toBe(true);
  });
});

describe('the signer re-checks what it signs', () => {
  const conn = () => new SignerConnection({ kind: 'unix', socketPath });

  it('refuses a certificate the registry does not hold as pending, and one that differs from the pending record', async () => {
    const issuing = remote.issuing('ecdsa-p256');
    const key = await prepareKey('ecdsa-p256', { kind: 'generate', password: 'x' });
    const { tbs } = buildOrderTbs({
      issuing,
      serial: newSerial(),
      unitName: '未登记单位',
      uscc: '91360100MA35XXXX1X',
      spki: key.spki,
      at: clock.now(),
      baseUrl: remote.config.baseUrl,
      policyOid: remote.config.policyOid,
    });
    const c = conn();
    await expect(c.sign('ecdsa-p256', 'issuing', tbs)).rejects.toMatchObject({ code: 'SIGNER_REFUSED', status: 502 });
    const refused = signerLog.filter((l) => l.msg === 'signing refused').at(-1);
    expect(String(refused?.refused)).toMatch(/not in the registry/);
    c.close();
  });

  it('refuses an OCSP answer whose status is not the registry’s (good for a revoked certificate)', async () => {
    const cert = await issueTestCertificate(t, 'ecdsa-p256');
    await revocationRepository.revokeCertificate(t.db, cert.id, clock.now(), 1);
    const issuing = remote.hierarchy.families['ecdsa-p256']!;
    const sha1 = (b: Uint8Array) => createHash('sha1').update(b).digest();
    const certIdDer = sequence(
      algorithmIdentifier('1.3.14.3.2.26', Uint8Array.of(5, 0)),
      octetString(sha1(issuing.issuing.nameDer)),
      octetString(sha1(spkiPublicKeyBits(parseCertificate(issuing.issuing.certDer).spki))),
      unsignedInteger(Buffer.from(cert.serial.length % 2 ? `0${cert.serial}` : cert.serial, 'hex')),
    );
    const answer = (status: 'good' | 'revoked') =>
      buildOcspResponse({
        responderCertDer: issuing.ocsp.certDer,
        responderNameDer: issuing.ocsp.nameDer,
        signer: issuing.ocsp.signer,
        producedAt: clock.now(),
        responses: [
          {
            certId: { der: certIdDer },
            status,
            ...(status === 'revoked' ? { revokedAt: clock.now() } : {}),
            thisUpdate: clock.now(),
            nextUpdate: new Date(clock.now().getTime() + 86_400_000),
          },
        ],
      });
    await expect(answer('good')).rejects.toMatchObject({ code: 'SIGNER_REFUSED' });
    expect(String(signerLog.filter((l) => l.msg === 'signing refused').at(-1)?.refused)).toMatch(/says good .* the registry revoked/);
    await expect(answer('revoked')).resolves.toBeInstanceOf(Uint8Array);
  });

  it.each([
    ['issuing', 'a DER blob that is neither a TBSCertificate nor a TBSCertList', sequence(integer(7))],
    ['audit', 'anything but an audit checkpoint message', Buffer.from('certdesk-audit-checkpoint-v1\nperiodic\n1\nnot-a-hash\n')],
    ['ocsp', 'a ResponseData of another responder', sequence(sequence(integer(1)))],
    ['issuing', 'bytes that are not DER', Buffer.from('hello')],
  ] as const)('refuses for the %s key %s', async (role, _what, data) => {
    const c = conn();
    await expect(c.sign('sm2', role, data)).rejects.toMatchObject({ code: 'SIGNER_REFUSED' });
    c.close();
  });

  it('refuses a TBSCertificate outside the subscriber profile even when the registry holds it (a CA certificate)', async () => {
    const issuing = remote.issuing('ecdsa-p256');
    const key = await prepareKey('ecdsa-p256', { kind: 'generate', password: 'x' });
    const serial = newSerial();
    const tbs = encodeTbs({
      serial,
      issuer: issuing.nameDer,
      subject: { C: 'CN', O: '伪造的下级CA', CN: '伪造的下级CA' },
      notBefore: clock.now(),
      notAfter: new Date(clock.now().getTime() + 86_400_000),
      spki: key.spki,
      signatureAlgorithm: issuing.signer.signatureAlgorithm,
      extensions: {
        basicConstraints: { ca: true },
        keyUsage: ['keyCertSign', 'cRLSign'],
        subjectKeyId: keyIdentifier(key.spki),
        authorityKeyId: issuing.keyId,
      },
    });
    await certificateRepository.insert(t.db, {
      serial: Buffer.from(serial).toString('hex').replace(/^0+/, ''),
      family: 'ecdsa-p256',
      issuer: issuing.nameText,
      issuerKeyId: Buffer.from(issuing.keyId).toString('hex'),
      uscc: '91360100MA35XXXX2X',
      unitName: '伪造的下级CA',
      projectCode: 'gov-procurement',
      keyType: 'main',
      status: 'pending',
      keySource: 'csr',
      tbs: Buffer.from(tbs),
      notBefore: clock.now(),
      notAfter: new Date(clock.now().getTime() + 86_400_000),
      source: 'online',
      createdAt: clock.now(),
      updatedAt: clock.now(),
    });
    const c = conn();
    await expect(c.sign('ecdsa-p256', 'issuing', tbs)).rejects.toMatchObject({ code: 'SIGNER_REFUSED' });
    expect(String(signerLog.filter((l) => l.msg === 'signing refused').at(-1)?.refused)).toMatch(/fails the profile/);
    c.close();
  });
});

describe('signer down', () => {
  it('制证 answers 503 in Chinese and issues nothing; pre-signed OCSP is still served; back up, the retry issues one certificate', async () => {
    const o = await orderInProduction(t, paper);
    const served = await issueTestCertificate(t, 'ecdsa-p256');
    const ocspGet = async () => t.app.inject({ method: 'GET', url: `/ocsp/${encodeURIComponent(await ocspGetPath(served.serial))}` });
    // Asked once while the signer is up: the answer is signed and stored.
    const first = await ocspGet();
    expect(ocspSuccessful(first.rawPayload)).toBe(true);
    const health = async () => (await t.app.inject({ method: 'GET', url: '/api/health' })).json();
    expect((await health()).checks.signer).toBe('ok');
    await service!.close();
    service = undefined;
    try {
      // /api/health names the outage but stays 200: every instance shares the signer, and OCSP, CRLs and the
      // rest of the site still work; taking the instances out of the balancer would stop them all.
      const down = await t.app.inject({ method: 'GET', url: '/api/health' });
      expect(down.statusCode).toBe(200);
      expect(down.json()).toMatchObject({ status: 'ok', checks: { signer: 'unavailable' } });
      expect(down.json().warnings).toEqual(expect.arrayContaining([expect.stringContaining('证书签名服务无法连接')]));
      const res = await produce(o.orderId);
      expect(res.statusCode).toBe(503);
      expect(res.json().error.code).toBe('SIGNER_UNAVAILABLE');
      expect(res.json().error.message).toMatch(/证书签发服务暂时无法连接，本次未签发/);
      expect(JSON.stringify(res.json())).not.toMatch(/ECONNREFUSED|ENOENT|signer\.sock/);
      const rows = await t.db.query.certificates.findMany({ where: (c, { eq }) => eq(c.orderId, o.orderId) });
      expect(rows.map((r) => r.status)).toEqual(['pending']);
      // The responder answers from what was signed before (CertID by SHA-1, GET), byte for byte.
      const ocsp = await ocspGet();
      expect(ocsp.statusCode).toBe(200);
      expect(ocspSuccessful(ocsp.rawPayload)).toBe(true);
      expect(ocsp.rawPayload).toEqual(first.rawPayload);
    } finally {
      await startSigner();
    }
    expect((await health()).checks.signer).toBe('ok');
    const again = await produce(o.orderId);
    expect(again.statusCode).toBe(200);
    // The generated key of the refused attempt never left memory: its pending row is given up ('failed',
    // never signed) and the retry issues one certificate.
    const rows = await t.db.query.certificates.findMany({ where: (c, { eq }) => eq(c.orderId, o.orderId) });
    expect(rows.map((r) => r.status).sort()).toEqual(['failed', 'issued']);
    expect(rows.find((r) => r.status === 'failed')?.der ?? null).toBeNull();
  });

  it('a refusal or an outage reaches the user as an AppError with its cause kept, never the raw text', async () => {
    const c = new SignerConnection({ kind: 'unix', socketPath: path.join(webDir, 'nobody-listens.sock') });
    const e = await c.sign('sm2', 'issuing', Buffer.from('x')).catch((err: unknown) => err);
    expect(e).toBeInstanceOf(AppError);
    expect((e as AppError).status).toBe(503);
    expect((e as Error).message).not.toMatch(/ENOENT/);
    expect(String((e as { cause?: Error }).cause?.message)).toMatch(/ENOENT|ECONNREFUSED/);
    c.close();
  });
});

/** A successful OCSPResponse: SEQUENCE { responseStatus ENUMERATED 0, [0] responseBytes }. */
function ocspSuccessful(der: Buffer): boolean {
  const lenBytes = der[1]! & 0x80 ? (der[1]! & 0x7f) + 1 : 1;
  return der.subarray(1 + lenBytes, 1 + lenBytes + 3).equals(Buffer.from([0x0a, 0x01, 0x00]));
}

/** The OCSP GET path (base64 of an OCSPRequest) for one of the ECDSA issuing CA's serials. */
async function ocspGetPath(serialHex: string): Promise<string> {
  const issuing = remote.hierarchy.families['ecdsa-p256']!.issuing;
  const sha1 = (b: Uint8Array) => createHash('sha1').update(b).digest();
  const certId = sequence(
    algorithmIdentifier('1.3.14.3.2.26', Uint8Array.of(5, 0)),
    octetString(sha1(issuing.nameDer)),
    octetString(sha1(spkiPublicKeyBits(parseCertificate(issuing.certDer).spki))),
    unsignedInteger(Buffer.from(serialHex.length % 2 ? `0${serialHex}` : serialHex, 'hex')),
  );
  const req = sequence(sequence(sequence(sequence(certId))));
  return Buffer.from(req).toString('base64');
}

describe('mutual TLS between the web and the signer', () => {
  it('answers a client with a certificate from the configured CA, and refuses one without (503 SIGNER_UNAVAILABLE, nothing signed)', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'certdesk-mtls-'));
    const { read } = makeSignerLinkCerts(dir, ['web1']);
    const sh = (args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });
    const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes'];
    const tlsService = await buildSignerService({
      hierarchy: local.hierarchy,
      policyOids: [local.config.policyOid],
      now: () => clock.now(),
      fastify: {
        logger: { level: 'info', stream: intoSignerLog },
        https: { cert: read('signer.pem'), key: read('signer.key'), ca: read('ca.pem'), requestCert: true, rejectUnauthorized: true },
      },
    });
    await tlsService.listen({ host: '127.0.0.1', port: 0 });
    const port = (tlsService.server.address() as { port: number }).port;
    try {
      const message = Buffer.from(`certdesk-audit-checkpoint-v1\nperiodic\n7\n${'ab'.repeat(32)}\n2026-12-07T01:02:03.000Z\n`);
      const ok = new SignerConnection({
        kind: 'https',
        url: `https://localhost:${port}`,
        tls: { ca: read('ca.pem'), cert: read('web1.pem'), key: read('web1.key') },
      });
      const signature = await ok.sign('sm2', 'audit', message);
      expect(verifySignature(parseCertificate(local.auditSigner().certDer).spki, 'sm2', message, signature)).toBe(true);
      expect(signatures().at(-1)).toMatchObject({ key: 'sm2/audit', kind: 'checkpoint', client: 'web1' });
      ok.close();
      // A client certificate the signer does not trust (self-signed), and none at all: refused at the handshake.
      sh(['req', '-x509', ...ec, '-keyout', 'rogue.key', '-out', 'rogue.pem', '-subj', '/CN=rogue', '-days', '2']);
      for (const tls of [{ ca: read('ca.pem'), cert: read('rogue.pem'), key: read('rogue.key') }, { ca: read('ca.pem') } as never]) {
        const count = signatures().length;
        const bad = new SignerConnection({ kind: 'https', url: `https://localhost:${port}`, tls });
        await expect(bad.sign('sm2', 'audit', message)).rejects.toMatchObject({ code: 'SIGNER_UNAVAILABLE', status: 503 });
        expect(signatures().length).toBe(count);
        bad.close();
      }
    } finally {
      await tlsService.close();
    }
  });
});
