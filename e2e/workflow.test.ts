/**
 * Issue 4 end to end, both sides in real browsers: the applicant (a 390 px phone) submits an order; the
 * 预审 reviewer (1366 px console) fails one document; the applicant sees the reason, replaces only that
 * document and resubmits; the reviewer approves; payment is driven through recordPayment (the payments
 * issue's entry point); the applicant enters the courier number of the paper originals and corrects the
 * recipient; 受理 receives the paper, asks for a missing copy (补寄), receives the re-sent package and
 * passes it; 制证 makes the key, 发放 ships it by SF Express, 财务 issues the invoice; the outbox delivers;
 * the applicant sees 已发放, the tracking numbers both ways and downloads the invoice; the sandbox inbox
 * holds the SMS and the invoice e-mail.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { Locator, Page } from 'playwright-core';
import sharp from 'sharp';
import { PDFDocument } from '@cantoo/pdf-lib';
import { DESKTOP, PHONE, SCREENSHOTS, fitsWidth, newPage, shot, startE2E, type E2E } from './harness.js';
import { newMobile } from '../src/server/testing/harness.js';
import { recordPayment } from '../src/server/modules/fulfilment/record-payment.js';
import { confirmTestImages } from '../src/server/modules/seals/testing.js';
import { sfTrackingUrl } from '../src/core/fulfilment.js';
import { formatOrderNumber } from '../src/core/order-number.js';
import {
  api,
  fillOrderForm,
  id,
  registerInBrowser as registerWith,
  loadMoreUntil,
  staffLogin,
  tickPaperChecklist,
  waitSaved,
  type ApiAnswer,
} from './page-api.js';

let e: E2E;
beforeAll(async () => {
  e = await startE2E();
});
afterAll(async () => {
  // The run's last file closes the shared server; vitest runs e2e files one by one in one process.
});

/** Uploads a file from inside the page as the web app does (multipart, CSRF token). */
async function apiUploadFile(page: Page, url: string, name: string, bytes: Buffer): Promise<ApiAnswer> {
  return page.evaluate(
    async ([url, name, b64]) => {
      const s = (await (await fetch('/api/session')).json()) as { csrfToken: string };
      const bin = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
      const fd = new FormData();
      fd.append('file', new File([bin], name, { type: 'image/png' }));
      const r = await fetch(url, { method: 'POST', headers: { 'x-csrf-token': s.csrfToken }, body: fd });
      return { status: r.status, json: await r.json().catch(() => null) };
    },
    [url, name, bytes.toString('base64')] as const,
  );
}

const PEOPLE = {
  legal: { name: '赵立新', id: id('36010219750315201'), mobile: newMobile() },
  agent: { name: '孙晓梅', id: id('36012119920808462'), mobile: newMobile(), email: 'sunxm@example.com' },
  address: '江西省南昌市红谷滩区卧龙路1000号',
  recipientAddress: '江西省南昌市东湖区八一大道88号三楼',
  newAddress: '江西省南昌市西湖区孺子路66号五楼前台',
  invoiceEmail: `fapiao-${Date.now()}@example.com`,
};
const PAPER_TRACKING = 'SF1234567890123';
const RESEND_TRACKING = 'EA123456789CN';
const SHIP_TRACKING = 'SF9876543210987';
const INVOICE_NO = '20260001';

const registerInBrowser = (page: Page, name: string) => registerWith(page, name, 'Flow2026xx');

