/**
 * 预审: a reviewer judges every uploaded document of a submitted order (pass, or fail with preset reasons
 * and/or a note) and then approves or rejects the order (rejecting needs a failed document or an
 * order-level reason, e.g. 主副锁选择错误). One transaction: lock the order, check it is still waiting for
 * review, record the verdicts for the order's review round, change the status compare-and-set with the
 * event and audit row, and queue the SMS to the agent (seed 000: “注册的经办人手机号将收到资料审核通过／不通过的短信”) under
 * a per-round dedupe key — so twenty clicks at once give one transition, one event and one SMS, and every
 * loser is told the order has already been reviewed.
 */
import { AppError, type FieldErrors } from '../../../core/errors.js';
import { reasonsForDocument } from '../../../core/review-reasons.js';
import { findTransition, STATUS_LABEL, type OrderStatus } from '../../../core/workflow.js';
import type { Clock } from '../../clock.js';
import type { Db } from '../../db/client.js';
import { organizationRepository } from '../accounts/repository.js';
import { enqueueOrderSms } from '../notifications/order-sms.js';
import { orderRepository, type OrderRow } from '../orders/repository.js';
import { ORDER_WORKFLOW } from '../orders/order-workflow.js';
import { applyTransition, staffParty } from '../workflow/engine.js';
import type { RequestMeta } from '../deps.js';
import type { StaffActor } from '../staff/staff-accounts.js';
import { reviewRepository } from './repository.js';
import { slotLabel, slotsOf, type Decision, type Verdict } from './reviews.js';

export interface ReviewInput {
  decision: Decision;
  documents: { slot: string; verdict: Verdict; reasons: string[]; note?: string | null }[];
  orderReason?: string | null;
}

export interface ReviewResult {
  order: OrderRow;
  round: number;
  decision: Decision;
  /** The readable summary written as the event's reason. */
  summary: string;
  /** False when the order names no usable agent mobile (nothing could be queued). */
  smsQueued: boolean;
}

const clean = (s: string | null | undefined) => {
  const t = (s ?? '').trim();
  return t ? t : null;
};

/** The event's reason: what failed and why, in the order the slots are listed, then the order-level reason. */
export function reviewSummary(
  decision: Decision,
  judged: { label: string; verdict: Verdict; reasons: string[]; note: string | null }[],
  orderReason: string | null,
): string {
  if (decision === 'approve') return '全部证件审核通过';
  const parts = judged
    .filter((d) => d.verdict === 'fail')
    .map((d) => `${d.label}：${[d.reasons.join('、'), d.note].filter(Boolean).join('；')}`);
  if (orderReason) parts.push(`订单：${orderReason}`);
  return parts.join('；');
}

