/** The real transport over fetch: exact body text both ways, lower-case header names, a timeout. */
import { createServer, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fetchTransport, headerOf } from './http.js';

let server: Server;
let base = '';
beforeAll(async () => {
  server = createServer((req, res) => {
    if (req.url === '/slow') return void setTimeout(() => res.end('late'), 2000);
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString('utf8')));
    req.on('end', () => {
      res.writeHead(201, { 'Wechatpay-Serial': 'ABC', 'Content-Type': 'application/json' });
      res.end(JSON.stringify({ method: req.method, url: req.url, auth: req.headers.authorization, body }));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

describe('fetchTransport', () => {
  it('sends the exact body and headers, returns status, lower-case headers and the body text', async () => {
    const body = '{"description":"江西CA数字证书 主锁","amount":{"total":22000}}';
    const res = await fetchTransport()({ method: 'POST', url: `${base}/v3/x?mchid=1`, headers: { authorization: 'WECHATPAY2 x' }, body });
    expect(res.status).toBe(201);
    expect(res.headers['wechatpay-serial']).toBe('ABC');
    expect(JSON.parse(res.body)).toEqual({ method: 'POST', url: '/v3/x?mchid=1', auth: 'WECHATPAY2 x', body });
  });

  it('gives up after its timeout', async () => {
    await expect(fetchTransport(200)({ method: 'GET', url: `${base}/slow`, headers: {}, body: '' })).rejects.toThrow();
  });

  it('headerOf finds a header whatever its case, first of repeated values', () => {
    expect(headerOf({ 'Wechatpay-Nonce': 'n1' }, 'wechatpay-nonce')).toBe('n1');
    expect(headerOf({ 'wechatpay-nonce': ['a', 'b'] }, 'Wechatpay-Nonce')).toBe('a');
    expect(headerOf({}, 'x')).toBeUndefined();
  });
});
