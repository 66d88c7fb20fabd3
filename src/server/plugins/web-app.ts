/**
 * Serving the built single-page app (dist/web) and compressing the web app's answers.
 *
 * - Hashed files under /assets/ never change under one name: a browser keeps them a year without asking again.
 * - index.html (and so every SPA route, which answers with it) is `no-cache`: after a release the next visit
 *   asks, and gets the page that names the new assets. A name under /assets/ that no longer exists is a 404:
 *   answering it with the HTML page would hand a script tag an HTML body (a white page).
 * - The build writes .br and .gz next to each file (vite-plugin-compression2); @fastify/static's preCompressed
 *   picks the one the browser accepts and sets Content-Encoding and Vary. Everything else of the web app that is
 *   large and compressible (JSON lists, the API document) is compressed on the fly by @fastify/compress.
 *
 * Registered inside the web app's context only: the CA's publication (/ocsp, /crl, /ca) is a sibling context and
 * keeps its exact bytes and headers.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import fastifyCompress from '@fastify/compress';
import fastifyStatic from '@fastify/static';
import { AppError } from '../../core/errors.js';
import type { Realm } from '../modules/sessions/repository.js';
import { sessionRealmOf, sessionScript, webPreloader } from './web-preload.js';

/** The session answer of a realm for this request's cookie, or null when it has no live session (never makes one). */
export type PageSession = (req: FastifyRequest, realm: Realm) => Promise<unknown>;

export const IMMUTABLE = 'public, max-age=31536000, immutable';
export const REVALIDATE = 'no-cache';
/** Answers smaller than this are sent as they are: compressing them saves less than it costs. */
export const COMPRESS_THRESHOLD = 1024;
/**
 * What is worth compressing on the fly: text, JSON, JavaScript, SVG and XML. Not event streams (they must
 * flow), not octet-stream, PDFs, images or archives (already compressed, or binary downloads).
 */
const COMPRESSIBLE =
  /^text\/(?!event-stream)|^application\/(?:[\w.-]+\+)?json(?:;|$)|^application\/javascript|^image\/svg\+xml|^application\/(?:[\w.-]+\+)?xml(?:;|$)/;

/**
 * The CSP 'sha256-…' sources of the inline scripts of the built index.html (the old-browser notice). The
 * policy otherwise allows only the app's own script files; the hash allows exactly that script and nothing
 * injected next to it.
 */
export function inlineScriptHashes(webDist: string): string[] {
  const file = path.join(webDist, 'index.html');
  if (!existsSync(file)) return [];
  const html = readFileSync(file, 'utf8');
  const hashes: string[] = [];
  for (const m of html.matchAll(/<script(?![^>]*\bsrc=)[^>]*>([\s\S]*?)<\/script>/g)) {
    const body = m[1] ?? '';
    if (body.trim() === '') continue;
    hashes.push(`'sha256-${createHash('sha256').update(body, 'utf8').digest('base64')}'`);
  }
  return hashes;
}

export async function registerCompression(app: FastifyInstance): Promise<void> {
  await app.register(fastifyCompress, {
    global: true,
    encodings: ['br', 'gzip'],
    threshold: COMPRESS_THRESHOLD,
    customTypes: COMPRESSIBLE,
  });
}

/** The built single-page app; every other GET path outside /api/ and /assets/ gets index.html so deep links work. */
export async function registerWebApp(app: FastifyInstance, webDist: string, pageSession?: PageSession): Promise<void> {
  const built = existsSync(path.join(webDist, 'index.html'));
  if (built)
    await app.register(fastifyStatic, {
      root: webDist,
      wildcard: false,
      index: false,
      preCompressed: true,
      // Cache-Control is set per file below; @fastify/send's own (max-age=0 or maxAge) would override it.
      cacheControl: false,
      setHeaders: (res: FastifyReply, file: string) => {
        const rel = path.relative(webDist, file).split(path.sep);
        res.header('cache-control', rel[0] === 'assets' ? IMMUTABLE : REVALIDATE);
      },
    });
  const page = built ? webPreloader(webDist) : null;
  app.setNotFoundHandler(async (req, reply) => {
    const pathname = req.url.split('?')[0] ?? '';
    if (pathname.startsWith('/api/') || req.method !== 'GET') {
      return reply.status(404).send(new AppError('NOT_FOUND', '找不到请求的内容').toBody());
    }
    if (pathname.startsWith('/assets/')) {
      // An asset of an older (or newer) release: never the HTML page in its place, and never cached.
      reply.header('cache-control', 'no-store');
      return reply.status(404).type('text/plain; charset=utf-8').send('找不到该文件（网站可能已更新，请刷新页面）');
    }
    if (!built) return reply.type('text/plain; charset=utf-8').send('网页尚未构建：请运行 npm run build:web');
    if (!page) return reply.sendFile('index.html');
    // The page with its own chunks named in it (web-preload.ts), already compressed; revalidated by its ETag.
    // A visitor with a live session gets its answer in the page too: one round trip less before a logged-in page
    // shows. Such a page is theirs alone (`private`); its ETag still changes with its content.
    const realm = pageSession ? sessionRealmOf(pathname) : null;
    const answer = realm ? await pageSession!(req, realm) : null;
    const html = page(pathname, String(req.headers['accept-encoding'] ?? ''), answer ? sessionScript(realm!, answer) : '');
    reply
      .header('cache-control', answer ? `private, ${REVALIDATE}` : REVALIDATE)
      .header('vary', 'accept-encoding')
      .header('etag', html.etag);
    if (req.headers['if-none-match'] === html.etag) return reply.status(304).send();
    if (html.encoding) reply.header('content-encoding', html.encoding);
    return reply.type('text/html; charset=utf-8').send(html.body);
  });
}
