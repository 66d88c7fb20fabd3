/**
 * The Debian packages the tests need beyond Node and npm, checked before `npm test` and by .ci/run (one
 * list, one script). Missing ones are installed when this may (root, with apt-get); otherwise it stops
 * with the exact command to run, instead of letting a suite fail later on a missing program.
 *
 *   node scripts/system-deps.mjs           check, install what is missing if root
 *   node scripts/system-deps.mjs --check   check only (exit 1 and print the apt-get line if anything is missing)
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

const onPath = (cmd) => spawnSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' }).status === 0;
const cjkFont = () =>
  existsSync('/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc') ||
  (onPath('fc-list') && /Noto Sans CJK/i.test(spawnSync('fc-list', { encoding: 'utf8' }).stdout ?? ''));

/** package → why the tests need it, and how to tell it is there. */
export const SYSTEM_PACKAGES = [
  {
    pkg: 'chromium',
    why: 'browser tests (Playwright drives Debian’s Chromium)',
    present: () => existsSync(process.env.CHROMIUM_PATH ?? '/usr/bin/chromium'),
  },
  { pkg: 'fonts-noto-cjk', why: 'Chinese text in screenshots and PDFs', present: cjkFont },
  { pkg: 'poppler-utils', why: 'PDF checks (pdftoppm, pdftotext)', present: () => onPath('pdftoppm') },
  { pkg: 'openssl', why: 'certificate, CRL and OCSP checks', present: () => onPath('openssl') },
  {
    pkg: 'softhsm2',
    why: 'the PKCS#11 signer’s tests (non-extractable keys, like a real HSM)',
    present: () => existsSync('/usr/lib/softhsm/libsofthsm2.so'),
  },
  {
    pkg: 'nginx-light',
    why: 'the reverse-proxy test (client address from X-Forwarded-For through a real proxy)',
    present: () => existsSync('/usr/sbin/nginx'),
  },
  {
    pkg: 'libnss3-tools',
    why: 'relying-party checks with NSS (vfychain, crlutil)',
    present: () => onPath('vfychain') && onPath('crlutil'),
  },
  {
    pkg: 'gnutls-bin',
    why: 'relying-party checks with GnuTLS (certtool, ocsptool)',
    present: () => onPath('certtool') && onPath('ocsptool'),
  },
];

function main() {
  const missing = SYSTEM_PACKAGES.filter((p) => !p.present());
  if (missing.length === 0) return 0;
  const names = missing.map((p) => p.pkg);
  const line = `apt-get install -y --no-install-recommends ${names.join(' ')}`;
  const mayInstall = !process.argv.includes('--check') && process.getuid?.() === 0 && onPath('apt-get');
  if (!mayInstall) {
    console.error('The tests need these Debian packages:');
    for (const p of missing) console.error(`  ${p.pkg}: ${p.why}`);
    console.error(`Install them, then run the tests again:\n  sudo apt-get update && sudo ${line}`);
    return 1;
  }
  console.log(`installing: ${names.join(' ')}`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  execFileSync('apt-get', ['update', '-qq'], { stdio: 'inherit', env });
  execFileSync('apt-get', ['install', '-y', '-qq', '--no-install-recommends', ...names], { stdio: ['ignore', 'ignore', 'inherit'], env });
  const still = SYSTEM_PACKAGES.filter((p) => !p.present()).map((p) => p.pkg);
  if (still.length) {
    console.error(`still missing after apt-get install: ${still.join(' ')}`);
    return 1;
  }
  return 0;
}

process.exitCode = main();
