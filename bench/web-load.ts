/**
 * How fast the web app becomes usable on an old office PC and a phone (issue 14): Debian's Chromium driven by
 * playwright-core, CPU slowed 4× and the network at DevTools' "Fast 3G" (562.5 ms RTT, 1.44 Mbit/s down,
 * 675 kbit/s up) through the DevTools protocol, 390 px wide. For /login, the order form (/orders/<id>), the
 * staff queue (/staff/queue) and the phone's 法人核验 page (/v/<token>): a cold load (fresh browser context,
 * empty cache) and then a warm one (same context, navigated to again); N runs each, medians.
 *
 * "Usable" is the time from the navigation's start until the page's first control a person acts on is on
 * screen (the 登录 button, the order form's unit field, the queue's list, the organisation's name on 法人核验).
 * Transferred bytes are what went over the wire (Network.loadingFinished's encodedDataLength): JavaScript and
 * everything.
 *
 * Before and after in the same run: BENCH_BEFORE names a checkout of the old code with its own build
 * (`git archive <commit> | tar -x -C DIR`, node_modules linked, `npx vite build` there); its app (its own
 * src/server/app.ts, its dist/web) is served on a second port over the same database.
 *
 *   npm run build:web && BENCH_BEFORE=/tmp/web-before npx tsx bench/web-load.ts
 *
 * Environment: BENCH_RUNS (default 5), BENCH_BEFORE (optional), CHROMIUM_PATH (default /usr/bin/chromium).
 */
import path from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import type { FastifyInstance } from 'fastify';
import { buildApp, WEB_DIST } from '../src/server/app.js';
import { systemClock } from '../src/server/clock.js';
import { DEMO_STAFF_PASSWORD, seedDemoData } from '../src/server/demo-data.js';
import { CAPTCHA, newMobile, newUscc, testConfig, testDb } from '../src/server/testing/harness.js';

const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const BEFORE = process.env.BENCH_BEFORE;
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const PHONE = { width: 390, height: 844 };
// DevTools' "Fast 3G" preset (Lighthouse's mobile throttling uses the same figures).
const FAST_3G = { offline: false, latency: 562.5, downloadThroughput: (1.44 * 1024 * 1024) / 8, uploadThroughput: (675 * 1024) / 8 };
const CPU_SLOWDOWN = 4;
// BENCH_TRACE=1: print each request's start and end (ms after the navigation) — where the waterfall waits.
const TRACE = process.env.BENCH_TRACE === '1';
// BENCH_PROFILE=1: a CPU profile of each load until usable (V8's sampler through CDP, under the same throttling),
// printed as self time per script and the heaviest functions — where the CPU between the bytes goes.
const PROFILE = process.env.BENCH_PROFILE === '1';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}

/** Self time per script file and per function, from a CDP Profiler.Profile (sampled). */
function printProfile(name: string, profile: { nodes: ProfileNode[]; samples?: number[]; timeDeltas?: number[] }) {
  const byNode = new Map<number, number>();
  const samples = profile.samples ?? [];
  const deltas = profile.timeDeltas ?? [];
  for (let i = 0; i < samples.length; i += 1) byNode.set(samples[i]!, (byNode.get(samples[i]!) ?? 0) + (deltas[i] ?? 0) / 1000);
  const byFile = new Map<string, number>();
  const byFn = new Map<string, number>();
  for (const n of profile.nodes) {
    const ms = byNode.get(n.id) ?? 0;
    if (!ms) continue;
    const file = n.callFrame.url
      ? new URL(n.callFrame.url).pathname.replace(/-[\w-]{8}\.js$/, '.js')
      : `(${n.callFrame.functionName || 'native'})`;
    byFile.set(file, (byFile.get(file) ?? 0) + ms);
    const fn = `${n.callFrame.functionName || '(anonymous)'} ${file}:${n.callFrame.lineNumber}`;
    byFn.set(fn, (byFn.get(fn) ?? 0) + ms);
  }
  const top = (m: Map<string, number>, k: number) =>
    [...m]
      .sort((a, b) => b[1] - a[1])
      .slice(0, k)
      .map(([key, ms]) => `      ${ms.toFixed(0).padStart(6)} ms  ${key}`)
      .join('\n');
  console.error(`  ${name}: CPU self time by script\n${top(byFile, 12)}\n    by function\n${top(byFn, 15)}`);
}

interface Target {
  name: string;
  url: string;
  /** The first thing a person acts on; the page is usable once it is visible. */
  ready: (page: Page) => Promise<void>;
  /** The goals of issue 14: JS KB transferred (compressed), usable cold s, usable warm s. */
  goal?: { jsKB: number; cold: number; warm: number };
}

interface Sample {
  ms: number;
  /** First contentful paint (the index.html's 正在加载… on a first load), ms after the navigation's start. */
  paint: number;
  jsBytes: number;
  allBytes: number;
  requests: number;
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
};

