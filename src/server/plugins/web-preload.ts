/**
 * index.html with the page's own chunks and first API answers named in it (issue 14).
 *
 * Without this a first visit is a waterfall: the HTML names only the boot chunk; the boot chunk, once run, asks
 * for the area (public site, staff console, phone page); the area, once run, asks for the page. On a phone on
 * Fast 3G every step is another ~0.6 s round trip, and on an old PC another wait for the CPU. The server knows
 * the path, so the HTML it sends names every chunk that page needs (`<link rel="modulepreload">`, and
 * `<link rel="preload" as="style">` for its CSS): the browser fetches them all at once, beside the boot chunk,
 * and compiles them while the boot chunk runs.
 *
 * Which chunk holds which page comes from the build's manifest (dist/web/.vite/manifest.json); which page a path
 * shows is the table below, the server's copy of the routes in main.tsx, PublicSite.tsx and StaffApp.tsx. A path
 * the table does not know gets its area's chunks only — the page then loads as before, one round trip later.
 * The browser test (e2e/web-preload.test.ts) checks that the main pages load no script the HTML did not name.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';
import negotiate from '@fastify/accept-negotiator';
import { ORDER_STATUSES, type OrderStatus } from '../../core/workflow.js';
import type { Realm } from '../modules/sessions/repository.js';

/** Area by path prefix (main.tsx's routes), first match wins. */
const AREAS: [RegExp, string][] = [
  [/^\/staff(?:\/|$)/, 'pages/staff/StaffApp.tsx'],
  [/^\/v\//, 'pages/mobile/LegalCheck.tsx'],
  [/^\/sandbox\/pay\//, 'pages/mobile/SandboxPay.tsx'],
  [/^/, 'PublicSite.tsx'],
];

/**
 * Whose session a path's page asks for first (session.tsx, staffSession.tsx): the staff console the staff
 * realm's, the public site and applicant pages the applicant's; the phone pages none (they work by the token in
 * their path). The HTML of such a page carries that answer (`sessionScript`), saving the round trip the page
 * would otherwise make once its scripts have run.
 */
export function sessionRealmOf(pathname: string): Realm | null {
  if (/^\/staff(?:\/|$)/.test(pathname)) return 'staff';
  if (/^\/(?:v|sandbox)\//.test(pathname)) return null;
  return 'org';
}

/**
 * The session answer as a data block the page's own script reads and removes (web/api.ts takeSessionFromPage).
 * `<` is escaped so no text in it (an organization's name) can close the element; a JSON block is not run, so
 * the script-src policy needs no exception for it.
 */
export function sessionScript(realm: Realm, answer: unknown): string {
  const json = JSON.stringify(answer).replace(/</g, '\\u003c');
  return `<script type="application/json" id="cd-session-${realm}">${json}</script>`;
}

/** Page by path (PublicSite.tsx's and StaffApp.tsx's routes), first match wins. */
const PAGES: [RegExp, string][] = [
  [/^\/$/, 'pages/public/Home.tsx'],
  [/^\/help\/?$/, 'pages/public/Help.tsx'],
  [/^\/offices\/?$/, 'pages/public/Offices.tsx'],
  [/^\/agreement\/?$/, 'pages/public/Agreement.tsx'],
  [/^\/cert-status\/?$/, 'pages/public/CertStatus.tsx'],
  [/^\/downloads\/?$/, 'pages/public/Downloads.tsx'],
  [/^\/register\/?$/, 'pages/applicant/Register.tsx'],
  [/^\/login\/?$/, 'pages/applicant/Login.tsx'],
  [/^\/forgot-password\/?$/, 'pages/applicant/ForgotPassword.tsx'],
  [/^\/account\/?$/, 'pages/applicant/Account.tsx'],
  [/^\/apply(?:\/|$)/, 'pages/applicant/Apply.tsx'],
  [/^\/orders\/?$/, 'pages/applicant/Orders.tsx'],
  [/^\/orders\/[^/]+\/pay\/?$/, 'pages/applicant/Pay.tsx'],
  [/^\/orders\/[^/]+\/seal-try\/?$/, 'pages/applicant/SealTry.tsx'],
  [/^\/orders\/[^/]+\/?$/, 'pages/applicant/Order.tsx'],
  [/^\/certificates\/?$/, 'pages/applicant/MyCertificates.tsx'],
  [/^\/certificates\/ukey-unlock\/?$/, 'pages/applicant/UkeyUnlock.tsx'],
  [/^\/certificates\/[^/]+\/renew\/?$/, 'pages/applicant/renewal/Renew.tsx'],
  [/^\/dev\/inbox\/?$/, 'pages/dev/DevInbox.tsx'],
  [/^\/staff\/login\/?$/, 'pages/staff/StaffLogin.tsx'],
  [/^\/staff\/?$/, 'pages/staff/StaffDashboard.tsx'],
  [/^\/staff\/(?:queue|orders\/?$)/, 'pages/staff/orders/StaffQueue.tsx'],
  [/^\/staff\/orders\/[^/]+/, 'pages/staff/orders/StaffOrder.tsx'],
  [/^\/staff\/counter(?:\/|$)/, 'pages/staff/counter/StaffCounter.tsx'],
  [/^\/staff\/invoices(?:\/|$)/, 'pages/staff/orders/StaffInvoices.tsx'],
  [/^\/staff\/payments(?:\/|$)/, 'pages/staff/StaffPayments.tsx'],
  [/^\/staff\/certificates(?:\/|$)/, 'pages/staff/StaffCertificates.tsx'],
  [/^\/staff\/revocations(?:\/|$)/, 'pages/staff/StaffRevocations.tsx'],
  [/^\/staff\/organizations(?:\/|$)/, 'pages/staff/StaffOrganizations.tsx'],
  [/^\/staff\/settings(?:\/|$)/, 'pages/staff/StaffSettings.tsx'],
  [/^\/staff\/accounts(?:\/|$)/, 'pages/staff/StaffAccounts.tsx'],
  [/^\/staff\/catalog(?:\/|$)/, 'pages/staff/StaffCatalog.tsx'],
  [/^\/staff\/audit(?:\/|$)/, 'pages/staff/StaffAudit.tsx'],
  [/^\/staff\/key-recovery(?:\/|$)/, 'pages/staff/StaffKeyRecovery.tsx'],
];

/**
 * The API answers a page asks for first, by path: fetched from the HTML (`<link rel="preload" as="fetch">`,
 * which Chromium hands to the app's own fetch of the same URL), so they arrive while the scripts load instead
 * of a round trip after they have run. `fixed` entries name the same URLs for every path they match, so their
 * HTML is made once; the others carry an id from the path (strictly matched: it is written into the HTML).
 * Only GETs the app makes anyway that never set a cookie, with the same cookies: a visitor without a session
 * gets the same 401 the app would get. Never /api/session: it makes a session when there is none, and a
 * preloaded answer arriving after a login would put the anonymous cookie back over the logged-in one.
 */
const DATA: { re: RegExp; urls: (m: RegExpMatchArray) => string[]; fixed?: true }[] = [
  { re: /^\/v\/([\w-]{8,128})(?:\/|$)/, urls: (m) => [`/api/legal-check/${m[1]}`] },
  { re: /^\/orders\/([0-9a-f-]{36})\/?$/, urls: (m) => [`/api/orders/${m[1]}`] },
  // 待办队列: the queues (tabs and counts) and, when the path names one, that queue's first page — as
  // StaffQueue.tsx asks for them (status only, no search), else the preload would go unused.
  {
    re: /^\/staff\/queue(?:\/([a-z_]+))?\/?$/,
    urls: (m) => [
      '/api/staff/queues',
      ...(m[1] && ORDER_STATUSES.includes(m[1] as OrderStatus) ? [`/api/staff/orders?status=${m[1]}`] : []),
    ],
  },
  { re: /^\//, urls: () => [], fixed: true },
];

/** Every page module the tables name (the drift test compares it with the lazy pages of the route files). */
export const PRELOADED_PAGES: readonly string[] = [...AREAS, ...PAGES].map(([, m]) => m);

interface ManifestChunk {
  file: string;
  imports?: string[];
  css?: string[];
}
type Manifest = Record<string, ManifestChunk>;

/** One encoded form of one page variant, with its validator. */
export interface HtmlBody {
  body: Buffer;
  encoding: 'br' | 'gzip' | undefined;
  etag: string;
}

interface Variant {
  identity: Buffer;
  tag: string;
  /** Compressed on first use, each encoding only when a browser asks for it. */
  br?: Buffer;
  gzip?: Buffer;
  quality: { br: number; gzip: number };
}

/**
 * antd's CSS for a page, made at build time (scripts/antd-styles.ts writes a fragment of <style> elements per
 * page and names it in .vite/antd-styles.json by the same keys as pageModules): antd then takes its CSS from
 * these elements instead of making it in the browser on every load. Empty when the build wrote none for the
 * page (antd makes its CSS as before).
 */
function antdStyles(webDist: string): (keys: string[]) => string {
  const indexFile = path.join(webDist, '.vite', 'antd-styles.json');
  const index = existsSync(indexFile) ? (JSON.parse(readFileSync(indexFile, 'utf8')) as Record<string, string>) : {};
  const read = new Map<string, string>();
  return (keys) => {
    const file = index[keys.join('\n')];
    if (!file) return '';
    let html = read.get(file);
    if (html === undefined) read.set(file, (html = readFileSync(path.join(webDist, file), 'utf8')));
    return html;
  };
}

/**
 * The HTML with antd's <style> elements at the end of its body: after the 正在加载… the page paints first (in the
 * head they would hold that paint up while they download), before the app's scripts, which run once the page is
 * parsed. antd's style library moves them into the head when it starts, first, where it would have inserted them
 * itself: the app's own stylesheet after them still wins a tie.
 */
function withAntdStyles(html: string, styles: string): string {
  return styles ? html.replace('</body>', () => `${styles}</body>`) : html;
}

/** The manifest keys a path needs: its area and, when the table knows it, its page. */
export function pageModules(pathname: string): string[] {
  const area = AREAS.find(([re]) => re.test(pathname))![1];
  const page = PAGES.find(([re]) => re.test(pathname))?.[1];
  return page ? [area, page] : [area];
}

/**
 * The built index.html for any SPA path, with that path's chunks and first API answers named in its head.
 * Variants that do not depend on an id in the path (a few dozen at most, bounded by the tables above) are built
 * and compressed once, on first use; the others (a 法人核验 token, an order id) are compressed per request at a
 * fast setting (~10 ms for a page with antd's CSS), as are those carrying a session (`session`, from
 * sessionScript); each only in the encoding a browser asks for. Returns null when there is no build, or no manifest (index.html is sent as it is).
 */
export function webPreloader(webDist: string): ((pathname: string, acceptEncoding: string, session?: string) => HtmlBody) | null {
  const indexFile = path.join(webDist, 'index.html');
  const manifestFile = path.join(webDist, '.vite', 'manifest.json');
  if (!existsSync(indexFile) || !existsSync(manifestFile)) return null;
  const html = readFileSync(indexFile, 'utf8');
  const manifest = JSON.parse(readFileSync(manifestFile, 'utf8')) as Manifest;
  const stylesOf = antdStyles(webDist);
  // What the HTML already loads (the boot chunk and what Vite put in the head) is not named twice.
  const named = new Set([...html.matchAll(/\b(?:src|href)="\/(assets\/[^"]+)"/g)].map((m) => m[1]!));
  const fixedVariants = new Map<string, Variant>();

  const chunkLinks = (keys: string[]) => {
    const js: string[] = [];
    const css: string[] = [];
    const seen = new Set<string>();
    const visit = (key: string) => {
      const chunk = manifest[key];
      if (!chunk || seen.has(key)) return;
      seen.add(key);
      if (!named.has(chunk.file) && !js.includes(chunk.file)) js.push(chunk.file);
      for (const c of chunk.css ?? []) if (!named.has(c) && !css.includes(c)) css.push(c);
      for (const i of chunk.imports ?? []) visit(i);
    };
    for (const k of keys) visit(k);
    // crossorigin as on Vite's own tags: a preload is used only when its credentials mode matches the import's.
    return [
      ...js.map((f) => `<link rel="modulepreload" crossorigin href="/${f}">`),
      ...css.map((f) => `<link rel="preload" as="style" crossorigin href="/${f}">`),
    ].join('');
  };

  const make = (keys: string[], data: string[], quality: { br: number; gzip: number }, session = ''): Variant => {
    const links = chunkLinks(keys) + data.map((u) => `<link rel="preload" as="fetch" crossorigin href="${u}">`).join('') + session;
    // A function, not a string, as the replacement: `$&` or `$'` in an organization's name (the session) or in
    // CSS would otherwise be read as a pattern.
    const identity = Buffer.from(
      withAntdStyles(html, stylesOf(keys)).replace('</head>', () => `${links}</head>`),
      'utf8',
    );
    return { identity, quality, tag: createHash('sha256').update(identity).digest('base64url').slice(0, 27) };
  };

  const variant = (pathname: string, session: string): Variant => {
    const keys = pageModules(pathname);
    for (const d of DATA) {
      const m = pathname.match(d.re);
      if (!m) continue;
      if (!d.fixed || session) return make(keys, d.urls(m), { br: 5, gzip: 6 }, session);
      const id = `${keys.join('\n')}\n${d.re.source}`;
      let v = fixedVariants.get(id);
      // Not brotli's 11: on a page with antd's CSS (up to ~0.5 MB) it holds the server's one thread most of a
      // second; 9 takes ~25 ms for ~10% more bytes.
      if (!v) fixedVariants.set(id, (v = make(keys, d.urls(m), { br: 9, gzip: 9 })));
      return v;
    }
    return make(keys, [], { br: 5, gzip: 6 }); // unreachable: the last entry matches every path
  };

  return (pathname, acceptEncoding, session = '') => {
    const v = variant(pathname, session);
    // The negotiator @fastify/static uses for the assets: the page and its scripts pick an encoding alike.
    const encoding = acceptEncoding ? negotiate(acceptEncoding, ['br', 'gzip']) : null;
    if (encoding === 'br') {
      v.br ??= brotliCompressSync(v.identity, { params: { [constants.BROTLI_PARAM_QUALITY]: v.quality.br } });
      return { body: v.br, encoding: 'br', etag: `"${v.tag}-br"` };
    }
    if (encoding === 'gzip') {
      v.gzip ??= gzipSync(v.identity, { level: v.quality.gzip });
      return { body: v.gzip, encoding: 'gzip', etag: `"${v.tag}-gz"` };
    }
    return { body: v.identity, encoding: undefined, etag: `"${v.tag}"` };
  };
}
