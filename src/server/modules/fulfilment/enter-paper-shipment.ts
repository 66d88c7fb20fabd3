/**
 * 上传快递单号 (seed 000 六: "用户邮寄出纸质资料后，请登录系统上传快递单号信息"): the applicant records the
 * courier and tracking number of the paper originals after paying — and again after staff asked by phone for
 * missing paper (纸质资料需补寄). Every number entered is kept; the latest is the one on its way.
 */
import { AppError } from '../../../core/errors.js';
import type { PaperShipmentBody } from '../../../core/fulfilment.js';
import { statusName, type OrderStatus } from '../../../core/workflow.js';
import type { Clock } from '../../clock.js';
import type { Db } from '../../db/client.js';
import type { OrganizationRow } from '../accounts/repository.js';
import { orderRepository } from '../orders/repository.js';
import { courierColumn, fulfilmentRepository, type ShipmentRow } from './repository.js';

/** Paid and waiting for the paper, or asked to send what was missing. */
export const PAPER_SHIPMENT_OPEN: readonly OrderStatus[] = ['paper_awaiting', 'paper_failed'];

export async function enterPaperShipment(
  deps: { db: Db; clock: Clock },
  org: OrganizationRow,
  orderId: string,
  body: PaperShipmentBody,
): Promise<ShipmentRow> {
  const now = deps.clock.now();
  return deps.db.transaction(async (tx) => {
    const order = (await orderRepository.lockById(tx, orderId))!;
    if (!PAPER_SHIPMENT_OPEN.includes(order.status as OrderStatus))
      throw new AppError(
        'CONFLICT',
        `订单当前状态为“${statusName(order.status)}”，现在不需要填写快递单号（付款后邮寄纸质资料时，或工作人员通知补寄时填写）`,
      );
    const courier = courierColumn(body.courier, body.courierName);
    const shipment = await fulfilmentRepository.addShipment(tx, {
      orderId: order.id,
      direction: 'inbound',
      courier,
      trackingNo: body.trackingNo,
      enteredByType: 'org',
      enteredById: org.id,
      at: now,
    });
    await orderRepository.addEvent(tx, {
      orderId: order.id,
      actorType: 'org',
      actorId: org.id,
      action: 'order.paper_shipment',
      detail: { shipmentId: shipment.id, courier: body.courier, courierName: body.courierName ?? null, trackingNo: body.trackingNo },
      public: true,
      at: now,
    });
    return shipment;
  });
}