async function serve(buildAppFn: typeof buildApp, webDist: string, db: Awaited<ReturnType<typeof testDb>>['db']) {
  const app: FastifyInstance = await buildAppFn({ config: testConfig(), db, clock: systemClock, webDist });
  await app.listen({ port: 0, host: '127.0.0.1' });
  return { app, base: `http://127.0.0.1:${(app.server.address() as { port: number }).port}` };
}

/** An applicant with an order (its form and 法人核验 link), and a staff member: logged in, as cookies. */
async function setUp(browser: Browser, base: string) {
  const context = await browser.newContext({ baseURL: base });
  const r = context.request;
  // Each realm (applicant, staff) has its own session and so its own CSRF token.
  const csrf = async (url: string) =>
    ((await (await r.get(url.startsWith('/api/staff/') ? '/api/staff/session' : '/api/session')).json()) as { csrfToken: string })
      .csrfToken;
  const post = async (url: string, data: unknown) => {
    const res = await r.post(url, { data, headers: { 'x-csrf-token': await csrf(url) } });
    if (res.status() >= 300) throw new Error(`${url}: ${res.status()} ${await res.text()}`);
    return res.json();
  };
  const captcha = async () => ((await (await r.get('/api/captcha')).json()) as { captchaId: string }).captchaId;
  const password = 'Bench2026web';
  await post('/api/register', {
    name: '江西网页测速有限公司',
    uscc: newUscc(),
    mobile: newMobile(),
    password,
    passwordConfirm: password,
    agree: true,
    captchaId: await captcha(),
    captchaAnswer: CAPTCHA,
  });
  const created = (await post('/api/orders', { projectCode: 'gov-procurement', keyType: 'main', agree: true })) as {
    order: { id: string };
    legalCheck: { url: string };
  };
  await post('/api/staff/login', { username: 'yushen', password: DEMO_STAFF_PASSWORD, captchaId: await captcha(), captchaAnswer: CAPTCHA });
  const storage = await context.storageState();
  await context.close();
  return { storage, orderId: created.order.id, legalCheckPath: new URL(created.legalCheck.url).pathname };
}

/** One navigation under throttling: time to usable and bytes over the wire. */
async function load(context: BrowserContext, page: Page, url: string, target: Target): Promise<Sample> {
  const cdp = await context.newCDPSession(page);
  await cdp.send('Network.enable');
  await cdp.send('Network.emulateNetworkConditions', FAST_3G);
  await cdp.send('Emulation.setCPUThrottlingRate', { rate: CPU_SLOWDOWN });
  const types = new Map<string, string>();
  let jsBytes = 0;
  let allBytes = 0;
  let requests = 0;
  const trace = new Map<string, { url: string; start: number; end?: number; fromCache?: boolean }>();
  cdp.on('Network.requestWillBeSent', (e) => trace.set(e.requestId, { url: e.request.url, start: e.timestamp }));
  cdp.on('Network.requestServedFromCache', (e) => {
    const t = trace.get(e.requestId);
    if (t) t.fromCache = true;
  });
  cdp.on('Network.responseReceived', (e) => {
    types.set(e.requestId, e.type);
    const t = trace.get(e.requestId);
    if (t && e.response.fromDiskCache) t.fromCache = true;
  });
  cdp.on('Network.loadingFinished', (e) => {
    const t = trace.get(e.requestId);
    if (t) t.end = e.timestamp;
    requests += 1;
    allBytes += e.encodedDataLength;
    if (types.get(e.requestId) === 'Script') jsBytes += e.encodedDataLength;
  });
  if (PROFILE) {
    await cdp.send('Profiler.enable');
    await cdp.send('Profiler.setSamplingInterval', { interval: 200 });
    await cdp.send('Profiler.start');
  }
  const started = performance.now();
  await page.goto(url, { waitUntil: 'commit' });
  await target.ready(page);
  const ms = performance.now() - started;
  if (PROFILE) printProfile(`${target.name} (${ms.toFixed(0)} ms)`, (await cdp.send('Profiler.stop')).profile as never);
  if (TRACE) {
    const rows = [...trace.values()].sort((a, b) => a.start - b.start);
    const t0 = rows[0]?.start ?? 0;
    console.error(`  ${target.name}: usable at ${ms.toFixed(0)} ms`);
    for (const r of rows)
      console.error(
        `    ${((r.start - t0) * 1000).toFixed(0).padStart(6)} → ${r.end === undefined ? '     …' : ((r.end - t0) * 1000).toFixed(0).padStart(6)} ms ${r.fromCache ? '(cache) ' : ''}${new URL(r.url).pathname}`,
      );
  }
  // Let late chunks (preloads, lazy pieces) land so their bytes count.
  await page.waitForLoadState('networkidle');
  await cdp.detach();
  const paint = await page.evaluate(() => performance.getEntriesByName('first-contentful-paint')[0]?.startTime ?? NaN);
  return { ms, paint, jsBytes, allBytes, requests };
}

