/**
 * 印模质量检查: the rules an impression must meet before an electronic seal can be made from it (seeds:
 * "印模一定要清晰……印章要求红白分明，没有杂质和底色"; the sheet: "居中盖（签）二次，切勿压线，保持页面整洁").
 * Pure: the extraction (extract.ts) measures, this table judges, and each failure carries a reason in
 * Chinese that says what is wrong and what to do. Order matters: an empty box or ink of the wrong colour
 * is the only thing said about that box (the other measurements are of red ink that is not there).
 */
import type { SealBoxKind } from '../templates/seal-sheet.js';

/** What extract.ts measured in one box (millimetres, strengths 0–1). */
export interface BoxMetrics {
  /** Red (for signatures: red or dark) ink of the impression itself, in mm². */
  inkAreaMm2: number;
  /** Weakly red ink (redness ≥ 0.07, below the threshold included) inside the box, in mm²: a faint impression. */
  weakInkAreaMm2: number;
  /** Ink of another colour (blue, black, purple) inside the box, in mm². */
  otherInkAreaMm2: number;
  /** Red ink on or beyond the box line, in mm². */
  lineInkAreaMm2: number;
  /** Red ink away from the impression (specks, smears), in mm². */
  strayInkAreaMm2: number;
  /** 90th percentile of the ink's redness over the impression (0 = paper, ~0.8 = a well-inked seal). */
  strengthP90: number;
  /** The impression's bounding box, mm. */
  widthMm: number;
  heightMm: number;
  /** Ink area / bounding-box area. */
  fill: number;
  /** The scan's resolution, px/mm. */
  pxPerMm: number;
  /** The paper's brightness (0–1) and colour cast (max − min channel, 0–1), as scanned. */
  paperLuminance: number;
  paperCast: number;
}

export type QualityCode = 'empty' | 'not-red' | 'crosses-line' | 'faint' | 'smudged' | 'too-small' | 'low-resolution' | 'background';

export interface QualityRule {
  code: QualityCode;
  /** Short name for lists and the reviewer. */
  title: string;
  fails: (m: BoxMetrics, kind: SealBoxKind) => boolean;
  /** The sentence the applicant reads. */
  reason: (m: BoxMetrics, kind: SealBoxKind) => string;
  /** When it fails, nothing else is said about the box. */
  final?: boolean;
}

export const KIND_LABEL: Record<SealBoxKind, string> = {
  'company-seal': '企业公章',
  'legal-person-seal': '法人私章',
  'legal-person-signature': '法人手写签名',
  'in-gan-manager-seal': '入赣负责人私章',
};

const isSignature = (k: SealBoxKind) => k === 'legal-person-signature';
const mark = (k: SealBoxKind) => (isSignature(k) ? '签名' : '印章');

/** Smallest acceptable impression (longest side), mm: a company seal is 38–42 mm, a personal seal 10–25 mm. */
export const MIN_SIZE_MM: Record<SealBoxKind, number> = {
  'company-seal': 25,
  'legal-person-seal': 9,
  'legal-person-signature': 12,
  'in-gan-manager-seal': 9,
};

export const LIMITS = {
  /** Less ink than this (mm²) is an empty box. */
  emptyMm2: 4,
  /** This much weakly red ink in a box that has almost no ink above the threshold: a faint impression, not an empty box. */
  weakMm2: 12,
  /** Red ink on or over the line (mm²). */
  lineMm2: 1,
  /** The 90th percentile of redness below this: too faint. */
  faintP90: 0.35,
  /** Seals are round or square: a bounding box this much longer than wide is two impressions or a slip. */
  sealAspect: 1.3,
  /** More ink than this share of the bounding box is a blot, not a seal's lines and characters. */
  maxFill: 0.6,
  /** 5.5 px/mm ≈ 140 dpi; seals' small digits need more. */
  minPxPerMm: 5.5,
  strayMm2: 1.5,
  minPaperLuminance: 0.6,
  maxPaperCast: 0.18,
} as const;

