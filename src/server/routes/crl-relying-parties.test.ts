/**
 * The CRL a certificate's distribution point names, as the relying parties nobody here wrote see it (issue
 * 15): the real server, a certificate issued through the registry, its CRL fetched from the URL inside it.
 *
 * - SM2: GmSSL 3.1.1 (the release Chinese relying parties run) and GmSSL master `crlverify`; GmSSL master
 *   `certverify -crl` and 3.1.1 `certverify -check_crl` (which downloads the CRL from the certificate's DP)
 *   say good for a good certificate and revoked for a revoked one. GmSSL signs and verifies SM2 only.
 * - ECDSA P-256: NSS `crlutil -I` imports it (NSS checks its signature against the issuing CA in its
 *   database), GnuTLS `certtool --verify-crl`, OpenSSL `verify -crl_check` good/revoked. NSS and GnuTLS have
 *   no SM2; OpenSSL 3.0 checks SM2 CRL signatures with the empty ID (revocation.test.ts checks those).
 *
 * Before the complete CRL, the DP named a shard whose critical issuingDistributionPoint GmSSL ("invalid CRL
 * data or format") and NSS ("unknown critical extension") refused, and GmSSL 3.1.1's -check_crl called a good
 * certificate revoked.
 */
import { execFile } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openssl, opensslResult, tempDir, type TempDir } from '../../ca/testing/openssl.js';
import type { KeyAlgorithm } from '../../ca/signer/port.js';
import { caRuntime } from '../modules/certificates/ca-runtime.js';
import { certificatePem } from '../modules/certificates/registry.js';
import { issueTestCertificate } from '../modules/revocation/testing.js';
import { testApp, type TestApp, type TestClient } from '../testing/harness.js';
import { staffMember } from '../testing/paid-order.js';
import { testCaEnv } from '../testing/test-ca.js';

const run = promisify(execFile);
const TOOLS = path.resolve(process.cwd(), '../shared/tools');

/** Runs a tool; its output and exit code, never throwing (a refusal is a result here). */
async function tool(file: string, args: string[], env: Record<string, string> = {}): Promise<{ code: number; out: string }> {
  try {
    const r = await run(file, args, { encoding: 'utf8', env: { ...process.env, ...env }, timeout: 60_000 });
    return { code: 0, out: r.stdout + r.stderr };
  } catch (e) {
    const err = e as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof err.code === 'number' ? err.code : 1, out: `${err.stdout ?? ''}${err.stderr ?? ''}` };
  }
}
/** GmSSL: the release or master (master's library path is not relative to itself, so it is given). */
const gmssl = (version: '3.1.1' | 'master', args: string[]) =>
  tool(path.join(TOOLS, `gmssl-${version}/bin/gmssl`), args, { LD_LIBRARY_PATH: path.join(TOOLS, `gmssl-${version}/lib`) });

let t: TestApp;
let relay: Server;
let tmp: TempDir;
let producer: TestClient;
let admin: TestClient;

beforeAll(async () => {
  // GmSSL 3.1.1's -check_crl downloads the CRL from the certificate's DP, so the certificates must name a URL
  // that reaches this server: a CA of its own whose public URL is a relay in front of the app. The relay
  // passes the body and status through, spelling Content-Type and Content-Length as GmSSL's HTTP client
  // looks for them (issue 15 item 4, a separate fix); what is tested here is the CRL.
  let appBase = '';
  relay = createServer((req, res) => {
    void fetch(`${appBase}${req.url}`).then(
      async (r) => {
        const body = Buffer.from(await r.arrayBuffer());
        res.writeHead(r.status, {
          'Content-Type': r.headers.get('content-type') ?? 'application/octet-stream',
          'Content-Length': body.length,
        });
        res.end(body);
      },
      () => res.writeHead(502).end(),
    );
  });
  await new Promise<void>((r) => relay.listen(0, '127.0.0.1', r));
  const relayAddr = relay.address();
  if (!relayAddr || typeof relayAddr === 'string') throw new Error('no relay address');
  const env = {
    ...(await testCaEnv()),
    CERTDESK_CA_DIR: path.join(mkdtempSync(path.join(tmpdir(), 'certdesk-crl-rp-')), 'ca'),
    CERTDESK_PUBLIC_URL: `http://127.0.0.1:${relayAddr.port}`,
  };
  t = await testApp({ env });
  await t.app.listen({ host: '127.0.0.1', port: 0 });
  const addr = t.app.server.address();
  if (!addr || typeof addr === 'string') throw new Error('no address');
  appBase = `http://127.0.0.1:${addr.port}`;
  producer = (await staffMember(t, ['制证'], '周制证')).c;
  admin = (await staffMember(t, ['管理员'], '郑管理')).c;
  tmp = tempDir('certdesk-crl-rp-test-');
}, 180_000);
afterAll(async () => {
  tmp?.remove();
  await t?.close();
  await new Promise((r) => relay?.close(r));
});

