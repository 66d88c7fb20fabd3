/**
 * Sessions and CSRF protection.
 *
 * Two realms with their own cookies — `cd_org` for applicants, `cd_staff` for CA staff (routes under
 * /api/staff) — so one browser can hold both without one leaking into the other. The cookie holds a random
 * token; the database holds its SHA-256, the subject, a CSRF token and the timestamps. Sessions die at
 * logout, after 30 minutes idle and after 12 hours in any case, and are rotated at login.
 *
 * CSRF: every state-changing request (anything but GET/HEAD/OPTIONS) must send `x-csrf-token` equal to
 * its session's token (synchronizer-token pattern). The SPA gets the token from GET /api/session. Routes
 * called by outside parties (payment notices) opt out with `config: { csrf: false }`.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { AppError } from '../../core/errors.js';
import type { Clock } from '../clock.js';
import type { Config } from '../config.js';
import type { Db } from '../db/client.js';
import { randomToken, safeEqual, sha256 } from '../crypto.js';
import { sessionRepository, type Realm, type SessionRow } from '../modules/sessions/repository.js';

declare module 'fastify' {
  interface FastifyRequest {
    realm: Realm;
    session: SessionRow | null;
  }
  interface FastifyContextConfig {
    csrf?: boolean;
  }
}

export const COOKIE: Record<Realm, string> = { org: 'cd_org', staff: 'cd_staff' };
const SAFE = new Set(['GET', 'HEAD', 'OPTIONS']);
const TOUCH_EVERY_MS = 60_000;

export function realmOf(url: string): Realm {
  return url.startsWith('/api/staff/') || url === '/api/staff' ? 'staff' : 'org';
}

export interface SessionService {
  /**
   * The live session of a realm, or null; never creates one. For the HTML of a page (web-app.ts), which carries
   * its realm's session answer so the page need not ask for it.
   */
  find(req: FastifyRequest, realm: Realm): Promise<SessionRow | null>;
  /** The current session, creating an anonymous one when there is none (for the CSRF token). */
  ensure(req: FastifyRequest, reply: FastifyReply): Promise<SessionRow>;
  /** Log in: the old session (if any) is destroyed and a fresh token issued (session fixation defence). */
  rotate(req: FastifyRequest, reply: FastifyReply, subjectId: string): Promise<SessionRow>;
  destroy(req: FastifyRequest, reply: FastifyReply): Promise<void>;
}

export function registerSessions(app: FastifyInstance, deps: { db: Db; clock: Clock; config: Config }): SessionService {
  const { db, clock, config } = deps;
  app.decorateRequest('realm', 'org');
  app.decorateRequest('session', null);

  const setCookie = (req: FastifyRequest, reply: FastifyReply, token: string) =>
    reply.setCookie(COOKIE[req.realm], token, {
      path: '/',
      httpOnly: true,
      sameSite: 'lax',
      secure: req.protocol === 'https',
      maxAge: Math.floor(config.sessionAbsoluteMs / 1000),
    });

  async function create(req: FastifyRequest, reply: FastifyReply, subjectId: string | null): Promise<SessionRow> {
    const token = randomToken();
    const now = clock.now();
    const row: SessionRow = {
      idHash: sha256(token),
      realm: req.realm,
      subjectId,
      csrfToken: randomToken(24),
      createdAt: now,
      lastSeenAt: now,
      expiresAt: new Date(now.getTime() + config.sessionAbsoluteMs),
    };
    await sessionRepository.insert(db, row);
    setCookie(req, reply, token);
    req.session = row;
    return row;
  }

  /** The live session the request's cookie of this realm names, or null; expired or idle ones are deleted. */
  async function find(req: FastifyRequest, realm: Realm): Promise<SessionRow | null> {
    const token = req.cookies[COOKIE[realm]];
    if (!token || token.length >= 100) return null;
    const row = await sessionRepository.find(db, sha256(token), realm);
    if (!row) return null;
    const now = clock.now();
    const idle = now.getTime() - row.lastSeenAt.getTime() > config.sessionIdleMs;
    if (row.expiresAt <= now || idle) {
      await sessionRepository.delete(db, row.idHash);
      return null;
    }
    if (now.getTime() - row.lastSeenAt.getTime() > TOUCH_EVERY_MS) await sessionRepository.touch(db, row.idHash, now);
    return row;
  }

  app.addHook('onRequest', async (req) => {
    // Decided from the route that matched, never the raw URL: the router decodes the path, so
    // `/api/%73taff/login` is the staff login and `/%61pi/login` the applicant one (issue 16, item 8).
    const path = req.routeOptions.url ?? req.url;
    if (!path.startsWith('/api/')) return;
    req.realm = realmOf(path);
    req.session = await find(req, req.realm);
    if (!SAFE.has(req.method) && req.routeOptions.config?.csrf !== false) {
      const sent = req.headers['x-csrf-token'];
      if (!req.session || typeof sent !== 'string' || !safeEqual(sent, req.session.csrfToken)) {
        throw new AppError('CSRF_INVALID', '页面已过期，请刷新页面后重试');
      }
    }
  });

  return {
    find,
    async ensure(req, reply) {
      return req.session ?? create(req, reply, null);
    },
    async rotate(req, reply, subjectId) {
      if (req.session) await sessionRepository.delete(db, req.session.idHash);
      return create(req, reply, subjectId);
    },
    async destroy(req, reply) {
      if (req.session) await sessionRepository.delete(db, req.session.idHash);
      req.session = null;
      reply.clearCookie(COOKIE[req.realm], { path: '/' });
    },
  };
}

export function requireSubject(req: FastifyRequest): string {
  if (!req.session?.subjectId) throw new AppError('NOT_AUTHENTICATED', '请先登录');
  return req.session.subjectId;
}
