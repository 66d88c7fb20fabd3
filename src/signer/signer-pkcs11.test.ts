/**
 * Issue 17: the CA's ECDSA P-256 online keys in a PKCS#11 HSM (SoftHSM2, Debian's softhsm2). `npm run
 * ca:init` (its own process, as an operator runs it) generates the issuing CA's and the OCSP responder's keys
 * in the token and writes references; the signer process (src/signer/main.ts) loads them through
 * Pkcs11Token with the module, the token label and the PIN file, and signs a certificate, a CRL and an OCSP
 * answer that OpenSSL and GnuTLS verify; the web app's 制证 and OCSP go through it (on PostgreSQL the signer
 * checks the registry). A wrong PIN: a clear error that does not contain it, nothing written.
 */
import { execFileSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { cp, mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signCertificate } from '../ca/cert/build.js';
import { parseCertificate, pemToDer } from '../ca/cert/parse.js';
import { newSerial } from '../ca/cert/serial.js';
import { buildCrl } from '../ca/crl/build.js';
import { algorithmIdentifier, octetString, sequence, unsignedInteger } from '../ca/der/der.js';
import { loadCaHierarchy } from '../ca/hierarchy/hierarchy.js';
import { buildOcspResponse } from '../ca/ocsp/response.js';
import { pkcs11KeyStoreFromEnv } from '../ca/signer/pkcs11-keys.js';
import { spkiPublicKeyBits } from '../ca/spki.js';
import { openssl, tempDir } from '../ca/testing/fixtures.js';
import { runTool } from '../ca/testing/oracles.js';
import { usccCheckChar } from '../core/uscc.js';
import { buildOrderTbs, prepareKey } from '../server/modules/certificates/issue.js';
import { remoteHierarchy } from '../server/modules/certificates/signer-client.js';
import { certificates, projects } from '../server/db/schema.js';
import { quickOrder, staffMember } from '../server/testing/paid-order.js';
import { testApp } from '../server/testing/harness.js';
import { runScript, startSigner as startSignerOn } from './testing.js';
import { eq } from 'drizzle-orm';
import { createHash } from 'node:crypto';

const LIBRARY = process.env.CERTDESK_TEST_PKCS11_LIB || '/usr/lib/softhsm/libsofthsm2.so';
const PIN = '73915-Hsm-Pin';
const WRONG_PIN = '00000-Not-It';
const TOKEN = 'certdesk-ca';

let tmp: Awaited<ReturnType<typeof tempDir>>;
let caDir: string;
let env: Record<string, string>;
let initOut = '';
const children: ChildProcess[] = [];

const runNode = (script: string, extra: Record<string, string>) => runScript(script, { ...env, ...extra }, children);

/** The signer process on a socket, ready (its /v1/health answers through the hierarchy call), and its output so far. */
const startSigner = (name: string, extra: Record<string, string> = {}) =>
  startSignerOn(path.join(tmp.dir, `${name}.sock`), { ...env, CERTDESK_DATA_DIR: path.join(tmp.dir, `data-${name}`), ...extra }, children);

async function filesUnder(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const e of await readdir(dir, { withFileTypes: true }))
    if (e.isDirectory()) out.push(...(await filesUnder(path.join(dir, e.name))));
    else out.push(path.join(dir, e.name));
  return out;
}

