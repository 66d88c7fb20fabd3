/**
 * The text that ships in the Windows zip: the start script (ASCII only: cmd.exe reads a batch file in the
 * console's code page, which is GBK on Chinese Windows) and README.txt in Chinese for the customer.
 */
export const START_SCRIPT = 'start-certdesk-agent.cmd';
const ORIGIN_PLACEHOLDER = 'https://ca.example.cn';

export function startScript(origin = ORIGIN_PLACEHOLDER) {
  return `@echo off
rem CertDesk agent (certdesk-agent). Settings: see README.txt.
rem The portal this agent answers (scheme://host[:port]).
set CERTDESK_AGENT_ORIGIN=${origin}
rem The UKEY vendor's PKCS#11 DLL (the vendor's manual names it).
if not defined CERTDESK_AGENT_PKCS11_MODULE set CERTDESK_AGENT_PKCS11_MODULE=C:\\Windows\\System32\\vendor_pkcs11.dll
rem For online PIN unlock: the CA token authority's public key file, beside this script.
if exist "%~dp0token-authority.pem" set CERTDESK_AGENT_AUTHORITY_KEY=%~dp0token-authority.pem
"%~dp0certdesk-agent.exe"
pause
`;
}

export function readme(origin) {
  return `证书助手（certdesk-agent）Windows 版 — 使用说明

适用系统：Windows 10、Windows 11、Windows Server 2016 及以后，64 位（x64）。
本程序只在本机 127.0.0.1 上工作，不接受来自网络的连接；您的 UKEY 口令只在本程序的窗口里输入，不会交给网页。

一、安装
  1. 把本压缩包解压到一个固定的文件夹，例如 C:\\CertDesk（不需要管理员权限，也不需要安装 Node.js）。
     解压后有：certdesk-agent.exe（证书助手）、${START_SCRIPT}（启动脚本）、本说明。
  2. 安装 UKEY 厂商提供的驱动（随 UKEY 附带或从厂商网站下载）。驱动会带一个 PKCS#11 库（一个 .dll 文件），
     厂商说明书里会写它的名称和位置，例如 C:\\Windows\\System32\\xxx_pkcs11.dll。
  3. 用记事本打开 ${START_SCRIPT}，把
       CERTDESK_AGENT_PKCS11_MODULE 后面的路径改成上一步厂商 PKCS#11 库的完整路径；
       CERTDESK_AGENT_ORIGIN 后面的网址${origin ? `已设为 ${origin}，一般不用改` : '改成 CA 门户的网址（如 https://ca.example.cn，不带路径）'}。
     在线解锁还需要 CA 的授权公钥：把 CA 提供的 token-authority.pem 放在同一文件夹即可。

二、启动
  双击 ${START_SCRIPT}。会打开一个黑色的命令行窗口，显示：
    [证书助手] 已启动：http://127.0.0.1:17443，只接受 <门户网址> 的请求；PKCS#11 模块 <路径>
    [证书助手] 配对码：12345678（2 分钟内有效，仅可使用一次；回车获取新的配对码）
  在门户网页上连接证书助手时，把窗口里的 8 位配对码填到网页上。配对码过期了，在窗口里按回车获取新的。
  网页要求使用 UKEY 时（签名、生成密钥、写入证书、修改口令），窗口会显示是哪个网站、为什么要口令，
  并请您输入 UKEY 口令（输入时不显示）；直接按回车表示取消。
  首次启动时 Windows 防火墙或 SmartScreen 可能提示：证书助手只监听本机地址，可以允许。

三、停止
  在窗口里按 Ctrl+C，或直接关闭窗口。关闭后网页上的配对失效，下次启动需要重新配对。

四、常见问题
  · 窗口显示“无法加载 PKCS#11 模块”：${START_SCRIPT} 里的 CERTDESK_AGENT_PKCS11_MODULE 路径不对，
    或 UKEY 驱动未安装。请按厂商说明书改成正确的 .dll 路径。
  · 窗口显示“配置错误：必须设置 CERTDESK_AGENT_ORIGIN”：请用 ${START_SCRIPT} 启动，不要直接双击 exe。
  · 端口 17443 被占用：在 ${START_SCRIPT} 里加一行 set CERTDESK_AGENT_PORT=其他端口，并在网页上填写该端口。
`;
}
