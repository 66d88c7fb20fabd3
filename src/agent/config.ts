import { createPublicKey, type KeyObject } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';

/**
 * Settings of the 证书助手 (docs/agent.md). Read once at start; a bad value stops the agent with a message
 * naming the setting, never a half-configured agent.
 */
export interface Sm2Mechanisms {
  /** Vendor CKM_* for SM2 key-pair generation (e.g. 0x80000001 on some UKEYs). */
  keyGen: number;
  /** Vendor CKM_* for SM2 signature with SM3 (the token computes Z with the default user ID and hashes). */
  sign: number;
  /** Vendor CKK_* of SM2 keys. */
  keyType: number;
}

export interface AgentConfig {
  host: string;
  port: number;
  /** The portal's origin: scheme://host[:port], no path. The only origin the agent answers. */
  origin: string;
  /** The vendor's PKCS#11 module. */
  pkcs11Module: string;
  /** Wrong user PINs the agent allows per token before it treats the PIN as locked (for modules that never lock). */
  pinTries: number;
  sm2?: Sm2Mechanisms;
  /**
   * The CA token authority's public key (CERTDESK_AGENT_AUTHORITY_KEY): the only signer of the one-time
   * authorizations that carry an SO PIN (制证's initialization, 在线解锁). Unset: those operations are refused.
   */
  authorityKey?: KeyObject;
}

export class AgentConfigError extends Error {
  override name = 'AgentConfigError';
}

const LOOPBACK = new Set(['127.0.0.1', '::1', 'localhost']);

/** The origin as the browser sends it (no trailing slash, no path); throws on anything else. */
export function normalizeOrigin(value: string): string {
  let u: URL;
  try {
    u = new URL(value);
  } catch {
    throw new AgentConfigError(`CERTDESK_AGENT_ORIGIN 不是有效的网址：${value}`);
  }
  if (u.protocol !== 'https:' && u.protocol !== 'http:')
    throw new AgentConfigError('CERTDESK_AGENT_ORIGIN 必须是 https://（本机调试可用 http://）开头的门户地址');
  if ((u.pathname !== '/' && u.pathname !== '') || u.search || u.hash || u.username)
    throw new AgentConfigError('CERTDESK_AGENT_ORIGIN 只能是门户的源（协议://主机[:端口]），不能带路径或参数');
  return u.origin;
}

function mechanism(env: NodeJS.ProcessEnv, name: string): number | undefined {
  const v = env[name]?.trim();
  if (!v) return undefined;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0 || n > 0xffffffff) throw new AgentConfigError(`${name} 必须是 PKCS#11 机制/类型编号，如 0x80000001`);
  return n;
}

/**
 * CERTDESK_AGENT_AUTHORITY_KEY: a PEM public key, a file holding one, or base64 SPKI DER — an ECDSA P-256 key
 * (what `npm run ca:token-authority` prints).
 */
export function authorityKeyFrom(value: string): KeyObject {
  const v = value.trim();
  let key: KeyObject;
  try {
    if (v.includes('-----BEGIN')) key = createPublicKey(v);
    else if (/^[A-Za-z0-9+/]+={0,2}$/.test(v) && v.length > 80)
      key = createPublicKey({ key: Buffer.from(v, 'base64'), format: 'der', type: 'spki' });
    else if (existsSync(v)) key = createPublicKey(readFileSync(v, 'utf8'));
    else throw new Error('not found');
  } catch {
    throw new AgentConfigError('CERTDESK_AGENT_AUTHORITY_KEY 必须是 CA 授权公钥（PEM、PEM 文件路径或 Base64 的 SPKI）');
  }
  if (key.asymmetricKeyType !== 'ec' || key.asymmetricKeyDetails?.namedCurve !== 'prime256v1')
    throw new AgentConfigError('CERTDESK_AGENT_AUTHORITY_KEY 必须是 ECDSA P-256 公钥');
  return key;
}

export function agentConfigFrom(env: NodeJS.ProcessEnv): AgentConfig {
  const host = env.CERTDESK_AGENT_HOST?.trim() || '127.0.0.1';
  if (!LOOPBACK.has(host))
    throw new AgentConfigError(`CERTDESK_AGENT_HOST 只能是本机回环地址（127.0.0.1 或 ::1），不能是 ${host}：证书助手不接受来自网络的连接`);
  const port = Number(env.CERTDESK_AGENT_PORT?.trim() || '17443');
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new AgentConfigError('CERTDESK_AGENT_PORT 必须是 0–65535 的端口号');
  const originSetting = env.CERTDESK_AGENT_ORIGIN?.trim();
  if (!originSetting) throw new AgentConfigError('必须设置 CERTDESK_AGENT_ORIGIN（门户的源，如 https://ca.example.cn）');
  const pinTries = Number(env.CERTDESK_AGENT_PIN_TRIES?.trim() || '6');
  if (!Number.isInteger(pinTries) || pinTries < 1 || pinTries > 15)
    throw new AgentConfigError('CERTDESK_AGENT_PIN_TRIES 必须是 1–15 的整数');
  const keyGen = mechanism(env, 'CERTDESK_AGENT_SM2_KEYGEN_MECHANISM');
  const sign = mechanism(env, 'CERTDESK_AGENT_SM2_SIGN_MECHANISM');
  const keyType = mechanism(env, 'CERTDESK_AGENT_SM2_KEY_TYPE');
  const set = [keyGen, sign, keyType].filter((v) => v !== undefined).length;
  if (set !== 0 && set !== 3)
    throw new AgentConfigError(
      'SM2 需要同时设置 CERTDESK_AGENT_SM2_KEYGEN_MECHANISM、CERTDESK_AGENT_SM2_SIGN_MECHANISM 和 CERTDESK_AGENT_SM2_KEY_TYPE（按 UKEY 厂商的 PKCS#11 文档）',
    );
  return {
    host: host === 'localhost' ? '127.0.0.1' : host,
    port,
    origin: normalizeOrigin(originSetting),
    pkcs11Module: env.CERTDESK_AGENT_PKCS11_MODULE?.trim() || '/usr/lib/softhsm/libsofthsm2.so',
    pinTries,
    sm2: set === 3 ? { keyGen: keyGen!, sign: sign!, keyType: keyType! } : undefined,
    authorityKey: env.CERTDESK_AGENT_AUTHORITY_KEY?.trim() ? authorityKeyFrom(env.CERTDESK_AGENT_AUTHORITY_KEY) : undefined,
  };
}
