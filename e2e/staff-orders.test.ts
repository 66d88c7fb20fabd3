/**
 * The staff side of the order workflow in a real browser, on an order the test prepares through the
 * applicant's HTTP API (with a browser context's cookies): 预审 sends one document back with a preset
 * reason, the applicant replaces it and resubmits, 预审 sees what changed and approves; payment is
 * recorded directly (recordPayment, the entry point the payments module will call); 受理 receives the
 * paper, logs a call, fails it for a missing item and passes the re-sent paper (a colleague's stale page
 * gets the server's 409); 制证 produces; 发放 corrects the recipient and ships with an SF number; 财务
 * uploads the invoice PDF; the administrator edits the working-day calendar and an SMS template.
 * Screenshots at 1366 and 390 px.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import type { APIRequestContext, BrowserContext, Page } from 'playwright-core';
import sharp from 'sharp';
import { CAPTCHA, DESKTOP, PHONE, fitsWidth, newPage, shot, startE2E, type E2E } from './harness.js';
import { ADMIN_MENU, button, loadMoreUntil, menuItems, putOrderForm, staffLogin, tickPaperChecklist } from './page-api.js';
import { idCheckChar } from '../src/core/id-number.js';
import { sandboxMail } from '../src/server/db/schema.js';
import { recordPayment } from '../src/server/modules/fulfilment/record-payment.js';
import { orderRepository } from '../src/server/modules/orders/repository.js';
import { confirmTestImages } from '../src/server/modules/seals/testing.js';
import { newMobile, newUscc } from '../src/server/testing/harness.js';
import { smsFor } from '../src/server/testing/sms.js';

let e: E2E;
beforeAll(async () => {
  e = await startE2E();
});
afterAll(async () => {
  // The run's last file closes the shared server; vitest runs e2e files one by one in one process.
});

const id = (first17: string) => first17 + idCheckChar(first17);
const poll = <T>(fn: () => Promise<T> | T) => expect.poll(fn, { timeout: 15_000 });
/** Lets antd's open/close motion (modals, drawers, messages: about 0.3 s) finish before a screenshot. */
const settle = (page: Page) => page.waitForTimeout(400);

