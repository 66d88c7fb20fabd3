/**
 * `npm run agent:build:check` (not part of `npm test`: it builds two ~100 MB executables; about 2 minutes on
 * 2 cores with a warm cache, plus ~70 MB of downloads from npm on the first run, cached under the OS temp dir
 * or CERTDESK_AGENT_BUILD_CACHE).
 *
 * The Linux executable is built by the same pipeline as the Windows one and RUN: started against a SoftHSM2
 * token, /health answers, it pairs and lists the token — so bundling, the koffi asset and the SEA injection
 * are tested end to end here. The Windows zip cannot run on this machine; it is checked structurally: an x64
 * PE file, the SEA fuse flipped, the NODE_SEA_BLOB resource holding our bundle, koffi's win32 binary carried
 * inside it, and the start script and README beside it.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { mkdirSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { inflateRawSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from '../src/ca/testing/openssl.js';
// @ts-expect-error -- a plain .mjs build script without type declarations
import { buildAgent, packageFile, SEA_FUSE, TARGETS } from './agent-build.mjs';

const LIBRARY = process.env.CERTDESK_TEST_PKCS11_LIB || '/usr/lib/softhsm/libsofthsm2.so';
const ORIGIN = 'https://ca.example.cn';
const tmp = tempDir('agent-build-');

/** The entries of a ZIP file (stored or deflated), by name. */
function unzip(file: string): Map<string, Buffer> {
  const zip = readFileSync(file);
  const end = zip.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
  const count = zip.readUInt16LE(end + 10);
  let at = zip.readUInt32LE(end + 16);
  const out = new Map<string, Buffer>();
  for (let i = 0; i < count; i++) {
    const method = zip.readUInt16LE(at + 10);
    const size = zip.readUInt32LE(at + 20);
    const nameLength = zip.readUInt16LE(at + 28);
    const extra = zip.readUInt16LE(at + 30) + zip.readUInt16LE(at + 32);
    const name = zip.subarray(at + 46, at + 46 + nameLength).toString('utf8');
    const local = zip.readUInt32LE(at + 42);
    const start = local + 30 + zip.readUInt16LE(local + 26) + zip.readUInt16LE(local + 28);
    const data = zip.subarray(start, start + size);
    out.set(name, method === 8 ? inflateRawSync(data) : Buffer.from(data));
    at += 46 + nameLength + extra;
  }
  return out;
}

const freePort = () =>
  new Promise<number>((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });

