/**
 * The UKEY through PKCS#11 (our koffi binding, ./pkcs11/: the same code on Linux and Windows): list tokens and their PIN state,
 * read certificates, sign a challenge, generate a key pair and a PKCS#10 request on the token, write a
 * certificate next to its key, change the user PIN, reset a locked user PIN with the SO PIN (C_InitPIN).
 *
 * Every operation opens its own session, logs in, works and logs out, so a token pulled out between two
 * requests costs one error, not a stuck session. Key pairs carry CKA_ID = SHA-1 of the public key bits (the
 * RFC 5280 key identifier), which is how a certificate later finds its key.
 *
 * PIN lockout: a real UKEY counts wrong user PINs and sets CKF_USER_PIN_LOCKED itself; SoftHSM2 only sets
 * CKF_USER_PIN_COUNT_LOW and never locks. The agent therefore also counts wrong PINs per token (in memory,
 * CERTDESK_AGENT_PIN_TRIES) and refuses further logins once that many failed, until the PIN is reset with
 * the SO PIN — on a real key whichever locks first wins.
 *
 * Tokens the CA initialized (制证 through the agent) carry two public data objects (CKO_DATA, application
 * "CertDesk"): `certdesk-token` says the SO PIN is the CA's derived one (ca/token-authorization.ts), and
 * `certdesk-pin-to-be-changed` says the user PIN is still the initial one staff set: the agent then refuses
 * to sign with the key until the user has changed it (most UKEYs cannot set CKF_USER_PIN_TO_BE_CHANGED
 * through PKCS#11, and SoftHSM2 never does). A PIN change removes it.
 *
 * Algorithms: ECDSA P-256 (CKM_EC_KEY_PAIR_GEN / CKM_ECDSA over a SHA-256 digest), tested on SoftHSM2.
 * SM2 goes through the vendor's mechanisms (config.ts Sm2Mechanisms); SoftHSM2 has no SM2, so that path is
 * NOT tested — it assumes the vendor's SM2-with-SM3 mechanism takes the message, computes Z with the default
 * user ID and returns r || s, as the common UKEY modules do.
 */
import { createHash, randomBytes } from 'node:crypto';
import { OID, SIGNATURE_ALGORITHM, SPKI_ALGORITHM } from '../ca/algorithms.js';
import { keyIdentifier } from '../ca/cert/build.js';
import { encodeName, type NameFields } from '../ca/cert/name.js';
import { parseCertificate } from '../ca/cert/parse.js';
import { bitString, explicit, integer, oid, readTlv, sequence } from '../ca/der/der.js';
import { rawEcdsaToDer } from '../ca/der/der.js';
import type { AgentToken } from '../core/agent-protocol.js';
import type { Sm2Mechanisms } from './config.js';
import { CKA, CKC_X_509, CKF, CKK_EC, CKM, CKO, CKU } from './pkcs11/cryptoki.js';
import { Pkcs11Error, Pkcs11Module, ulong, type Session, type Template, type TokenInfoRecord } from './pkcs11/module.js';

export type AgentKeyAlgorithm = 'ecdsa-p256' | 'sm2';

/** A refusal the page may see: HTTP status, a stable code, and a Chinese message naming what is wrong. */
export class AgentError extends Error {
  override name = 'AgentError';
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly extra: Record<string, unknown> = {},
  ) {
    super(message);
  }
}

/** What the agent says of a UKEY (`GET /tokens`): the shape the portal's pages read (core/agent-protocol.ts). */
export type TokenInfo = AgentToken;

export interface TokenCertificate {
  /** CKA_ID, hex: the key it belongs to. */
  keyId: string;
  label: string;
  der: Uint8Array;
  subject: NameFields;
  serialHex: string;
  notBefore: Date;
  notAfter: Date;
}

const P256_PARAMS = Buffer.from('06082a8648ce3d030107', 'hex');
const SM2_PARAMS = Buffer.from(oid(OID.sm2Curve));

const DATA_APPLICATION = 'CertDesk';
export const TOKEN_MARKER = 'certdesk-token';
export const PIN_TO_BE_CHANGED_MARKER = 'certdesk-pin-to-be-changed';

