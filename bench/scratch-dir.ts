/**
 * A scratch folder for a bench (CA keys, data directories, load files), removed when the process exits —
 * at its end, on an error, or on Ctrl-C — so no run leaves encrypted CA key files behind in /tmp.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

const made: string[] = [];

export function scratchDir(prefix: string): string {
  if (made.length === 0) {
    process.on('exit', () => {
      for (const d of made) rmSync(d, { recursive: true, force: true });
    });
    // A signal ends the process without 'exit' unless someone calls process.exit.
    for (const sig of ['SIGINT', 'SIGTERM'] as const) process.once(sig, () => process.exit(130));
  }
  const dir = mkdtempSync(path.join(tmpdir(), prefix));
  made.push(dir);
  return dir;
}
