/** CA publication: CRLs over HTTP at the URL in the certificates, and the OCSP responder (RFC 6960 GET and POST). */
import type { OutgoingHttpHeader, OutgoingHttpHeaders, ServerResponse } from 'node:http';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { ocspErrorResponse } from '../../ca/ocsp/response.js';
import { ocspAnswers } from '../metrics.js';
import type { KeyAlgorithm } from '../../ca/signer/port.js';
import type { UseCaseDeps } from '../modules/deps.js';
import { LiveSigningLimit } from '../modules/revocation/live-signing-limit.js';
import { COMPLETE_CRL, ROOT_CRL } from '../modules/revocation/crl-scopes.js';
import { CRL_MAX_AGE_S, type ServedCrl } from '../modules/revocation/crl-serving.js';
import type { CachedOcsp } from '../modules/revocation/ocsp-cache.js';
import type { Asked } from '../modules/revocation/ocsp-requests.js';
import { publisherFor, type Publisher } from '../modules/revocation/publication.js';

const OCSP_RESPONSE = 'application/ocsp-response';

const asBuffer = (u: Uint8Array) => Buffer.from(u.buffer, u.byteOffset, u.byteLength);

/** `content-length` → `Content-Length`: what RFC 9110 calls names case-insensitive, and what simple clients look for. */
const canonicalName = (name: string) => name.replace(/(^|-)([a-z])/g, (_m, dash: string, c: string) => dash + c.toUpperCase());
const CANONICAL = new Map<string, string>();

/**
 * Header names go out in canonical case on these routes. Fastify lower-cases every name it is given and hands
 * them to writeHead, and Node sends names as given; GmSSL's HTTP client (crlget, ocspget, `certverify
 * -check_crl`, both 3.1.1 and master) looks for the exact text "Content-Length" and fails on anything else
 * (issue 15). Wrapping this response's writeHead is the one place every answer of these routes passes.
 */
function sendCanonicalHeaderNames(res: ServerResponse): void {
  const writeHead = res.writeHead;
  res.writeHead = function (this: ServerResponse, status: number, ...rest: unknown[]) {
    const last = rest[rest.length - 1];
    if (last && typeof last === 'object' && !Array.isArray(last)) {
      const canonical: OutgoingHttpHeaders = {};
      for (const [name, value] of Object.entries(last as Record<string, OutgoingHttpHeader | undefined>)) {
        let c = CANONICAL.get(name);
        if (c === undefined) CANONICAL.set(name, (c = canonicalName(name)));
        canonical[c] = value;
      }
      rest[rest.length - 1] = canonical;
    }
    return (writeHead as (...args: unknown[]) => ServerResponse).call(this, status, ...rest);
  } as ServerResponse['writeHead'];
}

/**
 * Whether a conditional GET may be answered 304 (RFC 9110 13.1.2, 13.1.3): If-None-Match names this CRL's
 * ETag (or `*`); without If-None-Match, If-Modified-Since is not before the CRL's thisUpdate (Last-Modified,
 * whole seconds).
 */
function notModified(ifNoneMatch: string | undefined, ifModifiedSince: string | undefined, crl: ServedCrl): boolean {
  if (ifNoneMatch !== undefined)
    return ifNoneMatch.split(',').some((tag) => {
      const t = tag.trim();
      return t === '*' || t === crl.etag || t === `W/${crl.etag}`;
    });
  if (ifModifiedSince === undefined) return false;
  const since = Date.parse(ifModifiedSince);
  return Number.isFinite(since) && Math.floor(crl.thisUpdate.getTime() / 1000) * 1000 <= since;
}

/** What the handlers share: the clock, the live-signing cap, and the process's publisher (derived once). */
interface PublicationContext {
  clock: UseCaseDeps['clock'];
  liveSigning: LiveSigningLimit;
  publisher(): Promise<Publisher>;
  /** The publisher once had, without an await (the OCSP GET hot path). */
  current(): Publisher | undefined;
}

/** An unsigned OCSP error (RFC 6960 2.3): HTTP 200 with the OCSP status, never a 5xx. */
function sendOcspError(reply: FastifyReply, status: 'malformedRequest' | 'unauthorized' | 'internalError' | 'tryLater') {
  ocspAnswers.inc({ status });
  return reply
    .header('content-type', OCSP_RESPONSE)
    .header('cache-control', 'no-store')
    .send(asBuffer(ocspErrorResponse(status)));
}

/** A response made for this request (or held back from HTTP caches): counted under `status`, never cached. */
function sendOcspUncached(reply: FastifyReply, der: Uint8Array, status: string) {
  ocspAnswers.inc({ status });
  return reply.header('content-type', OCSP_RESPONSE).header('cache-control', 'no-store').send(asBuffer(der));
}

