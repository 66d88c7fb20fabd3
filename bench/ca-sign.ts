/**
 * Certificate build-and-sign rate against raw signing with the same pre-loaded key (issue 6 goal: build and
 * sign at least 0.25x the raw signing rate), per family; the pre-signing lint alone and build + lint + sign
 * (issue 21 item 5: build + lint + sign at least cfssl's HTTP sign rate in the same run). For reference: raw
 * SM2 through sm-crypto alone (its own SM3 + Z per call) and through node:crypto (which signs SM2 with an
 * empty ID, so the CA cannot use it — shown only to put the sm-crypto figure in context).
 *
 * The peer: cfssl's `serve` (/api/v1/cfssl/sign, a throwaway P-256 CA made by openssl, a P-256 CSR, logging
 * at warning) loaded by wrk with 16 connections, interleaved with CertDesk's build + lint + sign in
 * BENCH_ROUNDS rounds (medians). cfssl has no SM2; it is the P-256 peer for both families. CertDesk's figure
 * is one core in this process; cfssl and wrk share the machine's cores. Install the peer (bench only):
 *   apt-get install golang-cfssl wrk
 * Without them the peer is skipped and the reason printed.
 *
 *   npx tsx bench/ca-sign.ts            (one core; ~3 s per case; BENCH_SECONDS, BENCH_ROUNDS=3)
 */
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { generateKeyPairSync, sign as nodeSign } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { sm2 } from 'sm-crypto';
import { encodeTbs, EKU, keyIdentifier, signCertificate, type CertificateInput } from '../src/ca/cert/build.js';
import { lintTbs } from '../src/ca/cert/lint.js';
import { subscriberProfile } from '../src/ca/cert/profiles.js';
import { encodeName } from '../src/ca/cert/name.js';
import { newSerial } from '../src/ca/cert/serial.js';
import type { KeyAlgorithm } from '../src/ca/signer/port.js';
import { generateSigningKey, softwareSigner } from '../src/ca/signer/software.js';
import { spkiPublicKeyBits } from '../src/ca/spki.js';
import { scratchDir } from './scratch-dir.js';

const SECONDS = Number(process.env.BENCH_SECONDS || 3);
const ROUNDS = Number(process.env.BENCH_ROUNDS || 3);
const isMain = Boolean(process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href);
const POLICY = '1.2.156.112570.1.1';
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1]!;

/** Calls per second of `fn`, one at a time, over `seconds` (after a warm-up), printed with `name`. */
export async function rate(name: string, fn: () => Promise<unknown> | unknown, seconds = SECONDS): Promise<number> {
  for (let i = 0; i < 50; i++) await fn(); // warm-up
  let n = 0;
  const t0 = performance.now();
  const end = t0 + seconds * 1000;
  while (performance.now() < end) {
    for (let i = 0; i < 20; i++) await fn();
    n += 20;
  }
  const perSec = n / ((performance.now() - t0) / 1000);
  console.log(`${name.padEnd(58)}${perSec.toFixed(0).padStart(9)} /s`);
  return perSec;
}

const issuerName = encodeName({ C: 'CN', O: '江西省数字证书有限公司', CN: '江西省数字证书有限公司 签发 CA' });
const at = new Date('2026-11-21T00:00:00Z');
const summary: string[] = [];
const buildLintSign = new Map<KeyAlgorithm, () => Promise<unknown>>();

/** cfssl serve with a throwaway P-256 CA in a scratch folder; load() runs wrk against its sign API. */
/**
 * cfssl serve with a throwaway P-256 CA in a scratch folder; load() runs wrk (16 connections, `seconds`)
 * against its sign API. A string: why the peer cannot run here.
 */
