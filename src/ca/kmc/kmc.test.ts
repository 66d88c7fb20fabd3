/**
 * The KMC over SoftSDF (../shared/tools/softsdf, a GM/T 0018 device nobody here wrote), checked by GmSSL master:
 * the envelope opens with the recipient's signing key (a GmSSL key, as a UKEY holds its own) and gives the very
 * private key of the pair the device made; what GmSSL encrypts to that public key (sm2encrypt, cmsencrypt) opens
 * with it. The escrow opens only in the device with its KEK, and re-envelopes (key recovery) for another key.
 */
import { createPublicKey } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pemToDer } from '../cert/parse.js';
import { sm2Spki } from '../sdf/signer.js';
import { SdfSession } from '../sdf/sdf.js';
import { spkiPublicKeyBits } from '../spki.js';
import { gmsslOpenEnvelope } from '../testing/envelope-oracle.js';
import { openssl, tempDir } from '../testing/fixtures.js';
import { generateSigningKey } from '../signer/software.js';
import { gmsslEncryptedKeyPem } from '../testing/gmssl-key.js';
import { gmssl, runTool, SHARED_TOOLS } from '../testing/oracles.js';
import { parseEnvelopedKeyBlob, sm2PublicPoint } from './envelope.js';
import { SdfKmc } from './kmc.js';
import { openEnvelope, sm2Pkcs8, sm2PrivateScalar } from './open-envelope.js';

const SOFTSDF = path.join(SHARED_TOOLS, 'softsdf');
const PASSWORD = 'Kmc-Dev1ce-19';
const UKEY_PASS = 'Ukey-Pin-2026';

let tmp: Awaited<ReturnType<typeof tempDir>>;
let store: string;
let session: SdfSession;
let kmc: SdfKmc;

/** A UKEY's signing key pair, made by GmSSL: its key file and public point. */
async function ukey(name: string): Promise<{ keyPem: string; point: Uint8Array }> {
  const keyPem = path.join(tmp.dir, `${name}.pem`);
  const pubPem = path.join(tmp.dir, `${name}-pub.pem`);
  const r = await gmssl('master', ['sm2keygen', '-pass', UKEY_PASS, '-out', keyPem, '-pubout', pubPem]);
  expect(r.code, r.out).toBe(0);
  return { keyPem, point: spkiPublicKeyBits(pemToDer(await readFile(pubPem, 'latin1'), 'PUBLIC KEY')) };
}

beforeAll(async () => {
  tmp = await tempDir('certdesk-kmc-');
  store = path.join(tmp.dir, 'device');
  await (await import('node:fs/promises')).mkdir(store);
  for (const i of [1, 2]) {
    const r = await runTool(path.join(SOFTSDF, 'bin', 'softsdfinit'), ['-kek', String(i), '-key', String(i), '-pass', PASSWORD], {
      cwd: store,
    });
    expect(r.code, r.out).toBe(0);
  }
  session = SdfSession.open({ library: path.join(SOFTSDF, 'lib', 'libsoftsdf.so'), workingDirectory: store });
  kmc = new SdfKmc(session, 1);
});
afterAll(async () => {
  session?.close();
  await tmp?.cleanup();
});

