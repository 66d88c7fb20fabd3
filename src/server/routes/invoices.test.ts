/**
 * 发票 through the real app: 财务's list (due with deadlines and overdue flags, waiting, issued; keyset
 * pages), issuing with a PDF (stored encrypted, e-mailed once through the outbox and the sandbox SMTP
 * server, attachment byte-identical) or without, the refusals, and the applicant's download. Orders are
 * paid through the real entry point and produced through the real endpoints (testing/paid-order.ts).
 * On PostgreSQL all test files share one database: assertions are scoped to this file's own orders.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { PDFDocument, PDFName, PDFString } from '@cantoo/pdf-lib';
import { simpleParser } from 'mailparser';
import { ManualClock } from '../clock.js';
import { auditEvents, invoices, outbox, storedBlobs } from '../db/schema.js';
import { multipart, png } from '../modules/documents/test-images.js';
import { listInvoices } from '../modules/invoices/list-invoices.js';
import { testApp, type TestApp, type TestClient } from '../testing/harness.js';
import { ALL_PAPER_CHECKED, eventsOf, mailTo, newApplicant, paidOrder, staffMember, type TestOrder } from '../testing/paid-order.js';
import { formatOrderNumber } from '../../core/order-number.js';

const FRIDAY = new Date('2026-11-20T10:00:00+08:00');
const clock = new ManualClock(FRIDAY);
let t: TestApp;
let finance: TestClient;
let paper: TestClient;
let producer: TestClient;

beforeAll(async () => {
  t = await testApp({ clock });
  finance = (await staffMember(t, ['财务'], '孙财务')).c;
  paper = (await staffMember(t, ['受理'])).c;
  producer = (await staffMember(t, ['制证'])).c;
});
afterAll(() => t.close());
beforeEach(() => clock.set(FRIDAY));

/**
 * A real PDF (the active-content check parses it) carrying every byte value and random bytes in a stream:
 * base64 in the e-mail must carry them all.
 */
async function invoicePdf(dress: (doc: PDFDocument) => void | Promise<void> = () => {}): Promise<Buffer> {
  const doc = await PDFDocument.create();
  doc.addPage([595, 420]).drawText('Invoice 26362000000012345678', { x: 40, y: 360, size: 12 });
  const bytes = Buffer.concat([Buffer.from(Array.from({ length: 256 }, (_, i) => i)), randomBytes(4096)]);
  doc.catalog.set(PDFName.of('PieceInfo'), doc.context.register(doc.context.stream(bytes)));
  await dress(doc);
  return Buffer.from(await doc.save());
}

async function producedOrder(): Promise<TestOrder> {
  const o = await paidOrder(t);
  const step = (c: TestClient, p: string, body: unknown = {}) => c.post(`/api/staff/orders/${o.orderId}/${p}`, body);
  expect((await o.a.c.post(`/api/orders/${o.orderId}/paper-shipment`, { courier: 'SF', trackingNo: 'SF1000000000002' })).statusCode).toBe(
    201,
  );
  expect((await step(paper, 'paper/receive')).statusCode).toBe(200);
  expect((await step(paper, 'paper/pass', ALL_PAPER_CHECKED)).statusCode).toBe(200);
  expect((await step(producer, 'produce', { key: { kind: 'generate', password: 'Zhengshu2026!' } })).statusCode).toBe(200);
  return o;
}

function issueWithFile(o: TestOrder, invoiceNo: string, file: Buffer, c = finance, filename = '发票.pdf') {
  const { payload, headers } = multipart([{ filename, data: file, contentType: 'application/pdf' }], { invoiceNo });
  return c.request({
    method: 'POST',
    url: `/api/staff/invoices/${o.orderId}/issue`,
    payload,
    headers: { ...headers, 'x-csrf-token': c.csrf.staff! },
  });
}
const issueJson = (o: TestOrder, invoiceNo: string, c = finance) => c.post(`/api/staff/invoices/${o.orderId}/issue`, { invoiceNo });
const invoiceRow = async (o: TestOrder) => (await t.db.select().from(invoices).where(eq(invoices.orderId, o.orderId)))[0]!;
type Item = { orderId: string };

