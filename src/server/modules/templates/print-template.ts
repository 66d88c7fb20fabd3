/**
 * 下载模板: builds one of the order's templates as a PDF. Only the templates the order needs; never for an
 * ended order (a deleted order's QR code must not be printed again); only once the order form holds the
 * data the template prints (a form with a wrong ID number must not go out on paper).
 *
 * Downloading the application form is recorded on the order (which unit name, USCC, project and key type
 * it carried — applicationFormIdentity — and when) with an `order.print_application_form` event, so the
 * order can tell the applicant to print a new one after any of those change (order-readiness.ts).
 */
import { AppError } from '../../../core/errors.js';
import type { z } from 'zod';
import { orderFinalSchema, orderFormProblems, type OrderDraft } from '../../../core/order-form.js';
import type { UnitType } from '../../../core/unit-types.js';
import { formatOrderNumber } from '../../../core/order-number.js';
import { OUT_OF_PROVINCE, uploadSlots } from '../../../core/requirements.js';
import { ENDED, STATUS_LABEL, type OrderStatus } from '../../../core/workflow.js';
import type { Clock } from '../../clock.js';
import type { Db } from '../../db/client.js';
import type { OrganizationRow } from '../accounts/repository.js';
import { catalogRepository } from '../catalog/repository.js';
import { legalToken } from '../orders/legal-token.js';
import { applicationFormIdentity } from '../orders/order-readiness.js';
import { KEY_LABEL } from '../../../core/requirements.js';
import { orderRepository, type OrderRow } from '../orders/repository.js';
import { renderApplicationForm } from './application-form.js';
import { renderAppointmentLetter } from './appointment-letter.js';
import { renderPowerOfAttorney } from './power-of-attorney.js';
import { applicationFormQrPayload } from './qr-payload.js';
import { renderSealSheet } from './seal-sheet.js';

export const TEMPLATE_NAMES = ['application-form', 'power-of-attorney', 'seal-sheet', 'appointment-letter'] as const;
export type TemplateName = (typeof TEMPLATE_NAMES)[number];

export const TEMPLATE_TITLES: Record<TemplateName, string> = {
  'application-form': '数字证书用户申请表',
  'power-of-attorney': '法人授权委托书',
  'seal-sheet': '电子签章采集表',
  'appointment-letter': '入赣负责人任命书',
};

/** Why an order has no such template (the 404 message). */
const NOT_NEEDED: Record<TemplateName, string> = {
  'application-form': '本订单不需要数字证书用户申请表',
  'power-of-attorney': '本订单不需要法人授权委托书',
  'seal-sheet': '副锁不含电子签章，不需要电子签章采集表',
  'appointment-letter': '只有“江西省住建厅外省企业”项目需要入赣负责人任命书',
};

/** The order-form fields each template prints; they must pass the submission rules first. */
const PRINTED_FIELDS: Record<TemplateName, string[]> = {
  'application-form': ['unit.address', 'agent'],
  'power-of-attorney': ['agent.name', 'agent.idNumber', 'agent.mobile'],
  'seal-sheet': ['inGanManager'],
  'appointment-letter': ['inGanManager'],
};

export interface PrintedTemplate {
  pdf: Uint8Array;
  /** The Chinese file name, with the order number. */
  fileName: string;
  /** An ASCII file name for clients that ignore filename*. */
  asciiFileName: string;
}

export interface PrintDeps {
  db: Db;
  clock: Clock;
  secret: string;
}

