/**
 * The KMC's requests and answers between a web/RA instance and the signer (JSON, bytes as Base64): public
 * keys, escrow ciphertext and envelopes only.
 */
import type { EscrowedKey, KmcKeyPair } from './port.js';

const b64 = (b: Uint8Array) => Buffer.from(b).toString('base64');
const bytes = (s: unknown, what: string): Uint8Array => {
  if (typeof s !== 'string' || !/^[A-Za-z0-9+/]*={0,2}$/.test(s) || s.length > 4096) throw new TypeError(`${what}: Base64 expected`);
  return new Uint8Array(Buffer.from(s, 'base64'));
};

export type EscrowWire = { kekIndex: number; wrappedKey: string; iv: string; encryptedPrivateKey: string; publicKey: string };
export type KeyPairWire = { publicKey: string; escrow: EscrowWire; envelope: string };

export const escrowToWire = (e: EscrowedKey): EscrowWire => ({
  kekIndex: e.kekIndex,
  wrappedKey: b64(e.wrappedKey),
  iv: b64(e.iv),
  encryptedPrivateKey: b64(e.encryptedPrivateKey),
  publicKey: b64(e.publicKey),
});

export function escrowFromWire(w: unknown): EscrowedKey {
  const o = (w ?? {}) as Record<string, unknown>;
  if (typeof o.kekIndex !== 'number' || !Number.isInteger(o.kekIndex) || o.kekIndex < 0)
    throw new TypeError('escrow.kekIndex: an index expected');
  return {
    kekIndex: o.kekIndex,
    wrappedKey: bytes(o.wrappedKey, 'escrow.wrappedKey'),
    iv: bytes(o.iv, 'escrow.iv'),
    encryptedPrivateKey: bytes(o.encryptedPrivateKey, 'escrow.encryptedPrivateKey'),
    publicKey: bytes(o.publicKey, 'escrow.publicKey'),
  };
}

export const keyPairToWire = (k: KmcKeyPair): KeyPairWire => ({
  publicKey: b64(k.publicKey),
  escrow: escrowToWire(k.escrow),
  envelope: b64(k.envelope),
});

export function keyPairFromWire(w: unknown): KmcKeyPair {
  const o = (w ?? {}) as Record<string, unknown>;
  return { publicKey: bytes(o.publicKey, 'publicKey'), escrow: escrowFromWire(o.escrow), envelope: bytes(o.envelope, 'envelope') };
}

/** A recipient public key (04‖x‖y) from a request body. */
export function recipientFromWire(body: unknown): Uint8Array {
  const r = bytes((body as { recipient?: unknown } | null)?.recipient, 'recipient');
  if (r.length !== 65 || r[0] !== 0x04) throw new TypeError('recipient: an uncompressed SM2 public key (65 bytes) expected');
  return r;
}

export const recipientToWire = (r: Uint8Array) => ({ recipient: b64(r) });

export const envelopeToWire = (e: Uint8Array) => ({ envelope: b64(e) });
export const envelopeFromWire = (w: unknown) => bytes((w as { envelope?: unknown } | null)?.envelope, 'envelope');