describe('发票任务列表 (财务)', () => {
  it('lists due invoices with the deadline (3 working days after 制证完成) and the order and unit', async () => {
    const o = await producedOrder();
    const res = await finance.get('/api/staff/invoices?status=due');
    expect(res.statusCode, res.body).toBe(200);
    expect(res.headers['cache-control']).toBe('no-store');
    // Other files' invoices may be listed too; page through to ours.
    let page = res.json();
    let mine = page.items.find((i: Item) => i.orderId === o.orderId);
    while (!mine && page.next) {
      page = (await finance.get(`/api/staff/invoices?status=due&after=${page.next}`)).json();
      mine = page.items.find((i: Item) => i.orderId === o.orderId);
    }
    expect(mine).toEqual({
      orderId: o.orderId,
      orderNo: o.orderNo,
      orderNoDisplay: `${o.orderNo.slice(0, 6)}-${o.orderNo.slice(6, 10)}-${o.orderNo.slice(10)}`,
      organizationName: o.a.name,
      amountFen: 22000,
      title: o.a.name,
      taxNumber: o.a.uscc,
      email: o.invoiceEmail,
      status: 'due',
      dueAt: '2026-11-25T16:00:00.000Z',
      overdue: false,
      issuedAt: null,
      invoiceNo: null,
    });
    // The day after the deadline it is overdue.
    const later = await listInvoices({ db: t.db, clock: new ManualClock(new Date('2026-11-26T09:00:00+08:00')) }, 'due', undefined, 1000);
    expect(later.items.find((i) => i.orderId === o.orderId)!.overdue).toBe(true);
  });

  it('lists paid orders not yet produced as waiting, and pages by keyset without repeating or skipping', async () => {
    const mine: string[] = [];
    for (let i = 0; i < 3; i++) {
      clock.set(new Date(FRIDAY.getTime() - (3 - i) * 60_000));
      mine.push((await paidOrder(t)).orderId);
    }
    const seen: { orderId: string }[] = [];
    let after: string | undefined;
    for (let n = 0; n < 1000; n++) {
      const page = await listInvoices({ db: t.db, clock }, 'waiting', after, 2);
      expect(page.items.length).toBeLessThanOrEqual(2);
      seen.push(...page.items);
      if (!page.next) break;
      after = page.next;
    }
    const ids = seen.map((s) => s.orderId);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids.filter((id) => mine.includes(id))).toEqual(mine);
    const waiting = (await finance.get('/api/staff/invoices?status=waiting')).json();
    expect(waiting.items.every((i: { status: string }) => i.status === 'waiting')).toBe(true);
  });

  it('refuses other roles, an unknown status and a broken cursor', async () => {
    for (const c of [paper, producer]) {
      const res = await c.get('/api/staff/invoices');
      expect(res.statusCode).toBe(403);
      expect(res.json().error.message).toMatch(/财务/);
    }
    expect((await finance.get('/api/staff/invoices?status=paid')).json().error.fields.status).toMatch(/due、waiting 或 issued/);
    const broken = await finance.get('/api/staff/invoices?status=due&after=not-a-cursor');
    expect(broken.statusCode).toBe(400);
    expect(broken.json().error.fields.after).toMatch(/分页参数不正确/);
  });
});

