/**
 * The PKCS#11 (Cryptoki v2.40) C API as koffi types: the constants the agent uses, the structs, and the
 * function table C_GetFunctionList returns. Only the functions src/agent/token.ts calls are bound.
 *
 * koffi rather than pkcs11js: pkcs11js compiles its addon at install (node-gyp), so a Windows build would
 * need a Windows compiler; koffi ships a prebuilt binary per platform, so the agent can be built for Windows
 * from Linux (scripts/agent-build.mjs). One binding for Linux and Windows alike.
 *
 * Two platform differences matter, and both are in the struct definitions below:
 * - CK_ULONG is C `unsigned long`: 8 bytes on Linux/macOS x64 (LP64), 4 bytes on Windows (LLP64). koffi's
 *   'unsigned long' follows the platform's C ABI, and attribute values are encoded with ULONG_SIZE.
 * - cryptoki on Windows is compiled under `#pragma pack(push, cryptoki, 1)` (pkcs11.h's Win32 section), so
 *   every struct there is packed(1): CK_ATTRIBUTE is 16 bytes, CK_FUNCTION_LIST's pointers start at offset 2.
 *   Elsewhere the structs have their natural alignment (CK_ATTRIBUTE 24 bytes, pointers at offset 8).
 */
import koffi, { type TypeObject } from 'koffi';

/** A struct's members (the parameter of koffi.struct's one-argument form). */
type Members = Parameters<typeof koffi.struct>[0];

export const WINDOWS = process.platform === 'win32';
/** Packed(1) on Windows, natural alignment elsewhere (see above). */
const record: (name: string, def: Members) => TypeObject = WINDOWS
  ? (name, def) => koffi.pack(name, def)
  : (name, def) => koffi.struct(name, def);

koffi.alias('CK_ULONG', 'unsigned long');
export const ULONG_SIZE = koffi.sizeof('CK_ULONG');

export const CK_VERSION = record('CK_VERSION', { major: 'uint8', minor: 'uint8' });
export const CK_ATTRIBUTE = record('CK_ATTRIBUTE', { type: 'CK_ULONG', pValue: 'void *', ulValueLen: 'CK_ULONG' });
export const CK_MECHANISM = record('CK_MECHANISM', { mechanism: 'CK_ULONG', pParameter: 'void *', ulParameterLen: 'CK_ULONG' });
export const CK_TOKEN_INFO = record('CK_TOKEN_INFO', {
  label: koffi.array('uint8', 32, 'Array'),
  manufacturerID: koffi.array('uint8', 32, 'Array'),
  model: koffi.array('uint8', 16, 'Array'),
  serialNumber: koffi.array('uint8', 16, 'Array'),
  flags: 'CK_ULONG',
  ulMaxSessionCount: 'CK_ULONG',
  ulSessionCount: 'CK_ULONG',
  ulMaxRwSessionCount: 'CK_ULONG',
  ulRwSessionCount: 'CK_ULONG',
  ulMaxPinLen: 'CK_ULONG',
  ulMinPinLen: 'CK_ULONG',
  ulTotalPublicMemory: 'CK_ULONG',
  ulFreePublicMemory: 'CK_ULONG',
  ulTotalPrivateMemory: 'CK_ULONG',
  ulFreePrivateMemory: 'CK_ULONG',
  hardwareVersion: CK_VERSION,
  firmwareVersion: CK_VERSION,
  utcTime: koffi.array('uint8', 16, 'Array'),
});

