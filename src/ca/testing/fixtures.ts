/**
 * Test fixtures for the CRL and OCSP encoders: a small ECDSA P-256 signer over node:crypto (benchmarks), a
 * throwaway PKI per key family (root, issuing CA, delegated OCSP responder, leaves) made with the CA core's
 * certificate encoder and software signer, and helpers to run the real openssl tool on the results.
 */
import { execFile } from 'node:child_process';
import { createPublicKey, KeyObject, sign as nodeSign } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { algorithmIdentifier, readTlv } from '../der/der.js';
import { encodeTbs, EKU, keyIdentifier, signCertificate, type CertificateInput } from '../cert/build.js';
import { encodeName } from '../cert/name.js';
import { certificatePem } from '../cert/parse.js';
import { newSerial } from '../cert/serial.js';
import type { KeyAlgorithm, Signer } from '../signer/port.js';
import { generateSigningKey, softwareSigner, type SoftwareKey } from '../signer/software.js';
import { spkiPublicKeyBits } from '../spki.js';

const run = promisify(execFile);

/** A Signer over a node:crypto P-256 private key (ecdsa-with-SHA256, DER signature). */
export function ecdsaTestSigner(privateKey: KeyObject): Signer {
  const spki = createPublicKey(privateKey).export({ type: 'spki', format: 'der' });
  return {
    algorithm: 'ecdsa-p256',
    publicKeySpki: new Uint8Array(spki),
    signatureAlgorithm: algorithmIdentifier('1.2.840.10045.4.3.2'),
    sign: async (data) => nodeSign('sha256', data, { key: privateKey, dsaEncoding: 'der' }),
  };
}

export interface TestCa {
  der: Uint8Array;
  pem: string;
  key: SoftwareKey;
  signer: Signer;
  /** subject Name, DER */
  nameDer: Uint8Array;
  /** subjectKeyIdentifier */
  keyId: Uint8Array;
  /** the subjectPublicKey BIT STRING contents (what OCSP's issuerKeyHash / responder byKey hash) */
  spkiKeyBytes: Uint8Array;
}

export interface TestLeaf {
  der: Uint8Array;
  pem: string;
  serial: Uint8Array;
}

export interface TestPki {
  algorithm: KeyAlgorithm;
  root: TestCa;
  issuing: TestCa;
  /** Delegated OCSP responder, issued by `issuing` (EKU OCSPSigning, id-pkix-ocsp-nocheck). */
  responder: TestCa;
  /** An unrelated CA under the same root (for "other issuer" checks). */
  other: TestCa;
  issueLeaf(opts?: { crlUrl?: string; ocspUrl?: string; cn?: string }): Promise<TestLeaf>;
}

/**
 * Root → issuing CA → { delegated OCSP responder, leaves } of one key family, valid from an hour ago for a
 * year, built with the CA core's own certificate encoder and software signer (SM2 with the standard ID).
 */