export async function startCfssl(seconds = SECONDS): Promise<string | { load(round: number): Promise<number>; stop(): void }> {
  for (const tool of ['cfssl', 'wrk', 'openssl'])
    if (spawnSync('sh', ['-c', `command -v ${tool}`]).status !== 0) return `${tool} is not installed (apt-get install golang-cfssl wrk)`;
  const dir = scratchDir('certdesk-bench-cfssl-');
  const f = (name: string) => path.join(dir, name);
  const openssl = (...args: string[]) => execFileSync('openssl', args, { stdio: 'ignore' });
  openssl('ecparam', '-name', 'prime256v1', '-genkey', '-noout', '-out', f('ca-key.pem'));
  openssl('req', '-x509', '-new', '-key', f('ca-key.pem'), '-subj', '/C=CN/O=Bench/CN=Bench CA', '-days', '30', '-out', f('ca.pem'));
  openssl('ecparam', '-name', 'prime256v1', '-genkey', '-noout', '-out', f('sub-key.pem'));
  openssl(
    'req',
    '-new',
    '-utf8',
    '-key',
    f('sub-key.pem'),
    '-subj',
    '/C=CN/O=江西基准测试有限公司/CN=江西基准测试有限公司/serialNumber=91360100MA35XQ7T6B',
    '-out',
    f('sub.csr'),
  );
  const usages = ['digital signature', 'content commitment', 'client auth', 'email protection'];
  writeFileSync(
    f('config.json'),
    JSON.stringify({
      signing: { default: { expiry: '8760h', usages, ocsp_url: 'http://ca.bench/ocsp', crl_url: 'http://ca.bench/crl/0.crl' } },
    }),
  );
  writeFileSync(f('body.json'), JSON.stringify({ certificate_request: execFileSync('cat', [f('sub.csr')]).toString() }));
  writeFileSync(
    f('post.lua'),
    `local f = io.open("${f('body.json')}", "r"); wrk.body = f:read("*a"); f:close()\nwrk.method = "POST"; wrk.headers["Content-Type"] = "application/json"\n`,
  );
  const port = 20000 + Math.floor(Math.random() * 20000);
  const url = `http://127.0.0.1:${port}/api/v1/cfssl/sign`;
  const child = spawn(
    'cfssl',
    [
      'serve',
      '-loglevel',
      '2',
      '-address',
      '127.0.0.1',
      '-port',
      String(port),
      '-ca',
      f('ca.pem'),
      '-ca-key',
      f('ca-key.pem'),
      '-config',
      f('config.json'),
    ],
    { stdio: 'ignore' },
  );
  process.on('exit', () => child.kill());
  const body = execFileSync('cat', [f('body.json')]);
  for (let i = 0; ; i++) {
    const ok = await fetch(url, { method: 'POST', body, headers: { 'content-type': 'application/json' } })
      .then(async (r) => r.ok && ((await r.json()) as { success: boolean }).success)
      .catch(() => false);
    if (ok) break;
    if (i > 100 || child.exitCode !== null) return 'cfssl serve did not answer a sign request';
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    async load(round) {
      const out = await new Promise<string>((resolve, reject) => {
        let text = '';
        const w = spawn('wrk', ['-t', '1', '-c', '16', '-d', `${seconds}s`, '-s', f('post.lua'), url]);
        w.stdout.on('data', (c: Buffer) => (text += c.toString()));
        w.on('error', reject);
        w.on('close', () => resolve(text));
      });
      if (/Non-2xx/.test(out)) throw new Error(`cfssl answered errors:\n${out}`);
      const perSec = Number(/Requests\/sec:\s+([\d.]+)/.exec(out)?.[1]);
      console.log(`${`peer: cfssl serve sign API, 16 connections (round ${round})`.padEnd(58)}${perSec.toFixed(0).padStart(9)} /s`);
      return perSec;
    },
    stop: () => child.kill(),
  };
}

/**
 * CertDesk's certificate path for `family` with a pre-loaded issuing key of its own: a fresh serial, name and
 * extensions per call (64 subscriber keys in turn), encodeTbs, lintTbs against the subscriber profile,
 * signCertificate — and the pieces for the breakdown.
 */
export async function certificatePath(family: KeyAlgorithm) {
  const issuerKey = await generateSigningKey(family);
  // A different subscriber key per certificate, as in production (64 in turn: nothing is cached per key).
  const subjectKeys = await Promise.all(Array.from({ length: 64 }, () => generateSigningKey(family)));
  let k = 0;
  const signer = softwareSigner(issuerKey);
  const aki = keyIdentifier(issuerKey.publicKeySpki);
  const profile = subscriberProfile(family, { policyOids: [POLICY] });
  const input = (subjectKey = subjectKeys[k++ & 63]!): CertificateInput => ({
    serial: newSerial(),
    issuer: issuerName,
    subject: { C: 'CN', O: '江西赣江新区示范科技发展有限责任公司', CN: '江西赣江新区示范科技发展有限责任公司', uscc: '91360100MA35XQ7T6B' },
    notBefore: at,
    notAfter: new Date('2027-11-20T23:59:59Z'),
    spki: subjectKey.publicKeySpki,
    signatureAlgorithm: signer.signatureAlgorithm,
    extensions: {
      keyUsage: ['digitalSignature', 'nonRepudiation'],
      extKeyUsage: [EKU.clientAuth, EKU.emailProtection],
      subjectKeyId: keyIdentifier(subjectKey.publicKeySpki),
      authorityKeyId: aki,
      crlDistributionPoint: 'https://ca.example.cn/crl/x/0.crl',
      ocspUrl: 'https://ca.example.cn/ocsp',
      caIssuersUrl: 'https://ca.example.cn/ca/x.cer',
      policyOids: [POLICY],
      uscc: '91360100MA35XQ7T6B',
    },
  });
  const sampleTbs = encodeTbs(input());
  const problems = lintTbs(sampleTbs, profile);
  if (problems.length) throw new Error(`bench TBS fails the lint: ${problems.map((p) => p.code).join(', ')}`);
  const buildLintSignOne = async () => {
    const tbs = encodeTbs(input());
    if (lintTbs(tbs, profile).length) throw new Error('lint');
    return signCertificate(tbs, signer);
  };
  return { signer, input, profile, sampleTbs, buildLintSign: buildLintSignOne, next: () => k++ };
}

