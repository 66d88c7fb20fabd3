/**
 * Issue 19, part 1: the CA's SM2 online keys in an SDF device (SoftSDF, ../shared/tools/softsdf). `npm run
 * ca:init` (its own process, as an operator runs it) creates the CA with the issuing CA, OCSP responder, seal
 * maker and audit signer keys in the device; the signer process (src/signer/main.ts) loads them with the
 * library, the key store's directory and the password, and signs a CRL that GmSSL verifies. A wrong password
 * stops the signer with a clear message that does not contain it.
 */
import type { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseCertificate, pemToDer } from '../ca/cert/parse.js';
import { buildCrl } from '../ca/crl/build.js';
import { spkiPublicKeyBits } from '../ca/spki.js';
import { tempDir } from '../ca/testing/fixtures.js';
import { gmssl, runTool, SHARED_TOOLS } from '../ca/testing/oracles.js';
import { remoteHierarchy } from '../server/modules/certificates/signer-client.js';
import { remoteKmc } from '../server/modules/kmc/kmc-access.js';
import { findInLines } from '../server/testing/find-secret.js';
import { sm2PublicPoint } from '../ca/kmc/envelope.js';
import { gmsslOpenEnvelope } from '../ca/testing/envelope-oracle.js';
import { runScript, startSigner } from './testing.js';

const SOFTSDF = path.join(SHARED_TOOLS, 'softsdf');
const PASSWORD = 'Dev1ce-Pass-19';

let tmp: Awaited<ReturnType<typeof tempDir>>;
let store: string;
let caDir: string;
let env: Record<string, string>;
const children: ChildProcess[] = [];

const runNode = (script: string, extra: Record<string, string>) => runScript(script, { ...env, ...extra }, children);

beforeAll(async () => {
  tmp = await tempDir('certdesk-signer-sdf-');
  store = path.join(tmp.dir, 'hsm');
  caDir = path.join(tmp.dir, 'ca');
  await mkdir(store);
  for (const i of [1, 2, 3, 4]) {
    const r = await runTool(path.join(SOFTSDF, 'bin', 'softsdfinit'), ['-kek', String(i), '-key', String(i), '-pass', PASSWORD], {
      cwd: store,
    });
    expect(r.code, r.out).toBe(0);
  }
  env = {
    CERTDESK_CA_DIR: caDir,
    CERTDESK_CA_KEK: randomBytes(32).toString('base64'),
    CERTDESK_PUBLIC_URL: 'http://ca.example.cn',
    CERTDESK_CA_FAMILIES: 'sm2',
    CERTDESK_SDF_LIBRARY: path.join(SOFTSDF, 'lib', 'libsoftsdf.so'),
    CERTDESK_SDF_DIR: store,
    CERTDESK_SDF_PASSWORD: PASSWORD,
  };
  const init = await runNode('src/ca/cli/init.ts', { CERTDESK_CA_SDF_KEYS: 'issuing=1,ocsp=2,seal=3,audit=4' });
  expect(init.code, init.out).toBe(0);
  expect(init.out).toContain('(SDF key index 1)');
}, 120_000);

afterAll(async () => {
  for (const c of children) if (c.exitCode === null) c.kill('SIGTERM');
  await tmp?.cleanup();
});

describe('ca:init with the SM2 keys in an SDF device', () => {
  it('writes references, not keys, for the device keys; the certificates carry the device’s public keys; GmSSL verifies the chain', async () => {
    const sm2 = path.join(caDir, 'sm2');
    for (const [role, index] of [
      ['issuing', 1],
      ['ocsp', 2],
      ['seal', 3],
      ['audit', 4],
    ] as const) {
      const ref = await readFile(path.join(sm2, `${role}.key`), 'utf8');
      expect(ref).toBe(`CERTDESK-SDF-KEY v1\nalgorithm: sm2\nkey-index: ${index}\n`);
      const cert = parseCertificate(pemToDer(await readFile(path.join(sm2, `${role}.pem`), 'latin1')));
      const devicePub = spkiPublicKeyBits(pemToDer(await readFile(path.join(store, `sm2signpub-${index}.pem`), 'latin1'), 'PUBLIC KEY'));
      expect(Buffer.from(spkiPublicKeyBits(cert.spki)).equals(Buffer.from(devicePub))).toBe(true);
    }
    // The root stays a key file (offline), encrypted under the KEK.
    expect(await readFile(path.join(sm2, 'root.key'), 'utf8')).toMatch(/^CERTDESK-ENCRYPTED-KEY v1/);
    // The issuing CA's key (in the device) signed the OCSP responder's certificate: GmSSL checks it.
    const cas = await tmp.file(
      'cas.pem',
      (await readFile(path.join(sm2, 'issuing.pem'), 'latin1')) + (await readFile(path.join(sm2, 'root.pem'), 'latin1')),
    );
    const issuingOnly = await tmp.file('issuing-only.pem', await readFile(path.join(sm2, 'issuing.pem')));
    const r = await gmssl('3.1.1', ['certverify', '-in', path.join(sm2, 'seal.pem'), '-cacert', issuingOnly]);
    expect(r.code, r.out).toBe(0);
    expect(r.out).toContain('Verification success');
    const chain = await gmssl('3.1.1', ['certverify', '-in', path.join(sm2, 'issuing.pem'), '-cacert', cas]);
    expect(chain.code, chain.out).toBe(0);
  });
});