export async function makeTestPki(algorithm: KeyAlgorithm = 'ecdsa-p256', now = new Date()): Promise<TestPki> {
  const notBefore = new Date(Math.floor(now.getTime() / 1000) * 1000 - 3600_000);
  const notAfter = new Date(notBefore.getTime() + 365 * 86400_000);
  const make = async (
    cn: string,
    parent: TestCa | undefined,
    extensions: Omit<CertificateInput['extensions'], 'subjectKeyId' | 'authorityKeyId'>,
    key?: SoftwareKey,
  ) => {
    key ??= await generateSigningKey(algorithm);
    const nameDer = encodeName({ C: 'CN', O: 'CertDesk Test', CN: cn });
    const keyId = keyIdentifier(key.publicKeySpki);
    const signer = parent?.signer ?? softwareSigner(key);
    const serial = newSerial();
    const tbs = encodeTbs({
      serial,
      issuer: parent?.nameDer ?? nameDer,
      subject: nameDer,
      notBefore,
      notAfter,
      spki: key.publicKeySpki,
      signatureAlgorithm: signer.signatureAlgorithm,
      extensions: { ...extensions, subjectKeyId: keyId, authorityKeyId: parent?.keyId ?? keyId },
    });
    const der = await signCertificate(tbs, signer);
    return { der, pem: certificatePem(der), key, nameDer, keyId, spkiKeyBytes: spkiPublicKeyBits(key.publicKeySpki), serial };
  };
  const ca = async (cn: string, parent?: TestCa): Promise<TestCa> => {
    const c = await make(cn, parent, {
      basicConstraints: { ca: true, pathLength: parent ? 0 : 1 },
      keyUsage: ['digitalSignature', 'keyCertSign', 'cRLSign'],
    });
    return { ...c, signer: softwareSigner(c.key) };
  };
  const root = await ca(`CertDesk Test Root CA ${algorithm}`);
  const issuing = await ca(`CertDesk Test Issuing CA ${algorithm}`, root);
  const other = await ca(`CertDesk Test Other CA ${algorithm}`, root);
  const r = await make(`CertDesk Test OCSP Responder ${algorithm}`, issuing, {
    basicConstraints: { ca: false },
    keyUsage: ['digitalSignature'],
    extKeyUsage: [EKU.ocspSigning],
    ocspNoCheck: true,
  });
  const responder: TestCa = { ...r, signer: softwareSigner(r.key) };
  return {
    algorithm,
    root,
    issuing,
    responder,
    other,
    async issueLeaf(opts = {}) {
      const leaf = await make(opts.cn ?? 'leaf', issuing, {
        keyUsage: ['digitalSignature'],
        extKeyUsage: [EKU.clientAuth],
        crlDistributionPoint: opts.crlUrl,
        ocspUrl: opts.ocspUrl,
      });
      return { der: leaf.der, pem: leaf.pem, serial: leaf.serial };
    },
  };
}

/** A temporary directory, removed by `cleanup`. */
export async function tempDir(
  prefix = 'certdesk-ca-',
): Promise<{ dir: string; file: (name: string, data: string | Uint8Array) => Promise<string>; cleanup: () => Promise<void> }> {
  const dir = await mkdtemp(path.join(tmpdir(), prefix));
  return {
    dir,
    file: async (name, data) => {
      const p = path.join(dir, name);
      await writeFile(p, data);
      return p;
    },
    cleanup: () => rm(dir, { recursive: true, force: true }),
  };
}

/** Runs openssl; resolves with stdout+stderr and the exit code (never rejects on a non-zero exit). */
export async function openssl(args: string[], cwd?: string): Promise<{ code: number; out: string }> {
  try {
    const { stdout, stderr } = await run('openssl', args, { cwd, maxBuffer: 256 * 1024 * 1024 });
    return { code: 0, out: stdout + stderr };
  } catch (e) {
    const err = e as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof err.code === 'number' ? err.code : 1, out: (err.stdout ?? '') + (err.stderr ?? '') };
  }
}

/** The signed part, signature algorithm and signature of a CRL / certificate / BasicOCSPResponse (SEQUENCE { tbs, alg, BIT STRING, ... }). */
export function splitSigned(der: Uint8Array): { tbs: Uint8Array; signature: Uint8Array } {
  const outer = readTlv(der, 0);
  const tbs = readTlv(der, outer.start);
  const alg = readTlv(der, tbs.end);
  const sig = readTlv(der, alg.end);
  return { tbs: der.subarray(outer.start, tbs.end), signature: der.subarray(sig.start + 1, sig.end) };
}

/** `openssl pkeyutl -verify` of an SM2 signature with the standard ID 1234567812345678 (GM/T 0009). */
export async function opensslVerifySm2(
  spki: Uint8Array,
  data: Uint8Array,
  signature: Uint8Array,
  dir: string,
  distid = '1234567812345678',
): Promise<boolean> {
  const tag = Math.random().toString(36).slice(2);
  const spkiFile = path.join(dir, `${tag}.spki`);
  const dataFile = path.join(dir, `${tag}.data`);
  const sigFile = path.join(dir, `${tag}.sig`);
  await Promise.all([writeFile(spkiFile, spki), writeFile(dataFile, data), writeFile(sigFile, signature)]);
  const r = await openssl([
    'pkeyutl',
    '-verify',
    '-pubin',
    '-keyform',
    'DER',
    '-inkey',
    spkiFile,
    '-in',
    dataFile,
    '-sigfile',
    sigFile,
    '-rawin',
    '-digest',
    'sm3',
    '-pkeyopt',
    `distid:${distid}`,
  ]);
  return r.code === 0 && r.out.includes('Signature Verified Successfully');
}