/** A scan-like PNG: a white page with a coloured band and a red circle (a seal). */
async function scanPng(label: string, color: string): Promise<Buffer> {
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="900" height="620"><rect width="900" height="620" fill="#fff"/><rect x="40" y="40" width="820" height="90" fill="${color}"/><text x="60" y="100" font-size="48" fill="#fff">${label}</text><circle cx="700" cy="420" r="120" fill="none" stroke="#d4380d" stroke-width="10"/></svg>`;
  return sharp(Buffer.from(svg)).png().toBuffer();
}

async function uploadScan(page: Page, slot: string, name: string, color: string) {
  const card = page.getByTestId(`slot-${slot}`);
  const thumb = card.locator('img[alt$="缩略图"]');
  const src = async () => ((await thumb.count()) ? thumb.getAttribute('src') : null);
  const before = await src();
  await card.locator('input[type=file]').setInputFiles({ name, mimeType: 'image/png', buffer: await scanPng(slot, color) });
  await expect.poll(src).not.toBe(before);
  await expect.poll(() => thumb.evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth > 0)).toBe(true);
}

/** antd puts a space between the two characters of a two-character button label (「登 录」). */
const button = (page: Page | Locator, text: string) =>
  page.getByRole('button', { name: new RegExp(`(^|loading)\\s*${[...text].join('\\s*')}\\s*$`) });

/** Lets antd's open/close motion (modals, messages: about 0.3 s) finish before a screenshot. */
const settle = (page: Page) => page.waitForTimeout(400);

/** A member of staff in their own 1366 px browser, logged in. */
async function staffMember(username: string) {
  const s = await newPage(e, DESKTOP);
  await staffLogin(s.page, username);
  return s;
}

const headerTag = (page: Page) => page.locator('.order-header [data-testid=status-tag]');
const staffStatus = (page: Page) => page.locator('[data-testid=order-header] [data-testid=staff-status]');

async function openApplicantOrder(page: Page, orderId: string) {
  await page.goto(`/orders/${orderId}`);
  await page.getByTestId('order-page').waitFor();
}

async function openStaffOrder(page: Page, orderId: string) {
  await page.goto(`/staff/orders/${orderId}`);
  await page.getByTestId('staff-order').waitFor();
}

/** Confirms the open antd Popconfirm with its OK button. */
async function confirmPop(page: Page, okText: string) {
  const pop = page.locator('.ant-popover:visible');
  await pop.waitFor();
  await button(pop, okText).click();
}

async function invoicePdf(): Promise<Buffer> {
  const doc = await PDFDocument.create();
  const p = doc.addPage([595, 420]);
  p.drawText(`Invoice ${INVOICE_NO}`, { x: 60, y: 340, size: 24 });
  return Buffer.from(await doc.save());
}

describe('the order workflow, both sides', () => {
  it('reject one document → replace it → approve → pay → paper → 制证 → 发放 → invoice, with every message', async () => {
    // ——— the applicant submits (390 px) ———
    const applicant = await newPage(e, PHONE);
    const { page } = applicant;
    await registerInBrowser(page, '江西全程流转测试有限公司');
    const created = await api(page, 'POST', '/api/orders', { projectCode: 'gov-procurement', keyType: 'main', agree: true });
    expect(created.status).toBe(201);
    const orderId = created.json.order.id as string;
    const orderNo = created.json.order.orderNo as string;
    await openApplicantOrder(page, orderId);
    await fillOrderForm(page, PEOPLE);
    await waitSaved(page);
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('template-application-form').click()]);
    expect((await readFile((await download.path())!)).subarray(0, 5).toString('latin1')).toBe('%PDF-');
    await expect.poll(() => page.getByTestId('application-form-stale').count()).toBe(0);
    const slots = ((await api(page, 'GET', `/api/orders/${orderId}`)).json as { slots: { code: string; label: string }[] }).slots;
    const colors = ['#c8102e', '#1677ff', '#389e0d', '#d48806', '#722ed1', '#13c2c2', '#eb2f96'];
    for (const [i, s] of slots.entries()) await uploadScan(page, s.code, `${s.code}.png`, colors[i % colors.length]!);
    const url = ((await api(page, 'GET', `/api/orders/${orderId}`)).json as { legalCheck: { url: string } }).legalCheck.url;
    const legal = await newPage(e, PHONE);
    await legal.page.goto(url);
    await legal.page.getByLabel('法定代表人姓名').fill(PEOPLE.legal.name);
    await legal.page.getByLabel('法定代表人身份证号').fill(PEOPLE.legal.id);
    await legal.page.getByRole('checkbox').check();
    await legal.page.getByRole('button', { name: '开始人脸核身' }).click();
    await legal.page.getByRole('button', { name: '模拟刷脸成功' }).click();
    await legal.page.getByTestId('result-passed').waitFor();
    await legal.context.close();
    await expect.poll(() => page.getByTestId('missing-list').count(), { timeout: 15_000 }).toBe(0);
    await page.getByTestId('submit-order').click();
    await expect.poll(() => headerTag(page).textContent()).toBe('正在审核');
    expect(await page.getByTestId('next-step-title').textContent()).toBe('等待工作人员审核上传的资料');
    const license = slots.find((s) => s.code === 'business-license')!;

    // ——— 预审 fails the 营业执照 copy (1366 px console), found through its queue ———
    const reviewer = await staffMember('yushen');
    const rp = reviewer.page;
    await rp.goto('/staff/queue/submitted');
    await rp.getByLabel('搜索订单').fill(orderNo);
    await rp.getByLabel('搜索订单').press('Enter');
    await rp.locator(`[data-testid=queue-table] a[href="/staff/orders/${orderId}"]`).click();
    await rp.getByTestId('review-panel').waitFor();
    const licenseCard = rp.getByTestId('review-business-license');
    await licenseCard.locator('label.ant-radio-button-wrapper', { hasText: '不通过' }).click();
    await licenseCard.getByLabel(`${license.label}不通过原因`).click();
    await rp.locator('.ant-select-dropdown:visible').getByTitle('复印件不清晰').click();
    await rp.keyboard.press('Escape');
    await licenseCard.getByLabel(`${license.label}说明`).fill('经营范围一栏看不清，请用原件重新复印');
    await rp.getByRole('button', { name: '其余全部通过' }).click();
    await expect.poll(() => rp.getByTestId('review-hint').textContent()).toContain('只能退回修改');
    await shot(rp, 'workflow-1-reject-staff-1366');
    await rp.getByTestId('review-reject').click();
    await expect.poll(() => staffStatus(rp).textContent()).toContain('资料审核失败');

    // ——— the applicant sees why, and replaces only that document ———
    await openApplicantOrder(page, orderId);
    expect(await headerTag(page).textContent()).toBe('资料审核失败');
    const result = page.getByTestId('review-result');
    const resultText = (await result.textContent()) ?? '';
    expect(resultText).toContain('只需重新上传以下资料');
    expect(resultText).toContain('复印件不清晰');
    expect(resultText).toContain('经营范围一栏看不清，请用原件重新复印');
    expect(await page.locator('[data-testid=review-redo] li').allTextContents()).toHaveLength(1);
    expect(await page.getByTestId('redo-business-license').textContent()).toContain(license.label);
    // Failed: highlighted with the reason and an upload control; passed: 已通过 and nothing to upload.
    expect(await page.getByTestId('slot-business-license').getAttribute('data-verdict')).toBe('fail');
    expect(await page.getByTestId('slot-reasons-business-license').textContent()).toContain('复印件不清晰');
    expect(await page.locator('[data-testid=slot-business-license] input[type=file]').count()).toBe(1);
    for (const s of slots.filter((x) => x.code !== 'business-license')) {
      expect(await page.getByTestId(`verdict-${s.code}`).textContent()).toBe('已通过');
      expect(await page.locator(`[data-testid=slot-${s.code}] input[type=file]`).count()).toBe(0);
    }
    // The server refuses a replacement of a passed document too.
    const refused = await apiUploadFile(
      page,
      `/api/orders/${orderId}/documents/agent-id-front`,
      'again.png',
      await scanPng('again', '#000'),
    );
    expect(refused.status).toBe(409);
    expect(refused.json.error.message).toContain('已审核通过，无需重新上传');
    // The form stays editable; resubmitting waits for the new scan.
    expect(await page.getByLabel('收件地址', { exact: true }).isEditable()).toBe(true);
    expect(await page.locator('[data-testid=missing-list] li').allTextContents()).toEqual([`请重新上传：${license.label}`]);
    expect(await page.getByTestId('submit-order').isDisabled()).toBe(true);
    expect(await page.getByTestId('submit-order').textContent()).toContain('重新提交');
    expect(await fitsWidth(page)).toBe(true);
    await shot(page, 'workflow-2-rejected-phone');
    await uploadScan(page, 'business-license', '营业执照-重新复印.png', '#0958d9');
    await expect.poll(() => page.getByTestId('missing-list').count()).toBe(0);
    expect(await page.getByTestId('verdict-business-license').textContent()).toBe('已重新上传');
    await page.getByTestId('submit-order').click();
    await expect.poll(() => headerTag(page).textContent()).toBe('正在审核');
    expect(await page.getByTestId('order-progress').textContent()).toContain('修改后重新提交申请');

    // ——— 预审 sees what changed and approves ———
    await openStaffOrder(rp, orderId);
    await rp.getByTestId('review-panel').waitFor();
    expect(await rp.getByTestId('review-business-license').textContent()).toContain('本轮已更换');
    await rp.getByRole('button', { name: '其余全部通过' }).click();
    await expect.poll(() => rp.getByTestId('review-hint').textContent()).toContain('可以预审通过');
    await shot(rp, 'workflow-3-approve-staff-1366');
    await rp.getByTestId('review-approve').click();
    await expect.poll(() => staffStatus(rp).textContent()).toContain('资料审核通过');
    await reviewer.context.close();

    // ——— the applicant is told to pay ———
    await openApplicantOrder(page, orderId);
    expect(await headerTag(page).textContent()).toBe('资料审核通过');
    expect(await page.getByTestId('next-step-title').textContent()).toBe('请付款');
    expect(await page.getByTestId('go-pay').textContent()).toContain('去付款');
    expect(await page.getByTestId('review-result').count()).toBe(0);
    // What to mail after paying is shown already, without the form.
    expect(await page.getByTestId('paper-list').textContent()).toContain('营业执照副本复印件加盖公章原章');
    expect(await page.getByTestId('paper-form').count()).toBe(0);
    expect(await fitsWidth(page)).toBe(true);
    await shot(page, 'workflow-4-passed-phone');

    // ——— payment, driven as the payments module will ———
    await recordPayment({ db: e.db }, orderId, { channel: 'wechat', amountFen: 22000, transactionId: `e2e-${orderNo}` }, new Date());

    // ——— 邮寄纸质资料: the list, the order number, the courier form ———
    await openApplicantOrder(page, orderId);
    expect(await headerTag(page).textContent()).toBe('正在受理 · 等待邮寄纸质资料');
    expect(await page.getByTestId('next-step-title').textContent()).toBe('邮寄纸质资料并填写快递单号');
    expect(await page.getByTestId('paper-order-no').textContent()).toBe(`在申请表左上角写明订单编号 ${formatOrderNumber(orderNo)}`);
    const paperList = await page.locator('[data-testid=paper-list] li').allTextContents();
    expect(paperList).toHaveLength(5);
    expect(paperList[0]).toContain(`写明订单编号 ${formatOrderNumber(orderNo)}`);
    expect(paperList.join('')).toContain('电子签章采集表');
    const paperCard = (await page.getByTestId('paper-card').textContent()) ?? '';
    expect(paperCard).toContain('回形针夹住');
    expect(paperCard).toContain('顺丰快递或EMS');
    expect(await page.getByTestId('invoice-status').textContent()).toBe('待开具');
    // A wrong number is caught in the browser with the server's rule; the right one goes through.
    const trackingInput = page.getByLabel('快递单号', { exact: true });
    await trackingInput.fill('SF12345');
    await trackingInput.blur();
    await expect.poll(() => page.getByTestId('paper-form').textContent()).toContain('顺丰运单号格式不正确');
    await settle(page);
    expect(await fitsWidth(page)).toBe(true);
    await shot(page, 'workflow-5-paper-phone');
    await trackingInput.fill(PAPER_TRACKING);
    await page.getByTestId('paper-submit').click();
    await expect.poll(() => page.getByTestId('paper-shipments').textContent()).toContain(PAPER_TRACKING);
    expect(await page.getByTestId('paper-shipments').textContent()).toContain('顺丰速运');

    // 证书接收人 can still be corrected: the dialog checks the mobile number, then saves.
    await page.getByTestId('edit-recipient').click();
    const dialog = page.getByRole('dialog');
    await dialog.getByLabel('收件人手机号').fill('1234');
    await dialog.getByLabel('收件地址').fill(PEOPLE.newAddress);
    await button(dialog, '保存').click();
    await expect.poll(() => dialog.textContent()).toContain('收件人手机号');
    expect(await dialog.locator('.ant-form-item-explain-error').count()).toBe(1);
    await settle(page);
    // The dialog as the phone shows it (a full-page picture would place it mid-page).
    await page.screenshot({ path: path.join(SCREENSHOTS, 'workflow-6-recipient-phone.png') });
    await dialog.getByLabel('收件人手机号').fill(PEOPLE.agent.mobile);
    await button(dialog, '保存').click();
    await expect.poll(() => page.getByTestId('recipient').textContent()).toContain(PEOPLE.newAddress);
    expect(await page.getByTestId('order-progress').textContent()).toContain('修改证书接收人');

    // 我的订单 shows the step of 正在受理.
    await page.goto('/orders');
    await page.getByTestId('orders-table').waitFor();
    expect(await page.locator(`.order-card[href="/orders/${orderId}"] [data-testid=status-tag]`).textContent()).toBe(
      '正在受理 · 等待邮寄纸质资料',
    );
    expect(await page.locator(`.order-card[href="/orders/${orderId}"]`).textContent()).toContain('填写快递单号');
    await shot(page, 'workflow-7-orders-phone');

    // ——— 受理 receives the paper and finds the 营业执照 copy missing ———
    const shouli = await staffMember('shouli');
    const sp = shouli.page;
    await openStaffOrder(sp, orderId);
    expect(await sp.getByTestId('shipments').textContent()).toContain(PAPER_TRACKING);
    await sp.getByTestId('action-receive_paper').click();
    await confirmPop(sp, '确认');
    await expect.poll(() => staffStatus(sp).textContent()).toContain('已收到纸质资料');
    await sp.getByTestId('action-fail_paper').click();
    const failDialog = sp.getByRole('dialog');
    await failDialog.getByTestId('missing-business-license').click();
    await failDialog.getByLabel('说明（经办人可见）').fill('营业执照复印件未加盖公章原章');
    await button(failDialog, '确认并通知补寄').click();
    await expect.poll(() => staffStatus(sp).textContent()).toContain('纸质资料需补寄');

    // The applicant sees what to re-send and enters the second package's number (EMS this time).
    await openApplicantOrder(page, orderId);
    expect(await headerTag(page).textContent()).toBe('正在受理 · 纸质资料需补寄');
    expect(await page.getByTestId('next-step-title').textContent()).toContain('工作人员已电话通知补寄资料');
    const resend = (await page.getByTestId('paper-resend').textContent()) ?? '';
    expect(resend).toContain('需补寄：营业执照复印件');
    expect(resend).toContain('营业执照复印件未加盖公章原章');
    await page.getByTestId('paper-form').getByText('中国邮政EMS').click();
    await page.getByLabel('快递单号', { exact: true }).fill(RESEND_TRACKING.toLowerCase());
    await page.getByTestId('paper-submit').click();
    await expect.poll(() => page.getByTestId('paper-shipments').textContent()).toContain(RESEND_TRACKING);
    expect(await fitsWidth(page)).toBe(true);
    await shot(page, 'workflow-8-resend-phone');

    // ——— 受理 receives the re-sent paper and passes it ———
    await openStaffOrder(sp, orderId);
    expect(await sp.getByTestId('shipments').textContent()).toContain(RESEND_TRACKING);
    await sp.getByTestId('action-receive_paper').click();
    await confirmPop(sp, '确认');
    await expect.poll(() => staffStatus(sp).textContent()).toContain('已收到纸质资料');
    // 纸质资料合格 waits for every original on the checklist to be ticked.
    expect(await sp.getByTestId('action-pass_paper').isDisabled()).toBe(true);
    await tickPaperChecklist(sp);
    await sp.getByTestId('action-pass_paper').click();
    await confirmPop(sp, '确认合格');
    await expect.poll(() => staffStatus(sp).textContent()).toContain('正在制证');
    await shot(sp, 'workflow-9-paper-passed-staff-1366');
    await shouli.context.close();

    await openApplicantOrder(page, orderId);
    expect(await headerTag(page).textContent()).toBe('正在受理 · 纸质资料合格，正在制证');
    expect(await page.getByTestId('paper-form').count()).toBe(0);
    const progress = (await page.getByTestId('order-progress').textContent()) ?? '';
    expect(progress).toContain('我司已收到纸质资料');
    expect(progress).toContain('原因：需补寄：营业执照复印件');
    expect(progress).toContain('纸质资料审核合格');

    // ——— 制证 ———
    // The impressions confirmed as the seal-image step records them (that step has its own browser tests): issuing
    // then makes the main key's seals, without which 发放 is refused (e2e/seal-joints.test.ts).
    await confirmTestImages(e.db, orderId);
    const zhizheng = await staffMember('zhizheng');
    await openStaffOrder(zhizheng.page, orderId);
    await zhizheng.page.getByTestId('action-produce').click();
    await zhizheng.page.getByRole('dialog').getByText('系统生成密钥').click();
    await zhizheng.page.getByTestId('p12-password').fill('Zhengshu2026!');
    await zhizheng.page.getByTestId('p12-password2').fill('Zhengshu2026!');
    await button(zhizheng.page.getByRole('dialog'), '签发证书').click();
    await expect.poll(() => zhizheng.page.getByTestId('produce-seals').textContent()).toContain('电子签章已制作');
    await zhizheng.page.getByTestId('download-p12').click();
    await button(zhizheng.page.getByRole('dialog'), '完成').click();
    await expect.poll(() => staffStatus(zhizheng.page).textContent()).toContain('制证完成');
    await zhizheng.context.close();

    await openApplicantOrder(page, orderId);
    expect(await headerTag(page).textContent()).toBe('制证完成');
    expect(await page.getByTestId('next-step-title').textContent()).toBe('等待寄出');

    // ——— 发放 by SF Express ———
    const fafang = await staffMember('fafang');
    const fp = fafang.page;
    await openStaffOrder(fp, orderId);
    // The ship form addresses the key to the corrected recipient.
    expect(await fp.getByTestId('ship-form').textContent()).toContain(PEOPLE.newAddress);
    await fp.getByLabel('顺丰运单号').fill(SHIP_TRACKING);
    await fp.getByTestId('action-ship').click();
    await expect.poll(() => staffStatus(fp).textContent()).toContain('已发放');
    await shot(fp, 'workflow-10-shipped-staff-1366');
    await fafang.context.close();

    // ——— 财务 issues the invoice with its PDF ———
    const invoiceBytes = await invoicePdf();
    const caiwu = await staffMember('caiwu');
    const cp = caiwu.page;
    await cp.goto('/staff/invoices');
    // Earliest deadline first, 50 at a time: on PostgreSQL the unit tests' due invoices share the database,
    // so 财务 pages on with 加载更多 until this order's shows.
    const issueButton = cp.getByTestId(`issue-${orderNo}`);
    await loadMoreUntil(cp, issueButton);
    await issueButton.click();
    const issue = cp.getByRole('dialog');
    await issue.getByLabel('发票号码').fill(INVOICE_NO);
    await issue
      .locator('input[type=file]')
      .setInputFiles({ name: `发票-${INVOICE_NO}.pdf`, mimeType: 'application/pdf', buffer: invoiceBytes });
    await settle(cp);
    await shot(cp, 'workflow-11-invoice-staff-1366');
    await issue.getByTestId('issue-file').click();
    await expect.poll(() => issue.count()).toBe(0);
    await caiwu.context.close();

    // ——— the applicant: 已发放, both tracking numbers, the invoice ———
    await openApplicantOrder(page, orderId);
    expect(await headerTag(page).textContent()).toBe('已发放');
    expect(await page.getByTestId('next-step-title').textContent()).toBe('查看顺丰运单');
    expect(await page.getByTestId('waybill-no').textContent()).toBe(SHIP_TRACKING);
    expect(await page.getByTestId('waybill-link').getAttribute('href')).toBe(sfTrackingUrl(SHIP_TRACKING));
    const inbound = (await page.getByTestId('paper-shipments').textContent()) ?? '';
    expect(inbound).toContain(PAPER_TRACKING);
    expect(inbound).toContain(RESEND_TRACKING);
    expect(await page.getByTestId('edit-recipient').count()).toBe(0);
    expect(await page.getByTestId('recipient').textContent()).toContain(PEOPLE.newAddress);
    expect(await page.getByTestId('invoice-status').textContent()).toBe('已开具');
    const [invoice] = await Promise.all([page.waitForEvent('download'), page.getByTestId('invoice-download').click()]);
    const downloaded = await readFile((await invoice.path())!);
    expect(downloaded.subarray(0, 5).toString('latin1')).toBe('%PDF-');
    expect(downloaded.equals(invoiceBytes)).toBe(true);
    const finalProgress = (await page.getByTestId('order-progress').textContent()) ?? '';
    for (const step of [
      '资料审核失败',
      '资料审核通过',
      '付款成功',
      '填写纸质资料快递单号',
      '证书制作完成',
      '证书已用顺丰到付寄出',
      '发票已开具',
    ])
      expect(finalProgress).toContain(step);
    expect(await fitsWidth(page)).toBe(true);
    await shot(page, 'workflow-12-shipped-phone');
    await page.goto('/orders');
    await page.getByTestId('orders-table').waitFor();
    expect(await page.locator(`.order-card[href="/orders/${orderId}"] [data-testid=status-tag]`).textContent()).toBe('已发放');

    // ——— the sandbox inbox: four SMS to the agent (审核失败, 审核通过, 纸质资料补寄, 已发放), and the invoice e-mail ———
    await page.goto(`/dev/inbox?phone=${PEOPLE.agent.mobile}`);
    const sms = page.locator('[data-testid=sms-item]');
    await expect.poll(() => sms.count(), { timeout: 20_000 }).toBe(4);
    const texts = (await sms.allTextContents()).join('\n');
    expect(texts).toContain(`订单${formatOrderNumber(orderNo)}资料审核失败`);
    expect(texts).toContain(`订单${formatOrderNumber(orderNo)}资料审核通过`);
    expect(texts).toContain(`订单${formatOrderNumber(orderNo)}纸质资料需补寄：营业执照复印件`);
    expect(texts).toContain(`运单号${SHIP_TRACKING}`);
    expect(await fitsWidth(page)).toBe(true);
    await shot(page, 'workflow-13-inbox-sms-phone');
    // The invoice e-mail reached the 发票接收邮箱 with the PDF attached, byte for byte as 财务 uploaded it.
    await page.goto(`/dev/inbox?tab=mail&to=${encodeURIComponent(PEOPLE.invoiceEmail)}`);
    const mail = page.locator('[data-testid=mail-item]');
    await expect.poll(() => mail.count(), { timeout: 20_000 }).toBe(1);
    expect(await mail.getByTestId('mail-subject').textContent()).toContain(formatOrderNumber(orderNo));
    expect(await mail.getByTestId('mail-text').textContent()).toContain(`发票号码：${INVOICE_NO}`);
    const attachment = mail.getByTestId('mail-attachment');
    expect(await attachment.textContent()).toContain(`江西CA发票_${formatOrderNumber(orderNo)}.pdf`);
    const attached = await page.evaluate(
      async (u) => Array.from(new Uint8Array(await (await fetch(u)).arrayBuffer())),
      (await attachment.getAttribute('href'))!,
    );
    expect(Buffer.from(attached).equals(invoiceBytes)).toBe(true);
    expect(await fitsWidth(page)).toBe(true);
    await shot(page, 'workflow-14-inbox-mail-phone');
    expect(applicant.errors.filter((m) => !m.includes('status of 409') && !m.includes('status of 400'))).toEqual([]);
    await applicant.context.close();
    // Seven people's browsers, two review rounds, PDF rendering and the outbox: room beyond vitest's 90 s on a busy machine.
  }, 180_000);
});
