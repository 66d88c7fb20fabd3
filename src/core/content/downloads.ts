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
  '口令连续输错多次，UKEY会被锁定，须到现场办理解锁；续费时须携带UKEY并凭口令办理。',
];

/** The sentence the shipping SMS adds. */
export const UKEY_PIN_SMS = `UKEY${UKEY_PIN_ENVELOPE}，收到后请在UKEY管理工具中修改口令并妥善保管。`;
