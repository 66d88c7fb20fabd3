/**
 * The staff console's order list: a queue (one status, oldest first — whoever waited longest is served
 * first) or a search (newest first). Both are keyset-paginated with an opaque cursor, so a page deep in a
 * queue of a million orders costs what the first one does, and rows arriving meanwhile neither repeat nor
 * vanish. Drafts and deleted or cancelled orders are in no queue, but a search finds them (the answer says
 * their status). Searches show personal data (unit, agent), so each one is recorded in the audit log.
 */
import { AppError } from '../../../core/errors.js';
import { maskMobile, normalizeMobile } from '../../../core/mobile.js';
import { formatOrderNumber } from '../../../core/order-number.js';
import { STATUS_LABEL, STATUS_STEP, type OrderStatus } from '../../../core/workflow.js';
import type { CalendarExceptions } from '../../../core/working-days.js';
import type { Db } from '../../db/client.js';
import { auditRepository } from '../audit/repository.js';
import { calendarRepository } from '../calendar/repository.js';
import type { RequestMeta } from '../deps.js';
import { KEY_LABEL } from '../../../core/requirements.js';
import type { StaffActor } from '../staff/staff-accounts.js';
import { decodeCursor, encodeCursor } from './cursor.js';
import { deadlineOf, workingDaysWaited } from './deadlines.js';
import { staffOrderRepository, type SearchKey, type StaffListRow } from './repository.js';
import { searchTerms } from './search-terms.js';

type Deps = { db: Db; clock: { now(): Date } };

/** Not queues: not yet submitted, or over. Found by search only. */
export const NOT_IN_QUEUES: readonly OrderStatus[] = ['draft', 'deleted', 'cancelled'];

export interface ListOrdersInput {
  status?: OrderStatus;
  q?: string;
  after?: string;
  limit: number;
}

const text = (v: unknown): string | null => (typeof v === 'string' && v.trim() ? v.trim() : null);

export function staffListItem(r: StaffListRow, now: Date, cal: CalendarExceptions) {
  const status = r.status as OrderStatus;
  const { dueAt, overdue } = deadlineOf(
    {
      status,
      statusChangedAt: r.statusChangedAt,
      productionStartedAt: r.productionStartedAt,
      productionWorkingDays: r.productionWorkingDays,
    },
    now,
    cal,
  );
  const mobile = text(r.agent?.mobile);
  return {
    id: r.id,
    orderNo: r.orderNo,
    orderNoDisplay: formatOrderNumber(r.orderNo),
    organizationName: r.organizationName,
    uscc: r.uscc,
    projectCode: r.projectCode,
    projectName: r.projectName,
    keyType: r.keyType,
    keyLabel: KEY_LABEL[r.keyType],
    status,
    statusLabel: STATUS_LABEL[status] ?? status,
    statusStep: STATUS_STEP[status] ?? null,
    statusChangedAt: r.statusChangedAt,
    waitingWorkingDays: workingDaysWaited(r.statusChangedAt, now, cal),
    dueAt,
    overdue,
    agentName: text(r.agent?.name),
    agentMobileMasked: mobile ? maskMobile(normalizeMobile(mobile)) : null,
  };
}

/** Rows of several searches merged newest first, each order once. */
function mergeNewestFirst(rows: StaffListRow[], take: number): StaffListRow[] {
  const seen = new Set<string>();
  return rows
    .sort((a, b) => (a.sortTs === b.sortTs ? (a.id < b.id ? 1 : a.id > b.id ? -1 : 0) : a.sortTs < b.sortTs ? 1 : -1))
    .filter((r) => !seen.has(r.id) && (seen.add(r.id), true))
    .slice(0, take);
}

export async function listOrders(deps: Deps, input: ListOrdersInput, actor: StaffActor, meta: RequestMeta) {
  const q = input.q?.trim() ?? '';
  const after = input.after ? decodeCursor(input.after) : null;
  let rows: StaffListRow[];
  if (q) {
    const terms = Object.entries(searchTerms(q)).filter((e): e is [SearchKey, string] => e[1] !== undefined);
    // Each key is its own indexed query with the same cursor and limit; the union's page is among their pages.
    const pages = await Promise.all(
      terms.map(([key, value]) => staffOrderRepository.searchPageQuery(deps.db, key, value, input.status, after, input.limit)),
    );
    rows = mergeNewestFirst(pages.flat(), input.limit + 1);
    await auditRepository.record(deps.db, {
      actorType: 'staff',
      actorId: actor.id,
      action: 'order.search',
      detail: {
        q,
        status: input.status ?? null,
        keys: terms.map(([k]) => k),
        count: Math.min(rows.length, input.limit),
        page: after ? 'next' : 'first',
      },
      ip: meta.ip,
      at: deps.clock.now(),
    });
  } else if (input.status) {
    if (NOT_IN_QUEUES.includes(input.status)) {
      const msg = '草稿、已删除和已取消的订单不在工作队列中，请输入订单编号、统一社会信用代码、单位名称、经办人手机号或快递单号查找';
      throw new AppError('VALIDATION_FAILED', msg, { fields: { status: msg } });
    }
    rows = await staffOrderRepository.queuePageQuery(deps.db, input.status, after, input.limit);
  } else {
    const msg = '请选择工作队列，或输入订单编号、统一社会信用代码、单位名称、经办人手机号、快递单号查找';
    throw new AppError('VALIDATION_FAILED', msg, { fields: { q: msg } });
  }
  const now = deps.clock.now();
  const cal = await calendarRepository.exceptions(deps.db);
  const page = rows.slice(0, input.limit);
  const last = page[page.length - 1];
  return {
    items: page.map((r) => staffListItem(r, now, cal)),
    next: rows.length > input.limit && last ? encodeCursor({ ts: last.sortTs, id: last.id }) : null,
  };
}
