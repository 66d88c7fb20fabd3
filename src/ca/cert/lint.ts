/**
 * The pre-signing lint (issue 6, Boulder's order: record the TBS, lint it, then sign). It parses the TBS
 * bytes back — what will be signed, not what the caller meant — and checks them against the profile.
 * Messages are Chinese (staff see them when 制证 is refused); codes are for tests and logs.
 */
import { firstInvisible } from '../../core/visible-text.js';
import { familyOfSignatureOid } from '../algorithms.js';
import { readTlv } from '../der/der.js';
import { inspectSpki } from '../spki.js';
import { EXT, KEY_USAGE_BITS } from './build.js';
import type { CertificateProfile } from './profiles.js';
import { children, decodeOid, parseTbs, type ParsedTbs } from './parse.js';

export class LintProblem {
  constructor(
    readonly code: string,
    readonly message: string,
  ) {}
  toString(): string {
    return this.message;
  }
}

const DAY = 86_400_000;
/** GB 32100-2015: 18 characters; register code, 6-digit region code, 9-character organisation code, check digit. */
const USCC = /^[0-9A-HJ-NP-RTUW-Y]{2}\d{6}[0-9A-HJ-NP-RTUW-Y]{10}$/;
/** X.520 attribute names for messages (the ones our names carry). */
const ATTRIBUTE_NAMES: Record<string, string> = {
  '2.5.4.3': 'CN',
  '2.5.4.5': 'serialNumber',
  '2.5.4.6': 'C',
  '2.5.4.7': 'L',
  '2.5.4.8': 'ST',
  '2.5.4.10': 'O',
  '2.5.4.11': 'OU',
};
const CRITICAL_ALLOWED = new Set<string>([EXT.basicConstraints, EXT.keyUsage]);

export function decodeKeyUsage(value: Uint8Array): Set<string> {
  const t = readTlv(value, 0);
  const bytes = value.subarray(t.start + 1, t.end);
  const out = new Set<string>();
  KEY_USAGE_BITS.forEach((name, i) => {
    if ((bytes[i >> 3] ?? 0) & (0x80 >> (i & 7))) out.add(name);
  });
  return out;
}

function decodeBasicConstraints(value: Uint8Array): { ca: boolean; pathLength?: number } {
  const t = readTlv(value, 0);
  let ca = false;
  let pathLength: number | undefined;
  for (const c of children(value, t.start, t.end)) {
    if (c.tag === 0x01) ca = value[c.start] !== 0;
    if (c.tag === 0x02) pathLength = Number(BigInt('0x' + Buffer.from(value.subarray(c.start, c.end)).toString('hex')));
  }
  return pathLength === undefined ? { ca } : { ca, pathLength };
}

function decodeOidSequence(value: Uint8Array, inner = false): string[] {
  const t = readTlv(value, 0);
  return children(value, t.start, t.end).map((c) => {
    const o = inner ? readTlv(value, c.start) : c;
    return decodeOid(value.subarray(o.start, o.end));
  });
}

const sameSet = (a: Iterable<string>, b: Iterable<string>) => {
  const x = [...new Set(a)].sort();
  const y = [...new Set(b)].sort();
  return x.length === y.length && x.every((v, i) => v === y[i]);
};

export function lintTbs(tbsDer: Uint8Array, profile: CertificateProfile): LintProblem[] {
  let tbs: ParsedTbs;
  try {
    tbs = parseTbs(tbsDer);
  } catch (e) {
    return [new LintProblem('tbs.unparseable', `待签证书无法解析：${(e as Error).message}`)];
  }
  return lintParsedTbs(tbs, profile);
}

/** The same lint on a TBS the caller has already parsed from the bytes to be signed (the signer does). */
export function lintParsedTbs(tbs: ParsedTbs, profile: CertificateProfile): LintProblem[] {
  const problems: LintProblem[] = [];
  const fail: Fail = (code, message) => problems.push(new LintProblem(code, message));
  lintFields(tbs, profile, fail);
  lintExtensions(tbs, profile, fail);
  lintKeyAndSignature(tbs, profile, fail);
  return problems;
}

