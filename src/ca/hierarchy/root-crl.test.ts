import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseCertificate, pemToDer } from '../cert/parse.js';
import type { KeyAlgorithm } from '../signer/port.js';
import { openssl, opensslVerifySm2, splitSigned, tempDir } from '../testing/fixtures.js';
import { CaHierarchyError, initCaHierarchy } from './hierarchy.js';
import { signRootCrl } from './root-crl.js';

const kek = new Uint8Array(randomBytes(32));
const dirs: { cleanup: () => Promise<void> }[] = [];
afterAll(() => Promise.all(dirs.map((d) => d.cleanup())));

async function freshCa(family: KeyAlgorithm) {
  const t = await tempDir('certdesk-rootcrl-');
  dirs.push(t);
  const dir = path.join(t.dir, 'ca');
  await initCaHierarchy({ dir, kek, families: [family], baseUrl: 'http://ca.example.cn' });
  const pem = (n: string) => path.join(dir, family, `${n}.pem`);
  return { dir, t, pem, issuingSerial: parseCertificate(pemToDer(readFileSync(pem('issuing'), 'latin1'))).serialHex };
}

describe.each<KeyAlgorithm>(['ecdsa-p256', 'rsa-2048'])('root CRL (%s), checked with openssl', (family) => {
  it('is signed by the root, numbers grow, and openssl verify sees the issuing CA good, then revoked', async () => {
    const { dir, t, pem, issuingSerial } = await freshCa(family);
    const now = new Date();
    const first = await signRootCrl({ dir, kek, family, now, days: 30 });
    expect(first.file).toBe(path.join(dir, 'crl', family, 'root.crl'));
    expect(first.crlNumber).toBe(1n);
    const crlPem = await t.file('root1.crl', first.der);
    const text = await openssl(['crl', '-inform', 'DER', '-in', crlPem, '-CAfile', pem('root'), '-noout', '-text']);
    expect(text.out).toContain('verify OK');
    expect(text.out).toMatch(/X509v3 CRL Number:\s*\n\s*1\b/);
    expect(text.out).toContain('No Revoked Certificates');
    // nextUpdate 30 days on (to the second).
    const next = /Next Update: (.+)/.exec(text.out)![1]!;
    expect(Math.abs(new Date(next).getTime() - (Math.floor(now.getTime() / 1000) * 1000 + 30 * 86400_000))).toBeLessThan(1000);
    const crlFile = await t.file(
      'root1.pem',
      `-----BEGIN X509 CRL-----\n${Buffer.from(first.der).toString('base64')}\n-----END X509 CRL-----\n`,
    );
    const good = await openssl(['verify', '-crl_check', '-CAfile', pem('root'), '-CRLfile', crlFile, pem('issuing')]);
    expect(good.out).toContain(': OK');

    const second = await signRootCrl({ dir, kek, family, revoke: { serialHex: issuingSerial, reason: 'keyCompromise' } });
    expect(second.crlNumber).toBe(2n);
    const crl2 = await t.file(
      'root2.pem',
      `-----BEGIN X509 CRL-----\n${Buffer.from(second.der).toString('base64')}\n-----END X509 CRL-----\n`,
    );
    const revoked = await openssl(['verify', '-crl_check', '-CAfile', pem('root'), '-CRLfile', crl2, pem('issuing')]);
    expect(revoked.code).not.toBe(0);
    expect(revoked.out).toContain('certificate revoked');
    const text2 = await openssl(['crl', '-in', crl2, '-noout', '-text']);
    expect(text2.out).toContain('Key Compromise');
    // A later run keeps the revocation and goes on counting.
    const third = await signRootCrl({ dir, kek, family });
    expect(third.crlNumber).toBe(3n);
    expect(third.revoked.map((r) => r.serialHex)).toEqual([issuingSerial.toLowerCase().replace(/^0+/, '')]);
  });
});

describe('root CRL (sm2)', () => {
  it('carries an SM2 signature with the standard ID that verifies under the root key', async () => {
    const { dir, t, pem } = await freshCa('sm2');
    const r = await signRootCrl({ dir, kek, family: 'sm2' });
    const root = parseCertificate(pemToDer(readFileSync(pem('root'), 'latin1')));
    const { tbs, signature } = splitSigned(r.der);
    // OpenSSL 3.0's CRL check cannot be given the SM2 ID (docs/ca-core.md), so the signature is checked
    // with pkeyutl and the structure with openssl crl.
    expect(await opensslVerifySm2(root.spki, tbs, signature, t.dir)).toBe(true);
    expect(await opensslVerifySm2(root.spki, tbs, signature, t.dir, '')).toBe(false);
    const text = await openssl(['crl', '-inform', 'DER', '-in', await t.file('sm2.crl', r.der), '-noout', '-text']);
    expect(text.out).toContain('SM2-with-SM3');
  });
});

describe('root CRL refusals', () => {
  it.each([
    [
      'a serial the root never issued',
      { revoke: { serialHex: '0123456789abcdef', reason: 'keyCompromise' as const } },
      /not a certificate this root issued/,
    ],
    ['a serial that is not hex', { revoke: { serialHex: 'xyz', reason: 'keyCompromise' as const } }, /hexadecimal/],
    ['0 days', { days: 0 }, /1 to 365/],
    ['more than a year', { days: 366 }, /1 to 365/],
    ['a fractional day', { days: 1.5 }, /1 to 365/],
  ])('refuses %s and writes nothing', async (_what, opts, message) => {
    const { dir } = await freshCa('ecdsa-p256');
    await expect(signRootCrl({ dir, kek, family: 'ecdsa-p256', ...opts })).rejects.toThrow(message);
    await expect(signRootCrl({ dir, kek, family: 'ecdsa-p256' })).resolves.toMatchObject({ crlNumber: 1n });
  });

  it('refuses a wrong key-encryption key and a missing root', async () => {
    const { dir } = await freshCa('ecdsa-p256');
    await expect(signRootCrl({ dir, kek: new Uint8Array(randomBytes(32)), family: 'ecdsa-p256' })).rejects.toThrow(
      /wrong key-encryption key/,
    );
    await expect(signRootCrl({ dir, kek, family: 'sm2' })).rejects.toThrow(CaHierarchyError);
  });
});
