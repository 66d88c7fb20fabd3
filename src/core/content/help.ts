/**
 * The help manual (帮助手册) for the online 新制 application, in our own words from seeds 000–003.
 * Documents and mailing lists are in documents.ts, order statuses in order-statuses.ts; this module has
 * the remaining text and the manual's table of contents.
 */
import { BROWSER_ADVICE } from './browsers.js';
import { LEGAL_CHECK_CORRECTION } from './legal-check.js';

export const HOTLINE = '400-800-1040';

/** How a unit pays, wherever a step names it: a computer shows a QR code, a phone pays on the phone (issue 13, 4). */
export const PAY_WAYS = '用微信或支付宝付款（电脑上扫码，手机上直接付款）';

/** Sections of the manual, in order; ids are the page anchors. */
export const HELP_SECTIONS: { id: string; title: string }[] = [
  { id: 'before', title: '办理须知' },
  { id: 'register', title: '第一步 注册账户' },
  { id: 'login', title: '第二步 登录系统' },
  { id: 'apply', title: '第三步 新制申请、选择项目' },
  { id: 'order', title: '第四步 填写订单信息' },
  { id: 'documents', title: '第五步 下载模板、上传证件' },
  { id: 'verify', title: '第六步 法人核验' },
  { id: 'submit', title: '第七步 提交申请、等待预审' },
  { id: 'pay', title: '第八步 在线付款' },
  { id: 'mail', title: '第九步 邮寄纸质资料' },
  { id: 'paper-review', title: '第十步 纸质资料审核' },
  { id: 'ship', title: '第十一步 制证、寄回与发票' },
  { id: 'statuses', title: '订单状态说明' },
  { id: 'contact', title: '联系我们' },
];

/**
 * What the portal does not do online (seed 001 特别说明 4–5, seed 000 重要说明 4): these are done at an office.
 * 吊销 is not among them: a certificate's own organization asks for it online under 我的证书 (ONLINE_REVOCATION).
 */
export const OFFICE_ONLY_BUSINESSES: { name: string; detail: string }[] = [
  { name: '变更', detail: '单位名称等证书信息变更' },
  { name: '补办', detail: 'UKEY 丢失或损坏' },
  { name: '续费', detail: '证书到期前续期' },
  { name: '换卡', detail: '更换证书介质' },
  { name: '解锁', detail: '忘记 UKEY 密码被锁' },
];

export const ONLINE_REVOCATION = '吊销：登录后在“我的证书”在线申请，用注册手机号收到的验证码确认，我司在24小时内吊销；也可以到现场办理。';

/** What the registered mobile receives; the order's SMS (审核结果, 付款, 补寄, 寄出) go to the 经办人's mobile. */
export const REGISTERED_MOBILE_USE =
  '用于找回密码、在线申请吊销时接收验证码和接收证书到期提醒；订单审核结果等短信发送到订单中填写的经办人手机';

export const BEFORE_YOU_START: string[] = [
  '在线办理只受理法人机构证书的新制（即新办）业务；已有证书可在“我的证书”在线申请吊销；变更、补办、续费、换卡、解锁等业务请到现场办理。',
  '只限已经取得统一社会信用代码证件、且尚未注销的普通机构用户在线申请；没有取得证件的单位无法在线申请，监管单位等特殊类型请到现场办理。',
  '在线申请证书仍须把盖章的纸质资料邮寄到我司，纸质资料合格后才制作证书。',
  '在线办理受邮寄、审核等因素影响，着急使用证书的单位建议到现场办理，现场办理的时效性更强。',
  BROWSER_ADVICE,
];

export const REGISTER_STEPS: string[] = [
  '打开本系统首页，点击“免费注册”。',
  '填写单位名称、统一社会信用代码、手机号，设置登录密码，输入图形验证码，阅读并同意《江西CA数字证书用户协议》后提交。',
  '注册成功后系统自动登录。以后登录时，统一社会信用代码就是登录名。',
];

