/**
 * The certificate projects (证书项目) that can be applied for online, as seeds 000–003 describe them.
 * Pure data: the public home page shows it, and the project catalog is seeded from it.
 *
 * Prices are in fen (integer). Where the seeds state no price the value is null and
 * `priceNeedsAdminConfirmation` is true: an administrator sets it in the catalog; until then the public
 * pages and 新制申请 say 价格待确认 and what to do (PRICE_UNCONFIRMED) instead of inventing a number.
 */
import { HOTLINE } from './help.js';

export type ProjectCode =
  'gov-procurement' | 'public-resource' | 'construction-approval' | 'housing-in-province' | 'housing-out-of-province';

/** 主锁 carries the electronic seal (电子签章); 副锁 has none. */
export type KeyKind = 'main' | 'sub';

export interface KeyOffer {
  kind: KeyKind;
  /** 主锁 / 副锁 */
  label: string;
  withSeal: boolean;
  /** Price in fen; null when the seeds state none. */
  priceFen: number | null;
  /** True when the price is not in the seeds and an administrator must confirm it before sale. */
  priceNeedsAdminConfirmation: boolean;
}

export interface ExtraDocument {
  name: string;
  note: string;
}

export interface ProjectInfo {
  code: ProjectCode;
  /** Exactly as the seeds write it; this is the name the applicant picks in 新制申请. */
  name: string;
  /** The system or group of systems the certificate is used with. */
  platform: string;
  /** What the certificate is for. */
  purpose: string;
  /** Where it cannot be used, when the seeds say so. */
  notFor: string | null;
  /** Keys offered online; the first is the main key. */
  keys: KeyOffer[];
  /** Whether the seeds require 法人核验 (QR code + face check). null: the seeds do not say. */
  legalPersonVerification: boolean | null;
  /** Documents beyond the common set (申请表, 营业执照, 经办人身份证, 法人授权委托书, 电子签章采集表). */
  extraDocuments: ExtraDocument[];
  /** About how many working days production takes after the paper originals pass review. */
  productionWorkingDays: number;
  /**
   * Whether the certificate comes as an SM2 pair, signing + encryption (GM/T 0034): the platforms that encrypt to
   * the holder — bid and quotation files opened with the UKEY — are the procurement and public-resource trading
   * ones (seeds 000 and 001). 工程建设项目审批 and 住建云 sign declarations only (seeds 002, 003).
   */
  dualCertificates: boolean;
  /** Which seed notice describes the project. */
  source: string;
}

const mainKey = (priceFen: number | null): KeyOffer => ({
  kind: 'main',
  label: '主锁',
  withSeal: true,
  priceFen,
  priceNeedsAdminConfirmation: priceFen === null,
});
const subKey = (priceFen: number | null): KeyOffer => ({
  kind: 'sub',
  label: '副锁',
  withSeal: false,
  priceFen,
  priceNeedsAdminConfirmation: priceFen === null,
});

