/**
 * Pairing the agent with one logged-in portal page. The agent shows a one-time code (its console now, a
 * tray window later); the user types it into the page; the page sends it once with its portal session id
 * and gets a random bearer token bound to the portal origin, required on every later request.
 *
 * Each pairing gets its own ephemeral key pair (for the CA's sealed SO PINs); unpairing or a restart drops it.
 *
 * A code lives 2 minutes, is used once, and allows 5 attempts — counted before the comparison, so the
 * sixth guess is refused even if it is right. A new code is shown on demand (console: Enter).
 */
import { createHash, generateKeyPairSync, randomBytes, randomInt, timingSafeEqual, type KeyObject } from 'node:crypto';
import { AgentError } from './token.js';

export const CODE_TTL_MS = 120_000;
export const CODE_ATTEMPTS = 5;

export interface PairedSession {
  origin: string;
  /** The portal's session id the page sent with the code (for the server to bind authorizations to). */
  portalSession: string;
  pairedAt: Date;
  /**
   * This session's ephemeral P-256 key pair (never leaves the agent's memory): the CA seals an SO PIN to its
   * public key inside a one-time authorization (ca/token-authorization.ts), so only this session can open it.
   */
  key: { privateKey: KeyObject; spki: Uint8Array };
}

const digest = (s: string) => createHash('sha256').update(s, 'utf8').digest();

export class Pairing {
  private code: { value: string; expires: number; attempts: number } | undefined;
  private readonly sessions = new Map<string, PairedSession>();

  constructor(private readonly now: () => number = Date.now) {}

  /** A fresh 8-digit code; any previous code stops working. */
  newCode(): string {
    const value = String(randomInt(0, 100_000_000)).padStart(8, '0');
    this.code = { value, expires: this.now() + CODE_TTL_MS, attempts: 0 };
    return value;
  }

  pair(code: string, portalSession: string, origin: string): string {
    const current = this.code;
    const refused = (msg: string) => new AgentError(403, 'PAIRING_REFUSED', msg);
    if (!current) throw refused('配对码无效：请在证书助手中获取新的配对码');
    current.attempts += 1;
    if (current.attempts > CODE_ATTEMPTS) {
      this.code = undefined;
      throw refused('配对码尝试次数过多，已作废：请在证书助手中获取新的配对码');
    }
    if (this.now() > current.expires) {
      this.code = undefined;
      throw refused('配对码已过期（有效期 2 分钟）：请在证书助手中获取新的配对码');
    }
    if (!timingSafeEqual(digest(code), digest(current.value)))
      throw refused(`配对码不正确，还可以再试 ${CODE_ATTEMPTS - current.attempts} 次`);
    this.code = undefined;
    const token = randomBytes(32).toString('base64url');
    const pair = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
    const key = { privateKey: pair.privateKey, spki: new Uint8Array(pair.publicKey.export({ format: 'der', type: 'spki' })) };
    this.sessions.set(digest(token).toString('hex'), { origin, portalSession, pairedAt: new Date(this.now()), key });
    return token;
  }

  /** The paired session of a bearer token presented from `origin`, or undefined. */
  session(token: string, origin: string): PairedSession | undefined {
    const s = this.sessions.get(digest(token).toString('hex'));
    return s && s.origin === origin ? s : undefined;
  }

  unpair(token: string): void {
    this.sessions.delete(digest(token).toString('hex'));
  }
}

/**
 * The one-time authorizations this agent has accepted (their ids until they expire): a replayed one is
 * refused even within its lifetime. In memory — a restarted agent has new session keys, which no earlier
 * authorization was sealed to.
 */
export class UsedAuthorizations {
  private readonly seen = new Map<string, number>();
  constructor(private readonly now: () => number = Date.now) {}

  /** False when `jti` was used before; otherwise remembers it until `expiresAt` and returns true. */
  consume(jti: string, expiresAt: number): boolean {
    const now = this.now();
    for (const [id, until] of this.seen) if (until <= now) this.seen.delete(id);
    if (this.seen.has(jti)) return false;
    this.seen.set(jti, expiresAt);
    return true;
  }
}
