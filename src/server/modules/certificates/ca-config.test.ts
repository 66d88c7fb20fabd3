import { randomBytes } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../config.js';
import { AppError } from '../../../core/errors.js';
import { ANY_POLICY, DEFAULT_OCSP_MEMORY_MB, caConfigFrom } from './ca-config.js';
import { caRuntime } from './ca-runtime.js';

const KEK = randomBytes(32).toString('base64');

describe('CA configuration', () => {
  it('outside production: a KEK derived from the secret (stable), auto-init on, both default families, anyPolicy', () => {
    const a = caConfigFrom({}, false, '/data');
    expect(a).toMatchObject({
      dir: '/data/ca',
      kekSource: 'derived',
      autoInit: true,
      families: ['sm2', 'ecdsa-p256'],
      policyOid: ANY_POLICY,
    });
    expect(a.kek!.length).toBe(32);
    expect(caConfigFrom({}, false, '/data').kek!.equals(a.kek!)).toBe(true);
    expect(caConfigFrom({ CERTDESK_SECRET: 'another secret of enough length....' }, false, '/data').kek!.equals(a.kek!)).toBe(false);
    expect(a.baseUrl).toBe('http://localhost:3000');
  });

  it('in production: no derived KEK (the CA stays locked), and auto-init is refused', () => {
    expect(caConfigFrom({}, true, '/data')).toMatchObject({ kek: null, kekSource: 'none', autoInit: false });
    expect(() => caConfigFrom({ CERTDESK_CA_AUTO_INIT: '1' }, true, '/data')).toThrow(ConfigError);
    expect(caConfigFrom({ CERTDESK_CA_KEK: KEK }, true, '/data')).toMatchObject({ kekSource: 'env' });
  });

  it('reads the KEK from a file, and refuses a short, non-random or unreadable one', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'certdesk-kek-'));
    writeFileSync(path.join(dir, 'kek'), `${KEK}\n`);
    const c = caConfigFrom({ CERTDESK_CA_KEK_FILE: path.join(dir, 'kek') }, true, '/data');
    expect(c.kek!.toString('base64')).toBe(KEK);
    expect(() => caConfigFrom({ CERTDESK_CA_KEK: 'c2hvcnQ=' }, true, '/data')).toThrow(/32 random bytes/);
    expect(() => caConfigFrom({ CERTDESK_CA_KEK: Buffer.alloc(32, 7).toString('base64') }, true, '/data')).toThrow(/not random/);
    expect(() => caConfigFrom({ CERTDESK_CA_KEK_FILE: path.join(dir, 'missing') }, true, '/data')).toThrow(/cannot read/);
  });

  it('takes families, policy OID, directory and public URL from the environment, and refuses bad ones', () => {
    const c = caConfigFrom(
      {
        CERTDESK_CA_FAMILIES: 'sm2, rsa-2048,sm2',
        CERTDESK_CA_POLICY_OID: '1.2.156.112559.1.1',
        CERTDESK_CA_DIR: '/srv/ca',
        CERTDESK_PUBLIC_URL: 'https://ca.example.cn/',
      },
      false,
      '/data',
    );
    expect(c).toMatchObject({
      families: ['sm2', 'rsa-2048'],
      policyOid: '1.2.156.112559.1.1',
      dir: '/srv/ca',
      baseUrl: 'https://ca.example.cn',
    });
    expect(() => caConfigFrom({ CERTDESK_CA_FAMILIES: 'sm9' }, false, '/data')).toThrow(/CERTDESK_CA_FAMILIES/);
    expect(() => caConfigFrom({ CERTDESK_CA_POLICY_OID: 'policy' }, false, '/data')).toThrow(/CERTDESK_CA_POLICY_OID/);
  });

  it.each([
    // [CERTDESK_OCSP_MEMORY_MB, bytes kept, or the error]
    [undefined, DEFAULT_OCSP_MEMORY_MB * 1024 * 1024],
    ['', DEFAULT_OCSP_MEMORY_MB * 1024 * 1024],
    ['64', 64 * 1024 * 1024],
    ['0.5', 512 * 1024],
    ['0', /CERTDESK_OCSP_MEMORY_MB/],
    ['-1', /CERTDESK_OCSP_MEMORY_MB/],
    ['lots', /CERTDESK_OCSP_MEMORY_MB/],
    ['100000', /CERTDESK_OCSP_MEMORY_MB/],
  ])('CERTDESK_OCSP_MEMORY_MB=%j → %s', (value, expected) => {
    const env = value === undefined ? {} : { CERTDESK_OCSP_MEMORY_MB: value };
    if (expected instanceof RegExp) expect(() => caConfigFrom(env, false, '/data')).toThrow(expected);
    else expect(caConfigFrom(env, false, '/data').ocspMemoryBytes).toBe(expected);
  });
});

