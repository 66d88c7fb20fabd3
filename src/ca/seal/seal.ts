/**
 * The electronic seal (电子印章) of GM/T 0031 (安全电子签章密码技术规范), in the version-4 structure that
 * GB/T 38540-2020 carries forward (header version 4, certListType + certList, GeneralizedTime dates).
 * Written from the standard's ASN.1:
 *
 *   SESeal ::= SEQUENCE {
 *     eSealInfo    SES_SealInfo,
 *     cert         OCTET STRING,          -- the seal maker's (制章人) certificate, DER
 *     signAlgID    OBJECT IDENTIFIER,     -- 1.2.156.10197.1.501 SM2-with-SM3
 *     signedValue  BIT STRING }           -- the maker's signature over the DER of eSealInfo
 *   SES_SealInfo ::= SEQUENCE {
 *     header SES_Header, esID IA5String, property SES_ESPropertyInfo, picture SES_ESPictureInfo,
 *     extDatas ExtensionDatas OPTIONAL }
 *   SES_Header ::= SEQUENCE { id IA5String ("ES"), version INTEGER (4), vid IA5String }
 *   SES_ESPropertyInfo ::= SEQUENCE {
 *     type INTEGER,                       -- 1 单位印章, 2 个人印章
 *     name UTF8String,
 *     certListType INTEGER,               -- 1: certificates, 2: certificate digests
 *     certList SES_CertList,              -- CHOICE { certs SEQUENCE OF OCTET STRING, certDigestList ... }
 *     createDate GeneralizedTime, validStart GeneralizedTime, validEnd GeneralizedTime }
 *   SES_ESPictureInfo ::= SEQUENCE { type IA5String, data OCTET STRING, width INTEGER, height INTEGER }  -- mm
 *   ExtensionDatas ::= SEQUENCE OF ExtData
 *   ExtData ::= SEQUENCE { extnID OBJECT IDENTIFIER, critical BOOLEAN DEFAULT FALSE, extnValue OCTET STRING }
 *
 * The certList names the signer certificate(s) the seal is bound to — here the main key's certificate, as
 * certificates (certListType 1). The maker signs with SM2/SM3 and the standard ID 1234567812345678 (GM/T
 * 0009), through the Signer port; nothing here sees a private key.
 */
import { createHash } from 'node:crypto';
import { OID } from '../algorithms.js';
import { decodeOid, decodeString, decodeTime, parseCertificate } from '../cert/parse.js';
import {
  bitString,
  boolean,
  generalizedTime,
  ia5String,
  integer,
  octetString,
  oid,
  readTlv,
  sequence,
  TAG,
  utf8String,
} from '../der/der.js';
import type { Signer } from '../signer/port.js';
import { verifySignature } from '../signer/software.js';

export const SEAL_HEADER_ID = 'ES';
export const SEAL_VERSION = 4;
/** Our vendor ID in the header (SES_Header.vid): identifies the software that made the seal. */
export const CERTDESK_VID = 'CertDesk';
/** Most pictures are tens of kilobytes; refuse anything absurd before signing or while parsing. */
export const MAX_SEAL_BYTES = 2 * 1024 * 1024;

/** SES_ESPropertyInfo.type: 1 单位印章 (the company seal), 2 个人印章 (a person's seal or signature). */
export type SealType = 1 | 2;

export interface SealExtension {
  oid: string;
  critical: boolean;
  value: Uint8Array;
}

export interface SealInfoInput {
  /** SES_SealInfo.esID: the seal's unique identifier (IA5). */
  esId: string;
  vid?: string;
  type: SealType;
  name: string;
  /** The signer certificates (DER) the seal is bound to: certListType 1. */
  certs: readonly Uint8Array[];
  createDate: Date;
  validStart: Date;
  validEnd: Date;
  picture: { type: string; data: Uint8Array; widthMm: number; heightMm: number };
  extDatas?: readonly SealExtension[];
}

export interface ParsedSeal {
  /** The DER of SES_SealInfo exactly as found: what the maker signed. */
  sealInfoDer: Uint8Array;
  header: { id: string; version: number; vid: string };
  esId: string;
  type: number;
  name: string;
  certListType: number;
  /** certListType 1: the bound certificates' DER; 2: none (digests only). */
  certs: Uint8Array[];
  certDigests: { type: string; value: Uint8Array }[];
  createDate: Date;
  validStart: Date;
  validEnd: Date;
  picture: { type: string; data: Uint8Array; widthMm: number; heightMm: number };
  extDatas: SealExtension[];
  makerCertDer: Uint8Array;
  signAlgId: string;
  signature: Uint8Array;
}

