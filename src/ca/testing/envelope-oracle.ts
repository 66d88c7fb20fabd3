/**
 * Test helper: GmSSL master (the oracle) opens a GM/T 0016 ENVELOPEDKEYBLOB as a UKEY would, with the
 * recipient's private key file: `sm2decrypt` recovers the SM4 key from ECCCipherBlob, `sm4_ecb -decrypt` the
 * 64-byte private key field. The blob's fields are read here at the offsets skf.h gives, independently of
 * src/ca/kmc/envelope.ts.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { octetString, sequence, unsignedInteger } from '../der/der.js';
import { gmssl } from './oracles.js';

export interface OpenedByGmssl {
  version: number;
  symmAlgId: number;
  bits: number;
  /** The recovered private scalar. */
  d: Buffer;
  /** The 32 bytes in front of d in the decrypted field (zero for a right-aligned 256-bit key). */
  padding: Buffer;
  /** PubKey: 04‖x‖y. */
  publicKey: Buffer;
}

export async function gmsslOpenEnvelope(
  blob: Uint8Array,
  recipientKeyPem: string,
  password: string,
  dir: string,
  tag = 'env',
): Promise<OpenedByGmssl> {
  const b = Buffer.from(blob);
  const u32 = (at: number) => b.readUInt32LE(at);
  const x = b.subarray(208, 272);
  const y = b.subarray(272, 336);
  const hash = b.subarray(336, 368);
  const cipherLen = u32(368);
  const cipher = b.subarray(372, 372 + cipherLen);
  if (372 + cipherLen !== b.length) throw new Error(`ENVELOPEDKEYBLOB: ${b.length} bytes, CipherLen ${cipherLen}`);
  const strip = (v: Buffer) => v.subarray(v.findIndex((c) => c !== 0));
  const c = path.join(dir, `${tag}-key.der`);
  const { writeFile } = await import('node:fs/promises');
  await writeFile(c, sequence(unsignedInteger(strip(x)), unsignedInteger(strip(y)), octetString(hash), octetString(cipher)));
  const keyOut = path.join(dir, `${tag}-sm4.key`);
  const dec = await gmssl('master', ['sm2decrypt', '-key', recipientKeyPem, '-pass', password, '-in', c, '-out', keyOut]);
  if (dec.code !== 0) throw new Error(`gmssl sm2decrypt: ${dec.out}`);
  const sm4 = await readFile(keyOut);
  const field = path.join(dir, `${tag}-field.bin`);
  await writeFile(field, b.subarray(12, 76));
  const fieldOut = path.join(dir, `${tag}-field.out`);
  const ecb = await gmssl('master', ['sm4_ecb', '-decrypt', '-key', sm4.toString('hex'), '-in', field, '-out', fieldOut]);
  if (ecb.code !== 0) throw new Error(`gmssl sm4_ecb: ${ecb.out}`);
  const opened = await readFile(fieldOut);
  return {
    version: u32(0),
    symmAlgId: u32(4),
    bits: u32(8),
    padding: opened.subarray(0, 32),
    d: opened.subarray(32, 64),
    publicKey: Buffer.concat([Buffer.from([4]), b.subarray(76 + 4 + 32, 76 + 4 + 64), b.subarray(76 + 4 + 64 + 32, 76 + 4 + 128)]),
  };
}
