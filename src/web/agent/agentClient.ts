/**
 * The page's one client of the 证书助手 (docs/agent.md): HTTP to the agent on the user's own PC (127.0.0.1),
 * paired once with the code the agent shows. The bearer token lives in sessionStorage under the pairing
 * binding, so a new binding pairs again, and it survives a reload and the round trip to the face-check page.
 * The binding is the server's for this session (AgentPanel: 制证, 在线解锁) or this tab's own (pageBinding:
 * 在线续费, which finds the agent by the port the person types). PINs never pass through here: the agent asks
 * its user for them.
 */
import type { AgentCertificate, AgentSession, AgentToken } from '../../core/agent-protocol.js';

export type { AgentCertificate, AgentSession, AgentToken };

/** A refusal from the agent (its status, code and message), or status 0 when nothing answered. */
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

/** The port the agent listens on unless its window says otherwise (src/agent/config.ts). */
export const DEFAULT_AGENT_PORT = 17443;
const PORT_KEY = 'certdesk.agent.port';
const PAGE_KEY = 'certdesk.agent.page';

/** The port the person last told this browser (kept across visits: it rarely changes). */
export function agentPort(): number {
  const v = Number(localStorage.getItem(PORT_KEY));
  return Number.isInteger(v) && v > 0 && v < 65536 ? v : DEFAULT_AGENT_PORT;
}
export function setAgentPort(port: number) {
  localStorage.setItem(PORT_KEY, String(port));
}
export const localAgentUrl = (port = agentPort()) => `http://127.0.0.1:${port}`;

/** A binding of this tab, for a page that pairs without the server's (the agent shows which page paired). */
export function pageBinding(): string {
  let id = sessionStorage.getItem(PAGE_KEY);
  if (!id) {
    id = crypto.randomUUID();
    sessionStorage.setItem(PAGE_KEY, id);
  }
  return id;
}

const storageKey = (binding: string) => `certdesk.agent.${binding.slice(0, 16)}`;
const tokenPath = (serial: string, rest: string) => `/tokens/${encodeURIComponent(serial)}${rest}`;

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

  async certificates(serial: string): Promise<AgentCertificate[]> {
    return (await this.call<{ certificates: AgentCertificate[] }>('GET', tokenPath(serial, '/certificates'))).certificates;
  }

  init(serial: string, authorization: string, label: string) {
    return this.call<{ initialized: true }>('POST', tokenPath(serial, '/init'), { authorization, label });
  }

  /** A new key pair on the token and a request signed with it; `label` names the key (the agent's default otherwise). */
  keys(serial: string, algorithm: string, subject: Record<string, string>, label?: string) {
    return this.call<{ keyId: string; csr: string }>('POST', tokenPath(serial, '/keys'), { algorithm, subject, label });
  }

  /** The key `keyId` signs the server's challenge (the agent adds its fixed prefix and the origin). */
  challengeSignature(serial: string, keyId: string, challenge: string) {
    return this.call<{ signature: string; signedData: string }>('POST', tokenPath(serial, '/challenge-signature'), {
      keyId,
      challenge,
    });
  }

  writeCertificate(serial: string, certificate: string, label?: string) {
    return this.call<{ keyId: string }>('POST', tokenPath(serial, '/certificates'), { certificate, label });
  }

  resetPin(serial: string, authorization: string) {
    return this.call<{ reset: true }>('POST', tokenPath(serial, '/pin/reset'), { authorization });
  }

  changePin(serial: string) {
    return this.call<{ changed: true }>('POST', tokenPath(serial, '/pin/change'), {});
  }
}

/** Serial numbers as hex, compared without case or leading zeros (the agent and the registry print them so). */
const hexSerial = (s: string) =>
  s
    .toLowerCase()
    .replace(/[^0-9a-f]/g, '')
    .replace(/^0+/, '');
export const sameSerial = (a: string, b: string) => hexSerial(a) === hexSerial(b);