async function main() {
  const handle = await testDb();
  await seedDemoData(handle.db, new Date());
  const servers: { label: string; base: string; app: FastifyInstance }[] = [];
  if (BEFORE) {
    const old = (await import(path.resolve(BEFORE, 'src/server/app.ts'))) as { buildApp: typeof buildApp };
    servers.push({ label: 'before', ...(await serve(old.buildApp, path.resolve(BEFORE, 'dist/web'), handle.db)) });
  }
  servers.push({ label: 'after', ...(await serve(buildApp, WEB_DIST, handle.db)) });

  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking'],
  });
  try {
    // Same database, same secret: one set of cookies works on both servers (cookies ignore the port).
    const data = await setUp(browser, servers[servers.length - 1]!.base);
    const targets: Target[] = [
      {
        name: '/login',
        url: '/login',
        ready: (p) =>
          p
            .getByRole('button', { name: /^登\s*录$/ })
            .first()
            .waitFor({ timeout: 120_000 }),
        goal: { jsKB: 250, cold: 4, warm: 1.5 },
      },
      {
        name: 'order form',
        url: `/orders/${data.orderId}`,
        ready: (p) => p.getByTestId('field-unit.address').first().waitFor({ timeout: 120_000 }),
        goal: { jsKB: 350, cold: 5, warm: 1.5 },
      },
      {
        name: 'staff queue',
        url: '/staff/queue',
        ready: (p) =>
          p.locator('[data-testid="queue-cards"], [data-testid="queue-table"], .ant-empty').first().waitFor({ timeout: 120_000 }),
      },
      {
        name: '/v/<token>',
        url: data.legalCheckPath,
        ready: (p) => p.getByTestId('org-name').waitFor({ timeout: 120_000 }),
        goal: { jsKB: 150, cold: 3, warm: 1 },
      },
    ];
    const results = new Map<string, { cold: Sample[]; warm: Sample[] }>();
    for (let run = 1; run <= RUNS; run += 1) {
      // Before and after take turns, so a busy moment of the machine falls on both alike.
      for (const t of targets)
        for (const s of servers) {
          const context = await browser.newContext({ viewport: PHONE, locale: 'zh-CN', storageState: data.storage, baseURL: s.base });
          const page = await context.newPage();
          const cold = await load(context, page, t.url, t);
          const warm = await load(context, page, t.url, t);
          await context.close();
          const key = `${s.label}\t${t.name}`;
          const r = results.get(key) ?? { cold: [], warm: [] };
          r.cold.push(cold);
          r.warm.push(warm);
          results.set(key, r);
          console.error(`run ${run} ${s.label} ${t.name}: cold ${(cold.ms / 1000).toFixed(2)} s, warm ${(warm.ms / 1000).toFixed(2)} s`);
        }
    }

    const kb = (b: number) => (b / 1024).toFixed(0);
    const sec = (ms: number) => (ms / 1000).toFixed(2);
    console.log(`\nweb-load: ${RUNS} runs, medians; Chromium ${browser.version()}, CPU ${CPU_SLOWDOWN}×, Fast 3G, 390 px`);
    console.log(
      '| page | build | JS KB (cold) | all KB (cold) | requests (cold) | first paint cold s | usable cold s | all KB (warm) | usable warm s | goal (JS KB / cold s / warm s) |',
    );
    console.log('|---|---|---|---|---|---|---|---|---|---|');
    for (const t of targets)
      for (const s of servers) {
        const r = results.get(`${s.label}\t${t.name}`)!;
        const m = (xs: Sample[], f: (x: Sample) => number) => median(xs.map(f));
        const g = t.goal;
        const met =
          g && s.label === 'after'
            ? `${g.jsKB} / ${g.cold} / ${g.warm}: ${m(r.cold, (x) => x.jsBytes) / 1024 <= g.jsKB && m(r.cold, (x) => x.ms) / 1000 <= g.cold && m(r.warm, (x) => x.ms) / 1000 <= g.warm ? 'met' : 'NOT met'}`
            : '';
        console.log(
          `| ${t.name} | ${s.label} | ${kb(m(r.cold, (x) => x.jsBytes))} | ${kb(m(r.cold, (x) => x.allBytes))} | ${m(r.cold, (x) => x.requests)} | ${sec(m(r.cold, (x) => x.paint))} | ${sec(m(r.cold, (x) => x.ms))} | ${kb(m(r.warm, (x) => x.allBytes))} | ${sec(m(r.warm, (x) => x.ms))} | ${met} |`,
        );
      }
  } finally {
    await browser.close();
    for (const s of servers) await s.app.close();
    await handle.close?.();
  }
}

await main();
process.exit(0);
