/**
 * The SDF device port (GM/T 0018, 密码设备应用接口: the interface of Chinese server HSMs, 服务器密码机),
 * reached through koffi (FFI into the vendor's shared library; no compiler, no native add-on of ours).
 *
 * What is bound: device and session open/close, GetPrivateKeyAccessRight (the key's password), the SM2
 * signing and encryption public keys of a key index, InternalSign_ECC (the caller hashes: e = SM3(Z‖M), the
 * device signs e), GenerateRandom, and for the key management centre GenerateKeyPair_ECC, ExternalEncrypt_ECC
 * (SM2 encryption to a given public key: the session key of an envelope),
 * GenerateKeyWithKEK / ImportKeyWithKEK (an SM4 session key wrapped under a device-held KEK), Encrypt /
 * Decrypt under such a key, DestroyKey. Every non-zero return becomes an SdfError carrying the SDR_* name.
 *
 * Structures are passed as byte buffers laid out as sdf.h declares them (#pragma pack(1), ECCref_MAX_LEN 64:
 * a 256-bit coordinate sits right-aligned in 64 bytes).
 *
 * Working directory: some devices find their key store relative to the process's working directory
 * (SoftSDF reads sm2sign-<i>.pem, kek-<i>.key … from the cwd at GetPrivateKeyAccessRight,
 * Export*PublicKey_ECC, GenerateKeyWithKEK). `workingDirectory` makes the adapter enter that directory for
 * exactly the duration of each synchronous call and leave it after (nothing else runs meanwhile: one JS
 * thread), so the rest of the process keeps its own cwd.
 *
 * Passwords are passed to the device and dropped: they never appear in an error, a log or a returned object.
 */
import koffi, { type LibraryHandle } from 'koffi';
import { octetString, sequence, unsignedInteger } from '../der/der.js';

type KoffiFunction = ReturnType<LibraryHandle['func']>;

/** GM/T 0018 return codes (sdf.h), by value. */
export const SDR = {
  SDR_OK: 0x0,
  SDR_UNKNOWERR: 0x01000001,
  SDR_NOTSUPPORT: 0x01000002,
  SDR_COMMFAIL: 0x01000003,
  SDR_HARDFAIL: 0x01000004,
  SDR_OPENDEVICE: 0x01000005,
  SDR_OPENSESSION: 0x01000006,
  SDR_PARDENY: 0x01000007,
  SDR_KEYNOTEXIST: 0x01000008,
  SDR_ALGNOTSUPPORT: 0x01000009,
  SDR_ALGMODNOTSUPPORT: 0x0100000a,
  SDR_PKOPERR: 0x0100000b,
  SDR_SKOPERR: 0x0100000c,
  SDR_SIGNERR: 0x0100000d,
  SDR_VERIFYERR: 0x0100000e,
  SDR_SYMOPERR: 0x0100000f,
  SDR_STEPERR: 0x01000010,
  SDR_FILESIZEERR: 0x01000011,
  SDR_FILENOEXIST: 0x01000012,
  SDR_FILEOFSERR: 0x01000013,
  SDR_KEYTYPEERR: 0x01000014,
  SDR_KEYERR: 0x01000015,
  SDR_ENCDATAERR: 0x01000016,
  SDR_RANDERR: 0x01000017,
  SDR_PRKRERR: 0x01000018,
  SDR_MACERR: 0x01000019,
  SDR_FILEEXISTS: 0x0100001a,
  SDR_FILEWERR: 0x0100001b,
  SDR_NOBUFFER: 0x0100001c,
  SDR_INARGERR: 0x0100001d,
  SDR_OUTARGERR: 0x0100001e,
} as const;
export type SdrName = keyof typeof SDR;

const SDR_NAMES = new Map<number, SdrName>(Object.entries(SDR).map(([k, v]) => [v, k as SdrName]));

/** Algorithm identifiers (GM/T 0006, sgd.h) the port uses. */
export const SGD = { SM2_1: 0x00020200, SM2_3: 0x00020800, SM4_ECB: 0x00000401, SM4_CBC: 0x00000402 } as const;