async function revoke(certId: string, reason: number): Promise<void> {
  const r = await producer.post('/api/staff/revocations', { certificateId: certId, reason, note: '介质丢失' });
  expect(r.statusCode, r.body).toBe(201);
  const a = await admin.post(`/api/staff/revocations/${r.json().request.id}/approve`, {});
  expect(a.statusCode, a.body).toBe(200);
}

/** The one CRL DP URI a certificate carries, read by openssl. */
async function crlDp(certPem: string): Promise<string> {
  const text = (await openssl(['x509', '-in', certPem, '-noout', '-ext', 'crlDistributionPoints'])).stdout;
  const uris = [...text.matchAll(/URI:(\S+)/g)].map((m) => m[1]!);
  expect(uris).toHaveLength(1);
  return uris[0]!;
}

interface Published {
  good: string;
  revoked: string;
  /** The CRL the revoked certificate names, DER and PEM. */
  crl: string;
  crlPem: string;
  /** The CRL the good certificate names. */
  goodCrl: string;
  goodCrlPem: string;
  issuing: string;
  chain: string;
  issuingDer: Uint8Array;
}

/** A good and a revoked certificate of `family` (issued, revoked through the staff routes) and the CRL their DP names. */
async function published(family: KeyAlgorithm): Promise<Published> {
  const good = await issueTestCertificate(t, family);
  const bad = await issueTestCertificate(t, family);
  await revoke(bad.id, 1);
  const rt = await caRuntime(t.config.ca);
  const i = rt.issuing(family);
  const goodPem = tmp.write(`${family}-good.pem`, certificatePem(good.der!));
  const badPem = tmp.write(`${family}-revoked.pem`, certificatePem(bad.der!));
  // Each CRL fetched from where the certificate says (both name the issuing CA's complete CRL).
  const fetchDp = async (certPem: string, name: string) => {
    const res = await fetch(await crlDp(certPem));
    expect(res.status).toBe(200);
    const der = tmp.write(`${name}.crl`, new Uint8Array(await res.arrayBuffer()));
    const pemFile = tmp.path(`${name}-crl.pem`);
    await openssl(['crl', '-inform', 'DER', '-in', der, '-out', pemFile]);
    return { der, pem: pemFile };
  };
  const crl = await fetchDp(badPem, `${family}-revoked`);
  const goodCrl = await fetchDp(goodPem, `${family}-good`);
  const issuing = tmp.write(`${family}-issuing.pem`, certificatePem(i.certDer));
  const chain = tmp.write(`${family}-chain.pem`, certificatePem(i.certDer) + certificatePem(i.rootDer));
  return {
    good: goodPem,
    revoked: badPem,
    crl: crl.der,
    crlPem: crl.pem,
    goodCrl: goodCrl.der,
    goodCrlPem: goodCrl.pem,
    issuing,
    chain,
    issuingDer: i.certDer,
  };
}

