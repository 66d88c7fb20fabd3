/** The e-mail that carries an invoice to the 发票接收邮箱 (seeds 000/001: "证书发票…发送至发票接收人邮箱"). */
import { fenToYuanText } from '../../../core/money.js';
import { formatOrderNumber } from '../../../core/order-number.js';
import type { EmailPayload } from '../outbox/outbox.js';
import type { InvoiceRow } from './repository.js';

export const invoiceFilename = (orderNo: string) => `江西CA发票_${formatOrderNumber(orderNo)}.pdf`;

export function invoiceEmail(
  inv: Pick<InvoiceRow, 'email' | 'title' | 'taxNumber' | 'amountFen' | 'invoiceNo' | 'storageKey'>,
  order: { orderNo: string; projectName: string },
): EmailPayload {
  const lines = [
    `${inv.title}：`,
    '',
    `您好！贵单位在江西CA数字证书在线受理系统的订单 ${formatOrderNumber(order.orderNo)}（${order.projectName}）的发票已开具。`,
    '',
    `发票号码：${inv.invoiceNo}`,
    `发票抬头：${inv.title}`,
    `纳税人识别号：${inv.taxNumber}`,
    `金额：${fenToYuanText(inv.amountFen)} 元`,
    '',
    ...(inv.storageKey ? ['电子发票见本邮件附件（PDF）；登录系统后，在“我的订单”中也可以再次下载。', ''] : []),
    '如有疑问，请致电客服热线 400-800-1040。',
    '',
    '江西省数字证书有限公司',
    '（本邮件由系统自动发送，请勿直接回复。）',
  ];
  return {
    to: inv.email,
    subject: `江西CA数字证书发票（订单编号 ${formatOrderNumber(order.orderNo)}）`,
    text: lines.join('\n'),
    attachments: inv.storageKey
      ? [{ filename: invoiceFilename(order.orderNo), contentType: 'application/pdf', storageKey: inv.storageKey }]
      : [],
  };
}