/** A seal that is not a well-formed SESeal; the message is Chinese (it goes back to whoever sent the seal). */
export class SealFormatError extends Error {
  override name = 'SealFormatError';
}

const IA5 = /^[\x20-\x7e]*$/;

/** The DER of SES_SealInfo: what the seal maker signs. */
export function encodeSealInfo(input: SealInfoInput): Uint8Array {
  const vid = input.vid ?? CERTDESK_VID;
  if (!IA5.test(input.esId) || !input.esId) throw new RangeError('esID must be printable ASCII');
  if (!IA5.test(vid)) throw new RangeError('vid must be printable ASCII');
  if (!IA5.test(input.picture.type) || !input.picture.type) throw new RangeError('picture type must be ASCII');
  if (input.certs.length === 0) throw new RangeError('a seal is bound to at least one certificate');
  for (const n of [input.picture.widthMm, input.picture.heightMm])
    if (!Number.isInteger(n) || n <= 0 || n > 1000) throw new RangeError('picture width/height: whole millimetres, 1–1000');
  if (!(input.validStart.getTime() <= input.validEnd.getTime())) throw new RangeError('validStart after validEnd');
  const parts = [
    sequence(ia5String(SEAL_HEADER_ID), integer(SEAL_VERSION), ia5String(vid)),
    ia5String(input.esId),
    sequence(
      integer(input.type),
      utf8String(input.name),
      integer(1),
      sequence(...input.certs.map((c) => octetString(c))),
      generalizedTime(input.createDate),
      generalizedTime(input.validStart),
      generalizedTime(input.validEnd),
    ),
    sequence(
      ia5String(input.picture.type),
      octetString(input.picture.data),
      integer(input.picture.widthMm),
      integer(input.picture.heightMm),
    ),
  ];
  if (input.extDatas?.length)
    parts.push(
      sequence(
        ...input.extDatas.map((e) =>
          // DER: a DEFAULT FALSE boolean is omitted when false (X.690 11.5).
          e.critical ? sequence(oid(e.oid), boolean(true), octetString(e.value)) : sequence(oid(e.oid), octetString(e.value)),
        ),
      ),
    );
  return sequence(...parts);
}

/** Builds and signs a seal: the maker must hold an SM2 key (GM/T 0031 signs with SM2/SM3 only). */
export async function makeSeal(input: SealInfoInput, maker: { certDer: Uint8Array; signer: Signer }): Promise<Uint8Array> {
  if (maker.signer.algorithm !== 'sm2') throw new RangeError('the seal maker must sign with SM2');
  const info = encodeSealInfo(input);
  const signature = await maker.signer.sign(info);
  const der = sequence(info, octetString(maker.certDer), oid(OID.sm2WithSm3), bitString(signature));
  if (der.length > MAX_SEAL_BYTES) throw new RangeError('seal too large');
  return der;
}

// ——— parsing: a strict walk; every failure is a SealFormatError with a Chinese message ———

type Node = { tag: number; start: number; end: number; headerLength: number };