export async function printTemplate(
  deps: PrintDeps,
  org: OrganizationRow,
  order: OrderRow,
  name: TemplateName,
  baseUrl: string,
): Promise<PrintedTemplate> {
  const project = await catalogRepository.get(deps.db, order.projectCode);
  if (!project) throw new AppError('NOT_FOUND', '找不到该证书项目');
  const form = order.form as OrderDraft;
  const unitType = (form.unit?.unitType ?? 'enterprise') as UnitType;
  const outOfProvince = order.projectCode === OUT_OF_PROVINCE;
  const needed = uploadSlots({ projectCode: order.projectCode, keyType: order.keyType, unitType }).some((s) => s.template === name);
  if (!needed) throw new AppError('NOT_FOUND', NOT_NEEDED[name]);
  const status = order.status as OrderStatus;
  if (ENDED.includes(status))
    throw new AppError('CONFLICT', `订单${STATUS_LABEL[status]}，不能再下载模板；如需办理请重新申请（重新申请须重新下载全部模板）`);

  const now = deps.clock.now();
  const problems = orderFormProblems(form, { outOfProvince, today: () => now });
  const blocking = Object.entries(problems).filter(([path]) =>
    PRINTED_FIELDS[name].some((f) => path === f || path.startsWith(`${f}.`) || f.startsWith(`${path}.`)),
  );
  if (blocking.length)
    throw new AppError('CONFLICT', `请先完善订单信息，再下载${TEMPLATE_TITLES[name]}：${blocking.map(([, m]) => m).join('；')}`, {
      fields: Object.fromEntries(blocking),
    });

  const selfWord = unitType === 'enterprise' ? '我公司' : '我单位';
  // Printed as the submission rules normalize them: full-width digits, spaces, +86 and a lower-case x gone.
  const rules = orderFinalSchema({ outOfProvince, today: () => now }).shape;
  const agent = {
    name: normalized(rules.agent.shape.name, form.agent?.name),
    idNumber: normalized(rules.agent.shape.idNumber, form.agent?.idNumber),
    mobile: normalized(rules.agent.shape.mobile, form.agent?.mobile),
  };
  const inGanManagerName = form.inGanManager?.name?.trim() ?? '';
  let pdf: Uint8Array;
  let title = TEMPLATE_TITLES[name];
  // Printed as people see it everywhere (261207-7864-78599); the QR code carries the stored 15 digits.
  const shownNo = formatOrderNumber(order.orderNo);
  switch (name) {
    case 'application-form': {
      const identity = applicationFormIdentity(org, order);
      const qrPayload = applicationFormQrPayload(deps.secret, { orderNo: order.orderNo, formVersion: order.formVersion, identity });
      pdf = await renderApplicationForm({
        orderNo: shownNo,
        formVersion: order.formVersion,
        projectName: project.name,
        keyLabel: KEY_LABEL[order.keyType],
        unitName: org.name,
        uscc: org.uscc,
        address: normalized(rules.unit.shape.address, form.unit?.address),
        agent: { ...agent, email: normalized(rules.agent.shape.email, form.agent?.email) },
        qrPayload,
        generatedAt: now,
      });
      await recordPrint(deps, org, order, identity, qrPayload, now);
      break;
    }
    case 'power-of-attorney':
      pdf = await renderPowerOfAttorney({
        orderNo: shownNo,
        unitName: org.name,
        selfWord,
        agent,
        legalCheckUrl: project.legalCheckRequired ? `${baseUrl}/v/${legalToken(deps.secret, order.id, order.legalCheckNonce)}` : null,
        generatedAt: now,
      });
      break;
    case 'seal-sheet':
      if (outOfProvince) title = '电子签章采集表（外省企业）';
      pdf = await renderSealSheet({
        orderNo: shownNo,
        unitName: org.name,
        variant: outOfProvince ? 'out-of-province' : 'standard',
        inGanManagerName: outOfProvince ? inGanManagerName : undefined,
        generatedAt: now,
      });
      break;
    case 'appointment-letter':
      pdf = await renderAppointmentLetter({
        orderNo: shownNo,
        unitName: org.name,
        uscc: org.uscc,
        selfWord,
        inGanManagerName,
        generatedAt: now,
      });
      break;
  }
  return { pdf, fileName: `${title}-${shownNo}.pdf`, asciiFileName: `${name}-${shownNo}.pdf` };
}

/** A field's value after the rule's own normalization, or the trimmed input where the rule does not pass. */
function normalized(rule: z.ZodType, value: unknown): string {
  const r = rule.safeParse(value);
  if (r.success) return String(r.data);
  return typeof value === 'string' ? value.trim() : '';
}

/** The print record: what the form carried, and an event with the QR payload staff can check a paper against. */
async function recordPrint(deps: PrintDeps, org: OrganizationRow, order: OrderRow, identity: string, qr: string, at: Date): Promise<void> {
  await deps.db.transaction(async (tx) => {
    const updated = await orderRepository.recordApplicationFormPrint(tx, order.id, identity, at);
    // Deleted between reading the order and now: the form must not be handed out.
    if (!updated) throw new AppError('CONFLICT', '订单已删除或取消，不能再下载模板');
    await orderRepository.addEvent(tx, {
      orderId: order.id,
      actorType: 'org',
      actorId: org.id,
      action: 'order.print_application_form',
      detail: {
        formVersion: order.formVersion,
        unitName: org.name,
        uscc: org.uscc,
        projectCode: order.projectCode,
        keyType: order.keyType,
        qr,
      },
      // The applicant's 办理进度 lists it (下载申请表, with its time); the detail is never in the applicant's view.
      public: true,
      at,
    });
  });
}