export const PROJECTS: ProjectInfo[] = [
  {
    code: 'gov-procurement',
    name: '江西省政府采购电子卖场',
    platform: '江西省政府采购电子卖场',
    purpose: '用于登录江西省政府采购电子卖场并在其中办理业务；主锁可加盖电子签章。',
    notFor: null,
    keys: [mainKey(22000), subKey(19000)],
    legalPersonVerification: true,
    extraDocuments: [],
    productionWorkingDays: 2,
    dualCertificates: true,
    source: 'seed 000',
  },
  {
    code: 'public-resource',
    name: '江西省公共资源交易（医药采购）',
    platform: '江西省公共资源交易网、江西省医药采购服务平台',
    purpose: '只用于登录“江西省公共资源交易网”（不含国土交易系统）、“江西省医药采购服务平台”中相关交易系统。',
    notFor: '不能用于国土交易系统。',
    keys: [mainKey(null), subKey(null)],
    legalPersonVerification: true,
    extraDocuments: [],
    productionWorkingDays: 3,
    dualCertificates: true,
    source: 'seed 001',
  },
  {
    code: 'construction-approval',
    name: '工程建设项目审批',
    platform: '工程建设项目审批相关系统',
    purpose: '用于工程建设项目审批业务的网上办理，证书含电子签章。',
    notFor: null,
    keys: [mainKey(22000)],
    legalPersonVerification: true,
    extraDocuments: [],
    productionWorkingDays: 2,
    dualCertificates: false,
    source: 'seed 002',
  },
  {
    code: 'housing-in-province',
    name: '江西省住建厅省内企业',
    platform: '江西住建云系统',
    purpose: '用于江西省内企业登录江西住建云系统办理业务，证书含电子签章。',
    notFor: '外省企业请选择“江西省住建厅外省企业”。',
    keys: [mainKey(22000)],
    legalPersonVerification: null,
    extraDocuments: [],
    productionWorkingDays: 2,
    dualCertificates: false,
    source: 'seed 003',
  },
  {
    code: 'housing-out-of-province',
    name: '江西省住建厅外省企业',
    platform: '江西住建云系统',
    purpose: '用于入赣从业的外省企业登录江西住建云系统办理业务，证书含电子签章。',
    notFor: '江西省内企业请选择“江西省住建厅省内企业”。',
    keys: [mainKey(22000)],
    legalPersonVerification: null,
    extraDocuments: [
      {
        name: '入赣负责人任命书',
        note: '下载模板填写完整并加盖公章原章；任命书与电子签章采集表中的入赣负责人名字必须一致。',
      },
      {
        name: '外省企业电子签章采集表',
        note: '外省企业使用专用采集表，除公章、法人章外还须加盖入赣负责人私章原章或亲笔签字。',
      },
    ],
    productionWorkingDays: 2,
    dualCertificates: false,
    source: 'seed 003',
  },
];

/**
 * How a pair project is described wherever a project is chosen or shown (docs/kmc.md): the line, and what it
 * means for the holder. Whether a project issues pairs is the catalog's flag (projects.dual_certificates), which
 * the pages read from the server.
 */
export const DUAL_CERTIFICATES = {
  line: '含签名证书和加密证书（双证书）',
  meaning: '同一把 USB Key 中有两张证书：签名证书用于登录和签名；加密证书供交易平台加密投标、报价文件，开标时用 USB Key 解密。',
} as const;

export function projectByCode(code: string): ProjectInfo | undefined {
  return PROJECTS.find((p) => p.code === code);
}

/**
 * A price the catalog does not hold yet (the seeds state none, e.g. 公共资源): such a key cannot be ordered
 * online, so the clerk is told where the project is shown — the home page, the project step — not only
 * after choosing it. The seeds (001) send questions to the hotline and those in a hurry to an office.
 */
export const PRICE_UNCONFIRMED = {
  label: '价格待确认',
  title: '价格待确认，暂不能在线申请',
  advice: `办理须知未公布该项目的价格，价格确认前暂不能在线下单。申请前请先致电客服热线 ${HOTLINE} 询问价格和开通时间；着急用证请到现场受理点办理。`,
} as const;

/** "220元" for 22000 fen; "价格待确认" when the catalog holds no price. */
export function formatPriceFen(fen: number | null): string {
  if (fen === null) return PRICE_UNCONFIRMED.label;
  const yuan = fen / 100;
  return `${Number.isInteger(yuan) ? yuan : yuan.toFixed(2)}元`;
}

/** The main/sub key rule (seeds 000, 001), in the words shown to applicants. */
export const KEY_RULES: string[] = [
  '主锁含有电子签章，副锁没有电子签章。',
  '每个单位在同一证书项目下只能办理一个含电子签章的主锁，其余皆为无签章的副锁。',
  '第一次申请该项目证书的单位必须选择主锁；之前已在我司办理过主锁（包括现场办理）的单位只能申请副锁。',
  '主、副锁选错时预审无法通过，需删除申请重新选择后再次提交。申请前请先在单位内部了解清楚是否已办理过主锁。',
];

/** Shown prominently wherever a project is chosen (seed 001, 特别说明 7). */
export const PROJECT_CHOICE_WARNING =
  '请务必根据使用需求选择证书项目。预审工作人员无法了解您的证书使用需求，如果选择的证书项目错误，将导致证书无法使用。';
