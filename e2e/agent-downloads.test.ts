/**
 * 下载中心's 证书助手 section (issue 20) in Chromium: with nothing published it says so and where to go instead;
 * once the operator puts an installer in CERTDESK_AGENT_DOWNLOAD_DIR the page offers it with the SHA-256 that
 * `sha256sum` computes for the very file the browser downloads. Screenshots at 390 and 1366 px.
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { DESKTOP, PHONE, fitsWidth, newPage, shot, startE2E, type E2E } from './harness.js';

let e: E2E;
beforeAll(async () => {
  e = await startE2E();
});

const NAME = 'certdesk-agent-setup-e2e.exe';

describe.each([
  ['phone', PHONE],
  ['desktop', DESKTOP],
])('下载中心: 证书助手 (%s)', (label, viewport) => {
  it('says no installer is offered yet, then offers the published one with the SHA-256 of the bytes downloaded', async () => {
    const { page, context, errors } = await newPage(e, viewport);
    await page.goto('/downloads');
    const section = page.getByTestId('agent-downloads');
    await section.getByTestId('agent-not-yet').waitFor();
    expect(await section.innerText()).toContain('暂未提供下载');
    await section.scrollIntoViewIfNeeded();
    await shot(page, `agent-downloads-none-${label}`);
    expect(await fitsWidth(page)).toBe(true);

    const published = path.join(e.agentDownloadDir, NAME);
    writeFileSync(published, randomBytes(200_000));
    try {
      await page.reload();
      const card = page.getByTestId(`agent-file-${NAME}`);
      await card.waitFor();
      const sha256 = execFileSync('sha256sum', [published], { encoding: 'utf8' }).split(' ')[0]!;
      expect(await card.innerText()).toContain(sha256);
      expect(await section.innerText()).toContain('certutil -hashfile');
      expect(await section.innerText()).toContain('Windows 10、Windows 11、Windows Server 2016 及以后的 64 位系统');
      await card.scrollIntoViewIfNeeded();
      await shot(page, `agent-downloads-offered-${label}`);
      expect(await fitsWidth(page)).toBe(true);

      const [d] = await Promise.all([page.waitForEvent('download'), card.getByRole('button', { name: '下载' }).click()]);
      expect(d.suggestedFilename()).toBe(NAME);
      const saved = path.join(mkdtempSync(path.join(tmpdir(), 'e2e-agent-dl-')), NAME);
      await d.saveAs(saved);
      expect(Buffer.compare(readFileSync(saved), readFileSync(published))).toBe(0);
    } finally {
      rmSync(published, { force: true });
    }
    expect(errors).toEqual([]);
    await context.close();
  });
});
