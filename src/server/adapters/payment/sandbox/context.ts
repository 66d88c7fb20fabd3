/**
 * What the sandbox provider's two halves (wechat-api.ts, alipay-gateway.ts) and its payer side (server.ts)
 * share: the database and clock, the parsed keys, trade tokens, and a trade's status as seen now.
 */
import { randomBytes } from 'node:crypto';
import type { Clock } from '../../../clock.js';
import type { Db } from '../../../db/client.js';
import { privateKeyFrom, publicKeyFrom } from '../crypto.js';
import { sandboxKeys, type SandboxKeys } from './keys.js';
import type { SandboxTrade } from './repository.js';

export interface SandboxContext {
  db: Db;
  clock: Clock;
  /** The keys, read (or made) once and parsed once. */
  keys(): Promise<ParsedSandboxKeys>;
  /** A payer-page token: unguessable, URL-safe. */
  newToken(): string;
}

export type ParsedSandboxKeys = ReturnType<typeof parse>;

const parse = (k: SandboxKeys) => ({
  raw: k,
  mchPublic: publicKeyFrom(k.wechat.mchPublicPem),
  platformPrivate: privateKeyFrom(k.wechat.platformPrivatePem),
  appPublic: publicKeyFrom(k.alipay.appPublicPem),
  alipayPrivate: privateKeyFrom(k.alipay.alipayPrivatePem),
});

export function sandboxContext(deps: { db: Db; clock: Clock }): SandboxContext {
  const keysP = sandboxKeys(deps.db);
  let parsed: Promise<ParsedSandboxKeys> | undefined;
  return {
    db: deps.db,
    clock: deps.clock,
    keys: () => (parsed ??= keysP.then(parse)),
    newToken: () => randomBytes(24).toString('base64url'),
  };
}

/** A trade's status as the payer and the merchant see it now (an unpaid trade past its expiry is closed). */
export function effectiveStatus(t: SandboxTrade, now: Date): string {
  if ((t.status === 'pending' || t.status === 'cancelled') && t.expiresAt <= now) return 'expired';
  return t.status;
}

/** The payer page's path; the QR code holds `${SANDBOX_PAY_PATH}/<channel>/<token>` (relative). */
export const SANDBOX_PAY_PATH = '/sandbox/pay';
export const sandboxCodeUrl = (channel: 'wechat' | 'alipay', token: string) => `${SANDBOX_PAY_PATH}/${channel}/${token}`;

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- request JSON as received; every field is checked before use
export type Loose = Record<string, any>;
