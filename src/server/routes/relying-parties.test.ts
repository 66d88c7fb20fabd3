/**
 * What relying parties nobody here wrote make of what the CA publishes (issue 15): the real server listening
 * on 127.0.0.1, its CA made with that address in the certificates, and GmSSL 3.1.1 and master, NSS, GnuTLS
 * and OpenSSL fetching and checking chains and OCSP answers — SM2 where the tool speaks it, ECDSA P-256 for
 * the others. CRLs are checked in the CRL publication's own tests.
 */
import { connect, createServer } from 'node:net';
import { mkdtempSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { certificatePem, parseCertificate, pemToDer } from '../../ca/cert/parse.js';
import type { KeyAlgorithm } from '../../ca/signer/port.js';
import { openssl, opensslResult, tempDir, type TempDir } from '../../ca/testing/openssl.js';
import { gmssl, missingOracles, runTool, SHARED_TOOLS } from '../../ca/testing/oracles.js';
import { certificates } from '../db/schema-certificates.js';
import { caRuntime } from '../modules/certificates/ca-runtime.js';
import { revokeOperationalCertificate } from '../modules/revocation/operational.js';
import { publisherFor } from '../modules/revocation/publication.js';
import { revocationRepository } from '../modules/revocation/repository.js';
import { issueTestCertificate } from '../modules/revocation/testing.js';
import { testApp, testConfig, type TestApp, type TestClient } from '../testing/harness.js';
import { staffMember } from '../testing/paid-order.js';

/** A CPS OID of the kind a Chinese CA is assigned (under 1.2.156, China's arc): what certificates carry here. */
const POLICY = '1.2.156.112599.1.1.1';

let t: TestApp;
let base: string;
let port: number;
let tmp: TempDir;
let producer: TestClient;
let admin: TestClient;
let env: Record<string, string>;

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const a = s.address();
      s.close(() => (a && typeof a === 'object' ? resolve(a.port) : reject(new Error('no port'))));
    });
  });
}

beforeAll(async () => {
  const missing = missingOracles();
  if (missing.length) throw new Error(`relying-party tools missing: ${missing.join('; ')}`);
  port = await freePort();
  base = `http://127.0.0.1:${port}`;
  // A CA of its own whose certificates name this server, so the tools fetch from it what the certificates say.
  env = {
    CERTDESK_CA_DIR: path.join(mkdtempSync(path.join(tmpdir(), 'certdesk-rp-ca-')), 'ca'),
    CERTDESK_CA_FAMILIES: 'sm2,ecdsa-p256',
    CERTDESK_CA_AUTO_INIT: '1',
    CERTDESK_PUBLIC_URL: base,
    CERTDESK_CA_POLICY_OID: POLICY,
  };
  await caRuntime(testConfig(env).ca);
  t = await testApp({ env });
  await t.app.listen({ host: '127.0.0.1', port });
  producer = (await staffMember(t, ['制证'], '周制证')).c;
  admin = (await staffMember(t, ['管理员'], '郑管理')).c;
  tmp = tempDir('certdesk-rp-test-');
}, 180_000);
afterAll(async () => {
  tmp?.remove();
  await t?.close();
});

async function revoke(certId: string, reason = 1): Promise<void> {
  const r = await producer.post('/api/staff/revocations', { certificateId: certId, reason, note: '密钥泄露' });
  expect(r.statusCode, r.body).toBe(201);
  const a = await admin.post(`/api/staff/revocations/${r.json().request.id}/approve`, {});
  expect(a.statusCode, a.body).toBe(200);
}

type Kind = 'good' | 'revoked' | 'unknown';
interface FamilyFiles {
  root: string;
  issuing: string;
  ocsp: string;
  /** The issuing CA and the root in one file. */
  caSet: string;
  /** Each certificate alone, and followed by its issuer (what GmSSL's ocspreq/ocspget/crlget take). */
  cert: Record<Kind, string>;
  chain: Record<Kind, string>;
}

