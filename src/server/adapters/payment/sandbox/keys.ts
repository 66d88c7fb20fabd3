/**
 * The sandbox's identities and keys: a WeChat Pay merchant (its API key pair and certificate serial, the
 * APIv3 key) with the "platform" key pair that signs answers and notifications, and an Alipay application
 * key pair with the "Alipay" key pair. RSA-2048, generated on first use and stored in sandbox_pay_keys
 * (insert if absent, then re-read), so every instance of the app uses the same ones.
 */
import { createPublicKey, generateKeyPair, randomBytes } from 'node:crypto';
import { promisify } from 'node:util';
import type { Db } from '../../../db/client.js';
import { sandboxPayRepository as repo } from './repository.js';

const generate = promisify(generateKeyPair);

/** The sandbox merchant's ids (public: they open nothing but the sandbox). */
export const SANDBOX_IDS = {
  mchid: '1900009191',
  appid: 'wxcertdesk0sandbox',
  alipayAppId: '2021000100000001',
  alipaySellerId: '2088000100000001',
} as const;

export interface SandboxKeys {
  wechat: {
    mchid: string;
    appid: string;
    mchSerial: string;
    mchPrivatePem: string;
    mchPublicPem: string;
    apiV3Key: string;
    platformSerial: string;
    platformPrivatePem: string;
    platformPublicPem: string;
  };
  alipay: {
    appId: string;
    sellerId: string;
    appPrivatePem: string;
    appPublicPem: string;
    alipayPrivatePem: string;
    alipayPublicPem: string;
  };
}

const RSA_KEYS = ['wechat.mch', 'wechat.platform', 'alipay.app', 'alipay.alipay'] as const;

async function rsaPem(): Promise<string> {
  const { privateKey } = await generate('rsa', { modulusLength: 2048 });
  return privateKey.export({ type: 'pkcs8', format: 'pem' }) as string;
}
const serial = () => randomBytes(20).toString('hex').toUpperCase();
const publicPem = (privatePem: string) => createPublicKey(privatePem).export({ type: 'spki', format: 'pem' }) as string;

async function load(db: Db): Promise<SandboxKeys> {
  let stored = await repo.keys(db);
  const missing: Record<string, string> = {};
  for (const name of RSA_KEYS) if (!stored.has(name)) missing[name] = await rsaPem();
  if (!stored.has('wechat.mch_serial')) missing['wechat.mch_serial'] = serial();
  if (!stored.has('wechat.platform_serial')) missing['wechat.platform_serial'] = `PUB_KEY_ID_${serial()}`;
  // The APIv3 key is 32 characters (it is used as the AES-256 key's bytes).
  if (!stored.has('wechat.apiv3_key')) missing['wechat.apiv3_key'] = randomBytes(24).toString('base64url').slice(0, 32);
  if (Object.keys(missing).length) {
    await repo.insertKeys(db, missing);
    stored = await repo.keys(db);
  }
  const get = (k: string) => stored.get(k)!;
  return {
    wechat: {
      mchid: SANDBOX_IDS.mchid,
      appid: SANDBOX_IDS.appid,
      mchSerial: get('wechat.mch_serial'),
      mchPrivatePem: get('wechat.mch'),
      mchPublicPem: publicPem(get('wechat.mch')),
      apiV3Key: get('wechat.apiv3_key'),
      platformSerial: get('wechat.platform_serial'),
      platformPrivatePem: get('wechat.platform'),
      platformPublicPem: publicPem(get('wechat.platform')),
    },
    alipay: {
      appId: SANDBOX_IDS.alipayAppId,
      sellerId: SANDBOX_IDS.alipaySellerId,
      appPrivatePem: get('alipay.app'),
      appPublicPem: publicPem(get('alipay.app')),
      alipayPrivatePem: get('alipay.alipay'),
      alipayPublicPem: publicPem(get('alipay.alipay')),
    },
  };
}

const cache = new WeakMap<Db, Promise<SandboxKeys>>();
export function sandboxKeys(db: Db): Promise<SandboxKeys> {
  let p = cache.get(db);
  if (!p) {
    p = load(db);
    cache.set(db, p);
    p.catch(() => cache.delete(db));
  }
  return p;
}
