/**
 * 下载中心 and the UKEY's PIN: what relying parties and certificate holders are told. The seeds give no
 * initial PIN, so the text points to the PIN envelope shipped with the key rather than naming one.
 */

export const DOWNLOADS_LEAD =
  '江西CA的根证书、签发CA证书和证书吊销列表（CRL）。验证本CA签发的数字证书（依赖方）或在电脑上配置证书信任时使用。';

/** How a relying party trusts and checks our certificates. */
export const RELYING_PARTY_STEPS: string[] = [
  '下载与证书算法相同的根证书，核对本页列出的 SHA-256 指纹（国密 SM2 证书还可核对 SM3 指纹）；指纹不一致的文件不要使用，可致电客服热线核对。',
  '把根证书导入为受信任的根证书（Windows：双击 .cer 文件 →“安装证书”→ 选择“受信任的根证书颁发机构”）；签发CA证书作为中间证书导入（“中间证书颁发机构”）。',
  '验证证书时检查吊销状态：证书的“CRL分发点”写明它所在的 CRL 分片（按证书序列号分为16片），“颁发机构信息访问”写明 OCSP 地址，可实时查询；CRL 至少每7天更新，证书吊销后随即更新。',
  '也可以在“证书状态查询”中按证书序列号或统一社会信用代码查看一张证书是否有效。',
];

/** A command that prints the fingerprint to compare, for those with OpenSSL. */
export const FINGERPRINT_COMMAND = 'openssl x509 -inform DER -in 根证书.cer -noout -fingerprint -sha256';

/** The UKEY's initial PIN and how to change it (help manual, shipping SMS). */
export const UKEY_PIN_ENVELOPE = '初始口令见随UKEY寄出的密码信封';

export const UKEY_PIN: string[] = [
  `UKEY的${UKEY_PIN_ENVELOPE}，请妥善保管，不要告诉他人。`,
  '收到UKEY后，请插入电脑，打开UKEY管理工具（证书驱动），选择“修改口令”，输入初始口令和新口令，把口令改为只有本单位知道的口令。',
  '口令连续输错多次，UKEY会被锁定：可在“我的证书”中在线解锁（需在电脑上安装证书助手），也可携带UKEY到受理点办理解锁。',
  '证书到期前90天内，可插入UKEY在“我的证书”中通过证书助手在线续费，也可携带UKEY并凭口令到受理点办理续费。',
];

/** The sentence the shipping SMS adds. */
export const UKEY_PIN_SMS = `UKEY${UKEY_PIN_ENVELOPE}，收到后请在UKEY管理工具中修改口令并妥善保管。`;

/** 下载中心's 证书助手 section (docs/agent.md): what it is for, how to install it, and what to do while none is offered. */
export const AGENT_LEAD =
  '证书助手是安装在本单位电脑上的小程序：网页通过它使用插在电脑上的UKEY——在线续费时用原UKEY确认身份、把新证书写入UKEY，在线解锁后设置新口令。UKEY口令只在证书助手自己的窗口中输入，不经过网页。';

/** What the Windows zip (scripts/agent-build.mjs; its README.txt says the same at length) asks of the user. */
export const AGENT_INSTALL_STEPS: string[] = [
  '适用于 Windows 10、Windows 11、Windows Server 2016 及以后的 64 位系统。',
  '下载压缩包，用本页列出的 SHA-256 值核对（Windows：在命令提示符中运行 certutil -hashfile 文件名 SHA256）；不一致的文件不要运行。',
  '解压到一个固定的文件夹（无需管理员权限，无需安装其他软件），安装 UKEY 厂商的驱动，按压缩包中 README.txt 的说明在 start-certdesk-agent.cmd 中填写厂商 PKCS#11 库的路径。',
  '双击 start-certdesk-agent.cmd 启动：证书助手只在本机（127.0.0.1）上工作，窗口中显示配对码；关闭窗口即停止。',
  '在“我的证书”中办理在线续费或在线解锁时，按网页提示输入证书助手窗口中显示的配对码。',
];

export const AGENT_NOT_YET =
  'Windows 版证书助手安装程序正在准备中，暂未提供下载。需要续费或UKEY口令已锁定的单位，请携带UKEY到受理点办理，或致电客服热线咨询。';