class Reader {
  private at: number;
  constructor(
    readonly buf: Uint8Array,
    start: number,
    readonly end: number,
    readonly what: string,
  ) {
    this.at = start;
  }
  get done() {
    return this.at >= this.end;
  }
  peekTag(): number | undefined {
    return this.done ? undefined : this.buf[this.at];
  }
  next(tag: number, field: string): Node {
    if (this.done) throw new SealFormatError(`${this.what}缺少${field}`);
    if (this.buf[this.at] !== tag) throw new SealFormatError(`${this.what}的${field}类型不正确`);
    let t: Node;
    try {
      t = readTlv(this.buf, this.at);
    } catch {
      throw new SealFormatError(`${this.what}的${field}编码不完整`);
    }
    if (t.end > this.end) throw new SealFormatError(`${this.what}的${field}超出了所在结构`);
    this.at = t.end;
    return t;
  }
  content(t: Node): Uint8Array {
    return this.buf.subarray(t.start, t.end);
  }
  whole(t: Node): Uint8Array {
    return this.buf.subarray(t.start - t.headerLength, t.end);
  }
  inner(t: Node, what: string): Reader {
    return new Reader(this.buf, t.start, t.end, what);
  }
  finish() {
    if (!this.done) throw new SealFormatError(`${this.what}含有多余的内容`);
  }
  int(field: string): number {
    const c = this.content(this.next(TAG.INTEGER, field));
    if (c.length === 0 || c.length > 6 || (c[0]! & 0x80) !== 0) throw new SealFormatError(`${this.what}的${field}不是合理的非负整数`);
    return c.reduce((v, b) => v * 256 + b, 0);
  }
  ia5(field: string): string {
    const s = decodeString(TAG.IA5_STRING, this.content(this.next(TAG.IA5_STRING, field)));
    if (!IA5.test(s)) throw new SealFormatError(`${this.what}的${field}含有非 ASCII 字符`);
    return s;
  }
  utf8(field: string): string {
    const c = this.content(this.next(TAG.UTF8_STRING, field));
    const s = Buffer.from(c).toString('utf8');
    if (!Buffer.from(s, 'utf8').equals(Buffer.from(c))) throw new SealFormatError(`${this.what}的${field}不是有效的 UTF-8 文本`);
    return s;
  }
  time(field: string): Date {
    const t = this.next(TAG.GENERALIZED_TIME, field);
    try {
      return decodeTime(TAG.GENERALIZED_TIME, this.content(t));
    } catch {
      throw new SealFormatError(`${this.what}的${field}不是有效的时间`);
    }
  }
  octets(field: string): Uint8Array {
    return this.content(this.next(TAG.OCTET_STRING, field));
  }
}

/** The signer certificates (type 1) or their digests (type 2), in the order listed. */
function readSignerCerts(prop: Reader, certListType: 1 | 2) {
  const listR = prop.inner(prop.next(TAG.SEQUENCE, '签章者证书信息列表'), '签章者证书信息列表');
  const certs: Uint8Array[] = [];
  const certDigests: { type: string; value: Uint8Array }[] = [];
  while (!listR.done) {
    if (certListType === 1) certs.push(listR.octets('证书'));
    else {
      const d = listR.inner(listR.next(TAG.SEQUENCE, '证书杂凑值'), '证书杂凑值');
      const dt = decodeString(TAG.PRINTABLE_STRING, d.content(d.next(TAG.PRINTABLE_STRING, '杂凑算法')));
      certDigests.push({ type: dt, value: d.octets('杂凑值') });
      d.finish();
    }
  }
  return { certs, certDigests };
}

/** The optional ExtensionDatas: each an OID, an optional critical flag and the data. */
function readExtensionDatas(info: Reader): SealExtension[] {
  const extDatas: SealExtension[] = [];
  const extR = info.inner(info.next(TAG.SEQUENCE, '自定义数据（ExtensionDatas）'), '自定义数据');
  while (!extR.done) {
    const e = extR.inner(extR.next(TAG.SEQUENCE, '自定义数据项'), '自定义数据项');
    const id = decodeOid(e.content(e.next(TAG.OID, '标识')));
    let critical = false;
    if (e.peekTag() === TAG.BOOLEAN) critical = e.content(e.next(TAG.BOOLEAN, '关键性'))[0] !== 0;
    extDatas.push({ oid: id, critical, value: e.octets('数据值') });
    e.finish();
  }
  return extDatas;
}

