/**
 * Certificate serial numbers (issue 6; CA/Browser Forum BR 7.1: at least 64 bits of CSPRNG output; RFC
 * 5280 4.1.2.2: positive, at most 20 octets). We take 16 bytes from the CSPRNG and set the first byte to
 * 0x01..0x7f: positive without a padding byte, never shorter than 16 content bytes (so ≥ 9 DER bytes
 * of integer always), with 120 random bits — far above the 64 the rule asks for.
 */
import { randomBytes as nodeRandomBytes } from 'node:crypto';

export const SERIAL_LENGTH = 16;

export function newSerial(random: (n: number) => Uint8Array = nodeRandomBytes): Uint8Array {
  const b = Uint8Array.from(random(SERIAL_LENGTH));
  if (b.length !== SERIAL_LENGTH) throw new RangeError('random source returned the wrong length');
  // First byte in 1..127: top bit clear (positive, DER needs no 0x00 pad) and non-zero (DER keeps all 16 bytes).
  b[0] = ((b[0]! & 0x7f) % 0x7f) + 1;
  return b;
}

export const serialHex = (serial: Uint8Array): string => Buffer.from(serial).toString('hex');