const filesOf = new Map<KeyAlgorithm, Promise<FamilyFiles>>();
/** Per family: a good, a revoked (keyCompromise) and a never-issued certificate, with the CA's certificates. */
function familyFiles(family: KeyAlgorithm): Promise<FamilyFiles> {
  let p = filesOf.get(family);
  if (!p) {
    p = (async () => {
      const ca = await caRuntime(testConfig(env).ca);
      const f = ca.hierarchy.families[family]!;
      const good = await issueTestCertificate(t, family);
      const revoked = await issueTestCertificate(t, family);
      await revoke(revoked.id, 1);
      const ghost = await issueTestCertificate(t, family);
      await t.db.delete(certificates).where(eq(certificates.id, ghost.id));
      await revocationRepository.dropOcsp(t.db, ghost.serial);
      const issuingPem = certificatePem(f.issuing.certDer);
      const w = (name: string, data: string) => tmp.write(`${family}-${name}`, data);
      const ders = { good: good.der!, revoked: revoked.der!, unknown: ghost.der! };
      const cert = {} as Record<Kind, string>;
      const chain = {} as Record<Kind, string>;
      for (const k of ['good', 'revoked', 'unknown'] as const) {
        cert[k] = w(`${k}.pem`, certificatePem(ders[k]));
        chain[k] = w(`${k}-chain.pem`, certificatePem(ders[k]) + issuingPem);
      }
      return {
        root: w('root.pem', certificatePem(f.root.certDer)),
        issuing: w('issuing.pem', issuingPem),
        ocsp: w('ocsp.pem', certificatePem(f.ocsp.certDer)),
        caSet: w('ca-set.pem', issuingPem + certificatePem(f.root.certDer)),
        cert,
        chain,
      };
    })();
    filesOf.set(family, p);
  }
  return p;
}

async function postOcsp(reqFile: string, respFile: string): Promise<void> {
  const res = await fetch(`${base}/ocsp`, {
    method: 'POST',
    headers: { 'content-type': 'application/ocsp-request' },
    body: await readFile(reqFile),
  });
  expect(res.status).toBe(200);
  tmp.write(path.basename(respFile), new Uint8Array(await res.arrayBuffer()));
}

/**
 * GmSSL master's ocspverify checks the signature, the responder's delegation and the CertID against the request,
 * then the status: it exits 0 for good and says "Verification failure: revoked|unknown" (exit 1) otherwise.
 */
function expectGmsslVerdict(kind: Kind, v: { code: number; out: string }) {
  expect(v.out).toMatch(new RegExp(`certStatus: ${kind}`));
  if (kind === 'good') expect(v.code, v.out).toBe(0);
  else {
    expect(v.code).not.toBe(0);
    expect(v.out).toMatch(new RegExp(`^Verification failure: ${kind}$`, 'm'));
  }
}

describe('OCSP (SM2): GmSSL master builds the request, verifies the signed answer', () => {
  it.each(['good', 'revoked', 'unknown'] as const)('%s, without a nonce (ocspreq → POST → ocspverify)', async (kind) => {
    const f = await familyFiles('sm2');
    const req = tmp.path(`gm-${kind}.req`);
    const resp = tmp.path(`gm-${kind}.resp`);
    const r1 = await gmssl('master', ['ocspreq', '-in', f.chain[kind], '-out', req]);
    expect(r1.code, r1.out).toBe(0);
    await postOcsp(req, resp);
    expectGmsslVerdict(
      kind,
      await gmssl('master', ['ocspverify', '-reqin', req, '-respin', resp, '-cacert', f.issuing, '-signer', f.ocsp, '-verbose']),
    );
  });

  it.each(['good', 'revoked', 'unknown'] as const)('%s, with a nonce (OpenSSL builds the request) → GmSSL ocspverify', async (kind) => {
    const f = await familyFiles('sm2');
    const req = tmp.path(`gmn-${kind}.req`);
    const resp = tmp.path(`gmn-${kind}.resp`);
    await openssl(['ocsp', '-sha256', '-issuer', f.issuing, '-cert', f.cert[kind], '-reqout', req]);
    await postOcsp(req, resp);
    const text = (await openssl(['ocsp', '-respin', resp, '-resp_text', '-noverify'])).stdout;
    expect(text).toContain('OCSP Nonce');
    expectGmsslVerdict(
      kind,
      await gmssl('master', ['ocspverify', '-reqin', req, '-respin', resp, '-cacert', f.issuing, '-signer', f.ocsp, '-verbose']),
    );
  });
});

