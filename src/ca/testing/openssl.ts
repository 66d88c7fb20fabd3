/** Test helpers: run the real openssl tool on files in a temp dir (the oracle for everything the CA encodes). */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

export async function openssl(args: string[], options: { input?: string } = {}): Promise<{ stdout: string; stderr: string }> {
  const p = run('openssl', args, { maxBuffer: 64 * 1024 * 1024, encoding: 'utf8' });
  if (options.input !== undefined) {
    p.child.stdin?.end(options.input);
  }
  return p;
}

/** Runs openssl and returns stdout + stderr + exit code, never throwing (for expected failures). */
export async function opensslResult(args: string[]): Promise<{ code: number; out: string }> {
  try {
    const r = await run('openssl', args, { maxBuffer: 64 * 1024 * 1024, encoding: 'utf8' });
    return { code: 0, out: r.stdout + r.stderr };
  } catch (e) {
    const err = e as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof err.code === 'number' ? err.code : 1, out: (err.stdout ?? '') + (err.stderr ?? '') };
  }
}

export interface TempDir {
  dir: string;
  write(name: string, data: Uint8Array | string): string;
  path(name: string): string;
  remove(): void;
}

export function tempDir(prefix = 'certdesk-ca-'): TempDir {
  const dir = mkdtempSync(path.join(tmpdir(), prefix));
  return {
    dir,
    write(name, data) {
      const p = path.join(dir, name);
      writeFileSync(p, data);
      return p;
    },
    path: (name) => path.join(dir, name),
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}
