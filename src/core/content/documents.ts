/**
 * The documents of an online 新制 application (seeds 000–003): what to upload, how to prepare each one,
 * the upload rules, and the paper originals to mail afterwards. The help manual shows this; the order
 * pages reuse the rules and the lists.
 */

/** Which orders need a document. */
export type DocumentScope = 'all' | 'with-seal' | 'out-of-province';

export const DOCUMENT_CODES = [
  'application-form',
  'business-license',
  'agent-id',
  'power-of-attorney',
  'seal-sheet',
  'appointment-letter',
] as const;
export type DocumentCode = (typeof DOCUMENT_CODES)[number];

export interface ApplicationDocument {
  code: DocumentCode;
  name: string;
  scope: DocumentScope;
  /** How to prepare and upload it, step by step. */
  howTo: string[];
  /** What goes wrong most often. */
  warnings: string[];
}

/** Scans: jpeg, jpg, png or bmp, at most 1 MB each ("大小为1M之内"). */
export const UPLOAD_RULES = {
  extensions: ['jpeg', 'jpg', 'png', 'bmp'] as const,
  maxBytes: 1024 * 1024,
  summary: '所有扫描图片保存为jpeg、jpg、png、bmp其中一种图片格式，每个文件大小在1M之内。',
  /** What the order page does for the clerk (components/shrinkImage.ts, Documents.tsx checkUpload). */
  browserHelp: '超过1MB的图片，浏览器会在上传前自动压缩到1MB以内；苹果手机的 HEIC 照片和 PDF 文件不能直接上传，选择后会提示转换方法。',
};

/** Seals on every document, online scan or paper original. */
export const SEAL_RULES: string[] = [
  '纸质资料上的印章均须加盖原章，请勿提供打印或复印的印章。',
  '盖章时避开关键信息，尽量盖在空白处。',
  '法人章为红色方章。印章和签字请保持清晰，红白分明，无杂质、无底色。',
];

/** Non-companies upload (and mail) the certificate that carries their USCC instead of a 营业执照. */
export const LICENSE_SUBSTITUTES: { orgType: string; document: string }[] = [
  { orgType: '医疗机构', document: '医疗机构执业许可证' },
  { orgType: '社会团体', document: '社会团体法人登记证书' },
  { orgType: '事业单位', document: '事业单位法人证书' },
  { orgType: '机关单位', document: '统一社会信用代码证书' },
];

export const APPLICATION_DOCUMENTS: ApplicationDocument[] = [
  {
    code: 'application-form',
    name: '数字证书用户申请表',
    scope: 'all',
    howTo: [
      '在上传证件页面点击“下载申请表”，表内信息由系统根据订单自动生成，并带有订单编号。',
      '打印申请表，加盖单位公章原章。',
      '用扫描仪扫描后上传。',
    ],
    warnings: [
      '只接受线上业务专用表格《数字证书用户申请表》，请勿上传现场办理业务的表格。',
      '单位名称、统一社会信用代码或证书项目填错后重新提交的，一定要重新下载申请表。',
    ],
  },
  {
    code: 'business-license',
    name: '营业执照',
    scope: 'all',
    howTo: [
      '用营业执照副本原件复印清楚（没有营业执照的单位用其他含有统一社会信用代码的证件）。',
      '在复印件空白处或经营范围等非关键信息处加盖单位公章原章。',
      '用扫描仪扫描后上传。',
    ],
    warnings: ['营业执照复印件非常重要：请用原件直接复印，请勿缩小复印；请勿提供手机软件扫描件或手机照片打印件，会导致图案变形扭曲。'],
  },
  {
    code: 'agent-id',
    name: '经办人身份证',
    scope: 'all',
    howTo: ['用经办人身份证原件将正反两面复印清楚。', '在空白处或身份证反面图片处加盖单位公章原章。', '用扫描仪扫描后上传。'],
    warnings: [],
  },
  {
    code: 'power-of-attorney',
    name: '法人授权委托书',
    scope: 'all',
    howTo: [
      '点击“下载模板”，将法人授权委托书填写完整，委托书的有效期尽量填长一些。',
      '打印后加盖公章原章和法人章原章，或由法定代表人亲笔签名。',
      '由法定代表人本人扫描委托书上的二维码完成刷脸核验（见“法人核验”）。',
      '用扫描仪扫描委托书后上传。',
    ],
    warnings: [
      '代理人（经办人）必须年满18岁，否则授权无效。',
      '委托书上的二维码只绑定本订单：订单删除后重新申请，须重新下载模板并再次进行法人核验。',
    ],
  },
  {
    code: 'seal-sheet',
    name: '电子签章采集表',
    scope: 'with-seal',
    howTo: [
      '下载签章采集表模板并打印。',
      '按项目印章要求在空白格内居中加盖公章原章、法人章原章或法人亲笔签字，每格盖（签）二次，切勿压线，保持页面整洁。',
      '用扫描仪扫描后上传。',
    ],
    warnings: [
      '只有主锁（含电子签章）需要；副锁无电子签章，无需提供。',
      '印模一定要清晰，公章、法人章内的编号要每一位都清晰，否则无法制作电子签章。',
      '江西省住建厅外省企业使用外省企业专用采集表，须另加盖入赣负责人私章原章或亲笔签字。',
    ],
  },
  {
    code: 'appointment-letter',
    name: '入赣负责人任命书',
    scope: 'out-of-province',
    howTo: ['点击“下载模板”，将入赣负责人任命书填写完整。', '加盖公章原章。', '用扫描仪扫描后上传。'],
    warnings: ['仅江西省住建厅外省企业需要。任命书与电子签章采集表中的入赣负责人名字必须一致。'],
  },
];

export interface MailDocument {
  code: DocumentCode;
  text: string;
  scope: DocumentScope;
}

/** The paper originals to mail after payment (seeds 000–003, 邮寄资料). */
export const MAIL_DOCUMENTS: MailDocument[] = [
  {
    code: 'application-form',
    text: '数字证书用户申请表加盖公章原章（在上传证件页面点“下载申请表”打印盖章，并在左上角写明订单编号）',
    scope: 'all',
  },
  { code: 'business-license', text: '营业执照副本复印件加盖公章原章', scope: 'all' },
  { code: 'agent-id', text: '经办人身份证正反两面复印件加盖公章原章', scope: 'all' },
  {
    code: 'seal-sheet',
    text: '企业电子签章采集表原件（副锁无签章，无需提供；印模一定要清晰，公章、法人章内编号每一位都要清晰）',
    scope: 'with-seal',
  },
  { code: 'power-of-attorney', text: '法人授权委托书加盖公章原章和法人章', scope: 'all' },
  { code: 'appointment-letter', text: '入赣负责人任命书加盖公章（仅江西省住建厅外省企业）', scope: 'out-of-province' },
];

export const MAIL_RULES: string[] = [
  '营业执照和身份证请用原件直接复印并加盖公章原章，请勿缩小复印，请勿提供手机软件扫描件或手机照片打印件。',
  '所有资料的印章请加盖原章，请勿提供打印复印章；加盖公章时不要压住关键信息，尽量盖在空白处。',
  '纸质资料请在左上角用回形针夹住，不需装订。',
  '邮寄时请尽量选择顺丰快递或EMS，其他快递不上门送件且容易丢件；南昌寄件用户千万不要选择同城快送。',
  '寄出纸质资料后，请登录系统填写快递单号。',
];