describe('GmSSL master ocspverify checks what it is given', () => {
  it('a revoked answer whose signed data was altered (producedAt) is refused for its signature, not read as revoked', async () => {
    const f = await familyFiles('sm2');
    const req = tmp.path('gm-tamper.req');
    const resp = tmp.path('gm-tamper.resp');
    expect((await gmssl('master', ['ocspreq', '-in', f.chain.revoked, '-out', req])).code).toBe(0);
    await postOcsp(req, resp);
    const der = await readFile(resp);
    const at = der.indexOf(Buffer.from([0x18, 0x0f])); // producedAt: the first GeneralizedTime
    expect(at).toBeGreaterThan(0);
    der[at + 2 + 3] = der[at + 2 + 3] === 0x30 ? 0x31 : 0x30; // a digit of the year, inside the signed data
    tmp.write('gm-tamper.resp', der);
    const v = await gmssl('master', ['ocspverify', '-reqin', req, '-respin', resp, '-cacert', f.issuing, '-signer', f.ocsp]);
    expect(v.code).not.toBe(0);
    expect(v.out).not.toContain('Verification failure: revoked');
  });
});

describe('OCSP (ECDSA P-256): OpenSSL and GnuTLS ask the server and verify the answer', () => {
  const cases = (['good', 'revoked', 'unknown'] as const).flatMap((kind) => [
    [kind, true],
    [kind, false],
  ]) as [Kind, boolean][];

  it.each(cases)('%s, nonce %s: openssl ocsp', async (kind, nonce) => {
    const f = await familyFiles('ecdsa-p256');
    const r = await opensslResult([
      'ocsp',
      '-issuer',
      f.issuing,
      '-cert',
      f.cert[kind],
      '-url',
      `${base}/ocsp`,
      '-CAfile',
      f.root,
      '-resp_text',
      ...(nonce ? [] : ['-no_nonce']),
    ]);
    expect(r.code, r.out).toBe(0);
    expect(r.out).toContain('Response verify OK');
    expect(r.out).toMatch(new RegExp(`${kind}\\.pem: ${kind}`));
    if (nonce) expect(r.out).toContain('OCSP Nonce');
    else expect(r.out).not.toContain('OCSP Nonce');
  });

  it.each(cases)('%s, nonce %s: GnuTLS ocsptool --ask', async (kind, nonce) => {
    const f = await familyFiles('ecdsa-p256');
    const r = await runTool('ocsptool', [
      `--ask=${base}/ocsp`,
      '--load-cert',
      f.cert[kind],
      '--load-issuer',
      f.issuing,
      // GnuTLS checks the delegated responder against the anchors alone (it builds no path): the CA set a
      // relying party keeps, the issuing CA with its root.
      '--load-trust',
      f.caSet,
      nonce ? '--nonce' : '--no-nonce',
    ]);
    expect(r.out).toMatch(/Verifying OCSP Response: Success/);
    expect(r.out).toMatch(new RegExp(`Certificate Status: ${kind}`));
    if (nonce) expect(r.out).toMatch(/Nonce: [0-9a-f]+/);
    else expect(r.out).not.toContain('Nonce:');
  });
});