type Fail = (code: string, message: string) => void;

/** Version, serial, validity and subject: the TBS's own fields. */
function lintFields(tbs: ParsedTbs, profile: CertificateProfile, fail: Fail): void {
  if (tbs.version !== 2) fail('version', `证书版本应为 v3，实为 v${tbs.version + 1}`);

  // Serial (RFC 5280 4.1.2.2; issue 6): positive, minimal DER, 9–20 content bytes (≥ 64 random bits).
  const s = tbs.serialContent;
  if (s.length < 9 || s.length > 20) fail('serial.length', `序列号应为 9 至 20 字节，实为 ${s.length} 字节`);
  if ((s[0] ?? 0) & 0x80) fail('serial.negative', '序列号不能为负数');
  if (s.length > 1 && s[0] === 0 && !((s[1] ?? 0) & 0x80)) fail('serial.padding', '序列号编码有多余的前导零');

  // Validity (RFC 5280 4.1.2.5).
  const span = tbs.notAfter.getTime() - tbs.notBefore.getTime();
  if (span <= 0) fail('validity.order', '有效期起始时间不早于截止时间');
  else if (profile.latestNotAfter) {
    if (tbs.notAfter.getTime() > profile.latestNotAfter.getTime())
      fail('validity.long', `有效期截止时间 ${tbs.notAfter.toISOString()} 晚于续费规则允许的 ${profile.latestNotAfter.toISOString()}`);
  } else if (span > profile.maxValidityDays * DAY)
    fail('validity.long', `有效期 ${Math.ceil(span / DAY)} 天，超过本类证书上限 ${profile.maxValidityDays} 天`);

  // Subject.
  for (const f of profile.requiredSubject) {
    if (!tbs.subjectFields[f]) fail(`subject.${f}`, `证书主题缺少 ${f === 'uscc' ? '统一社会信用代码（serialNumber）' : f}`);
  }
  if (tbs.subjectFields.uscc !== undefined && !USCC.test(tbs.subjectFields.uscc))
    fail('subject.uscc.format', `统一社会信用代码格式不正确：${tbs.subjectFields.uscc}`);
  // Invisible characters (issue 16): a zero-width or bidi-override character makes a subject that reads
  // exactly like another organisation's. The RA refuses them at input; this refuses them in what is signed.
  for (const a of tbs.subjectAttributes) {
    const c = firstInvisible(a.value, { whitespace: 'refuse' });
    if (c) fail('subject.invisible', `证书主题 ${ATTRIBUTE_NAMES[a.oid] ?? a.oid} 含有不可见字符或控制字符（${c}）：不能签发`);
  }
  if (profile.kind === 'root' && Buffer.compare(Buffer.from(tbs.issuer), Buffer.from(tbs.subject)) !== 0)
    fail('root.selfSigned', '根证书的颁发者与主题应相同');
}

