/**
 * 下载中心's 证书助手 files (GET /api/agent/downloads and the file itself) through the real app: what the operator
 * put in CERTDESK_AGENT_DOWNLOAD_DIR is listed with the SHA-256 `sha256sum` computes and served byte for byte;
 * nothing else on the disk can be named; no directory, or an empty one, lists nothing.
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testApp, type TestApp } from '../testing/harness.js';

const dir = mkdtempSync(path.join(tmpdir(), 'agent-downloads-'));
const installer = randomBytes(300_000);
let t: TestApp;
let none: TestApp;

beforeAll(async () => {
  writeFileSync(path.join(dir, 'certdesk-agent-setup-0.1.0.exe'), installer);
  writeFileSync(path.join(dir, 'SHA256SUMS.txt'), 'x');
  // Not offered: a dot file, a name with a space, a sub-directory.
  writeFileSync(path.join(dir, '.env'), 'SECRET=1');
  writeFileSync(path.join(dir, 'a b.exe'), 'x');
  mkdirSync(path.join(dir, 'old'));
  writeFileSync(path.join(dir, 'old', 'certdesk-agent-setup-0.0.9.exe'), 'x');
  writeFileSync(path.join(path.dirname(dir), `${path.basename(dir)}-outside.txt`), 'outside');
  t = await testApp({ env: { CERTDESK_AGENT_DOWNLOAD_DIR: dir } });
  none = await testApp();
}, 60_000);
afterAll(async () => {
  await t?.close();
  await none?.close();
  rmSync(dir, { recursive: true, force: true });
  rmSync(path.join(path.dirname(dir), `${path.basename(dir)}-outside.txt`), { force: true });
});

const sha256sum = (file: string) => execFileSync('sha256sum', [file], { encoding: 'utf8' }).split(' ')[0];

describe('下载中心: 证书助手', () => {
  it('lists the published files with sha256sum’s digest and serves exactly those bytes, to anyone', async () => {
    const anon = t.client();
    const res = await anon.get('/api/agent/downloads');
    expect(res.statusCode).toBe(200);
    // Revalidated each visit: a browser must not keep showing "none yet" after the operator publishes one.
    expect(res.headers['cache-control']).toBe('no-cache');
    const { files } = res.json() as { files: { name: string; size: number; sha256: string; url: string }[] };
    expect(files.map((f) => f.name)).toEqual(['SHA256SUMS.txt', 'certdesk-agent-setup-0.1.0.exe']);
    const exe = files.find((f) => f.name.endsWith('.exe'))!;
    expect(exe).toMatchObject({ size: installer.length, sha256: sha256sum(path.join(dir, exe.name)) });
    const got = await anon.get(exe.url);
    expect(got.statusCode).toBe(200);
    expect(got.headers['content-type']).toBe('application/octet-stream');
    expect(got.headers['content-disposition']).toBe('attachment; filename="certdesk-agent-setup-0.1.0.exe"');
    expect(Buffer.compare(got.rawPayload, installer)).toBe(0);
  });

  it('a replaced file is listed with its new digest', async () => {
    const file = path.join(dir, 'SHA256SUMS.txt');
    writeFileSync(file, 'changed contents');
    const later = new Date(Date.now() + 5000);
    utimesSync(file, later, later);
    const { files } = (await t.client().get('/api/agent/downloads')).json() as { files: { name: string; sha256: string }[] };
    expect(files.find((f) => f.name === 'SHA256SUMS.txt')!.sha256).toBe(sha256sum(file));
  });

  it.each([
    ['a dot file', '.env', 400],
    ['a name with a space', 'a%20b.exe', 400],
    ['a sub-directory', 'old', 404],
    ['a file in a sub-directory', 'old%2Fcertdesk-agent-setup-0.0.9.exe', 400],
    ['a file beside the directory', `..%2F${path.basename(dir)}-outside.txt`, 400],
    ['a file that is not there', 'certdesk-agent-setup-9.9.9.exe', 404],
  ])('refuses %s', async (_what, name, status) => {
    const res = await t.client().get(`/api/agent/downloads/${name}`);
    expect(res.statusCode).toBe(status);
    if (status === 400) expect(res.json().error.fields.name).toContain('文件名只能由字母、数字、点、短横线和下划线组成');
  });

  it('offers nothing when no directory is set (the page says no installer is offered yet)', async () => {
    const res = await none.client().get('/api/agent/downloads');
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ files: [] });
    expect((await none.client().get('/api/agent/downloads/certdesk-agent-setup-0.1.0.exe')).statusCode).toBe(404);
  });
});
