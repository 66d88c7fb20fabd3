/**
 * Issue 6, revocation in the browser: a 管理员 requests revocation of a certificate by its serial on the 吊销申请
 * page (its own request shows with approve/refuse disabled), a 制证 colleague approves it, and the
 * certificate's status is then revoked over HTTP: the OCSP responder (checked with openssl ocsp -respin) and
 * the public status query. Screenshots of both staff views.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { sequence } from '../src/ca/der/der.js';
import { DESKTOP, newPage, shot, startE2E, type E2E } from './harness.js';
import { button, staffLogin } from './page-api.js';
import { systemClock } from '../src/server/clock.js';
import { certIdFor } from '../src/server/modules/revocation/ocsp-issuers.js';
import { publisherFor } from '../src/server/modules/revocation/publication.js';
import { issueTestCertificate } from '../src/server/modules/revocation/testing.js';
import { testConfig } from '../src/server/testing/harness.js';

let e: E2E;

beforeAll(async () => {
  e = await startE2E();
}, 120_000);

describe('吊销：一人申请，另一人批准，OCSP 随即显示已吊销', () => {
  it('admin requests, 制证 approves, OCSP answers revoked', async () => {
    const config = testConfig();
    const cert = await issueTestCertificate({ db: e.db, config }, 'sm2', { unitName: '江西吊销浏览器测试有限公司' });
    const serialShown = (cert.serial.length % 2 ? `0${cert.serial}` : cert.serial).toUpperCase();

    // 1. 管理员 asks.
    const a = await newPage(e, DESKTOP);
    await staffLogin(a.page, 'admin');
    await a.page.goto('/staff/revocations');
    await a.page.getByTestId('revocation-new').click();
    const dialog = a.page.getByRole('dialog');
    await dialog.getByTestId('revocation-serial').fill(serialShown.match(/../g)!.join(':'));
    await dialog.getByTestId('revocation-reason').click();
    await a.page.getByTitle('密钥泄露或介质丢失（keyCompromise）').click();
    await dialog.getByPlaceholder('如：单位来电称 USB Key 丢失').fill('单位来电：USB Key 丢失');
    await button(dialog, '提交申请').click();
    const mine = a.page.getByRole('row', { name: new RegExp(serialShown) });
    await expect.poll(() => mine.count()).toBe(1);
    await expect.poll(() => mine.getByTestId('revocation-approve').isDisabled()).toBe(true);
    expect(await mine.textContent()).toContain('本人');
    await expect.poll(() => a.page.locator('.ant-modal-wrap').filter({ visible: true }).count()).toBe(0);
    await shot(a.page, 'revocation-requested-by-me');
    expect(a.errors).toEqual([]);
    await a.context.close();

    // 2. 制证 approves.
    const b = await newPage(e, DESKTOP);
    await staffLogin(b.page, 'zhizheng');
    await b.page.goto('/staff/revocations');
    const row = b.page.getByRole('row', { name: new RegExp(serialShown) });
    await expect.poll(() => row.count()).toBe(1);
    expect(await row.textContent()).toContain('演示管理员');
    await shot(b.page, 'revocation-queue');
    await row.getByTestId('revocation-approve').click();
    await button(b.page.getByRole('dialog'), '批准吊销').click();
    await expect.poll(() => row.count()).toBe(0);
    await b.page.getByRole('tab', { name: '处理记录' }).click();
    const done = b.page.getByRole('row', { name: new RegExp(serialShown) });
    await expect.poll(() => done.count()).toBe(1);
    expect(await done.textContent()).toContain('已吊销');
    expect(await done.textContent()).toContain('24小时内');
    await shot(b.page, 'revocation-history');
    expect(b.errors).toEqual([]);
    await b.context.close();

    // 3. OCSP over HTTP (the app's responder), read by openssl; the public status query too.
    const p = await publisherFor({ db: e.db, clock: systemClock, config });
    const reqDer = sequence(sequence(sequence(sequence(certIdFor(p.issuerOfFamily('sm2')!, cert.serial)))));
    const res = await fetch(`${e.baseUrl}/ocsp`, {
      method: 'POST',
      headers: { 'content-type': 'application/ocsp-request' },
      body: Buffer.from(reqDer),
    });
    expect(res.headers.get('content-type')).toBe('application/ocsp-response');
    const dir = mkdtempSync(path.join(tmpdir(), 'certdesk-e2e-ocsp-'));
    try {
      const f = path.join(dir, 'r.der');
      writeFileSync(f, Buffer.from(await res.arrayBuffer()));
      const text = execFileSync('openssl', ['ocsp', '-respin', f, '-resp_text', '-noverify'], { encoding: 'utf8' });
      expect(text).toContain('Cert Status: revoked');
      expect(text).toContain('Revocation Reason: keyCompromise');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    const status = await fetch(`${e.baseUrl}/api/cert-status?serial=${cert.serial}`).then((r) => r.json());
    expect(JSON.stringify(status)).toContain('revoked');
  }, 120_000);
});
