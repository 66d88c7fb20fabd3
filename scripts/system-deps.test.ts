import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';

const script = fileURLToPath(new URL('./system-deps.mjs', import.meta.url));
const run = (env: Record<string, string>, ...args: string[]) =>
  spawnSync(process.execPath, [script, ...args], { encoding: 'utf8', env: { ...process.env, ...env } });

it('passes quietly when every package the tests need is there (this machine)', () => {
  const r = run({});
  expect(r.stderr).toBe('');
  expect(r.status).toBe(0);
});

it('when a package is missing and it may not install, stops and prints the exact apt-get line', () => {
  const r = run({ CHROMIUM_PATH: '/nonexistent/chromium' }, '--check');
  expect(r.status).toBe(1);
  expect(r.stderr).toContain('chromium: browser tests');
  expect(r.stderr).toContain('sudo apt-get install -y --no-install-recommends chromium');
});
