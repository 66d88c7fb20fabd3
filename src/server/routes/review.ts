/** 预审: the reviewer's view of a submitted order (what to judge, what changed) and the decision itself. */
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { rolesFor } from '../../core/transitions.js';
import { TRANSITIONS } from '../../core/workflow.js';
import { ZReviewDone, ZReviewInfo } from '../../core/review-schemas.js';
import type { AppContext } from '../app.js';
import { reviewOrder } from '../modules/review/review-order.js';
import { staffReviewView } from '../modules/review/review-view.js';
import { enforceStaffAccess, metaOf, staffActor } from './guards.js';

const ZId = z.object({ id: z.string({ error: '订单编号格式不正确' }).uuid('订单编号格式不正确') });

export const ZReviewDecision = z.object({
  decision: z.enum(['approve', 'reject'], { error: '请选择预审通过或退回修改' }),
  documents: z
    .array(
      z.object({
        slot: z.string({ error: '请指明证件' }).min(1, '请指明证件').max(64),
        verdict: z.enum(['pass', 'fail'], { error: '请为每项证件选择通过或不通过' }),
        reasons: z.array(z.string().max(100, '原因最多100个字')).max(20, '原因最多选择20项').default([]),
        note: z.string().max(500, '说明最多500个字').nullish(),
      }),
      { error: '请逐项评审证件' },
    )
    .max(20, '证件数量不正确'),
  orderReason: z.string().max(500, '订单退回原因最多500个字').nullish(),
});

export const reviewRoutes =
  (ctx: AppContext): FastifyPluginAsyncZod =>
  async (app) => {
    const { db } = ctx.deps;
    const tags = ['工作人员'];
    enforceStaffAccess(app, db);

    app.get(
      '/api/staff/orders/:id/review',
      {
        config: { staffAccess: 'any' },
        schema: { tags, summary: '预审：待评审的证件、预设原因、上一轮结论及其后的变更', params: ZId, response: { 200: ZReviewInfo } },
      },
      async (req, reply) => {
        reply.header('cache-control', 'no-store');
        return staffReviewView(db, req.params.id);
      },
    );

    app.post(
      '/api/staff/orders/:id/review',
      {
        config: { staffAccess: rolesFor(TRANSITIONS, 'approve', 'reject') },
        schema: {
          tags,
          summary: '预审：逐项评审证件，预审通过或退回修改（发短信通知经办人）',
          params: ZId,
          body: ZReviewDecision,
          response: { 200: ZReviewDone },
        },
      },
      async (req) => {
        const r = await reviewOrder(ctx.deps, staffActor(req), req.params.id, req.body, metaOf(req));
        ctx.kickOutbox();
        return {
          order: { id: r.order.id, status: r.order.status, reviewRound: r.order.reviewRound, reviewedAt: r.order.reviewedAt },
          round: r.round,
          decision: r.decision,
          summary: r.summary,
          smsQueued: r.smsQueued,
        };
      },
    );
  };
