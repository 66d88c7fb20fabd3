/**
 * 审核纸质资料 (受理, seeds 000 七 / 001 五): the originals arrive (已收到), then pass (纸质资料合格 → 制证) or
 * fail. A failure names what must be re-sent; the agent gets an SMS and 受理 staff phone them ("工作人员将电话
 * 通知补寄资料"), recording each call (record-call.ts). A re-sent package is received again the same way.
 */
import { AppError, validationFailed } from '../../../core/errors.js';
import { missingForSms } from '../../../core/fulfilment.js';
import { paperOriginals, type PaperItem } from '../../../core/paper-checklist.js';
import type { DocumentCode } from '../../../core/content/documents.js';
import type { OrderDraft } from '../../../core/order-form.js';
import type { Clock } from '../../clock.js';
import type { Db } from '../../db/client.js';
import type { RequestMeta } from '../deps.js';
import { enqueueOrderSms } from '../notifications/order-sms.js';
import { orderRepository, type OrderRow } from '../orders/repository.js';
import { ORDER_WORKFLOW } from '../orders/order-workflow.js';
import { applyTransition, staffParty } from '../workflow/engine.js';
import type { StaffActor } from '../staff/staff-accounts.js';
import { fulfilmentRepository } from './repository.js';

type Deps = { db: Db; clock: Clock };

/** The paper originals of this order (its project, key type and unit type decide the list). */
export function paperListOf(order: Pick<OrderRow, 'projectCode' | 'keyType' | 'orderNo' | 'form'>) {
  return paperOriginals({
    projectCode: order.projectCode,
    keyType: order.keyType,
    unitType: (order.form as OrderDraft).unit?.unitType,
    orderNo: order.orderNo,
  });
}

async function locked(tx: Parameters<Parameters<Db['transaction']>[0]>[0], orderId: string): Promise<OrderRow> {
  const order = await orderRepository.lockById(tx, orderId);
  if (!order) throw new AppError('NOT_FOUND', '找不到该订单');
  return order;
}

/** 已收到纸质资料 (first package, or the re-sent one after a failure). */
export async function receivePaper(deps: Deps, actor: StaffActor, orderId: string, meta: RequestMeta): Promise<OrderRow> {
  const now = deps.clock.now();
  return deps.db.transaction(async (tx) => {
    const order = await locked(tx, orderId);
    return applyTransition(ORDER_WORKFLOW, tx, order, 'receive_paper', staffParty(actor), now, {
      set: { paperReceivedAt: now },
      ip: meta.ip,
    });
  });
}

/** The ticks as recorded on the event and the audit row: codes (for the page) and names (for people). */
function checklistTicks(list: PaperItem[], checked: DocumentCode[]) {
  const ticked = new Set(checked);
  if ([...ticked].some((c) => !list.some((p) => p.code === c)))
    throw validationFailed({ checked: '所勾选的资料不在本订单的纸质资料清单中，请刷新页面后重新核对' });
  const items = list.filter((p) => ticked.has(p.code));
  return { checked: items.map((p) => p.code), checkedNames: items.map((p) => p.name) };
}

/**
 * 纸质资料合格: the order goes to 制证 — only with every original of the order's checklist ticked (which
 * originals, which seals: core/paper-checklist.ts); the ticks are recorded on the event and the audit row.
 */
export async function passPaper(
  deps: Deps,
  actor: StaffActor,
  orderId: string,
  input: { checked: DocumentCode[] },
  meta: RequestMeta,
): Promise<OrderRow> {
  const now = deps.clock.now();
  return deps.db.transaction(async (tx) => {
    const order = await locked(tx, orderId);
    const list = paperListOf(order);
    const ticks = checklistTicks(list, input.checked);
    const open = list.filter((p) => !ticks.checked.includes(p.code));
    if (open.length)
      throw validationFailed({
        checked: `纸质资料清单还有未核对的资料：${open.map((p) => p.name).join('、')}。全部核对无误后才能确认合格；缺少或不合格的请点“纸质资料不合格”`,
      });
    return applyTransition(ORDER_WORKFLOW, tx, order, 'pass_paper', staffParty(actor), now, {
      set: { productionStartedAt: now },
      detail: ticks,
      audit: { checked: ticks.checkedNames },
      ip: meta.ip,
    });
  });
}

/**
 * 纸质资料不合格: what must be re-sent (from this order's paper list) and an optional note, both shown to the
 * applicant; one SMS per failure (the dedupe key carries the failure's number, so a retried request or a
 * double click never sends two, and a second failure later sends its own).
 */
export async function failPaper(
  deps: Deps,
  actor: StaffActor,
  orderId: string,
  input: { missing: DocumentCode[]; note?: string; checked?: DocumentCode[] },
  meta: RequestMeta,
): Promise<OrderRow> {
  const now = deps.clock.now();
  return deps.db.transaction(async (tx) => {
    const order = await locked(tx, orderId);
    const list = paperListOf(order);
    const wanted = new Set(input.missing);
    const unknown = [...wanted].filter((c) => !list.some((p) => p.code === c));
    if (unknown.length) throw validationFailed({ missing: '所选资料不在本订单的纸质资料清单中，请刷新页面后重新选择' });
    const names = list.filter((p) => wanted.has(p.code)).map((p) => p.name);
    const ticks = checklistTicks(list, input.checked ?? []);
    if (ticks.checked.some((c) => wanted.has(c)))
      throw validationFailed({ missing: '同一项资料不能既勾选为核对无误又选为需补寄，请重新核对' });
    const note = input.note?.trim() || null;
    const failure = (await fulfilmentRepository.countEvents(tx, order.id, 'order.fail_paper')) + 1;
    const updated = await applyTransition(ORDER_WORKFLOW, tx, order, 'fail_paper', staffParty(actor), now, {
      reason: `需补寄：${names.join('、')}${note ? `。${note}` : ''}`,
      detail: { missing: [...wanted], names, note, failure, ...ticks },
      audit: { missing: names, note, checked: ticks.checkedNames },
      ip: meta.ip,
    });
    await enqueueOrderSms(
      tx,
      updated,
      'paper_failed',
      { orderNo: order.orderNo, missing: missingForSms(names) },
      `paper-fail:${failure}`,
      now,
    );
    return updated;
  });
}
