/**
 * 下载中心 (GET /api/ca-downloads) through the real app: every link it gives is served by the CA publication
 * routes as DER that openssl reads, and the fingerprints it shows are openssl's for the very bytes served.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testApp, type TestApp } from '../testing/harness.js';

let t: TestApp;
beforeAll(async () => {
  t = await testApp();
}, 60_000);
afterAll(async () => t?.close());

const dir = mkdtempSync(path.join(tmpdir(), 'ca-downloads-'));
const save = (name: string, bytes: Buffer) => {
  const file = path.join(dir, name);
  writeFileSync(file, bytes);
  return file;
};
const openssl = (...args: string[]) => execFileSync('openssl', args, { encoding: 'utf8' });

interface Cert {
  commonName: string;
  url: string;
  sha256: string;
  sm3: string | null;
  notAfter: string;
}
interface Family {
  family: string;
  algorithm: string;
  root: Cert;
  issuing: Cert;
  rootCrl: string | null;
  crl: string;
  crlShards: { shard: number; url: string }[];
  ocsp: string;
}

describe('下载中心', () => {
  it('lists each family’s root and issuing CA with openssl’s fingerprints, and CRLs that openssl reads', async () => {
    const anon = t.client();
    const res = await anon.get('/api/ca-downloads');
    expect(res.statusCode).toBe(200);
    const { families } = res.json() as { families: Family[] };
    expect(families.map((f) => f.family)).toEqual(t.config.ca.families);
    for (const f of families) {
      for (const [kind, c] of [
        ['root', f.root],
        ['issuing', f.issuing],
      ] as const) {
        const got = await anon.get(c.url);
        expect(got.statusCode, c.url).toBe(200);
        expect(got.headers['content-type']).toBe('application/pkix-cert');
        const file = save(`${f.family}-${kind}.cer`, got.rawPayload);
        // DER (no PEM armour), and the fingerprint on the page is the one openssl computes for these bytes.
        expect(got.rawPayload[0]).toBe(0x30);
        expect(openssl('x509', '-inform', 'DER', '-in', file, '-noout', '-fingerprint', '-sha256').trim()).toBe(
          `sha256 Fingerprint=${c.sha256}`,
        );
        expect(openssl('x509', '-inform', 'DER', '-in', file, '-noout', '-nameopt', 'oneline,-esc_msb', '-subject')).toContain(
          c.commonName,
        );
        if (f.family === 'sm2')
          expect(openssl('x509', '-inform', 'DER', '-in', file, '-noout', '-fingerprint', '-sm3').trim()).toBe(`sm3 Fingerprint=${c.sm3}`);
        else expect(c.sm3).toBeNull();
      }
      // The issuing CA is signed by the root shown beside it.
      const rootFile = path.join(dir, `${f.family}-root.cer`);
      const issuingFile = path.join(dir, `${f.family}-issuing.cer`);
      expect(openssl('x509', '-inform', 'DER', '-in', issuingFile, '-noout', '-nameopt', 'oneline,-esc_msb', '-issuer')).toContain(
        f.root.commonName,
      );
      if (f.family !== 'sm2') {
        const rootPem = save(`${f.family}-root.pem`, Buffer.from(openssl('x509', '-inform', 'DER', '-in', rootFile)));
        const issuingPem = save(`${f.family}-issuing.pem`, Buffer.from(openssl('x509', '-inform', 'DER', '-in', issuingFile)));
        expect(openssl('verify', '-CAfile', rootPem, issuingPem)).toContain('OK');
      }

      // The complete CRL (what certificates issued now name) and the shards older certificates name.
      expect(f.crl).toBe(`/crl/${f.family}/complete.crl`);
      expect(f.crlShards).toHaveLength(16);
      for (const url of [f.crl, f.crlShards[0]!.url, f.crlShards[15]!.url, ...(f.rootCrl ? [f.rootCrl] : [])]) {
        const crl = await anon.get(url);
        expect(crl.statusCode, url).toBe(200);
        expect(crl.headers['content-type']).toBe('application/pkix-crl');
        const file = save(`${f.family}-${path.basename(url)}`, crl.rawPayload);
        expect(openssl('crl', '-inform', 'DER', '-in', file, '-noout', '-issuer')).toContain('CN');
      }
      expect(f.ocsp).toBe(`${t.config.ca.baseUrl}/ocsp`);
    }
    // The development CA signs its root CRL at creation (ca-runtime.ts), so the page lists it.
    expect(families.every((f) => f.rootCrl === `/crl/${f.family}/root.crl`)).toBe(true);
  }, 60_000);
});