/** CK_FUNCTION_LIST in pkcs11f.h order (all 68 entries, so the offsets are right); only some are called. */
const FUNCTION_NAMES = [
  'C_Initialize',
  'C_Finalize',
  'C_GetInfo',
  'C_GetFunctionList',
  'C_GetSlotList',
  'C_GetSlotInfo',
  'C_GetTokenInfo',
  'C_GetMechanismList',
  'C_GetMechanismInfo',
  'C_InitToken',
  'C_InitPIN',
  'C_SetPIN',
  'C_OpenSession',
  'C_CloseSession',
  'C_CloseAllSessions',
  'C_GetSessionInfo',
  'C_GetOperationState',
  'C_SetOperationState',
  'C_Login',
  'C_Logout',
  'C_CreateObject',
  'C_CopyObject',
  'C_DestroyObject',
  'C_GetObjectSize',
  'C_GetAttributeValue',
  'C_SetAttributeValue',
  'C_FindObjectsInit',
  'C_FindObjects',
  'C_FindObjectsFinal',
  'C_EncryptInit',
  'C_Encrypt',
  'C_EncryptUpdate',
  'C_EncryptFinal',
  'C_DecryptInit',
  'C_Decrypt',
  'C_DecryptUpdate',
  'C_DecryptFinal',
  'C_DigestInit',
  'C_Digest',
  'C_DigestUpdate',
  'C_DigestKey',
  'C_DigestFinal',
  'C_SignInit',
  'C_Sign',
  'C_SignUpdate',
  'C_SignFinal',
  'C_SignRecoverInit',
  'C_SignRecover',
  'C_VerifyInit',
  'C_Verify',
  'C_VerifyUpdate',
  'C_VerifyFinal',
  'C_VerifyRecoverInit',
  'C_VerifyRecover',
  'C_DigestEncryptUpdate',
  'C_DecryptDigestUpdate',
  'C_SignEncryptUpdate',
  'C_DecryptVerifyUpdate',
  'C_GenerateKey',
  'C_GenerateKeyPair',
  'C_WrapKey',
  'C_UnwrapKey',
  'C_DeriveKey',
  'C_SeedRandom',
  'C_GenerateRandom',
  'C_GetFunctionStatus',
  'C_CancelFunction',
  'C_WaitForSlotEvent',
] as const;

export const CK_FUNCTION_LIST = record('CK_FUNCTION_LIST', {
  version: CK_VERSION,
  ...Object.fromEntries(FUNCTION_NAMES.map((n) => [n, 'void *'])),
});

/** The prototypes of the functions the agent calls (CK_RV is a CK_ULONG). Pointers to structs are passed as arrays/buffers. */
const PROTOTYPES = {
  C_Initialize: 'CK_ULONG C_Initialize(void *pInitArgs)',
  C_Finalize: 'CK_ULONG C_Finalize(void *pReserved)',
  C_GetSlotList: 'CK_ULONG C_GetSlotList(uint8 tokenPresent, _Inout_ CK_ULONG *pSlotList, _Inout_ CK_ULONG *pulCount)',
  C_GetTokenInfo: 'CK_ULONG C_GetTokenInfo(CK_ULONG slotID, _Out_ CK_TOKEN_INFO *pInfo)',
  C_InitToken: 'CK_ULONG C_InitToken(CK_ULONG slotID, const uint8 *pPin, CK_ULONG ulPinLen, const uint8 *pLabel)',
  C_InitPIN: 'CK_ULONG C_InitPIN(CK_ULONG hSession, const uint8 *pPin, CK_ULONG ulPinLen)',
  C_SetPIN: 'CK_ULONG C_SetPIN(CK_ULONG hSession, const uint8 *pOldPin, CK_ULONG ulOldLen, const uint8 *pNewPin, CK_ULONG ulNewLen)',
  C_OpenSession: 'CK_ULONG C_OpenSession(CK_ULONG slotID, CK_ULONG flags, void *pApplication, void *Notify, _Out_ CK_ULONG *phSession)',
  C_CloseSession: 'CK_ULONG C_CloseSession(CK_ULONG hSession)',
  C_Login: 'CK_ULONG C_Login(CK_ULONG hSession, CK_ULONG userType, const uint8 *pPin, CK_ULONG ulPinLen)',
  C_Logout: 'CK_ULONG C_Logout(CK_ULONG hSession)',
  C_CreateObject: 'CK_ULONG C_CreateObject(CK_ULONG hSession, CK_ATTRIBUTE *pTemplate, CK_ULONG ulCount, _Out_ CK_ULONG *phObject)',
  C_DestroyObject: 'CK_ULONG C_DestroyObject(CK_ULONG hSession, CK_ULONG hObject)',
  C_GetAttributeValue:
    'CK_ULONG C_GetAttributeValue(CK_ULONG hSession, CK_ULONG hObject, _Inout_ CK_ATTRIBUTE *pTemplate, CK_ULONG ulCount)',
  C_SetAttributeValue: 'CK_ULONG C_SetAttributeValue(CK_ULONG hSession, CK_ULONG hObject, CK_ATTRIBUTE *pTemplate, CK_ULONG ulCount)',
  C_FindObjectsInit: 'CK_ULONG C_FindObjectsInit(CK_ULONG hSession, CK_ATTRIBUTE *pTemplate, CK_ULONG ulCount)',
  C_FindObjects:
    'CK_ULONG C_FindObjects(CK_ULONG hSession, _Inout_ CK_ULONG *phObject, CK_ULONG ulMaxObjectCount, _Out_ CK_ULONG *pulObjectCount)',
  C_FindObjectsFinal: 'CK_ULONG C_FindObjectsFinal(CK_ULONG hSession)',
  C_SignInit: 'CK_ULONG C_SignInit(CK_ULONG hSession, CK_MECHANISM *pMechanism, CK_ULONG hKey)',
  C_Sign:
    'CK_ULONG C_Sign(CK_ULONG hSession, const uint8 *pData, CK_ULONG ulDataLen, uint8 *pSignature, _Inout_ CK_ULONG *pulSignatureLen)',
  C_GenerateKeyPair:
    'CK_ULONG C_GenerateKeyPair(CK_ULONG hSession, CK_MECHANISM *pMechanism, CK_ATTRIBUTE *pPublicKeyTemplate, CK_ULONG ulPublicKeyAttributeCount, CK_ATTRIBUTE *pPrivateKeyTemplate, CK_ULONG ulPrivateKeyAttributeCount, _Out_ CK_ULONG *phPublicKey, _Out_ CK_ULONG *phPrivateKey)',
} as const;