/** The template that finds (and, with more attributes, makes) our public data object `label`. */
const dataObject = (label: string): Template => [
  [CKA.CLASS, CKO.DATA],
  [CKA.APPLICATION, DATA_APPLICATION],
  [CKA.LABEL, label],
];

const ckr = (e: unknown) => (e instanceof Pkcs11Error ? e.code : '');

/** A token label: CK_TOKEN_INFO.label is 32 bytes of UTF-8, so a longer one is cut at a character boundary. */
export function tokenLabel(label: string): string {
  let out = '';
  for (const ch of label) {
    if (Buffer.byteLength(out + ch, 'utf8') > 32) break;
    out += ch;
  }
  return out;
}

/** The certificate to write, parsed; refused with the field named when it is not one (before any PIN prompt). */
export function checkCertificate(der: Uint8Array) {
  try {
    return parseCertificate(der);
  } catch (e) {
    throw new AgentError(400, 'BAD_CERTIFICATE', `certificate 不是有效的 X.509 证书：${(e as Error).message}`);
  }
}

export class TokenDriver {
  private readonly wrongPins = new Map<string, number>();

  private constructor(
    private readonly module: Pkcs11Module,
    private readonly pinTries: number,
    private readonly sm2: Sm2Mechanisms | undefined,
  ) {}

  static load(library: string, options: { pinTries: number; sm2?: Sm2Mechanisms }): TokenDriver {
    let mod: Pkcs11Module;
    try {
      mod = Pkcs11Module.load(library);
    } catch (e) {
      throw new Error(`无法加载 PKCS#11 模块 ${library}（CERTDESK_AGENT_PKCS11_MODULE）：${(e as Error).message}`, { cause: e });
    }
    return new TokenDriver(mod, options.pinTries, options.sm2);
  }

  close(): void {
    this.module.finalize();
  }

  private slots(): { slot: number; token: TokenInfoRecord }[] {
    return this.module.slots().map((slot) => ({ slot, token: this.module.tokenInfo(slot) }));
  }

  private slot(serial: string): number {
    const found = this.slots().find((s) => s.token.serial === serial);
    if (!found) throw new AgentError(404, 'TOKEN_NOT_FOUND', `没有找到序列号为 ${serial} 的 UKEY，请确认已插好`);
    return found.slot;
  }

  /** Whether the token holds our public data object `label` (readable without logging in). */
  private hasMarker(slot: number, token: TokenInfoRecord, label: string): boolean {
    if (!(token.flags & CKF.TOKEN_INITIALIZED)) return false;
    const session = this.module.open(slot, true);
    try {
      return session.find(dataObject(label)).length > 0;
    } finally {
      session.close();
    }
  }

  private info(slot: number, t = this.module.tokenInfo(slot)): TokenInfo {
    const serial = t.serial;
    const wrong = this.wrongPins.get(serial) ?? 0;
    const left = Math.max(0, this.pinTries - wrong);
    return {
      serial,
      label: t.label,
      manufacturer: t.manufacturer,
      model: t.model,
      initialized: Boolean(t.flags & CKF.TOKEN_INITIALIZED),
      userPinLocked: Boolean(t.flags & CKF.USER_PIN_LOCKED) || left === 0,
      userPinFinalTry: Boolean(t.flags & CKF.USER_PIN_FINAL_TRY) || left === 1,
      userPinToBeChanged: Boolean(t.flags & CKF.USER_PIN_TO_BE_CHANGED) || this.hasMarker(slot, t, PIN_TO_BE_CHANGED_MARKER),
      certDesk: this.hasMarker(slot, t, TOKEN_MARKER),
      triesLeft: left,
    };
  }

  /** The tokens present; an empty slot without a serial (SoftHSM2's free slot) cannot be addressed and is left out. */
  listTokens(): TokenInfo[] {
    return this.slots()
      .filter((s) => s.token.serial !== '')
      .map((s) => this.info(s.slot, s.token));
  }