/** A device call that returned non-zero. `sdr` is the SDR_* name, or `SDR_VENDOR_0x…` for a code outside the standard's list. */
export class SdfError extends Error {
  override name = 'SdfError';
  constructor(
    readonly call: string,
    readonly code: number,
    readonly sdr: SdrName | `SDR_VENDOR_0x${string}`,
    detail?: string,
  ) {
    super(`${call} failed: ${sdr} (0x${code.toString(16).padStart(8, '0')})${detail ? `: ${detail}` : ''}`);
  }
}

/** The private key's access right was refused: wrong password, or no such key. Never carries the password. */
export class SdfAccessDeniedError extends SdfError {
  override name = 'SdfAccessDeniedError';
}

export function sdrName(code: number): SdfError['sdr'] {
  return SDR_NAMES.get(code) ?? `SDR_VENDOR_0x${(code >>> 0).toString(16).padStart(8, '0')}`;
}

const ECC_MAX = 64; // ECCref_MAX_LEN
const ECC_PUBLIC_KEY_SIZE = 4 + 2 * ECC_MAX; // ECCrefPublicKey: bits, x, y
const ECC_PRIVATE_KEY_SIZE = 4 + ECC_MAX; // ECCrefPrivateKey: bits, K
const ECC_SIGNATURE_SIZE = 2 * ECC_MAX; // ECCSignature: r, s

type Handle = unknown;
interface Bindings {
  OpenDevice(out: [Handle]): number;
  CloseDevice(device: Handle): number;
  OpenSession(device: Handle, out: [Handle]): number;
  CloseSession(session: Handle): number;
  GenerateRandom(session: Handle, length: number, out: Buffer): number;
  GetPrivateKeyAccessRight(session: Handle, index: number, password: Buffer, length: number): number;
  ReleasePrivateKeyAccessRight(session: Handle, index: number): number;
  ExportSignPublicKey_ECC(session: Handle, index: number, out: Buffer): number;
  ExportEncPublicKey_ECC(session: Handle, index: number, out: Buffer): number;
  GenerateKeyPair_ECC(session: Handle, alg: number, bits: number, pub: Buffer, priv: Buffer): number;
  InternalSign_ECC: KoffiFunction;
  GenerateKeyWithKEK(session: Handle, bits: number, alg: number, kek: number, out: Buffer, outLen: [number], key: [Handle]): number;
  ImportKeyWithKEK(session: Handle, alg: number, kek: number, wrapped: Buffer, length: number, key: [Handle]): number;
  Encrypt(
    session: Handle,
    key: Handle,
    alg: number,
    iv: Buffer | null,
    data: Buffer,
    length: number,
    out: Buffer,
    outLen: [number],
  ): number;
  Decrypt(
    session: Handle,
    key: Handle,
    alg: number,
    iv: Buffer | null,
    data: Buffer,
    length: number,
    out: Buffer,
    outLen: [number],
  ): number;
  DestroyKey(session: Handle, key: Handle): number;
  ExternalEncrypt_ECC(session: Handle, alg: number, pub: Buffer, data: Buffer, length: number, out: Buffer): number;
}

const libraries = new Map<string, Bindings>();