describe('KMC on SoftSDF', () => {
  it('makes an SM2 pair whose ENVELOPEDKEYBLOB GmSSL opens with the UKEY’s signing key, giving the pair’s private key', async () => {
    const key = await ukey('ukey1');
    const pair = await kmc.generate(key.point);
    expect(pair.envelope).toHaveLength(388);
    const opened = await gmsslOpenEnvelope(pair.envelope, key.keyPem, UKEY_PASS, tmp.dir, 'k1');
    expect(opened.version).toBe(1);
    expect(opened.symmAlgId).toBe(0x401); // SGD_SM4_ECB
    expect(opened.bits).toBe(256);
    expect(opened.padding.equals(Buffer.alloc(32))).toBe(true);
    expect(opened.publicKey.equals(Buffer.from(pair.publicKey))).toBe(true);
    // The recovered private key belongs to the pair's public key: GmSSL encrypts to the public key and
    // decrypts with the recovered key (sm2 and CMS).
    expect(sm2PublicPoint(opened.d).equals(Buffer.from(pair.publicKey))).toBe(true);
    const pubPem = await tmp.file(
      'enc1-pub.pem',
      createPublicKey({ key: Buffer.from(sm2Spki(pair.publicKey)), format: 'der', type: 'spki' }).export({
        type: 'spki',
        format: 'pem',
      }) as string,
    );
    const dKey = await tmp.file('enc1-key.pem', gmsslEncryptedKeyPem(opened.d, pair.publicKey, 'Recovered-1'));
    const msg = await tmp.file('bid.txt', '投标文件：报价 1,234,567.00 元');
    const c = path.join(tmp.dir, 'bid.sm2');
    expect((await gmssl('master', ['sm2encrypt', '-pubkey', pubPem, '-in', msg, '-out', c])).code).toBe(0);
    const back = path.join(tmp.dir, 'bid.out');
    const dec = await gmssl('master', ['sm2decrypt', '-key', dKey, '-pass', 'Recovered-1', '-in', c, '-out', back]);
    expect(dec.code, dec.out).toBe(0);
    expect(await readFile(back, 'utf8')).toBe('投标文件：报价 1,234,567.00 元');
    // Another UKEY's key does not open it.
    const other = await ukey('ukey-other');
    await expect(gmsslOpenEnvelope(pair.envelope, other.keyPem, UKEY_PASS, tmp.dir, 'k1x')).rejects.toThrow(/sm2decrypt/);
  });

  it('escrows the private key as ciphertext only: not in any field, and a second pair is a different key', async () => {
    const key = await ukey('ukey2');
    const a = await kmc.generate(key.point);
    const b = await kmc.generate(key.point);
    expect(Buffer.from(a.publicKey).equals(Buffer.from(b.publicKey))).toBe(false);
    const d = (await gmsslOpenEnvelope(a.envelope, key.keyPem, UKEY_PASS, tmp.dir, 'k2')).d;
    const everything = Buffer.concat([
      a.escrow.wrappedKey,
      a.escrow.iv,
      a.escrow.encryptedPrivateKey,
      a.escrow.publicKey,
      a.envelope,
      Buffer.from(JSON.stringify(a)),
    ]);
    expect(everything.indexOf(d)).toBe(-1);
    expect(everything.toString('latin1')).not.toContain(d.toString('hex'));
    expect(a.escrow.kekIndex).toBe(1);
  });

  it('re-envelopes an escrowed key for another recipient (key recovery): GmSSL opens it with that key, the same private key', async () => {
    const first = await ukey('ukey3');
    const pair = await kmc.generate(first.point);
    const replacement = await ukey('ukey3-new');
    const again = await kmc.envelope(pair.escrow, replacement.point);
    const d1 = (await gmsslOpenEnvelope(pair.envelope, first.keyPem, UKEY_PASS, tmp.dir, 'k3a')).d;
    const d2 = (await gmsslOpenEnvelope(again, replacement.keyPem, UKEY_PASS, tmp.dir, 'k3b')).d;
    expect(d2.equals(d1)).toBe(true);
    // Under another KEK (a different device's, or an altered record) the escrow does not open.
    await expect(kmc.envelope({ ...pair.escrow, kekIndex: 2 }, replacement.point)).rejects.toThrow();
    const altered = Buffer.from(pair.escrow.encryptedPrivateKey);
    altered[0]! ^= 1;
    await expect(kmc.envelope({ ...pair.escrow, encryptedPrivateKey: altered }, replacement.point)).rejects.toThrow(/does not open/);
  });

  it('openEnvelope (a system-generated soft key) agrees with GmSSL; sm2Pkcs8 is a key OpenSSL reads', async () => {
    // The 系统生成 path: the signing key is made in software (node), the KMC envelopes for it.
    const soft = await generateSigningKey('sm2');
    const point = spkiPublicKeyBits(soft.publicKeySpki);
    const pair = await kmc.generate(point);
    const softPem = await tmp.file('soft.pem', gmsslEncryptedKeyPem(sm2PrivateScalar(soft.privateKeyPkcs8), point, 'Soft-Key-1'));
    const byGmssl = await gmsslOpenEnvelope(pair.envelope, softPem, 'Soft-Key-1', tmp.dir, 'k4');
    const ours = openEnvelope(pair.envelope, soft.privateKeyPkcs8);
    expect(ours.privateKey.equals(byGmssl.d)).toBe(true);
    expect(Buffer.from(ours.publicKey).equals(Buffer.from(pair.publicKey))).toBe(true);
    expect(parseEnvelopedKeyBlob(pair.envelope).cipher.ciphertext).toHaveLength(16);
    // Opening with another key fails rather than returning garbage.
    const stranger = (await generateSigningKey('sm2')).privateKeyPkcs8;
    expect(() => openEnvelope(pair.envelope, stranger)).toThrow();
    const der = await tmp.file('k4.p8', sm2Pkcs8(byGmssl.d, pair.publicKey));
    const pub = path.join(tmp.dir, 'k4.pub');
    const o = await openssl(['pkey', '-inform', 'DER', '-in', der, '-pubout', '-outform', 'DER', '-out', pub]);
    expect(o.code, o.out).toBe(0);
    expect(Buffer.from(spkiPublicKeyBits(await readFile(pub))).equals(Buffer.from(pair.publicKey))).toBe(true);
  });
});
