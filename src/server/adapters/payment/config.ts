/**
 * Payment provider configuration (WeChat Pay, Alipay, or the sandbox that speaks both protocols), read
 * from the environment by loadConfig. The README's configuration table documents each variable.
 *
 * CERTDESK_PAY=sandbox (the default outside production) uses the in-process sandbox provider; in production
 * CERTDESK_PAY must be set explicitly (assertServable), so a site never takes sandbox "payments" by accident.
 * CERTDESK_PAY=live needs the merchant's WeChat Pay and Alipay credentials; key files are read at start.
 */
import { readFileSync } from 'node:fs';
import type { AlipayConfig } from './alipay.js';
import { privateKeyFrom, publicKeyFrom } from './crypto.js';
import type { WechatPayConfig } from './wechatpay.js';
import { ConfigError } from '../../config-error.js';

export type PaymentConfig = { kind: 'sandbox' } | { kind: 'live'; wechat: WechatPayConfig; alipay: AlipayConfig };

// loadConfig's error class: a bad payment setting stops the start like any other (created at run time: config.ts imports this module).
const configError = (message: string) => new ConfigError(message);

export const LIVE_PAY_ENV = [
  'WECHATPAY_MCHID',
  'WECHATPAY_APPID',
  'WECHATPAY_MCH_SERIAL',
  'WECHATPAY_MCH_KEY_FILE',
  'WECHATPAY_APIV3_KEY',
  'WECHATPAY_PLATFORM_KEYS',
  'ALIPAY_APP_ID',
  'ALIPAY_SELLER_ID',
  'ALIPAY_APP_KEY_FILE',
  'ALIPAY_PUBLIC_KEY_FILE',
] as const;

function readPem(file: string, name: string, kind: 'private' | 'public'): string {
  let pem: string;
  try {
    pem = readFileSync(file, 'utf8');
  } catch {
    throw configError(`${name}: cannot read ${file}`);
  }
  try {
    if (kind === 'private') privateKeyFrom(pem);
    else publicKeyFrom(pem);
  } catch {
    throw configError(`${name}: ${file} is not a PEM ${kind === 'private' ? 'private key' : 'public key or certificate'}`);
  }
  return pem;
}

/** "serial=path.pem,serial2=path2.pem" → serial → PEM. */
function platformKeys(spec: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const part of spec
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)) {
    const i = part.indexOf('=');
    const serial = part.slice(0, i).trim();
    const file = part.slice(i + 1).trim();
    if (i <= 0 || !serial || !file) throw configError('WECHATPAY_PLATFORM_KEYS must be serial=path.pem[,serial=path.pem…]');
    out[serial] = readPem(file, 'WECHATPAY_PLATFORM_KEYS', 'public');
  }
  if (!Object.keys(out).length) throw configError('WECHATPAY_PLATFORM_KEYS names no key');
  return out;
}

export function paymentConfigFrom(env: NodeJS.ProcessEnv, prod: boolean): PaymentConfig {
  const kind = env.CERTDESK_PAY || 'sandbox';
  if (kind !== 'sandbox' && kind !== 'live') throw configError('CERTDESK_PAY must be sandbox or live');
  if (kind === 'sandbox') return { kind: 'sandbox' };
  const missing = [...LIVE_PAY_ENV, 'CERTDESK_PUBLIC_URL'].filter((k) => !env[k]);
  if (missing.length) throw configError(`CERTDESK_PAY=live needs ${missing.join(', ')}`);
  const publicUrl = env.CERTDESK_PUBLIC_URL!.replace(/\/+$/, '');
  // The providers only deliver notifications to HTTPS (WeChat Pay requires it; Alipay recommends it).
  if (prod && !publicUrl.startsWith('https://')) throw configError('CERTDESK_PAY=live needs an https:// CERTDESK_PUBLIC_URL');
  const apiV3Key = env.WECHATPAY_APIV3_KEY!;
  if (Buffer.byteLength(apiV3Key, 'utf8') !== 32) throw configError('WECHATPAY_APIV3_KEY must be the 32-character APIv3 key');
  const url = (name: string, fallback: string) => {
    const v = env[name] || fallback;
    if (!/^https:\/\/[^/]+/.test(v)) throw configError(`${name} must be an https:// URL`);
    return v;
  };
  return {
    kind: 'live',
    wechat: {
      mchid: env.WECHATPAY_MCHID!,
      appid: env.WECHATPAY_APPID!,
      mchSerial: env.WECHATPAY_MCH_SERIAL!,
      mchPrivateKeyPem: readPem(env.WECHATPAY_MCH_KEY_FILE!, 'WECHATPAY_MCH_KEY_FILE', 'private'),
      apiV3Key,
      platformKeys: platformKeys(env.WECHATPAY_PLATFORM_KEYS!),
      baseUrl: url('WECHATPAY_BASE_URL', 'https://api.mch.weixin.qq.com'),
      notifyUrl: `${publicUrl}/api/payments/notify/wechat`,
    },
    alipay: {
      appId: env.ALIPAY_APP_ID!,
      sellerId: env.ALIPAY_SELLER_ID!,
      appPrivateKeyPem: readPem(env.ALIPAY_APP_KEY_FILE!, 'ALIPAY_APP_KEY_FILE', 'private'),
      alipayPublicKeyPem: readPem(env.ALIPAY_PUBLIC_KEY_FILE!, 'ALIPAY_PUBLIC_KEY_FILE', 'public'),
      gateway: url('ALIPAY_GATEWAY', 'https://openapi.alipay.com/gateway.do'),
      notifyUrl: `${publicUrl}/api/payments/notify/alipay`,
    },
  };
}
