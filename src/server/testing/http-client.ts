/**
 * The harness's TestClient over real HTTP: the same cookie jar, CSRF handling and helpers (register, login,
 * uploadScan, paidOrder, …), but every request goes through a socket to `base` — an app process or the load
 * balancer in front of several. The client's address travels in X-Forwarded-For, which the app believes only
 * from the proxies it trusts (CERTDESK_TRUST_PROXY), so each test client keeps an address of its own for the
 * per-address limits.
 */
import http from 'node:http';
import type { FastifyInstance, InjectOptions, LightMyRequestResponse } from 'fastify';
import { randomIp, TestClient } from './harness.js';

type Cookie = { name: string; value: string; maxAge?: number; expires?: Date };

function parseSetCookie(line: string): Cookie {
  const [pair, ...attrs] = line.split(';');
  const eq = pair!.indexOf('=');
  const cookie: Cookie = { name: pair!.slice(0, eq).trim(), value: decodeURIComponent(pair!.slice(eq + 1).trim()) };
  for (const a of attrs) {
    const [k, v = ''] = a.split('=');
    const key = k!.trim().toLowerCase();
    if (key === 'max-age') cookie.maxAge = Number(v);
    if (key === 'expires') cookie.expires = new Date(v);
  }
  return cookie;
}

/** One HTTP request; the answer shaped as fastify.inject's, which is what the test helpers read. */
export function httpRequest(base: string, opts: InjectOptions & { url: string }): Promise<LightMyRequestResponse> {
  const target = new URL(opts.url, base);
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(opts.headers ?? {})) if (v !== undefined) headers[k.toLowerCase()] = String(v);
  let body: Buffer | undefined;
  const p = opts.payload as unknown;
  if (Buffer.isBuffer(p)) body = p;
  else if (typeof p === 'string') body = Buffer.from(p);
  else if (p !== undefined && p !== null) {
    body = Buffer.from(JSON.stringify(p));
    headers['content-type'] ??= 'application/json';
  }
  if (body) headers['content-length'] = String(body.length);
  if (opts.remoteAddress) headers['x-forwarded-for'] = opts.remoteAddress;
  return new Promise((resolve, reject) => {
    const req = http.request(
      { host: target.hostname, port: target.port, method: opts.method ?? 'GET', path: target.pathname + target.search, headers },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('error', reject);
        res.on('end', () => {
          const raw = Buffer.concat(chunks);
          const setCookie = res.headers['set-cookie'] ?? [];
          resolve({
            statusCode: res.statusCode!,
            statusMessage: res.statusMessage ?? '',
            headers: res.headers,
            rawPayload: raw,
            payload: raw.toString('utf8'),
            body: raw.toString('utf8'),
            json: () => JSON.parse(raw.toString('utf8')) as unknown,
            stream: () => {
              throw new Error('not kept');
            },
            cookies: setCookie.map(parseSetCookie),
            trailers: {},
            raw: { res, req },
          } as unknown as LightMyRequestResponse);
        });
      },
    );
    req.on('error', reject);
    req.setTimeout(120_000, () => req.destroy(new Error(`no answer from ${target.href} in 120 s`)));
    req.end(body);
  });
}

export class HttpTestClient extends TestClient {
  constructor(
    readonly base: string,
    ip = randomIp(),
  ) {
    // No app in this process: send() below replaces fastify.inject.
    super(undefined as unknown as FastifyInstance, ip);
  }

  protected override send(opts: InjectOptions & { url: string }): Promise<LightMyRequestResponse> {
    return httpRequest(this.base, opts);
  }

  /** The same browser (cookies, CSRF tokens, address) talking to another address: an instance directly. */
  at(base: string): HttpTestClient {
    const c = new HttpTestClient(base, this.ip);
    c.cookies = this.cookies;
    c.csrf = this.csrf;
    return c;
  }
}