/** The pre-signed response: over GET, HTTP caches may keep it until shortly before nextUpdate (RFC 5019 6.2). */
function sendStoredOcsp(reply: FastifyReply, stored: CachedOcsp, isGet: boolean, now: number) {
  ocspAnswers.inc({ status: stored.status });
  if (isGet) {
    const maxAge = Math.max(0, Math.floor((stored.nextUpdate.getTime() - now) / 1000));
    reply.headers({
      'content-type': OCSP_RESPONSE,
      'cache-control': `max-age=${maxAge}, public, no-transform, must-revalidate`,
      'last-modified': stored.lastModified,
      expires: stored.expires,
    });
  } else reply.headers({ 'content-type': OCSP_RESPONSE, 'cache-control': 'no-store' });
  return reply.send(stored.der);
}

/** The answer to what a request asks; any failure is an unsigned internalError (RFC 6960 2.3), logged. */
async function answerOcsp(ctx: PublicationContext, p: Publisher, asked: Asked, reply: FastifyReply, isGet: boolean, ip: string) {
  if (asked.kind === 'error') return sendOcspError(reply, asked.status);
  try {
    if (asked.kind === 'single') {
      // RFC 5019: the pre-signed answer from memory or one indexed lookup, no signature; a serial never
      // issued here costs that one lookup and a signature within the live-signing cap (answerSingle).
      const a = await p.answerSingle(asked, () => ctx.liveSigning.take(ip));
      if (a.kind === 'tryLater') return sendOcspError(reply, 'tryLater');
      if (a.kind === 'signed') return sendOcspUncached(reply, a.der, 'signed at request');
      return sendStoredOcsp(reply, a.stored, isGet, ctx.clock.now().getTime());
    }
    // A nonce (RFC 8954) or several CertIDs: signed live, within the cap. Over it, a single CertID of ours
    // gets its pre-signed answer without the nonce (RFC 8954 2.1, RFC 5019 2.2); anything else `tryLater`.
    if (!ctx.liveSigning.take(ip)) {
      const stored = await p.storedWithoutNonce(asked);
      return stored ? sendOcspUncached(reply, stored.der, stored.status) : sendOcspError(reply, 'tryLater');
    }
    return sendOcspUncached(reply, await p.signLive(asked.issuer, asked.request.certIds, asked.request.nonce), 'signed at request');
  } catch (err) {
    reply.log.error({ err }, 'OCSP responder failed');
    return sendOcspError(reply, 'internalError');
  }
}

/** The publisher, or undefined (logged) when it cannot be had: the OCSP routes then answer internalError. */
const publisherOrLog = (ctx: PublicationContext, reply: FastifyReply) =>
  ctx.publisher().catch((err: unknown) => void reply.log.error({ err }, 'OCSP responder unavailable'));

/** POST /ocsp: the raw DER OCSPRequest as the body (RFC 6960 A.1). */
async function ocspPost(ctx: PublicationContext, req: FastifyRequest, reply: FastifyReply) {
  const body = req.body;
  if (!Buffer.isBuffer(body)) return sendOcspError(reply, 'malformedRequest');
  const p = await publisherOrLog(ctx, reply);
  if (!p) return sendOcspError(reply, 'internalError');
  return answerOcsp(ctx, p, p.resolveRequest(body), reply, false, req.ip);
}

/** GET /ocsp/{url-encoding of base-64 encoding of the DER encoding of the OCSPRequest} (RFC 6960 A.1). */
async function ocspGet(ctx: PublicationContext, req: FastifyRequest, reply: FastifyReply) {
  const raw = req.url.slice('/ocsp/'.length);
  const q = raw.indexOf('?');
  const p = ctx.current() ?? (await publisherOrLog(ctx, reply));
  if (!p) return sendOcspError(reply, 'internalError');
  // Remembered only when it is a CertID of ours, by the path's hash, within a byte budget (resolveGetPath).
  return answerOcsp(ctx, p, p.resolveGetPath(q < 0 ? raw : raw.slice(0, q)), reply, true, req.ip);
}

/** The CRL scope a file name names: `<shard>.crl`, `complete.crl` or `root.crl`; undefined for anything else. */
function crlScopeOfFile(file: string): number | undefined {
  const m = /^(0|[1-9]\d{0,6})\.crl$/.exec(file);
  return m ? Number(m[1]) : file === 'complete.crl' ? COMPLETE_CRL : file === 'root.crl' ? ROOT_CRL : undefined;
}

