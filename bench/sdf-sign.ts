/**
 * SM2 signatures per second through the SDF device port (SoftSDF: InternalSign_ECC on e = SM3(Z‖M), one
 * session, calls one at a time off the event loop) against the software signer, in the same run; and the
 * device's raw GenerateKeyPair_ECC rate (the KMC's starting point, issue 19).
 *
 *   npx tsx bench/sdf-sign.ts          (~3 s per case; BENCH_SECONDS to change)
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { SdfSession } from '../src/ca/sdf/sdf.js';
import { sdfSigner } from '../src/ca/sdf/signer.js';
import { generateSigningKey, softwareSigner } from '../src/ca/signer/software.js';
import { SHARED_TOOLS } from '../src/ca/testing/oracles.js';

const SECONDS = Number(process.env.BENCH_SECONDS || 3);

async function rate(name: string, fn: () => Promise<unknown> | unknown, parallel = 1): Promise<number> {
  for (let i = 0; i < 20; i++) await fn(); // warm-up
  let n = 0;
  const t0 = performance.now();
  const end = t0 + SECONDS * 1000;
  while (performance.now() < end) {
    await Promise.all(Array.from({ length: parallel }, () => fn()));
    n += parallel;
  }
  const perSec = n / ((performance.now() - t0) / 1000);
  console.log(`${name.padEnd(60)}${perSec.toFixed(0).padStart(8)} /s`);
  return perSec;
}

const store = mkdtempSync(path.join(tmpdir(), 'certdesk-bench-sdf-'));
try {
  execFileSync(path.join(SHARED_TOOLS, 'softsdf/bin/softsdfinit'), ['-kek', '1', '-key', '1', '-pass', 'bench-pass'], { cwd: store });
  const session = SdfSession.open({ library: path.join(SHARED_TOOLS, 'softsdf/lib/libsoftsdf.so'), workingDirectory: store });
  const device = sdfSigner(session, 1, 'bench-pass');
  const software = softwareSigner(await generateSigningKey('sm2'));
  const tbs = Buffer.alloc(700, 0x5a); // about a certificate's TBS
  await rate('SM2 sign, software signer (node SM3 + OpenSSL kG + BigInt)', () => software.sign(tbs));
  await rate('SM2 sign, SoftSDF InternalSign_ECC, one at a time', () => device.sign(tbs));
  await rate('SM2 sign, SoftSDF InternalSign_ECC, 16 requests in flight', () => device.sign(tbs), 16);
  await rate('SoftSDF GenerateKeyPair_ECC (raw)', () => session.generateKeyPairEcc().privateKey.fill(0));
  session.close();
} finally {
  rmSync(store, { recursive: true, force: true });
}
