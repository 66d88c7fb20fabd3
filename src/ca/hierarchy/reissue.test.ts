/**
 * Issuing CAs assert the CA's policy (issue 15 item 2), and a hierarchy made before they did is fixed by
 * `npm run ca:reissue-issuing` (run here as the real command): OpenSSL with explicit policy checking and
 * NSS's vfychain with a policy refuse a subscriber under an issuing CA without certificatePolicies and accept
 * it under the re-issued one; GmSSL 3.1.1 verifies the SM2 chain through the re-issued certificate.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { keyIdentifier } from '../cert/build.js';
import { issueCertificate } from '../cert/issue.js';
import { certificatePem, parseCertificate, pemToDer } from '../cert/parse.js';
import { issuingCaProfile, SUBSCRIBER_EKU, subscriberProfile } from '../cert/profiles.js';
import { newSerial } from '../cert/serial.js';
import { decryptKeyFile } from '../signer/key-file.js';
import type { KeyAlgorithm } from '../signer/port.js';
import { generateSigningKey, softwareSigner } from '../signer/software.js';
import { gmssl, runTool } from '../testing/oracles.js';
import { opensslResult, tempDir } from '../testing/openssl.js';
import { initCaHierarchy, issuingCaExtensions, loadCaHierarchy } from './hierarchy.js';
import { caPublicUrls } from '../public-urls.js';

const POLICY = '1.2.156.112599.1.1.1';
const BASE = 'http://ca.example.cn';
const tmp = tempDir('certdesk-reissue-');
afterAll(() => tmp.remove());
const kekB64 = randomBytes(32).toString('base64');
const kek = new Uint8Array(Buffer.from(kekB64, 'base64'));
const now = new Date(Math.floor(Date.now() / 1000) * 1000 - 60_000);
const dir = tmp.path('ca');

/** A hierarchy as ca:init made it before issue 15: the issuing CA certificate without certificatePolicies. */
const ready = (async () => {
  const h = await initCaHierarchy({ dir, kek, families: ['sm2', 'ecdsa-p256'], baseUrl: BASE, policyOid: POLICY, now });
  for (const family of ['sm2', 'ecdsa-p256'] as const) {
    const f = h.families[family]!;
    const root = softwareSigner(decryptKeyFile(readFileSync(path.join(dir, family, 'root.key'), 'utf8'), kek));
    const issuing = parseCertificate(f.issuing.certDer);
    const { policyOids: _none, ...withoutPolicy } = issuingCaExtensions({
      issuingKeyId: f.issuing.keyId,
      rootKeyId: f.root.keyId,
      urls: caPublicUrls(BASE, family),
      policyOid: POLICY,
    });
    const { certDer } = await issueCertificate({
      profile: issuingCaProfile(family),
      signer: root,
      input: {
        serial: newSerial(),
        issuer: f.root.nameDer,
        subject: issuing.subject,
        notBefore: issuing.notBefore,
        notAfter: issuing.notAfter,
        spki: issuing.spki,
        signatureAlgorithm: root.signatureAlgorithm,
        extensions: withoutPolicy,
      },
    });
    writeFileSync(path.join(dir, family, 'issuing.pem'), certificatePem(certDer));
  }
  return loadCaHierarchy({ dir, kek });
})();

async function subscriber(family: KeyAlgorithm): Promise<string> {
  const f = (await ready).families[family]!;
  const key = await generateSigningKey(family);
  const { certDer } = await issueCertificate({
    profile: subscriberProfile(family, { policyOids: [POLICY] }),
    signer: f.issuing.signer,
    input: {
      serial: newSerial(),
      issuer: f.issuing.nameDer,
      subject: { C: 'CN', O: '南昌市某某科技有限公司', CN: '南昌市某某科技有限公司', uscc: '91360100MA35ABCD1X' },
      notBefore: now,
      notAfter: new Date(now.getTime() + 365 * 86_400_000),
      spki: key.publicKeySpki,
      signatureAlgorithm: f.issuing.signer.signatureAlgorithm,
      extensions: {
        keyUsage: ['digitalSignature', 'nonRepudiation'],
        extKeyUsage: SUBSCRIBER_EKU,
        uscc: '91360100MA35ABCD1X',
        subjectKeyId: keyIdentifier(key.publicKeySpki),
        authorityKeyId: f.issuing.keyId,
        crlDistributionPoint: `${BASE}/crl/${family}/0.crl`,
        ocspUrl: `${BASE}/ocsp`,
        caIssuersUrl: `${BASE}/ca/${family}.cer`,
        policyOids: [POLICY],
      },
    },
  });
  return tmp.write(`${family}-leaf-${randomBytes(3).toString('hex')}.pem`, certificatePem(certDer));
}

const opensslPolicy = (leaf: string, issuing: string, root: string) =>
  opensslResult(['verify', '-policy_check', '-explicit_policy', '-policy', POLICY, '-CAfile', root, '-untrusted', issuing, leaf]);

