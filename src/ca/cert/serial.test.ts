import { describe, expect, it } from 'vitest';
import { unsignedInteger } from '../der/der.js';
import { newSerial } from './serial.js';

describe('newSerial (issue 6: ≥ 64 CSPRNG bits, positive, unique)', () => {
  it('10,000 serials: unique, positive, ≥ 9 DER bytes of integer, each low 64 bit set in 40–60% of them', () => {
    const N = 10_000;
    const seen = new Set<string>();
    const counts = new Array<number>(64).fill(0);
    for (let i = 0; i < N; i++) {
      const s = newSerial();
      const der = unsignedInteger(s);
      expect(der[0]).toBe(0x02);
      const content = der.subarray(2);
      expect(content.length).toBeGreaterThanOrEqual(9);
      expect(content.length).toBeLessThanOrEqual(20); // RFC 5280 4.1.2.2
      expect(content[0]! & 0x80).toBe(0); // positive
      expect(content[0]).not.toBe(0); // no padding: the top byte carries value
      seen.add(Buffer.from(s).toString('hex'));
      const low = BigInt('0x' + Buffer.from(s).toString('hex')) & 0xffffffffffffffffn;
      for (let b = 0; b < 64; b++) if ((low >> BigInt(b)) & 1n) counts[b]!++;
    }
    expect(seen.size).toBe(N);
    for (const c of counts) {
      expect(c / N).toBeGreaterThanOrEqual(0.4);
      expect(c / N).toBeLessThanOrEqual(0.6);
    }
  });

  it('a random source of zeros still gives a positive serial of 16 content bytes', () => {
    const s = newSerial((n) => new Uint8Array(n));
    expect(s[0]).toBe(1);
    expect(unsignedInteger(s).length).toBe(18);
  });
});
