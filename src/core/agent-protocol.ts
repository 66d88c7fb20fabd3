/**
 * What the 证书助手 answers about UKEYs (docs/agent.md), as the page reads it. The agent builds these in
 * src/agent (token.ts TokenInfo, server.ts's certificate listing); the page's one client
 * (web/agent/agentClient.ts) reads them from here, so a field the agent adds is stated once for the web.
 */
export interface AgentToken {
  serial: string;
  label: string;
  manufacturer: string;
  model: string;
  initialized: boolean;
  /** The token says so (CKF_USER_PIN_LOCKED) or the agent counted CERTDESK_AGENT_PIN_TRIES wrong PINs. */
  userPinLocked: boolean;
  /** One more wrong PIN locks it (CKF_USER_PIN_FINAL_TRY, or the agent's count). */
  userPinFinalTry: boolean;
  /** The token asks for a new user PIN (CKF_USER_PIN_TO_BE_CHANGED), or the CA's initial PIN is still set. */
  userPinToBeChanged: boolean;
  /** Initialized by the CA (its SO PIN is the CA's derived one). */
  certDesk: boolean;
  /** Wrong user PINs the agent may still try, by its own count. */
  triesLeft: number;
}

/** A certificate on a UKEY, as `GET /tokens/:serial/certificates` lists it. */
export interface AgentCertificate {
  /** CKA_ID, hex: the key it belongs to. */
  keyId: string;
  label: string;
  subject: Record<string, string>;
  serialNumber: string;
  notBefore: string;
  notAfter: string;
  /** DER, base64. */
  certificate: string;
}

/** The pairing as the agent knows it (`GET /session`): the server seals authorizations to its session key. */
export interface AgentSession {
  sessionId: string;
  sessionKey: string;
}
