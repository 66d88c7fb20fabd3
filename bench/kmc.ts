/**
 * The key management centre on SoftSDF (issue 19): encryption key pairs generated, escrowed under the device KEK
 * and enveloped (GM/T 0016 ENVELOPEDKEYBLOB) per second — SdfKmc.generate, what one 制证 of a pair project asks
 * — against the device's raw GenerateKeyPair_ECC in the same run, and its steps apart: the escrow
 * (GenerateKeyWithKEK + SDF_Encrypt + DestroyKey), the envelope (GenerateRandom + SM4 + ExternalEncrypt_ECC),
 * and a re-envelope from escrow (key recovery: ImportKeyWithKEK + SDF_Decrypt + d·G check + envelope).
 *
 *   npx tsx bench/kmc.ts          (~3 s per case; BENCH_SECONDS to change)
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { encodeEnvelopedKeyBlob, encryptPrivateKeyField } from '../src/ca/kmc/envelope.js';
import { SdfKmc } from '../src/ca/kmc/kmc.js';
import { SdfSession } from '../src/ca/sdf/sdf.js';
import { SHARED_TOOLS } from '../src/ca/testing/oracles.js';
import { rate as rateOf } from './rate.js';

/** Per second, the rows lined up at 72 characters. */
const rate = (name: string, fn: () => Promise<unknown> | unknown) => rateOf(name, fn, 72);

const store = mkdtempSync(path.join(tmpdir(), 'certdesk-bench-kmc-'));
try {
  execFileSync(path.join(SHARED_TOOLS, 'softsdf/bin/softsdfinit'), ['-kek', '1', '-key', '1', '-pass', 'bench-pass'], { cwd: store });
  const session = SdfSession.open({ library: path.join(SHARED_TOOLS, 'softsdf/lib/libsoftsdf.so'), workingDirectory: store });
  const kmc = new SdfKmc(session, 1);
  const recipient = session.exportSignPublicKey(1); // a UKEY's signing public key stands in
  const raw = await rate('SoftSDF GenerateKeyPair_ECC (raw)', () => session.generateKeyPairEcc().privateKey.fill(0));
  const sample = session.generateKeyPairEcc();
  await rate('  escrow: GenerateKeyWithKEK + SDF_Encrypt(d) + DestroyKey', () => {
    const k = session.generateKeyWithKek(1);
    session.encrypt(k, sample.privateKey, session.generateRandom(16));
    session.destroyKey(k);
  });
  await rate('  envelope: GenerateRandom + SM4-ECB + ExternalEncrypt_ECC', () => {
    const sk = session.generateRandom(16);
    encodeEnvelopedKeyBlob({
      encryptedPrivateKey: encryptPrivateKeyField(sk, sample.privateKey),
      publicKey: sample.publicKey,
      cipher: session.externalEncryptEcc(recipient, sk),
    });
  });
  const full = await rate('KMC generate: key pair + escrow + envelope (SdfKmc.generate)', () => kmc.generate(recipient));
  const pair = await kmc.generate(recipient);
  await rate('KMC re-envelope from escrow (key recovery)', () => kmc.envelope(pair.escrow, recipient));
  console.log(`KMC generate runs at ${((full / raw) * 100).toFixed(0)}% of the raw key generation rate`);
  sample.privateKey.fill(0);
  session.close();
} finally {
  rmSync(store, { recursive: true, force: true });
}