/** Parses a DER SESeal (version 4). Throws SealFormatError (Chinese) on anything that is not one. */
export function parseSeal(der: Uint8Array): ParsedSeal {
  if (der.length === 0) throw new SealFormatError('电子印章数据为空');
  if (der.length > MAX_SEAL_BYTES) throw new SealFormatError('电子印章数据过大（超过 2 MB）');
  const top = new Reader(der, 0, der.length, '电子印章');
  const outerNode = top.next(TAG.SEQUENCE, '外层结构（SESeal）');
  top.finish();
  const seal = top.inner(outerNode, '电子印章（SESeal）');
  const infoNode = seal.next(TAG.SEQUENCE, '印章信息（SES_SealInfo）');
  const sealInfoDer = seal.whole(infoNode);
  const info = seal.inner(infoNode, '印章信息');

  const headerR = info.inner(info.next(TAG.SEQUENCE, '头信息（SES_Header）'), '头信息');
  const header = { id: headerR.ia5('标识'), version: headerR.int('版本号'), vid: headerR.ia5('厂商标识') };
  headerR.finish();
  if (header.id !== SEAL_HEADER_ID) throw new SealFormatError(`头信息的标识应为“ES”，实为“${header.id}”`);
  if (header.version !== SEAL_VERSION) throw new SealFormatError(`仅支持第 4 版电子印章，此印章为第 ${header.version} 版`);
  const esId = info.ia5('印章标识（esID）');

  const prop = info.inner(info.next(TAG.SEQUENCE, '印章属性（SES_ESPropertyInfo）'), '印章属性');
  const type = prop.int('印章类型');
  const name = prop.utf8('印章名称');
  const certListType = prop.int('签章者证书信息类型');
  if (certListType !== 1 && certListType !== 2) throw new SealFormatError(`签章者证书信息类型应为 1 或 2，实为 ${certListType}`);
  const { certs, certDigests } = readSignerCerts(prop, certListType);
  if (certs.length + certDigests.length === 0) throw new SealFormatError('签章者证书信息列表为空');
  const createDate = prop.time('制作日期');
  const validStart = prop.time('有效起始日期');
  const validEnd = prop.time('有效终止日期');
  prop.finish();

  const picR = info.inner(info.next(TAG.SEQUENCE, '印章图像（SES_ESPictureInfo）'), '印章图像');
  const picture = {
    type: picR.ia5('图像类型'),
    data: picR.octets('图像数据'),
    widthMm: picR.int('显示宽度'),
    heightMm: picR.int('显示高度'),
  };
  picR.finish();

  const extDatas = info.done ? [] : readExtensionDatas(info);
  info.finish();

  const makerCertDer = seal.octets('制章人证书');
  const signAlgId = decodeOid(seal.content(seal.next(TAG.OID, '签名算法标识')));
  const bits = seal.content(seal.next(TAG.BIT_STRING, '签名值'));
  seal.finish();
  if (bits.length < 2 || bits[0] !== 0) throw new SealFormatError('签名值编码不正确');
  return {
    sealInfoDer,
    header,
    esId,
    type,
    name,
    certListType,
    certs,
    certDigests,
    createDate,
    validStart,
    validEnd,
    picture,
    extDatas,
    makerCertDer,
    signAlgId,
    signature: bits.subarray(1),
  };
}

export interface MakerCheck {
  ok: boolean;
  /** Chinese, for people: why it failed, or what was checked. */
  reason: string;
  maker?: { subject: string; serial: string; notBefore: Date; notAfter: Date };
}

/**
 * Checks the maker's signature: SM2-with-SM3 over the DER of SES_SealInfo with the public key of the
 * certificate in `cert`, under the standard ID. It does not decide whether that maker is trusted: the
 * caller compares the certificate with the makers it trusts (`trustedMakers`, DER), when given.
 */
export function verifySealSignature(seal: ParsedSeal, opts: { trustedMakers?: readonly Uint8Array[]; at?: Date } = {}): MakerCheck {
  if (seal.signAlgId !== OID.sm2WithSm3) return { ok: false, reason: `签名算法 ${seal.signAlgId} 不是 SM2/SM3（1.2.156.10197.1.501）` };
  let maker;
  try {
    maker = parseCertificate(seal.makerCertDer);
  } catch {
    return { ok: false, reason: '制章人证书无法解析' };
  }
  const info = {
    subject: maker.subjectFields.CN ?? '',
    serial: maker.serialHex,
    notBefore: maker.notBefore,
    notAfter: maker.notAfter,
  };
  if (!verifySignature(maker.spki, 'sm2', seal.sealInfoDer, seal.signature))
    return { ok: false, reason: '制章人签名验证失败：印章内容在签名后被改动，或签名不是该制章人所做', maker: info };
  if (opts.trustedMakers && !opts.trustedMakers.some((t) => Buffer.from(t).equals(Buffer.from(seal.makerCertDer))))
    return { ok: false, reason: '制章人证书不是本 CA 的制章人证书', maker: info };
  const at = opts.at;
  if (at && (at < maker.notBefore || at > maker.notAfter)) return { ok: false, reason: '制章人证书不在有效期内', maker: info };
  return { ok: true, reason: '制章人签名有效', maker: info };
}

/** SHA-256 of the picture, hex: lets a store tell whether a seal was made from the same image. */
export const pictureDigest = (data: Uint8Array) => createHash('sha256').update(data).digest('hex');