beforeAll(async () => {
  if (!existsSync(LIBRARY))
    throw new Error(
      `SoftHSM2 is not installed (${LIBRARY} missing): apt-get install softhsm2 — the HSM-backed CA cannot be tested without it`,
    );
  tmp = await tempDir('certdesk-signer-p11-');
  await mkdir(path.join(tmp.dir, 'tokens'));
  const conf = await tmp.file(
    'softhsm2.conf',
    `directories.tokendir = ${path.join(tmp.dir, 'tokens')}\nobjectstore.backend = file\nlog.level = ERROR\n`,
  );
  // The in-process checks below open the same token.
  process.env.SOFTHSM2_CONF = conf;
  execFileSync('softhsm2-util', ['--init-token', '--free', '--label', TOKEN, '--pin', PIN, '--so-pin', '86420-So-Pin'], {
    env: { ...process.env, SOFTHSM2_CONF: conf },
  });
  caDir = path.join(tmp.dir, 'ca');
  env = {
    SOFTHSM2_CONF: conf,
    CERTDESK_CA_DIR: caDir,
    CERTDESK_CA_KEK: randomBytes(32).toString('base64'),
    CERTDESK_PUBLIC_URL: 'http://ca.example.cn',
    // SM2 stays in key files (an SDF device is its HSM); the ECDSA family's online keys go to the token.
    CERTDESK_CA_FAMILIES: 'sm2,ecdsa-p256',
    CERTDESK_PKCS11_MODULE: LIBRARY,
    CERTDESK_PKCS11_TOKEN_LABEL: TOKEN,
    CERTDESK_PKCS11_PIN_FILE: await tmp.file('pin', `${PIN}\n`),
  };
  const init = await runNode('src/ca/cli/init.ts', { CERTDESK_CA_PKCS11_KEYS: 'issuing,ocsp' });
  expect(init.code, init.out).toBe(0);
  initOut = init.out;
}, 120_000);

afterAll(async () => {
  for (const c of children) if (c.exitCode === null) c.kill('SIGTERM');
  await tmp?.cleanup();
});

const REFERENCE = (role: string) =>
  new RegExp(`^CERTDESK-PKCS11-KEY v1\\nalgorithm: ecdsa-p256\\nlabel: (certdesk-ecdsa-p256-${role}-[0-9a-f]{8})\\n$`);

describe('ca:init with the ECDSA issuing CA and OCSP keys in a PKCS#11 token', () => {
  it('generates them non-extractable in the token, writes references (no key bytes), and the certificates carry the token’s keys', async () => {
    const fdir = path.join(caDir, 'ecdsa-p256');
    const store = pkcs11KeyStoreFromEnv(env)!;
    try {
      for (const role of ['issuing', 'ocsp']) {
        const ref = REFERENCE(role).exec(await readFile(path.join(fdir, `${role}.key`), 'utf8'));
        expect(ref, role).not.toBeNull();
        const label = ref![1]!;
        expect(initOut).toContain(`(PKCS#11 key ${label})`);
        expect(store.privateKeyFlags(label)).toEqual({ extractable: false, sensitive: true });
        const cert = parseCertificate(pemToDer(await readFile(path.join(fdir, `${role}.pem`), 'latin1')));
        expect(Buffer.from(cert.spki).equals(Buffer.from(store.signer(label, 'ecdsa-p256').publicKeySpki))).toBe(true);
      }
    } finally {
      store.close();
    }
    // No private key in the clear anywhere; in the ECDSA family the only key file is the (offline) root key,
    // encrypted under the KEK.
    for (const file of await filesUnder(caDir)) expect(await readFile(file, 'latin1'), file).not.toMatch(/PRIVATE KEY/);
    for (const file of await filesUnder(fdir)) {
      const text = await readFile(file, 'latin1');
      if (path.basename(file) === 'root.key') expect(text).toMatch(/^CERTDESK-ENCRYPTED-KEY v1/);
      else expect(text, file).not.toMatch(/ENCRYPTED-KEY/);
    }
    // The token's issuing key signed the OCSP responder's certificate: OpenSSL checks the chain.
    const r = await openssl([
      'verify',
      '-CAfile',
      path.join(fdir, 'root.pem'),
      '-untrusted',
      path.join(fdir, 'issuing.pem'),
      path.join(fdir, 'ocsp.pem'),
    ]);
    expect(r.code, r.out).toBe(0);
    expect(r.out).toContain('OK');
  });

  it('a reference whose token key is not the certificate’s is refused at load, and one without the token says what to set', async () => {
    const copy = path.join(tmp.dir, 'ca-swapped');
    await cp(caDir, copy, { recursive: true });
    const f = path.join(copy, 'ecdsa-p256');
    await writeFile(path.join(f, 'issuing.key'), await readFile(path.join(f, 'ocsp.key')));
    const kek = Buffer.from(env.CERTDESK_CA_KEK!, 'base64');
    const store = pkcs11KeyStoreFromEnv(env)!;
    try {
      await expect(loadCaHierarchy({ dir: copy, kek, pkcs11: store })).rejects.toThrow(
        /issuing\.key: PKCS#11 token key certdesk-ecdsa-p256-ocsp-[0-9a-f]{8} does not match its certificate/,
      );
      await expect(loadCaHierarchy({ dir: caDir, kek })).rejects.toThrow(/CERTDESK_PKCS11_MODULE/);
      const h = await loadCaHierarchy({ dir: caDir, kek, pkcs11: store });
      expect(h.families['ecdsa-p256']!.issuing.signer.algorithm).toBe('ecdsa-p256');
    } finally {
      store.close();
    }
  });

  it('a wrong PIN: ca:init says the login failed, never the PIN, and writes nothing; the signer stops likewise (exit 2)', async () => {
    const badPin = await tmp.file('bad-pin', `${WRONG_PIN}\n`);
    const dir = path.join(tmp.dir, 'ca-bad');
    const init = await runNode('src/ca/cli/init.ts', {
      CERTDESK_CA_DIR: dir,
      CERTDESK_CA_PKCS11_KEYS: 'issuing,ocsp',
      CERTDESK_PKCS11_PIN_FILE: badPin,
    });
    expect(init.code, init.out).toBe(1);
    expect(init.out).toContain(`ca:init: the PKCS#11 token refused: login to token ${TOKEN} failed`);
    expect(init.out).not.toContain(WRONG_PIN);
    expect(init.out).not.toContain(PIN);
    expect(existsSync(dir)).toBe(false);

    const signer = await runNode('src/signer/main.ts', {
      CERTDESK_DATA_DIR: path.join(tmp.dir, 'data-bad'),
      CERTDESK_SIGNER_LISTEN: `unix:${path.join(tmp.dir, 'bad.sock')}`,
      CERTDESK_PKCS11_PIN_FILE: badPin,
    });
    expect(signer.code, signer.out).toBe(2);
    expect(signer.out).toContain(`CertDesk signer: the PKCS#11 token refused: login to token ${TOKEN} failed`);
    expect(signer.out).not.toContain(WRONG_PIN);
    expect(signer.out).not.toContain(PIN);
  }, 120_000);
});

