/**
 * A PKCS#11 module and its sessions over the koffi binding (cryptoki.ts): the calls the agent makes, with
 * attribute templates as [CKA, value] pairs. Every CK_RV other than CKR_OK throws a Pkcs11Error whose
 * message names the CKR_* code (token.ts tells PIN errors apart by it).
 *
 * Attribute values: boolean → CK_BBOOL, number → CK_ULONG (ULONG_SIZE bytes, little-endian: x64 only),
 * string → UTF-8, Uint8Array as is. Read values come back as Buffers (undefined when the token has none or
 * will not reveal it); `ulong()` and `bool()` decode them.
 */
import { CKF, CKR, CKU, ckrName, loadCryptoki, ULONG_SIZE, type CryptokiFunctions } from './cryptoki.js';

export type AttributeValue = boolean | number | string | Uint8Array;
export type Template = [type: number, value: AttributeValue][];

export class Pkcs11Error extends Error {
  override name = 'Pkcs11Error';
  constructor(
    readonly call: string,
    readonly rv: number,
  ) {
    super(`${call}: ${ckrName(rv)}`);
  }
  get code(): string {
    return ckrName(this.rv);
  }
}

/** CK_UNAVAILABLE_INFORMATION: (CK_ULONG)-1, the length C_GetAttributeValue gives an attribute it will not return. */
const UNAVAILABLE = ULONG_SIZE === 8 ? 0xffffffffffffffffn : 0xffffffff;

function encode(value: AttributeValue): Buffer {
  if (typeof value === 'boolean') return Buffer.from([value ? 1 : 0]);
  if (typeof value === 'number') {
    const b = Buffer.alloc(ULONG_SIZE);
    if (ULONG_SIZE === 8) b.writeBigUInt64LE(BigInt(value));
    else b.writeUInt32LE(value);
    return b;
  }
  if (typeof value === 'string') return Buffer.from(value, 'utf8');
  return Buffer.from(value);
}

/** The CK_ATTRIBUTE array koffi passes: each pValue points into its Buffer for the duration of the call. */
const attributes = (template: Template) =>
  template.map(([type, value]) => {
    const pValue = encode(value);
    return { type, pValue, ulValueLen: pValue.length };
  });

/** A CK_ULONG attribute value. */
export const ulong = (b: Buffer | undefined): number | undefined =>
  b === undefined ? undefined : Number(ULONG_SIZE === 8 ? b.readBigUInt64LE(0) : b.readUInt32LE(0));
/** A CK_BBOOL attribute value. */
export const bool = (b: Buffer | undefined): boolean | undefined => (b === undefined ? undefined : b[0] !== 0);

/** A blank-padded CK_UTF8CHAR field of CK_TOKEN_INFO, trimmed. */
const text = (bytes: number[]) => Buffer.from(bytes).toString('utf8').trim();

export interface TokenInfoRecord {
  label: string;
  manufacturer: string;
  model: string;
  serial: string;
  flags: number;
}

export class Pkcs11Module {
  private constructor(
    private readonly f: CryptokiFunctions,
    private readonly unload: () => void,
  ) {}

  /** dlopen + C_GetFunctionList + C_Initialize (no init args: the agent calls the module from one thread). */
  static load(library: string): Pkcs11Module {
    const { functions, unload } = loadCryptoki(library);
    const rv = functions.C_Initialize(null);
    if (rv !== CKR.CKR_OK && rv !== CKR.CKR_CRYPTOKI_ALREADY_INITIALIZED) {
      unload();
      throw new Pkcs11Error('C_Initialize', rv);
    }
    return new Pkcs11Module(functions, unload);
  }

  finalize(): void {
    this.f.C_Finalize(null);
    this.unload();
  }

  /** The ids of the slots with a token in them. */
  slots(): number[] {
    const count = [0];
    check('C_GetSlotList', this.f.C_GetSlotList(1, null, count));
    const n = Number(count[0]);
    if (n === 0) return [];
    const list = new Array<number>(n).fill(0);
    check('C_GetSlotList', this.f.C_GetSlotList(1, list, count));
    return list.slice(0, Number(count[0])).map(Number);
  }

  tokenInfo(slot: number): TokenInfoRecord {
    const out: Record<string, unknown> = {};
    check('C_GetTokenInfo', this.f.C_GetTokenInfo(slot, out));
    return {
      label: text(out.label as number[]),
      manufacturer: text(out.manufacturerID as number[]),
      model: text(out.model as number[]),
      serial: text(out.serialNumber as number[]),
      flags: Number(out.flags),
    };
  }

  /** C_InitToken: the label is padded with blanks to its 32 bytes, as CK_TOKEN_INFO.label is. */
  initToken(slot: number, soPin: string, label: string): void {
    const pin = Buffer.from(soPin, 'utf8');
    const padded = Buffer.alloc(32, 0x20);
    Buffer.from(label, 'utf8').copy(padded, 0, 0, 32);
    check('C_InitToken', this.f.C_InitToken(slot, pin, pin.length, padded));
  }

  /** A serial session, read/write unless `readOnly`. */
  open(slot: number, readOnly = false): Session {
    const handle = [0];
    const flags = readOnly ? CKF.SERIAL_SESSION : CKF.SERIAL_SESSION | CKF.RW_SESSION;
    check('C_OpenSession', this.f.C_OpenSession(slot, flags, null, null, handle));
    return new Session(this.f, Number(handle[0]));
  }
}