/**
 * GET /crl/:family/:file — the CRLs at the URL in the certificates' CRL distribution point (caPublicUrls): the
 * complete CRL, the shards of older certificates, and the root's CRL (the issuing CA certificate's CRL DP).
 * Every instance serves the bytes stored in the database, with headers read from those bytes (crlForHttp).
 */
async function crlGet(ctx: PublicationContext, req: FastifyRequest<{ Params: { family: string; file: string } }>, reply: FastifyReply) {
  const { family, file } = req.params;
  const scope = crlScopeOfFile(file);
  let crl: ServedCrl | null = null;
  if (scope !== undefined) {
    try {
      crl = await (await ctx.publisher()).crlForHttp(family, scope);
    } catch (err) {
      reply.log.error({ err, family, file }, 'CRL unavailable');
      return reply
        .status(503)
        .header('retry-after', '5')
        .header('cache-control', 'no-store')
        .header('content-type', 'text/plain; charset=utf-8')
        .send('CRL 暂时无法提供，请稍后再试');
    }
  }
  if (!crl) return reply.status(404).header('content-type', 'text/plain; charset=utf-8').send('没有这个 CRL');
  // max-age never past nextUpdate (RFC 5280 5.1.2.5), at most an hour so a republished CRL spreads.
  const left = Math.floor((crl.nextUpdate.getTime() - ctx.clock.now().getTime()) / 1000);
  reply.headers({
    'content-type': 'application/pkix-crl',
    'cache-control': `public, max-age=${Math.max(0, Math.min(CRL_MAX_AGE_S, left))}`,
    'last-modified': crl.lastModified,
    expires: crl.expires,
    etag: crl.etag,
  });
  // Conditional GET (RFC 9110 13.1): a relying party or cache holding these bytes gets 304 and no body.
  if (notModified(req.headers['if-none-match'], req.headers['if-modified-since'], crl)) return reply.status(304).send();
  return reply.send(crl.der);
}

/** GET /ca/:file — CA certificates at the caIssuers URL (RFC 5280 4.2.2.1) and the hierarchy's root URL, DER. */
async function caCertificateGet(ctx: PublicationContext, req: FastifyRequest<{ Params: { file: string } }>, reply: FastifyReply) {
  const m = /^([a-z0-9-]+?)(-root)?\.cer$/.exec(req.params.file);
  const p = await ctx.publisher();
  const fam = m ? p.runtime.hierarchy.families[m[1] as KeyAlgorithm] : undefined;
  if (!m || !fam) return reply.status(404).header('content-type', 'text/plain; charset=utf-8').send('没有这个证书');
  return reply
    .header('content-type', 'application/pkix-cert')
    .header('cache-control', 'public, max-age=86400')
    .send(asBuffer(m[2] ? fam.root.certDer : fam.issuing.certDer));
}

/**
 * Relying parties' traffic (every TLS client checking a certificate): per-request info logs would be most of
 * the log and cost time on the hot path; warnings and errors (e.g. 'OCSP responder failed') still show.
 */
const PUBLIC_ROUTE = { schema: { hide: true }, logLevel: 'warn' } as const;

export const caPublicationRoutes =
  ({ deps, liveSigning = new LiveSigningLimit() }: { deps: UseCaseDeps; liveSigning?: LiveSigningLimit }): FastifyPluginAsyncZod =>
  async (outer) => {
    // The publisher (issuer lookups, responder keys) is derived from the hierarchy once per process.
    let publisher: Publisher | undefined;
    const ctx: PublicationContext = {
      clock: deps.clock,
      liveSigning,
      publisher: async () => (publisher ??= await publisherFor(deps)),
      current: () => publisher,
    };
    await outer.register(async (app) => {
      app.addHook('onRequest', (_req, reply, done) => {
        sendCanonicalHeaderNames(reply.raw);
        done();
      });
      // Scoped to this plugin: the raw DER body of an OCSP POST (RFC 6960 A.1).
      app.addContentTypeParser('application/ocsp-request', { parseAs: 'buffer', bodyLimit: 16 * 1024 }, (_req, body, done) =>
        done(null, body),
      );
      app.post('/ocsp', PUBLIC_ROUTE, (req, reply) => ocspPost(ctx, req, reply));
      app.get('/ocsp/*', PUBLIC_ROUTE, (req, reply) => ocspGet(ctx, req, reply));
      app.get<{ Params: { family: string; file: string } }>('/crl/:family/:file', PUBLIC_ROUTE, (req, reply) => crlGet(ctx, req, reply));
      app.get<{ Params: { file: string } }>('/ca/:file', PUBLIC_ROUTE, (req, reply) => caCertificateGet(ctx, req, reply));
    });
  };
