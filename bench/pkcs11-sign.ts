/**
 * ECDSA P-256 and RSA-2048 signatures per second through the PKCS#11 token (SoftHSM2, one session, signing
 * synchronously on the event loop: Pkcs11Token) against the software signer, in the same run (issue 17).
 * SoftHSM2 is software too: a real HSM's figures are the vendor's, this measures CertDesk's overhead.
 *
 *   npx tsx bench/pkcs11-sign.ts          (~3 s per case; BENCH_SECONDS to change)
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Pkcs11Token } from '../src/ca/signer/pkcs11.js';
import { generateSigningKey, softwareSigner } from '../src/ca/signer/software.js';
import { rate as rateOf } from './rate.js';

const LIBRARY = process.env.CERTDESK_TEST_PKCS11_LIB || '/usr/lib/softhsm/libsofthsm2.so';

/** Per second, the rows lined up at 50 characters. */
const rate = (name: string, fn: () => Promise<unknown> | unknown) => rateOf(name, fn, 50);

const dir = mkdtempSync(path.join(tmpdir(), 'certdesk-bench-p11-'));
try {
  mkdirSync(path.join(dir, 'tokens'));
  const conf = path.join(dir, 'softhsm2.conf');
  writeFileSync(conf, `directories.tokendir = ${path.join(dir, 'tokens')}\nobjectstore.backend = file\nlog.level = ERROR\n`);
  process.env.SOFTHSM2_CONF = conf;
  execFileSync('softhsm2-util', ['--init-token', '--free', '--label', 'bench', '--pin', '1234', '--so-pin', '5678']);
  const token = Pkcs11Token.open({ library: LIBRARY, tokenLabel: 'bench', pin: '1234' });
  const tbs = Buffer.alloc(700, 0x5a); // about a certificate's TBS
  for (const alg of ['ecdsa-p256', 'rsa-2048'] as const) {
    token.generateKeyPair(`bench-${alg}`, alg);
    const hsm = token.signer(`bench-${alg}`, alg);
    const software = softwareSigner(await generateSigningKey(alg));
    await rate(`${alg} sign, software signer`, () => software.sign(tbs));
    await rate(`${alg} sign, SoftHSM2 through Pkcs11Token`, () => hsm.sign(tbs));
  }
  token.close();
} finally {
  rmSync(dir, { recursive: true, force: true });
}
