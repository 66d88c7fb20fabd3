import { afterAll, describe, expect, it } from 'vitest';
import { sm2 } from 'sm-crypto';
import { generateSigningKey, softwareSigner, verifySignature } from './software.js';
import type { KeyAlgorithm } from './port.js';
import { openssl, tempDir } from '../testing/openssl.js';
import { spkiPublicKeyBits } from '../spki.js';
import { SIGNATURE_ALGORITHM } from '../algorithms.js';

const tmp = tempDir();
afterAll(() => tmp.remove());

describe('software signer', () => {
  it.each<KeyAlgorithm>(['sm2', 'ecdsa-p256', 'rsa-2048'])('%s: signs, verifies, rejects a changed message', async (alg) => {
    const key = await generateSigningKey(alg);
    const signer = softwareSigner(key);
    expect(signer.algorithm).toBe(alg);
    expect(signer.signatureAlgorithm).toEqual(SIGNATURE_ALGORITHM[alg]);
    const data = Buffer.from('证书 to be signed');
    const sig = await signer.sign(data);
    expect(verifySignature(key.publicKeySpki, alg, data, sig)).toBe(true);
    expect(verifySignature(key.publicKeySpki, alg, Buffer.from('other'), sig)).toBe(false);
  });

  it.each<KeyAlgorithm>(['sm2', 'ecdsa-p256', 'rsa-2048'])(
    '%s: an input over 1 MiB (a large CRL) is signed in slices / on the thread pool, and verifies; other work runs meanwhile',
    async (alg) => {
      const key = await generateSigningKey(alg);
      const signer = softwareSigner(key);
      const data = Buffer.alloc(16 * 1024 * 1024 + 17, 0x5a);
      data[data.length - 1] = 1; // the last slice counts
      let turns = 0;
      const ticking = setInterval(() => turns++, 0);
      const sig = await signer.sign(data);
      clearInterval(ticking);
      expect(verifySignature(key.publicKeySpki, alg, data, sig)).toBe(true);
      const changed = Buffer.from(data);
      changed[changed.length - 1] = 2;
      expect(verifySignature(key.publicKeySpki, alg, changed, sig)).toBe(false);
      expect(turns).toBeGreaterThan(0); // the event loop was not held for the whole signature
    },
  );

  it('SM2 signatures use the standard ID 1234567812345678: sm-crypto (full hash) and openssl distid agree', async () => {
    const key = await generateSigningKey('sm2');
    const data = Buffer.from('hello SM2');
    const signer = softwareSigner(key);
    // Many signatures: r and s with leading zero bytes must still be minimal DER that sm-crypto accepts.
    for (let i = 0; i < 40; i++) {
      const m = Buffer.from(`message ${i}`);
      const sg = await signer.sign(m);
      expect(verifySignature(key.publicKeySpki, 'sm2', m, sg)).toBe(true);
    }
    const sig = await signer.sign(data);
    const pub = Buffer.from(spkiPublicKeyBits(key.publicKeySpki)).toString('hex');
    expect(
      sm2.doVerifySignature(Array.from(data), Buffer.from(sig).toString('hex'), pub, { hash: true, der: true, userId: '1234567812345678' }),
    ).toBe(true);
    const args = (id: string) => [
      'pkeyutl',
      '-verify',
      '-pubin',
      '-keyform',
      'DER',
      '-inkey',
      tmp.write('sm2.spki', key.publicKeySpki),
      '-in',
      tmp.write('data', data),
      '-sigfile',
      tmp.write('sig', sig),
      '-rawin',
      '-digest',
      'sm3',
      '-pkeyopt',
      `distid:${id}`,
    ];
    const ok = await openssl(args('1234567812345678'));
    expect(ok.stdout).toContain('Signature Verified Successfully');
    await expect(openssl(args('0000000000000000'))).rejects.toThrow();
  });
});