/** A scan-like PNG: a white page with a coloured band and a label. */
async function scanPng(label: string, color: string): Promise<Buffer> {
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="900" height="620"><rect width="900" height="620" fill="#fff"/><rect x="40" y="40" width="820" height="90" fill="${color}"/><text x="60" y="100" font-size="48" fill="#fff">${label}</text><circle cx="700" cy="420" r="120" fill="none" stroke="#d4380d" stroke-width="10"/></svg>`;
  return sharp(Buffer.from(svg)).png().toBuffer();
}

const UNIT = `江西受理流程测试有限公司${randomBytes(2).toString('hex')}`;
const AGENT = { name: '李晓红', idNumber: id('36012119920808462'), mobile: newMobile(), email: 'lixh@example.com' };
const INVOICE_EMAIL = `fapiao-${randomBytes(3).toString('hex')}@example.com`;

interface Applicant {
  request: APIRequestContext;
  orderId: string;
  orderNo: string;
  orderNoDisplay: string;
  uscc: string;
  post: Post;
  upload(slot: string, color: string, label?: string): Promise<void>;
}

type Post = (url: string, data?: unknown) => Promise<{ status: number; json: any }>; // eslint-disable-line @typescript-eslint/no-explicit-any

/** Registers an organization with the context's cookies; returns a poster that sends the CSRF token. */
async function register(request: APIRequestContext): Promise<{ uscc: string; post: Post; csrf: () => Promise<string> }> {
  const csrf = async () => ((await (await request.get('/api/session')).json()) as { csrfToken: string }).csrfToken;
  const post: Post = async (url, data) => {
    const r = await request.post(url, { data: data ?? {}, headers: { 'x-csrf-token': await csrf() } });
    return { status: r.status(), json: await r.json().catch(() => null) };
  };
  const { captchaId } = (await (await request.get('/api/captcha')).json()) as { captchaId: string };
  const uscc = newUscc();
  const reg = await post('/api/register', {
    name: UNIT,
    uscc,
    mobile: newMobile(),
    password: 'Staff2026flow',
    passwordConfirm: 'Staff2026flow',
    agree: true,
    captchaId,
    captchaAnswer: CAPTCHA,
  });
  expect(reg.status).toBe(201);
  return { uscc, post, csrf };
}

/** Registers an organization and takes a main-key order to 正在审核 through the applicant's API. */
async function prepareOrder(context: BrowserContext): Promise<Applicant> {
  const request = context.request;
  const { uscc, post, csrf } = await register(request);
  const created = await post('/api/orders', { projectCode: 'gov-procurement', keyType: 'main', agree: true });
  expect(created.status).toBe(201);
  const order = created.json.order as { id: string; orderNo: string; orderNoDisplay: string; formVersion: number };
  await putOrderForm(request, order, {
    unit: { address: '江西省南昌市红谷滩区卧龙路1000号', unitType: 'enterprise' },
    legalPerson: { name: '王建国', idNumber: id('36010219750315201'), mobile: newMobile() },
    agent: AGENT,
    invoice: { title: UNIT, taxNumber: uscc, email: INVOICE_EMAIL },
    recipient: { name: '李晓红', mobile: AGENT.mobile, address: '江西省南昌市东湖区八一大道88号三楼' },
  });
  // 下载申请表: the order remembers it was printed with today's data.
  expect((await request.get(`/api/orders/${order.id}/templates/application-form.pdf`)).status()).toBe(200);
  const upload = async (slot: string, color: string, label = slot) => {
    const r = await request.post(`/api/orders/${order.id}/documents/${slot}`, {
      multipart: { file: { name: `${slot}.png`, mimeType: 'image/png', buffer: await scanPng(label, color) } },
      headers: { 'x-csrf-token': await csrf() },
    });
    expect(r.status()).toBe(201);
  };
  const colors = ['#c8102e', '#1677ff', '#389e0d', '#d48806', '#722ed1', '#13c2c2'];
  const slots = ['application-form', 'business-license', 'agent-id-front', 'agent-id-back', 'power-of-attorney', 'seal-sheet'];
  for (const [i, slot] of slots.entries()) await upload(slot, colors[i]!);
  // 法人核验 is driven directly: its own browser test (legal-check.test.ts) plays the legal representative.
  await orderRepository.update(e.db, order.id, { legalCheckStatus: 'passed', legalCheckAt: new Date() });
  const submitted = await post(`/api/orders/${order.id}/submit`);
  expect(submitted.status).toBe(200);
  return { request, orderId: order.id, orderNo: order.orderNo, orderNoDisplay: order.orderNoDisplay, uscc, post, upload };
}

/** Finds the order in a queue by its number and opens it. */
async function openFromQueue(page: Page, status: string, a: Applicant) {
  await page.getByTestId(`queue-card-${status}`).click();
  await page.waitForURL(`**/staff/queue/${status}`);
  await page.getByLabel('搜索订单').fill(a.orderNo);
  await page.getByLabel('搜索订单').press('Enter');
  const link = page.getByTestId('order-list').getByRole('link', { name: a.orderNoDisplay });
  await poll(() => link.count()).toBe(1);
  await link.click();
  await page.waitForURL(`**/staff/orders/${a.orderId}`);
  await poll(() => page.getByTestId('order-no').textContent()).toBe(a.orderNoDisplay);
}

const statusText = (page: Page) => page.locator('[data-testid=order-header] [data-testid=staff-status]').textContent();
const events = (page: Page) => page.getByTestId('order-events').getByTestId('order-event');

describe('staff console: an order from 正在审核 to 已发放', () => {
  let a: Applicant;
  let applicantContext: BrowserContext;

  beforeAll(async () => {
    applicantContext = (await newPage(e, DESKTOP)).context;
    a = await prepareOrder(applicantContext);
  });
  afterAll(async () => {
    await applicantContext.close();
  });

  it('预审 opens the order from its queue, looks at the documents, and sends one back with a preset reason', async () => {
    const { page, context, errors } = await newPage(e, DESKTOP);
    await staffLogin(page, 'yushen');
    await poll(() => menuItems(page)).toEqual(['工作台', '待办队列', '订单查询', '证书登记簿', '单位查询']);
    // 工作台: the 预审 queue with its count.
    const card = page.getByTestId('queue-card-submitted');
    await poll(() => card.textContent()).toMatch(/正在审核.*待处理\d+/);
    expect(Number(/待处理(\d+)/.exec((await card.textContent())!)![1])).toBeGreaterThanOrEqual(1);
    await shot(page, 'staff-orders-dashboard-yushen-desktop');

    // The queue: oldest first, with the columns a reviewer works from.
    await page.getByTestId('queue-card-submitted').click();
    await page.waitForURL('**/staff/queue/submitted');
    const table = page.getByTestId('queue-table');
    await table.waitFor();
    const header = (await table.locator('thead').textContent()) ?? '';
    for (const h of ['订单编号', '单位名称', '统一社会信用代码', '证书项目', '已等待', '期限', '经办人']) expect(header).toContain(h);
    const row = table.getByRole('row').filter({ hasText: a.orderNoDisplay });
    // Oldest first, 50 at a time: on PostgreSQL the unit tests' submitted orders come before this one.
    await loadMoreUntil(page, row);
    const rowText = (await row.textContent()) ?? '';
    expect(rowText).toContain(UNIT);
    expect(rowText).toContain(a.uscc);
    expect(rowText).toContain('0 个工作日');
    expect(rowText).toContain(`${AGENT.mobile.slice(0, 3)}****${AGENT.mobile.slice(-4)}`);
    await shot(page, 'staff-orders-queue-desktop');
    // Search by the agent's mobile finds it too, and only it (the mobile is new to this run).
    const searched = page.waitForResponse((r) => new URL(r.url()).searchParams.get('q') === AGENT.mobile);
    await page.getByLabel('搜索订单').fill(AGENT.mobile);
    await page.getByLabel('搜索订单').press('Enter');
    expect((await searched).status()).toBe(200);
    await poll(() => table.locator('tbody tr.ant-table-row').count()).toBe(1);
    expect(await table.locator('tbody tr.ant-table-row').textContent()).toContain(a.orderNoDisplay);
    await table.getByRole('link', { name: a.orderNoDisplay }).click();
    await page.waitForURL(`**/staff/orders/${a.orderId}`);

    // The order page: header, the form in sections, the documents.
    await poll(() => page.getByTestId('order-no').textContent()).toBe(a.orderNoDisplay);
    expect(await statusText(page)).toBe('正在审核');
    const form = (await page.getByTestId('order-form').textContent()) ?? '';
    for (const s of ['单位信息', '法人信息', '经办人信息', '发票信息', '证书接收人信息', AGENT.idNumber, INVOICE_EMAIL])
      expect(form).toContain(s);
    expect(await page.getByTestId('key-rule').textContent()).toContain('本订单申请主锁');
    const gallery = page.getByTestId('document-gallery');
    await poll(() => gallery.locator('img').count()).toBe(6);

    // The viewer: zoom, rotate, and the ID card's two sides side by side.
    await page.getByTestId('doc-agent-id-front').click();
    const viewer = page.getByTestId('document-viewer');
    await viewer.waitFor();
    const left = page.getByTestId('viewer-pane-left');
    const zoom0 = await left.getByTestId('viewer-zoom').textContent();
    await left.getByRole('button', { name: '放大' }).click();
    await poll(() => left.getByTestId('viewer-zoom').textContent()).not.toBe(zoom0);
    await left.getByRole('button', { name: '向右旋转' }).click();
    expect(await left.getByTestId('viewer-image').getAttribute('data-rotation')).toBe('90');
    await page.getByTestId('viewer-compare').click();
    const right = page.getByTestId('viewer-pane-right');
    await right.waitFor();
    expect(await right.getByTestId('viewer-image').getAttribute('alt')).toBe('经办人身份证（国徽面）');
    expect(await left.getByTestId('viewer-image').getAttribute('alt')).toBe('经办人身份证（人像面）');
    await poll(() => right.getByTestId('viewer-image').evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth > 0)).toBe(
      true,
    );
    await settle(page);
    await shot(page, 'staff-orders-viewer-compare-desktop');
    await page.keyboard.press('Escape');
    await viewer.waitFor({ state: 'hidden' });

    // 预审: one document fails with a preset reason; the buttons follow the server's rules.
    const panel = page.getByTestId('review-panel');
    await panel.waitFor();
    expect(await page.getByTestId('review-approve').isDisabled()).toBe(true);
    expect(await page.getByTestId('review-reject').isDisabled()).toBe(true);
    const license = page.getByTestId('review-business-license');
    await license.getByText('不通过', { exact: true }).click();
    await button(panel, '其余全部通过').click();
    // A failure without a reason cannot be sent back yet.
    expect(await page.getByTestId('review-reject').isDisabled()).toBe(true);
    expect(await page.getByTestId('review-hint').textContent()).toContain('请为不通过的证件选择原因或填写说明');
    await license.getByLabel('营业执照复印件不通过原因').click();
    await page.locator('.ant-select-dropdown').getByText('复印件不清晰', { exact: true }).click();
    // The chosen reason shows as a tag in the select before the dropdown is closed (a busy machine renders late).
    await poll(() => license.locator('.ant-select-selection-item').filter({ hasText: '复印件不清晰' }).count()).toBe(1);
    await page.keyboard.press('Escape');
    await license.getByLabel('营业执照复印件说明').fill('执照右下角看不清，请重新复印扫描');
    expect(await page.getByTestId('review-approve').isDisabled()).toBe(true);
    expect(await page.getByTestId('review-reject').isDisabled()).toBe(false);
    await settle(page);
    await shot(page, 'staff-orders-review-reject-desktop');
    expect(await fitsWidth(page)).toBe(true);
    await page.getByTestId('review-reject').click();
    await poll(() => statusText(page)).toBe('资料审核失败');
    const reject = events(page).filter({ hasText: '预审退回修改' });
    await poll(() => reject.count()).toBe(1);
    expect(await reject.textContent()).toContain('复印件不清晰');
    expect(await reject.textContent()).toContain('演示预审员');
    expect(await page.getByTestId('review-panel').count()).toBe(0);
    // The agent's mobile got the 资料审核失败 SMS.
    const sms = await smsFor(e, AGENT.mobile, 1);
    expect(sms[0]!.text).toContain('资料审核失败');
    expect(errors).toEqual([]);
    await context.close();
  });

  it('after the applicant replaces the document, 预审 sees what changed, compares the versions and approves', async () => {
    await a.upload('business-license', '#595959', 'license-v2');
    expect((await a.post(`/api/orders/${a.orderId}/submit`)).status).toBe(200);

    const { page, context, errors } = await newPage(e, DESKTOP);
    await staffLogin(page, 'yushen');
    await openFromQueue(page, 'submitted', a);
    const panel = page.getByTestId('review-panel');
    await panel.waitFor();
    const license = page.getByTestId('review-business-license');
    await poll(() => license.textContent()).toContain('本轮已更换');
    expect(await license.textContent()).toContain('上一轮：不通过（复印件不清晰；执照右下角看不清，请重新复印扫描）');
    expect(await page.getByTestId('review-agent-id-front').textContent()).not.toContain('本轮已更换');
    expect(await page.getByTestId('form-changed').textContent()).toContain('重新提交时未修改订单信息');
    expect(await page.getByTestId('doc-business-license').textContent()).toContain('本轮已更换');

    // The replaced scan next to the one judged last round.
    await page.getByTestId('compare-business-license').click();
    const right = page.getByTestId('viewer-pane-right');
    await right.waitFor();
    expect(await right.textContent()).toContain('已更换的版本');
    expect(await page.getByTestId('viewer-pane-left').textContent()).toContain('当前版本');
    await settle(page);
    await shot(page, 'staff-orders-viewer-versions-desktop');
    await page.keyboard.press('Escape');

    await button(panel, '其余全部通过').click();
    expect(await page.getByTestId('review-approve').isDisabled()).toBe(false);
    // An order-level reason turns it into a rejection: approve is no longer possible.
    await page.getByLabel('订单退回原因').fill('主副锁选择错误');
    expect(await page.getByTestId('review-approve').isDisabled()).toBe(true);
    expect(await page.getByTestId('review-reject').isDisabled()).toBe(false);
    await page.getByLabel('订单退回原因').fill('');
    await settle(page);
    await shot(page, 'staff-orders-review-approve-desktop');
    await page.getByTestId('review-approve').click();
    await poll(() => statusText(page)).toBe('资料审核通过');
    await poll(() => events(page).filter({ hasText: '预审通过' }).count()).toBe(1);
    const sms = await smsFor(e, AGENT.mobile, 2);
    expect(sms[1]!.text).toContain('资料审核通过');
    expect(errors).toEqual([]);
    await context.close();
  });

  it('受理 receives the paper, logs a call, fails it for a missing item, then passes the re-sent paper; a stale page gets the 409', async () => {
    // 付款 is the payments module's; here it is recorded directly. The applicant then enters the tracking number.
    await recordPayment(
      e,
      a.orderId,
      { channel: 'wechat', amountFen: 22000, transactionId: `T${randomBytes(8).toString('hex')}` },
      new Date(),
    );
    expect((await a.post(`/api/orders/${a.orderId}/paper-shipment`, { courier: 'EMS', trackingNo: 'EA123456789CN' })).status).toBe(201);

    const { page, context, errors } = await newPage(e, DESKTOP);
    await staffLogin(page, 'shouli');
    await poll(() => menuItems(page)).toEqual(['工作台', '待办队列', '订单查询', '证书登记簿', '吊销申请', '柜台业务', '单位查询']);
    for (const s of ['paper_awaiting', 'paper_received', 'paper_failed']) await page.getByTestId(`queue-card-${s}`).waitFor();
    await shot(page, 'staff-orders-dashboard-shouli-desktop');
    await openFromQueue(page, 'paper_awaiting', a);
    expect(await statusText(page)).toBe('正在受理等待邮寄纸质资料');
    expect(await page.getByTestId('shipment-inbound').textContent()).toContain('EA123456789CN');

    await page.getByTestId('action-receive_paper').click();
    await button(page.locator('.ant-popconfirm'), '确认').click();
    await poll(() => statusText(page)).toBe('正在受理已收到纸质资料，正在审核');

    // 电话记录: time, outcome and note; staff only.
    const calls = page.getByTestId('call-log');
    await calls.getByText('无人接听', { exact: true }).click();
    await calls.getByLabel('备注').fill('上午拨打两次无人接听，下午再打');
    await page.getByTestId('call-submit').click();
    await poll(() => calls.getByTestId('call').count()).toBe(1);
    expect(await calls.getByTestId('call').textContent()).toMatch(/无人接听.*演示受理员.*上午拨打两次无人接听/);
    const callEvent = events(page).filter({ hasText: '电话记录' });
    await poll(() => callEvent.count()).toBe(1);
    expect(await callEvent.getByTestId('staff-only').count()).toBe(1);

    // 纸质资料不合格: pick what is missing from this order's paper list.
    await page.getByTestId('action-fail_paper').click();
    const dialog = page.getByRole('dialog');
    const list = (await dialog.textContent()) ?? '';
    for (const item of ['申请表', '营业执照复印件', '经办人身份证复印件', '电子签章采集表', '法人授权委托书']) expect(list).toContain(item);
    expect(list).not.toContain('入赣负责人任命书');
    await button(dialog, '确认并通知补寄').click();
    await poll(() => dialog.getByText('请至少选择一项需要补寄的资料').count()).toBe(1);
    await dialog.getByTestId('missing-business-license').click();
    await dialog.getByLabel('说明（经办人可见）').fill('营业执照复印件未加盖公章原章');
    await settle(page);
    await shot(page, 'staff-orders-paper-fail-desktop');
    await button(dialog, '确认并通知补寄').click();
    await poll(() => statusText(page)).toBe('正在受理纸质资料需补寄');
    const failEvent = events(page).filter({ hasText: '纸质资料不合格' });
    await poll(() => failEvent.count()).toBe(1);
    expect(await failEvent.textContent()).toContain('需补寄：营业执照复印件。营业执照复印件未加盖公章原章');
    const sms = await smsFor(e, AGENT.mobile, 3);
    expect(sms[2]!.text).toContain('营业执照复印件');

    // The phoned agent re-sends; 受理 receives and passes it. A colleague's page, opened before, is stale.
    await calls.getByText('已接通', { exact: true }).click();
    await calls.getByLabel('备注').fill('已通知补寄营业执照复印件');
    await page.getByTestId('call-submit').click();
    await poll(() => calls.getByTestId('call').count()).toBe(2);
    await page.getByTestId('action-receive_paper').click();
    await button(page.locator('.ant-popconfirm'), '确认').click();
    await poll(() => statusText(page)).toBe('正在受理已收到纸质资料，正在审核');

    const colleague = await newPage(e, DESKTOP);
    await staffLogin(colleague.page, 'shouli');
    await colleague.page.goto(`/staff/orders/${a.orderId}`);
    await colleague.page.getByTestId('action-pass_paper').waitFor();

    await tickPaperChecklist(page);
    await page.getByTestId('action-pass_paper').click();
    await button(page.locator('.ant-popconfirm'), '确认合格').click();
    await poll(() => statusText(page)).toBe('正在受理纸质资料合格，正在制证');
    await shot(page, 'staff-orders-paper-passed-desktop');

    await tickPaperChecklist(colleague.page);
    await colleague.page.getByTestId('action-pass_paper').click();
    await button(colleague.page.locator('.ant-popconfirm'), '确认合格').click();
    const conflict = colleague.page.getByTestId('conflict');
    await poll(() => conflict.count()).toBe(1);
    expect(await conflict.textContent()).toMatch(/操作未执行.+页面已刷新为订单的最新状态/);
    await poll(() => statusText(colleague.page)).toBe('正在受理纸质资料合格，正在制证');
    expect(await colleague.page.getByTestId('action-pass_paper').count()).toBe(0);
    await settle(colleague.page);
    await shot(colleague.page, 'staff-orders-conflict-desktop');
    expect(colleague.errors.filter((m) => !/status of 409/.test(m))).toEqual([]);
    await colleague.context.close();
    expect(errors).toEqual([]);
    await context.close();
  });

  it('制证 records the certificate and seal as made', async () => {
    // The impressions confirmed first, as the seal-image step records it (e2e/seal-images.test.ts drives that
    // step; e2e/seal-joints.test.ts the other order: issue first, confirm after): issuing then makes the seals.
    await confirmTestImages(e.db, a.orderId);
    const { page, context, errors } = await newPage(e, DESKTOP);
    await staffLogin(page, 'zhizheng');
    await openFromQueue(page, 'in_production', a);
    // The due date of production (2 working days for this project) shows in the header.
    expect(await page.getByTestId('order-header').textContent()).toMatch(/\d\d-\d\d \d\d:\d\d 前|已超期/);
    await page.getByTestId('action-produce').click();
    const dialog = page.getByRole('dialog');
    expect(await dialog.textContent()).toContain('签发本订单的数字证书（主锁：印模已确认的，签发时一并制作电子签章）。');
    // 系统生成密钥: the server issues and answers once with the PKCS#12 (the CSR way: e2e/certificates.test.ts).
    await dialog.getByText('系统生成密钥').click();
    await page.getByTestId('p12-password').fill('Zhengshu2026!');
    await page.getByTestId('p12-password2').fill('Zhengshu2026!');
    await settle(page);
    await shot(page, 'staff-orders-produce-desktop');
    await button(dialog, '签发证书').click();
    await page.getByTestId('produce-result').waitFor();
    expect(await page.getByTestId('produce-seals').textContent()).toContain('已按确认的印模制作 3 枚电子签章');
    await page.getByTestId('download-p12').click();
    await button(page.getByRole('dialog'), '完成').click();
    await poll(() => statusText(page)).toBe('制证完成');
    await poll(() => events(page).filter({ hasText: '制证完成' }).count()).toBe(1);
    // The issued certificate shows on the order, with a way to its entry in the registry.
    const cert = page.getByTestId('order-certificate');
    await poll(() => cert.count()).toBe(1);
    expect(await cert.textContent()).toContain('有效');
    expect((await page.getByTestId('order-certificate-serial').textContent())!.replace(/[\s:]/g, '')).toMatch(/^[0-9A-F]{18,}$/);
    await cert.getByRole('link', { name: '在证书登记簿中查看' }).click();
    await page.waitForURL(/\/staff\/certificates\/[0-9a-f-]{36}$/);
    expect(errors).toEqual([]);
    await context.close();
  });

  it('发放 corrects the recipient with a reason and ships with a checked SF number', async () => {
    const { page, context, errors } = await newPage(e, DESKTOP);
    await staffLogin(page, 'fafang');
    await openFromQueue(page, 'produced', a);

    // 更正收件信息: the reason is required; the change is recorded staff-side.
    await page.getByTestId('recipient-edit').click();
    const dialog = page.getByRole('dialog');
    await dialog.waitFor();
    // Let the modal's opening motion finish before typing and pressing its button.
    await settle(page);
    await dialog.getByLabel('收件地址').fill('江西省南昌市青山湖区北京东路1号');
    await poll(() => dialog.getByLabel('收件地址').inputValue()).toBe('江西省南昌市青山湖区北京东路1号');
    await button(dialog, '确认更正').click();
    await poll(() => dialog.getByText('请填写更正原因').count()).toBe(1);
    await dialog.getByLabel('更正原因').fill('经办人来电，单位已搬迁');
    await button(dialog, '确认更正').click();
    await poll(() => page.getByTestId('order-form').textContent()).toContain('江西省南昌市青山湖区北京东路1号');
    const fix = events(page).filter({ hasText: '工作人员更正收件信息' });
    await poll(() => fix.count()).toBe(1);
    expect(await fix.textContent()).toContain('原因：经办人来电，单位已搬迁');
    expect(await fix.getByTestId('staff-only').count()).toBe(1);

    // 发放: a malformed number is refused in the page; a good one ships.
    const ship = page.getByTestId('ship-form');
    await ship.getByLabel('顺丰运单号').fill('SF12345');
    await page.getByTestId('action-ship').click();
    await poll(() => ship.getByText(/顺丰运单号格式不正确/).count()).toBe(1);
    await settle(page);
    await shot(page, 'staff-orders-ship-desktop');
    await ship.getByLabel('顺丰运单号').fill('sf 1234567890123');
    await page.getByTestId('action-ship').click();
    await poll(() => statusText(page)).toBe('已发放');
    const out = page.getByTestId('shipment-outbound');
    await poll(() => out.count()).toBe(1);
    expect(await out.textContent()).toContain('SF1234567890123');
    expect(await out.getByRole('link', { name: 'SF1234567890123' }).getAttribute('href')).toContain('sf-express.com');
    const sms = await smsFor(e, AGENT.mobile, 4);
    expect(sms[3]!.text).toContain('SF1234567890123');
    expect(await page.getByTestId('no-actions').textContent()).toContain('已发放');
    await shot(page, 'staff-orders-shipped-desktop');
    expect(await fitsWidth(page)).toBe(true);
    expect(errors).toEqual([]);
    await context.close();
  });

  it('财务 sees the due invoice and uploads the invoice PDF, which is e-mailed', async () => {
    const { page, context, errors } = await newPage(e, DESKTOP);
    await staffLogin(page, 'caiwu');
    await poll(() => menuItems(page)).toEqual(['工作台', '订单查询', '收款对账', '发票', '证书登记簿', '柜台业务', '单位查询']);
    await page.getByTestId('queue-card-invoices').waitFor();
    await shot(page, 'staff-orders-dashboard-caiwu-desktop');
    await page.getByTestId('queue-card-invoices').click();
    await page.waitForURL('**/staff/invoices');
    const row = page.getByTestId('invoice-table').getByRole('row').filter({ hasText: a.orderNoDisplay });
    // Oldest first, 50 at a time: on PostgreSQL the unit tests' due invoices share the database and come
    // before this one, so 财务 pages on with 加载更多 until it shows (a busy clerk's list looks the same).
    await page.getByTestId('invoice-table').waitFor();
    await loadMoreUntil(page, row);
    expect(await row.textContent()).toContain('220.00元');
    expect(await row.textContent()).toContain(INVOICE_EMAIL);
    await shot(page, 'staff-orders-invoices-desktop');
    await page.getByTestId(`issue-${a.orderNo}`).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByLabel('发票号码').fill('1234');
    await page.getByTestId('issue-file').click();
    await poll(() => dialog.getByText('发票号码应为8位数字，或20位数字（数电发票）').count()).toBe(1);
    const invoiceNo = String(10_000_000 + Math.floor(Math.random() * 89_999_999));
    await dialog.getByLabel('发票号码').fill(invoiceNo);
    const pdf = Buffer.from('%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n');
    await dialog.locator('input[type=file]').setInputFiles({ name: '发票.pdf', mimeType: 'application/pdf', buffer: pdf });
    await poll(() => dialog.getByText('发票.pdf').count()).toBe(1);
    await settle(page);
    await shot(page, 'staff-orders-invoice-issue-desktop');
    await page.getByTestId('issue-file').click();
    await dialog.waitFor({ state: 'hidden' });
    await poll(() => row.count()).toBe(0);

    await page.getByRole('tab', { name: '已开具' }).click();
    const issued = page.getByTestId('invoice-table').getByRole('row').filter({ hasText: a.orderNoDisplay });
    await poll(() => issued.count()).toBe(1);
    expect(await issued.textContent()).toContain(invoiceNo);
    // The invoice e-mail reaches the invoice address with the PDF attached.
    await poll(async () => {
      await e.outbox.runOnce();
      return (await e.db.select().from(sandboxMail).where(eq(sandboxMail.to, INVOICE_EMAIL))).length;
    }).toBe(1);
    const [mail] = await e.db.select().from(sandboxMail).where(eq(sandboxMail.to, INVOICE_EMAIL));
    expect(mail!.attachments.map((x) => x.contentType)).toContain('application/pdf');
    expect(errors).toEqual([]);
    await context.close();
  });

  it('works at 390 px: dashboard, queue, order page with viewer, invoices', async () => {
    const { page, context, errors } = await newPage(e, PHONE);
    await staffLogin(page, 'fafang');
    await page.getByTestId('dashboard-queues').waitFor();
    await shot(page, 'staff-orders-dashboard-phone');
    expect(await fitsWidth(page)).toBe(true);
    await page.goto('/staff/orders');
    await page.getByLabel('搜索订单').fill(a.orderNoDisplay);
    await page.getByLabel('搜索订单').press('Enter');
    const card = page.getByTestId('queue-cards').getByTestId('queue-card');
    await poll(() => card.count()).toBe(1);
    expect(await card.textContent()).toContain('已发放');
    await shot(page, 'staff-orders-search-phone');
    expect(await fitsWidth(page)).toBe(true);
    await card.click();
    await page.waitForURL(`**/staff/orders/${a.orderId}`);
    await poll(() => page.getByTestId('document-gallery').locator('img').count()).toBe(6);
    await shot(page, 'staff-orders-order-phone');
    expect(await fitsWidth(page)).toBe(true);
    await page.getByTestId('doc-agent-id-front').click();
    await page.getByTestId('viewer-compare').click();
    await page.getByTestId('viewer-pane-right').waitFor();
    await settle(page);
    await shot(page, 'staff-orders-viewer-phone');
    expect(await fitsWidth(page)).toBe(true);
    await page.keyboard.press('Escape');
    expect(errors).toEqual([]);
    await context.close();

    // 预审 on a phone: a fresh order in the queue, the review form.
    const other = await newPage(e, PHONE);
    const b = await prepareOrder((await newPage(e, DESKTOP)).context);
    await staffLogin(other.page, 'yushen');
    await other.page.getByTestId('queue-card-submitted').click();
    await other.page.getByLabel('搜索订单').fill(b.orderNo);
    await other.page.getByLabel('搜索订单').press('Enter');
    const qc = other.page.getByTestId('queue-cards').getByTestId('queue-card');
    await poll(() => qc.count()).toBe(1);
    await shot(other.page, 'staff-orders-queue-phone');
    expect(await fitsWidth(other.page)).toBe(true);
    await qc.click();
    await other.page.getByTestId('review-panel').waitFor();
    await other.page.getByTestId('review-seal-sheet').getByText('不通过', { exact: true }).click();
    await settle(other.page);
    await shot(other.page, 'staff-orders-review-phone');
    expect(await fitsWidth(other.page)).toBe(true);
    expect(other.errors).toEqual([]);
    await other.context.close();

    const finance = await newPage(e, PHONE);
    await staffLogin(finance.page, 'caiwu');
    await finance.page.goto('/staff/invoices?status=issued');
    await poll(() => finance.page.getByTestId('invoice-cards').count()).toBe(1);
    await shot(finance.page, 'staff-orders-invoices-phone');
    expect(await fitsWidth(finance.page)).toBe(true);
    expect(finance.errors).toEqual([]);
    await finance.context.close();
  });
});

describe('订单查询', () => {
  it('finds every order of a unit by its USCC, drafts included, 50 at a time with 加载更多', async () => {
    const applicant = await newPage(e, DESKTOP);
    const { uscc, post } = await register(applicant.context.request);
    // The first order takes the main key; every further one can only be a sub key.
    for (let i = 0; i < 52; i++)
      expect((await post('/api/orders', { projectCode: 'gov-procurement', keyType: i === 0 ? 'main' : 'sub', agree: true })).status).toBe(
        201,
      );
    await applicant.context.close();

    const { page, context, errors } = await newPage(e, DESKTOP);
    await staffLogin(page, 'zhizheng');
    await page.getByRole('menuitem', { name: '订单查询' }).click();
    await page.waitForURL('**/staff/orders');
    await page.getByLabel('搜索订单').fill(uscc);
    await page.getByLabel('搜索订单').press('Enter');
    const rows = page.getByTestId('queue-table').locator('tbody tr.ant-table-row');
    await poll(() => rows.count()).toBe(50);
    expect(await rows.first().textContent()).toContain('草稿');
    await button(page, '加载更多').click();
    await poll(() => rows.count()).toBe(52);
    expect(await page.getByText('共 52 个订单，已全部显示').count()).toBe(1);
    expect(await button(page, '加载更多').count()).toBe(0);
    // Newest first: the main-key order, made first, is last.
    expect(await rows.last().textContent()).toContain('主锁');
    expect(await rows.first().textContent()).toContain('副锁');
    await shot(page, 'staff-orders-search-desktop');
    expect(await fitsWidth(page)).toBe(true);
    expect(errors).toEqual([]);
    await context.close();
  });
});

describe('系统设置 (管理员)', () => {
  it('adds and removes calendar days, edits an SMS template and restores its default', async () => {
    const { page, context, errors } = await newPage(e, DESKTOP);
    await staffLogin(page, 'admin');
    await poll(() => menuItems(page)).toEqual(ADMIN_MENU);
    await page.getByRole('menuitem', { name: '系统设置' }).click();
    await page.waitForURL('**/staff/settings');

    // 工作日历: a year far ahead, so other tests' deadlines are untouched; a two-day holiday, then remove one day.
    const cal = page.getByTestId('calendar-settings');
    await cal.waitFor();
    const year = new Date().getFullYear() + 2;
    await cal.getByLabel('年份').click();
    const yearLoaded = page.waitForResponse((r) => r.url().endsWith(`/api/staff/calendar?year=${year}`));
    await page.locator('.ant-select-dropdown').getByText(`${year}年`, { exact: true }).click();
    await yearLoaded;
    await poll(() => cal.getByTestId('calendar-days').count()).toBe(1);
    const picker = page.getByTestId('calendar-add');
    await picker.getByPlaceholder('开始日期').fill(`${year}-03-16`);
    await picker.getByPlaceholder('结束日期').fill(`${year}-03-17`);
    await picker.getByPlaceholder('结束日期').press('Enter');
    await picker.getByLabel('名称').fill('测试假日');
    await button(picker, '登记').click();
    const rows = cal.getByTestId('calendar-days').getByRole('row').filter({ hasText: '测试假日' });
    await poll(() => rows.count()).toBe(2);
    expect(await rows.first().textContent()).toContain('放假');
    await shot(page, 'staff-settings-calendar-desktop');
    await cal.getByRole('button', { name: `删除${year}-03-17` }).click();
    await button(page.locator('.ant-popconfirm'), '删除').click();
    await poll(() => rows.count()).toBe(1);
    await cal.getByRole('button', { name: `删除${year}-03-16` }).click();
    await button(page.locator('.ant-popconfirm'), '删除').click();
    await poll(() => rows.count()).toBe(0);

    // 短信模板: a placeholder may not be dropped; an edit saves; 恢复默认 restores the default text.
    await page.getByRole('tab', { name: '短信模板' }).click();
    const tpl = page.getByTestId('sms-shipped');
    await tpl.waitFor();
    expect(await tpl.textContent()).toContain('${trackingNo}');
    expect(await tpl.textContent()).toContain('顺丰运单号');
    const text = tpl.getByLabel('短信内容');
    const original = await text.inputValue();
    await text.fill('您的数字证书订单${orderNo}已寄出。');
    await button(tpl, '保存').click();
    await poll(() => tpl.textContent()).toContain('缺少占位符：${trackingNo}');
    await text.fill('您的数字证书订单${orderNo}已用顺丰到付寄出，运单号${trackingNo}，请留意查收。');
    await button(tpl, '保存').click();
    await poll(() => tpl.locator('.ant-card-head').textContent()).toBe('证书已寄出（顺丰）已修改');
    expect(await tpl.textContent()).toContain(
      '示例：您的数字证书订单260101-0001-00001已用顺丰到付寄出，运单号SF1234567890123，请留意查收。',
    );
    await shot(page, 'staff-settings-sms-desktop');
    await button(tpl, '恢复默认').click();
    await button(page.locator('.ant-popconfirm'), '恢复').click();
    await poll(() => tpl.locator('.ant-card-head').textContent()).toBe('证书已寄出（顺丰）默认');
    await poll(() => tpl.getByLabel('短信内容').inputValue()).toBe(original);
    expect(errors.filter((m) => !/status of 400/.test(m))).toEqual([]);

    // On a phone (loaded at that width, so the text areas size themselves to it).
    await page.setViewportSize(PHONE);
    await page.reload();
    await page.getByTestId('calendar-settings').waitFor();
    await shot(page, 'staff-settings-calendar-phone');
    expect(await fitsWidth(page)).toBe(true);
    await page.getByRole('tab', { name: '短信模板' }).click();
    await page.getByTestId('sms-shipped').waitFor();
    await settle(page);
    await shot(page, 'staff-settings-sms-phone');
    expect(await fitsWidth(page)).toBe(true);
    await context.close();
  });
});