  token(serial: string): TokenInfo {
    return this.info(this.slot(serial));
  }

  /** Runs `work` in a fresh R/W session; logged in as the user when `pin` is given. */
  private withSession<T>(serial: string, pin: string | undefined, work: (s: Session) => T): T {
    const slot = this.slot(serial);
    const session = this.module.open(slot);
    try {
      if (pin !== undefined) this.loginUser(slot, session, pin);
      return work(session);
    } finally {
      if (pin !== undefined)
        try {
          session.logout();
        } catch {
          // not logged in
        }
      session.close();
    }
  }

  private loginUser(slot: number, session: Session, pin: string): void {
    const info = this.info(slot);
    if (info.userPinLocked)
      throw new AgentError(423, 'PIN_LOCKED', 'UKEY 的用户口令已锁定，请通过在线解锁或到服务网点重置口令', { serial: info.serial });
    try {
      session.login(CKU.USER, pin);
    } catch (e) {
      const code = ckr(e);
      if (code === 'CKR_PIN_INCORRECT' || code === 'CKR_PIN_LEN_RANGE') {
        const wrong = (this.wrongPins.get(info.serial) ?? 0) + 1;
        this.wrongPins.set(info.serial, wrong);
        const left = this.info(slot);
        if (left.userPinLocked)
          throw new AgentError(423, 'PIN_LOCKED', 'UKEY 用户口令错误次数过多，已锁定', { serial: info.serial, triesLeft: 0 });
        throw new AgentError(401, 'PIN_INCORRECT', `UKEY 用户口令错误，还可以再试 ${left.triesLeft} 次`, {
          serial: info.serial,
          triesLeft: left.triesLeft,
        });
      }
      if (code === 'CKR_PIN_LOCKED') throw new AgentError(423, 'PIN_LOCKED', 'UKEY 的用户口令已锁定', { serial: info.serial });
      if (code === 'CKR_USER_ALREADY_LOGGED_IN') return;
      throw new AgentError(502, 'TOKEN_ERROR', `UKEY 登录失败：${code || (e as Error).message}`);
    }
    this.wrongPins.delete(info.serial);
  }

  certificates(serial: string): TokenCertificate[] {
    return this.withSession(serial, undefined, (s) => {
      const out: TokenCertificate[] = [];
      for (const handle of s.find([[CKA.CLASS, CKO.CERTIFICATE]])) {
        const a = s.get(handle, [CKA.VALUE, CKA.ID, CKA.LABEL]);
        const value = a.get(CKA.VALUE);
        if (!value) continue;
        const der = new Uint8Array(value);
        let c;
        try {
          c = parseCertificate(der);
        } catch {
          continue; // not an X.509 certificate we can read; leave it alone
        }
        out.push({
          keyId: Buffer.from(a.get(CKA.ID) ?? []).toString('hex'),
          label: a.get(CKA.LABEL)?.toString('utf8') ?? '',
          der,
          subject: c.subjectFields,
          serialHex: c.serialHex,
          notBefore: c.notBefore,
          notAfter: c.notAfter,
        });
      }
      return out;
    });
  }

  /** The SubjectPublicKeyInfo of an EC public key object (P-256, or SM2 when its CKK is the configured one). */
  private spkiOf(s: Session, pub: number): Uint8Array | undefined {
    const a = s.get(pub, [CKA.KEY_TYPE, CKA.EC_POINT, CKA.EC_PARAMS]);
    const algorithm = this.family(ulong(a.get(CKA.KEY_TYPE)), a.get(CKA.EC_PARAMS));
    const ecPoint = a.get(CKA.EC_POINT);
    if (!algorithm || !ecPoint) return undefined;
    let point = new Uint8Array(ecPoint);
    // CKA_EC_POINT is a DER OCTET STRING holding the point (PKCS#11 v2.40 2.3.3); some modules give it bare.
    if (point[0] === 0x04 && point.length !== 65) {
      const t = readTlv(point, 0);
      point = point.subarray(t.start, t.end);
    }
    return sequence(SPKI_ALGORITHM[algorithm], bitString(point));
  }