describe('the signer process with the token keys', () => {
  it('signs a certificate, a CRL and an OCSP answer through the service with the token’s keys; OpenSSL and GnuTLS verify them', async () => {
    const { conn, view, child, out: output } = await startSigner('signer');
    try {
      const f = remoteHierarchy(conn, view, caDir).families['ecdsa-p256']!;
      const fdir = path.join(caDir, 'ecdsa-p256');
      const now = new Date(Math.floor(Date.now() / 1000) * 1000);

      // A subscriber certificate (the signer lints it against the profile; no registry in this test).
      const key = await prepareKey('ecdsa-p256', { kind: 'generate', password: 'x' });
      const { tbs } = buildOrderTbs({
        issuing: { ...f.issuing, family: 'ecdsa-p256', rootDer: f.root.certDer },
        serial: newSerial(),
        unitName: '南昌某某科技有限公司',
        uscc: `91360100MA35HPM17${usccCheckChar('91360100MA35HPM17')}`,
        spki: key.spki,
        at: now,
        baseUrl: 'http://ca.example.cn',
        policyOid: '2.5.29.32.0',
      });
      const leafDer = await signCertificate(tbs, f.issuing.signer);
      const leaf = parseCertificate(leafDer);
      const leafPem = await tmp.file(
        'leaf.pem',
        `-----BEGIN CERTIFICATE-----\n${Buffer.from(leafDer).toString('base64')}\n-----END CERTIFICATE-----\n`,
      );
      const rootPem = path.join(fdir, 'root.pem');
      const issuingPem = path.join(fdir, 'issuing.pem');
      const chain = await tmp.file('chain.pem', (await readFile(issuingPem, 'latin1')) + (await readFile(rootPem, 'latin1')));
      const v = await openssl(['verify', '-CAfile', rootPem, '-untrusted', issuingPem, leafPem]);
      expect(v.code, v.out).toBe(0);
      const gv = await runTool('certtool', [
        '--verify',
        '--load-ca-certificate',
        rootPem,
        '--infile',
        await tmp.file('leaf-chain.pem', (await readFile(leafPem, 'latin1')) + (await readFile(issuingPem, 'latin1'))),
      ]);
      expect(gv.code, gv.out).toBe(0);
      expect(gv.out).toMatch(/Chain verification output: Verified/);

      // A CRL revoking it, signed by the token's issuing key.
      const crl = await buildCrl({
        issuerNameDer: f.issuing.nameDer,
        authorityKeyId: f.issuing.keyId,
        signer: f.issuing.signer,
        thisUpdate: now,
        nextUpdate: new Date(now.getTime() + 86400_000),
        crlNumber: 17n,
        entries: [
          { serial: Buffer.from(leaf.serialHex.padStart(leaf.serialHex.length + (leaf.serialHex.length % 2), '0'), 'hex'), revokedAt: now },
        ],
      });
      const crlFile = await tmp.file('token.crl', crl);
      const c = await openssl(['crl', '-inform', 'DER', '-in', crlFile, '-CAfile', issuingPem, '-noout', '-text']);
      expect(c.code, c.out).toBe(0);
      expect(c.out).toContain('verify OK');
      expect(c.out.toUpperCase()).toContain(leaf.serialHex.toUpperCase());
      // certtool's --inder would apply to the CA certificate too: the CRL as PEM.
      const crlPem = await tmp.file(
        'token-crl.pem',
        `-----BEGIN X509 CRL-----\n${Buffer.from(crl).toString('base64')}\n-----END X509 CRL-----\n`,
      );
      const gc = await runTool('certtool', ['--crl-info', '--infile', crlPem, '--load-ca-certificate', issuingPem, '--verify-crl']);
      expect(gc.code, gc.out).toBe(0);
      expect(gc.out).toMatch(/Verification output: Verified/);

      // An OCSP answer (revoked), signed by the token's OCSP responder key.
      const sha1 = (b: Uint8Array) => createHash('sha1').update(b).digest();
      const certIdDer = sequence(
        algorithmIdentifier('1.3.14.3.2.26', Uint8Array.of(5, 0)),
        octetString(sha1(f.issuing.nameDer)),
        octetString(sha1(spkiPublicKeyBits(parseCertificate(f.issuing.certDer).spki))),
        unsignedInteger(Buffer.from(leaf.serialHex.length % 2 ? `0${leaf.serialHex}` : leaf.serialHex, 'hex')),
      );
      const answer = await buildOcspResponse({
        responderCertDer: f.ocsp.certDer,
        responderNameDer: f.ocsp.nameDer,
        signer: f.ocsp.signer,
        producedAt: now,
        responses: [
          {
            certId: { der: certIdDer },
            status: 'revoked',
            revokedAt: now,
            thisUpdate: now,
            nextUpdate: new Date(now.getTime() + 3600_000),
          },
        ],
      });
      const respFile = await tmp.file('token.ocsp', answer);
      const o = await openssl(['ocsp', '-respin', respFile, '-CAfile', chain, '-issuer', issuingPem, '-cert', leafPem]);
      expect(o.code, o.out).toBe(0);
      expect(o.out).toContain('Response verify OK');
      expect(o.out).toContain(`${leafPem}: revoked`);
      // GnuTLS checks the delegated responder against the anchors it is given: the issuing CA with its root.
      const go = await runTool('ocsptool', ['--verify-response', '--inder', '--infile', respFile, '--load-trust', chain]);
      expect(go.code, go.out).toBe(0);
      expect(go.out).toMatch(/Verifying OCSP Response: Success/);

      // The signer's own record of each signature, by the token-held keys; the PIN is in no line it wrote.
      const out = output();
      expect(out).toMatch(/"signature":true,"key":"ecdsa-p256\/issuing"/);
      expect(out).toMatch(/"signature":true,"key":"ecdsa-p256\/ocsp"/);
      expect(out).not.toContain(PIN);
    } finally {
      conn.close();
      child.kill('SIGTERM');
    }
  }, 180_000);
});

