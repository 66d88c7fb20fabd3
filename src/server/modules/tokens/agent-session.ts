/**
 * Binding a 证书助手 pairing to the portal session (docs/agent.md): the page pairs the agent with a value
 * derived from its session — never the session cookie itself, which the agent has no business holding — and
 * an authorization is sealed only for an agent paired with the caller's own session.
 */
import { z } from 'zod';
import { AppError, validationFailed } from '../../../core/errors.js';
import { AuthorizationRefused, newGrant, sealAuthorization, type TokenPurpose } from '../../../ca/token-authorization.js';
import { hmac } from '../../crypto.js';
import type { SessionRow } from '../sessions/repository.js';
import type { TokenAuthorityKeys } from '../../../ca/token-authorization.js';

/** What the page read from the agent's GET /session and passes on. */
export const ZAgentSession = z.object(
  {
    sessionId: z
      .string({ error: 'agent.sessionId 必须填写' })
      .min(8, 'agent.sessionId 至少 8 个字符')
      .max(200, 'agent.sessionId 最多 200 个字符'),
    sessionKey: z
      .string({ error: 'agent.sessionKey 必须填写' })
      .regex(/^[A-Za-z0-9+/]{40,400}={0,2}$/, 'agent.sessionKey 必须是证书助手给出的 Base64 公钥'),
  },
  { error: 'agent（证书助手的配对会话）必须填写' },
);
export type AgentSession = z.infer<typeof ZAgentSession>;

/** The value a page pairs its 证书助手 with: an HMAC of this session (changes at every login). */
export const agentBinding = (secret: string, session: SessionRow) => hmac(secret, `certdesk agent pairing v1\n${session.idHash}`);

/** A sealed authorization for the agent paired with `session`, or a refusal naming what is wrong. */
export function authorizationForAgent(
  keys: TokenAuthorityKeys,
  input: { purpose: TokenPurpose; serial: string; origin: string; binding: string; agent: AgentSession; now: Date },
): { authorization: string; jti: string; agentKey: string; expiresAt: string } {
  if (input.agent.sessionId !== input.binding)
    throw new AppError('FORBIDDEN', '证书助手配对的不是当前登录的网页：请在本页重新与证书助手配对');
  const spki = new Uint8Array(Buffer.from(input.agent.sessionKey, 'base64'));
  const grant = newGrant({
    purpose: input.purpose,
    serial: input.serial,
    origin: input.origin,
    session: input.binding,
    agentSpki: spki,
    now: input.now,
  });
  try {
    return { authorization: sealAuthorization(keys, grant, spki), jti: grant.jti, agentKey: grant.agentKey, expiresAt: grant.expiresAt };
  } catch (e) {
    if (e instanceof AuthorizationRefused) throw validationFailed({ 'agent.sessionKey': e.message });
    throw e;
  }
}