export const QUALITY_RULES: readonly QualityRule[] = [
  {
    code: 'empty',
    title: '格内为空',
    final: true,
    fails: (m) => m.inkAreaMm2 < LIMITS.emptyMm2 && m.otherInkAreaMm2 < LIMITS.emptyMm2 && m.weakInkAreaMm2 < LIMITS.weakMm2,
    reason: (_m, k) =>
      isSignature(k) ? '这一格没有签名，请法人在格内居中亲笔签名' : `这一格没有盖章，请在格内居中加盖${KIND_LABEL[k]}原章`,
  },
  {
    code: 'not-red',
    title: '不是红色',
    final: true,
    fails: (m, k) => !isSignature(k) && m.otherInkAreaMm2 >= LIMITS.emptyMm2 && m.otherInkAreaMm2 > m.inkAreaMm2,
    reason: (_m, k) => `${KIND_LABEL[k]}不是红色（检测到蓝色、黑色等其他颜色），请使用红色印泥加盖原章，不要用复印件或彩色打印件`,
  },
  {
    code: 'low-resolution',
    title: '分辨率过低',
    final: true,
    fails: (m) => m.pxPerMm < LIMITS.minPxPerMm,
    reason: (m) => `扫描分辨率过低（约${Math.round(m.pxPerMm * 25.4)}dpi），印章内的文字和编号看不清，请用200–300dpi彩色扫描后上传`,
  },
  {
    code: 'crosses-line',
    title: '压线',
    fails: (m) => m.lineInkAreaMm2 >= LIMITS.lineMm2,
    reason: (_m, k) => `${mark(k)}压在采集框的线上或超出了框，请在格内居中${isSignature(k) ? '签名' : '盖章'}，四周留出空白`,
  },
  {
    code: 'faint',
    title: '太淡',
    // Size, blots and specks measured on ink too thin to see whole say nothing more.
    final: true,
    fails: (m) => m.strengthP90 < LIMITS.faintP90 || (m.inkAreaMm2 < LIMITS.emptyMm2 && m.weakInkAreaMm2 >= LIMITS.weakMm2),
    reason: (_m, k) => (isSignature(k) ? '签名笔迹太淡，请用颜色较深的笔重新签名' : '印章太淡、不清晰，请蘸足印泥后用力按压重新盖章'),
  },
  {
    code: 'smudged',
    title: '模糊或重影',
    fails: (m, k) =>
      m.inkAreaMm2 >= LIMITS.emptyMm2 &&
      (m.fill > LIMITS.maxFill ||
        (!isSignature(k) && Math.max(m.widthMm, m.heightMm) / Math.max(0.1, Math.min(m.widthMm, m.heightMm)) > LIMITS.sealAspect)),
    reason: (_m, k) => `${mark(k)}模糊、晕染或有重影（盖了两次或盖章时移动），请在空白格内一次盖清楚`,
  },
  {
    code: 'too-small',
    title: '尺寸过小',
    fails: (m, k) => m.inkAreaMm2 >= LIMITS.emptyMm2 && Math.max(m.widthMm, m.heightMm) < MIN_SIZE_MM[k],
    reason: (m, k) =>
      `${mark(k)}太小（约${Math.round(Math.max(m.widthMm, m.heightMm))}毫米），${isSignature(k) ? '请签得大一些，占满格子的一半左右' : '请确认盖的是原章，并完整清晰地盖在格内'}`,
  },
  {
    code: 'background',
    title: '背景不干净',
    fails: (m) => m.strayInkAreaMm2 >= LIMITS.strayMm2 || m.paperLuminance < LIMITS.minPaperLuminance || m.paperCast > LIMITS.maxPaperCast,
    reason: () => '背景不干净（有杂点、污渍或底色），请在白纸上盖章并保持页面整洁，用彩色扫描，不要拍照',
  },
];

export interface BoxVerdict {
  codes: QualityCode[];
  reasons: string[];
}

export function judgeBox(m: BoxMetrics, kind: SealBoxKind, rules: readonly QualityRule[] = QUALITY_RULES): BoxVerdict {
  const out: BoxVerdict = { codes: [], reasons: [] };
  for (const r of rules) {
    if (!r.fails(m, kind)) continue;
    out.codes.push(r.code);
    out.reasons.push(r.reason(m, kind));
    if (r.final) break;
  }
  return out;
}

/** The legal representative stamps a personal seal or signs ("法人章原章或亲笔签字"): one of the two rows may stay empty. */
export const EITHER_OF: readonly SealBoxKind[] = ['legal-person-seal', 'legal-person-signature'];