export const REGISTER_NOTES: string[] = [
  '统一社会信用代码为18位，字母一律大写；代码中不含字母I、O、S、V、Z，看起来像这些字母的字符都是数字（如0、1、2、5）。系统会自动校验代码是否正确。',
  '如果统一社会信用代码填写错误，请用正确的代码重新注册一个账户。',
  `如果单位名称填写错误，请致电客服热线 ${HOTLINE} 登记修改，由工作人员更正。`,
];

export const LOGIN_STEPS: string[] = [
  '点击页面右上角“登录”。',
  '账号填写单位统一社会信用代码，再输入密码和验证码，登录系统。',
  '忘记密码时，可在登录页点击“忘记密码”，用注册手机号接收短信验证码重设密码。',
];

/** The menu path to a new application (seeds 002, 003). */
export const APPLY_PATH: string[] = ['数字证书申请', '数字证书及电子印章申请', '新制申请', '勾选同意协议', '选择证书项目'];

export const APPLY_NOTES: string[] = [
  '勾选同意前请仔细阅读《江西CA数字证书用户协议》。',
  '请务必根据证书的使用需求选择证书项目：预审工作人员无法了解您的使用需求，项目选错将导致证书无法使用。',
  '有主锁、副锁之分的项目，第一次申请的单位必须选择含电子签章的主锁；已办理过主锁的单位只能申请副锁。',
  '已创建但尚未提交的订单（草稿）不必重新申请：在“新制申请”页面点“继续填写”，或在“我的订单”中打开该订单接着填写；资料审核失败的订单按退回原因修改后重新提交。',
  '价格显示“价格待确认”的项目暂不能在线下单，申请前请先致电客服热线询问；着急用证请到现场受理点办理。',
  '再次申请（如副锁或其他项目）时，单位、法人、经办人、发票接收邮箱和收件人信息按上一份订单预填，请逐项核对；营业执照未变更的，可沿用近期订单上传的扫描件，法人核验须重新办理。',
];

/** The sections of the order form (seeds 000–003, 填写订单信息). */
export const ORDER_FORM_SECTIONS: { title: string; detail: string }[] = [
  { title: '单位信息', detail: '单位名称和统一社会信用代码取自注册账户；另填写通信地址和单位类型。' },
  { title: '法人信息', detail: '法定代表人的姓名、身份证号等。' },
  { title: '经办人信息', detail: '经办人姓名、身份证号、手机号、电子邮箱。审核结果短信发送到经办人手机。' },
  { title: '发票信息', detail: '发票抬头、税号，以及接收电子发票的邮箱。' },
  {
    title: '证书接收人信息',
    detail: '收件人姓名、手机号（请填写手机号码）和邮寄地址。寄回地址按实际收件人填写，可以与单位地址不同，之后也可修改。',
  },
];

export const ORDER_FORM_NOTES: string[] = [
  '以上信息均要求真实有效，系统会校验身份证号、手机号和电子邮箱的格式。',
  '订单信息随填随存，页面显示“已保存”即已保存，不需要另点保存；提交前请核对无误。提交后，只有资料审核失败时才能修改订单信息（证书接收人信息在证书寄出前仍可修改）。',
];

export const LEGAL_PERSON_VERIFICATION: string[] = [
  '下载的法人授权委托书上印有二维码，该二维码已绑定本订单的订单号。',
  '请法定代表人本人用手机扫描二维码，按提示完成刷脸核验。',
  '手机操作界面显示“认证成功”后，核验才算完成；订单页面也会显示“认证成功”。',
  // What the legal representative's page says on a mismatch or a failed face check (issue 13, 18).
  `手机上填写的法定代表人姓名和身份证号须与订单的“法人信息”一致，不一致的核验页面会提示。${LEGAL_CHECK_CORRECTION}`,
  '刷脸未通过的，在手机上点击“重试”再次核验，已填写的姓名和身份证号会保留。',
  '法人核验成功后再上传资料、提交申请，否则将导致审核失败。',
  '订单删除后重新申请的，须重新下载委托书模板，再次进行法人核验。',
];