function check(call: string, rv: number): void {
  if (rv !== CKR.CKR_OK) throw new Pkcs11Error(call, Number(rv));
}

export class Session {
  constructor(
    private readonly f: CryptokiFunctions,
    readonly handle: number,
  ) {}

  close(): void {
    this.f.C_CloseSession(this.handle);
  }

  login(userType: number, pin: string): void {
    const p = Buffer.from(pin, 'utf8');
    check('C_Login', this.f.C_Login(this.handle, userType, p, p.length));
  }

  loginUser(pin: string): void {
    this.login(CKU.USER, pin);
  }

  logout(): void {
    check('C_Logout', this.f.C_Logout(this.handle));
  }

  setPin(oldPin: string, newPin: string): void {
    const o = Buffer.from(oldPin, 'utf8');
    const n = Buffer.from(newPin, 'utf8');
    check('C_SetPIN', this.f.C_SetPIN(this.handle, o, o.length, n, n.length));
  }

  initPin(pin: string): void {
    const p = Buffer.from(pin, 'utf8');
    check('C_InitPIN', this.f.C_InitPIN(this.handle, p, p.length));
  }

  /** The handles of the objects matching `template`. */
  find(template: Template): number[] {
    const t = attributes(template);
    check('C_FindObjectsInit', this.f.C_FindObjectsInit(this.handle, t, t.length));
    const found: number[] = [];
    try {
      for (;;) {
        const batch = new Array<number>(32).fill(0);
        const count = [0];
        check('C_FindObjects', this.f.C_FindObjects(this.handle, batch, batch.length, count));
        const n = Number(count[0]);
        if (n === 0) break;
        found.push(...batch.slice(0, n).map(Number));
      }
    } finally {
      this.f.C_FindObjectsFinal(this.handle);
    }
    return found;
  }

  /**
   * The values of `types` on `object` (two calls: lengths, then values). An attribute the object lacks or
   * keeps secret reads as undefined instead of failing the whole read.
   */
  get(object: number, types: number[]): Map<number, Buffer | undefined> {
    const probe = types.map((type) => ({ type, pValue: null, ulValueLen: 0 }));
    const rv = this.f.C_GetAttributeValue(this.handle, object, probe, probe.length);
    if (rv !== CKR.CKR_OK && rv !== CKR.CKR_ATTRIBUTE_TYPE_INVALID && rv !== CKR.CKR_ATTRIBUTE_SENSITIVE)
      throw new Pkcs11Error('C_GetAttributeValue', rv);
    // koffi gives a 64-bit length beyond 2^53 (CK_UNAVAILABLE_INFORMATION on Linux) as a BigInt.
    const lengths = probe.map((a) => (BigInt(a.ulValueLen) === BigInt(UNAVAILABLE) ? -1 : Number(a.ulValueLen)));
    const wanted = types.map((type, i) => ({
      type,
      pValue: lengths[i]! >= 0 ? Buffer.alloc(lengths[i]!) : null,
      ulValueLen: Math.max(0, lengths[i]!),
    }));
    const readable = wanted.filter((a) => a.pValue !== null);
    if (readable.length) check('C_GetAttributeValue', this.f.C_GetAttributeValue(this.handle, object, readable, readable.length));
    return new Map(wanted.map((a) => [a.type, a.pValue ? a.pValue.subarray(0, Number(a.ulValueLen)) : undefined]));
  }

  set(object: number, template: Template): void {
    const t = attributes(template);
    check('C_SetAttributeValue', this.f.C_SetAttributeValue(this.handle, object, t, t.length));
  }

  create(template: Template): number {
    const t = attributes(template);
    const handle = [0];
    check('C_CreateObject', this.f.C_CreateObject(this.handle, t, t.length, handle));
    return Number(handle[0]);
  }

  destroy(object: number): void {
    check('C_DestroyObject', this.f.C_DestroyObject(this.handle, object));
  }

  generateKeyPair(mechanism: number, publicTemplate: Template, privateTemplate: Template): { publicKey: number; privateKey: number } {
    const pub = attributes(publicTemplate);
    const priv = attributes(privateTemplate);
    const hPub = [0];
    const hPriv = [0];
    check(
      'C_GenerateKeyPair',
      this.f.C_GenerateKeyPair(
        this.handle,
        [{ mechanism, pParameter: null, ulParameterLen: 0 }],
        pub,
        pub.length,
        priv,
        priv.length,
        hPub,
        hPriv,
      ),
    );
    return { publicKey: Number(hPub[0]), privateKey: Number(hPriv[0]) };
  }

  /** One-part signature without a mechanism parameter (CKM_ECDSA over a digest, the vendor's SM2 mechanism). */
  sign(mechanism: number, key: number, data: Uint8Array): Buffer {
    check('C_SignInit', this.f.C_SignInit(this.handle, [{ mechanism, pParameter: null, ulParameterLen: 0 }], key));
    const input = Buffer.from(data);
    const length = [0];
    check('C_Sign', this.f.C_Sign(this.handle, input, input.length, null, length));
    const signature = Buffer.alloc(Number(length[0]));
    check('C_Sign', this.f.C_Sign(this.handle, input, input.length, signature, length));
    return signature.subarray(0, Number(length[0]));
  }
}