describe('开具发票 (财务) and the e-mail', () => {
  it('stores the PDF encrypted, marks it issued, and mails it once to the invoice address with the PDF byte-identical', async () => {
    const o = await producedOrder();
    const pdf = await invoicePdf();
    const res = await issueWithFile(o, '26362000000012345678', pdf);
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toMatchObject({
      invoice: { orderId: o.orderId, status: 'issued', invoiceNo: '26362000000012345678', hasFile: true, email: o.invoiceEmail },
      emailed: true,
    });
    const inv = await invoiceRow(o);
    expect(inv).toMatchObject({ status: 'issued', issuedAt: FRIDAY, invoiceNo: '26362000000012345678' });
    // At rest the file is ciphertext.
    const [atRest] = await t.db.select().from(storedBlobs).where(eq(storedBlobs.name, inv.storageKey!));
    expect(atRest!.bytes.subarray(0, 4).toString('latin1')).toBe('CDF1');
    expect(atRest!.bytes.includes(Buffer.from('%PDF-'))).toBe(false);
    // The outbox row refers to the stored file; it does not carry the bytes.
    const [row] = await t.db
      .select()
      .from(outbox)
      .where(eq(outbox.dedupeKey, `invoice:${o.orderId}`));
    expect(row).toMatchObject({ channel: 'email' });
    expect(JSON.stringify(row!.payload)).toContain(inv.storageKey!);
    expect(JSON.stringify(row!.payload).length).toBeLessThan(2000);

    const mails = await mailTo(t, o.invoiceEmail);
    expect(mails).toHaveLength(1);
    const mail = mails[0]!;
    expect(mail.subject).toBe(`江西CA数字证书发票（订单编号 ${formatOrderNumber(o.orderNo)}）`);
    expect(mail.text).toContain('发票号码：26362000000012345678');
    expect(mail.text).toContain('金额：220.00 元');
    expect(mail.attachments).toEqual([
      { filename: `江西CA发票_${formatOrderNumber(o.orderNo)}.pdf`, contentType: 'application/pdf', bytes: pdf.length },
    ]);
    const parsed = await simpleParser(mail.raw);
    expect(parsed.attachments).toHaveLength(1);
    expect(parsed.attachments[0]!.content.equals(pdf)).toBe(true);
    expect(parsed.from?.text).toMatch(/江西CA/);

    // The dev inbox lists it and hands out the same bytes.
    const inbox = (await t.client().get(`/api/dev/mail?to=${encodeURIComponent(o.invoiceEmail.toUpperCase())}`)).json().items;
    expect(inbox.map((m: { id: number }) => m.id)).toEqual([mail.id]);
    expect(inbox[0].raw).toBeUndefined();
    const download = await t.client().get(`/api/dev/mail/${mail.id}/attachments/0`);
    expect(download.statusCode).toBe(200);
    expect(download.rawPayload.equals(pdf)).toBe(true);
    expect((await t.client().get(`/api/dev/mail/${mail.id}/attachments/1`)).statusCode).toBe(404);

    // The order's timeline and audit log record it.
    expect(await eventsOf(t.db, o.orderId, 'order.invoice_issued')).toHaveLength(1);
    expect(await t.db.select().from(auditEvents).where(eq(auditEvents.targetId, o.orderId))).toEqual(
      expect.arrayContaining([expect.objectContaining({ action: 'invoice.issue' })]),
    );
  });

  it('refuses to issue again — with or without a file — and never mails twice', async () => {
    const o = await producedOrder();
    expect((await issueWithFile(o, '12345678', await invoicePdf())).statusCode).toBe(200);
    const again = await issueWithFile(o, '87654321', await invoicePdf());
    expect(again.statusCode).toBe(409);
    expect(again.json().error.message).toMatch(/发票已开具（发票号码 12345678），不能重复开具/);
    expect((await issueJson(o, '87654321')).statusCode).toBe(409);
    // Two colleagues at once: one wins.
    const twice = await producedOrder();
    const both = await Promise.all([issueJson(twice, '11111111'), issueJson(twice, '22222222')]);
    expect(both.map((r) => r.statusCode).sort()).toEqual([200, 409]);

    await mailTo(t, o.invoiceEmail);
    const mails = await mailTo(t, twice.invoiceEmail);
    expect(mails).toHaveLength(1);
    expect(await mailTo(t, o.invoiceEmail)).toHaveLength(1);
    expect((await invoiceRow(o)).invoiceNo).toBe('12345678');
    expect(
      await t.db
        .select()
        .from(outbox)
        .where(eq(outbox.dedupeKey, `invoice:${o.orderId}`)),
    ).toHaveLength(1);
  });

  it('marks issued without a file (JSON): the e-mail says so without an attachment, and there is nothing to download', async () => {
    const o = await producedOrder();
    const res = await issueJson(o, '12345679');
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json().invoice).toMatchObject({ status: 'issued', hasFile: false });
    const [mail] = await mailTo(t, o.invoiceEmail);
    expect(mail!.attachments).toEqual([]);
    expect(mail!.text).toContain('发票号码：12345679');
    expect(mail!.text).not.toContain('附件');
    const v = (await o.a.c.get(`/api/orders/${o.orderId}`)).json();
    expect(v.invoice).toMatchObject({ status: 'issued', downloadable: false, invoiceNo: '12345679' });
    expect((await o.a.c.get(`/api/orders/${o.orderId}/invoice.pdf`)).statusCode).toBe(404);
  });

  it.each<[string, () => Promise<Buffer>, RegExp]>([
    ['a PNG', () => png(), /PDF格式/],
    ['a file over 5 MB', async () => Buffer.concat([Buffer.from('%PDF-1.7\n'), Buffer.alloc(5 * 1024 * 1024)]), /不能超过5MB/],
    ['an empty file', async () => Buffer.alloc(0), /空的/],
  ])('refuses %s (400, in Chinese) and stores nothing', async (_label, make, message) => {
    const o = await producedOrder();
    const res = await issueWithFile(o, '12345678', await make());
    expect(res.statusCode).toBe(400);
    expect(res.json().error.fields.file).toMatch(message);
    expect(await invoiceRow(o)).toMatchObject({ status: 'due', storageKey: null });
  });

  it.each<[string, (doc: PDFDocument) => void | Promise<void>, RegExp]>([
    [
      'JavaScript run on opening',
      (d) =>
        d.catalog.set(PDFName.of('OpenAction'), d.context.register(d.context.obj({ S: 'JavaScript', JS: PDFString.of('app.alert(1)') }))),
      /^发票PDF含有(JavaScript脚本（\/JavaScript）|打开文件时自动执行的动作（\/OpenAction）)/,
    ],
    [
      'an embedded file',
      (d) => d.attach(Buffer.from('MZ'), 'setup.exe', { mimeType: 'application/octet-stream' }),
      /^发票PDF含有嵌入的文件/,
    ],
    [
      'a Launch action',
      (d) => d.getPage(0).node.set(PDFName.of('AA'), d.context.obj({ O: d.context.obj({ S: 'Launch', F: PDFString.of('cmd.exe') }) })),
      /^发票PDF含有(打开文件或页面时自动执行的动作（\/AA）|启动其他程序的动作（\/Launch）)/,
    ],
  ])('refuses a PDF with active content (%s): 400 naming it, nothing stored or mailed', async (_label, dress, message) => {
    const o = await producedOrder();
    const res = await issueWithFile(o, '12345678', await invoicePdf(dress));
    expect(res.statusCode).toBe(400);
    expect(res.json().error.fields.file).toMatch(message);
    expect(res.json().error.fields.file).toMatch(/不能保存或发送给客户；请从开票平台重新下载原版发票PDF后上传$/);
    expect(await invoiceRow(o)).toMatchObject({ status: 'due', storageKey: null });
    expect(
      await t.db
        .select()
        .from(outbox)
        .where(eq(outbox.dedupeKey, `invoice:${o.orderId}`)),
    ).toEqual([]);
  });

  it.each([
    ['no number', undefined],
    ['7 digits', '1234567'],
    ['letters', 'FP123456'],
    ['12 digits (the invoice code, not the number)', '036001900111'],
  ])('refuses an invoice number with %s', async (_label, invoiceNo) => {
    const o = await producedOrder();
    const res = invoiceNo === undefined ? await finance.post(`/api/staff/invoices/${o.orderId}/issue`, {}) : await issueJson(o, invoiceNo);
    expect(res.statusCode).toBe(400);
    expect(res.json().error.fields.invoiceNo).toMatch(/发票号码/);
    expect((await invoiceRow(o)).status).toBe('due');
  });

  it('is 财务 work (403), and an order not paid has no invoice to issue (404)', async () => {
    const o = await producedOrder();
    for (const c of [paper, producer]) {
      const res = await issueWithFile(o, '12345678', await invoicePdf(), c);
      expect(res.statusCode).toBe(403);
      expect(res.json().error.message).toMatch(/财务/);
    }
    expect((await invoiceRow(o)).status).toBe('due');
    const stranger = await newApplicant(t);
    const created = await stranger.c.post('/api/orders', { projectCode: 'gov-procurement', keyType: 'main', agree: true });
    const unpaid = await finance.post(`/api/staff/invoices/${created.json().order.id}/issue`, { invoiceNo: '12345678' });
    expect(unpaid.statusCode).toBe(404);
    expect(unpaid.json().error.message).toMatch(/付款后才开具发票/);
  });
});

