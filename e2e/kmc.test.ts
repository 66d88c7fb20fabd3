/**
 * Issue 19 in the browser, against a server with a key management centre on SoftSDF (kmc-server.ts):
 *
 *  1. 制证 of a 政府采购 order (a pair project) from the UKEY's PKCS#10 (made by GmSSL, as the UKEY's tool would):
 *     the dialog says the encryption certificate was issued too, warns before closing with the envelope not yet
 *     taken, and downloads its key's envelope once; GmSSL
 *     opens the downloaded file with the UKEY's signing key, and the key inside is the encryption certificate's.
 *  2. 我的证书 shows the pair on one line: 签名证书 and 加密证书 with their serials (desktop and phone).
 *  3. 密钥恢复: one 密钥管理员 asks (wrong fields named in Chinese, nothing typed lost), cannot approve it (the
 *     server's words shown), another approves, the envelope downloads once; GmSSL opens it with the new UKEY's
 *     key and the recovered key decrypts a bid GmSSL encrypted to the old encryption certificate.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { and, eq } from 'drizzle-orm';
import { beforeAll, describe, expect, it } from 'vitest';
import type { BrowserContext, Download, Page } from 'playwright-core';
import { parseCertificate } from '../src/ca/cert/parse.js';
import { sm2PublicPoint } from '../src/ca/kmc/envelope.js';
import { spkiPublicKeyBits } from '../src/ca/spki.js';
import { gmsslOpenEnvelope } from '../src/ca/testing/envelope-oracle.js';
import { gmsslEncryptedKeyPem } from '../src/ca/testing/gmssl-key.js';
import { gmssl } from '../src/ca/testing/oracles.js';
import { systemClock } from '../src/server/clock.js';
import { certificates } from '../src/server/db/schema-certificates.js';
import { certificatePem } from '../src/server/modules/certificates/registry.js';
import { recordPayment } from '../src/server/modules/fulfilment/record-payment.js';
import { orderRepository } from '../src/server/modules/orders/repository.js';
import { createStaff } from '../src/server/modules/staff/staff-accounts.js';
import { DESKTOP, PHONE, fitsWidth, newPage, shot } from './harness.js';
import { startKmcE2E, type KmcE2E } from './kmc-server.js';
import { button, openMainOrder, putCompleteForm, registerWithRequest, staffLogin } from './page-api.js';

let k: KmcE2E;
const poll = expect.poll;
const UKEY_PASS = 'Ukey-Pin-E2E19';
const KEY_ADMIN_PASS = 'Miyao2026guanli';
const shown = (serial: string) => (serial.length % 2 ? `0${serial}` : serial).toUpperCase();

beforeAll(async () => {
  k = await startKmcE2E();
}, 180_000);

let n = 0;
/** A UKEY: its signing key pair made by GmSSL, and the PKCS#10 its tool exports. */
async function ukey(): Promise<{ keyPem: string; csr: string }> {
  const keyPem = path.join(k.work, `ukey${++n}.pem`);
  const csrPem = path.join(k.work, `ukey${n}.csr`);
  expect((await gmssl('master', ['sm2keygen', '-pass', UKEY_PASS, '-out', keyPem])).code).toBe(0);
  const r = await gmssl('master', [
    'reqgen',
    '-C',
    'CN',
    '-O',
    'usbkey',
    '-CN',
    'usbkey',
    '-key',
    keyPem,
    '-pass',
    UKEY_PASS,
    '-out',
    csrPem,
  ]);
  expect(r.code, r.out).toBe(0);
  return { keyPem, csr: await readFile(csrPem, 'utf8') };
}

/** The file a click downloads, as bytes. */
async function downloaded(page: Page, click: () => Promise<void>): Promise<{ bytes: Buffer; name: string }> {
  const [d] = (await Promise.all([page.waitForEvent('download'), click()])) as [Download, void];
  const file = path.join(k.work, `dl-${randomUUID()}`);
  await d.saveAs(file);
  return { bytes: await readFile(file), name: d.suggestedFilename() };
}