describe('a CA that is not ready', () => {
  it.each([
    ['no CA in the directory (production never creates one)', { CERTDESK_CA_KEK: randomBytes(32).toString('base64') }, /CA 目录中没有 CA/],
    ['no KEK', {}, /未配置 CA 密钥加密密钥/],
  ])('%s: 503 SERVICE_UNAVAILABLE for staff, the server path only in the logged cause', async (_what, env, message) => {
    const dir = path.join(mkdtempSync(path.join(tmpdir(), 'certdesk-no-ca-')), 'ca');
    const config = caConfigFrom({ CERTDESK_CA_DIR: dir, CERTDESK_CA_AUTO_INIT: '0', ...env }, true, tmpdir());
    const e = (await caRuntime(config).catch((err: unknown) => err)) as AppError;
    expect(e).toBeInstanceOf(AppError);
    expect(e).toMatchObject({ code: 'SERVICE_UNAVAILABLE', status: 503 });
    expect(e.message).toMatch(message);
    expect(e.message).not.toContain(dir);
  });

  it('the SDF device (issue 19): read for the process that holds the keys, refused beside CERTDESK_SIGNER_URL, bad settings named', () => {
    const sdf = { CERTDESK_SDF_LIBRARY: '/opt/hsm/libsdf.so', CERTDESK_SDF_PASSWORD: 'device-pass', CERTDESK_CA_SDF_KEYS: 'issuing=1' };
    const c = caConfigFrom({ CERTDESK_CA_KEK: KEK, ...sdf }, true, '/data');
    expect(c.sdf?.library).toBe('/opt/hsm/libsdf.so');
    expect(c.sdf?.roles).toEqual({ issuing: 1 });
    expect(JSON.stringify(c)).not.toContain('device-pass');
    expect(caConfigFrom({ CERTDESK_CA_KEK: KEK }, true, '/data').sdf).toBeUndefined();
    expect(() => caConfigFrom({ CERTDESK_SIGNER_URL: 'unix:/run/s.sock', ...sdf }, true, '/data')).toThrow(/belong to the signer only/);
    expect(() => caConfigFrom({ CERTDESK_CA_KEK: KEK, ...sdf, CERTDESK_CA_SDF_KEYS: 'root=1' }, true, '/data')).toThrow(ConfigError);
    expect(() => caConfigFrom({ CERTDESK_CA_KEK: KEK, CERTDESK_SDF_LIBRARY: '/opt/hsm/libsdf.so' }, true, '/data')).toThrow(
      /CERTDESK_SDF_PASSWORD/,
    );
  });

  it('the KMC’s KEK (docs/kmc.md): read with the device, a number, never beside CERTDESK_SIGNER_URL nor without the device', () => {
    const sdf = { CERTDESK_SDF_LIBRARY: '/opt/hsm/libsdf.so', CERTDESK_SDF_PASSWORD: 'device-pass' };
    expect(caConfigFrom({ CERTDESK_CA_KEK: KEK, ...sdf, CERTDESK_KMC_KEK_INDEX: '3' }, true, '/data').sdf?.kmcKekIndex).toBe(3);
    expect(caConfigFrom({ CERTDESK_CA_KEK: KEK, ...sdf }, true, '/data').sdf?.kmcKekIndex).toBeUndefined();
    expect(() => caConfigFrom({ CERTDESK_CA_KEK: KEK, ...sdf, CERTDESK_KMC_KEK_INDEX: 'one' }, true, '/data')).toThrow(
      /CERTDESK_KMC_KEK_INDEX/,
    );
    expect(() => caConfigFrom({ CERTDESK_CA_KEK: KEK, CERTDESK_KMC_KEK_INDEX: '1' }, true, '/data')).toThrow(/CERTDESK_SDF_LIBRARY/);
    expect(() => caConfigFrom({ CERTDESK_SIGNER_URL: 'unix:/run/s.sock', CERTDESK_KMC_KEK_INDEX: '1' }, true, '/data')).toThrow(
      /belongs to the signer only/,
    );
  });

  it('the PKCS#11 token (issue 17): read for the process that holds the keys, refused beside CERTDESK_SIGNER_URL, bad settings named', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'certdesk-p11-pin-'));
    writeFileSync(path.join(dir, 'pin'), 'token-pin-4821\n');
    const p11 = {
      CERTDESK_PKCS11_MODULE: '/usr/lib/softhsm/libsofthsm2.so',
      CERTDESK_PKCS11_TOKEN_LABEL: 'certdesk-ca',
      CERTDESK_PKCS11_PIN_FILE: path.join(dir, 'pin'),
      CERTDESK_CA_PKCS11_KEYS: 'issuing,ocsp',
    };
    const c = caConfigFrom({ CERTDESK_CA_KEK: KEK, ...p11 }, true, '/data');
    expect(c.pkcs11?.module).toBe('/usr/lib/softhsm/libsofthsm2.so');
    expect(c.pkcs11?.roles).toEqual(['issuing', 'ocsp']);
    expect(JSON.stringify(c)).not.toContain('token-pin-4821');
    expect(caConfigFrom({ CERTDESK_CA_KEK: KEK }, true, '/data').pkcs11).toBeUndefined();
    // The web tier signs through the signer: any of the token's settings beside CERTDESK_SIGNER_URL is refused.
    expect(() => caConfigFrom({ CERTDESK_SIGNER_URL: 'unix:/run/s.sock', ...p11 }, true, '/data')).toThrow(
      /CERTDESK_PKCS11_\* belong to the signer only/,
    );
    expect(() =>
      caConfigFrom({ CERTDESK_SIGNER_URL: 'unix:/run/s.sock', CERTDESK_PKCS11_PIN_FILE: p11.CERTDESK_PKCS11_PIN_FILE }, true, '/data'),
    ).toThrow(ConfigError);
    expect(() => caConfigFrom({ CERTDESK_CA_KEK: KEK, ...p11, CERTDESK_CA_PKCS11_KEYS: 'root' }, true, '/data')).toThrow(ConfigError);
    expect(() => caConfigFrom({ CERTDESK_CA_KEK: KEK, ...p11, CERTDESK_PKCS11_PIN_FILE: '' }, true, '/data')).toThrow(
      /CERTDESK_PKCS11_PIN_FILE/,
    );
  });
});