function bind(library: string): Bindings {
  let b = libraries.get(library);
  if (b) return b;
  let lib: LibraryHandle;
  try {
    lib = koffi.load(library);
  } catch (e) {
    throw new SdfError('load', SDR.SDR_OPENDEVICE, 'SDR_OPENDEVICE', `cannot load the SDF library ${library}: ${(e as Error).message}`);
  }
  const f = (sig: string) => lib.func(sig);
  b = {
    OpenDevice: f('int SDF_OpenDevice(_Out_ void **phDeviceHandle)'),
    CloseDevice: f('int SDF_CloseDevice(void *hDeviceHandle)'),
    OpenSession: f('int SDF_OpenSession(void *hDeviceHandle, _Out_ void **phSessionHandle)'),
    CloseSession: f('int SDF_CloseSession(void *hSessionHandle)'),
    GenerateRandom: f('int SDF_GenerateRandom(void *hSessionHandle, uint32_t uiLength, _Out_ uint8_t *pucRandom)'),
    GetPrivateKeyAccessRight: f(
      'int SDF_GetPrivateKeyAccessRight(void *hSessionHandle, uint32_t uiKeyIndex, const uint8_t *pucPassword, uint32_t uiPwdLength)',
    ),
    ReleasePrivateKeyAccessRight: f('int SDF_ReleasePrivateKeyAccessRight(void *hSessionHandle, uint32_t uiKeyIndex)'),
    ExportSignPublicKey_ECC: f('int SDF_ExportSignPublicKey_ECC(void *hSessionHandle, uint32_t uiKeyIndex, _Out_ uint8_t *pucPublicKey)'),
    ExportEncPublicKey_ECC: f('int SDF_ExportEncPublicKey_ECC(void *hSessionHandle, uint32_t uiKeyIndex, _Out_ uint8_t *pucPublicKey)'),
    GenerateKeyPair_ECC: f(
      'int SDF_GenerateKeyPair_ECC(void *hSessionHandle, uint32_t uiAlgID, uint32_t uiKeyBits, _Out_ uint8_t *pucPublicKey, _Out_ uint8_t *pucPrivateKey)',
    ),
    InternalSign_ECC: f(
      'int SDF_InternalSign_ECC(void *hSessionHandle, uint32_t uiISKIndex, const uint8_t *pucData, uint32_t uiDataLength, _Out_ uint8_t *pucSignature)',
    ),
    GenerateKeyWithKEK: f(
      'int SDF_GenerateKeyWithKEK(void *hSessionHandle, uint32_t uiKeyBits, uint32_t uiAlgID, uint32_t uiKEKIndex, _Out_ uint8_t *pucKey, _Inout_ uint32_t *puiKeyLength, _Out_ void **phKeyHandle)',
    ),
    ImportKeyWithKEK: f(
      'int SDF_ImportKeyWithKEK(void *hSessionHandle, uint32_t uiAlgID, uint32_t uiKEKIndex, const uint8_t *pucKey, uint32_t uiKeyLength, _Out_ void **phKeyHandle)',
    ),
    Encrypt: f(
      'int SDF_Encrypt(void *hSessionHandle, void *hKeyHandle, uint32_t uiAlgID, _Inout_ uint8_t *pucIV, const uint8_t *pucData, uint32_t uiDataLength, _Out_ uint8_t *pucEncData, _Inout_ uint32_t *puiEncDataLength)',
    ),
    Decrypt: f(
      'int SDF_Decrypt(void *hSessionHandle, void *hKeyHandle, uint32_t uiAlgID, _Inout_ uint8_t *pucIV, const uint8_t *pucEncData, uint32_t uiEncDataLength, _Out_ uint8_t *pucData, _Inout_ uint32_t *puiDataLength)',
    ),
    DestroyKey: f('int SDF_DestroyKey(void *hSessionHandle, void *hKeyHandle)'),
    ExternalEncrypt_ECC: f(
      'int SDF_ExternalEncrypt_ECC(void *hSessionHandle, uint32_t uiAlgID, const uint8_t *pucPublicKey, const uint8_t *pucData, uint32_t uiDataLength, _Out_ uint8_t *pucEncData)',
    ),
  } as Bindings;
  libraries.set(library, b);
  return b;
}

/** An SM2 public key as the device gives it (ECCrefPublicKey) → the uncompressed point 04‖x‖y. */
export function eccPublicKeyPoint(ref: Uint8Array): Uint8Array {
  const bits = Buffer.from(ref.buffer, ref.byteOffset, 4).readUInt32LE(0);
  if (bits !== 256) throw new SdfError('ECCrefPublicKey', SDR.SDR_KEYTYPEERR, 'SDR_KEYTYPEERR', `a ${bits}-bit key, not SM2-256`);
  const x = ref.subarray(4 + ECC_MAX - 32, 4 + ECC_MAX);
  const y = ref.subarray(4 + 2 * ECC_MAX - 32, 4 + 2 * ECC_MAX);
  return Buffer.concat([Buffer.from([0x04]), x, y]);
}

