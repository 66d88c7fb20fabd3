/**
 * Test helpers: the relying parties nobody on the team wrote, run on files in a temp dir — GmSSL 3.1.1 (the
 * release) and GmSSL master (../shared/tools, built for this machine kind), NSS's tools (Debian
 * libnss3-tools) and GnuTLS's (Debian gnutls-bin). `.ci/run` installs the Debian ones.
 *
 * GmSSL master's binary carries the build machine's library path, so its lib directory is given explicitly.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** The shared tools folder: `<repo>/../shared/tools` (from src/ca/testing). */
export const SHARED_TOOLS = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../../shared/tools');

export type GmsslVersion = '3.1.1' | 'master';

export const gmsslBinary = (v: GmsslVersion) => path.join(SHARED_TOOLS, v === '3.1.1' ? 'gmssl-3.1.1' : 'gmssl-master', 'bin', 'gmssl');

export interface ToolResult {
  code: number;
  out: string;
}

/** Runs a tool and returns stdout + stderr and its exit code, never throwing (failures are what tests look at). */
export async function runTool(
  file: string,
  args: string[],
  options: { env?: Record<string, string>; cwd?: string; timeoutMs?: number } = {},
): Promise<ToolResult> {
  try {
    const r = await run(file, args, {
      maxBuffer: 64 * 1024 * 1024,
      encoding: 'utf8',
      env: { ...process.env, ...options.env },
      cwd: options.cwd,
      timeout: options.timeoutMs ?? 60_000,
    });
    return { code: 0, out: r.stdout + r.stderr };
  } catch (e) {
    const err = e as { code?: number | string; stdout?: string; stderr?: string; message?: string };
    return {
      code: typeof err.code === 'number' ? err.code : 1,
      out: (err.stdout ?? '') + (err.stderr ?? '') + (err.stdout ? '' : (err.message ?? '')),
    };
  }
}

export function gmssl(v: GmsslVersion, args: string[], options: { cwd?: string } = {}): Promise<ToolResult> {
  const lib = path.join(SHARED_TOOLS, v === '3.1.1' ? 'gmssl-3.1.1' : 'gmssl-master', 'lib');
  return runTool(gmsslBinary(v), args, { env: { LD_LIBRARY_PATH: lib }, cwd: options.cwd });
}

/** Whether the oracles are on this machine (CI installs them; a test names what is missing rather than skipping). */
export function missingOracles(): string[] {
  const missing: string[] = [];
  for (const v of ['3.1.1', 'master'] as const) if (!existsSync(gmsslBinary(v))) missing.push(`GmSSL ${v} (${gmsslBinary(v)})`);
  for (const [tool, pkg] of [
    ['/usr/bin/vfychain', 'libnss3-tools'],
    ['/usr/bin/certutil', 'libnss3-tools'],
    ['/usr/bin/certtool', 'gnutls-bin'],
    ['/usr/bin/ocsptool', 'gnutls-bin'],
  ] as const)
    if (!existsSync(tool)) missing.push(`${tool} (apt-get install ${pkg})`);
  return missing;
}