export type CryptokiName = keyof typeof PROTOTYPES;
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- koffi functions take and return whatever the prototype says
export type CryptokiFunctions = Record<CryptokiName, (...args: any[]) => number>;

/**
 * koffi's types are named, and a name can be defined once per process: the function types are made on first use and
 * shared by every module loaded after (the agent loads one; a test process loads SoftHSM2 again and again).
 */
let functionTypes: Record<string, ReturnType<typeof koffi.proto>> | undefined;
const functionTypesOnce = () =>
  (functionTypes ??= Object.fromEntries(Object.entries(PROTOTYPES).map(([name, prototype]) => [name, koffi.proto(prototype)])));

/**
 * Loads the vendor's module and returns its functions, read from the table C_GetFunctionList gives (the one
 * entry point every PKCS#11 module must export by name).
 */
export function loadCryptoki(library: string): { functions: CryptokiFunctions; unload: () => void } {
  const lib = koffi.load(library);
  const getFunctionList = lib.func('CK_ULONG C_GetFunctionList(_Out_ void **ppFunctionList)');
  const out: unknown[] = [null];
  const rv = getFunctionList(out) as number;
  if (rv !== 0 || !out[0]) throw new Error(`C_GetFunctionList 失败（0x${Number(rv).toString(16)}）`);
  const table = koffi.decode(out[0], CK_FUNCTION_LIST) as Record<string, unknown>;
  const functions = {} as CryptokiFunctions;
  for (const [name, type] of Object.entries(functionTypesOnce())) {
    const pointer = table[name];
    if (!pointer) throw new Error(`PKCS#11 模块没有提供 ${name}`);
    functions[name as CryptokiName] = koffi.decode(pointer, type) as CryptokiFunctions[CryptokiName];
  }
  return { functions, unload: () => lib.unload() };
}