/** 04‖x‖y → ECCrefPublicKey (bits, then x and y right-aligned in 64 bytes each). */
export function eccPublicKeyRef(point: Uint8Array): Buffer {
  if (point.length !== 65 || point[0] !== 0x04) throw new RangeError('an SM2 public key must be an uncompressed point (65 bytes)');
  const ref = Buffer.alloc(ECC_PUBLIC_KEY_SIZE);
  ref.writeUInt32LE(256, 0);
  ref.set(point.subarray(1, 33), 4 + ECC_MAX - 32);
  ref.set(point.subarray(33, 65), 4 + 2 * ECC_MAX - 32);
  return ref;
}

/** An SM2 ciphertext as ECCCipher holds it: the point C1 (x, y), the hash C3 (M) and C2 (L bytes of C). */
export interface Sm2Ciphertext {
  x: Uint8Array;
  y: Uint8Array;
  hash: Uint8Array;
  ciphertext: Uint8Array;
}

/** The GM/T 0009 SM2Cipher DER (SEQUENCE { x INTEGER, y INTEGER, hash OCTET STRING, ciphertext OCTET STRING }): what GmSSL decrypts. */
export function sm2CipherDer(c: Sm2Ciphertext): Uint8Array {
  return sequence(unsignedInteger(c.x), unsignedInteger(c.y), octetString(c.hash), octetString(c.ciphertext));
}

/** ECCCipher's fixed part: x, y, M (32), L (4); C follows (its declared size differs between vendors). */
const ECC_CIPHER_HEADER = 2 * ECC_MAX + 32 + 4;
/** Room for C: SM2 plaintexts here are keys (at most a few hundred bytes); vendors declare C[1] to C[136] or more. */
const ECC_CIPHER_MAX_C = 1024;

/** A device-made key pair (GenerateKeyPair_ECC): the private scalar leaves the device, for the KMC to wrap at once. */
export interface EccKeyPair {
  /** 04‖x‖y. */
  publicKey: Uint8Array;
  /** The 32-byte private scalar d. Sensitive: wrap it (SM4 under a KEK-wrapped key) and wipe this buffer. */
  privateKey: Buffer;
}

/** A symmetric key held by the session (GenerateKeyWithKEK / ImportKeyWithKEK); `wrapped` is what may be stored. */
export interface SdfSymmetricKey {
  readonly handle: Handle;
  /** The key encrypted under the KEK, as the device returned it (SoftSDF: IV‖SM4-CBC-padded key). */
  readonly wrapped: Uint8Array;
}

export interface SdfDeviceOptions {
  /** Path of the vendor's GM/T 0018 library, e.g. /opt/hsm/lib/libsdf.so. */
  library: string;
  /** The directory to be in during calls that read the device's key store (SoftSDF: its key files); absent: the cwd. */
  workingDirectory?: string;
}

/** One device per library per process (SoftSDF refuses a second SDF_OpenDevice), shared by reference count. */
const devices = new Map<string, { handle: Handle; users: number }>();

export class SdfSession {
  private closed = false;
  private readonly granted = new Set<number>();
  private queue: Promise<unknown> = Promise.resolve();

  private constructor(
    private readonly b: Bindings,
    private readonly deviceKey: string,
    private readonly handle: Handle,
    private readonly workingDirectory: string | undefined,
  ) {}

