/**
 * Renewing the OCSP responder and the seal maker (issue 15 items 3 and 6), through the real `npm run ca:renew`
 * command: new keys and certificates the loader accepts, the old certificates kept, the seal maker with a CRL
 * distribution point and the OCSP URL, and the warnings start and /api/health give 60 days ahead.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { certificatePem, parseCertificate } from '../cert/parse.js';
import { gmssl, runTool } from '../testing/oracles.js';
import { opensslResult, tempDir } from '../testing/openssl.js';
import { initCaHierarchy, loadCaHierarchy } from './hierarchy.js';
import { expiryWarnings } from './renew.js';

const BASE = 'http://ca.example.cn';
const tmp = tempDir('certdesk-renew-');
afterAll(() => tmp.remove());
const kekB64 = randomBytes(32).toString('base64');
const kek = new Uint8Array(Buffer.from(kekB64, 'base64'));
const now = new Date(Math.floor(Date.now() / 1000) * 1000 - 60_000);
const dir = tmp.path('ca');
const ready = initCaHierarchy({ dir, kek, families: ['sm2', 'ecdsa-p256'], baseUrl: BASE, now });
const DAY = 86_400_000;

const renew = (...args: string[]) =>
  runTool('npx', ['tsx', 'src/ca/cli/renew.ts', ...args], { env: { CERTDESK_CA_DIR: dir, CERTDESK_CA_KEK: kekB64 }, timeoutMs: 120_000 });

describe('expiry warnings (start, /api/health)', () => {
  it.each([
    [0, []],
    [300, []],
    [306, ['sm2 OCSP 响应者证书', 'ecdsa-p256 OCSP 响应者证书']],
    [400, ['sm2 OCSP 响应者证书已过期', 'ecdsa-p256 OCSP 响应者证书已过期']],
    [1800, ['OCSP 响应者证书已过期', '电子印章制章人证书将在']],
  ] as const)('%i days after creation: %j', async (days, expected) => {
    const h = await ready;
    const w = expiryWarnings(h, new Date(now.getTime() + days * DAY));
    if (!expected.length) expect(w).toEqual([]);
    for (const e of expected)
      expect(
        w.some((x) => x.includes(e)),
        w.join('\n'),
      ).toBe(true);
    if (days >= 306 && days < 400) expect(w.join('\n')).toMatch(/npm run ca:renew -- --family sm2 --ocsp/);
  });
});

describe('npm run ca:renew', () => {
  it('--ocsp renews every family’s responder: a new key, a year, the old certificate kept; the loader takes it', async () => {
    const before = await ready;
    const r = await renew('--ocsp');
    expect(r.code, r.out).toBe(0);
    const after = await loadCaHierarchy({ dir, kek });
    for (const family of ['sm2', 'ecdsa-p256'] as const) {
      const o = parseCertificate(before.families[family]!.ocsp.certDer);
      const n = parseCertificate(after.families[family]!.ocsp.certDer);
      expect(Buffer.from(n.spki).equals(Buffer.from(o.spki))).toBe(false);
      expect(n.notAfter.getTime()).toBeGreaterThan(o.notAfter.getTime());
      expect(n.notAfter.getTime() - n.notBefore.getTime()).toBeLessThanOrEqual(366 * DAY);
      expect(existsSync(path.join(dir, family, `ocsp-${o.serialHex}.pem`))).toBe(true);
      const ext = await opensslResult(['x509', '-in', path.join(dir, family, 'ocsp.pem'), '-noout', '-ext', 'extendedKeyUsage,noCheck']);
      expect(ext.out).toContain('OCSP Signing');
    }
  }, 180_000);

  it('--seal-maker renews the seal maker; its certificate has a CRL DP and the OCSP URL and GmSSL verifies its chain', async () => {
    const before = await ready;
    const r = await renew('--seal-maker');
    expect(r.code, r.out).toBe(0);
    const after = await loadCaHierarchy({ dir, kek });
    const n = parseCertificate(after.families.sm2!.seal!.certDer);
    expect(Buffer.from(n.spki).equals(Buffer.from(parseCertificate(before.families.sm2!.seal!.certDer).spki))).toBe(false);
    const seal = path.join(dir, 'sm2', 'seal.pem');
    const ext = await opensslResult(['x509', '-in', seal, '-noout', '-ext', 'crlDistributionPoints,authorityInfoAccess']);
    expect(ext.out).toContain(`URI:${BASE}/crl/sm2/complete.crl`);
    expect(ext.out).toContain(`OCSP - URI:${BASE}/ocsp`);
    const chain = tmp.write('seal-chain.pem', readFileSync(seal, 'latin1') + certificatePem(after.families.sm2!.issuing.certDer));
    const root = tmp.write('sm2-root.pem', certificatePem(after.families.sm2!.root.certDer));
    const g = await gmssl('3.1.1', ['certverify', '-in', chain, '-cacert', root]);
    expect(g.code, g.out).toBe(0);
  }, 180_000);

  it('the seal maker made at creation has them too', async () => {
    const h = await initCaHierarchy({ dir: tmp.path('ca2'), kek, families: ['sm2'], baseUrl: BASE, now });
    const ext = await opensslResult([
      'x509',
      '-in',
      tmp.write('seal2.pem', certificatePem(h.families.sm2!.seal!.certDer)),
      '-noout',
      '-ext',
      'crlDistributionPoints,authorityInfoAccess',
    ]);
    expect(ext.out).toContain('URI:http://ca.example.cn/crl/sm2/complete.crl');
    expect(ext.out).toContain('OCSP - URI:http://ca.example.cn/ocsp');
  });

  it('refuses without saying what to renew', async () => {
    await ready;
    const r = await renew();
    expect(r.code).not.toBe(0);
    expect(r.out).toMatch(/--ocsp.*--seal-maker/);
  }, 180_000);
});
