/**
 * 下载邮寄资料清单: the order's paper checklist as a PDF, from 资料审核通过 on (pay, then mail). The list is the
 * one 受理 checks the package against (paperListOf), the address the one the administrator set.
 */
import { formatOrderNumber } from '../../../core/order-number.js';
import { AppError } from '../../../core/errors.js';
import { mailingInstructions, PAPER_CHECKLIST_STATUSES } from '../../../core/paper-checklist.js';
import { STATUS_LABEL, type OrderStatus } from '../../../core/workflow.js';
import type { Clock } from '../../clock.js';
import type { Db } from '../../db/client.js';
import type { OrganizationRow } from '../accounts/repository.js';
import { catalogRepository } from '../catalog/repository.js';
import { paperListOf } from '../fulfilment/review-paper.js';
import { KEY_LABEL } from '../../../core/requirements.js';
import type { OrderRow } from '../orders/repository.js';
import { paperAddress } from '../settings/paper-address.js';
import { renderPaperChecklist } from './paper-checklist.js';
import type { PrintedTemplate } from './print-template.js';

export async function printPaperChecklist(deps: { db: Db; clock: Clock }, org: OrganizationRow, order: OrderRow): Promise<PrintedTemplate> {
  const status = order.status as OrderStatus;
  if (!PAPER_CHECKLIST_STATUSES.includes(status))
    throw new AppError('CONFLICT', `订单当前状态为“${STATUS_LABEL[status]}”，资料审核通过后才能打印邮寄资料清单`);
  const project = await catalogRepository.get(deps.db, order.projectCode);
  if (!project) throw new AppError('NOT_FOUND', '找不到该证书项目');
  const pdf = await renderPaperChecklist({
    // People read the dashed form (core/order-number.ts), on the page and in the file name alike.
    orderNo: formatOrderNumber(order.orderNo),
    unitName: org.name,
    projectName: project.name,
    keyLabel: KEY_LABEL[order.keyType],
    items: paperListOf(order),
    mailTo: await paperAddress(deps.db),
    rules: mailingInstructions(order.orderNo),
    generatedAt: deps.clock.now(),
  });
  const shownNo = formatOrderNumber(order.orderNo);
  return { pdf, fileName: `邮寄资料清单-${shownNo}.pdf`, asciiFileName: `paper-checklist-${shownNo}.pdf` };
}
