/**
 * The staff console's order page: everything about one order — the form, every uploaded file (replaced
 * ones too), the organization's other orders (the main/sub history), every event including staff-only
 * notes, shipments both ways, calls, the invoice task — and the buttons the caller's roles allow, from the
 * transition table. Opening it shows personal data, so each view is written to the audit log.
 */
import { courierDisplayName, sfTrackingUrl } from '../../../core/fulfilment.js';
import { AppError } from '../../../core/errors.js';
import { formatOrderNumber } from '../../../core/order-number.js';
import type { UnitType } from '../../../core/unit-types.js';
import { uploadSlots } from '../../../core/requirements.js';
import { availableActions, STATUS_LABEL, STATUS_STEP, type OrderStatus } from '../../../core/workflow.js';
import type { Db } from '../../db/client.js';
import { organizationRepository } from '../accounts/repository.js';
import { auditRepository } from '../audit/repository.js';
import { calendarRepository } from '../calendar/repository.js';
import { catalogRepository } from '../catalog/repository.js';
import type { RequestMeta } from '../deps.js';
import { guardRefusal } from '../orders/guards.js';
import { paperListOf } from '../fulfilment/review-paper.js';
import { KEY_LABEL } from '../../../core/requirements.js';
import { orderRepository, type OrderEventRow } from '../orders/repository.js';
import type { StaffActor } from '../staff/staff-accounts.js';
import { deadlineOf, isOverdue, workingDaysWaited } from './deadlines.js';
import { staffOrderRepository } from './repository.js';

type Deps = { db: Db; clock: { now(): Date } };

/** Slot names for files whose slot the order no longer asks for (the unit type or key changed after upload). */
const SLOT_LABELS: Record<string, string> = {
  'application-form': '数字证书用户申请表',
  'business-license': '营业执照（或其他证照）复印件',
  'agent-id-front': '经办人身份证（人像面）',
  'agent-id-back': '经办人身份证（国徽面）',
  'power-of-attorney': '法人授权委托书',
  'seal-sheet': '电子签章采集表',
  'appointment-letter': '入赣负责人任命书',
};

function actorNamer(staffNames: Map<string, string>, orgNames: Map<string, string>) {
  return (e: Pick<OrderEventRow, 'actorType' | 'actorId'>): string => {
    switch (e.actorType) {
      case 'staff':
        return (e.actorId && staffNames.get(e.actorId)) || '工作人员';
      case 'org':
        return (e.actorId && orgNames.get(e.actorId)) || '申请单位';
      case 'legal_person':
        return '法定代表人';
      default:
        return '系统';
    }
  };
}

