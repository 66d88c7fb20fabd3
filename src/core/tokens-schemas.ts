/**
 * Response shapes of the UKEY through the 证书助手 (server/routes/tokens.ts, docs/agent.md): the installer files
 * of 下载中心, where a page finds the agent and what it pairs with, the 制证 workstation's initialization
 * authorization, and 在线解锁's steps (modules/tokens/unlock.ts). The pages' types come from here.
 */
import { z } from 'zod';
import { ZInstant, type JsonOf } from './response.js';

export const ZAgentDownloads = z.object({
  files: z.array(
    z.object({
      name: z.string(),
      size: z.number(),
      /** Hex, lower case: what `certutil -hashfile <file> SHA256` prints on Windows. */
      sha256: z.string(),
      updatedAt: ZInstant,
      url: z.string(),
    }),
  ),
});
export type AgentDownloads = JsonOf<typeof ZAgentDownloads>;

/** The agent's address and the session's pairing identifier (an HMAC of the session, not its token). */
export const ZAgentPairing = z.object({ agentUrl: z.string(), binding: z.string() });
export type AgentPairing = JsonOf<typeof ZAgentPairing>;

/**
 * A one-time authorization for the paired agent: the token's SO PIN sealed to the agent's session key (the page
 * passes it on and can read nothing in it). `expiresAt` is the authorization's own ISO text.
 */
export const ZTokenAuthorization = z.object({ authorization: z.string(), expiresAt: z.string() });
export type TokenAuthorization = JsonOf<typeof ZTokenAuthorization>;
/** 制证: the authorization to initialize the UKEY, and the key the agent is to make on it (the project's family). */
export const ZTokenInitAuthorization = ZTokenAuthorization.extend({ keyAlgorithm: z.enum(['sm2', 'ecdsa-p256']) });
export type TokenInitAuthorization = JsonOf<typeof ZTokenInitAuthorization>;

export const UNLOCK_STATUSES = ['code_sent', 'code_ok', 'face_started', 'face_passed', 'granted', 'done', 'closed'] as const;

/** 在线解锁 as the page follows it: its step, and the tries left. */
export const ZUnlockView = z.object({
  id: z.string(),
  status: z.enum(UNLOCK_STATUSES),
  tokenSerial: z.string(),
  codeAttemptsLeft: z.number(),
  faceAttemptsLeft: z.number(),
  expiresAt: ZInstant,
});
export type UnlockView = JsonOf<typeof ZUnlockView>;

/** A new request: the SMS code sent to the organization's registered mobile. */
export const ZUnlockRequested = z.object({
  id: z.string(),
  maskedMobile: z.string(),
  expiresInSeconds: z.number(),
  resendAfterSeconds: z.number(),
});
export type UnlockRequested = JsonOf<typeof ZUnlockRequested>;

/** The face check started: the provider's page to go to, and the checks left. */
export const ZUnlockFaceStarted = z.object({ redirectUrl: z.string(), faceAttemptsLeft: z.number() });
export type UnlockFaceStarted = JsonOf<typeof ZUnlockFaceStarted>;
