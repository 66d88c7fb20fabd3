import { createPublicKey } from 'node:crypto';
import { sm2 } from 'sm-crypto';
import { describe, expect, it } from 'vitest';
import { generateSigningKey } from './signer/software.js';
import { inspectSpki, spkiPublicKeyBits } from './spki.js';

/**
 * The EC point check is our own arithmetic (y² = x³ + ax + b mod p); here it must agree with the libraries it
 * replaced on the lint's path: OpenSSL's SPKI decoder for P-256 and sm-crypto's verifyPublicKey for SM2.
 */
const reference = (family: 'sm2' | 'ecdsa-p256', spki: Uint8Array): boolean => {
  if (family === 'sm2')
    return (sm2 as unknown as { verifyPublicKey(hex: string): boolean }).verifyPublicKey(
      Buffer.from(spkiPublicKeyBits(spki)).toString('hex'),
    );
  try {
    createPublicKey({ key: Buffer.from(spki), format: 'der', type: 'spki' });
    return true;
  } catch {
    return false;
  }
};

/** The SPKI with the point's byte at `offset` (from the point's start) replaced by f(byte). */
const tamper = (spki: Uint8Array, offset: number, f: (b: number) => number) => {
  const out = Uint8Array.from(spki);
  const at = spki.length - 65 + offset;
  out[at] = f(out[at]!);
  return out;
};

describe.each(['sm2', 'ecdsa-p256'] as const)('inspectSpki on %s points', (family) => {
  it('accepts generated keys and refuses altered points, as the reference library does', async () => {
    for (let i = 0; i < 20; i++) {
      const { publicKeySpki: spki } = await generateSigningKey(family);
      expect(inspectSpki(spki)).toMatchObject({ ok: true, algorithm: family, bits: 256 });
      expect(reference(family, spki)).toBe(true);
      for (const bad of [tamper(spki, 64, (b) => b ^ 1), tamper(spki, 1, (b) => b ^ 0x80), tamper(spki, 33, (b) => (b + 1) & 0xff)]) {
        expect(reference(family, bad)).toBe(false);
        expect(inspectSpki(bad)).toEqual({ ok: false, reason: '公钥不是曲线上的有效点' });
      }
    }
  });

  it('refuses coordinates outside [0, p) and the all-zero point', async () => {
    const { publicKeySpki: spki } = await generateSigningKey(family);
    const allOnes = Uint8Array.from(spki, (b, i) => (i > spki.length - 65 ? 0xff : b)); // x = y = 2^256 − 1 ≥ p
    const zero = Uint8Array.from(spki, (b, i) => (i > spki.length - 65 ? 0 : b));
    for (const bad of [allOnes, zero]) {
      expect(reference(family, bad)).toBe(false);
      expect(inspectSpki(bad)).toMatchObject({ ok: false });
    }
  });
});