/** NSS: CERT_PKIXVerifyCert (-pp) for the policy, SSL client usage (0: the subscriber EKU), the root trusted explicitly. */
async function nssPolicy(leaf: string, issuing: string, root: string) {
  const db = tmp.path(`nssdb-${randomBytes(3).toString('hex')}`);
  await runTool('mkdir', ['-p', db]);
  const init = await runTool('certutil', ['-N', '-d', `sql:${db}`, '--empty-password']);
  expect(init.code, init.out).toBe(0);
  return runTool('vfychain', ['-d', `sql:${db}`, '-pp', '-o', `OID.${POLICY}`, '-u', '0', '-a', leaf, '-a', issuing, '-t', '-a', root]);
}

const reissue = (family: KeyAlgorithm, policy = POLICY) =>
  runTool('npx', ['tsx', 'src/ca/cli/reissue-issuing.ts', '--family', family], {
    env: { CERTDESK_CA_DIR: dir, CERTDESK_CA_KEK: kekB64, CERTDESK_CA_POLICY_OID: policy },
    timeoutMs: 120_000,
  });

describe('ca:reissue-issuing: the issuing CA asserts the CA policy, same key', () => {
  it('ECDSA: OpenSSL (explicit policy) and NSS (vfychain -pp -o) refuse the old issuing CA and accept the re-issued one', async () => {
    const h = await ready;
    const root = path.join(dir, 'ecdsa-p256', 'root.pem');
    const issuingFile = path.join(dir, 'ecdsa-p256', 'issuing.pem');
    const oldSerial = parseCertificate(h.families['ecdsa-p256']!.issuing.certDer).serialHex;
    const leaf = await subscriber('ecdsa-p256'); // signed before the re-issue: it must keep working after it
    const before = await opensslPolicy(leaf, issuingFile, root);
    expect(before.out).toMatch(/no explicit policy/);
    const nssBefore = await nssPolicy(leaf, issuingFile, root);
    expect(nssBefore.code).not.toBe(0);
    expect(nssBefore.out).toMatch(/SEC_ERROR_POLICY_VALIDATION_FAILED|-8032/);

    const r = await reissue('ecdsa-p256');
    expect(r.code, r.out).toBe(0);
    expect(r.out).toContain(`policy ${POLICY}`);

    const after = await opensslPolicy(leaf, issuingFile, root);
    expect(after.out, after.out).toContain(`${leaf}: OK`);
    const nssAfter = await nssPolicy(leaf, issuingFile, root);
    expect(nssAfter.code, nssAfter.out).toBe(0);
    expect(nssAfter.out).toContain('Chain is good!');
    // Same subject, key and SKI; the old certificate is kept; the server's loader takes the new one with the old key.
    const oldDer = pemToDer(readFileSync(path.join(dir, 'ecdsa-p256', `issuing-${oldSerial}.pem`), 'latin1'));
    const reloaded = await loadCaHierarchy({ dir, kek });
    const n = parseCertificate(reloaded.families['ecdsa-p256']!.issuing.certDer);
    const o = parseCertificate(oldDer);
    expect(Buffer.from(n.subject).equals(Buffer.from(o.subject))).toBe(true);
    expect(Buffer.from(n.spki).equals(Buffer.from(o.spki))).toBe(true);
    expect(n.notAfter.getTime()).toBe(o.notAfter.getTime());
    expect(n.serialHex).not.toBe(o.serialHex);
    expect(Buffer.from(reloaded.families['ecdsa-p256']!.issuing.keyId).equals(Buffer.from(h.families['ecdsa-p256']!.issuing.keyId))).toBe(
      true,
    );
    // A certificate signed after the re-issue verifies too.
    const later = await subscriber('ecdsa-p256');
    expect((await opensslPolicy(later, issuingFile, root)).out).toContain(': OK');
  }, 180_000);

  // GmSSL master's certverify refuses any certificate valid for more than 3653 days (X509_VALIDITY_MAX_DAYS),
  // which our 20-year root is: the release, 3.1.1, is what checks the chain here.
  it('SM2: GmSSL 3.1.1 verifies the chain through the re-issued certificate; it names the policy', async () => {
    const leaf = await subscriber('sm2');
    const r = await reissue('sm2');
    expect(r.code, r.out).toBe(0);
    const issuingFile = path.join(dir, 'sm2', 'issuing.pem');
    const root = path.join(dir, 'sm2', 'root.pem');
    const chain = tmp.write('sm2-chain.pem', readFileSync(leaf, 'latin1') + readFileSync(issuingFile, 'latin1'));
    const g = await gmssl('3.1.1', ['certverify', '-in', chain, '-cacert', root]);
    expect(g.code, g.out).toBe(0);
    expect(g.out).toMatch(/Verification success/i);
    const text = await opensslResult(['x509', '-in', issuingFile, '-noout', '-ext', 'certificatePolicies']);
    expect(text.out).toContain(`Policy: ${POLICY}`);
  }, 180_000);

  it('refuses without a policy OID, and without the root key', async () => {
    await ready;
    const r = await reissue('sm2', '');
    expect(r.code).not.toBe(0);
    expect(r.out).toMatch(/CERTDESK_CA_POLICY_OID/);
    const keyFile = path.join(dir, 'sm2', 'root.key');
    const saved = readFileSync(keyFile);
    await runTool('rm', [keyFile]);
    try {
      const r2 = await reissue('sm2');
      expect(r2.code).not.toBe(0);
      expect(r2.out).toMatch(/root key/);
    } finally {
      writeFileSync(keyFile, saved);
    }
    expect(existsSync(keyFile)).toBe(true);
  }, 180_000);
});
