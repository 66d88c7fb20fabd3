/**
 * 预审 reasons: what the CA's reviewers reject an upload for, worded as the seeds word their rules
 * (seeds 000–003: 加盖公章原章, 请勿缩小复印, 请勿提供手机软件扫描或手机照片打印, 线上业务专用表格,
 * 印章清晰无杂质底色, 主副锁…). Each reason says which documents it applies to and what the applicant does
 * about it; the reviewer picks from these and may add free text. Pure data, shared by server and web.
 */
import type { DocumentCode } from './content/documents.js';

export interface ReviewReason {
  text: string;
  /** The documents it can be given for. */
  documents: readonly DocumentCode[];
  /** What the applicant does about it (shown next to the reason). */
  advice: string;
}

const SCANNED: readonly DocumentCode[] = [
  'application-form',
  'business-license',
  'agent-id',
  'power-of-attorney',
  'seal-sheet',
  'appointment-letter',
];
const COPIES: readonly DocumentCode[] = ['business-license', 'agent-id'];
const STAMPED_FORMS: readonly DocumentCode[] = ['application-form', 'power-of-attorney', 'seal-sheet', 'appointment-letter'];

export const DOCUMENT_REVIEW_REASONS: readonly ReviewReason[] = [
  // Every paper carries the company seal, stamped for real (seeds 000–002: “加盖公章原章，请勿提供打印复印章”).
  { text: '未加盖公章原章', documents: SCANNED, advice: '请在纸质资料上加盖单位公章原章后重新扫描上传。' },
  { text: '印章为打印或复印章', documents: SCANNED, advice: '印章须为原章，请勿打印或复印印章；请重新盖章后扫描上传。' },
  { text: '公章压盖关键信息', documents: SCANNED, advice: '盖章时请避开关键信息，尽量盖在空白处。' },
  // Copies of the licence and the ID card (seed 001: “请勿缩小复印…会导致图案变形扭曲”).
  { text: '复印件不清晰', documents: COPIES, advice: '请用原件直接复印清楚，加盖公章原章后用扫描仪扫描上传。' },
  { text: '缩小复印', documents: COPIES, advice: '请用原件按原大小直接复印，请勿缩小复印。' },
  { text: '证件已过期', documents: COPIES, advice: '请提供在有效期内的证件复印件。' },
  {
    text: '证件与订单的单位名称或信用代码不一致',
    documents: ['business-license'],
    advice: '请上传本单位的营业执照（或含统一社会信用代码的证件）；单位名称登记有误请致电客服热线400-800-1040更正。',
  },
  { text: '身份证正反面不全', documents: ['agent-id'], advice: '请将经办人身份证正反两面复印清楚，人像面和国徽面分别上传。' },
  { text: '身份证与订单填写的经办人不一致', documents: ['agent-id'], advice: '请上传订单中填写的经办人的身份证，或修改经办人信息。' },
  {
    text: '手机拍照件或手机软件扫描件',
    documents: SCANNED,
    advice: '请用扫描仪扫描上传，请勿上传手机照片或手机软件扫描件（会导致图案变形扭曲）。',
  },
  { text: '扫描件不清晰', documents: STAMPED_FORMS, advice: '请用扫描仪重新扫描，确保文字和印章清晰可辨。' },
  { text: '扫描件不完整或有遮挡', documents: SCANNED, advice: '请将整页完整扫描，不要裁切或遮挡。' },
  // 数字证书用户申请表 (seeds 000–002: “请上传线上业务专用表格…请勿上传现场办理业务表格”).
  {
    text: '使用了现场办理表格（须使用线上专用申请表）',
    documents: ['application-form'],
    advice: '请在订单页点击“下载申请表”，打印系统生成的线上专用申请表，盖章后扫描上传。',
  },
  {
    text: '申请表信息与订单不一致',
    documents: ['application-form'],
    advice: '请重新下载本订单的申请表，打印盖章后扫描上传。',
  },
  {
    text: '申请表为旧版本（单位名称/信用代码/项目变更后须重新下载）',
    documents: ['application-form'],
    advice: '单位名称、信用代码或项目变更后，请重新下载申请表，打印盖章后扫描上传。',
  },
  // 法人授权委托书 (seeds 000–002: 填写完整，加盖公章原章和法人章原章或法人亲笔签名).
  { text: '法人授权委托书填写不完整', documents: ['power-of-attorney'], advice: '请将委托书各项填写完整，有效期尽量长一些。' },
  {
    text: '未加盖法人章或法人签字',
    documents: ['power-of-attorney', 'seal-sheet'],
    advice: '请加盖法人章原章（红色方章）或由法人亲笔签名。',
  },
  {
    text: '委托书不是本订单下载的模板',
    documents: ['power-of-attorney'],
    advice: '请在本订单页下载法人授权委托书模板（二维码绑定本订单），填写盖章后扫描上传。',
  },
  // 电子签章采集表 (seed 000: “印章和签字请保持清晰，无杂质、底色”; 印模内编号每一位都要清晰).
  {
    text: '印模不清晰或有底色',
    documents: ['seal-sheet'],
    advice: '印模须清晰、红白分明，无杂质和底色，印章内编号每一位都要清晰；请重新盖章后扫描上传。',
  },
  { text: '印章压线或超出采集框', documents: ['seal-sheet'], advice: '请将印章和签字完整地盖在采集框内，不要压线。' },
  { text: '法人章不是红色方章', documents: ['seal-sheet'], advice: '法人章须为红色方章。' },
  { text: '印章数量不足（每种印章须盖两次）', documents: ['seal-sheet'], advice: '请按采集表要求，每种印章在空白格内各盖两次。' },
  // 江西省住建厅外省企业: the appointment names the 入赣负责人 whose seal is on the sheet.
  {
    text: '入赣负责人姓名不一致',
    documents: ['seal-sheet', 'appointment-letter'],
    advice: '入赣负责人任命书、签章采集表与订单中的入赣负责人姓名须一致。',
  },
];

/** Reasons about the whole order rather than one upload (seed 002: the main/sub key choice). */
export const ORDER_REVIEW_REASONS: readonly { text: string; advice: string }[] = [
  {
    text: '主副锁选择错误',
    advice: '首次申请须选择含电子签章的主锁；已办理过主锁的单位只能申请副锁。请删除本订单，重新选择后再提交申请。',
  },
  {
    text: '证书项目选择错误',
    advice: '请根据证书用途选择项目，删除本订单后重新申请；项目选错将导致证书无法使用。',
  },
  {
    text: '不属于在线受理范围（请到现场办理）',
    advice: '在线只受理已取得统一社会信用代码的普通机构新制证书，其他业务请到现场办理。',
  },
];

/** The preset reasons a document can be failed for, in display order. */
export function reasonsForDocument(document: DocumentCode): string[] {
  return DOCUMENT_REVIEW_REASONS.filter((r) => r.documents.includes(document)).map((r) => r.text);
}

/** What the applicant does about a reason (document or order level); undefined for free text. */
export function adviceFor(reason: string): string | undefined {
  return (DOCUMENT_REVIEW_REASONS.find((r) => r.text === reason) ?? ORDER_REVIEW_REASONS.find((r) => r.text === reason))?.advice;
}