  /**
   * The CKA_ID of the key pair whose public key is `spki`: the key identifier for keys this agent made, else
   * found by comparing public keys (keys made by the vendor's tools carry their own ids).
   */
  private keyIdFor(s: Session, spki: Uint8Array): Uint8Array | undefined {
    const kid = keyIdentifier(spki);
    if (
      s.find([
        [CKA.CLASS, CKO.PRIVATE_KEY],
        [CKA.ID, kid],
      ]).length
    )
      return kid;
    for (const pub of s.find([[CKA.CLASS, CKO.PUBLIC_KEY]])) {
      const mine = this.spkiOf(s, pub);
      if (!mine || !Buffer.from(mine).equals(spki)) continue;
      const id = s.get(pub, [CKA.ID]).get(CKA.ID);
      if (
        id?.length &&
        s.find([
          [CKA.CLASS, CKO.PRIVATE_KEY],
          [CKA.ID, id],
        ]).length
      )
        return new Uint8Array(id);
    }
    return undefined;
  }

  private privateKey(s: Session, keyId: Uint8Array): number {
    const found = s.find([
      [CKA.CLASS, CKO.PRIVATE_KEY],
      [CKA.ID, keyId],
    ]);
    if (found.length === 0) throw new AgentError(404, 'KEY_NOT_FOUND', `UKEY 上没有标识为 ${Buffer.from(keyId).toString('hex')} 的私钥`);
    return found[0]!;
  }

  /** P-256 (CKK_EC on prime256v1); SM2 when configured (the vendor's CKK, or CKK_EC on the SM2 curve). */
  private family(keyType: number | undefined, params: Buffer | undefined): AgentKeyAlgorithm | undefined {
    if (keyType === CKK_EC && params?.equals(P256_PARAMS)) return 'ecdsa-p256';
    if (this.sm2 && (keyType === this.sm2.keyType || (keyType === CKK_EC && params?.equals(SM2_PARAMS)))) return 'sm2';
    return undefined;
  }

  private algorithmOf(s: Session, key: number): AgentKeyAlgorithm {
    const a = s.get(key, [CKA.KEY_TYPE, CKA.EC_PARAMS]);
    const keyType = ulong(a.get(CKA.KEY_TYPE));
    const family = this.family(keyType, a.get(CKA.EC_PARAMS));
    if (!family) throw new AgentError(422, 'KEY_TYPE', `证书助手不支持这种密钥（CKK ${keyType}）：只支持 ECDSA P-256 和已配置的 SM2`);
    return family;
  }

  private signWith(s: Session, key: number, algorithm: AgentKeyAlgorithm, data: Uint8Array): Uint8Array {
    if (algorithm === 'ecdsa-p256') return rawEcdsaToDer(s.sign(CKM.ECDSA, key, createHash('sha256').update(data).digest()));
    return rawEcdsaToDer(s.sign(this.sm2!.sign, key, data));
  }

  /** Signs `data` with the private key `keyId` (DER ECDSA/SM2 signature). */
  sign(serial: string, pin: string, keyId: Uint8Array, data: Uint8Array): { signature: Uint8Array; algorithm: AgentKeyAlgorithm } {
    return this.withSession(serial, pin, (s) => {
      const key = this.privateKey(s, keyId);
      const algorithm = this.algorithmOf(s, key);
      return { signature: this.signWith(s, key, algorithm, data), algorithm };
    });
  }

  /** Refuses a key request the agent cannot serve (called before anyone is asked for a PIN); the subject's DER. */
  checkKeyRequest(algorithm: AgentKeyAlgorithm, subject: NameFields): Uint8Array {
    if (algorithm === 'sm2' && !this.sm2)
      throw new AgentError(
        422,
        'SM2_NOT_CONFIGURED',
        '此证书助手未配置 UKEY 厂商的 SM2 机制（CERTDESK_AGENT_SM2_KEYGEN_MECHANISM 等），不能生成 SM2 密钥',
      );
    try {
      return encodeName(subject);
    } catch (e) {
      throw new AgentError(400, 'BAD_SUBJECT', `subject 不合规：${(e as Error).message}`);
    }
  }