/** The encryption certificate's public key (04‖x‖y), as the registry holds it. */
const encPoint = (der: Buffer) => Buffer.from(spkiPublicKeyBits(parseCertificate(der).spki));

// What the tests share: the organization (logged in in its own browser context), its order and the pair.
let org: { context: BrowserContext; page: Page; errors: string[]; name: string; uscc: string };
let orderId = '';
let sign: typeof certificates.$inferSelect;
let enc: typeof certificates.$inferSelect;

describe('双证书 in the browser (KMC on SoftSDF)', () => {
  it('制证 issues the pair; the dialog downloads the encryption key’s envelope once; GmSSL opens it with the UKEY’s key', async () => {
    // The organization registers and fills its order; review and payment are the workflow tests' business.
    const o = await newPage(k, DESKTOP);
    const name = `江西双证书浏览器测试${randomBytes(2).toString('hex')}有限公司`;
    const reg = await registerWithRequest(o.context.request, { name, password: 'Shuang2026zheng' });
    org = { ...o, name, uscc: reg.uscc };
    const order = await openMainOrder(o.context.request);
    await putCompleteForm(o.context.request, order, { name, uscc: reg.uscc });
    orderId = order.id;
    const now = new Date();
    await orderRepository.setStatus(k.db, orderId, 'draft', 'review_passed', now);
    await recordPayment({ db: k.db }, orderId, { channel: 'wechat', amountFen: 22000, transactionId: randomUUID() }, now);
    await orderRepository.setStatus(k.db, orderId, 'paper_awaiting', 'in_production', now);

    const key = await ukey();
    const { page, context, errors } = await newPage(k, DESKTOP);
    try {
      await staffLogin(page, 'zhizheng');
      await page.goto(`/staff/orders/${orderId}`);
      await button(page, '制证完成').click();
      const dialog = page.getByRole('dialog');
      await dialog.getByRole('textbox', { name: /证书请求/ }).fill(key.csr);
      await button(dialog, '签发证书').click();
      await poll(() => page.getByRole('dialog').textContent()).toContain('已同时签发加密证书');
      const result = page.getByRole('dialog');
      expect(await result.textContent()).toContain('只有本 USB Key 的签名私钥能打开');
      await shot(page, 'kmc-produce-pair-desktop');
      // 完成 before the download: the page warns that closing loses its way to the envelope.
      await button(result, '完成').click();
      const warning = page.locator('.ant-modal-confirm');
      await poll(() => warning.textContent()).toContain('加密密钥信封尚未下载');
      await button(warning, '返回下载').click();
      await poll(() => warning.count()).toBe(0);

      const file = await downloaded(page, () => button(result, '下载加密密钥信封').click());
      expect(file.bytes.length).toBe(388); // GM/T 0016 ENVELOPEDKEYBLOB with a 16-byte cipher
      expect(file.name).toMatch(/^[0-9A-F]+-加密密钥信封\.bin$/);
      // Once: the button says it is done, and the server would refuse a second download.
      await poll(() => button(result, '已下载加密密钥信封').isDisabled()).toBe(true);

      sign = (
        await k.db
          .select()
          .from(certificates)
          .where(and(eq(certificates.orderId, orderId), eq(certificates.status, 'issued')))
      )[0]!;
      enc = (await k.db.select().from(certificates).where(eq(certificates.signingCertificateId, sign.id)))[0]!;
      expect(enc).toMatchObject({ usage: 'encryption', status: 'issued' });
      expect(file.name.startsWith(shown(enc.serial))).toBe(true);

      const opened = await gmsslOpenEnvelope(file.bytes, key.keyPem, UKEY_PASS, k.work, 'e2e-produce');
      expect(opened.publicKey.equals(encPoint(enc.der!))).toBe(true);
      expect(sm2PublicPoint(opened.d).equals(encPoint(enc.der!))).toBe(true);

      await button(result, '完成').click();
      await poll(() => page.locator('[data-testid=order-header] [data-testid=staff-status]').textContent()).toBe('制证完成');
      expect(errors).toEqual([]);
    } finally {
      await context.close();
    }
  });

  it('我的证书 shows the pair on one line: 签名证书 and 加密证书 (desktop and phone)', async () => {
    const { page, errors } = org;
    const line = page.locator(`[data-testid="my-cert"][data-serial="${shown(sign.serial)}"]`);
    for (const [label, viewport] of [
      ['desktop', DESKTOP],
      ['phone', PHONE],
    ] as const) {
      await page.setViewportSize(viewport);
      await page.goto('/certificates');
      await poll(() => line.count()).toBe(1);
      expect(await line.getByTestId('my-cert-signing').textContent()).toContain('签名证书');
      expect(await line.getByTestId('my-cert-serial').textContent()).toBe(shown(sign.serial));
      expect(await line.getByTestId('my-cert-encryption').textContent()).toBe(`加密证书 ${shown(enc.serial)}（有效）`);
      expect(await fitsWidth(page)).toBe(true);
      await shot(page, `kmc-my-certificates-${label}`);
    }
    expect(errors).toEqual([]);
    await org.context.close();
  });

  it('密钥恢复: one 密钥管理员 asks, cannot approve it, another approves; the envelope downloads once and opens with the new UKEY’s key', async () => {
    // Two key administrators, as the administrator's 工作人员 page makes them.
    const admins = [];
    for (const displayName of ['甲密钥管理员', '乙密钥管理员'])
      admins.push(
        await createStaff(
          { db: k.db, clock: systemClock },
          { username: `km${randomBytes(4).toString('hex')}`, displayName, roles: ['密钥管理员'], password: KEY_ADMIN_PASS },
          null,
          { ip: 'e2e' },
        ),
      );
    const [a, b] = admins as [(typeof admins)[0], (typeof admins)[0]];
    // A bid encrypted to the old encryption certificate, before the old UKEY was lost.
    const encPem = path.join(k.work, 'old-enc.pem');
    await writeFile(encPem, certificatePem(enc.der!));
    const bidText = path.join(k.work, 'bid.txt');
    await writeFile(bidText, '投标文件：报价 99 万元');
    const bid = path.join(k.work, 'bid.sm2');
    expect((await gmssl('master', ['sm2encrypt', '-cert', encPem, '-in', bidText, '-out', bid])).code).toBe(0);
    const fresh = await ukey();

    const first = await newPage(k, DESKTOP);
    const page = first.page;
    try {
      await staffLogin(page, a.username, KEY_ADMIN_PASS);
      await page.getByRole('menuitem', { name: '密钥恢复' }).click();
      await page.waitForURL((u) => u.pathname === '/staff/key-recovery');
      await button(page, '申请密钥恢复').click();
      const form = page.getByRole('dialog', { name: '申请密钥恢复' });
      // Nothing filled in: each field says what it needs.
      await button(form, '提交申请').click();
      await poll(() => form.textContent()).toContain('请填写加密证书（或其签名证书）的序列号');
      expect(await form.textContent()).toContain('请提供新 USB Key 的证书请求或签名证书，或接收机构的证书');
      expect(await form.textContent()).toContain('请填写恢复原因');

      // The serial the unit reads off its signing certificate (with colons), and not a request: the server names the field.
      const spaced = shown(sign.serial).replace(/(..)(?=.)/g, '$1:');
      await form.getByLabel('证书序列号').fill(spaced);
      await form.getByLabel(/新 USB Key 的证书请求/).fill('这不是证书请求');
      await form.getByLabel('补办受理单号及原因').fill('补办：USB Key 丢失，受理单号 3601-E2E-0019');
      await button(form, '提交申请').click();
      await poll(() => form.textContent()).toContain('新 USB Key 的证书请求：');
      expect(await form.getByLabel('证书序列号').inputValue()).toBe(spaced);
      expect(await form.getByLabel('补办受理单号及原因').inputValue()).toBe('补办：USB Key 丢失，受理单号 3601-E2E-0019');
      expect(await form.getByLabel(/新 USB Key 的证书请求/).inputValue()).toBe('这不是证书请求');
      await shot(page, 'kmc-recovery-field-error-desktop');

      await form.getByLabel(/新 USB Key 的证书请求/).fill(fresh.csr);
      await button(form, '提交申请').click();
      await poll(() => form.isVisible()).toBe(false);
      const card = page.locator(`[data-testid="recovery-row"][data-serial="${enc.serial}"]`);
      await poll(() => card.count()).toBe(1);
      expect(await card.getByTestId('recovery-state').textContent()).toBe('待另一位密钥管理员批准');
      expect(await card.textContent()).toContain(org.name);
      expect(await card.textContent()).toContain('本人');
      expect(await card.getByTestId('recovery-own-note').textContent()).toContain('须由另一位密钥管理员批准');

      // The requester tries to approve it anyway: the server refuses, and the page shows its words.
      await button(card, '批准').click();
      await button(page.locator('.ant-modal-confirm'), '批准').click();
      await poll(() => page.locator('.ant-modal-confirm').count()).toBe(0);
      await poll(() => page.getByTestId('recovery-error').textContent()).toContain(
        '不能批准或驳回自己提出的密钥恢复申请：须由另一位密钥管理员处理',
      );
      expect(await card.getByTestId('recovery-state').textContent()).toBe('待另一位密钥管理员批准');
      expect(await fitsWidth(page)).toBe(true);
      await shot(page, 'kmc-recovery-own-refused-desktop');
      await page.setViewportSize(PHONE);
      await poll(() => fitsWidth(page)).toBe(true);
      await shot(page, 'kmc-recovery-own-refused-phone');
      // Chromium logs the two refused requests (400 the field, 403 the approval) on the console; nothing else may be there.
      expect(first.errors.filter((m) => !/status of (400|403)/.test(m))).toEqual([]);
    } finally {
      await first.context.close();
    }

    // Another key administrator approves and downloads the envelope, once.
    const second = await newPage(k, PHONE);
    try {
      const p = second.page;
      await staffLogin(p, b.username, KEY_ADMIN_PASS);
      await p.goto('/staff/key-recovery');
      const card = p.locator(`[data-testid="recovery-row"][data-serial="${enc.serial}"]`);
      await poll(() => card.count()).toBe(1);
      expect(await card.textContent()).toContain('甲密钥管理员');
      expect(await card.getByTestId('recovery-own-note').count()).toBe(0);
      await button(card, '批准').click();
      await button(p.locator('.ant-modal-confirm'), '批准').click();
      await poll(() => card.getByTestId('recovery-state').textContent()).toBe('已批准，待下载信封');
      await poll(() => p.locator('.ant-modal-confirm').count()).toBe(0);
      expect(await fitsWidth(p)).toBe(true);
      await shot(p, 'kmc-recovery-approved-phone');

      const file = await downloaded(p, () => button(card, '下载恢复的密钥信封（只能一次）').click());
      expect(file.name).toBe(`${shown(enc.serial)}-恢复的加密密钥信封.bin`);
      await poll(() => card.getByTestId('recovery-state').textContent()).toBe('已交付（信封已下载）');
      expect(await card.getByRole('button', { name: /下载恢复的密钥信封/ }).count()).toBe(0);
      expect(await card.textContent()).toContain('乙密钥管理员');

      // GmSSL opens it with the new UKEY's signing key; the key inside is the old encryption key and opens the old bid.
      const opened = await gmsslOpenEnvelope(file.bytes, fresh.keyPem, UKEY_PASS, k.work, 'e2e-recovered');
      expect(sm2PublicPoint(opened.d).equals(encPoint(enc.der!))).toBe(true);
      const recovered = path.join(k.work, 'recovered.pem');
      await writeFile(recovered, gmsslEncryptedKeyPem(opened.d, encPoint(enc.der!), 'Recovered-E2E'));
      const out = path.join(k.work, 'bid.out');
      const r = await gmssl('master', ['sm2decrypt', '-key', recovered, '-pass', 'Recovered-E2E', '-in', bid, '-out', out]);
      expect(r.code, r.out).toBe(0);
      expect(await readFile(out, 'utf8')).toBe('投标文件：报价 99 万元');

      await p.setViewportSize(DESKTOP);
      await shot(p, 'kmc-recovery-delivered-desktop');
      expect(second.errors).toEqual([]);
    } finally {
      await second.context.close();
    }
  });
});