/** The extensions: each once, critical where RFC 5280 says, the values the profile asks for. */
function lintExtensions(tbs: ParsedTbs, profile: CertificateProfile, fail: Fail): void {
  // Extensions: no duplicates (RFC 5280 4.2), criticality as RFC 5280 prescribes for ours.
  const byOid = new Map<string, (typeof tbs.extensions)[number]>();
  for (const e of tbs.extensions) {
    if (byOid.has(e.oid)) fail('ext.duplicate', `扩展 ${e.oid} 重复出现`);
    byOid.set(e.oid, e);
    if (e.critical && !CRITICAL_ALLOWED.has(e.oid)) fail('ext.critical', `扩展 ${e.oid} 不应标记为关键`);
  }

  const bc = byOid.get(EXT.basicConstraints);
  if (profile.ca) {
    if (!bc) fail('bc.missing', 'CA 证书缺少基本约束（basicConstraints）扩展');
    else {
      if (!bc.critical) fail('bc.critical', 'CA 证书的基本约束扩展必须为关键');
      const v = decodeBasicConstraints(bc.value);
      if (!v.ca) fail('bc.notCa', 'CA 证书的基本约束应为 cA=TRUE');
      if (v.pathLength !== profile.ca.pathLength)
        fail('bc.pathLength', `路径长度约束应为 ${profile.ca.pathLength ?? '无'}，实为 ${v.pathLength ?? '无'}`);
    }
  } else if (bc && decodeBasicConstraints(bc.value).ca) fail('bc.ca', '终端证书不能是 CA 证书（cA=TRUE）');

  const ku = byOid.get(EXT.keyUsage);
  if (!ku) fail('ku.missing', '缺少密钥用法（keyUsage）扩展');
  else {
    if (!ku.critical) fail('ku.critical', '密钥用法扩展必须为关键');
    const got = decodeKeyUsage(ku.value);
    if (!sameSet(got, profile.keyUsage)) fail('ku.value', `密钥用法应为 ${profile.keyUsage.join('+')}，实为 ${[...got].join('+') || '空'}`);
  }

  const eku = byOid.get(EXT.extKeyUsage);
  if (profile.extKeyUsage) {
    if (!eku) fail('eku.missing', '缺少扩展密钥用法（extKeyUsage）扩展');
    else if (!sameSet(decodeOidSequence(eku.value), profile.extKeyUsage))
      fail('eku.value', `扩展密钥用法应为 ${profile.extKeyUsage.join(', ')}，实为 ${decodeOidSequence(eku.value).join(', ')}`);
  } else if (eku) fail('eku.unexpected', '本类证书不应有扩展密钥用法扩展');

  for (const o of profile.requiredExtensions) if (!byOid.has(o)) fail('ext.missing', `缺少必需的扩展 ${o}`);
  // GM/T 0015-2023's USCC extension: a PrintableString, the same code as the subject's serialNumber.
  const usccExt = byOid.get(EXT.gmt0015Uscc);
  if (usccExt) {
    const v = readTlv(usccExt.value, 0);
    const text = Buffer.from(usccExt.value.subarray(v.start, v.end)).toString('latin1');
    if (v.tag !== 0x13 || v.end !== usccExt.value.length || text !== tbs.subjectFields.uscc)
      fail('ext.uscc', `统一社会信用代码扩展（${EXT.gmt0015Uscc}）应为与主题 serialNumber 相同的 PrintableString`);
  }
  if (byOid.has(EXT.ocspNoCheck) && profile.kind !== 'ocsp-responder')
    fail('ext.ocspNoCheck', '只有 OCSP 响应者证书可带 ocsp-nocheck 扩展');

  const aia = byOid.get(EXT.authorityInfoAccess);
  if (
    profile.requiredExtensions.includes(EXT.authorityInfoAccess) &&
    aia &&
    !decodeOidSequence(aia.value, true).includes('1.3.6.1.5.5.7.48.1')
  )
    fail('aia.ocsp', '颁发机构信息访问扩展中缺少 OCSP 地址');
  if (profile.policyOids.length) {
    const cp = byOid.get(EXT.certificatePolicies);
    const have = cp ? decodeOidSequence(cp.value, true) : [];
    for (const p of profile.policyOids) if (!have.includes(p)) fail('policy.missing', `证书策略中缺少 ${p}`);
  }
}

/** The subject's key and the signature algorithm. */
function lintKeyAndSignature(tbs: ParsedTbs, profile: CertificateProfile, fail: Fail): void {
  // Subject key: family, curve, size (RSA ≥ 2048, P-256, SM2).
  const key = inspectSpki(tbs.spki);
  if (!key.ok) fail('key.unsupported', key.reason);
  else if (!profile.subjectKeyAlgorithms.includes(key.algorithm))
    fail('key.family', `本类证书只接受 ${profile.subjectKeyAlgorithms.join('/')} 密钥，实为 ${key.algorithm}`);

  // Signature algorithm: the issuer's family (RFC 5280 4.1.2.3).
  const sigFamily = familyOfSignatureOid(tbs.signatureAlgorithmOid);
  if (sigFamily !== profile.family) fail('sig.family', `签名算法 ${tbs.signatureAlgorithmOid} 与颁发者算法 ${profile.family} 不符`);
}
