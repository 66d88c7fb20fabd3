/**
 * The 证书助手's HTTP interface (docs/agent.md). Listens on loopback only and answers only the portal's own
 * origin:
 *   - a request whose Origin is anything else gets 403 and no CORS headers; a request without Origin is
 *     refused too, except GET /health (so an installer or a support person can check it is running);
 *   - the Host header must be a loopback name (a DNS-rebinding page cannot reach the agent under its own name);
 *   - CORS preflights are answered for the portal origin only, with the Private Network Access answer
 *     (Access-Control-Allow-Private-Network: true) when the browser asks for it;
 *   - everything but /health and /pair needs the bearer token that pairing (pairing.ts) handed out.
 * PINs never travel over this interface: operations that need one ask the PinSource (pin-source.ts). An SO
 * PIN comes only inside the CA's one-time authorization (ca/token-authorization.ts): signed by the key this
 * agent is configured to trust, bound to the token, this pairing and its session key, used once.
 */
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import { z } from 'zod';
import { pemToDer } from '../ca/cert/parse.js';
import { challengeMessage } from '../core/agent-challenge.js';
import { AuthorizationRefused, openAuthorization, type TokenPurpose } from '../ca/token-authorization.js';
import type { AgentConfig } from './config.js';
import { Pairing, UsedAuthorizations, type PairedSession } from './pairing.js';
import type { PinSource } from './pin-source.js';
import { AgentError, checkCertificate, type TokenDriver } from './token.js';

export const AGENT_VERSION = '0.1.0';

/** Domain separation for challenge signatures: the agent never signs bare bytes a page hands it (core/agent-challenge.ts). */
export { CHALLENGE_PREFIX, challengeMessage } from '../core/agent-challenge.js';

export interface AgentDeps {
  config: AgentConfig;
  tokens: TokenDriver;
  pins: PinSource;
  pairing: Pairing;
  /** Lines for the agent's own log (never PINs, codes or tokens). */
  log?: (line: string) => void;
  now?: () => number;
}

const bearerOf = (req: FastifyRequest) => /^Bearer ([A-Za-z0-9_-]{20,100})$/.exec(req.headers.authorization ?? '')?.[1];

const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]']);

const base64 = (field: string, min: number, max: number) =>
  z
    .string({ error: `${field} 必须是 Base64 字符串` })
    .regex(/^[A-Za-z0-9+/]*={0,2}$/, `${field} 必须是 Base64 字符串`)
    .transform((s) => new Uint8Array(Buffer.from(s, 'base64')))
    .refine((b) => b.length >= min && b.length <= max, `${field} 的长度必须在 ${min}–${max} 字节之间`);

const keyIdSchema = z
  .string({ error: 'keyId 必须是十六进制字符串' })
  .regex(/^(?:[0-9a-f]{2}){1,64}$/i, 'keyId 必须是十六进制字符串（UKEY 对象的 CKA_ID）')
  .transform((s) => new Uint8Array(Buffer.from(s, 'hex')));

const label = z.string().trim().min(1, 'label 不能为空').max(64, 'label 最多 64 个字符').optional();

const schemas = {
  pair: z.object({
    code: z.string({ error: 'code（配对码）必须填写' }).regex(/^\d{8}$/, 'code（配对码）必须是证书助手显示的 8 位数字'),
    sessionId: z.string({ error: 'sessionId 必须填写' }).min(8, 'sessionId 至少 8 个字符').max(200, 'sessionId 最多 200 个字符'),
  }),
  sign: z.object({ keyId: keyIdSchema, challenge: base64('challenge', 16, 1024) }),
  keys: z.object({
    algorithm: z.enum(['ecdsa-p256', 'sm2'], { error: 'algorithm 只能是 ecdsa-p256 或 sm2' }),
    subject: z.object(
      {
        C: z
          .string()
          .regex(/^[A-Z]{2}$/, 'subject.C 必须是两个大写字母的国家代码，如 CN')
          .optional(),
        ST: z.string().max(128).optional(),
        L: z.string().max(128).optional(),
        O: z.string().max(128).optional(),
        OU: z.string().max(128).optional(),
        CN: z.string({ error: 'subject.CN 必须填写' }).min(1, 'subject.CN 不能为空').max(128, 'subject.CN 最多 128 个字符'),
        uscc: z
          .string()
          .regex(/^[0-9A-Z]{18}$/, 'subject.uscc 必须是 18 位统一社会信用代码（数字和大写字母）')
          .optional(),
      },
      { error: 'subject 必须是包含 CN 的对象' },
    ),
    label,
  }),
  write: z.object({
    certificate: z.string({ error: 'certificate 必须是 PEM 或 Base64 DER 的证书' }).min(1, 'certificate 不能为空'),
    label,
  }),
  reset: z.object({
    authorization: z.string({ error: 'authorization（服务器的一次性解锁授权）必须填写' }).min(16, 'authorization 至少 16 个字符').max(8192),
  }),
  init: z.object({
    authorization: z.string({ error: 'authorization（CA 的一次性初始化授权）必须填写' }).min(16, 'authorization 至少 16 个字符').max(8192),
    label: z.string().trim().min(1, 'label 不能为空').max(128, 'label（UKEY 标签）最多 128 个字符').optional(),
  }),
  serial: z.object({ serial: z.string().min(1).max(64) }),
};