describe('the Linux executable, run against SoftHSM2', () => {
  let agent: ChildProcess;
  let port: number;
  let output = '';

  beforeAll(async () => {
    const exe: string = await buildAgent({ target: 'linux-x64', out: tmp.path('out') });
    const conf = tmp.write(
      'softhsm2.conf',
      `directories.tokendir = ${tmp.path('tokens')}\nobjectstore.backend = file\nlog.level = ERROR\n`,
    );
    mkdirSync(tmp.path('tokens'), { recursive: true });
    execFileSync('softhsm2-util', ['--init-token', '--free', '--label', 'built-agent', '--pin', '123456', '--so-pin', '87654321'], {
      env: { ...process.env, SOFTHSM2_CONF: conf },
    });
    port = await freePort();
    // A clean environment: the executable must not lean on this repository or its node_modules.
    agent = spawn(exe, [], {
      cwd: tmp.dir,
      env: {
        PATH: '/usr/bin:/bin',
        SOFTHSM2_CONF: conf,
        CERTDESK_AGENT_ORIGIN: ORIGIN,
        CERTDESK_AGENT_PORT: String(port),
        CERTDESK_AGENT_PKCS11_MODULE: LIBRARY,
      },
    });
    agent.stdout!.on('data', (d: Buffer) => (output += d.toString('utf8')));
    agent.stderr!.on('data', (d: Buffer) => (output += d.toString('utf8')));
    for (let waited = 0; !/配对码：\d{8}/.test(output); waited += 100) {
      if (waited > 20_000 || agent.exitCode !== null) throw new Error(`the built agent did not start:\n${output}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }, 300_000);

  afterAll(() => {
    agent?.kill('SIGTERM');
  });

  it('answers /health, pairs with the code it shows, and lists the SoftHSM2 token', async () => {
    const base = `http://127.0.0.1:${port}`;
    expect(await (await fetch(`${base}/health`)).json()).toMatchObject({ ok: true, name: 'certdesk-agent' });
    const code = /配对码：(\d{8})/.exec(output)![1];
    const pair = await fetch(`${base}/pair`, {
      method: 'POST',
      headers: { origin: ORIGIN, 'content-type': 'application/json' },
      body: JSON.stringify({ code, sessionId: 'build-check-session' }),
    });
    const { token } = (await pair.json()) as { token: string };
    expect(token).toMatch(/^[A-Za-z0-9_-]{20,}$/);
    const tokens = await fetch(`${base}/tokens`, { headers: { origin: ORIGIN, authorization: `Bearer ${token}` } });
    expect(tokens.status).toBe(200);
    expect(((await tokens.json()) as { tokens: { label: string; model: string }[] }).tokens).toContainEqual(
      expect.objectContaining({ label: 'built-agent', model: 'SoftHSM v2' }),
    );
  });
});

describe('the Windows zip (structure; it never runs here)', () => {
  let files: Map<string, Buffer>;

  beforeAll(async () => {
    files = unzip(await buildAgent({ target: 'win-x64', origin: ORIGIN, out: tmp.path('out') }));
  }, 300_000);

  it('holds an x64 PE executable with the SEA fuse flipped and our bundle in its NODE_SEA_BLOB resource', () => {
    expect([...files.keys()].sort()).toEqual(['README.txt', 'certdesk-agent.exe', 'start-certdesk-agent.cmd']);
    const exe = files.get('certdesk-agent.exe')!;
    expect(exe.subarray(0, 2).toString('latin1')).toBe('MZ');
    const pe = exe.readUInt32LE(0x3c);
    expect(exe.subarray(pe, pe + 4).toString('latin1')).toBe('PE\0\0');
    expect(exe.readUInt16LE(pe + 4)).toBe(0x8664); // IMAGE_FILE_MACHINE_AMD64
    // postject turns the fuse's ":0" into ":1"; Node only looks for the blob when it is flipped.
    expect(exe.includes(`${SEA_FUSE}:1`)).toBe(true);
    expect(exe.includes(`${SEA_FUSE}:0`)).toBe(false);
    // PE resource names are UTF-16LE.
    expect(exe.includes(Buffer.from('NODE_SEA_BLOB', 'utf16le'))).toBe(true);
    expect(exe.includes(Buffer.from('CERTDESK_AGENT_PKCS11_MODULE'))).toBe(true);
    expect(exe.includes(Buffer.from('sea.getAsset("koffi.node")'))).toBe(true); // the loader esbuild put in the bundle
  });

  it("carries koffi's win32-x64 binary (the package npm publishes) as a SEA asset", () => {
    const koffi: Buffer = packageFile(TARGETS['win-x64'].koffi);
    expect(koffi.subarray(0, 2).toString('latin1')).toBe('MZ'); // a Windows DLL
    expect(files.get('certdesk-agent.exe')!.includes(koffi)).toBe(true);
  });

  it('has a start script that sets the portal origin and a Chinese README', () => {
    const cmd = files.get('start-certdesk-agent.cmd')!.toString('latin1');
    expect(cmd).toContain(`set CERTDESK_AGENT_ORIGIN=${ORIGIN}\r\n`);
    expect(cmd).toContain('"%~dp0certdesk-agent.exe"');
    expect([...cmd].every((c) => c.charCodeAt(0) < 0x80)).toBe(true); // cmd.exe reads it in the console's code page
    const readme = files.get('README.txt')!.toString('utf8');
    expect(readme.startsWith('\ufeff')).toBe(true);
    expect(readme).toContain('CERTDESK_AGENT_PKCS11_MODULE');
    expect(readme).toMatch(/Windows 10/);
  });
});

afterAll(() => tmp.remove());