/** The response head exactly as sent (header names in the case they went on the wire). */
function rawHead(pathAndQuery: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const s = connect(port, '127.0.0.1', () => s.write(`GET ${pathAndQuery} HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n`));
    const chunks: Buffer[] = [];
    s.on('data', (c: Buffer) => chunks.push(c));
    s.on('error', reject);
    s.on('end', () => {
      const all = Buffer.concat(chunks).toString('latin1');
      resolve(all.slice(0, all.indexOf('\r\n\r\n')));
    });
  });
}

describe('GmSSL’s HTTP client against the server itself: header names in canonical case', () => {
  it('/ocsp, /crl and /ca answer "Content-Type" and "Content-Length" (and the rest) in canonical case', async () => {
    const f = await familyFiles('sm2');
    const req = tmp.path('head.req');
    await openssl(['ocsp', '-issuer', f.issuing, '-cert', f.cert.good, '-reqout', req, '-no_nonce']);
    const ocspGet = `/ocsp/${encodeURIComponent((await readFile(req)).toString('base64'))}`;
    for (const p of [ocspGet, '/crl/sm2/root.crl', '/ca/sm2.cer', '/ca/sm2-root.cer', '/crl/sm2/nothing.crl', '/ca/nothing.cer']) {
      const head = await rawHead(p);
      const names = head
        .split('\r\n')
        .slice(1)
        .map((l) => l.slice(0, l.indexOf(':')));
      expect(names, `${p}\n${head}`).toContain('Content-Type');
      expect(names, `${p}\n${head}`).toContain('Content-Length');
      for (const n of names) expect(n, `${p}: ${n}`).toMatch(/^[A-Z][a-z]*(-[A-Z][a-z]*)*$/);
    }
  });

  it('GmSSL master ocspget asks the URL in the certificate and gets the signed answer (good and revoked)', async () => {
    const f = await familyFiles('sm2');
    for (const kind of ['good', 'revoked'] as const) {
      const out = tmp.path(`ocspget-${kind}.der`);
      const r = await gmssl('master', ['ocspget', '-cert', f.chain[kind], '-out', out]);
      expect(r.code, r.out).toBe(0);
      const text = (await openssl(['ocsp', '-respin', out, '-resp_text', '-noverify'])).stdout;
      expect(text).toContain(`Cert Status: ${kind}`);
    }
  });

  it.each(['3.1.1', 'master'] as const)('GmSSL %s crlget fetches the CRL the issuing CA certificate names (the root CRL)', async (v) => {
    const f = await familyFiles('sm2');
    const out = tmp.path(`crlget-${v}.der`);
    const r = await gmssl(v, ['crlget', '-cert', f.issuing, '-out', out]);
    expect(r.code, r.out).toBe(0);
    const text = (await openssl(['crl', '-inform', 'DER', '-in', out, '-noout', '-issuer', '-nameopt', 'utf8'])).stdout;
    expect(text).toContain('SM2 根 CA');
    const v2 = await gmssl(v, ['crlverify', '-in', out, '-cacert', f.root]);
    expect(v2.code, v2.out).toBe(0);
  });

  it('GmSSL 3.1.1 certverify -check_crl downloads the root CRL over HTTP for the issuing CA (not revoked)', async () => {
    const f = await familyFiles('sm2');
    const r = await gmssl('3.1.1', ['certverify', '-in', f.issuing, '-cacert', f.root, '-check_crl']);
    expect(r.code, r.out).toBe(0);
    expect(r.out).toMatch(/Verification success/i);
  });
});