describe('SM2: GmSSL 3.1.1 and master', () => {
  let files: Published;
  beforeAll(async () => {
    files = await published('sm2');
  }, 120_000);

  it('GmSSL 3.1.1 and master crlverify accept its signature and format', async () => {
    for (const v of ['3.1.1', 'master'] as const) {
      const r = await gmssl(v, ['crlverify', '-in', files.crl, '-cacert', files.issuing]);
      expect(r.out, `GmSSL ${v}: ${r.out}`).toMatch(/Verification success/i);
      expect(r.code, `GmSSL ${v}`).toBe(0);
    }
  });

  it('GmSSL master certverify -crl: good for the good certificate, revoked for the revoked one', async () => {
    const good = await gmssl('master', ['certverify', '-client', '-in', files.good, '-cacert', files.chain, '-crl', files.goodCrl]);
    expect(good.out, good.out).toContain('Verification success');
    expect(good.code, good.out).toBe(0);
    // Master names no reason: the revoked certificate fails on the CRL ("Verification failure: crl") and
    // verifies without it, so the CRL's listing is what fails it.
    const bad = await gmssl('master', ['certverify', '-client', '-in', files.revoked, '-cacert', files.chain, '-crl', files.crl]);
    expect(bad.out, bad.out).toContain('Verification failure: crl');
    expect(bad.code, bad.out).not.toBe(0);
    const noCrl = await gmssl('master', ['certverify', '-client', '-in', files.revoked, '-cacert', files.chain]);
    expect(noCrl.out, noCrl.out).toContain('Verification success');
  });

  it('GmSSL 3.1.1 certverify -check_crl (downloads the DP): good for the good certificate, revoked for the revoked one', async () => {
    const good = await gmssl('3.1.1', ['certverify', '-check_crl', '-in', files.good, '-cacert', files.chain]);
    const bad = await gmssl('3.1.1', ['certverify', '-check_crl', '-in', files.revoked, '-cacert', files.chain]);
    expect(good.out, good.out).toContain('Revocation status: Not revoked by CRL');
    expect(good.code, good.out).toBe(0);
    expect(bad.out, bad.out).toContain('certificate has been revoked');
    expect(bad.code, bad.out).not.toBe(0);
  });
});

describe('ECDSA P-256: NSS, GnuTLS, OpenSSL', () => {
  let files: Published;
  beforeAll(async () => {
    files = await published('ecdsa-p256');
  }, 120_000);

  it('NSS crlutil imports it (signature checked against the issuing CA in the NSS database)', async () => {
    const db = `sql:${tmp.path('nssdb')}`;
    expect((await tool('mkdir', ['-p', tmp.path('nssdb')])).code).toBe(0);
    expect((await tool('certutil', ['-N', '-d', db, '--empty-password'])).code).toBe(0);
    const add = await tool('certutil', ['-A', '-d', db, '-n', 'issuing', '-t', 'CT,C,C', '-i', tmp.write('issuing.der', files.issuingDer)]);
    expect(add.code, add.out).toBe(0);
    const r = await tool('crlutil', ['-I', '-d', db, '-i', files.crl, '-t', '1']);
    expect(r.code, r.out).toBe(0);
    const listed = await tool('crlutil', ['-L', '-d', db]);
    expect(listed.out, listed.out).toContain('CRL');
  });

  it('GnuTLS certtool --verify-crl verifies it against the issuing CA', async () => {
    const r = await tool('certtool', ['--verify-crl', '--load-ca-certificate', files.issuing, '--infile', files.crlPem]);
    expect(r.out, r.out).toMatch(/Verified/);
    expect(r.code, r.out).toBe(0);
  });

  it('OpenSSL verify -crl_check: good for the good certificate, revoked for the revoked one', async () => {
    const good = await opensslResult(['verify', '-crl_check', '-CAfile', files.chain, '-CRLfile', files.goodCrlPem, files.good]);
    expect(good.out, good.out).toMatch(/: OK/);
    const bad = await opensslResult(['verify', '-crl_check', '-CAfile', files.chain, '-CRLfile', files.crlPem, files.revoked]);
    expect(bad.out, bad.out).toMatch(/certificate revoked/);
  });
});
