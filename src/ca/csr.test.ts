import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseCsr } from './csr.js';
import { openssl, tempDir } from './testing/openssl.js';
import { gmssl } from './testing/oracles.js';

const tmp = tempDir();
afterAll(() => tmp.remove());

async function csr(name: string, genArgs: string[], reqArgs: string[] = []): Promise<string> {
  const key = tmp.path(`${name}.key`);
  await openssl(['genpkey', ...genArgs, '-out', key]);
  const out = tmp.path(`${name}.csr`);
  await openssl(['req', '-new', '-key', key, '-subj', '/C=CN/O=南昌某某公司/CN=南昌某某公司', '-utf8', '-out', out, ...reqArgs]);
  return readFileSync(out, 'utf8');
}

const made: Record<string, string> = {};
beforeAll(async () => {
  const [sm2, sm2NoId, p256, rsa, rsa1024, p384] = await Promise.all([
    csr('sm2', ['-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:SM2'], ['-sm3', '-sigopt', 'distid:1234567812345678']),
    csr('sm2-noid', ['-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:SM2'], ['-sm3']),
    csr('p256', ['-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256'], ['-sha256']),
    csr('rsa', ['-algorithm', 'RSA', '-pkeyopt', 'rsa_keygen_bits:2048'], ['-sha256']),
    csr('rsa1024', ['-algorithm', 'RSA', '-pkeyopt', 'rsa_keygen_bits:1024'], ['-sha256']),
    csr('p384', ['-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-384'], ['-sha256']),
  ]);
  Object.assign(made, { sm2, sm2NoId, p256, rsa, rsa1024, p384 });
});

describe('parseCsr', () => {
  it.each([
    ['sm2', 'sm2'],
    ['p256', 'ecdsa-p256'],
    ['rsa', 'rsa-2048'],
  ])('%s request made by openssl: proof of possession checked, key family %s', (name, alg) => {
    const r = parseCsr(made[name]!);
    expect(r.ok && r.algorithm).toBe(alg);
    if (r.ok) expect(r.subject).toMatchObject({ C: 'CN', O: '南昌某某公司', CN: '南昌某某公司' });
    // DER works as well as PEM.
    const der = Buffer.from(made[name]!.replace(/-----[^-]+-----|\s/g, ''), 'base64');
    expect(parseCsr(der).ok).toBe(true);
  });

  it.each([
    ['sm2NoId', /1234567812345678/],
    ['rsa1024', /1024 位不足 2048 位/],
    ['p384', /不支持的椭圆曲线 1\.3\.132\.0\.34/],
  ])('%s is refused: %s', (name, reason) => {
    const r = parseCsr(made[name]!);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.reason).toMatch(reason);
  });

  it('refuses a request whose signed part was altered, and garbage', () => {
    const der = Buffer.from(made.p256!.replace(/-----[^-]+-----|\s/g, ''), 'base64');
    const i = der.indexOf(Buffer.from('南昌', 'utf8'));
    der[i + 1] = der[i + 1]! ^ 1;
    const r = parseCsr(der);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.reason).toMatch(/签名验证失败/);
    expect(parseCsr('hello').ok).toBe(false);
    expect(parseCsr(new Uint8Array([0x30, 0x03, 0x02, 0x01, 0x00])).ok).toBe(false);
  });
});

describe('CSRs made by GmSSL reqgen (what Chinese USB-key tools are built on)', () => {
  it.each(['3.1.1', 'master'] as const)('GmSSL %s sm2keygen + reqgen: accepted as SM2 with proof of possession', async (v) => {
    const key = tmp.path(`gmssl-${v}.key`);
    const out = tmp.path(`gmssl-${v}.csr`);
    const k = await gmssl(v, ['sm2keygen', '-pass', 'P@ssw0rd', '-out', key]);
    expect(k.code, k.out).toBe(0);
    const r = await gmssl(v, [
      'reqgen',
      '-C',
      'CN',
      '-O',
      '南昌某某公司',
      '-CN',
      '南昌某某公司',
      '-key',
      key,
      '-pass',
      'P@ssw0rd',
      '-out',
      out,
    ]);
    expect(r.code, r.out).toBe(0);
    const parsed = parseCsr(readFileSync(out, 'utf8'));
    expect(parsed.ok, JSON.stringify(parsed)).toBe(true);
    if (parsed.ok) expect(parsed.algorithm).toBe('sm2');
  });
});