export async function viewStaffOrder(deps: Deps, orderId: string, actor: StaffActor, meta: RequestMeta) {
  const { db } = deps;
  const order = await orderRepository.findById(db, orderId);
  if (!order) throw new AppError('NOT_FOUND', '找不到该订单');
  const now = deps.clock.now();
  await auditRepository.record(db, {
    actorType: 'staff',
    actorId: actor.id,
    action: 'order.view',
    targetType: 'order',
    targetId: order.id,
    detail: { orderNo: order.orderNo },
    ip: meta.ip,
    at: now,
  });

  const [org, project, docs, others, events, shipmentRows, callRows, invoice, cal] = await Promise.all([
    organizationRepository.findById(db, order.organizationId),
    catalogRepository.get(db, order.projectCode),
    staffOrderRepository.documents(db, order.id),
    staffOrderRepository.otherOrders(db, order.organizationId, order.id),
    orderRepository.events(db, order.id, false),
    staffOrderRepository.shipments(db, order.id),
    staffOrderRepository.calls(db, order.id),
    staffOrderRepository.invoice(db, order.id),
    calendarRepository.exceptions(db),
  ]);
  if (!org || !project) throw new AppError('NOT_FOUND', '找不到该订单');

  const staffIds = new Set<string>();
  const orgIds = new Set<string>();
  for (const e of events) {
    if (e.actorId && e.actorType === 'staff') staffIds.add(e.actorId);
    if (e.actorId && e.actorType === 'org') orgIds.add(e.actorId);
  }
  for (const s of shipmentRows) if (s.enteredByType === 'staff') staffIds.add(s.enteredById);
  const [staffNames, orgNames] = await Promise.all([
    staffOrderRepository.staffNames(db, [...staffIds]),
    staffOrderRepository.organizationNames(db, [...orgIds]),
  ]);
  const actorName = actorNamer(staffNames, orgNames);

  const status = order.status as OrderStatus;
  const { dueAt, overdue } = deadlineOf({ ...order, status, productionWorkingDays: project.productionWorkingDays }, now, cal);
  const slotOrder = uploadSlots({
    projectCode: order.projectCode,
    keyType: order.keyType,
    unitType: (order.form as { unit?: { unitType?: UnitType } }).unit?.unitType,
  });
  const slotRank = (slot: string) => {
    const i = slotOrder.findIndex((s) => s.code === slot);
    return i < 0 ? slotOrder.length : i;
  };
  const timestamps = {
    createdAt: order.createdAt,
    submittedAt: order.submittedAt,
    reviewedAt: order.reviewedAt,
    paidAt: order.paidAt,
    paperReceivedAt: order.paperReceivedAt,
    productionStartedAt: order.productionStartedAt,
    producedAt: order.producedAt,
    shippedAt: order.shippedAt,
    deletedAt: order.deletedAt,
    statusChangedAt: order.statusChangedAt,
  };

  return {
    order: {
      id: order.id,
      orderNo: order.orderNo,
      orderNoDisplay: formatOrderNumber(order.orderNo),
      status,
      statusLabel: STATUS_LABEL[status] ?? status,
      statusStep: STATUS_STEP[status] ?? null,
      waitingWorkingDays: workingDaysWaited(order.statusChangedAt, now, cal),
      projectCode: order.projectCode,
      projectName: project.name,
      keyType: order.keyType,
      keyLabel: KEY_LABEL[order.keyType],
      priceFen: project.keys.find((k) => k.keyType === order.keyType)?.priceFen ?? null,
      form: order.form,
      formVersion: order.formVersion,
      reviewRound: order.reviewRound,
      ...timestamps,
      timestamps,
      dueAt,
      overdue,
    },
    organization: { id: org.id, name: org.name, uscc: org.uscc, mobile: org.mobile },
    project: {
      code: project.code,
      name: project.name,
      legalCheckRequired: project.legalCheckRequired,
      productionWorkingDays: project.productionWorkingDays,
    },
    legalCheck: { required: project.legalCheckRequired, status: order.legalCheckStatus, at: order.legalCheckAt },
    documents: docs
      .map((d) => ({
        id: d.id,
        slot: d.slot,
        label: slotOrder.find((s) => s.code === d.slot)?.label ?? SLOT_LABELS[d.slot] ?? d.slot,
        uploadedAt: d.uploadedAt,
        replacedAt: d.replacedAt,
        bytes: d.bytes,
        width: d.width,
        height: d.height,
        originalName: d.originalName,
        current: d.replacedAt === null,
        fileUrl: `/api/staff/orders/${order.id}/documents/${d.id}/file`,
        thumbnailUrl: `/api/staff/orders/${order.id}/documents/${d.id}/thumbnail`,
      }))
      // The repository sorts by slot code and newest first; here the slots take the order the seeds list them in.
      .sort((a, b) => slotRank(a.slot) - slotRank(b.slot) || (a.slot < b.slot ? -1 : a.slot > b.slot ? 1 : 0)),
    keyHistory: others.map((o) => ({
      id: o.id,
      orderNo: o.orderNo,
      orderNoDisplay: formatOrderNumber(o.orderNo),
      projectCode: o.projectCode,
      projectName: o.projectName,
      keyType: o.keyType,
      keyLabel: KEY_LABEL[o.keyType],
      status: o.status,
      statusLabel: STATUS_LABEL[o.status as OrderStatus] ?? o.status,
      createdAt: o.createdAt,
    })),
    events: events.map((e) => ({
      id: e.id,
      action: e.action,
      actorType: e.actorType,
      actorName: actorName(e),
      fromStatus: e.fromStatus,
      toStatus: e.toStatus,
      toStatusLabel: e.toStatus ? (STATUS_LABEL[e.toStatus as OrderStatus] ?? e.toStatus) : null,
      reason: e.reason,
      detail: e.detail,
      public: e.public,
      at: e.at,
    })),
    shipments: shipmentRows.map((s) => ({
      id: s.id,
      direction: s.direction,
      courier: courierDisplayName(s.courier),
      trackingNo: s.trackingNo,
      trackingUrl: s.courier === 'SF' ? sfTrackingUrl(s.trackingNo) : null,
      enteredByType: s.enteredByType,
      enteredByName: s.enteredByType === 'staff' ? (staffNames.get(s.enteredById) ?? '工作人员') : org.name,
      at: s.at,
    })),
    calls: callRows.map(({ call, staffName }) => ({
      id: call.id,
      calledAt: call.calledAt,
      outcome: call.outcome,
      note: call.note,
      staffName: staffName ?? null,
      at: call.at,
    })),
    invoice: invoice
      ? {
          orderId: invoice.orderId,
          status: invoice.status,
          amountFen: invoice.amountFen,
          title: invoice.title,
          taxNumber: invoice.taxNumber,
          email: invoice.email,
          dueAt: invoice.dueAt,
          overdue: invoice.status !== 'issued' && isOverdue(invoice.dueAt, now),
          invoiceNo: invoice.invoiceNo,
          issuedAt: invoice.issuedAt,
          issuedBy: invoice.issuedBy,
          createdAt: invoice.createdAt,
          // Where the PDF is stored stays on the server; the page only needs to know there is one.
          hasFile: invoice.storageKey !== null,
        }
      : null,
    paperChecklist: paperChecklistOf(order, events, actorName),
    // A guarded action is offered with the reason it cannot be taken yet (the server refuses it all the same).
    actions: await Promise.all(
      availableActions(status, { kind: 'staff', roles: actor.roles }).map(async (t) => ({
        action: t.action,
        label: t.label,
        blocked: await guardRefusal(db, order, t.guard),
      })),
    ),
  };
}

/**
 * 受理's checklist: this order's originals with their seals, and the ticks of the last paper review (合格 or
 * 不合格), who made it and when — recorded on that event (review-paper.ts).
 */
function paperChecklistOf(order: Parameters<typeof paperListOf>[0], events: OrderEventRow[], actorName: ReturnType<typeof actorNamer>) {
  const last = events.filter((e) => e.action === 'order.pass_paper' || e.action === 'order.fail_paper').at(-1);
  const detail = last?.detail as { checked?: string[]; missing?: string[] } | undefined;
  return {
    items: paperListOf(order),
    lastReview: last
      ? {
          action: last.action as 'order.pass_paper' | 'order.fail_paper',
          checked: detail?.checked ?? [],
          missing: detail?.missing ?? [],
          by: actorName(last),
          at: last.at,
        }
      : null,
  };
}
