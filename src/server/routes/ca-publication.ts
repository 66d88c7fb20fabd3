/** CA publication: CRLs over HTTP at the URL in the certificates, and the OCSP responder (RFC 6960 GET and POST). */
import type { OutgoingHttpHeader, OutgoingHttpHeaders, ServerResponse } from 'node:http';
import type { FastifyReply } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { ocspErrorResponse } from '../../ca/ocsp/response.js';
import { ocspAnswers } from '../metrics.js';
import type { KeyAlgorithm } from '../../ca/signer/port.js';
import type { UseCaseDeps } from '../modules/deps.js';
import { LiveSigningLimit } from '../modules/revocation/live-signing-limit.js';
import { COMPLETE_CRL, ROOT_CRL } from '../modules/revocation/crl-scopes.js';
import { CRL_MAX_AGE_S, type ServedCrl } from '../modules/revocation/crl-serving.js';
import { certIdFor, serialHexOf } from '../modules/revocation/ocsp-issuers.js';
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

export const caPublicationRoutes =
  ({ deps, liveSigning = new LiveSigningLimit() }: { deps: UseCaseDeps; liveSigning?: LiveSigningLimit }): FastifyPluginAsyncZod =>
  async (outer) => {
    const { clock } = deps;
    // The publisher (issuer lookups, responder keys) is derived from the hierarchy once per process.
    let publisher: Publisher | undefined;
    const getPublisher = async () => (publisher ??= await publisherFor(deps));

    /** An unsigned OCSP error (RFC 6960 2.3): HTTP 200 with the OCSP status, never a 5xx. */
    const sendError = (reply: FastifyReply, status: 'malformedRequest' | 'unauthorized' | 'internalError' | 'tryLater') => {
      ocspAnswers.inc({ status });
      return reply
        .header('content-type', OCSP_RESPONSE)
        .header('cache-control', 'no-store')
        .send(asBuffer(ocspErrorResponse(status)));
    };

    /**
     * Over the live-signing cap (live-signing-limit.ts): a single CertID of ours asked with a nonce gets its
     * pre-signed answer without the nonce (RFC 8954 2.1, RFC 5019 2.2); anything else `tryLater` (RFC 6960 2.3).
     */
    async function overCap(p: Publisher, asked: Asked & { kind: 'live' }, reply: FastifyReply) {
      const [only] = asked.request.certIds;
      if (only && asked.request.certIds.length === 1) {
        const serial = serialHexOf(only.serial);
        const now = clock.now().getTime();
        const canonical = Buffer.compare(Buffer.from(only.der), Buffer.from(certIdFor(asked.issuer, serial))) === 0;
        const stored = canonical ? (p.memoryHit(serial, now) ?? (await p.storedResponse(serial, now))) : null;
        if (stored && stored.nextUpdate.getTime() > now && stored.family === asked.issuer.family) {
          ocspAnswers.inc({ status: stored.status });
          return reply.header('content-type', OCSP_RESPONSE).header('cache-control', 'no-store').send(stored.der);
        }
      }
      return sendError(reply, 'tryLater');
    }

    async function answer(asked: Asked, reply: FastifyReply, isGet: boolean, ip: string) {
      if (asked.kind === 'error') return sendError(reply, asked.status);
      try {
        const p = publisher ?? (await getPublisher());
        if (asked.kind === 'single') {
          // RFC 5019: the pre-signed answer from memory or one indexed lookup, no signature; a serial never
          // issued here costs that one lookup and a signature within the live-signing cap (answerSingle).
          const a = await p.answerSingle(asked, () => liveSigning.take(ip));
          if (a.kind === 'tryLater') return sendError(reply, 'tryLater');
          if (a.kind === 'signed') {
            ocspAnswers.inc({ status: 'signed at request' });
            return reply.header('content-type', OCSP_RESPONSE).header('cache-control', 'no-store').send(asBuffer(a.der));
          }
          const { stored } = a;
          ocspAnswers.inc({ status: stored.status });
          if (isGet) {
            // RFC 5019 6.2: let HTTP caches keep the response until shortly before nextUpdate.
            const maxAge = Math.max(0, Math.floor((stored.nextUpdate.getTime() - clock.now().getTime()) / 1000));
            reply.headers({
              'content-type': OCSP_RESPONSE,
              'cache-control': `max-age=${maxAge}, public, no-transform, must-revalidate`,
              'last-modified': stored.lastModified,
              expires: stored.expires,
            });
          } else reply.headers({ 'content-type': OCSP_RESPONSE, 'cache-control': 'no-store' });
          return reply.send(stored.der);
        }
        // A nonce (RFC 8954) or several CertIDs: signed live, within the cap.
        if (!liveSigning.take(ip)) return overCap(p, asked, reply);
        const live = await p.signLive(asked.issuer, asked.request.certIds, asked.request.nonce);
        ocspAnswers.inc({ status: 'signed at request' });
        return reply.header('content-type', OCSP_RESPONSE).header('cache-control', 'no-store').send(asBuffer(live));
      } catch (err) {
        reply.log.error({ err }, 'OCSP responder failed');
        return sendError(reply, 'internalError');
      }
    }

    /**
     * Relying parties' traffic (every TLS client checking a certificate): per-request info logs would be most of
     * the log and cost time on the hot path; warnings and errors (e.g. 'OCSP responder failed') still show.
     */
    const PUBLIC_ROUTE = { schema: { hide: true }, logLevel: 'warn' } as const;

    await outer.register(async (app) => {
      app.addHook('onRequest', (_req, reply, done) => {
        sendCanonicalHeaderNames(reply.raw);
        done();
      });
      // Scoped to this plugin: the raw DER body of an OCSP POST (RFC 6960 A.1).
      app.addContentTypeParser('application/ocsp-request', { parseAs: 'buffer', bodyLimit: 16 * 1024 }, (_req, body, done) =>
        done(null, body),
      );
      app.post('/ocsp', PUBLIC_ROUTE, async (req, reply) => {
        const body = req.body;
        if (!Buffer.isBuffer(body)) return sendError(reply, 'malformedRequest');
        const p = await getPublisher().catch((err: unknown) => void reply.log.error({ err }, 'OCSP responder unavailable'));
        if (!p) return sendError(reply, 'internalError');
        return answer(p.resolveRequest(body), reply, false, req.ip);
      });
      // GET /ocsp/{url-encoding of base-64 encoding of the DER encoding of the OCSPRequest} (RFC 6960 A.1).
      app.get('/ocsp/*', PUBLIC_ROUTE, async (req, reply) => {
        const raw = req.url.slice('/ocsp/'.length);
        const q = raw.indexOf('?');
        const p = publisher ?? (await getPublisher().catch((err: unknown) => void reply.log.error({ err }, 'OCSP responder unavailable')));
        if (!p) return sendError(reply, 'internalError');
        // Remembered only when it is a CertID of ours, by the path's hash, within a byte budget (resolveGetPath).
        return answer(p.resolveGetPath(q < 0 ? raw : raw.slice(0, q)), reply, true, req.ip);
      });

      // CRLs at the URL in the certificates' CRL distribution point (caPublicUrls): the complete CRL
      // <base>/crl/<family>/complete.crl, the shards <base>/crl/<family>/<shard>.crl of older certificates, and
      // the root's CRL <base>/crl/<family>/root.crl (the issuing CA certificate's CRL DP). Every instance serves
      // the bytes stored in the database, with headers read from those bytes (Publisher.crlForHttp).
      app.get<{ Params: { family: string; file: string } }>('/crl/:family/:file', PUBLIC_ROUTE, async (req, reply) => {
        const { family, file } = req.params;
        const m = /^(0|[1-9]\d{0,6})\.crl$/.exec(file);
        const scope = m ? Number(m[1]) : file === 'complete.crl' ? COMPLETE_CRL : file === 'root.crl' ? ROOT_CRL : undefined;
        let crl: ServedCrl | null = null;
        if (scope !== undefined) {
          try {
            crl = await (await getPublisher()).crlForHttp(family, scope);
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
        const left = Math.floor((crl.nextUpdate.getTime() - clock.now().getTime()) / 1000);
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
      });

      // CA certificates at the caIssuers URL (RFC 5280 4.2.2.1) and the hierarchy's root URL, DER.
      app.get<{ Params: { file: string } }>('/ca/:file', PUBLIC_ROUTE, async (req, reply) => {
        const m = /^([a-z0-9-]+?)(-root)?\.cer$/.exec(req.params.file);
        const p = await getPublisher();
        const fam = m ? p.runtime.hierarchy.families[m[1] as KeyAlgorithm] : undefined;
        if (!m || !fam) return reply.status(404).header('content-type', 'text/plain; charset=utf-8').send('没有这个证书');
        return reply
          .header('content-type', 'application/pkix-cert')
          .header('cache-control', 'public, max-age=86400')
          .send(asBuffer(m[2] ? fam.root.certDer : fam.issuing.certDer));
      });
    });
  };
