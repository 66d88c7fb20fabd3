#!/usr/bin/env node
// `npm start`: build the web app when its sources are newer than the last build, then run the server.
import { spawnSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, openSync, readdirSync, statSync } from 'node:fs';
import http from 'node:http';
import path from 'node:path';

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
const built = path.join(root, 'dist/web/index.html');

function newest(dir) {
  let t = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    t = Math.max(t, e.isDirectory() ? newest(p) : statSync(p).mtimeMs);
  }
  return t;
}

const stale =
  !existsSync(built) || Math.max(newest(path.join(root, 'src/web')), newest(path.join(root, 'src/core'))) > statSync(built).mtimeMs;
if (stale) {
  console.log('正在构建网页…');
  const r = spawnSync(process.execPath, [path.join(root, 'node_modules/vite/bin/vite.js'), 'build', '--logLevel', 'warn'], {
    cwd: root,
    stdio: 'inherit',
  });
  if (r.status !== 0) process.exit(r.status ?? 1);
}
// The CA signer first (issue 17): it alone loads the CA's keys; the web server signs through its socket and
// holds no key and no KEK. Set CERTDESK_SIGNER_URL to use a signer that runs elsewhere instead.
const dataDir = path.resolve(root, process.env.CERTDESK_DATA_DIR || './data');
const webEnv = { ...process.env };
let signer = null;
let child = null;
if (!process.env.CERTDESK_SIGNER_URL) {
  mkdirSync(dataDir, { recursive: true });
  const socket = path.join(dataDir, 'signer.sock');
  const logFile = path.join(dataDir, 'signer.log');
  const log = openSync(logFile, 'a');
  signer = spawn(process.execPath, ['--import', 'tsx', path.join(root, 'src/signer/main.ts')], {
    cwd: root,
    stdio: ['ignore', log, log],
    env: {
      ...process.env,
      CERTDESK_SIGNER_LISTEN: `unix:${socket}`,
      // With PostgreSQL the signer checks every request against the registry itself (the embedded
      // database belongs to the web process alone, so there it lints only).
      ...(process.env.DATABASE_URL && !process.env.CERTDESK_SIGNER_DATABASE_URL
        ? { CERTDESK_SIGNER_DATABASE_URL: process.env.DATABASE_URL }
        : {}),
    },
  });
  signer.on('exit', (code) => {
    console.error(`CertDesk: 证书签名服务已退出（${code}），详见 ${logFile}`);
    signer = null;
    child?.kill('SIGTERM');
  });
  await waitForSocket(socket, logFile);
  console.log(`CertDesk: 证书签名服务已启动（unix:${socket}，日志 ${logFile}）`);
  webEnv.CERTDESK_SIGNER_URL = `unix:${socket}`;
  // The KEK, the SDF device (its library, key store and password: docs/ca-sdf.md) and the PKCS#11 token (its
  // module, label and PIN file: docs/ca-pkcs11.md) and the KMC's KEK index (docs/kmc.md) are the signer's alone.
  delete webEnv.CERTDESK_CA_KEK;
  delete webEnv.CERTDESK_CA_KEK_FILE;
  for (const name of Object.keys(webEnv)) if (/^CERTDESK_(SDF_|PKCS11_|KMC_|CA_SDF_KEYS$|CA_PKCS11_KEYS$)/.test(name)) delete webEnv[name];
}

async function waitForSocket(socket, logFile) {
  for (let i = 0; i < 600; i++) {
    if (!signer) break;
    const ok = await new Promise((resolve) => {
      const req = http.request({ socketPath: socket, path: '/v1/health' }, (res) => {
        res.resume();
        resolve(res.statusCode === 200);
      });
      req.on('error', () => resolve(false));
      req.end();
    });
    if (ok) return;
    await new Promise((r) => setTimeout(r, 200));
  }
  console.error(`CertDesk: 证书签名服务未能启动，详见 ${logFile}`);
  process.exit(1);
}

child = spawn(process.execPath, ['--import', 'tsx', path.join(root, 'src/server/main.ts')], {
  cwd: root,
  stdio: 'inherit',
  env: webEnv,
});
for (const sig of ['SIGINT', 'SIGTERM'])
  process.on(sig, () => {
    child?.kill(sig);
    signer?.kill(sig);
  });
child.on('exit', (code) => {
  child = null;
  signer?.kill('SIGTERM');
  process.exit(code ?? 0);
});
