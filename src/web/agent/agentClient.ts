/**
 * The page's side of the 证书助手 (docs/agent.md): HTTP to the agent on the user's own PC (127.0.0.1), paired
 * once per login with the code the agent shows. The bearer token lives in sessionStorage under the pairing
 * binding the server gave for this session, so a new login (a new binding) pairs again, and it survives the
 * round trip to the face-check page. PINs never pass through here: the agent asks its user for them.
 */
export class AgentError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly extra: Record<string, unknown> = {},
  ) {
    super(message);
  }
}

export interface AgentToken {
  serial: string;
  label: string;
  manufacturer: string;
  model: string;
  initialized: boolean;
  userPinLocked: boolean;
  userPinFinalTry: boolean;
  userPinToBeChanged: boolean;
  certDesk: boolean;
  triesLeft: number;
}

export interface AgentSession {
  sessionId: string;
  sessionKey: string;
}

const storageKey = (binding: string) => `certdesk.agent.${binding.slice(0, 16)}`;

export class AgentClient {
  private bearer: string | null;

  constructor(
    readonly url: string,
    readonly binding: string,
  ) {
    this.bearer = sessionStorage.getItem(storageKey(binding));
  }

  get paired(): boolean {
    return this.bearer !== null;
  }

  private async call<T>(method: 'GET' | 'POST', path: string, body?: unknown): Promise<T> {
    let res: Response;
    try {
      res = await fetch(`${this.url}${path}`, {
        method,
        headers: {
          ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
          ...(this.bearer ? { authorization: `Bearer ${this.bearer}` } : {}),
        },
        ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
      });
    } catch {
      throw new AgentError(0, 'AGENT_UNREACHABLE', '没有连接到证书助手：请确认本机已安装并启动证书助手');
    }
    const data = (await res.json().catch(() => ({}))) as { error?: string; message?: string } & Record<string, unknown>;
    if (!res.ok) {
      if (res.status === 401 && data.error === 'NOT_PAIRED') this.forget();
      throw new AgentError(res.status, data.error ?? 'AGENT_ERROR', data.message ?? `证书助手返回错误（${res.status}）`, data);
    }
    return data as T;
  }

  forget(): void {
    this.bearer = null;
    sessionStorage.removeItem(storageKey(this.binding));
  }

  health() {
    return this.call<{ ok: boolean; version: string }>('GET', '/health');
  }

  async pair(code: string): Promise<void> {
    const r = await this.call<{ token: string }>('POST', '/pair', { code, sessionId: this.binding });
    this.bearer = r.token;
    sessionStorage.setItem(storageKey(this.binding), r.token);
  }

  /** The pairing as the agent knows it: the server seals authorizations to its session key. */
  async session(): Promise<AgentSession> {
    const s = await this.call<AgentSession>('GET', '/session');
    return { sessionId: s.sessionId, sessionKey: s.sessionKey };
  }

  async tokens(): Promise<AgentToken[]> {
    return (await this.call<{ tokens: AgentToken[] }>('GET', '/tokens')).tokens;
  }

  init(serial: string, authorization: string, label: string) {
    return this.call<{ initialized: true }>('POST', `/tokens/${encodeURIComponent(serial)}/init`, { authorization, label });
  }

  keys(serial: string, algorithm: 'sm2' | 'ecdsa-p256', subject: { CN: string; O?: string; C?: string }) {
    return this.call<{ keyId: string; csr: string }>('POST', `/tokens/${encodeURIComponent(serial)}/keys`, { algorithm, subject });
  }

  writeCertificate(serial: string, certificate: string) {
    return this.call<{ keyId: string }>('POST', `/tokens/${encodeURIComponent(serial)}/certificates`, { certificate });
  }

  resetPin(serial: string, authorization: string) {
    return this.call<{ reset: true }>('POST', `/tokens/${encodeURIComponent(serial)}/pin/reset`, { authorization });
  }

  changePin(serial: string) {
    return this.call<{ changed: true }>('POST', `/tokens/${encodeURIComponent(serial)}/pin/change`, {});
  }
}
