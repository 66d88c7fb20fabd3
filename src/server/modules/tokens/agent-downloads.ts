/**
 * 下载中心's 证书助手 (issue 20): the files the operator publishes for organizations to install the agent — the
 * signed Windows installer once one is built (docs/agent.md, "Installing on Windows"), a checksum or signature
 * file beside it — read from the directory CERTDESK_AGENT_DOWNLOAD_DIR. Nothing is built or made up here: with
 * the setting unset or the directory empty, the list is empty and the page says that no installer is offered
 * yet. Only plain file names directly in the directory are listed and served (no dot files, no sub-directories,
 * no path separators), so a request can name nothing else on the disk.
 */
import { createHash } from 'node:crypto';
import { createReadStream, type ReadStream } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';

export interface AgentDownload {
  name: string;
  size: number;
  /** Hex, lower case: what `certutil -hashfile <file> SHA256` prints on Windows. */
  sha256: string;
  updatedAt: Date;
}

/** A name the 下载中心 offers: letters, digits, dot, dash, underscore; not starting with a dot. */
export const AGENT_DOWNLOAD_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/;

/** SHA-256 by path, size and modification time: an installer is hashed once, not on every page view. */
const hashes = new Map<string, { size: number; mtimeMs: number; sha256: string }>();

function sha256Of(file: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const h = createHash('sha256');
    createReadStream(file)
      .on('data', (c) => h.update(c))
      .on('error', reject)
      .on('end', () => resolve(h.digest('hex')));
  });
}

async function describe(dir: string, name: string): Promise<AgentDownload | null> {
  if (!AGENT_DOWNLOAD_NAME.test(name)) return null;
  const file = path.join(dir, name);
  const s = await stat(file).catch(() => null);
  if (!s?.isFile()) return null;
  const known = hashes.get(file);
  const sha256 = known && known.size === s.size && known.mtimeMs === s.mtimeMs ? known.sha256 : await sha256Of(file);
  hashes.set(file, { size: s.size, mtimeMs: s.mtimeMs, sha256 });
  return { name, size: s.size, sha256, updatedAt: s.mtime };
}

/** The files on offer, by name; none when the directory is not set or not there. */
export async function agentDownloads(dir: string | undefined): Promise<AgentDownload[]> {
  if (!dir) return [];
  const names = await readdir(dir).catch(() => [] as string[]);
  const files = await Promise.all(names.sort().map((n) => describe(dir, n)));
  return files.filter((f): f is AgentDownload => f !== null);
}

/** One file on offer, opened for sending; null when it is not one of them. */
export async function openAgentDownload(
  dir: string | undefined,
  name: string,
): Promise<{ file: AgentDownload; stream: ReadStream } | null> {
  if (!dir) return null;
  const file = await describe(dir, name);
  return file ? { file, stream: createReadStream(path.join(dir, name)) } : null;
}
