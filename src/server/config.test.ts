import { describe, expect, it } from 'vitest';
import { assertServable, ConfigError, loadConfig } from './config.js';

const SECRET = 'x'.repeat(40);

describe('configuration', () => {
  it('defaults to development with demo data, PGlite and sandbox SMS', () => {
    const c = loadConfig({});
    expect(c).toMatchObject({ env: 'development', port: 3000, demoData: true, sms: { kind: 'sandbox' } });
    expect(c.databaseUrl).toBeUndefined();
  });

  it.each([
    ['no secret', { NODE_ENV: 'production' }, /CERTDESK_SECRET/],
    ['a short secret', { NODE_ENV: 'production', CERTDESK_SECRET: 'short' }, /CERTDESK_SECRET/],
    ['a fixed captcha', { NODE_ENV: 'production', CERTDESK_SECRET: SECRET, CERTDESK_CAPTCHA_FIXED: 'abcd' }, /CAPTCHA_FIXED/],
    ['demo data', { NODE_ENV: 'production', CERTDESK_SECRET: SECRET, CERTDESK_DEMO_DATA: '1' }, /DEMO_DATA/],
    ['Aliyun SMS without credentials', { CERTDESK_SMS: 'aliyun' }, /ALIYUN_SMS_ACCESS_KEY_ID/],
    [
      'Aliyun SMS without a template code',
      {
        CERTDESK_SMS: 'aliyun',
        ALIYUN_SMS_ACCESS_KEY_ID: 'i',
        ALIYUN_SMS_ACCESS_KEY_SECRET: 's',
        ALIYUN_SMS_SIGN_NAME: 'n',
        ALIYUN_SMS_TEMPLATE_RESET: 'r',
      },
      /ALIYUN_SMS_TEMPLATE_REVIEW_PASSED/,
    ],
    ['a bad port', { PORT: 'eighty' }, /PORT/],
    ['a bad captcha setting', { CERTDESK_CAPTCHA_FIXED: 'a b' }, /CERTDESK_CAPTCHA_FIXED/],
  ])('refuses %s', (_n, env, msg) => {
    expect(() => loadConfig(env)).toThrow(ConfigError);
    expect(() => loadConfig(env)).toThrow(msg);
  });

  it('accepts a production configuration and seeds no demo data there', () => {
    const c = loadConfig({ NODE_ENV: 'production', CERTDESK_SECRET: SECRET, DATABASE_URL: 'postgres://x@h/db' });
    expect(c.demoData).toBe(false);
    expect(c.captchaFixed).toBeUndefined();
  });

  it('configures the real Aliyun adapter from the environment', () => {
    const c = loadConfig({
      CERTDESK_SMS: 'aliyun',
      ALIYUN_SMS_ACCESS_KEY_ID: 'id',
      ALIYUN_SMS_ACCESS_KEY_SECRET: 'secret',
      ALIYUN_SMS_SIGN_NAME: '江西CA',
      ALIYUN_SMS_TEMPLATE_RESET: 'SMS_123',
      ALIYUN_SMS_TEMPLATE_REVIEW_PASSED: 'SMS_124',
      ALIYUN_SMS_TEMPLATE_REVIEW_FAILED: 'SMS_125',
      ALIYUN_SMS_TEMPLATE_PAID: 'SMS_128',
      ALIYUN_SMS_TEMPLATE_PAPER_FAILED: 'SMS_126',
      ALIYUN_SMS_TEMPLATE_SHIPPED: 'SMS_127',
      ALIYUN_SMS_TEMPLATE_REVOCATION_CODE: 'SMS_129',
      ALIYUN_SMS_TEMPLATE_EXPIRY_REMINDER: 'SMS_130',
      ALIYUN_SMS_TEMPLATE_RENEWAL_CODE: 'SMS_131',
      ALIYUN_SMS_TEMPLATE_UKEY_UNLOCK_CODE: 'SMS_132',
    });
    expect(c.sms).toMatchObject({
      kind: 'aliyun',
      signName: '江西CA',
      templates: {
        password_reset: 'SMS_123',
        review_passed: 'SMS_124',
        review_failed: 'SMS_125',
        paid: 'SMS_128',
        paper_failed: 'SMS_126',
        shipped: 'SMS_127',
        revocation_code: 'SMS_129',
        expiry_reminder: 'SMS_130',
        renewal_code: 'SMS_131',
        ukey_unlock_code: 'SMS_132',
      },
    });
  });

  it('will not serve production without an explicit SMS choice', () => {
    const env = { NODE_ENV: 'production', CERTDESK_SECRET: SECRET };
    expect(() => assertServable(loadConfig(env), env)).toThrow(/CERTDESK_SMS must be set in production/);
    // E-mail must be chosen too (adapters/mail/smtp.test.ts); here it is, so only SMS is in question.
    expect(() => assertServable(loadConfig({ ...env, CERTDESK_MAIL: 'sandbox' }), { ...env, CERTDESK_MAIL: 'sandbox' })).toThrow(
      /CERTDESK_SMS must be set in production/,
    );
    // Payments must be chosen too (adapters/payment/config.test.ts): a staging site chooses all three.
    const staging = {
      ...env,
      CERTDESK_SMS: 'sandbox',
      CERTDESK_MAIL: 'sandbox',
      CERTDESK_PAY: 'sandbox',
      CERTDESK_PUBLIC_URL: 'https://ca.example.cn',
      CERTDESK_SIGNER_URL: 'unix:/run/certdesk/signer.sock',
    };
    expect(() => assertServable(loadConfig(staging), staging)).not.toThrow();
    expect(() => assertServable(loadConfig({}), {})).not.toThrow();
  });

  it('will not serve production without CERTDESK_PUBLIC_URL (links and QR codes would follow the forgeable Host header)', () => {
    const env = {
      NODE_ENV: 'production',
      CERTDESK_SECRET: SECRET,
      CERTDESK_SMS: 'sandbox',
      CERTDESK_MAIL: 'sandbox',
      CERTDESK_PAY: 'sandbox',
    };
    expect(() => assertServable(loadConfig(env), env)).toThrow(ConfigError);
    expect(() => assertServable(loadConfig(env), env)).toThrow(
      /^CERTDESK_PUBLIC_URL must be set in production .*never from the Host header$/,
    );
    const set = { ...env, CERTDESK_PUBLIC_URL: 'https://ca.example.cn', CERTDESK_SIGNER_URL: 'unix:/run/certdesk/signer.sock' };
    expect(() => assertServable(loadConfig(set), set)).not.toThrow();
    expect(() => loadConfig({ ...set, CERTDESK_PUBLIC_URL: 'ca.example.cn' })).toThrow(/CERTDESK_PUBLIC_URL/);
    // Development and tests still fall back to the request's host.
    expect(() => assertServable(loadConfig({ NODE_ENV: 'development' }), {})).not.toThrow();
  });

  it('will not serve production without the CA signer, and a process that signs through it may not hold the KEK (issue 17)', () => {
    const env = {
      NODE_ENV: 'production',
      CERTDESK_SECRET: SECRET,
      CERTDESK_SMS: 'sandbox',
      CERTDESK_MAIL: 'sandbox',
      CERTDESK_PAY: 'sandbox',
      CERTDESK_PUBLIC_URL: 'https://ca.example.cn',
    };
    expect(() => assertServable(loadConfig(env), env)).toThrow(/^CERTDESK_SIGNER_URL must be set in production/);
    const viaSocket = { ...env, CERTDESK_SIGNER_URL: 'unix:/run/certdesk/signer.sock' };
    expect(() => assertServable(loadConfig(viaSocket), viaSocket)).not.toThrow();
    expect(loadConfig(viaSocket).ca).toMatchObject({
      kek: null,
      kekSource: 'none',
      signer: { kind: 'unix', socketPath: '/run/certdesk/signer.sock' },
    });
    const kek = Buffer.from(Array.from({ length: 32 }, (_, i) => i + 1)).toString('base64');
    expect(() => loadConfig({ ...viaSocket, CERTDESK_CA_KEK: kek })).toThrow(/belong to the signer only/);
    // A development process that signs through the signer derives no KEK either.
    expect(loadConfig({ NODE_ENV: 'development', CERTDESK_SIGNER_URL: 'unix:/tmp/s.sock' }).ca.kek).toBeNull();
  });

  it.each([
    ['a relative socket path', { CERTDESK_SIGNER_URL: 'unix:signer.sock' }, /absolute socket path/],
    ['plain http', { CERTDESK_SIGNER_URL: 'http://signer:7443' }, /unix:\/path\/to\/signer.sock or https:\/\/host:port/],
    ['https without client certificate files', { CERTDESK_SIGNER_URL: 'https://signer:7443' }, /needs CERTDESK_SIGNER_TLS_CA/],
    [
      'https with an unreadable file',
      {
        CERTDESK_SIGNER_URL: 'https://signer:7443',
        CERTDESK_SIGNER_TLS_CA: '/nonexistent/ca.pem',
        CERTDESK_SIGNER_TLS_CERT: '/x',
        CERTDESK_SIGNER_TLS_KEY: '/y',
      },
      /CERTDESK_SIGNER_TLS_CA: cannot read/,
    ],
  ])('refuses a signer address with %s', (_what, env, message) => {
    expect(() => loadConfig({ NODE_ENV: 'development', ...env })).toThrow(message);
  });
});
