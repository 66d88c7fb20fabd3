/**
 * The staff console's work lists and order page (/api/staff/queues, /api/staff/orders…) and the working-day
 * calendar an administrator keeps (/api/staff/calendar). Every route declares who may call it, checked
 * before validation (guards.ts); the use cases live in modules/staff-orders and modules/calendar.
 */
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { visibleText } from '../../core/visible-text.js';
import { ORDER_STATUSES } from '../../core/workflow.js';
import { ZOk } from '../../core/orders-schemas.js';
import { ZCalendarDay, ZCalendarYear, ZOrderList, ZQueues, ZStaffOrderView } from '../../core/staff-orders-schemas.js';
import type { AppContext } from '../app.js';
import { deleteCalendarDay, listCalendarYear, setCalendarDay } from '../modules/calendar/edit-calendar.js';
import { listOrders } from '../modules/staff-orders/list-orders.js';
import { listQueues } from '../modules/staff-orders/list-queues.js';
import { viewStaffOrder } from '../modules/staff-orders/view-order.js';
import { enforceStaffAccess, metaOf, staffActor } from './guards.js';

const ADMIN = ['管理员'] as const;

const ZId = z.object({ id: z.string({ error: '订单编号格式不正确' }).uuid('订单编号格式不正确') });

/** A calendar date YYYY-MM-DD that exists (no 2026-02-30), in a sane range. */
const ZDay = z
  .string({ error: '请填写日期' })
  .regex(/^\d{4}-\d{2}-\d{2}$/, '日期格式应为 YYYY-MM-DD')
  .refine((d) => {
    const t = new Date(`${d}T00:00:00Z`);
    return !Number.isNaN(t.getTime()) && t.toISOString().slice(0, 10) === d;
  }, '没有这一天，请检查日期')
  .refine((d) => d >= '2000-01-01' && d <= '2100-12-31', '日期须在2000年至2100年之间');

const ZYear = z.coerce
  .number({ error: '年份格式不正确' })
  .int('年份格式不正确')
  .min(2000, '年份须在2000年至2100年之间')
  .max(2100, '年份须在2000年至2100年之间');

const ZCalendarBody = z.object({
  kind: z.enum(['holiday', 'workday'], { error: '请选择“放假”或“调休上班”' }),
  name: z
    .string({ error: '请填写名称，如“国庆节”' })
    .superRefine(visibleText('名称'))
    .transform((s) => s.trim().replace(/\s+/g, ' '))
    .pipe(z.string().min(1, '请填写名称，如“国庆节”').max(50, '名称最多50个字')),
});

const ZListQuery = z.object({
  status: z.enum(ORDER_STATUSES, { error: '没有这个订单状态' }).optional(),
  q: z.string().max(100, '查询内容最多100个字').optional(),
  after: z.string().max(200, '翻页参数不正确，请刷新列表').optional(),
  limit: z.coerce
    .number({ error: '每页条数须为1到100的整数' })
    .int('每页条数须为1到100的整数')
    .min(1, '每页条数须为1到100的整数')
    .max(100, '每页条数须为1到100的整数')
    .default(50),
});

const chinaYear = (now: Date) => new Date(now.getTime() + 8 * 3600_000).getUTCFullYear();

export const staffOrdersRoutes =
  (ctx: AppContext): FastifyPluginAsyncZod =>
  async (app) => {
    const { deps } = ctx;
    const tags = ['工作人员'];
    // Roles are checked before validation, so a caller without them learns nothing from field messages.
    enforceStaffAccess(app, deps.db);

    app.get(
      '/api/staff/queues',
      {
        config: { staffAccess: 'any' },
        schema: { tags, summary: '本人角色的工作队列：各状态的订单数与超时数', response: { 200: ZQueues } },
      },
      async (req, reply) => {
        reply.header('cache-control', 'no-store');
        return listQueues(deps, staffActor(req));
      },
    );

    app.get(
      '/api/staff/orders',
      {
        config: { staffAccess: 'any' },
        schema: {
          tags,
          summary:
            '订单列表：按状态的工作队列（先到先办，按 status 与 after 翻页），或按订单编号、统一社会信用代码、单位名称、经办人手机号、寄来资料的快递单号查找（新的在前；查找会被记录）',
          querystring: ZListQuery,
          response: { 200: ZOrderList },
        },
      },
      async (req, reply) => {
        reply.header('cache-control', 'no-store');
        return listOrders(deps, req.query, staffActor(req), metaOf(req));
      },
    );

    app.get(
      '/api/staff/orders/:id',
      {
        config: { staffAccess: 'any' },
        schema: { tags, summary: '订单详情（工作人员；查看本身被记录）', params: ZId, response: { 200: ZStaffOrderView } },
      },
      async (req, reply) => {
        reply.header('cache-control', 'no-store');
        return viewStaffOrder(deps, req.params.id, staffActor(req), metaOf(req));
      },
    );

    app.get(
      '/api/staff/calendar',
      {
        config: { staffAccess: ADMIN },
        schema: {
          tags,
          summary: '工作日历：某年的节假日与调休上班日（管理员）',
          querystring: z.object({ year: ZYear.optional() }),
          response: { 200: ZCalendarYear },
        },
      },
      async (req) => listCalendarYear(deps, req.query.year ?? chinaYear(deps.clock.now())),
    );

    app.put(
      '/api/staff/calendar/:day',
      {
        config: { staffAccess: ADMIN },
        schema: {
          tags,
          summary: '设置某天为放假或调休上班（管理员）',
          params: z.object({ day: ZDay }),
          body: ZCalendarBody,
          response: { 200: z.object({ day: ZCalendarDay }) },
        },
      },
      async (req) => ({ day: await setCalendarDay(deps, req.params.day, req.body, staffActor(req), metaOf(req)) }),
    );

    app.delete(
      '/api/staff/calendar/:day',
      {
        config: { staffAccess: ADMIN },
        schema: {
          tags,
          summary: '取消某天的节假日或调休设置，恢复周一至周五上班（管理员）',
          params: z.object({ day: ZDay }),
          response: { 200: ZOk },
        },
      },
      async (req) => {
        await deleteCalendarDay(deps, req.params.day, staffActor(req), metaOf(req));
        return { ok: true };
      },
    );
  };
