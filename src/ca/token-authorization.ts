/**
 * The CA's one-time authorizations for a UKEY's SO operations (issue 20; docs/agent.md "SO PIN"): 制证
 * initializing a token, and 在线解锁 resetting a locked user PIN. The SO PIN of every token the CA issues is
 * derived from the token authority's secret and the token's serial (so it is stored nowhere, in clear or
 * not), and it travels to the 证书助手 only inside an authorization:
 *
 *   - bound to one purpose, one token serial, the portal origin, the portal session the agent paired with,
 *     and the agent's per-session ephemeral P-256 key (the pairing made it; a restarted agent has a new one);
 *   - the SO PIN encrypted to that ephemeral key (ECDH P-256 with a fresh server key, HKDF-SHA256, AES-256-GCM
 *     with the grant as additional data): the page carries the authorization but cannot read the SO PIN, and
 *     neither can anyone who copies it, without the agent's session key, which never leaves the agent;
 *   - signed (ECDSA P-256 over SHA-256, with a context prefix) by the token authority's key, whose public key
 *     the agent is configured with (CERTDESK_AGENT_AUTHORITY_KEY): a page cannot forge or alter one;
 *   - short-lived (5 minutes) with a random id the agent refuses to see twice (replay).
 *
 * Text form: base64url(JSON grant + sealed SO PIN) "." base64url(DER signature).
 */
import {
  createCipheriv,
  createDecipheriv,
  createHash,
  createHmac,
  createPublicKey,
  diffieHellman,
  generateKeyPairSync,
  hkdfSync,
  randomBytes,
  randomUUID,
  sign,
  verify,
  type KeyObject,
} from 'node:crypto';

export const AUTHORIZATION_CONTEXT = 'certdesk-token-authorization-v1';
export const AUTHORIZATION_TTL_MS = 5 * 60_000;
export type TokenPurpose = 'init' | 'reset';

export interface TokenGrant {
  v: 1;
  purpose: TokenPurpose;
  /** The token's serial (CK_TOKEN_INFO.serialNumber, trimmed). */
  serial: string;
  /** The portal origin the agent answers (it checks its own setting). */
  origin: string;
  /** The portal session binding the agent paired with (GET /session's sessionId). */
  session: string;
  /** SHA-256 (hex) of the agent session's ephemeral public key (SPKI DER). */
  agentKey: string;
  /** One-time id: the agent refuses it a second time. */
  jti: string;
  expiresAt: string;
}

interface Sealed {
  /** The server's ephemeral ECDH public key, SPKI DER base64. */
  epk: string;
  iv: string;
  /** AES-256-GCM ciphertext || tag of the SO PIN, base64. */
  ct: string;
}

export class AuthorizationRefused extends Error {
  override name = 'AuthorizationRefused';
  constructor(
    readonly code: 'MALFORMED' | 'SIGNATURE' | 'BINDING' | 'EXPIRED',
    message: string,
  ) {
    super(message);
  }
}

const b64u = (b: Uint8Array) => Buffer.from(b).toString('base64url');
const sha256Hex = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

/** The fingerprint an authorization names the agent session's key by. */
export const agentKeyFingerprint = (spki: Uint8Array) => sha256Hex(spki);

/** The grant's fields in a fixed order: the GCM additional data. */
const grantBytes = (g: TokenGrant) =>
  Buffer.from(JSON.stringify([g.v, g.purpose, g.serial, g.origin, g.session, g.agentKey, g.jti, g.expiresAt]), 'utf8');

const soPinKey = (shared: Buffer, jti: string) =>
  Buffer.from(hkdfSync('sha256', shared, Buffer.from(jti, 'utf8'), 'certdesk so-pin v1', 32));

/**
 * A token's SO PIN: HMAC-SHA256 over its serial under the authority's SO PIN secret, as 16 upper-case hex
 * digits (64 bits; within the 4–16 characters UKEY modules accept for an SO PIN).
 */
export function deriveSoPin(secret: Uint8Array, serial: string): string {
  return createHmac('sha256', secret).update(`certdesk token SO PIN v1\n${serial}`, 'utf8').digest('hex').slice(0, 16).toUpperCase();
}

export interface TokenAuthorityKeys {
  /** ECDSA P-256 private key that signs authorizations. */
  signingKey: KeyObject;
  /** 32 bytes the SO PINs are derived from. */
  soPinSecret: Uint8Array;
}

/** A grant for `purpose` on `serial`, to the agent session whose public key is `agentSpki`. */
export function newGrant(input: {
  purpose: TokenPurpose;
  serial: string;
  origin: string;
  session: string;
  agentSpki: Uint8Array;
  now: Date;
}): TokenGrant {
  return {
    v: 1,
    purpose: input.purpose,
    serial: input.serial,
    origin: input.origin,
    session: input.session,
    agentKey: agentKeyFingerprint(input.agentSpki),
    jti: randomUUID(),
    expiresAt: new Date(input.now.getTime() + AUTHORIZATION_TTL_MS).toISOString(),
  };
}