describe('制证 through the signer, whose ECDSA keys are in the token', () => {
  it('an ECDSA certificate issued by the web app through the signer (registry-checked on PostgreSQL) verifies, and the app’s OCSP answer for it, signed in the token, says good', async () => {
    const s = await startSigner('web', process.env.DATABASE_URL ? { CERTDESK_SIGNER_DATABASE_URL: process.env.DATABASE_URL } : {});
    const t = await testApp({
      env: {
        CERTDESK_DATA_DIR: path.join(tmp.dir, 'web'),
        CERTDESK_CA_DIR: path.join(tmp.dir, 'web', 'no-ca-here'),
        CERTDESK_CA_FAMILIES: 'sm2,ecdsa-p256',
        CERTDESK_PUBLIC_URL: 'http://ca.example.cn',
        CERTDESK_SIGNER_URL: `unix:${s.socket}`,
      },
    });
    // The project is made ECDSA for this test only: the database is shared with the other files of this
    // worker (isolate: false), which expect the catalog's SM2 — left changed, signer.test issued ECDSA.
    const [project] = await t.db.select().from(projects).where(eq(projects.code, 'gov-procurement'));
    try {
      await t.db.update(projects).set({ certFamily: 'ecdsa' }).where(eq(projects.code, 'gov-procurement'));
      const producer = (await staffMember(t, ['制证'], '令牌制证')).c;
      const o = await quickOrder(t, 'in_production');
      const res = await producer.post(`/api/staff/orders/${o.orderId}/produce`, { key: { kind: 'generate', password: 'Zhengshu2026!' } });
      expect(res.statusCode, res.body).toBe(200);
      const [row] = await t.db.select().from(certificates).where(eq(certificates.orderId, o.orderId));
      expect(row).toMatchObject({ status: 'issued', family: 'ecdsa-p256' });
      const fdir = path.join(caDir, 'ecdsa-p256');
      const leafPem = await tmp.file(
        'web-leaf.pem',
        `-----BEGIN CERTIFICATE-----\n${Buffer.from(row!.der!).toString('base64')}\n-----END CERTIFICATE-----\n`,
      );
      const issuingPem = path.join(fdir, 'issuing.pem');
      const chain = await tmp.file(
        'web-chain.pem',
        (await readFile(issuingPem, 'latin1')) + (await readFile(path.join(fdir, 'root.pem'), 'latin1')),
      );
      const v = await openssl(['verify', '-CAfile', path.join(fdir, 'root.pem'), '-untrusted', issuingPem, leafPem]);
      expect(v.code, v.out).toBe(0);
      const line = s
        .out()
        .split('\n')
        .filter((l) => l.includes('"msg":"signed"'))
        .map((l) => JSON.parse(l) as Record<string, unknown>)
        .find((l) => l.kind === 'certificate' && l.serial === row!.serial);
      expect(line).toMatchObject({ key: 'ecdsa-p256/issuing', registry: Boolean(process.env.DATABASE_URL) });

      const reqFile = path.join(tmp.dir, 'web-req.der');
      const q = await openssl(['ocsp', '-issuer', issuingPem, '-cert', leafPem, '-no_nonce', '-reqout', reqFile]);
      expect(q.code, q.out).toBe(0);
      const answer = await t.app.inject({
        method: 'POST',
        url: '/ocsp',
        headers: { 'content-type': 'application/ocsp-request' },
        payload: await readFile(reqFile),
      });
      expect(answer.statusCode).toBe(200);
      const respFile = await tmp.file('web-resp.der', answer.rawPayload);
      const r = await openssl(['ocsp', '-respin', respFile, '-reqin', reqFile, '-CAfile', chain, '-issuer', issuingPem, '-cert', leafPem]);
      expect(r.code, r.out).toBe(0);
      expect(r.out).toContain('Response verify OK');
      expect(r.out).toContain(`${leafPem}: good`);
    } finally {
      await t.db.update(projects).set({ certFamily: project!.certFamily }).where(eq(projects.code, 'gov-procurement'));
      await t.close();
      s.conn.close();
      s.child.kill('SIGTERM');
    }
  }, 180_000);
});