describe('chains: what the server issued verifies in every relying party, with the CA policy', () => {
  it('ECDSA: OpenSSL with explicit policy checking for the CPS OID', async () => {
    const f = await familyFiles('ecdsa-p256');
    const r = await opensslResult([
      'verify',
      '-policy_check',
      '-explicit_policy',
      '-policy',
      POLICY,
      '-CAfile',
      f.root,
      '-untrusted',
      f.issuing,
      f.cert.good,
    ]);
    expect(r.out, r.out).toContain(`${f.cert.good}: OK`);
  });

  it('ECDSA: NSS vfychain (CERT_PKIXVerifyCert) with the policy OID', async () => {
    const f = await familyFiles('ecdsa-p256');
    const db = tmp.path('nssdb');
    await runTool('mkdir', ['-p', db]);
    expect((await runTool('certutil', ['-N', '-d', `sql:${db}`, '--empty-password'])).code).toBe(0);
    const r = await runTool('vfychain', [
      '-d',
      `sql:${db}`,
      '-pp',
      '-o',
      `OID.${POLICY}`,
      '-u',
      '0',
      '-a',
      f.cert.good,
      '-a',
      f.issuing,
      '-t',
      '-a',
      f.root,
    ]);
    expect(r.code, r.out).toBe(0);
    expect(r.out).toContain('Chain is good!');
  });

  it('ECDSA: GnuTLS certtool --verify-chain', async () => {
    const f = await familyFiles('ecdsa-p256');
    const chain = tmp.write('gnutls-chain.pem', (await readFile(f.chain.good, 'latin1')) + (await readFile(f.root, 'latin1')));
    const r = await runTool('certtool', ['--verify-chain', '--infile', chain]);
    expect(r.code, r.out).toBe(0);
    expect(r.out).toMatch(/Chain verification output: Verified/);
  });

  it('SM2: GmSSL 3.1.1 certverify (the release; master refuses the 20-year root, see reissue.test.ts)', async () => {
    const f = await familyFiles('sm2');
    const r = await gmssl('3.1.1', ['certverify', '-in', f.chain.good, '-cacert', f.root]);
    expect(r.code, r.out).toBe(0);
    expect(r.out).toMatch(/Verification success/i);
  });
});

