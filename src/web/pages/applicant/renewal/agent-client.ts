/**
 * The page's side of the 证书助手 (docs/agent.md): it runs on this PC at http://127.0.0.1:<port> and answers
 * only this portal's origin. The page pairs with the code the agent shows and keeps the bearer token for
 * this tab only (sessionStorage: an agent restart or a closed tab pairs again). PINs never pass here: the
 * agent asks for them in its own window.
 */

export const DEFAULT_AGENT_PORT = 17443;
const PORT_KEY = 'certdesk.agent.port';
const TOKEN_KEY = 'certdesk.agent.token';
const PAGE_KEY = 'certdesk.agent.page';

export class AgentFailure extends Error {
  constructor(
    /** The agent's code (NOT_PAIRED, PIN_INCORRECT, …) or UNREACHABLE when nothing answered. */
    readonly code: string,
    message: string,
    readonly status = 0,
  ) {
    super(message);
  }
}

export function agentPort(): number {
  const v = Number(localStorage.getItem(PORT_KEY));
  return Number.isInteger(v) && v > 0 && v < 65536 ? v : DEFAULT_AGENT_PORT;
}
export function setAgentPort(port: number) {
  localStorage.setItem(PORT_KEY, String(port));
}
export const isPaired = () => !!sessionStorage.getItem(TOKEN_KEY);
export const forgetPairing = () => sessionStorage.removeItem(TOKEN_KEY);

/** An id of this page for the agent's pairing record (the agent shows which portal session paired). */
function pageId(): string {
  let id = sessionStorage.getItem(PAGE_KEY);
  if (!id) {
    id = crypto.randomUUID();
    sessionStorage.setItem(PAGE_KEY, id);
  }
  return id;
}

/** What the page tells the user for an agent's refusal: what happened and what to do next. */
function explain(code: string, message: string | undefined): string {
  switch (code) {
    case 'ORIGIN_REFUSED':
      return '证书助手不接受本网站的请求：请确认安装的是本网站下载中心提供的证书助手（其设置 CERTDESK_AGENT_ORIGIN 应为本网站地址）';
    case 'NOT_PAIRED':
      return '证书助手尚未与本页面配对（或证书助手已重新启动）：请输入证书助手窗口中显示的配对码';
    case 'PIN_CANCELLED':
      return '已在证书助手窗口中取消输入口令：如需继续，请再点一次，并在证书助手窗口中输入 UKEY 口令';
    case 'PIN_TIMEOUT':
      return '证书助手等待输入口令超时：请再点一次，并在证书助手窗口中输入 UKEY 口令';
    case 'PIN_LOCKED':
      return 'UKEY 用户口令已锁定：请先办理在线解锁（或到受理点重置口令），再回到本页继续续费';
    default:
      return message ?? `证书助手返回错误（${code}）`;
  }
}

async function call<T>(method: 'GET' | 'POST', path: string, body?: unknown): Promise<T> {
  const token = sessionStorage.getItem(TOKEN_KEY);
  let res: Response;
  try {
    res = await fetch(`http://127.0.0.1:${agentPort()}${path}`, {
      method,
      headers: {
        ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
        ...(token ? { authorization: `Bearer ${token}` } : {}),
      },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
  } catch {
    throw new AgentFailure(
      'UNREACHABLE',
      `无法连接本机的证书助手（端口 ${agentPort()}）：请确认已安装并启动证书助手；如浏览器询问是否允许访问本地网络设备，请选择“允许”`,
    );
  }
  const data = (await res.json().catch(() => ({}))) as { error?: string; message?: string } & T;
  if (!res.ok) {
    const code = data.error ?? `HTTP_${res.status}`;
    if (code === 'NOT_PAIRED') forgetPairing();
    throw new AgentFailure(code, explain(code, data.message), res.status);
  }
  return data;
}

export interface AgentToken {
  serial: string;
  label: string;
  manufacturer: string;
  model: string;
  initialized: boolean;
  userPinLocked: boolean;
  triesLeft: number;
}
export interface AgentCertificate {
  keyId: string;
  label: string;
  subject: Record<string, string>;
  serialNumber: string;
  notBefore: string;
  notAfter: string;
  certificate: string;
}

export const agent = {
  health: () => call<{ ok: boolean; version: string }>('GET', '/health'),
  async pair(code: string) {
    const r = await call<{ token: string }>('POST', '/pair', { code, sessionId: pageId() });
    sessionStorage.setItem(TOKEN_KEY, r.token);
  },
  tokens: () => call<{ tokens: AgentToken[] }>('GET', '/tokens').then((r) => r.tokens),
  certificates: (serial: string) =>
    call<{ certificates: AgentCertificate[] }>('GET', `/tokens/${encodeURIComponent(serial)}/certificates`).then((r) => r.certificates),
  newKey: (serial: string, algorithm: string, subject: Record<string, string>) =>
    call<{ keyId: string; csr: string }>('POST', `/tokens/${encodeURIComponent(serial)}/keys`, { algorithm, subject, label: '续费证书' }),
  sign: (serial: string, keyId: string, challenge: string) =>
    call<{ signature: string; signedData: string }>('POST', `/tokens/${encodeURIComponent(serial)}/challenge-signature`, {
      keyId,
      challenge,
    }),
  write: (serial: string, certificate: string) =>
    call<{ keyId: string }>('POST', `/tokens/${encodeURIComponent(serial)}/certificates`, { certificate, label: '续费证书' }),
};

/** Serial numbers as hex, compared without case or leading zeros (the agent and the registry print them so). */
const hexSerial = (s: string) =>
  s
    .toLowerCase()
    .replace(/[^0-9a-f]/g, '')
    .replace(/^0+/, '');
export const sameSerial = (a: string, b: string) => hexSerial(a) === hexSerial(b);
