/**
 * What an order still lacks before it can be submitted — the one place that decides, used both for the
 * submit button's text and by the submit use case itself.
 */
import { orderFormProblems, type OrderDraft } from '../../../core/order-form.js';
import type { UnitType } from '../../../core/unit-types.js';
import { OUT_OF_PROVINCE, uploadSlots, type UploadSlot } from '../../../core/requirements.js';
import { normalizeIdNumber } from '../../../core/id-number.js';
import { normalizeMobile } from '../../../core/mobile.js';
import type { CatalogProject } from '../catalog/repository.js';
import type { OrganizationRow } from '../accounts/repository.js';
import type { OrderDocumentRow, OrderRow } from './repository.js';

/**
 * Everything the application form prints about the applicant: unit name, USCC, project and key type (the
 * seeds' reasons to print a new form) plus the address and the agent's details. When any of it changes
 * after printing, the stamped paper no longer matches the order and a new form must be printed. Values are
 * compared as the submission rules read them, so retyping the same number differently changes nothing.
 */
export function applicationFormIdentity(
  org: Pick<OrganizationRow, 'name' | 'uscc'>,
  order: Pick<OrderRow, 'projectCode' | 'keyType' | 'form'>,
): string {
  const f = order.form as OrderDraft;
  const text = (v: string | undefined) => (v ?? '').trim().replace(/\s+/g, ' ');
  return JSON.stringify([
    org.name,
    org.uscc,
    order.projectCode,
    order.keyType,
    text(f.unit?.address),
    text(f.agent?.name),
    normalizeIdNumber(f.agent?.idNumber ?? ''),
    normalizeMobile(f.agent?.mobile ?? ''),
    text(f.agent?.email).toLowerCase(),
  ]);
}

export interface Readiness {
  slots: (UploadSlot & { document: string; uploaded: OrderDocumentRow | null })[];
  problems: Record<string, string>;
  /** True when the application form must be (re)downloaded: never printed, or printed with other identity data. */
  applicationFormStale: boolean;
  legalCheckRequired: boolean;
  /** Human-readable list of what is missing; empty = ready to submit. */
  missing: string[];
}

/**
 * `failed`: after a rejection (资料审核失败), the documents the reviewer failed, with the file that was judged;
 * each must be replaced by a new upload before the order can be resubmitted.
 */
export function orderReadiness(
  order: OrderRow,
  project: CatalogProject,
  org: OrganizationRow,
  docs: OrderDocumentRow[],
  today: () => Date,
  failed: readonly { slot: string; documentId: string }[] = [],
): Readiness {
  const form = order.form as OrderDraft;
  const slots = uploadSlots({
    projectCode: order.projectCode,
    keyType: order.keyType,
    unitType: form.unit?.unitType as UnitType | undefined,
  }).map((s) => ({
    ...s,
    uploaded: docs.find((d) => d.slot === s.code) ?? null,
  }));
  const problems = orderFormProblems(form, { outOfProvince: order.projectCode === OUT_OF_PROVINCE, today });
  const stale = order.applicationFormPrintedIdentity !== applicationFormIdentity(org, order);
  const missing: string[] = [];
  const n = Object.keys(problems).length;
  if (n) missing.push(`订单信息还有${n}处需要填写或修改`);
  if (stale)
    missing.push(
      order.applicationFormPrintedIdentity
        ? '申请表打印后，单位名称、信用代码、项目、通信地址或经办人信息有变更，请重新下载申请表并上传盖章扫描件'
        : '请下载申请表，打印盖章后扫描上传',
    );
  for (const s of slots) if (!s.uploaded) missing.push(`请上传${s.label}`);
  for (const s of slots)
    if (s.uploaded && failed.some((f) => f.slot === s.code && f.documentId === s.uploaded!.id)) missing.push(`请重新上传：${s.label}`);
  if (project.legalCheckRequired && order.legalCheckStatus !== 'passed') missing.push('法人核验尚未显示“认证成功”');
  return { slots, problems, applicationFormStale: stale, legalCheckRequired: project.legalCheckRequired, missing };
}