describe('the seal maker and the audit signer are status-checked like any certificate (issue 15 item 3)', () => {
  interface OwnFiles {
    cert: string;
    /** The certificate followed by its issuer (what ocspreq/ocspget take). */
    chain: string;
    issuing: string;
    ocsp: string;
    /** Issuing CA and root: what certverify is given as CAs. */
    caSet: string;
    serial: string;
  }
  async function ownFiles(kind: 'seal' | 'audit'): Promise<OwnFiles> {
    const f = (await caRuntime(testConfig(env).ca)).hierarchy.families.sm2!;
    const der = f[kind]!.certDer;
    const issuingPem = certificatePem(f.issuing.certDer);
    return {
      cert: tmp.write(`own-${kind}.pem`, certificatePem(der)),
      chain: tmp.write(`own-${kind}-chain.pem`, certificatePem(der) + issuingPem),
      issuing: tmp.write('own-issuing.pem', issuingPem),
      ocsp: tmp.write('own-ocsp.pem', certificatePem(f.ocsp.certDer)),
      caSet: tmp.write('own-ca-set.pem', issuingPem + certificatePem(f.root.certDer)),
      serial: parseCertificate(der).serialHex.replace(/^0+(?=.)/, ''),
    };
  }
  /** GmSSL master asks the URL in the certificate (ocspget) and builds a request of its own (ocspreq → POST → ocspverify). */
  async function ocspVerdict(kind: 'seal' | 'audit', expected: Kind) {
    const o = await ownFiles(kind);
    const got = tmp.path(`own-${kind}-${expected}.ocspget`);
    const r = await gmssl('master', ['ocspget', '-cert', o.chain, '-out', got]);
    expect(r.code, r.out).toBe(0);
    expect((await openssl(['ocsp', '-respin', got, '-resp_text', '-noverify'])).stdout).toContain(`Cert Status: ${expected}`);
    const req = tmp.path(`own-${kind}-${expected}.req`);
    const resp = tmp.path(`own-${kind}-${expected}.resp`);
    expect((await gmssl('master', ['ocspreq', '-in', o.chain, '-out', req])).code).toBe(0);
    await postOcsp(req, resp);
    expectGmsslVerdict(
      expected,
      await gmssl('master', ['ocspverify', '-reqin', req, '-respin', resp, '-cacert', o.issuing, '-signer', o.ocsp, '-verbose']),
    );
    // OpenSSL asks with a nonce (signed live) and reads the same status.
    const n = await opensslResult(['ocsp', '-issuer', o.issuing, '-cert', o.cert, '-url', `${base}/ocsp`, '-noverify', '-resp_text']);
    expect(n.out).toContain('OCSP Nonce');
    expect(n.out).toContain(`Cert Status: ${expected}`);
  }
  /** The CRL the certificate's CRL DP names, fetched by GmSSL (crlget), and what GmSSL makes of the certificate with it. */
  async function crlVerdict(kind: 'seal' | 'audit') {
    const o = await ownFiles(kind);
    const dp = (await openssl(['x509', '-in', o.cert, '-noout', '-ext', 'crlDistributionPoints'])).stdout;
    expect(dp).toContain(`URI:${base}/crl/sm2/complete.crl`);
    const crl = tmp.path(`own-${kind}.crl`);
    const g = await gmssl('master', ['crlget', '-cert', o.cert, '-out', crl]);
    expect(g.code, g.out).toBe(0);
    const v = await gmssl('3.1.1', ['crlverify', '-in', crl, '-cacert', o.issuing]);
    expect(v.code, v.out).toBe(0);
    const listed = (await openssl(['crl', '-inform', 'DER', '-in', crl, '-noout', '-text'])).stdout.toLowerCase();
    return {
      listed: listed.replace(/\s/g, '').includes(`serialnumber:${o.serial.length % 2 ? `0${o.serial}` : o.serial}`),
      master: await gmssl('master', ['certverify', '-client', '-in', o.cert, '-cacert', o.caSet, '-crl', crl]),
      release: await gmssl('3.1.1', ['certverify', '-check_crl', '-in', o.cert, '-cacert', o.caSet]),
    };
  }

  it.each(['seal', 'audit'] as const)(
    '%s: the responder answers good (it said unknown before), and its CRL does not list it',
    async (kind) => {
      await ocspVerdict(kind, 'good');
      const c = await crlVerdict(kind);
      expect(c.listed).toBe(false);
      expect(c.master.out, c.master.out).toContain('Verification success');
      expect(c.release.out, c.release.out).toContain('Revocation status: Not revoked by CRL');
    },
  );

  it.each(['seal', 'audit'] as const)(
    '%s: npm run ca:revoke withdraws it — OCSP says revoked, the CRL its DP names lists it, a second revocation is refused',
    async (kind) => {
      const o = await ownFiles(kind);
      const r = await revokeOperationalCertificate(t, t.config.ca.dir, { kind, reason: 1 });
      expect(r.serial).toBe(o.serial);
      // What a running server's CA job does within 30 seconds: publish the marked CRLs, sign the missing answer.
      const p = await publisherFor(t);
      await p.publishDue();
      await p.refreshOcsp();
      await ocspVerdict(kind, 'revoked');
      const c = await crlVerdict(kind);
      expect(c.listed).toBe(true);
      expect(c.master.out, c.master.out).toContain('Verification failure: crl');
      expect(c.release.out, c.release.out).toContain('certificate has been revoked');
      await expect(revokeOperationalCertificate(t, t.config.ca.dir, { kind, reason: 1 })).rejects.toThrow(/已吊销/);
    },
  );
});