  /** Opens the device (once per library in the process) and a session on it. */
  static open(options: SdfDeviceOptions): SdfSession {
    const b = bind(options.library);
    const key = options.library;
    let dev = devices.get(key);
    const inDir = <T>(fn: () => T) => withCwd(options.workingDirectory, fn);
    if (!dev) {
      const out: [Handle] = [null];
      check(
        'SDF_OpenDevice',
        inDir(() => b.OpenDevice(out)),
      );
      dev = { handle: out[0], users: 0 };
      devices.set(key, dev);
    }
    const out: [Handle] = [null];
    try {
      check(
        'SDF_OpenSession',
        inDir(() => b.OpenSession(dev.handle, out)),
      );
    } catch (e) {
      if (dev.users === 0) {
        b.CloseDevice(dev.handle);
        devices.delete(key);
      }
      throw e;
    }
    dev.users++;
    return new SdfSession(b, key, out[0], options.workingDirectory);
  }

  private live(): Handle {
    if (this.closed) throw new SdfError('session', SDR.SDR_STEPERR, 'SDR_STEPERR', 'the SDF session is closed');
    return this.handle;
  }

  private inDir<T>(fn: () => T): T {
    return withCwd(this.workingDirectory, fn);
  }

  /** Releases every access right, closes the session, and the device with its last session. */
  close(): void {
    if (this.closed) return;
    for (const i of this.granted) this.b.ReleasePrivateKeyAccessRight(this.handle, i);
    this.granted.clear();
    this.b.CloseSession(this.handle);
    this.closed = true;
    const dev = devices.get(this.deviceKey);
    if (dev && --dev.users === 0) {
      this.b.CloseDevice(dev.handle);
      devices.delete(this.deviceKey);
    }
  }

  /** GetPrivateKeyAccessRight: unlocks key index `index` for this session. Wrong password → SdfAccessDeniedError. */
  getPrivateKeyAccessRight(index: number, password: string): void {
    checkIndex(index);
    if (!password) throw new SdfAccessDeniedError('SDF_GetPrivateKeyAccessRight', SDR.SDR_INARGERR, 'SDR_INARGERR', 'no password given');
    const pw = Buffer.from(password, 'utf8');
    try {
      const rc = this.inDir(() => this.b.GetPrivateKeyAccessRight(this.live(), index, pw, pw.length));
      if (rc !== 0)
        throw new SdfAccessDeniedError(
          'SDF_GetPrivateKeyAccessRight',
          rc,
          sdrName(rc),
          `key index ${index}: wrong password, or no such key in the device`,
        );
    } finally {
      pw.fill(0);
    }
    this.granted.add(index);
  }

  releasePrivateKeyAccessRight(index: number): void {
    if (!this.granted.delete(index)) return;
    check('SDF_ReleasePrivateKeyAccessRight', this.b.ReleasePrivateKeyAccessRight(this.live(), index));
  }

  /** The SM2 signing public key of `index`, 04‖x‖y. */
  exportSignPublicKey(index: number): Uint8Array {
    checkIndex(index);
    const out = Buffer.alloc(ECC_PUBLIC_KEY_SIZE);
    check(
      'SDF_ExportSignPublicKey_ECC',
      this.inDir(() => this.b.ExportSignPublicKey_ECC(this.live(), index, out)),
      `key index ${index}`,
    );
    return eccPublicKeyPoint(out);
  }

  /** The SM2 encryption public key of `index`, 04‖x‖y. */
  exportEncPublicKey(index: number): Uint8Array {
    checkIndex(index);
    const out = Buffer.alloc(ECC_PUBLIC_KEY_SIZE);
    check(
      'SDF_ExportEncPublicKey_ECC',
      this.inDir(() => this.b.ExportEncPublicKey_ECC(this.live(), index, out)),
      `key index ${index}`,
    );
    return eccPublicKeyPoint(out);
  }

