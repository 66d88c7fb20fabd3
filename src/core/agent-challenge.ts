/**
 * What the 证书助手 signs for a server challenge (docs/agent.md), shared by the agent, which signs it, and the
 * server, which verifies it (在线续费: modules/renewal). The fixed prefix keeps the key from ever signing bytes
 * a page chose (a document, a certificate request); the origin, added by the agent from its own pairing,
 * keeps a signature made for one site from being replayed at another.
 */
export const CHALLENGE_PREFIX = 'CertDesk 证书助手 challenge v1\n';

export function challengeMessage(origin: string, challenge: Uint8Array): Buffer {
  return Buffer.concat([Buffer.from(`${CHALLENGE_PREFIX}${origin}\n`, 'utf8'), challenge]);
}