function parse<T extends z.ZodType>(schema: T, value: unknown): z.output<T> {
  const r = schema.safeParse(value ?? {});
  if (!r.success) {
    const issue = r.error.issues[0]!;
    const msg = issue.message && !/^Invalid/.test(issue.message) ? issue.message : `${issue.path.join('.') || '请求'} 不合规`;
    throw new AgentError(400, 'BAD_REQUEST', msg, { field: issue.path.join('.') });
  }
  return r.data;
}

export function buildAgentServer(deps: AgentDeps): FastifyInstance {
  const { config, tokens, pins, pairing } = deps;
  const log = deps.log ?? (() => undefined);
  const app = Fastify({ logger: false, bodyLimit: 64 * 1024 });
  const sessions = new WeakMap<FastifyRequest, PairedSession>();
  const now = deps.now ?? Date.now;
  const used = new UsedAuthorizations(now);

  const refuse = (reply: FastifyReply, status: number, code: string, message: string) =>
    reply.code(status).header('cache-control', 'no-store').send({ error: code, message });

  app.addHook('onRequest', async (req, reply) => {
    const path = req.url.split('?')[0];
    const host = (req.headers.host ?? '').replace(/:\d+$/, '');
    if (!LOOPBACK_HOSTS.has(host)) return refuse(reply, 403, 'HOST_REFUSED', '证书助手只接受以本机地址访问的请求');
    const origin = req.headers.origin;
    if (origin === undefined) {
      if (req.method === 'GET' && path === '/health') return;
      return refuse(reply, 403, 'ORIGIN_REQUIRED', '证书助手只接受门户网页的请求（缺少 Origin）');
    }
    if (origin !== config.origin) {
      log(`refused origin ${JSON.stringify(origin)} ${req.method} ${path}`);
      return refuse(reply, 403, 'ORIGIN_REFUSED', '证书助手不接受这个网站的请求');
    }
    reply.header('access-control-allow-origin', config.origin).header('vary', 'Origin');
    if (req.method === 'OPTIONS') {
      reply
        .header('access-control-allow-methods', 'GET, POST')
        .header('access-control-allow-headers', 'authorization, content-type')
        .header('access-control-max-age', '600');
      if (req.headers['access-control-request-private-network'] === 'true') reply.header('access-control-allow-private-network', 'true');
      return reply.code(204).send();
    }
    if (path === '/health' || path === '/pair') return;
    const bearer = bearerOf(req);
    const session = bearer && pairing.session(bearer, origin);
    if (!session) return refuse(reply, 401, 'NOT_PAIRED', '门户网页尚未与证书助手配对，请输入证书助手显示的配对码');
    sessions.set(req, session);
  });

  app.setErrorHandler((err, _req, reply) => {
    if (err instanceof AgentError) return reply.code(err.status).send({ error: err.code, message: err.message, ...err.extra });
    const e = err as { statusCode?: number; message?: string };
    if (e.statusCode && e.statusCode < 500)
      return reply.code(e.statusCode).send({ error: 'BAD_REQUEST', message: `请求不合规：${e.message}` });
    log(`error: ${(err as Error).message}`);
    return reply.code(502).send({ error: 'TOKEN_ERROR', message: `UKEY 操作失败：${(err as Error).message}` });
  });

  const originOf = (req: FastifyRequest) => sessions.get(req)!.origin;
  const serialOf = (req: FastifyRequest) => parse(schemas.serial, req.params).serial;
  const pinRequest = (req: FastifyRequest, purpose: Parameters<PinSource['userPin']>[0]['purpose'], extra = {}) => {
    const t = tokens.token(serialOf(req));
    return { serial: t.serial, label: t.label, purpose, origin: originOf(req), ...extra };
  };
  /** Refuses before prompting when the PIN is locked: nobody should type a PIN that cannot work. */
  const unlocked = (req: FastifyRequest) => {
    const t = tokens.token(serialOf(req));
    if (t.userPinLocked)
      throw new AgentError(423, 'PIN_LOCKED', 'UKEY 的用户口令已锁定，请通过在线解锁或到服务网点重置口令', { serial: t.serial });
  };

  /**
   * The SO PIN out of the CA's authorization for `purpose` on this token, for this pairing — or a refusal.
   * Its id is spent here, before the token is touched: a replayed authorization never reaches the token.
   */
  const authorized = (req: FastifyRequest, purpose: TokenPurpose, text: string) => {
    if (!config.authorityKey)
      throw new AgentError(
        503,
        'AUTHORITY_NOT_CONFIGURED',
        '此证书助手未配置 CA 授权公钥（CERTDESK_AGENT_AUTHORITY_KEY），不能执行需要 CA 授权的操作',
      );
    const s = sessions.get(req)!;
    let opened;
    try {
      opened = openAuthorization(text, config.authorityKey, {
        purpose,
        serial: serialOf(req),
        origin: s.origin,
        session: s.portalSession,
        sessionPrivateKey: s.key.privateKey,
        sessionSpki: s.key.spki,
        now: new Date(now()),
      });
    } catch (e) {
      if (!(e instanceof AuthorizationRefused)) throw e;
      log(`refused a ${purpose} authorization for ${serialOf(req)}: ${e.code}`);
      throw new AgentError(403, 'AUTHORIZATION_REFUSED', e.message, { reason: e.code });
    }
    if (!used.consume(opened.grant.jti, Date.parse(opened.grant.expiresAt))) {
      log(`refused a replayed ${purpose} authorization ${opened.grant.jti}`);
      throw new AgentError(409, 'AUTHORIZATION_REPLAYED', '这份授权已经使用过，不能再次使用，请重新申请');
    }
    log(`accepted ${purpose} authorization ${opened.grant.jti} for ${serialOf(req)}`);
    return opened.soPin;
  };

  app.get('/health', async () => ({ ok: true, name: 'certdesk-agent', version: AGENT_VERSION }));

  app.post('/pair', async (req) => {
    const body = parse(schemas.pair, req.body);
    const token = pairing.pair(body.code, body.sessionId, req.headers.origin!);
    log(`paired with ${req.headers.origin}`);
    return { token };
  });

  /** What the agent knows of this pairing (the portal binds its one-time authorizations to it). */
  app.get('/session', async (req) => {
    const s = sessions.get(req)!;
    return {
      origin: s.origin,
      sessionId: s.portalSession,
      pairedAt: s.pairedAt.toISOString(),
      // The CA seals SO PINs to this key (SPKI DER, base64); its private half never leaves the agent.
      sessionKey: Buffer.from(s.key.spki).toString('base64'),
    };
  });

  /** The page logs out or the user signs off: the token stops working at once. */
  app.post('/unpair', async (req) => {
    pairing.unpair(bearerOf(req)!);
    log(`unpaired ${sessions.get(req)!.origin}`);
    return { unpaired: true };
  });

  app.get('/tokens', async () => ({ tokens: tokens.listTokens() }));

  app.get('/tokens/:serial/certificates', async (req) => ({
    certificates: tokens.certificates(serialOf(req)).map((c) => ({
      keyId: c.keyId,
      label: c.label,
      subject: c.subject,
      serialNumber: c.serialHex,
      notBefore: c.notBefore.toISOString(),
      notAfter: c.notAfter.toISOString(),
      certificate: Buffer.from(c.der).toString('base64'),
    })),
  }));

  app.post('/tokens/:serial/challenge-signature', async (req) => {
    const body = parse(schemas.sign, req.body);
    unlocked(req);
    if (tokens.token(serialOf(req)).userPinToBeChanged)
      throw new AgentError(428, 'PIN_TO_BE_CHANGED', 'UKEY 仍是制证时的初始口令，请先修改用户口令再使用', { serial: serialOf(req) });
    const pin = await pins.userPin(pinRequest(req, 'sign'));
    const signedData = challengeMessage(originOf(req), body.challenge);
    const r = tokens.sign(serialOf(req), pin, body.keyId, signedData);
    log(`signed a challenge with key ${Buffer.from(body.keyId).toString('hex')} on ${serialOf(req)}`);
    return { algorithm: r.algorithm, signature: Buffer.from(r.signature).toString('base64'), signedData: signedData.toString('base64') };
  });

  app.post('/tokens/:serial/keys', async (req) => {
    const body = parse(schemas.keys, req.body);
    tokens.checkKeyRequest(body.algorithm, body.subject);
    unlocked(req);
    const pin = await pins.userPin(pinRequest(req, 'generate'));
    const r = tokens.generateKeyAndCsr(serialOf(req), pin, body.algorithm, body.subject, body.label ?? 'CertDesk');
    log(`generated a ${body.algorithm} key ${Buffer.from(r.keyId).toString('hex')} on ${serialOf(req)}`);
    const csr = `-----BEGIN CERTIFICATE REQUEST-----\n${Buffer.from(r.csr)
      .toString('base64')
      .replace(/(.{64})/g, '$1\n')
      .replace(/\n$/, '')}\n-----END CERTIFICATE REQUEST-----\n`;
    return { keyId: Buffer.from(r.keyId).toString('hex'), csr };
  });

  app.post('/tokens/:serial/certificates', async (req) => {
    const body = parse(schemas.write, req.body);
    let der: Uint8Array;
    try {
      der = body.certificate.includes('-----BEGIN') ? pemToDer(body.certificate) : new Uint8Array(Buffer.from(body.certificate, 'base64'));
    } catch {
      throw new AgentError(400, 'BAD_CERTIFICATE', 'certificate 必须是 PEM 或 Base64 DER 的证书');
    }
    checkCertificate(der);
    unlocked(req);
    const pin = await pins.userPin(pinRequest(req, 'write'));
    const r = tokens.writeCertificate(serialOf(req), pin, der, body.label ?? 'CertDesk');
    log(`wrote a certificate next to key ${Buffer.from(r.keyId).toString('hex')} on ${serialOf(req)}`);
    return { keyId: Buffer.from(r.keyId).toString('hex') };
  });

  app.post('/tokens/:serial/pin/change', async (req) => {
    unlocked(req);
    const request = pinRequest(req, 'change');
    const oldPin = await pins.userPin(request);
    const newPin = await pins.newUserPin(request);
    tokens.changeUserPin(serialOf(req), oldPin, newPin);
    log(`user PIN changed on ${serialOf(req)}`);
    return { changed: true };
  });

  /** 在线解锁: the CA's authorization carries the SO PIN; the user chooses the new PIN here, at the agent. */
  app.post('/tokens/:serial/pin/reset', async (req) => {
    const body = parse(schemas.reset, req.body);
    const request = pinRequest(req, 'reset');
    const soPin = authorized(req, 'reset', body.authorization);
    const newPin = await pins.newUserPin(request);
    tokens.resetUserPin(serialOf(req), soPin, newPin);
    log(`user PIN reset with the CA's SO PIN on ${serialOf(req)}`);
    return { reset: true };
  });

  /**
   * 制证 at the workstation: the CA's authorization carries the token's derived SO PIN; the maker's SO PIN of
   * a new key (a token the CA has not initialized) and the initial user PIN are typed at the agent.
   */
  app.post('/tokens/:serial/init', async (req) => {
    const body = parse(schemas.init, req.body);
    const request = pinRequest(req, 'init');
    const soPin = authorized(req, 'init', body.authorization);
    const ours = tokens.token(serialOf(req)).certDesk;
    const current = ours ? soPin : await pins.soPin(request);
    const userPin = await pins.newUserPin(request);
    tokens.initToken(serialOf(req), current, soPin, userPin, body.label ?? 'CertDesk');
    log(`initialized ${serialOf(req)} with the CA's SO PIN (${ours ? 'again' : 'new key'})`);
    return { initialized: true, serial: serialOf(req) };
  });

  return app;
}
