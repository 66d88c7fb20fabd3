/**
 * How the built web app is sent (issue 14): pre-compressed assets with the right Content-Encoding and Vary,
 * hashed assets cached for a year, index.html and SPA routes never cached, a missing asset a 404 (never the
 * HTML page), large JSON compressed, and the CA's publication left byte-for-byte alone. Runs the real app on a
 * small dist made here, as `vite build` lays it out (assets/<name>-<hash>.js with .br and .gz beside it).
 */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { brotliCompressSync, brotliDecompressSync, gunzipSync, gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../app.js';
import { systemClock } from '../clock.js';
import { createStaff } from '../modules/staff/staff-accounts.js';
import { randomIp, TestClient, testConfig, testDb } from '../testing/harness.js';
import { sessionScript, webPreloader } from './web-preload.js';

const INLINE = "document.getElementById('root').className='checked';";
// As vite build writes it: the entry script and the app's stylesheet in the head.
const INDEX = `<!doctype html><html><head><title>江西CA</title><script type="module" crossorigin src="/assets/index-Ab12Cd34.js"></script><link rel="stylesheet" crossorigin href="/assets/index-Ix000001.css"></head><body><div id="root">正在加载…</div><script>${INLINE}</script></body></html>`;
const JS = `console.log(${JSON.stringify('江西CA '.repeat(2000))});`;

/** A build's manifest as Vite writes it: which file holds which source, and what each chunk imports. */
const MANIFEST = {
  'index.html': { file: 'assets/index-Ab12Cd34.js', isEntry: true, imports: ['_runtime.js'] },
  '_runtime.js': { file: 'assets/runtime-Rt000001.js' },
  'PublicSite.tsx': { file: 'assets/PublicSite-Ps000001.js', imports: ['index.html', '_ui.js'] },
  '_ui.js': { file: 'assets/ui-Ui000001.js', css: ['assets/ui-Ui000001.css'] },
  'pages/applicant/Login.tsx': { file: 'assets/Login-Lg000001.js', imports: ['index.html', '_ui.js'] },
  'pages/applicant/Order.tsx': { file: 'assets/Order-Or000001.js', imports: ['_ui.js', '_order.js'] },
  '_order.js': { file: 'assets/order-Od000001.js' },
  'pages/mobile/LegalCheck.tsx': { file: 'assets/LegalCheck-Lc000001.js', imports: ['_phone.js'], css: ['assets/LegalCheck-Lc000001.css'] },
  '_phone.js': { file: 'assets/phone-Ph000001.js' },
  'pages/staff/StaffApp.tsx': { file: 'assets/StaffApp-Sa000001.js', imports: ['_ui.js'] },
  'pages/staff/orders/StaffQueue.tsx': { file: 'assets/StaffQueue-Sq000001.js', imports: ['_ui.js'] },
};

/** antd's CSS per page (scripts/antd-styles.ts): the index by manifest keys, and the fragments it names. */
const ANTD_STYLES = {
  'PublicSite.tsx': '.vite/antd-styles/PublicSite-As000001.html',
  'PublicSite.tsx\npages/applicant/Login.tsx': '.vite/antd-styles/Login-As000002.html',
  'pages/mobile/LegalCheck.tsx': '.vite/antd-styles/LegalCheck-As000003.html',
};
/** A fragment as extractStyle writes it, marked with its file's name; `$&` as CSS may hold it (a replace pattern). */
const antdFragment = (name: string) =>
  `<style data-rc-order="prependQueue" data-rc-priority="0" data-css-hash="empac1">:where(.css-1y106cm).ant-btn{content:"$&"}${'.ant-col-1{flex:1}'.repeat(200)}</style><style data-ant-cssinjs-cache-path="data-ant-cssinjs-cache-path">.data-ant-cssinjs-cache-path{content:"css-1y106cm|Button-Button|ant-btn|anticon:empac1";}</style><!--${name}-->`;

let app: FastifyInstance;
let webDist: string;
let deps: { db: Awaited<ReturnType<typeof testDb>>['db']; clock: typeof systemClock; config: ReturnType<typeof testConfig> };
beforeAll(async () => {
  const dist = (webDist = mkdtempSync(path.join(tmpdir(), 'certdesk-web-')));
  mkdirSync(path.join(dist, 'assets'));
  writeFileSync(path.join(dist, 'index.html'), INDEX);
  const js = path.join(dist, 'assets', 'index-Ab12Cd34.js');
  writeFileSync(js, JS);
  writeFileSync(`${js}.br`, brotliCompressSync(JS));
  writeFileSync(`${js}.gz`, gzipSync(JS));
  mkdirSync(path.join(dist, '.vite'));
  writeFileSync(path.join(dist, '.vite', 'manifest.json'), JSON.stringify(MANIFEST));
  writeFileSync(path.join(dist, '.vite', 'antd-styles.json'), JSON.stringify(ANTD_STYLES));
  mkdirSync(path.join(dist, '.vite', 'antd-styles'));
  for (const file of Object.values(ANTD_STYLES)) writeFileSync(path.join(dist, file), antdFragment(path.basename(file)));
  const handle = await testDb();
  deps = { db: handle.db, clock: systemClock, config: testConfig() };
  app = await buildApp({ ...deps, webDist: dist });
  await app.ready();
});
afterAll(() => app?.close());

const get = (url: string, headers: Record<string, string> = {}) => app.inject({ method: 'GET', url, headers });
/** The body as the browser reads it, after undoing its Content-Encoding. */
function text(res: { headers: Record<string, unknown>; rawPayload: Buffer }): string {
  const enc = res.headers['content-encoding'];
  const raw = enc === 'br' ? brotliDecompressSync(res.rawPayload) : enc === 'gzip' ? gunzipSync(res.rawPayload) : res.rawPayload;
  return raw.toString('utf8');
}

describe('hashed assets', () => {
  it.each([
    { accept: 'gzip, deflate, br', encoding: 'br', decode: (b: Buffer) => brotliDecompressSync(b) },
    { accept: 'gzip, deflate', encoding: 'gzip', decode: (b: Buffer) => gunzipSync(b) },
    { accept: 'identity', encoding: undefined, decode: (b: Buffer) => b },
    { accept: '', encoding: undefined, decode: (b: Buffer) => b },
  ])('Accept-Encoding "$accept" gets $encoding, cached a year, varying on Accept-Encoding', async ({ accept, encoding, decode }) => {
    const res = await get('/assets/index-Ab12Cd34.js', accept ? { 'accept-encoding': accept } : {});
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-encoding']).toBe(encoding);
    expect(res.headers['content-type']).toMatch(/javascript/);
    expect(String(res.headers.vary)).toMatch(/accept-encoding/i);
    expect(res.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    expect(decode(res.rawPayload).toString('utf8')).toBe(JS);
    if (encoding) expect(res.rawPayload.length).toBeLessThan(Buffer.byteLength(JS) / 10);
  });

  it.each(['/assets/index-OldHash1.js', '/assets/index-OldHash1.css', '/assets/nested/x.js?v=1'])(
    'a missing asset %s is a 404, not the HTML page, and is not cached',
    async (url) => {
      const res = await get(url, { accept: '*/*', 'accept-encoding': 'br' });
      expect(res.statusCode).toBe(404);
      expect(res.headers['content-type']).not.toMatch(/html/);
      expect(text(res)).not.toContain('<html');
      expect(res.headers['cache-control']).toBe('no-store');
    },
  );
});

describe('index.html and SPA routes', () => {
  it.each(['/', '/login', '/apply/person', '/staff/queue', '/v/abc123', '/sandbox/pay/x', '/index.html'])(
    '%s is the page, never cached without asking',
    async (url) => {
      const res = await get(url, { accept: 'text/html', 'accept-encoding': 'gzip, br' });
      expect(res.statusCode).toBe(200);
      expect(res.headers['content-type']).toMatch(/text\/html/);
      expect(res.headers['cache-control']).toBe('no-cache');
      expect(text(res)).toContain('正在加载…');
    },
  );

  it('allows the inline old-browser script by its hash, and no other inline script', async () => {
    const res = await get('/login');
    const csp = String(res.headers['content-security-policy']);
    const { createHash } = await import('node:crypto');
    const hash = createHash('sha256').update(INLINE).digest('base64');
    const scriptSrc = csp.split(';').find((d) => d.startsWith('script-src '));
    expect(scriptSrc).toBe(`script-src 'self' 'sha256-${hash}'`);
  });
});

describe("index.html names the page's own chunks (no waterfall)", () => {
  const preloads = (html: string) =>
    [...html.matchAll(/<link rel="(modulepreload|preload)"[^>]*href="\/assets\/([^"]+)"/g)].map((m) => m[2]);

  it.each([
    { url: '/login', names: ['PublicSite-Ps000001.js', 'ui-Ui000001.js', 'Login-Lg000001.js', 'runtime-Rt000001.js', 'ui-Ui000001.css'] },
    {
      url: '/orders/0b8f6d2e-1',
      names: [
        'PublicSite-Ps000001.js',
        'ui-Ui000001.js',
        'Order-Or000001.js',
        'order-Od000001.js',
        'runtime-Rt000001.js',
        'ui-Ui000001.css',
      ],
    },
    { url: '/v/abc123', names: ['LegalCheck-Lc000001.js', 'phone-Ph000001.js', 'LegalCheck-Lc000001.css'] },
    { url: '/staff/queue', names: ['StaffApp-Sa000001.js', 'ui-Ui000001.js', 'StaffQueue-Sq000001.js', 'ui-Ui000001.css'] },
    // A path no page claims: its area's chunks only (the page then loads as it would without the table).
    { url: '/no-such-page', names: ['PublicSite-Ps000001.js', 'runtime-Rt000001.js', 'ui-Ui000001.js', 'ui-Ui000001.css'] },
  ])('$url preloads exactly its area and page', async ({ url, names }) => {
    const res = await get(url, { accept: 'text/html', 'accept-encoding': 'br' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-encoding']).toBe('br');
    const html = text(res);
    expect(preloads(html).sort()).toEqual([...names].sort());
    // The boot chunk is loaded by its own script tag, never named twice; CSS is fetched early but not render-blocking.
    expect(html).not.toMatch(/modulepreload[^>]*index-Ab12Cd34/);
    for (const css of names.filter((n) => n.endsWith('.css')))
      expect(html).toContain(`<link rel="preload" as="style" crossorigin href="/assets/${css}">`);
    expect(html.indexOf('modulepreload')).toBeLessThan(html.indexOf('</head>'));
  });

  const fetches = (html: string) => [...html.matchAll(/<link rel="preload" as="fetch" crossorigin href="([^"]+)">/g)].map((m) => m[1]);
  const ORDER = '0b8f6d2e-1c1f-4c6e-9a53-3a7c5e1d2f40';
  it.each([
    { url: '/v/AbCdEf12_-xyz', data: ['/api/legal-check/AbCdEf12_-xyz'] },
    { url: `/orders/${ORDER}`, data: [`/api/orders/${ORDER}`] },
    // Never the session: it sets a cookie when there is none, which must not race a login.
    { url: '/login', data: [] },
    { url: '/', data: [] },
    // 待办队列: its tabs and, when the address names a queue, that queue's first page (cookie-free GETs).
    { url: '/staff/queue', data: ['/api/staff/queues'] },
    { url: '/staff/queue/submitted', data: ['/api/staff/queues', '/api/staff/orders?status=submitted'] },
    { url: '/staff/queue/nonsense', data: ['/api/staff/queues'] },
    { url: '/staff/orders', data: [] },
    { url: '/sandbox/pay/x', data: [] },
    // An id that is not one is never written into the page.
    { url: `/orders/${encodeURIComponent('"><script>alert(1)</script>')}`, data: [] },
    { url: '/v/%22%3E%3Cimg%20src=x%3E', data: [] },
  ])('$url fetches its first API answers from the HTML: $data', async ({ url, data }) => {
    const html = text(await get(url, { 'accept-encoding': 'br' }));
    expect(fetches(html)).toEqual(data);
    expect(html).not.toMatch(/<script>alert|<img/);
  });

  it('the phone page never names the staff console or the public site', async () => {
    const html = text(await get('/v/abc123', { 'accept-encoding': 'gzip' }));
    expect(html).not.toMatch(/StaffApp|PublicSite|ui-Ui000001/);
  });

  it.each([
    { accept: 'gzip, deflate, br', encoding: 'br' },
    { accept: 'gzip', encoding: 'gzip' },
    { accept: '', encoding: undefined },
  ])('Accept-Encoding "$accept": $encoding, an ETag per encoding, and 304 when it still matches', async ({ accept, encoding }) => {
    const headers: Record<string, string> = accept ? { 'accept-encoding': accept } : {};
    const first = await get('/login', headers);
    expect(first.headers['content-encoding']).toBe(encoding);
    expect(String(first.headers.vary)).toMatch(/accept-encoding/i);
    expect(text(first)).toContain('Login-Lg000001.js');
    const etag = String(first.headers.etag);
    expect(etag).toMatch(/^"[\w-]+"$/);
    const again = await get('/login', { ...headers, 'if-none-match': etag });
    expect(again.statusCode).toBe(304);
    expect(again.rawPayload.length).toBe(0);
    expect(again.headers['cache-control']).toBe('no-cache');
    // Another page's HTML is another representation: the old tag does not match it.
    expect((await get('/v/abc123', { ...headers, 'if-none-match': etag })).statusCode).toBe(200);
  });

  it('the ETags of the three encodings differ (a cache never mixes them up)', async () => {
    const tags = await Promise.all(
      ['br', 'gzip', 'identity'].map(async (e) => String((await get('/login', { 'accept-encoding': e })).headers.etag)),
    );
    expect(new Set(tags).size).toBe(3);
  });
});

describe("index.html carries the page's antd CSS, made at build time", () => {
  it.each([
    { url: '/login', fragment: 'Login-As000002.html' },
    { url: '/v/abc123', fragment: 'LegalCheck-As000003.html' },
    // A path no page claims: its area's.
    { url: '/no-such-page', fragment: 'PublicSite-As000001.html' },
  ])('$url carries $fragment as written, at the end of the body: after what paints first', async ({ url, fragment }) => {
    for (const accept of ['br', 'gzip', '']) {
      const html = text(await get(url, { 'accept-encoding': accept }));
      expect(html).toContain(`${antdFragment(fragment)}</body>`);
      expect(html.match(/data-ant-cssinjs-cache-path="/g)).toHaveLength(1);
      expect(html.indexOf('data-css-hash')).toBeGreaterThan(html.indexOf('正在加载…'));
      expect(html.indexOf('data-css-hash')).toBeGreaterThan(html.indexOf(INLINE));
    }
  });

  it('a page the build wrote none for carries none (antd makes its CSS in the browser, as before)', async () => {
    expect(text(await get('/staff/queue', { 'accept-encoding': 'br' }))).not.toContain('data-css-hash');
  });
});

describe('a page of someone with a live session carries their session answer (one round trip less)', () => {
  /** The session data block of a page's HTML, parsed; undefined when the page carries none. */
  const carried = (html: string, realm: 'org' | 'staff') => {
    const m = html.match(new RegExp(`<script type="application/json" id="cd-session-${realm}">([^<]*)</script>`));
    return m ? (JSON.parse(m[1]!) as Record<string, unknown>) : undefined;
  };
  const page = (c: TestClient, url: string) => c.get(url, { accept: 'text/html', 'accept-encoding': 'br' });

  it("an applicant's page carries exactly what GET /api/session answers, privately, and sets no cookie", async () => {
    const c = new TestClient(app, randomIp());
    expect((await c.register()).res.statusCode).toBe(201);
    for (const url of ['/orders', '/login', '/certificates', '/']) {
      const res = await page(c, url);
      expect(res.headers['cache-control']).toBe('private, no-cache');
      expect(res.headers['set-cookie']).toBeUndefined();
      const session = carried(text(res), 'org');
      expect(session).toEqual((await c.get('/api/session')).json());
      expect(session!.csrfToken).toBe(c.csrf.org);
      expect((session!.organization as { name: string }).name).toBe('测试单位有限公司');
      expect(carried(text(res), 'staff')).toBeUndefined();
    }
  });

  it("a name holding a replacement pattern ($& $' $`) is carried as it is", async () => {
    const c = new TestClient(app, randomIp());
    const name = "测试$&单位$'有限$`公司";
    const reg = await c.register({ name });
    expect(reg.res.statusCode, reg.res.body).toBe(201);
    const html = text(await page(c, '/orders'));
    expect((carried(html, 'org')!.organization as { name: string }).name).toBe(name);
    expect(html.match(/<\/head>/g)).toHaveLength(1);
  });

  it('a visitor without a session gets the shared page: no session made, nothing carried', async () => {
    const res = await get('/orders', { 'accept-encoding': 'br' });
    expect(res.headers['set-cookie']).toBeUndefined();
    expect(res.headers['cache-control']).toBe('no-cache');
    expect(text(res)).not.toContain('cd-session');
  });

  it("a staff page carries the staff session; neither realm's page carries the other's", async () => {
    const s = await createStaff(
      deps,
      { username: `wa${Date.now()}`, displayName: '制证员甲', roles: ['制证'], password: 'Fulfil2026pass' },
      null,
      {
        ip: 'test',
      },
    );
    const c = new TestClient(app, randomIp());
    expect((await c.staffLogin(s.username, 'Fulfil2026pass')).statusCode).toBe(200);
    const staffPage = text(await page(c, '/staff/queue'));
    expect(carried(staffPage, 'staff')).toEqual((await c.get('/api/staff/session')).json());
    expect((carried(staffPage, 'staff')!.staff as { displayName: string }).displayName).toBe('制证员甲');
    // Only a staff cookie: the applicant pages have no applicant session to carry.
    expect(text(await page(c, '/orders'))).not.toContain('cd-session');
    const org = new TestClient(app, randomIp());
    await org.register();
    expect(text(await page(org, '/staff/queue'))).not.toContain('cd-session');
  });

  it('the phone pages carry none, and a logged-out or unknown cookie carries none', async () => {
    const c = new TestClient(app, randomIp());
    await c.register();
    expect(text(await page(c, '/v/abc123'))).not.toContain('cd-session');
    expect(text(await page(c, '/sandbox/pay/x'))).not.toContain('cd-session');
    const before = await page(c, '/orders');
    expect(carried(text(before), 'org')!.organization).not.toBeNull();
    expect((await c.post('/api/logout')).statusCode).toBe(200);
    const after = await page(c, '/orders');
    expect(text(after)).not.toContain('cd-session');
    // Another validator: a browser revalidating its copy with the logged-in tag gets the new page, not a 304.
    expect(after.headers.etag).not.toBe(before.headers.etag);
    const forged = await get('/orders', { cookie: 'cd_org=forged-token', 'accept-encoding': 'br' });
    expect(text(forged)).not.toContain('cd-session');
  });

  it.each(['$&', "$'", '$`', '$$', '$1'])('the page carries a name with %s exactly as typed (no replacement pattern)', (pattern) => {
    const answer = { organization: { name: `江西${pattern}公司` } };
    const html = webPreloader(webDist)!('/orders', 'identity', sessionScript('org', answer)).body.toString('utf8');
    expect(carried(html, 'org')).toEqual(answer);
    expect(html.match(/<\/head>/g)).toHaveLength(1);
  });

  it.each([
    ['a name that tries to close the element', '</script><script>alert(1)</script>'],
    ['an HTML comment opener', '<!--<script>'],
    ['line and paragraph separators', 'A\u2028B\u2029C'],
  ])('the data block cannot be broken out of: %s', (_label, name) => {
    const html = sessionScript('org', { organization: { name } });
    expect(html.match(/<\/script>/g)).toHaveLength(1);
    const inner = html.slice(html.indexOf('>') + 1, -'</script>'.length);
    expect(inner).not.toContain('<');
    expect(JSON.parse(inner)).toEqual({ organization: { name } });
  });
});

describe('API answers', () => {
  it('a large JSON answer is compressed (br, else gzip) and varies on Accept-Encoding', async () => {
    for (const [accept, encoding, decode] of [
      ['br, gzip', 'br', brotliDecompressSync],
      ['gzip', 'gzip', gunzipSync],
    ] as const) {
      const res = await get('/api/openapi.json', { 'accept-encoding': accept });
      expect(res.statusCode).toBe(200);
      expect(res.headers['content-encoding']).toBe(encoding);
      expect(String(res.headers.vary)).toMatch(/accept-encoding/i);
      expect(JSON.parse(decode(res.rawPayload).toString('utf8')).openapi).toMatch(/^3\./);
    }
    const plain = await get('/api/openapi.json');
    expect(plain.headers['content-encoding']).toBeUndefined();
    expect(plain.json().openapi).toMatch(/^3\./);
  });

  it('a tiny JSON answer is sent as it is', async () => {
    // /api/password-rule: a few hundred bytes, under the 1 KB threshold (health has grown past it).
    const res = await get('/api/password-rule', { 'accept-encoding': 'br, gzip' });
    expect(res.rawPayload.length).toBeLessThan(1024);
    expect(res.headers['content-encoding']).toBeUndefined();
    expect(res.json().text).toMatch(/密码/);
  });
});

describe("the CA's publication", () => {
  it('OCSP, CRL and CA certificate answers are never re-encoded', async () => {
    for (const url of ['/ocsp/MAA=', '/crl/sm2/root.crl', '/ca/root.cer']) {
      const plain = await get(url);
      const asked = await get(url, { 'accept-encoding': 'br, gzip' });
      expect(asked.statusCode).toBe(plain.statusCode);
      expect(asked.headers['content-encoding']).toBeUndefined();
      expect(asked.headers.vary).toBe(plain.headers.vary);
      expect(asked.rawPayload.equals(plain.rawPayload)).toBe(true);
    }
  });
});