/** CK_RV values by name: the ones the agent tells apart, and the common ones, so an error names its cause. */
export const CKR: Record<string, number> = {
  CKR_OK: 0x0,
  CKR_HOST_MEMORY: 0x2,
  CKR_SLOT_ID_INVALID: 0x3,
  CKR_GENERAL_ERROR: 0x5,
  CKR_FUNCTION_FAILED: 0x6,
  CKR_ARGUMENTS_BAD: 0x7,
  CKR_ATTRIBUTE_READ_ONLY: 0x10,
  CKR_ATTRIBUTE_SENSITIVE: 0x11,
  CKR_ATTRIBUTE_TYPE_INVALID: 0x12,
  CKR_ATTRIBUTE_VALUE_INVALID: 0x13,
  CKR_DATA_INVALID: 0x20,
  CKR_DATA_LEN_RANGE: 0x21,
  CKR_DEVICE_ERROR: 0x30,
  CKR_DEVICE_MEMORY: 0x31,
  CKR_DEVICE_REMOVED: 0x32,
  CKR_FUNCTION_NOT_SUPPORTED: 0x54,
  CKR_KEY_HANDLE_INVALID: 0x60,
  CKR_KEY_TYPE_INCONSISTENT: 0x63,
  CKR_KEY_FUNCTION_NOT_PERMITTED: 0x68,
  CKR_MECHANISM_INVALID: 0x70,
  CKR_MECHANISM_PARAM_INVALID: 0x71,
  CKR_OBJECT_HANDLE_INVALID: 0x82,
  CKR_OPERATION_ACTIVE: 0x90,
  CKR_OPERATION_NOT_INITIALIZED: 0x91,
  CKR_PIN_INCORRECT: 0xa0,
  CKR_PIN_INVALID: 0xa1,
  CKR_PIN_LEN_RANGE: 0xa2,
  CKR_PIN_EXPIRED: 0xa3,
  CKR_PIN_LOCKED: 0xa4,
  CKR_SESSION_CLOSED: 0xb0,
  CKR_SESSION_HANDLE_INVALID: 0xb3,
  CKR_SESSION_READ_ONLY: 0xb5,
  CKR_SESSION_EXISTS: 0xb6,
  CKR_SESSION_READ_ONLY_EXISTS: 0xb7,
  CKR_SESSION_READ_WRITE_SO_EXISTS: 0xb8,
  CKR_TEMPLATE_INCOMPLETE: 0xd0,
  CKR_TEMPLATE_INCONSISTENT: 0xd1,
  CKR_TOKEN_NOT_PRESENT: 0xe0,
  CKR_TOKEN_NOT_RECOGNIZED: 0xe1,
  CKR_TOKEN_WRITE_PROTECTED: 0xe2,
  CKR_USER_ALREADY_LOGGED_IN: 0x100,
  CKR_USER_NOT_LOGGED_IN: 0x101,
  CKR_USER_PIN_NOT_INITIALIZED: 0x102,
  CKR_USER_TYPE_INVALID: 0x103,
  CKR_USER_ANOTHER_ALREADY_LOGGED_IN: 0x104,
  CKR_BUFFER_TOO_SMALL: 0x150,
  CKR_CRYPTOKI_NOT_INITIALIZED: 0x190,
  CKR_CRYPTOKI_ALREADY_INITIALIZED: 0x191,
};
const CKR_NAMES = new Map(Object.entries(CKR).map(([k, v]) => [v, k]));
export const ckrName = (rv: number) => CKR_NAMES.get(rv) ?? `CKR_VENDOR_0x${rv.toString(16)}`;

/** Attribute types (CKA_*), object classes, key types, mechanisms, user types and flags the agent uses. */
export const CKA = {
  CLASS: 0x0,
  TOKEN: 0x1,
  PRIVATE: 0x2,
  LABEL: 0x3,
  APPLICATION: 0x10,
  VALUE: 0x11,
  CERTIFICATE_TYPE: 0x80,
  ISSUER: 0x81,
  SERIAL_NUMBER: 0x82,
  KEY_TYPE: 0x100,
  SUBJECT: 0x101,
  ID: 0x102,
  SENSITIVE: 0x103,
  SIGN: 0x108,
  VERIFY: 0x10a,
  EXTRACTABLE: 0x162,
  MODIFIABLE: 0x170,
  EC_PARAMS: 0x180,
  EC_POINT: 0x181,
} as const;
export const CKO = { DATA: 0, CERTIFICATE: 1, PUBLIC_KEY: 2, PRIVATE_KEY: 3 } as const;
export const CKC_X_509 = 0;
export const CKK_EC = 3;
export const CKM = { EC_KEY_PAIR_GEN: 0x1040, ECDSA: 0x1041 } as const;
export const CKU = { SO: 0, USER: 1 } as const;
export const CKF = {
  RW_SESSION: 0x2,
  SERIAL_SESSION: 0x4,
  TOKEN_INITIALIZED: 0x400,
  USER_PIN_COUNT_LOW: 0x10000,
  USER_PIN_FINAL_TRY: 0x20000,
  USER_PIN_LOCKED: 0x40000,
  USER_PIN_TO_BE_CHANGED: 0x80000,
} as const;
