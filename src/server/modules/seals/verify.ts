/**
 * 电子签章验证: parses a seal (DER), checks the seal maker's SM2 signature over SES_SealInfo and that the
 * maker is this CA's, then the binding: the certificate in the seal's certList must be one the CA issued
 * (the registry's DER, byte for byte), and its status now comes from the CA's own data — revoked,
 * expired or unknown certificates make the seal invalid. The answer is for people: Chinese, per check.
 */
import { parseCertificate } from '../../../ca/cert/parse.js';
import { parseSeal, SealFormatError, verifySealSignature, type ParsedSeal } from '../../../ca/seal/seal.js';
import { publicStatusOf, PUBLIC_STATUS_LABEL, type PublicCertStatus } from '../../../core/certificates.js';
import { AppError } from '../../../core/errors.js';
import type { Clock } from '../../clock.js';
import type { Config } from '../../config.js';
import type { DbOrTx } from '../../db/client.js';
import { caRuntime } from '../certificates/ca-runtime.js';
import { displaySerial } from '../certificates/registry.js';
import { certificateRepository, normalizeSerial } from '../certificates/repository.js';
import { sealRepository } from './repository.js';

export interface Check {
  ok: boolean;
  label: string;
  detail: string;
}

const SEAL_TYPE_LABEL: Record<number, string> = { 1: '单位印章', 2: '个人印章' };

function fields(s: ParsedSeal) {
  return {
    version: s.header.version,
    vid: s.header.vid,
    esId: s.esId,
    type: s.type,
    typeLabel: SEAL_TYPE_LABEL[s.type] ?? `类型 ${s.type}`,
    name: s.name,
    createDate: s.createDate,
    validStart: s.validStart,
    validEnd: s.validEnd,
    picture: {
      type: s.picture.type,
      widthMm: s.picture.widthMm,
      heightMm: s.picture.heightMm,
      bytes: s.picture.data.length,
      dataUrl: s.picture.type.toLowerCase() === 'png' ? `data:image/png;base64,${Buffer.from(s.picture.data).toString('base64')}` : null,
    },
    signAlgorithm: s.signAlgId === '1.2.156.10197.1.501' ? 'SM2/SM3（1.2.156.10197.1.501）' : s.signAlgId,
  };
}

/** Decodes the request: raw DER, or base64 / PEM-like text of it. Throws a Chinese VALIDATION_FAILED. */
export function sealBytesFrom(body: Buffer | string | undefined): Buffer {
  if (Buffer.isBuffer(body)) {
    if (body.length === 0) throw new AppError('VALIDATION_FAILED', '请上传电子印章文件', { fields: { seal: '请上传电子印章文件' } });
    return body;
  }
  const text = (body ?? '').replace(/-----[^-]+-----/g, '').replace(/\s+/g, '');
  if (!text)
    throw new AppError('VALIDATION_FAILED', '请上传电子印章文件或粘贴其 Base64 内容', {
      fields: { seal: '请上传电子印章文件或粘贴其 Base64 内容' },
    });
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(text) || text.length % 4 === 1)
    throw new AppError('VALIDATION_FAILED', '电子印章内容不是有效的 Base64', {
      fields: { seal: '电子印章内容不是有效的 Base64（只能包含字母、数字、+、/ 和末尾的 =）' },
    });
  return Buffer.from(text, 'base64');
}

export async function verifySeal(deps: { db: DbOrTx; clock: Clock; config: Config }, der: Uint8Array) {
  const now = deps.clock.now();
  let seal: ParsedSeal;
  try {
    seal = parseSeal(der);
  } catch (e) {
    if (e instanceof SealFormatError)
      throw new AppError('VALIDATION_FAILED', `无法解析电子印章：${e.message}`, {
        fields: { seal: `不是有效的电子印章（GM/T 0031）：${e.message}` },
      });
    throw e;
  }
  const checks: Check[] = [];
  checks.push({ ok: true, label: '格式', detail: `GM/T 0031 电子印章，第 ${seal.header.version} 版，厂商标识 ${seal.header.vid}` });

  const ca = await caRuntime(deps.config.ca);
  let trusted: Uint8Array[];
  try {
    trusted = [ca.sealMaker().certDer];
  } catch {
    // No seal maker configured: no seal can be this CA's.
    trusted = [];
  }
  const maker = verifySealSignature(seal, { trustedMakers: trusted, at: now });
  checks.push({ ok: maker.ok, label: '制章人签名', detail: maker.ok ? `制章人签名有效（${maker.maker?.subject}）` : maker.reason });

  // The seal's own validity period.
  const inPeriod = seal.validStart.getTime() <= now.getTime() && now.getTime() <= seal.validEnd.getTime();
  checks.push({
    ok: inPeriod,
    label: '印章有效期',
    detail: inPeriod ? '在印章有效期内' : seal.validEnd.getTime() < now.getTime() ? '印章已过有效期' : '印章尚未到有效起始日期',
  });

  // The binding: the certificate in the seal, its registry row, its status now.
  let certificate: { serial: string; unitName: string; uscc: string; notBefore: Date; notAfter: Date } | null = null;
  let certStatus: PublicCertStatus = 'unknown';
  let bindingDetail = '印章未包含签章者证书（仅证书杂凑值），无法核对证书状态';
  if (seal.certs.length) {
    let serial: string | null = null;
    try {
      serial = normalizeSerial(parseCertificate(seal.certs[0]!).serialHex);
    } catch {
      bindingDetail = '印章中的签章者证书无法解析';
    }
    if (serial) {
      const row = await certificateRepository.findBySerial(deps.db, serial);
      if (!row || !row.der || !Buffer.from(row.der).equals(Buffer.from(seal.certs[0]!))) {
        bindingDetail = `证书 ${displaySerial(serial)} 不是本 CA 签发的证书，状态未知`;
      } else {
        certStatus = publicStatusOf(row, now);
        certificate = {
          serial: displaySerial(row.serial),
          unitName: row.unitName,
          uscc: row.uscc,
          notBefore: row.notBefore,
          notAfter: row.notAfter,
        };
        bindingDetail = `绑定证书 ${certificate.serial}（${row.unitName}）：${PUBLIC_STATUS_LABEL[certStatus]}`;
      }
    }
  }
  checks.push({ ok: certStatus === 'valid', label: '绑定证书状态', detail: bindingDetail });

  // Our own record: a seal made again from another picture is replaced.
  const stored = await sealRepository.findByEsId(deps.db, seal.esId);
  const sameSeal = stored && Buffer.from(stored.der).equals(Buffer.from(der));
  if (stored && sameSeal && stored.status === 'superseded')
    checks.push({ ok: false, label: '印章记录', detail: '此印章已被重新制作的印章替换，不再有效' });
  else if (maker.ok)
    checks.push({ ok: true, label: '印章记录', detail: sameSeal ? '本 CA 制作的印章，记录一致' : '印章由本 CA 制章人签名' });

  const ok = checks.every((c) => c.ok);
  const failed = checks.filter((c) => !c.ok).map((c) => c.detail);
  return {
    ok,
    result: ok ? '电子印章有效' : `电子印章无效：${failed.join('；')}`,
    checkedAt: now,
    seal: fields(seal),
    makerSignatureOk: maker.ok,
    maker: maker.maker ? { subject: maker.maker.subject, serial: displaySerial(maker.maker.serial), notAfter: maker.maker.notAfter } : null,
    certificate,
    certificateStatus: certStatus,
    certificateStatusLabel: PUBLIC_STATUS_LABEL[certStatus],
    checks,
  };
}