  /**
   * Generates a key pair on the token (private key sensitive, never extractable) and returns its key id and
   * a PKCS#10 request for `subject`, signed on the token.
   */
  generateKeyAndCsr(
    serial: string,
    pin: string,
    algorithm: AgentKeyAlgorithm,
    subject: NameFields,
    label: string,
  ): { keyId: Uint8Array; spki: Uint8Array; csr: Uint8Array } {
    const name = this.checkKeyRequest(algorithm, subject);
    return this.withSession(serial, pin, (s) => {
      // A random id, replaced by the key identifier once the public key is known.
      const tmpId = randomBytes(20);
      const [mechanism, keyType, params] =
        algorithm === 'ecdsa-p256' ? [CKM.EC_KEY_PAIR_GEN, CKK_EC, P256_PARAMS] : [this.sm2!.keyGen, this.sm2!.keyType, SM2_PARAMS];
      const common: Template = [
        [CKA.TOKEN, true],
        [CKA.LABEL, label],
        [CKA.ID, tmpId],
        [CKA.KEY_TYPE, keyType],
      ];
      const keys = s.generateKeyPair(
        mechanism,
        [...common, [CKA.VERIFY, true], [CKA.EC_PARAMS, params]],
        [...common, [CKA.SIGN, true], [CKA.PRIVATE, true], [CKA.SENSITIVE, true], [CKA.EXTRACTABLE, false]],
      );
      const spki = this.spkiOf(s, keys.publicKey);
      if (!spki) throw new AgentError(502, 'TOKEN_ERROR', 'UKEY 生成的公钥无法读取');
      let keyId: Uint8Array = keyIdentifier(spki);
      try {
        s.set(keys.publicKey, [[CKA.ID, keyId]]);
        s.set(keys.privateKey, [[CKA.ID, keyId]]);
      } catch {
        keyId = tmpId; // a module that will not change CKA_ID keeps the random one; keyIdFor() still finds it
      }
      // PKCS#10 (RFC 2986): CertificationRequestInfo { version 0, subject, spki, attributes [0] {} }.
      const info = sequence(integer(0), name, spki, explicit(0));
      const signature = this.signWith(s, keys.privateKey, algorithm, info);
      const csr = sequence(info, SIGNATURE_ALGORITHM[algorithm], bitString(signature));
      return { keyId, spki, csr };
    });
  }

  /** Writes an X.509 certificate next to its private key (CKA_ID = the key id of the certificate's public key). */
  writeCertificate(serial: string, pin: string, der: Uint8Array, label: string): { keyId: Uint8Array } {
    const cert = checkCertificate(der);
    return this.withSession(serial, pin, (s) => {
      // The key must be on this token: a certificate without its key is useless.
      const keyId = this.keyIdFor(s, cert.spki);
      if (!keyId) throw new AgentError(404, 'KEY_NOT_FOUND', '这张证书的私钥不在这个 UKEY 上，不能写入');
      for (const same of s.find([
        [CKA.CLASS, CKO.CERTIFICATE],
        [CKA.ID, keyId],
      ])) {
        const v = s.get(same, [CKA.VALUE]).get(CKA.VALUE);
        if (v && Buffer.from(der).equals(v)) return { keyId }; // already there: writing twice is a no-op
      }
      s.create([
        [CKA.CLASS, CKO.CERTIFICATE],
        [CKA.CERTIFICATE_TYPE, CKC_X_509],
        [CKA.TOKEN, true],
        [CKA.PRIVATE, false],
        [CKA.LABEL, label],
        [CKA.ID, keyId],
        [CKA.SUBJECT, cert.subject],
        [CKA.ISSUER, cert.issuer],
        [CKA.SERIAL_NUMBER, cert.serialContent],
        [CKA.VALUE, der],
      ]);
      return { keyId };
    });
  }