export async function reviewOrder(
  deps: { db: Db; clock: Clock },
  actor: StaffActor,
  orderId: string,
  input: ReviewInput,
  meta: RequestMeta,
): Promise<ReviewResult> {
  const now = deps.clock.now();
  const party = staffParty(actor);
  return deps.db.transaction(async (tx) => {
    // The row lock makes parallel reviews of one order queue up here; each then sees the status the one
    // before it left, and all but the first stop at the status check below.
    const order = await orderRepository.lockById(tx, orderId);
    if (!order) throw new AppError('NOT_FOUND', '找不到该订单');
    const status = order.status as OrderStatus;
    const check = findTransition(status, input.decision, party);
    if (!check.ok) {
      if (check.reason === 'not_allowed') throw new AppError('FORBIDDEN', '此操作需要以下角色之一：预审');
      throw new AppError(
        'CONFLICT',
        status === 'review_passed' || status === 'review_failed'
          ? `该订单已经审核（${STATUS_LABEL[status]}），请刷新页面`
          : `订单当前状态为“${STATUS_LABEL[status] ?? status}”，不在等待预审，不能审核，请刷新页面`,
      );
    }

    const docs = await orderRepository.currentDocuments(tx, order.id);
    const slots = slotsOf(order);
    const label = (code: string) => slotLabel(slots, code);
    const fields: FieldErrors = {};
    const problems: string[] = [];
    const problem = (field: string, message: string) => {
      fields[field] ??= message;
      if (!problems.includes(message)) problems.push(message);
    };

    // Every current document judged exactly once, nothing else.
    const seen = new Set<string>();
    for (const d of input.documents) {
      const doc = docs.find((x) => x.slot === d.slot);
      if (!doc) {
        problem(`documents.${d.slot}`, `本订单没有上传“${d.slot}”这项证件，不能评审`);
        continue;
      }
      if (seen.has(d.slot)) {
        problem(`documents.${d.slot}`, `${label(d.slot)}评审了不止一次，每项证件只能给出一个结论`);
        continue;
      }
      seen.add(d.slot);
      const reasons = [...new Set(d.reasons.map((r) => r.trim()).filter(Boolean))];
      if (d.verdict === 'fail' && !reasons.length && !clean(d.note))
        problem(`documents.${d.slot}`, `${label(d.slot)}：不通过时请选择原因或填写说明`);
      if (d.verdict === 'pass' && reasons.length) problem(`documents.${d.slot}`, `${label(d.slot)}：审核通过的证件不能选择不通过原因`);
      const document = slots.find((s) => s.code === d.slot)?.document;
      const preset = document ? reasonsForDocument(document) : [];
      const unknown = reasons.filter((r) => !preset.includes(r));
      if (unknown.length)
        problem(`documents.${d.slot}`, `${label(d.slot)}：“${unknown.join('”“')}”不是这项证件的预设原因，其他原因请写在说明中`);
    }
    for (const doc of docs)
      if (!seen.has(doc.slot)) problem(`documents.${doc.slot}`, `${label(doc.slot)}尚未评审：每项证件都要给出通过或不通过`);

    const orderReason = clean(input.orderReason);
    const failed = input.documents.filter((d) => d.verdict === 'fail' && docs.some((x) => x.slot === d.slot));
    if (input.decision === 'approve') {
      if (failed.length)
        problem('decision', `预审通过要求每项证件都审核通过；以下证件不通过：${[...new Set(failed.map((d) => label(d.slot)))].join('、')}`);
      if (orderReason) problem('orderReason', '预审通过时不能填写订单退回原因');
    } else if (!failed.length && !orderReason) {
      problem('decision', '退回修改须至少有一项证件不通过，或填写订单退回原因');
    }
    if (problems.length) throw new AppError('VALIDATION_FAILED', problems.join('；'), { fields });

    // Orders submitted before rounds were counted are in round 0: their first review is round 1.
    const round = Math.max(order.reviewRound, 1);
    const judged = slots
      .filter((s) => seen.has(s.code))
      .map((s) => {
        const d = input.documents.find((x) => x.slot === s.code)!;
        return {
          slot: s.code,
          label: s.label,
          documentId: docs.find((x) => x.slot === s.code)!.id,
          verdict: d.verdict,
          reasons: [...new Set(d.reasons.map((r) => r.trim()).filter(Boolean))],
          note: clean(d.note),
        };
      });
    const summary = reviewSummary(input.decision, judged, orderReason);

    const updated = await applyTransition(ORDER_WORKFLOW, tx, order, input.decision, party, now, {
      reason: summary,
      audit: { round, decision: input.decision, orderReason },
      ip: meta.ip,
      detail: {
        round,
        decision: input.decision,
        orderReason,
        documents: judged.map(({ slot, documentId, verdict, reasons, note }) => ({ slot, documentId, verdict, reasons, note })),
      },
      set: { reviewedAt: now, reviewRound: round },
    });
    await reviewRepository.insertVerdicts(
      tx,
      judged.map((d) => ({
        orderId: order.id,
        round,
        slot: d.slot,
        documentId: d.documentId,
        verdict: d.verdict,
        reasons: d.reasons,
        note: d.note,
        reviewerId: actor.id,
        at: now,
      })),
    );
    const org = await organizationRepository.findById(tx, order.organizationId);
    const smsQueued = await enqueueOrderSms(
      tx,
      order,
      input.decision === 'approve' ? 'review_passed' : 'review_failed',
      { unit: org?.name ?? '', orderNo: order.orderNo },
      `review:${round}`,
      now,
    );
    return { order: updated, round, decision: input.decision, summary, smsQueued };
  });
}