  /**
   * InternalSign_ECC: the device signs the 32-byte digest `e` (= SM3(Z‖M), computed by the caller) with the
   * signing key of `index` (access right granted first). Returns r and s, 32 bytes each. Runs off the event
   * loop (a network HSM answers in milliseconds); calls on one session go one at a time. The other calls are
   * synchronous on the main thread; a device library need not be thread-safe against them (SoftSDF is not
   * for closing a session while another signs), so open sessions and unlock keys before signing starts and
   * close them after it has stopped (SdfKeyStore and the signer do).
   */
  async internalSign(index: number, e: Uint8Array): Promise<{ r: Uint8Array; s: Uint8Array }> {
    if (e.length !== 32) throw new RangeError('InternalSign_ECC signs a 32-byte SM3 digest');
    const session = this.live();
    const run = async () => {
      const sig = Buffer.alloc(ECC_SIGNATURE_SIZE);
      const rc = await new Promise<number>((resolve, reject) =>
        this.b.InternalSign_ECC.async(session, index, Buffer.from(e), 32, sig, (err: Error | null, v: number) =>
          err ? reject(err) : resolve(v),
        ),
      );
      check('SDF_InternalSign_ECC', rc, `key index ${index}`);
      return { r: sig.subarray(ECC_MAX - 32, ECC_MAX), s: sig.subarray(2 * ECC_MAX - 32, 2 * ECC_MAX) };
    };
    const p = this.queue.then(run, run);
    this.queue = p.catch(() => undefined);
    return p;
  }

  /**
   * Runs `fn` (synchronous device calls) on this session's queue: after the signatures already asked for and
   * before the next, so the KMC's calls never overlap a signature on koffi's worker thread.
   */
  exclusive<T>(fn: () => T): Promise<T> {
    const p = this.queue.then(fn, fn);
    this.queue = p.catch(() => undefined);
    return p;
  }

  generateRandom(length: number): Uint8Array {
    if (!Number.isInteger(length) || length < 1) throw new RangeError('GenerateRandom: length must be a positive integer');
    const out = Buffer.alloc(length);
    check('SDF_GenerateRandom', this.b.GenerateRandom(this.live(), length, out));
    return out;
  }

  /** GenerateKeyPair_ECC: a fresh SM2 key pair made by the device (the KMC's encryption keys). */
  generateKeyPairEcc(algorithm: number = SGD.SM2_3): EccKeyPair {
    const pub = Buffer.alloc(ECC_PUBLIC_KEY_SIZE);
    const priv = Buffer.alloc(ECC_PRIVATE_KEY_SIZE);
    try {
      check('SDF_GenerateKeyPair_ECC', this.b.GenerateKeyPair_ECC(this.live(), algorithm, 256, pub, priv));
      return { publicKey: eccPublicKeyPoint(pub), privateKey: Buffer.from(priv.subarray(4 + ECC_MAX - 32)) };
    } finally {
      priv.fill(0);
    }
  }

  /**
   * ExternalEncrypt_ECC: `data` (a session key, at most 255 bytes) SM2-encrypted to the public key `point`
   * (04‖x‖y) — the envelope's outer layer (GM/T 0016 ENVELOPEDKEYBLOB's ECCCipherBlob).
   */
  externalEncryptEcc(point: Uint8Array, data: Uint8Array): Sm2Ciphertext {
    if (data.length < 1 || data.length > 255) throw new RangeError('ExternalEncrypt_ECC: 1 to 255 bytes');
    const out = Buffer.alloc(ECC_CIPHER_HEADER + ECC_CIPHER_MAX_C);
    check(
      'SDF_ExternalEncrypt_ECC',
      this.b.ExternalEncrypt_ECC(this.live(), SGD.SM2_3, eccPublicKeyRef(point), Buffer.from(data), data.length, out),
    );
    const length = out.readUInt32LE(2 * ECC_MAX + 32);
    if (length > ECC_CIPHER_MAX_C)
      throw new SdfError('SDF_ExternalEncrypt_ECC', SDR.SDR_OUTARGERR, 'SDR_OUTARGERR', `ciphertext length ${length}`);
    return {
      x: new Uint8Array(out.subarray(ECC_MAX - 32, ECC_MAX)),
      y: new Uint8Array(out.subarray(2 * ECC_MAX - 32, 2 * ECC_MAX)),
      hash: new Uint8Array(out.subarray(2 * ECC_MAX, 2 * ECC_MAX + 32)),
      ciphertext: new Uint8Array(out.subarray(ECC_CIPHER_HEADER, ECC_CIPHER_HEADER + length)),
    };
  }

