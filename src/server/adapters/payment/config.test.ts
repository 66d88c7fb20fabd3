/** CERTDESK_PAY and the merchant settings: sandbox by default outside production, explicit in production. */
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, assertServable, loadConfig } from '../../config.js';

const dir = mkdtempSync(path.join(tmpdir(), 'certdesk-pay-'));
const pair = (name: string) => {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  writeFileSync(path.join(dir, `${name}.key.pem`), privateKey.export({ type: 'pkcs8', format: 'pem' }));
  writeFileSync(path.join(dir, `${name}.pub.pem`), publicKey.export({ type: 'spki', format: 'pem' }));
  return { key: path.join(dir, `${name}.key.pem`), pub: path.join(dir, `${name}.pub.pem`) };
};
const mch = pair('mch');
const platform = pair('platform');
const app = pair('app');
const ali = pair('alipay');

const live = {
  CERTDESK_PAY: 'live',
  CERTDESK_PUBLIC_URL: 'https://zs.jxca.example.cn',
  WECHATPAY_MCHID: '1900000109',
  WECHATPAY_APPID: 'wxd678efh567hg6787',
  WECHATPAY_MCH_SERIAL: '5157F09EFDC096DE15EBE81A47057A7232F1B8E1',
  WECHATPAY_MCH_KEY_FILE: mch.key,
  WECHATPAY_APIV3_KEY: 'a'.repeat(32),
  WECHATPAY_PLATFORM_KEYS: `PUB_KEY_ID_0114232134912410000000000000=${platform.pub}`,
  ALIPAY_APP_ID: '2021000000000001',
  ALIPAY_SELLER_ID: '2088000000000001',
  ALIPAY_APP_KEY_FILE: app.key,
  ALIPAY_PUBLIC_KEY_FILE: ali.pub,
};
const base = { NODE_ENV: 'test', CERTDESK_DATA_DIR: '/tmp/certdesk-test' };
const prod = {
  NODE_ENV: 'production',
  CERTDESK_SECRET: 'x'.repeat(40),
  CERTDESK_STORAGE_KEY: randomBytes(32).toString('base64'),
  CERTDESK_DATA_DIR: '/tmp/certdesk-test',
};

describe('payment configuration', () => {
  it('is the sandbox by default outside production', () => {
    expect(loadConfig(base).payments).toEqual({ kind: 'sandbox' });
  });

  it('live reads the merchant settings and key files; notify URLs from CERTDESK_PUBLIC_URL', () => {
    const p = loadConfig({ ...base, ...live }).payments;
    if (p.kind !== 'live') throw new Error('expected live');
    expect(p.wechat).toMatchObject({
      mchid: '1900000109',
      baseUrl: 'https://api.mch.weixin.qq.com',
      notifyUrl: 'https://zs.jxca.example.cn/api/payments/notify/wechat',
    });
    expect(Object.keys(p.wechat.platformKeys)).toEqual(['PUB_KEY_ID_0114232134912410000000000000']);
    expect(p.alipay).toMatchObject({
      appId: '2021000000000001',
      gateway: 'https://openapi.alipay.com/gateway.do',
      notifyUrl: 'https://zs.jxca.example.cn/api/payments/notify/alipay',
    });
  });

  it.each<[string, Record<string, string>, RegExp]>([
    ['an unknown kind', { CERTDESK_PAY: 'paypal' }, /CERTDESK_PAY must be sandbox or live/],
    ['live without a setting', { ...live, ALIPAY_SELLER_ID: '' }, /needs ALIPAY_SELLER_ID/],
    [
      'live without CERTDESK_PUBLIC_URL',
      Object.fromEntries(Object.entries(live).filter(([k]) => k !== 'CERTDESK_PUBLIC_URL')),
      /needs CERTDESK_PUBLIC_URL/,
    ],
    ['an APIv3 key that is not 32 characters', { ...live, WECHATPAY_APIV3_KEY: 'short' }, /WECHATPAY_APIV3_KEY/],
    ['an unreadable key file', { ...live, WECHATPAY_MCH_KEY_FILE: path.join(dir, 'missing.pem') }, /cannot read/],
    ['a public key where the private key goes', { ...live, ALIPAY_APP_KEY_FILE: ali.pub }, /not a PEM private key/],
    ['platform keys without serials', { ...live, WECHATPAY_PLATFORM_KEYS: platform.pub }, /serial=path\.pem/],
    ['a plain-http gateway', { ...live, ALIPAY_GATEWAY: 'http://openapi.alipay.com/gateway.do' }, /ALIPAY_GATEWAY must be an https/],
  ])('refuses %s', (_name, env, message) => {
    expect(() => loadConfig({ ...base, ...env })).toThrow(ConfigError);
    expect(() => loadConfig({ ...base, ...env })).toThrow(message);
  });

  it('production must choose CERTDESK_PAY explicitly', () => {
    const env = { ...prod, CERTDESK_SMS: 'sandbox', CERTDESK_MAIL: 'sandbox' };
    expect(() => assertServable(loadConfig(env), env)).toThrow(/CERTDESK_PAY must be set in production/);
    // CERTDESK_PUBLIC_URL is required in production too (config.test.ts); here it is the payment choice that matters.
    const chosen = {
      ...env,
      CERTDESK_PAY: 'sandbox',
      CERTDESK_PUBLIC_URL: 'https://zs.jxca.example.cn',
      CERTDESK_SIGNER_URL: 'unix:/run/certdesk/signer.sock',
    };
    expect(() => assertServable(loadConfig(chosen), chosen)).not.toThrow();
    const liveProd = { ...env, ...live };
    expect(loadConfig(liveProd).payments.kind).toBe('live');
    expect(() => loadConfig({ ...liveProd, CERTDESK_PUBLIC_URL: 'http://zs.jxca.example.cn' })).toThrow(/https/);
  });
});