export const SUBMIT_AND_REVIEW: string[] = [
  '所有资料上传完毕、法人核验显示“认证成功”后，点击“提交”按钮，订单状态变为“正在审核”。',
  '工作人员预审上传的资料。审核通过的，经办人手机将收到资料审核通过的短信，订单状态变为“资料审核通过”。',
  '资料审核失败的，经办人手机将收到资料审核失败的短信，订单状态变为“资料审核失败”。请登录系统仔细查看审核意见，按要求重新上传资料后再次提交，或删除订单后重新申请。',
  '请及时登录系统关注审核情况。',
];

export const PAYMENT: string[] = [
  '订单状态为“资料审核通过”后，登录系统支付数字证书（电子签章）费用。',
  '只支持微信支付和支付宝付款，不支持对公转账。在电脑上用手机扫描付款二维码；在手机浏览器中打开付款页的，点击“打开微信支付”或“打开支付宝付款”直接在手机上付款，付款后自动回到付款页。',
  '在微信中打开付款页的，微信不允许在其中调起付款：请点右上角“···”选择“在浏览器打开”，或长按二维码保存图片后，用微信或支付宝“扫一扫”从相册识别付款。',
  '各项目的价格见首页“可在线申请的证书项目”，以订单页面显示的金额为准。',
];

/** The seeds' three tips when the payment QR code does not appear. */
export const PAYMENT_TROUBLESHOOTING: { title: string; detail: string }[] = [
  {
    title: '网络瞬间不通或浏览器缓存',
    detail:
      '先尝试刷新页面。刷新不能解决的，可能是浏览器缓存了旧文件：在浏览器中按 Ctrl+Shift+Delete，清除“缓存的图片和文件”后再刷新页面。',
  },
  {
    title: '上网环境或上网方式受限',
    detail: '可能是网络服务商的限制。如有条件，请更换一种上网方式或更换电脑；或者确认网络畅通后再重试。',
  },
  {
    title: '浏览器版本过低',
    detail: BROWSER_ADVICE,
  },
];

/** Where the paper goes and the printable list (the address itself is the administrator's: 系统设置). */
export const MAIL_WHERE: string[] = [
  '收件地址、收件人和电话显示在订单页面的“邮寄纸质资料”中，付款成功页面和付款成功短信里也有，请以订单页面为准。',
  '在订单页面或付款成功页面点击“下载邮寄资料清单（PDF）”：清单上有大号的订单编号、收件地址，以及本订单需要邮寄的每一项原件和须加盖的印章（主锁、副锁和外省企业各不相同）。打印后逐项打勾核对，随资料一并寄出。',
  '寄出后请在订单页面填写快递公司和快递单号：我司收到资料时按快递单号找到您的订单。',
];

export const PAPER_REVIEW: string[] = [
  '我司工作人员收到纸质资料后，按本订单的纸质资料清单逐项核对原件和印章。',
  '纸质资料不合格的，工作人员会电话通知经办人补寄资料。请申请表上的经办人留意并接听南昌拨入的电话。',
  '联系不上经办人时，订单会停留在“正在受理”，证书无法制作。',
];

export const PRODUCTION_AND_SHIPPING: string[] = [
  '纸质资料合格后，我们将在大约2个工作日内制作数字证书和电子签章（公共资源项目约3个工作日）；业务量大时受理时间会延长。',
  '制作完成后订单状态为“制证完成”；证书用顺丰快递到付寄出后，订单状态为“已发放”，订单中可查看快递单号。',
  '收件人可关注“顺丰速运”公众号：证书寄出后会收到顺丰的微信通知，并可查询物流详情。',
  '证书发票将在证书制作后3个工作日内发送至发票接收邮箱。',
];