if (isMain) {
  for (const family of ['ecdsa-p256', 'sm2'] as KeyAlgorithm[]) {
    const { signer, input, profile, sampleTbs, buildLintSign: one, next } = await certificatePath(family);
    const raw = await rate(`${family}: raw sign of a ${sampleTbs.length}-byte TBS (pre-loaded key)`, () => signer.sign(sampleTbs));
    const encodeOnly = await rate(`${family}: encodeTbs only (serial + name + extensions)`, () => encodeTbs(input()));
    const built = await rate(`${family}: encodeTbs + signCertificate`, () => signCertificate(encodeTbs(input()), signer));
    const tbsPool = Array.from({ length: 64 }, () => encodeTbs(input()));
    const lintOnly = await rate(`${family}: lintTbs only (parse + profile + key check)`, () => lintTbs(tbsPool[next() & 63]!, profile));
    summary.push(
      `${family}: build-and-sign ${built.toFixed(0)}/s = ${(built / raw).toFixed(2)}x raw ${raw.toFixed(0)}/s (goal ≥ 0.25x); encode alone ${encodeOnly.toFixed(0)}/s; lint alone ${lintOnly.toFixed(0)}/s`,
    );
    buildLintSign.set(family, one);
  }
  // build + lint + sign against the peer, interleaved rounds.
  const peer = await startCfssl();
  const rounds: Record<string, number[]> = { cfssl: [] };
  for (let r = 0; r < ROUNDS; r++) {
    for (const [family, fn] of buildLintSign)
      (rounds[family] ??= []).push(await rate(`${family}: encodeTbs + lintTbs + signCertificate (round ${r + 1})`, fn));
    if (typeof peer !== 'string') rounds.cfssl!.push(await peer.load(r + 1));
  }
  if (typeof peer === 'string') summary.push(`peer: cfssl not run — ${peer}`);
  else peer.stop();
  for (const family of buildLintSign.keys()) {
    const ours = median(rounds[family]!);
    summary.push(
      `${family}: build + lint + sign ${ours.toFixed(0)}/s (median of ${ROUNDS})` +
        (rounds.cfssl!.length
          ? ` = ${(ours / median(rounds.cfssl!)).toFixed(2)}x cfssl serve /api/v1/cfssl/sign ${median(rounds.cfssl!).toFixed(0)}/s (P-256, 16 connections; goal ≥ 1x)`
          : ''),
    );
  }

  // SM2 reference: sm-crypto doing everything itself vs node:crypto (empty ID: not usable by the CA).
  {
    const key = await generateSigningKey('sm2');
    const data = Buffer.alloc(700, 7);
    const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'SM2' });
    const pkcs8 = Buffer.from(key.privateKeyPkcs8);
    const privHex = pkcs8.subarray(pkcs8.length - 32 - 2 - 66 - 2 - 32, pkcs8.length - 2 - 66 - 2).toString('hex');
    const pubHex = Buffer.from(spkiPublicKeyBits(key.publicKeySpki)).toString('hex');
    const ourSigner = softwareSigner(key);
    const ours = await rate('sm2: CertDesk signer (node SM3 + OpenSSL kG + BigInt)', () => ourSigner.sign(data));
    const smc = await rate('sm2: sm-crypto doSignature(hash: true, der: true, userId)', () =>
      sm2.doSignature(Array.from(data), privHex, { hash: true, der: true, publicKey: pubHex, userId: '1234567812345678' }),
    );
    const node = await rate('sm2: node:crypto sign (empty ID — reference only)', () => nodeSign(null, data, privateKey));
    summary.push(`sm2 raw: CertDesk signer ${ours.toFixed(0)}/s, sm-crypto alone ${smc.toFixed(0)}/s, node:crypto ${node.toFixed(0)}/s`);
  }
  console.log('\n' + summary.join('\n'));
}