  changeUserPin(serial: string, oldPin: string, newPin: string): void {
    if (newPin === oldPin) throw new AgentError(400, 'PIN_REJECTED', '新口令不能与原口令相同');
    this.withSession(serial, oldPin, (s) => {
      try {
        s.setPin(oldPin, newPin);
      } catch (e) {
        throw new AgentError(400, 'PIN_REJECTED', `UKEY 拒绝了新口令（${ckr(e) || (e as Error).message}），请换一个符合要求的口令`);
      }
      // The initial PIN is gone: the key may be used.
      for (const marker of s.find(dataObject(PIN_TO_BE_CHANGED_MARKER))) s.destroy(marker);
    });
  }

  /**
   * 制证's initialization (C_InitToken): erases the token, sets its label, makes `newSoPin` (the CA's derived
   * one) its SO PIN and `userPin` (the initial PIN staff give the customer) its user PIN, and marks it as the
   * CA's with the user PIN to be changed. `currentSoPin` opens it: the derived one for a token the CA
   * initialized before, else the maker's SO PIN of a new key (PKCS#11: for a token new from the factory
   * C_InitToken's PIN becomes the SO PIN).
   */
  initToken(serial: string, currentSoPin: string, newSoPin: string, userPin: string, label: string): void {
    const slot = this.slot(serial);
    try {
      this.module.initToken(slot, currentSoPin, tokenLabel(label));
    } catch (e) {
      const code = ckr(e);
      if (code === 'CKR_PIN_INCORRECT') throw new AgentError(403, 'SO_PIN_INCORRECT', 'UKEY 的管理员口令（SO PIN）错误，未初始化');
      if (code === 'CKR_PIN_LOCKED') throw new AgentError(423, 'SO_PIN_LOCKED', 'UKEY 的管理员口令已锁定，只能更换 UKEY');
      if (code === 'CKR_SESSION_EXISTS') throw new AgentError(409, 'TOKEN_BUSY', 'UKEY 正被其他程序使用，请关闭其他程序后重试');
      throw new AgentError(502, 'TOKEN_ERROR', `UKEY 初始化失败：${code || (e as Error).message}`);
    }
    this.wrongPins.delete(serial);
    this.withSession(serial, undefined, (s) => {
      s.login(CKU.SO, currentSoPin);
      try {
        if (newSoPin !== currentSoPin) s.setPin(currentSoPin, newSoPin);
        s.initPin(userPin);
      } catch (e) {
        throw new AgentError(400, 'PIN_REJECTED', `UKEY 拒绝了口令（${ckr(e) || (e as Error).message}）`);
      } finally {
        s.logout();
      }
    });
    this.withSession(serial, userPin, (s) => {
      for (const marker of [TOKEN_MARKER, PIN_TO_BE_CHANGED_MARKER])
        s.create([
          ...dataObject(marker),
          [CKA.TOKEN, true],
          [CKA.PRIVATE, false],
          [CKA.MODIFIABLE, true],
          [CKA.VALUE, Buffer.from(new Date().toISOString(), 'utf8')],
        ]);
    });
  }

  /** C_Login as SO, C_InitPIN: the user PIN becomes `newPin` and the agent's wrong-PIN count is cleared. */
  resetUserPin(serial: string, soPin: string, newPin: string): void {
    this.withSession(serial, undefined, (s) => {
      try {
        s.login(CKU.SO, soPin);
      } catch (e) {
        const code = ckr(e);
        if (code === 'CKR_PIN_INCORRECT') throw new AgentError(403, 'SO_PIN_INCORRECT', 'UKEY 的管理员口令（SO PIN）错误');
        if (code === 'CKR_PIN_LOCKED') throw new AgentError(423, 'SO_PIN_LOCKED', 'UKEY 的管理员口令已锁定，只能更换 UKEY');
        throw new AgentError(502, 'TOKEN_ERROR', `UKEY 管理员登录失败：${code || (e as Error).message}`);
      }
      try {
        s.initPin(newPin);
      } catch (e) {
        throw new AgentError(400, 'PIN_REJECTED', `UKEY 拒绝了新口令（${ckr(e) || (e as Error).message}）`);
      } finally {
        s.logout();
      }
    });
    this.wrongPins.delete(serial);
  }
}