  /** GenerateKeyWithKEK: a new `bits`-bit session key, returned wrapped under device KEK `kekIndex` and held by the session. */
  generateKeyWithKek(kekIndex: number, bits = 128, algorithm: number = SGD.SM4_CBC): SdfSymmetricKey {
    checkIndex(kekIndex);
    const out = Buffer.alloc(16 + bits / 8 + 16 + 16);
    const len: [number] = [out.length];
    const handle: [Handle] = [null];
    check(
      'SDF_GenerateKeyWithKEK',
      this.inDir(() => this.b.GenerateKeyWithKEK(this.live(), bits, algorithm, kekIndex, out, len, handle)),
      `KEK index ${kekIndex}`,
    );
    return { handle: handle[0], wrapped: new Uint8Array(out.subarray(0, len[0])) };
  }

  /** ImportKeyWithKEK: a session key stored wrapped (generateKeyWithKek's `wrapped`) back into the session. */
  importKeyWithKek(kekIndex: number, wrapped: Uint8Array, algorithm: number = SGD.SM4_CBC): SdfSymmetricKey {
    checkIndex(kekIndex);
    const handle: [Handle] = [null];
    check(
      'SDF_ImportKeyWithKEK',
      this.inDir(() => this.b.ImportKeyWithKEK(this.live(), algorithm, kekIndex, Buffer.from(wrapped), wrapped.length, handle)),
      `KEK index ${kekIndex}`,
    );
    return { handle: handle[0], wrapped };
  }

  /** SDF_Encrypt with a session key: SM4-CBC (data a multiple of 16 bytes; no padding, as the standard has it) or ECB. */
  encrypt(key: SdfSymmetricKey, data: Uint8Array, iv?: Uint8Array, algorithm: number = SGD.SM4_CBC): Uint8Array {
    return this.symmetric('SDF_Encrypt', key, data, iv, algorithm);
  }

  decrypt(key: SdfSymmetricKey, data: Uint8Array, iv?: Uint8Array, algorithm: number = SGD.SM4_CBC): Uint8Array {
    return this.symmetric('SDF_Decrypt', key, data, iv, algorithm);
  }

  private symmetric(call: 'SDF_Encrypt' | 'SDF_Decrypt', key: SdfSymmetricKey, data: Uint8Array, iv: Uint8Array | undefined, alg: number) {
    if (data.length === 0 || data.length % 16) throw new RangeError(`${call}: data must be a non-empty multiple of 16 bytes`);
    if (alg === SGD.SM4_CBC && iv?.length !== 16) throw new RangeError(`${call}: SM4-CBC needs a 16-byte IV`);
    const out = Buffer.alloc(data.length + 16);
    const len: [number] = [out.length];
    const fn = call === 'SDF_Encrypt' ? this.b.Encrypt : this.b.Decrypt;
    // The device may update the IV in place (SoftSDF does): give it a copy.
    check(call, fn(this.live(), key.handle, alg, iv ? Buffer.from(iv) : null, Buffer.from(data), data.length, out, len));
    return new Uint8Array(out.subarray(0, len[0]));
  }

  destroyKey(key: SdfSymmetricKey): void {
    check('SDF_DestroyKey', this.b.DestroyKey(this.live(), key.handle));
  }
}

function check(call: string, rc: number, detail?: string): void {
  if (rc !== 0) throw new SdfError(call, rc, sdrName(rc), detail);
}

function checkIndex(index: number): void {
  if (!Number.isInteger(index) || index < 0 || index > 0xffffffff)
    throw new RangeError(`SDF key index must be a non-negative integer (got ${index})`);
}

function withCwd<T>(dir: string | undefined, fn: () => T): T {
  if (!dir) return fn();
  const previous = process.cwd();
  process.chdir(dir);
  try {
    return fn();
  } finally {
    process.chdir(previous);
  }
}