describe('the signer process with the device keys', () => {
  it('a wrong password stops it with the device’s refusal, never the password', async () => {
    const bad = await runNode('src/signer/main.ts', {
      CERTDESK_DATA_DIR: path.join(tmp.dir, 'data-bad'),
      CERTDESK_SIGNER_LISTEN: `unix:${path.join(tmp.dir, 'bad.sock')}`,
      CERTDESK_SDF_PASSWORD: 'Not-The-Pass-77',
    });
    expect(bad.code, bad.out).toBe(2);
    expect(bad.out).toMatch(/SDF device refused: SDF_GetPrivateKeyAccessRight failed: SDR_/);
    expect(bad.out).not.toContain('Not-The-Pass-77');
    expect(bad.out).not.toContain(PASSWORD);
    // Without the device settings it says what is missing.
    const none = await runNode('src/signer/main.ts', {
      CERTDESK_DATA_DIR: path.join(tmp.dir, 'data-none'),
      CERTDESK_SIGNER_LISTEN: `unix:${path.join(tmp.dir, 'none.sock')}`,
      CERTDESK_SDF_LIBRARY: '',
      CERTDESK_SDF_DIR: '',
      CERTDESK_SDF_PASSWORD: '',
    });
    expect(none.code).not.toBe(0);
    expect(none.out).toContain('CERTDESK_SDF_LIBRARY');
  }, 120_000);

  it('loads the CA from the device and signs a CRL with the device’s issuing key that GmSSL verifies', async () => {
    const {
      conn,
      view,
      child,
      out: output,
    } = await startSigner(
      path.join(tmp.dir, 'signer.sock'),
      { ...env, CERTDESK_DATA_DIR: path.join(tmp.dir, 'data'), CERTDESK_KMC_KEK_INDEX: '1' },
      children,
    );
    try {
      const h = remoteHierarchy(conn, view!, caDir);
      const issuing = h.families.sm2!.issuing;
      const now = new Date(Math.floor(Date.now() / 1000) * 1000);
      const crl = await buildCrl({
        issuerNameDer: issuing.nameDer,
        authorityKeyId: issuing.keyId,
        signer: issuing.signer,
        thisUpdate: now,
        nextUpdate: new Date(now.getTime() + 86400_000),
        crlNumber: 7n,
        entries: [{ serial: Buffer.from('19191919', 'hex'), revokedAt: now }],
      });
      const crlFile = await tmp.file('device.crl', crl);
      const issuingPem = await tmp.file('issuing-for-crl.pem', await readFile(path.join(caDir, 'sm2', 'issuing.pem')));
      for (const v of ['3.1.1', 'master'] as const) {
        const r = await gmssl(v, ['crlverify', '-in', crlFile, '-cacert', issuingPem]);
        expect(r.code, r.out).toBe(0);
        expect(r.out).toMatch(/Verification success/i);
      }
      // The signer's own record of the signature; the password is in no line it wrote.
      expect(output()).toMatch(/"signature":true,"key":"sm2\/issuing"/);
      expect(output()).not.toContain(PASSWORD);

      // The KMC (docs/kmc.md) in the same process and device, asked as a web instance asks: the envelope GmSSL
      // opens with the UKEY's key holds the private key of the answered public key; that key is in no log line.
      const ukeyPem = path.join(tmp.dir, 'ukey.pem');
      const ukeyPub = path.join(tmp.dir, 'ukey-pub.pem');
      expect((await gmssl('master', ['sm2keygen', '-pass', 'Ukey-1', '-out', ukeyPem, '-pubout', ukeyPub])).code).toBe(0);
      const recipient = spkiPublicKeyBits(pemToDer(await readFile(ukeyPub, 'latin1'), 'PUBLIC KEY'));
      const pair = await remoteKmc(conn).generate(recipient);
      const opened = await gmsslOpenEnvelope(pair.envelope, ukeyPem, 'Ukey-1', tmp.dir, 'signer');
      expect(sm2PublicPoint(opened.d).equals(Buffer.from(pair.publicKey))).toBe(true);
      expect(pair.escrow.kekIndex).toBe(1);
      await new Promise((r) => setTimeout(r, 200));
      expect(output()).toMatch(/"kmc":true,"operation":"generate"/);
      expect(findInLines([output()], opened.d)).toEqual([]);
      // Re-envelope (key recovery) through the signer: without a registry connection it is checked for shape only,
      // and the device refuses an escrow that does not open to its public key.
      const again = await remoteKmc(conn).envelope(pair.escrow, recipient);
      expect((await gmsslOpenEnvelope(again, ukeyPem, 'Ukey-1', tmp.dir, 'signer-again')).d.equals(opened.d)).toBe(true);
      const altered = Buffer.from(pair.escrow.encryptedPrivateKey);
      altered[3]! ^= 0x40;
      await expect(remoteKmc(conn).envelope({ ...pair.escrow, encryptedPrivateKey: altered }, recipient)).rejects.toMatchObject({
        code: 'SIGNER_REFUSED',
      });
      // A bad request is refused, not answered with a key.
      const bad = await conn.request('POST', '/v1/kmc/key-pairs', Buffer.from('{"recipient":"AAAA"}'), undefined, 'application/json');
      expect(bad.status).toBe(400);
    } finally {
      conn.close();
      child.kill('SIGTERM');
    }
  }, 120_000);
});
