/**
 * Browser-test harness: the real server on a free loopback port (PGlite in memory, or PostgreSQL when
 * DATABASE_URL is set), the outbox worker running, and Debian's Chromium driven by playwright-core.
 * Screenshots land in e2e/screenshots/ so a person can look at them.
 */
import { existsSync, mkdirSync, mkdtempSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import type { FastifyInstance } from 'fastify';
import { buildApp, WEB_DIST } from '../src/server/app.js';
import { systemClock } from '../src/server/clock.js';
import { seedDemoData } from '../src/server/demo-data.js';
import { outboxWorker, type OutboxWorker } from '../src/server/modules/outbox/outbox.js';
import { mailSenderFor, smsSenderFor } from '../src/server/runtime.js';
import { fileStoreFor } from '../src/server/adapters/storage/configured.js';
import { CAPTCHA, testConfig, testDb } from '../src/server/testing/harness.js';

export { CAPTCHA };
export const SCREENSHOTS = process.env.E2E_SCREENSHOTS ?? fileURLToPath(new URL('./screenshots', import.meta.url));
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

export interface E2E {
  app: FastifyInstance;
  baseUrl: string;
  browser: Browser;
  outbox: OutboxWorker;
  db: Awaited<ReturnType<typeof testDb>>['db'];
  config: ReturnType<typeof testConfig>;
  /** A free loopback port the pages call the 证书助手 on (CERTDESK_AGENT_URL): a test that needs the agent listens there. */
  agentPort: number;
  /** CERTDESK_AGENT_DOWNLOAD_DIR, empty at start: a test publishes a 证书助手 file there and removes it after. */
  agentDownloadDir: string;
  close(): Promise<void>;
}

/** A port free now on 127.0.0.1 (the agent's, so parallel runs on one machine do not share one). */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });
}

let running: Promise<E2E> | undefined;

/**
 * One server and one browser for the whole e2e run (files run one after another in one process). A test
 * file must NOT call close(): the files after it share the same browser and server (process exit ends them).
 */
export function startE2E(): Promise<E2E> {
  running ??= (async () => {
    // E2E_WEB_DIST lets parallel runs each test their own build.
    const webDist = process.env.E2E_WEB_DIST ?? WEB_DIST;
    if (!existsSync(path.join(webDist, 'index.html')))
      throw new Error(`${webDist} is missing: run \`npm run build:web\` first (npm test does)`);
    if (!existsSync(CHROMIUM)) throw new Error(`Chromium not found at ${CHROMIUM}: install Debian's chromium (see .ci/run)`);
    const handle = await testDb();
    const agentPort = await freePort();
    const agentDownloadDir = mkdtempSync(path.join(tmpdir(), 'e2e-agent-downloads-'));
    const config = testConfig({ CERTDESK_AGENT_URL: `http://127.0.0.1:${agentPort}`, CERTDESK_AGENT_DOWNLOAD_DIR: agentDownloadDir });
    await seedDemoData(handle.db, new Date());
    const worker: { w?: OutboxWorker } = {};
    const app = await buildApp({ config, db: handle.db, clock: systemClock, webDist, onOutbox: () => void worker.w?.runOnce() });
    const mail = mailSenderFor(config, handle.db, systemClock);
    worker.w = outboxWorker({
      db: handle.db,
      clock: systemClock,
      sms: smsSenderFor(config, handle.db, systemClock),
      mail: { sender: mail, files: fileStoreFor(config, handle.db) },
      log: app.log,
    });
    worker.w.start(200);
    await app.listen({ port: 0, host: '127.0.0.1' });
    const port = (app.server.address() as { port: number }).port;
    const browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    });
    mkdirSync(SCREENSHOTS, { recursive: true });
    return {
      app,
      baseUrl: `http://127.0.0.1:${port}`,
      browser,
      outbox: worker.w,
      db: handle.db,
      config,
      agentPort,
      agentDownloadDir,
      async close() {
        await browser.close();
        await worker.w?.stop();
        await app.close();
        await mail.close();
      },
    };
  })();
  return running;
}

export const PHONE = { width: 390, height: 844 };
export const DESKTOP = { width: 1366, height: 900 };

export async function newPage(e: E2E, viewport = DESKTOP): Promise<{ context: BrowserContext; page: Page; errors: string[] }> {
  // Reduced motion (as some users set it): the app then turns antd's animations off, so no click lands on a
  // dialog or popover still zooming in on a loaded machine (a lost click failed CI).
  const context = await e.browser.newContext({ viewport, locale: 'zh-CN', baseURL: e.baseUrl, reducedMotion: 'reduce' });
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('pageerror', (err) => errors.push(err.message));
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(m.text());
  });
  return { context, page, errors };
}

export async function shot(page: Page, name: string): Promise<string> {
  const file = path.join(SCREENSHOTS, `${name}.png`);
  await page.screenshot({ path: file, fullPage: true });
  return file;
}

/** True when the page is no wider than its viewport (nothing forces sideways scrolling on a phone). */
export async function fitsWidth(page: Page): Promise<boolean> {
  return page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth + 1);
}