describe('申请单位下载发票', () => {
  it('downloads the same PDF from its own order once issued (no-store); another organization gets 404', async () => {
    const o = await producedOrder();
    expect((await o.a.c.get(`/api/orders/${o.orderId}/invoice.pdf`)).statusCode).toBe(404);
    const pdf = await invoicePdf();
    expect((await issueWithFile(o, '12345680', pdf)).statusCode).toBe(200);
    const v = (await o.a.c.get(`/api/orders/${o.orderId}`)).json();
    expect(v.invoice).toMatchObject({ status: 'issued', downloadable: true, issuedAt: FRIDAY.toISOString() });
    const res = await o.a.c.get(`/api/orders/${o.orderId}/invoice.pdf`);
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('application/pdf');
    expect(res.headers['cache-control']).toBe('no-store');
    expect(res.headers['content-disposition']).toContain(
      `filename*=UTF-8''${encodeURIComponent(`江西CA发票_${formatOrderNumber(o.orderNo)}.pdf`)}`,
    );
    expect(res.rawPayload.equals(pdf)).toBe(true);

    const stranger = await newApplicant(t);
    const theirs = await stranger.c.get(`/api/orders/${o.orderId}/invoice.pdf`);
    expect(theirs.statusCode).toBe(404);
    expect(theirs.rawPayload.includes(pdf.subarray(0, 64))).toBe(false);
    expect((await t.client().get(`/api/orders/${o.orderId}/invoice.pdf`)).statusCode).toBe(401);
  });
});
