/**
 * The token authority's key at rest: one ECDSA P-256 key in `<CA dir>/token-authority.key`, encrypted under
 * the KEK like the CA's own keys (signer/key-file.ts). It signs the one-time UKEY authorizations
 * (token-authorization.ts), and the SO PIN secret is derived from it with HKDF under its own label — so the
 * SO PINs of every token the CA issues hang on this one encrypted file, stored nowhere else, and survive a
 * KEK change (the file is re-encrypted, its key stays). The 证书助手 is configured with its public key
 * (`npm run ca:init -- --token-authority-key` prints it).
 */
import { createPrivateKey, createPublicKey, hkdfSync } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { decryptKeyFile, encryptKeyFile, type Kek } from './signer/key-file.js';
import { generateSigningKey } from './signer/software.js';
import type { TokenAuthorityKeys } from './token-authorization.js';

export const TOKEN_AUTHORITY_FILE = 'token-authority.key';

const fileOf = (dir: string) => path.join(path.resolve(dir), TOKEN_AUTHORITY_FILE);

export const hasTokenAuthority = (dir: string) => existsSync(fileOf(dir));

function keysOf(pkcs8: Uint8Array): TokenAuthorityKeys {
  const signingKey = createPrivateKey({ key: Buffer.from(pkcs8), format: 'der', type: 'pkcs8' });
  const soPinSecret = new Uint8Array(
    hkdfSync('sha256', Buffer.from(pkcs8), Buffer.alloc(0), 'certdesk token authority SO PIN secret v1', 32),
  );
  return { signingKey, soPinSecret };
}

/** Creates the key (never replaces one: a new key would orphan every issued token's SO PIN). */
export async function createTokenAuthority(dir: string, kek: Kek): Promise<TokenAuthorityKeys> {
  const key = await generateSigningKey('ecdsa-p256');
  await writeFile(fileOf(dir), encryptKeyFile(key, kek), { flag: 'wx', mode: 0o600 });
  return keysOf(key.privateKeyPkcs8);
}

export async function loadTokenAuthority(dir: string, kek: Kek): Promise<TokenAuthorityKeys> {
  const key = decryptKeyFile(await readFile(fileOf(dir), 'utf8'), kek);
  if (key.algorithm !== 'ecdsa-p256') throw new Error(`${TOKEN_AUTHORITY_FILE} must hold an ECDSA P-256 key`);
  return keysOf(key.privateKeyPkcs8);
}

/** The public key the 证书助手 trusts (CERTDESK_AGENT_AUTHORITY_KEY), PEM. */
export const tokenAuthorityPublicPem = (keys: TokenAuthorityKeys) =>
  createPublicKey(keys.signingKey).export({ format: 'pem', type: 'spki' }).toString();