describe('subscriber certificates: GM/T 0015-2023 USCC extension and the EKU (issue 15 item 7)', () => {
  /** The certificate the registry issued for the test unit (issueTestCertificate), and its USCC. */
  async function issued(family: KeyAlgorithm) {
    const f = await familyFiles(family);
    const uscc = parseCertificate(pemToDer(await readFile(f.cert.good, 'latin1'))).subjectFields.uscc!;
    return { f, uscc };
  }

  it.each(['sm2', 'ecdsa-p256'] as const)(
    '%s: the USCC is in subject serialNumber and in 1.2.156.10260.4.4 as a PrintableString',
    async (family) => {
      const { f, uscc } = await issued(family);
      expect(uscc).toMatch(/^[0-9A-HJ-NPQRTUWXY]{18}$/);
      const der = tmp.path(`${family}-good.der`);
      await openssl(['x509', '-in', f.cert.good, '-outform', 'DER', '-out', der]);
      // asn1parse: the extension's OID, then its OCTET STRING; parse inside it (-strparse) for the value.
      const top = (await openssl(['asn1parse', '-inform', 'DER', '-in', der])).stdout.split('\n');
      const at = top.findIndex((l) => l.includes(':1.2.156.10260.4.4'));
      expect(at, top.join('\n')).toBeGreaterThan(0);
      expect(top[at + 1]).toMatch(/OCTET STRING/); // no BOOLEAN between: not critical
      const offset = top[at + 1]!.trim().split(':')[0]!;
      const inner = (await openssl(['asn1parse', '-inform', 'DER', '-in', der, '-strparse', offset])).stdout;
      expect(inner).toMatch(new RegExp(`PRINTABLESTRING\\s+:${uscc}$`, 'm'));
      const text = (await openssl(['x509', '-in', f.cert.good, '-noout', '-subject', '-ext', 'extendedKeyUsage'])).stdout;
      expect(text).toContain(`serialNumber = ${uscc}`);
      expect(text).toContain('TLS Web Client Authentication, E-mail Protection');
    },
  );

  it('ECDSA: x509lint finds nothing beyond its two TLS-server rules (subject locality, subjectAltName)', async () => {
    const { f } = await issued('ecdsa-p256');
    const r = await runTool(path.join(SHARED_TOOLS, 'x509lint', 'x509lint'), [f.cert.good]);
    // x509lint applies the CA/B Forum TLS server rules to every leaf: an OV server certificate needs a locality
    // and a subjectAltName. Neither applies to an organisation's signing certificate (not a TLS server), and
    // both were reported before the USCC extension and emailProtection were added. Anything else fails.
    const problems = r.out.split('\n').filter((l) => /^[EW]:/.test(l));
    expect(problems, r.out).toEqual([
      'E: Subject with organizationName, givenName or surname but without stateOrProvince or localityName',
      'E: No Subject alternative name extension',
    ]);
  });

  it('SM2: GmSSL 3.1.1 and master parse it, and 3.1.1 verifies its chain', async () => {
    const { f, uscc } = await issued('sm2');
    for (const v of ['3.1.1', 'master'] as const) {
      const p = await gmssl(v, ['certparse', '-in', f.cert.good]);
      expect(p.code, `${v}: ${p.out}`).toBe(0);
      expect(p.out).toContain(uscc);
    }
    const c = await gmssl('3.1.1', ['certverify', '-in', f.chain.good, '-cacert', f.root]);
    expect(c.code, c.out).toBe(0);
  });

  it.each([
    ['0', 'SSL client (logging in to the platforms)'],
    ['4', 'e-mail signer (CMS signed data)'],
  ])('ECDSA: NSS vfychain -u %s (%s): the chain is good', async (usage) => {
    const { f } = await issued('ecdsa-p256');
    const db = tmp.path(`nssdb-eku-${usage}`);
    await runTool('mkdir', ['-p', db]);
    expect((await runTool('certutil', ['-N', '-d', `sql:${db}`, '--empty-password'])).code).toBe(0);
    const r = await runTool('vfychain', ['-d', `sql:${db}`, '-pp', '-u', usage, '-a', f.cert.good, '-a', f.issuing, '-t', '-a', f.root]);
    expect(r.out, r.out).toContain('Chain is good!');
    expect(r.code, r.out).toBe(0);
  });
});
