/**
 * The signer and the CA commands as the key-store tests run them (signer-pkcs11.test.ts, signer-sdf.test.ts):
 * a script in a child process of its own, as an operator runs it, with exactly the environment given; and the
 * signer process on a Unix socket, ready once its hierarchy answers. Every child goes into `children`, for
 * the test's afterAll to stop.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { SignerConnection } from '../server/modules/certificates/signer-client.js';

export const ROOT = path.resolve(path.dirname(new URL(import.meta.url).pathname), '../..');

/** Runs `script` (a path under the repository) with tsx until it exits: its exit code and everything it printed. */
export function runScript(
  script: string,
  env: Record<string, string>,
  children: ChildProcess[],
): Promise<{ code: number | null; out: string; child: ChildProcess }> {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, script)], {
    cwd: ROOT,
    env: { PATH: process.env.PATH!, NODE_ENV: 'test', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  let out = '';
  child.stdout!.on('data', (c: Buffer) => (out += c.toString()));
  child.stderr!.on('data', (c: Buffer) => (out += c.toString()));
  return new Promise((resolve) => child.on('exit', (code) => resolve({ code, out, child })));
}

/**
 * The signer process (src/signer/main.ts) listening on `socket`, once its `GET /v1/hierarchy` answers (60 s at
 * most); throws with its output when it exits or does not come up.
 */
export async function startSigner(socket: string, env: Record<string, string>, children: ChildProcess[]) {
  let out = '';
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'src/signer/main.ts')], {
    cwd: ROOT,
    env: { PATH: process.env.PATH!, NODE_ENV: 'test', ...env, CERTDESK_SIGNER_LISTEN: `unix:${socket}` },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  child.stdout!.on('data', (c: Buffer) => (out += c.toString()));
  child.stderr!.on('data', (c: Buffer) => (out += c.toString()));
  const conn = new SignerConnection({ kind: 'unix', socketPath: socket });
  let view;
  for (let i = 0; i < 300 && !view; i++) {
    if (child.exitCode !== null) break;
    view = await conn.hierarchy().catch(() => undefined);
    if (!view) await new Promise((r) => setTimeout(r, 200));
  }
  if (!view) {
    conn.close();
    child.kill('SIGKILL');
    throw new Error(`signer did not start: ${out}`);
  }
  return { socket, conn, view, child, out: () => out };
}