/** The authorization text: the grant, the token's SO PIN sealed to the agent session's key, the signature. */
export function sealAuthorization(keys: TokenAuthorityKeys, grant: TokenGrant, agentSpki: Uint8Array): string {
  if (agentKeyFingerprint(agentSpki) !== grant.agentKey) throw new Error('the grant names another agent key');
  let agentKey: KeyObject;
  try {
    agentKey = createPublicKey({ key: Buffer.from(agentSpki), format: 'der', type: 'spki' });
  } catch {
    throw new AuthorizationRefused('MALFORMED', '证书助手的会话公钥无效');
  }
  if (agentKey.asymmetricKeyType !== 'ec' || agentKey.asymmetricKeyDetails?.namedCurve !== 'prime256v1')
    throw new AuthorizationRefused('MALFORMED', '证书助手的会话公钥必须是 P-256 公钥');
  const eph = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  const shared = diffieHellman({ privateKey: eph.privateKey, publicKey: agentKey });
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', soPinKey(shared, grant.jti), iv);
  cipher.setAAD(grantBytes(grant));
  const soPin = deriveSoPin(keys.soPinSecret, grant.serial);
  const ct = Buffer.concat([cipher.update(soPin, 'utf8'), cipher.final(), cipher.getAuthTag()]);
  const sealed: Sealed = {
    epk: eph.publicKey.export({ format: 'der', type: 'spki' }).toString('base64'),
    iv: iv.toString('base64'),
    ct: ct.toString('base64'),
  };
  const body = b64u(Buffer.from(JSON.stringify({ grant, soPin: sealed }), 'utf8'));
  const signature = sign('sha256', Buffer.from(`${AUTHORIZATION_CONTEXT}\n${body}`, 'utf8'), keys.signingKey);
  return `${body}.${b64u(signature)}`;
}

/** What the agent checks an authorization against: its own facts, never the page's. */
export interface AuthorizationExpectation {
  purpose: TokenPurpose;
  serial: string;
  origin: string;
  session: string;
  /** The agent session's ephemeral key pair. */
  sessionPrivateKey: KeyObject;
  sessionSpki: Uint8Array;
  now: Date;
}

/** Verifies signature and binding, then opens the SO PIN. Throws AuthorizationRefused with a Chinese message. */
export function openAuthorization(
  text: string,
  trusted: KeyObject,
  expect: AuthorizationExpectation,
): { grant: TokenGrant; soPin: string } {
  const m = /^([A-Za-z0-9_-]{20,6000})\.([A-Za-z0-9_-]{40,200})$/.exec(text);
  if (!m) throw new AuthorizationRefused('MALFORMED', '解锁授权格式不正确');
  const [, body, sig] = m as unknown as [string, string, string];
  if (!verify('sha256', Buffer.from(`${AUTHORIZATION_CONTEXT}\n${body}`, 'utf8'), trusted, Buffer.from(sig, 'base64url')))
    throw new AuthorizationRefused('SIGNATURE', '授权不是 CA 签发的（签名验证失败）');
  let parsed: { grant: TokenGrant; soPin: Sealed };
  try {
    parsed = JSON.parse(Buffer.from(body, 'base64url').toString('utf8')) as { grant: TokenGrant; soPin: Sealed };
  } catch {
    throw new AuthorizationRefused('MALFORMED', '授权内容无法读取');
  }
  const g = parsed.grant;
  if (!g || g.v !== 1 || !parsed.soPin) throw new AuthorizationRefused('MALFORMED', '授权版本不受支持');
  const wrong = (what: string) => new AuthorizationRefused('BINDING', `授权${what}不符，不能使用`);
  if (g.purpose !== expect.purpose) throw wrong('用途');
  if (g.serial !== expect.serial) throw wrong('的 UKEY 序列号');
  if (g.origin !== expect.origin) throw wrong('的门户网站');
  if (g.session !== expect.session || g.agentKey !== agentKeyFingerprint(expect.sessionSpki)) throw wrong('的配对会话');
  if (!(Date.parse(g.expiresAt) > expect.now.getTime())) throw new AuthorizationRefused('EXPIRED', '授权已过期，请重新申请');
  try {
    const epk = createPublicKey({ key: Buffer.from(parsed.soPin.epk, 'base64'), format: 'der', type: 'spki' });
    const shared = diffieHellman({ privateKey: expect.sessionPrivateKey, publicKey: epk });
    const data = Buffer.from(parsed.soPin.ct, 'base64');
    const decipher = createDecipheriv('aes-256-gcm', soPinKey(shared, g.jti), Buffer.from(parsed.soPin.iv, 'base64'));
    decipher.setAAD(grantBytes(g));
    decipher.setAuthTag(data.subarray(data.length - 16));
    const soPin = Buffer.concat([decipher.update(data.subarray(0, data.length - 16)), decipher.final()]).toString('utf8');
    return { grant: g, soPin };
  } catch {
    throw new AuthorizationRefused('MALFORMED', '授权中的管理员口令无法解开（不是给这个证书助手会话的）');
  }
}
