/**
 * Where the paper goes and what goes in the envelope, through the real app: the order view and the pay page
 * carry the CA's receiving address (the default here: this file never changes the setting, which
 * paper-address.test.ts does on a database of its own), and GET /api/orders/:id/paper-checklist.pdf prints
 * exactly this order's originals with their seals, the order number large, the address and the seeds'
 * packing rules — for the order's own organization only.
 */
import { formatOrderNumber } from '../../core/order-number.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_PAPER_ADDRESS } from '../../core/paper-checklist.js';
import { orderRepository } from '../modules/orders/repository.js';
import { inspectPdf } from '../modules/templates/testing/inspect-pdf.js';
import { testApp, type TestApp, type TestClient } from '../testing/harness.js';
import { approvedOrder, newApplicant, paidOrder } from '../testing/paid-order.js';

let t: TestApp;
beforeAll(async () => {
  t = await testApp();
});
afterAll(() => t.close());

const flat = (s: string) => s.replace(/\s+/g, '');
const download = (c: TestClient, orderId: string) => c.get(`/api/orders/${orderId}/paper-checklist.pdf`);

describe('the receiving address', () => {
  it('is on the order page view and, once paid, on the pay page view', async () => {
    const o = await approvedOrder(t);
    const before = (await o.a.c.get(`/api/orders/${o.orderId}`)).json();
    expect(before.paper.mailTo).toEqual(DEFAULT_PAPER_ADDRESS);
    expect(before.paper.checklistAvailable).toBe(true);
    expect((await o.a.c.get(`/api/orders/${o.orderId}/payment`)).json().mailTo).toBeNull();

    const p = await paidOrder(t);
    expect((await p.a.c.get(`/api/orders/${p.orderId}/payment`)).json().mailTo).toEqual(DEFAULT_PAPER_ADDRESS);
    const view = (await p.a.c.get(`/api/orders/${p.orderId}`)).json();
    expect(view.paper.items.find((i: { code: string }) => i.code === 'seal-sheet').seals).toEqual([
      '公章原章',
      '法人章原章或法定代表人亲笔签字',
    ]);
  });
});

describe('GET /api/orders/:id/paper-checklist.pdf', () => {
  it('prints the order number, the address and exactly the main key’s originals with their seals and the packing rules', async () => {
    const o = await paidOrder(t);
    const res = await download(o.a.c, o.orderId);
    expect(res.statusCode, res.body).toBe(200);
    expect(res.headers['content-type']).toBe('application/pdf');
    // Named with the order number as people read it, like the application form and the invoice.
    expect(String(res.headers['content-disposition'])).toContain(`filename="paper-checklist-${formatOrderNumber(o.orderNo)}.pdf"`);
    expect(String(res.headers['content-disposition'])).toContain(encodeURIComponent(`邮寄资料清单-${formatOrderNumber(o.orderNo)}.pdf`));
    const pdf = await inspectPdf(res.rawPayload, 'route-paper-checklist-main');
    expect(pdf.stderr).toBe('');
    expect(pdf.pages).toHaveLength(1);
    for (const s of [
      '邮寄资料清单',
      formatOrderNumber(o.orderNo),
      '请在申请表左上角写明此订单编号',
      o.a.name,
      '江西省政府采购电子卖场',
      '主锁（含电子签章）',
      `寄往：${DEFAULT_PAPER_ADDRESS.address}`,
      `收件人：${DEFAULT_PAPER_ADDRESS.recipient}`,
      `电话：${DEFAULT_PAPER_ADDRESS.phone}`,
      '共5项',
      '1.申请表',
      '2.营业执照复印件',
      '3.经办人身份证复印件',
      '4.电子签章采集表',
      '5.法人授权委托书',
      '法人章原章或法定代表人亲笔签字',
      `在申请表左上角写明订单编号${formatOrderNumber(o.orderNo)}`,
      '左上角用回形针夹住',
      '顺丰快递或EMS',
    ])
      expect(pdf.flat).toContain(flat(s));
    // The order number big: the line that holds it alone.
    expect(pdf.text.split('\n').map((l) => l.trim())).toContain(formatOrderNumber(o.orderNo));
    expect(pdf.flat).not.toContain('入赣负责人');
  });

  it('leaves out the seal sheet for a 副锁 (副锁无印章，无需提供签章采集表)', async () => {
    const o = await paidOrder(t);
    await orderRepository.update(t.db, o.orderId, { keyType: 'sub' });
    const pdf = await inspectPdf((await download(o.a.c, o.orderId)).rawPayload, 'route-paper-checklist-sub');
    expect(pdf.flat).toContain('副锁（无电子签章）');
    expect(pdf.flat).toContain('共4项');
    expect(pdf.flat).toContain(flat('4. 法人授权委托书'));
    expect(pdf.flat).not.toContain('电子签章采集表');
  });

  it('is for the order’s own organization only: another organization gets 404, no one logged out gets it', async () => {
    const o = await paidOrder(t);
    const other = await newApplicant(t);
    const res = await download(other.c, o.orderId);
    expect(res.statusCode).toBe(404);
    expect(res.json().error.message).toBe('找不到该订单');
    expect(res.body).not.toContain(o.orderNo);
    expect((await download(t.client(), o.orderId)).statusCode).toBe(401);
  });

  it('waits for 资料审核通过, saying why', async () => {
    const o = await approvedOrder(t);
    expect(await orderRepository.setStatus(t.db, o.orderId, 'review_passed', 'submitted', t.clock.now())).toBeTruthy();
    const res = await download(o.a.c, o.orderId);
    expect(res.statusCode).toBe(409);
    expect(res.json().error.message).toMatch(/正在审核.*资料审核通过后才能打印邮寄资料清单/);
  });
});
