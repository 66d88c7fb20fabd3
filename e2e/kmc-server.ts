/**
 * A second server for the browser tests of dual certificates (docs/kmc.md): the same database, CA and web build
 * as harness.ts's, plus a key management centre on SoftSDF (../shared/tools/softsdf, a software SDF device whose
 * key store is a directory) with KEK 1. Without a KMC the main server issues pair projects' signing certificate
 * alone (encryptionSkipped), so the pages that show a pair need this one. It shares harness.ts's Chromium; like
 * that server it lives until the process ends.
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { buildApp, WEB_DIST } from '../src/server/app.js';
import { systemClock } from '../src/server/clock.js';
import { runTool, SHARED_TOOLS } from '../src/ca/testing/oracles.js';
import { testConfig } from '../src/server/testing/harness.js';
import { startE2E, type E2E } from './harness.js';

const SOFTSDF = path.join(SHARED_TOOLS, 'softsdf');
const DEVICE_PASS = 'E2E-Kmc-Device-19';

export interface KmcE2E extends E2E {
  /** A directory for the test's own files (UKEY keys, downloaded envelopes), removed at exit. */
  work: string;
}

let running: Promise<KmcE2E> | undefined;

export function startKmcE2E(): Promise<KmcE2E> {
  running ??= (async () => {
    const main = await startE2E();
    const work = mkdtempSync(path.join(tmpdir(), 'certdesk-e2e-kmc-'));
    process.on('exit', () => rmSync(work, { recursive: true, force: true }));
    const store = path.join(work, 'device');
    mkdirSync(store);
    const init = await runTool(path.join(SOFTSDF, 'bin', 'softsdfinit'), ['-kek', '1', '-key', '1', '-pass', DEVICE_PASS], { cwd: store });
    if (init.code !== 0) throw new Error(`softsdfinit failed (is ${SOFTSDF} built?): ${init.out}`);
    const config = testConfig({
      CERTDESK_SDF_LIBRARY: path.join(SOFTSDF, 'lib', 'libsoftsdf.so'),
      CERTDESK_SDF_DIR: store,
      CERTDESK_SDF_PASSWORD: DEVICE_PASS,
      CERTDESK_KMC_KEK_INDEX: '1',
      CERTDESK_AGENT_URL: `http://127.0.0.1:${main.agentPort}`,
      CERTDESK_AGENT_DOWNLOAD_DIR: main.agentDownloadDir,
    });
    const app = await buildApp({
      config,
      db: main.db,
      clock: systemClock,
      webDist: process.env.E2E_WEB_DIST ?? WEB_DIST,
      onOutbox: () => void main.outbox.runOnce(),
    });
    await app.listen({ port: 0, host: '127.0.0.1' });
    const port = (app.server.address() as { port: number }).port;
    return {
      app,
      baseUrl: `http://127.0.0.1:${port}`,
      browser: main.browser,
      // The main server's worker sends this one's messages too: they share the database's outbox.
      outbox: main.outbox,
      db: main.db,
      config,
      agentPort: main.agentPort,
      agentDownloadDir: main.agentDownloadDir,
      work,
      async close() {
        config.ca.sdf?.close();
        await app.close();
      },
    };
  })();
  return running;
}
