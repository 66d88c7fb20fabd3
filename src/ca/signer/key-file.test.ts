import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { decryptKeyFile, encryptKeyFile, KeyFileError, loadKek } from './key-file.js';
import { generateSigningKey } from './software.js';

describe('key files', () => {
  it.each(['sm2', 'ecdsa-p256', 'rsa-2048'] as const)('%s round-trips under a raw KEK; the file holds no plaintext', async (alg) => {
    const key = await generateSigningKey(alg);
    const kek = new Uint8Array(randomBytes(32));
    const text = encryptKeyFile(key, kek);
    expect(text).toMatch(/^CERTDESK-ENCRYPTED-KEY v1\nalgorithm: /);
    expect(text).not.toContain(Buffer.from(key.privateKeyPkcs8).toString('base64').slice(0, 40));
    const back = decryptKeyFile(text, kek);
    expect(back).toEqual(key);
  });

  it('passphrase KEK (scrypt); wrong KEK, raw/passphrase mix-ups and tampering are refused', async () => {
    const key = await generateSigningKey('ecdsa-p256');
    const pass = loadKek('correct horse battery staple');
    const text = encryptKeyFile(key, pass);
    expect(text).toContain('kdf: scrypt N=32768 r=8 p=1');
    expect(decryptKeyFile(text, pass)).toEqual(key);
    expect(() => decryptKeyFile(text, { passphrase: 'wrong horse battery staple' })).toThrow(KeyFileError);
    expect(() => decryptKeyFile(text, new Uint8Array(randomBytes(32)))).toThrow(/passphrase/);
    const raw = new Uint8Array(randomBytes(32));
    const rawText = encryptKeyFile(key, raw);
    expect(() => decryptKeyFile(rawText.replace('algorithm: ecdsa-p256', 'algorithm: sm2'), raw)).toThrow(/altered/);
    expect(() => decryptKeyFile(rawText, new Uint8Array(randomBytes(32)))).toThrow(/wrong key-encryption key/);
  });

  it.each([
    ['base64', randomBytes(32).toString('base64'), 'raw'],
    ['hex', randomBytes(32).toString('hex'), 'raw'],
    ['passphrase', 'a long enough passphrase', 'passphrase'],
  ])('loadKek: %s', (_n, value, kind) => {
    const kek = loadKek(value);
    expect(kek instanceof Uint8Array ? 'raw' : 'passphrase').toBe(kind);
  });

  it.each([['short'], [Buffer.alloc(32).toString('base64')]])('loadKek refuses %s', (value) => {
    expect(() => loadKek(value)).toThrow(KeyFileError);
  });
});
