/**
 * The CA's UKEY token authority as this process uses it (ca/token-authority-key.ts): the key that signs the
 * one-time authorizations of 制证 and 在线解锁 and from which every token's SO PIN is derived. It lives where
 * the CA's keys live — in the CA directory under the KEK — and is loaded once per process. A development CA
 * gets it on first use; production creates it with `npm run ca:init -- --add-token-authority`.
 */
import { createTokenAuthority, hasTokenAuthority, loadTokenAuthority } from '../../../ca/token-authority-key.js';
import type { TokenAuthorityKeys } from '../../../ca/token-authorization.js';
import type { CaConfig } from '../certificates/ca-config.js';
import { caNotReady, caRuntime } from '../certificates/ca-runtime.js';

const loaded = new Map<string, Promise<TokenAuthorityKeys>>();

async function open(config: CaConfig): Promise<TokenAuthorityKeys> {
  if (config.signer)
    throw caNotReady(
      'UKEY 授权密钥与 CA 密钥一起保管在签名服务中，本实例不能签发 UKEY 授权（见 docs/agent.md）',
      'token authority behind the signer',
    );
  if (!config.kek) throw caNotReady('未配置 CA 密钥加密密钥（CERTDESK_CA_KEK 或 CERTDESK_CA_KEK_FILE）');
  if (hasTokenAuthority(config.dir)) return loadTokenAuthority(config.dir, config.kek);
  if (!config.autoInit) throw caNotReady('CA 中没有 UKEY 授权密钥：请运行 npm run ca:init -- --add-token-authority');
  await caRuntime(config); // the CA directory first (a development CA is created on first use)
  try {
    return await createTokenAuthority(config.dir, config.kek);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'EEXIST') return loadTokenAuthority(config.dir, config.kek); // another process made it
    throw e;
  }
}

export function tokenAuthority(config: CaConfig): Promise<TokenAuthorityKeys> {
  const key = `${config.dir}\0${config.kek?.toString('hex') ?? ''}`;
  let p = loaded.get(key);
  if (!p) {
    p = open(config);
    loaded.set(key, p);
    p.catch(() => loaded.delete(key));
  }
  return p;
}
